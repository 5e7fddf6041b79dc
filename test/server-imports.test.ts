/**
 * Issue 8 §9: importing a file through the API for real, over HTTP on both backends. CSV (in
 * GB18030, as Chinese Excel writes it) and XLSX (built here with exceljs) go through the same
 * code path as `tenure import`; a bad row rejects the file with every problem and writes
 * nothing; skipInvalid loads the rest; the same file twice inserts nothing; only admin and
 * manager import; the body limit is large here and small everywhere else.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Role } from '../src/store/access.js';
import { BACKENDS } from './backends.js';
import { type Harness, startHarness } from './server-helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: answers and audit details are JSON checked by the assertions
type Json = any;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const TABLES = [
  'customers',
  'products',
  'transactions',
  'transaction_lines',
  'interactions',
  'subscriptions',
] as const;

async function tableCounts(h: Harness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [...TABLES, 'audit_log']) {
    const { rows } = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
    out[t] = rows[0].n;
  }
  return out;
}

async function importAudits(h: Harness): Promise<{ actor: string; details: Json }[]> {
  const { rows } = await h.db.query<{ actor: string; details: Json }>(
    `SELECT actor, details FROM audit_log WHERE action = 'import' ORDER BY audit_id`,
  );
  return rows;
}

/** POSTs raw bytes to /api/imports as `role`. */
async function upload(
  h: Harness,
  body: Uint8Array | string,
  opts: { type?: string; query?: string; as?: Role; accept?: string },
) {
  const s = h.sessions[opts.as ?? 'admin'];
  const res = await fetch(`${h.base}/api/imports?${opts.query ?? ''}`, {
    method: 'POST',
    headers: {
      cookie: s.cookie,
      'x-csrf-token': s.csrf,
      'content-type': opts.type ?? 'text/csv',
      accept: opts.accept ?? 'application/json',
    },
    body,
  });
  const text = await res.text();
  let parsed: Json = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // NDJSON or not JSON: the test reads the text
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

const CUSTOMERS_CSV = [
  '客户编号,客户名称,手机,省份,城市,生日',
  'IMP-001,欧阳娜娜,13800000001,浙江,杭州,1990-05-01',
  'IMP-002,司马光,13800000002,江苏,南京,1985/3/2',
  'IMP-003,"王, 小明",13800000003,广东,深圳,',
].join('\r\n');

async function ordersXlsx(rows: (string | number | Date)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('订单');
  ws.addRow(['订单号', '客户编号', '下单时间', '实付金额', '商品编码', '数量']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`POST /api/imports on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
    }, 120_000);
    afterAll(async () => {
      await h?.close();
    });

    test('issue 8 §9: a GB18030 CSV of customers is imported for real, audited, and a second time inserts nothing', async () => {
      const before = await tableCounts(h);
      const bytes = iconv.encode(CUSTOMERS_CSV, 'gb18030');
      const first = await upload(h, bytes, { query: 'name=客户.csv' });
      expect(first.status, first.text).toBe(200);
      expect(first.body).toMatchObject({
        dryRun: false,
        kind: 'customers',
        format: 'csv',
        encoding: 'gb18030',
        rows: 3,
        valid: 3,
        rejected: 0,
        problemCount: 0,
        analysisStale: true,
      });
      expect(first.body.counts.customers).toEqual({
        rows: 3,
        inserted: 3,
        updated: 0,
        unchanged: 0,
      });
      const after = await tableCounts(h);
      expect(after.customers).toBe(before.customers + 3);
      const { rows } = await h.db.query<{ name: string; city: string }>(
        `SELECT name, city FROM customers WHERE customer_id = 'IMP-001'`,
      );
      expect(rows).toEqual([{ name: '欧阳娜娜', city: '杭州' }]);
      const audits = await importAudits(h);
      expect(audits.at(-1)).toMatchObject({
        actor: 'admin',
        details: { name: '客户.csv', kind: 'customers', rows: 3 },
      });
      expect(audits.at(-1)?.details.counts.customers.inserted).toBe(3);

      const again = await upload(h, bytes, { query: 'name=客户.csv' });
      expect(again.status, again.text).toBe(200);
      expect(again.body.counts.customers).toEqual({
        rows: 3,
        inserted: 0,
        updated: 0,
        unchanged: 3,
      });
      const third = await tableCounts(h);
      expect({ ...third, audit_log: 0 }).toEqual({ ...after, audit_log: 0 });
    });

    test('issue 8 §9: an XLSX of orders is imported for real: orders, lines and placeholder customers', async () => {
      const before = await tableCounts(h);
      const xlsx = await ordersXlsx([
        ['X-1001', 'IMP-001', '2026-06-01 10:00', 128.5, 'TEA-1', 1],
        ['X-1002', 'IMP-002', '2026/6/2 11:30', '¥1,299.00', 'POT-9', 2],
        ['X-1002', 'IMP-002', '2026/6/2 11:30', 30, 'TEA-1', 1],
        ['X-1003', 'IMP-NEW', '2026年6月3日', '99元', 'TEA-1', 1],
      ]);
      const res = await upload(h, xlsx, { type: XLSX, query: 'name=orders.xlsx' });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ kind: 'transactions', format: 'xlsx', rows: 4, valid: 4 });
      expect(res.body.counts.transactions).toMatchObject({ inserted: 3, updated: 0 });
      expect(res.body.counts.transactionLines).toMatchObject({ rows: 4, inserted: 4 });
      expect(res.body.counts.placeholderCustomers).toBe(1);
      const after = await tableCounts(h);
      expect(after.transactions).toBe(before.transactions + 3);
      expect(after.transaction_lines).toBe(before.transaction_lines + 4);
      expect(after.customers).toBe(before.customers + 1);
      const { rows } = await h.db.query<{ amount: string }>(
        `SELECT amount_minor::text AS amount FROM transactions WHERE transaction_id = 'X-1002'`,
      );
      expect(rows).toEqual([{ amount: '132900' }]);

      const again = await upload(h, xlsx, { type: XLSX, query: 'name=orders.xlsx' });
      expect(again.status).toBe(200);
      expect(again.body.counts.transactions).toMatchObject({ inserted: 0, unchanged: 3 });
      expect(again.body.counts.transactionLines.inserted).toBe(0);
      expect(again.body.counts.placeholderCustomers).toBe(0);
      const twice = await tableCounts(h);
      expect({ ...twice, audit_log: 0 }).toEqual({ ...after, audit_log: 0 });
      // a dry run of an XLSX answers the same check as for CSV, and writes nothing
      const dry = await upload(h, xlsx, { type: XLSX, query: 'dryRun=true&name=orders.xlsx' });
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ dryRun: true, kind: 'transactions', format: 'xlsx' });
      expect(await tableCounts(h)).toEqual(twice);
    });

    test('issue 8 §9: one bad row rejects the whole file with 422, every problem located, nothing written; skipInvalid imports the rest', async () => {
      const csv = [
        '订单号,客户编号,下单时间,金额',
        'B-1,IMP-003,2026-06-05 09:00,10.00',
        'B-2,IMP-003,2026-06-06 09:00,"12,3x"',
        'B-3,IMP-004,not a date,99',
        'B-4,IMP-003,2026-06-07 09:00,20.00',
      ].join('\n');
      const before = await tableCounts(h);
      const res = await upload(h, csv, { query: 'name=orders.csv' });
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe('invalid_rows');
      expect(res.body.error.message).toBe(
        'orders.csv: 2 problems in 2 of 4 rows; nothing was imported. Correct the rows and upload the file again, or import with skipInvalid=true to load the 2 valid rows',
      );
      expect(res.body.error.details).toMatchObject({
        rows: 4,
        valid: 2,
        rejected: 2,
        problemCount: 2,
      });
      expect(
        res.body.error.details.problems.map(
          (p: { line: number; column: number; field: string; value: string }) =>
            `${p.line}:${p.column} ${p.field} ${p.value}`,
        ),
      ).toEqual(['3:4 amount 12,3x', '4:3 occurredAt not a date']);
      expect(res.body.error.details.problems[0].reason).toMatch(/number|amount/);
      expect(await tableCounts(h)).toEqual(before);

      const skip = await upload(h, csv, { query: 'name=orders.csv&skipInvalid=true' });
      expect(skip.status, skip.text).toBe(200);
      expect(skip.body).toMatchObject({ rows: 4, valid: 2, rejected: 2, problemCount: 2 });
      expect(skip.body.problems.map((p: { line: number }) => p.line)).toEqual([3, 4]);
      expect(skip.body.counts.transactions).toMatchObject({ inserted: 2 });
      const after = await tableCounts(h);
      expect(after.transactions).toBe(before.transactions + 2);
      expect(after.customers).toBe(before.customers);
    });

    test('issue 8 §9: a column the headers do not name is mapped with map=column=field, as --map', async () => {
      const csv = ['单号,会员,日期,付款金额', 'M-1,IMP-001,2026-06-09,55.00'].join('\n');
      const before = await tableCounts(h);
      const unmapped = await upload(h, csv, {
        query: 'dryRun=true&name=export.csv&kind=transactions',
      });
      expect(unmapped.status).toBe(400);
      expect(unmapped.body.error.message).not.toMatch(/tenure-upload|--map|--kind/);
      expect(unmapped.body.error.details).toMatchObject({
        columns: ['单号', '会员', '日期', '付款金额'],
        kind: 'transactions',
      });
      expect(unmapped.body.error.details.fields).toContain('amount');
      const map = ['会员=customerId', '付款金额=amount', '日期=occurredAt', '单号=transactionId']
        .map((m) => `map=${encodeURIComponent(m)}`)
        .join('&');
      const dry = await upload(h, csv, { query: `dryRun=true&name=export.csv&${map}` });
      expect(dry.status, dry.text).toBe(200);
      expect(dry.body.mapping).toEqual([
        { column: '单号', field: 'transactionId' },
        { column: '会员', field: 'customerId' },
        { column: '日期', field: 'occurredAt' },
        { column: '付款金额', field: 'amount' },
      ]);
      const res = await upload(h, csv, { query: `name=export.csv&${map}`, as: 'manager' });
      expect(res.status, res.text).toBe(200);
      expect(res.body.counts.transactions.inserted).toBe(1);
      expect((await tableCounts(h)).transactions).toBe(before.transactions + 1);
      expect((await importAudits(h)).at(-1)).toMatchObject({
        actor: 'manager',
        details: { map: { 会员: 'customerId' } },
      });
    });

    test.each(['analyst', 'agent'] as const)(
      'issue 8 §9: an %s may not import or check a file (403) and nothing is written',
      async (role) => {
        const before = await tableCounts(h);
        const csv = CUSTOMERS_CSV.replaceAll('IMP-', 'NO-');
        for (const query of ['name=客户.csv', 'dryRun=true&name=客户.csv']) {
          const res = await upload(h, csv, { as: role, query });
          expect(res.status).toBe(403);
          expect(res.body.error.code).toBe('forbidden');
        }
        expect(await tableCounts(h)).toEqual(before);
      },
    );

    test('issue 8 §9: with Accept: application/x-ndjson the import streams progress, then the result', async () => {
      const lines = ['客户编号,客户名称'];
      for (let i = 0; i < 12_000; i++) lines.push(`S-${i},客户${i}`);
      const before = await tableCounts(h);
      const res = await upload(h, lines.join('\n'), {
        query: 'name=customers.csv',
        accept: 'application/x-ndjson',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const events = res.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(events[0]).toEqual({ type: 'progress', phase: 'checked', rows: 0, rowsTotal: 12_000 });
      const reading = events.filter((e) => e.phase === 'reading').map((e) => e.rows);
      expect(reading).toEqual([5_000, 10_000, 12_000]);
      expect(events.at(-2)).toEqual({
        type: 'progress',
        phase: 'merging',
        rows: 12_000,
        rowsTotal: 12_000,
      });
      expect(events.at(-1).type).toBe('result');
      expect(events.at(-1).result.counts.customers).toMatchObject({ inserted: 12_000 });
      expect((await tableCounts(h)).customers).toBe(before.customers + 12_000);
    });

    test('issue 8 §9: while an import runs, a second one is 409 naming who is importing what (a dry run still answers); afterwards imports go through', async () => {
      const lines = ['客户编号,客户名称'];
      for (let i = 0; i < 12_000; i++) lines.push(`RUN-${i},客户${i}`);
      // the manager's session is looked up once now, so the second request needs no database
      expect((await h.call('GET', '/api/auth/me', { as: 'manager' })).status).toBe(200);
      const s = h.sessions.admin;
      const first = await fetch(`${h.base}/api/imports?name=${encodeURIComponent('大文件.csv')}`, {
        method: 'POST',
        headers: {
          cookie: s.cookie,
          'x-csrf-token': s.csrf,
          'content-type': 'text/csv',
          accept: 'application/x-ndjson',
        },
        body: lines.join('\n'),
      });
      expect(first.status).toBe(200);
      const reader = (first.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      // the first progress line: the import has been checked and is now writing
      while (!text.includes('\n')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      expect(JSON.parse(text.split('\n')[0] as string)).toMatchObject({ phase: 'checked' });
      const second = await upload(h, 'customer_id,name\nLATE-1,迟到\n', {
        as: 'manager',
        query: 'name=second.csv',
      });
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe('conflict');
      expect(second.body.error.message).toMatch(/admin is importing 大文件\.csv/);
      // checking a file writes nothing, so it is not refused (on the embedded database it
      // waits for the connection)
      const dry = upload(h, 'customer_id,name\nLATE-1,迟到\n', {
        as: 'manager',
        query: 'dryRun=true&name=second.csv',
      });
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      const last = JSON.parse(text.trim().split('\n').at(-1) as string);
      expect(last.result.counts.customers).toMatchObject({ inserted: 12_000 });
      expect((await dry).status).toBe(200);
      const late = await h.db.query(`SELECT 1 FROM customers WHERE customer_id = 'LATE-1'`);
      expect(late.rows).toEqual([]);
      // the first import has ended: the same file goes through now
      const again = await upload(h, 'customer_id,name\nLATE-1,迟到\n', {
        as: 'manager',
        query: 'name=second.csv',
      });
      expect(again.status).toBe(200);
    });

    test('issue 8 §9: the import route takes a file over 1 MiB up to 50 MiB (413 above); other routes keep their limit and refuse CSV and XLSX bodies', async () => {
      const big = `客户编号,客户名称\n${'X-0,名字\n'.repeat(200_000)}`;
      expect(Buffer.byteLength(big)).toBeGreaterThan(2 * 1024 * 1024);
      const dry = await upload(h, big, { query: 'dryRun=true&name=big.csv' });
      expect(dry.status, dry.text.slice(0, 300)).toBe(200);
      expect(dry.body.rows).toBe(200_000);
      const json = await h.call('POST', '/api/customers', {
        as: 'admin',
        raw: JSON.stringify({ customerId: 'J1', name: 'x'.repeat(2 * 1024 * 1024) }),
      });
      expect(json.status).toBe(413);

      const before = await tableCounts(h);
      const over = await upload(h, new Uint8Array(50 * 1024 * 1024 + 1).fill(0x41), {
        query: 'name=huge.csv',
      });
      expect(over.status).toBe(413);
      expect(over.body.error.code).toBe('payload_too_large');
      expect(await tableCounts(h)).toEqual(before);

      for (const type of ['text/csv', XLSX]) {
        const res = await h.call('POST', '/api/customers', {
          as: 'admin',
          raw: 'customerId,name\nC1,x',
          headers: { 'content-type': type },
        });
        expect(res.status, type).toBe(415);
        expect(res.body.error.code).toBe('unsupported_media_type');
      }
      expect(await tableCounts(h)).toEqual(before);
    });

    test('issue 8 §9: the OpenAPI document describes both body types and both answers', async () => {
      const doc = (await h.call('GET', '/api/openapi.json')).body;
      const op = doc.paths['/api/imports'].post;
      expect(Object.keys(op.requestBody.content)).toEqual(['text/csv', 'application/csv', XLSX]);
      expect(Object.keys(op.responses['200'].content)).toEqual([
        'application/json',
        'application/x-ndjson',
      ]);
      const names = op.parameters.map((p: { name: string }) => p.name);
      expect(names).toEqual(['dryRun', 'kind', 'name', 'map', 'skipInvalid', 'timeZone']);
      expect(op.responses['422'].description).toMatch(/invalid_rows/);
      expect(op.responses['413'].description).toMatch(/50 MiB/);
      expect(op.description).toMatch(/imports:write/);
    });
  });
}
