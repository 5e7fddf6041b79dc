/**
 * Issue 2 "Done means": a bad row rejects the whole import and the database is unchanged;
 * --skip-invalid loads the rest and writes the reject; importing again changes nothing.
 * On every backend.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importFiles } from '../src/ingest/index.js';
import type { Db } from '../src/store/db.js';
import { tableCounts } from '../src/store/import-repo.js';
import { BACKENDS } from './backends.js';

const ROWS = 100_000;
const BAD_LINE = 61_234; // physical line in the file (the header is line 1)

let dir: string;
let good: string;
let bad: string;
let customers: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tenure-import-'));
  const lines = ['订单号,客户编号,下单时间,实付金额,渠道'];
  for (let i = 0; i < ROWS; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(
      `O${i},C${i % 5000},2024-03-${day} 10:${String(i % 60).padStart(2, '0')},${(i % 500) + 1}.25,门店`,
    );
  }
  good = path.join(dir, 'orders.csv');
  writeFileSync(good, `${lines.join('\n')}\n`);
  const broken = [...lines];
  broken[BAD_LINE - 1] = `O${BAD_LINE - 2},C1,2024-03-05 10:00,12.3x,门店`;
  bad = path.join(dir, 'orders-bad.csv');
  writeFileSync(bad, `${broken.join('\n')}\n`);
  customers = path.join(dir, 'customers.csv');
  writeFileSync(
    customers,
    '\uFEFF客户编号,客户名称,手机,省份,城市,性别,生日\nK1,张伟,13800138000,广东,深圳,男,1985/6/1\nK2,李娜,13912345678,浙江,杭州,女,1990年2月3日\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`tenure import on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.fresh());
      await importFiles(db, [customers]);
    });
    afterAll(async () => drop?.());

    test('issue 2: one bad row among 100,000 rejects the import whole, naming its line, column and reason, and writes nothing', async () => {
      const before = await tableCounts(db);
      const error = await importFiles(db, [bad]).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'invalid_input',
        details: { file: bad, line: BAD_LINE, column: 4, field: 'amount', value: '12.3x' },
      });
      expect((error as Error).message).toBe(
        `${bad}:${BAD_LINE}:4 amount: expected a number, got "12.3x"; 1 problem in 1 row: nothing was imported`,
      );
      expect(await tableCounts(db)).toEqual(before);
    });

    test('issue 2: with --skip-invalid the 99,999 good rows load and the bad one goes to the rejects file with its reason', async () => {
      const rejects = path.join(dir, `rejects-${backend.name}.csv`);
      const report = await importFiles(db, [bad], { skipInvalid: true, rejectsFile: rejects });
      expect(report.files[0]).toMatchObject({ rows: ROWS, valid: ROWS - 1, rejected: 1 });
      expect(report.counts.transactions.inserted).toBe(ROWS - 1);
      const lines = readFileSync(rejects, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(
        `,${BAD_LINE},4,amount,12.3x,"amount: expected a number, got ""12.3x"""`,
      );
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM transactions');
      expect(rows[0].n).toBe(ROWS - 1);
    });

    test('issue 2: importing the full file then importing it again changes nothing the second time', async () => {
      const first = await importFiles(db, [good]);
      expect(first.counts.transactions).toMatchObject({
        rows: ROWS,
        inserted: 1,
        unchanged: ROWS - 1,
      });
      const after = await tableCounts(db);
      const sum = await db.query('SELECT sum(amount_minor)::bigint AS s FROM transactions');
      const again = await importFiles(db, [good]);
      expect(again.counts.transactions).toMatchObject({ inserted: 0, updated: 0, unchanged: ROWS });
      expect(again.counts.placeholderCustomers).toBe(0);
      expect(await tableCounts(db)).toEqual(after);
      expect(await db.query('SELECT sum(amount_minor)::bigint AS s FROM transactions')).toEqual(
        sum,
      );
      expect(after.transactions).toBe(ROWS);
    });

    test('Chinese headers, BOM, yuan amounts and Chinese dates land as the right fields', async () => {
      const { rows } = await db.query(
        `SELECT customer_id, name, phones, province, city, gender, birthday FROM customers
         WHERE customer_id IN ('K1', 'K2') ORDER BY 1`,
      );
      expect(rows).toEqual([
        {
          customer_id: 'K1',
          name: '张伟',
          phones: ['13800138000'],
          province: '广东',
          city: '深圳',
          gender: 'male',
          birthday: '1985-06-01',
        },
        {
          customer_id: 'K2',
          name: '李娜',
          phones: ['13912345678'],
          province: '浙江',
          city: '杭州',
          gender: 'female',
          birthday: '1990-02-03',
        },
      ]);
      const tx = await db.query(
        "SELECT amount_minor, occurred_at FROM transactions WHERE transaction_id = 'O0'",
      );
      // 2024-03-01 10:00 in Asia/Shanghai is 02:00 UTC
      expect(tx.rows[0]).toEqual({
        amount_minor: 125,
        occurred_at: new Date('2024-03-01T02:00:00Z'),
      });
    });
  });
}
