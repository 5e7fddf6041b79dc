import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { generateDemo } from '../engine/demo/index.js';
import { DEMO_CSV_HEADERS, exportDemoCsv, shanghaiTime, yuan } from './demo-export.js';

const AS_OF = new Date('2026-06-30T16:00:00Z');
const dirs: string[] = [];

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** RFC 4180 rows (quoted fields allowed), without the BOM. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cur);
      cur = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cur);
      rows.push(row);
      row = [];
      cur = '';
      i++;
    } else cur += ch;
  }
  return rows;
}

async function exportSmall(industry: 'retail' | 'telecom') {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tenure-demo-'));
  dirs.push(dir);
  const demo = generateDemo({ customers: 300, years: 3, seed: 3, industry, asOf: AS_OF });
  const result = await exportDemoCsv(demo, path.join(dir, 'out'));
  const read = async (name: string) => {
    const raw = await readFile(path.join(dir, 'out', name), 'utf8');
    return { raw, rows: parseCsv(raw.slice(1)) };
  };
  return { demo, dir: path.join(dir, 'out'), result, read };
}

describe('exportDemoCsv', () => {
  test('retail: UTF-8 with BOM, Chinese headers, one row per customer, product and line item', async () => {
    const { demo, dir, result, read } = await exportSmall('retail');
    const customers = [...demo.customers()];
    const expected = {
      'customers.csv': customers.length,
      'products.csv': demo.products.length,
      'transactions.csv': customers.reduce((s, c) => s + c.transactions.length, 0),
      'interactions.csv': customers.reduce((s, c) => s + c.interactions.length, 0),
    };
    expect(result.map((r) => [path.basename(r.file), r.rows])).toEqual(Object.entries(expected));
    for (const [name, count] of Object.entries(expected)) {
      const { raw, rows } = await read(name);
      expect(raw.charCodeAt(0)).toBe(0xfeff);
      expect(rows).toHaveLength(count + 1);
      const kind = name.replace('.csv', '') as keyof typeof DEMO_CSV_HEADERS;
      expect(rows[0]).toEqual([...DEMO_CSV_HEADERS[kind]]);
      for (const r of rows) expect(r).toHaveLength(rows[0].length);
    }
    expect(existsSync(path.join(dir, 'subscriptions.csv'))).toBe(false);
  });

  test('transactions: yuan with two decimals, Shanghai times, and line amounts that add up per order', async () => {
    const { demo, read } = await exportSmall('retail');
    const { rows } = await read('transactions.csv');
    const [header, ...data] = rows;
    const col = (name: string) => header.indexOf(name);
    const totals = new Map<string, number>();
    for (const r of data) {
      expect(r[col('下单时间')]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(r[col('金额')]).toMatch(/^\d+\.\d{2}$/);
      expect(r[col('单价')]).toMatch(/^\d+\.\d{2}$/);
      expect(['已完成', '已退款', '已取消']).toContain(r[col('状态')]);
      const fen = Math.round(Number(r[col('金额')]) * 100);
      expect(fen).toBe(Number(r[col('数量')]) * Math.round(Number(r[col('单价')]) * 100));
      totals.set(r[col('订单号')], (totals.get(r[col('订单号')]) ?? 0) + fen);
    }
    // the file's orders are the generator's orders, to the fen
    const expected = new Map<string, number>();
    for (const c of demo.customers())
      for (const t of c.transactions)
        expected.set(
          t.transactionId as string,
          (expected.get(t.transactionId as string) ?? 0) + t.amountMinor,
        );
    expect(totals).toEqual(expected);
  });

  test('telecom: subscriptions.csv has every plan held, with the monthly fee in yuan', async () => {
    const { demo, read } = await exportSmall('telecom');
    const subs = [...demo.customers()].flatMap((c) => c.subscriptions);
    const { rows } = await read('subscriptions.csv');
    expect(rows[0]).toEqual([...DEMO_CSV_HEADERS.subscriptions]);
    expect(rows).toHaveLength(subs.length + 1);
    expect(rows[1]).toEqual([
      subs[0].subscriptionId,
      subs[0].customerId,
      subs[0].plan,
      shanghaiTime(subs[0].startedAt),
      shanghaiTime(subs[0].endedAt),
      yuan(subs[0].monthlyFeeMinor),
    ]);
  });

  test('exporting the same demo twice writes byte-identical files', async () => {
    const a = await exportSmall('telecom');
    const b = await exportSmall('telecom');
    for (const r of a.result) {
      const name = path.basename(r.file);
      expect((await b.read(name)).raw, name).toBe((await a.read(name)).raw);
    }
  });

  test.each([
    {
      title: 'a UTC instant in the evening is the next day in Shanghai',
      input: '2026-01-31T16:30:05Z',
      expected: '2026-02-01 00:30:05',
    },
    {
      title: 'a UTC morning is the same day in Shanghai',
      input: '2026-06-30T01:02:03Z',
      expected: '2026-06-30 09:02:03',
    },
  ])('$title', ({ input, expected }) => {
    expect(shanghaiTime(new Date(input))).toBe(expected);
  });

  test.each([
    { input: 0, expected: '0.00' },
    { input: 5, expected: '0.05' },
    { input: 1999, expected: '19.99' },
    { input: 123456789, expected: '1234567.89' },
    { input: -250, expected: '-2.50' },
  ])('$input fen is written as $expected yuan', ({ input, expected }) => {
    expect(yuan(input)).toBe(expected);
  });
});
