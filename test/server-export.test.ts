/**
 * Issue 8 §2 "export of the filtered list", over real HTTP on both backends: a CSV or XLSX file
 * of GET /api/customers/export holds exactly the rows and values the list returns for the same
 * filters and sort (paged through), scoped to an agent's own customers, masked for an analyst,
 * audited once per export; a bad filter is a 400 naming the field. Files are read back with the
 * project's own readers (src/ingest), so the round trip is the one a re-import would take.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CsvParser } from '../src/ingest/csv-reader.js';
import { type CsvRecord, readXlsxRows } from '../src/ingest/index.js';
import type { Role } from '../src/store/access.js';
import { BACKENDS } from './backends.js';
import { type Harness, startHarness } from './server-helpers.js';

interface Item {
  customerId: string;
  name: string | null;
  phones: string[];
  emails: string[];
  province: string | null;
  city: string | null;
  ownerId: string | null;
  current: {
    stage: string | null;
    tier: string | null;
    rfmSegment: string | null;
    clvMinor: number | null;
    churnRisk: number | null;
    warningLevel: string | null;
  };
}

const PROVINCES = ['广东省', '浙江省', '上海市'];
const TIERS = ['platinum', 'gold', 'iron', 'lead'];

async function seed(h: Harness) {
  // 60 customers: owners S1/S2/none, three provinces, names that need CSV quoting
  await h.db.query(
    `INSERT INTO customers (customer_id, name, phones, emails, province, city, owner_id)
     SELECT 'C' || lpad(i::text, 3, '0'),
            CASE WHEN i % 10 = 0 THEN '王, "小明" ' || i WHEN i % 7 = 0 THEN 'Line ' || i || E'\\nbreak'
                 ELSE '客户' || i END,
            ARRAY['138' || lpad(i::text, 8, '0')],
            CASE WHEN i % 2 = 0 THEN ARRAY['c' || i || '@example.com'] ELSE ARRAY[]::text[] END,
            ($1::text[])[1 + i % 3], '市' || (i % 5), CASE i % 3 WHEN 0 THEN 'S1' WHEN 1 THEN 'S2' END
     FROM generate_series(1, 60) i`,
    [PROVINCES],
  );
  await h.db.query(
    `INSERT INTO score_snapshots (customer_id, as_of, model, clv_minor, tier, rfm_segment, churn_risk, warning_level)
     SELECT 'C' || lpad(i::text, 3, '0'), '2026-06-30', 'bgnbd', (i * 7919) % 100000 + 1,
            ($1::text[])[1 + i % 4], CASE WHEN i % 2 = 0 THEN 'champions' ELSE 'at_risk' END,
            (i % 10) / 10.0, CASE WHEN i % 10 >= 8 THEN 'red' WHEN i % 10 >= 6 THEN 'yellow' END
     FROM generate_series(1, 55) i`,
    [TIERS],
  );
}

/** Every item of the list for `qs`, paged through with a small page size. */
async function listAll(h: Harness, as: Role, qs: string): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | null = null;
  do {
    const q = `${qs}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await h.call('GET', `/api/customers?${q}`, { as });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

async function download(h: Harness, as: Role, qs: string) {
  return fetch(`${h.base}/api/customers/export?${qs}`, {
    headers: { cookie: h.sessions[as].cookie },
  });
}

/** The list's items as the export's cells (all columns, in the order of EXPORT_COLUMNS). */
function expectedRow(c: Item): string[] {
  const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return [
    c.customerId,
    s(c.name),
    c.phones.join(' '),
    c.emails.join(' '),
    s(c.province),
    s(c.city),
    s(c.current.stage),
    s(c.current.tier),
    s(c.current.rfmSegment),
    c.current.clvMinor === null ? '' : String(c.current.clvMinor / 100),
    s(c.current.churnRisk),
    s(c.current.warningLevel),
    s(c.ownerId),
  ];
}

const HEADER_ZH = [
  '客户编号',
  '姓名',
  '手机',
  '邮箱',
  '省份',
  '城市',
  '阶段',
  '等级',
  'RFM 细分',
  'CLV (¥)',
  '流失概率',
  '预警等级',
  '客户经理',
];

function parseCsv(text: string): string[][] {
  const parser = new CsvParser(',', 'export.csv');
  const out: CsvRecord[] = [];
  parser.push(text, out);
  parser.end('', out);
  return out.map((r) => r.fields);
}

async function readXlsx(bytes: ArrayBuffer): Promise<string[][]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tenure-export-'));
  const file = path.join(dir, 'export.xlsx');
  try {
    writeFileSync(file, Buffer.from(bytes));
    const rows: string[][] = [];
    for await (const batch of readXlsxRows(file)) {
      for (const r of batch) {
        const cells = r.cells.map((v) => (v === null || v === undefined ? '' : String(v)));
        while (cells.length < HEADER_ZH.length) cells.push('');
        rows.push(cells);
      }
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function exportAudits(h: Harness) {
  const { rows } = await h.db.query<{ actor: string; details: Record<string, unknown> }>(
    `SELECT actor, details FROM audit_log WHERE action = 'customer.export' ORDER BY audit_id`,
  );
  return rows;
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`customer export on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
      await seed(h);
    });
    afterAll(async () => {
      await h?.close();
    });

    test.each([
      { title: 'all customers by id', qs: 'sort=id' },
      {
        title: 'one province by CLV, highest first',
        qs: `province=${encodeURIComponent('广东省')}&sort=-clv`,
      },
      { title: 'a tier and a warning level by risk', qs: 'tier=gold&sort=-risk' },
      { title: 'an RFM segment by name', qs: 'rfm=champions&sort=name' },
      { title: 'a search by Chinese name', qs: `q=${encodeURIComponent('客户1')}` },
    ])(
      'issue 8 §2: CSV and XLSX of "$title" hold exactly the list’s rows and values',
      async ({ qs }) => {
        const items = await listAll(h, 'manager', qs);
        expect(items.length).toBeGreaterThan(0);
        const want = [HEADER_ZH, ...items.map(expectedRow)];

        const csv = await download(h, 'manager', `${qs}&format=csv`);
        expect(csv.status).toBe(200);
        expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
        expect(csv.headers.get('content-disposition')).toMatch(
          /^attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"$/,
        );
        const bytes = new Uint8Array(await csv.arrayBuffer());
        expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for Excel
        const text = new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes);
        expect(text.split('\r\n')).toHaveLength(want.length + 1); // CRLF after every record
        expect(parseCsv(text)).toEqual(want);

        const xlsx = await download(h, 'manager', `${qs}&format=xlsx`);
        expect(xlsx.status).toBe(200);
        expect(xlsx.headers.get('content-type')).toBe(
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        );
        expect(await readXlsx(await xlsx.arrayBuffer())).toEqual(want);
      },
    );

    test('the region filter takes a province with or without its suffix (广东 = 广东省)', async () => {
      const full = await listAll(h, 'manager', `province=${encodeURIComponent('广东省')}`);
      const short = await listAll(h, 'manager', `province=${encodeURIComponent('广东')}`);
      expect(full.length).toBeGreaterThan(0);
      expect(short).toEqual(full);
      expect(await listAll(h, 'manager', `province=${encodeURIComponent('广')}`)).toEqual([]);
    });

    test('issue 8 §2: the columns parameter picks and orders the columns; lang=en names them in English', async () => {
      const items = await listAll(h, 'admin', 'owner=S2');
      const res = await download(h, 'admin', 'owner=S2&format=csv&columns=owner,id,region&lang=en');
      expect(parseCsv(await res.text())).toEqual([
        ['Owner', 'Customer ID', 'Province', 'City'],
        ...items.map((c) => [c.ownerId ?? '', c.customerId, c.province ?? '', c.city ?? '']),
      ]);
    });

    test('issue 7 §2 / issue 8 §2: an agent’s export holds only their own customers', async () => {
      const rows = parseCsv(await (await download(h, 'agent', 'format=csv')).text()).slice(1);
      const own = await h.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM customers WHERE owner_id = 'S1'`,
      );
      expect(rows).toHaveLength(own.rows[0].n);
      expect(new Set(rows.map((r) => r[12]))).toEqual(new Set(['S1']));
      // asking for another owner's customers finds none, not theirs
      const other = await readXlsx(
        await (await download(h, 'agent', 'format=xlsx&owner=S2')).arrayBuffer(),
      );
      expect(other).toEqual([HEADER_ZH]);
    });

    test('issue 7 §2 / issue 8 §2: an analyst’s export is masked like the list', async () => {
      const items = await listAll(h, 'analyst', 'sort=id');
      const rows = parseCsv(await (await download(h, 'analyst', 'format=csv&sort=id')).text());
      expect(rows.slice(1)).toEqual(items.map(expectedRow));
      const names = rows.slice(1).map((r) => r[1]);
      expect(names.every((n) => /^.\*+$/su.test(n))).toBe(true);
      expect(rows.slice(1).every((r) => /^\d{3}\*{4}\d{4}$/.test(r[2]))).toBe(true);
      expect(rows.slice(1).some((r) => r[3] !== '' && !/^c\*\*\*@example\.com$/.test(r[3]))).toBe(
        false,
      );
    });

    test('issue 7 §3 / issue 8 §2: each export writes one audit row with who, the filters and the row count', async () => {
      const before = (await exportAudits(h)).length;
      const res = await download(h, 'manager', `format=xlsx&tier=gold&sort=-clv&columns=id,name`);
      await res.arrayBuffer();
      const audits = await exportAudits(h);
      expect(audits).toHaveLength(before + 1);
      const gold = await h.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM score_snapshots WHERE tier = 'gold'`,
      );
      expect(audits[audits.length - 1]).toEqual({
        actor: 'manager',
        details: {
          filters: { tier: 'gold', sort: 'clv', desc: true, model: 'relationship' },
          format: 'xlsx',
          columns: ['id', 'name'],
          rows: gold.rows[0].n,
          complete: true,
          masked: false,
        },
      });
      // and, committed before the first byte went out, the start of the read
      const { rows: starts } = await h.db.query<{ details: Record<string, unknown> }>(
        `SELECT details FROM audit_log WHERE action = 'customer.export.start' ORDER BY audit_id DESC LIMIT 1`,
      );
      expect(starts[0].details).toEqual({
        filters: { tier: 'gold', sort: 'clv', desc: true, model: 'relationship' },
        format: 'xlsx',
        columns: ['id', 'name'],
        masked: false,
      });
    });

    test.each([
      { title: 'an unknown format', qs: 'format=pdf', path: 'query.format' },
      { title: 'no format', qs: 'tier=gold', path: 'query.format' },
      { title: 'an unknown sort', qs: 'format=csv&sort=phone', path: 'query.sort' },
      { title: 'an unknown column', qs: 'format=csv&columns=id,salary', path: 'query.columns.1' },
      {
        title: 'an over-long filter',
        qs: `format=csv&stage=${'x'.repeat(51)}`,
        path: 'query.stage',
      },
    ])(
      'issue 8 §2: $title is 400 invalid_input naming $path, and nothing is audited',
      async ({ qs, path: field }) => {
        const before = (await exportAudits(h)).length;
        const res = await h.call('GET', `/api/customers/export?${qs}`, { as: 'manager' });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_input');
        expect(res.body.error.message).toMatch(new RegExp(`^At ${field.replaceAll('.', '\\.')}: `));
        expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([field]);
        expect(await exportAudits(h)).toHaveLength(before);
      },
    );

    test('issue 8 §2: an unknown filter is 422 unknown_field; without a session 401', async () => {
      const res = await h.call('GET', '/api/customers/export?format=csv&colour=red', {
        as: 'manager',
      });
      expect(res.status).toBe(422);
      expect(res.body.error.details.fields).toEqual(['query.colour']);
      expect((await h.call('GET', '/api/customers/export?format=csv')).status).toBe(401);
    });

    test('issue 8 §2: a download cancelled part-way closes the cursor and is audited as incomplete', async () => {
      // 18 MB of CSV: more than the socket buffers hold, so the server is still writing
      await h.db.query(
        `INSERT INTO customers (customer_id, name, phones, province)
         SELECT 'X' || lpad(i::text, 6, '0'), repeat('名', 1000) || i, ARRAY['139' || lpad(i::text, 8, '0')], '海南省'
         FROM generate_series(1, 6000) i`,
      );
      try {
        const before = (await exportAudits(h)).length;
        const controller = new AbortController();
        const res = await fetch(
          `${h.base}/api/customers/export?format=csv&province=${encodeURIComponent('海南省')}`,
          {
            headers: { cookie: h.sessions.admin.cookie },
            signal: controller.signal,
          },
        );
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        await reader.read();
        controller.abort();
        await expect
          .poll(async () => (await exportAudits(h)).length, { timeout: 10_000 })
          .toBe(before + 1);
        const last = (await exportAudits(h)).at(-1)?.details;
        expect(last?.complete).toBe(false);
        expect(last?.rows).toBeLessThan(6000);
        // the database answers again (the embedded one has a single connection)
        expect((await h.call('GET', '/api/customers?limit=1', { as: 'admin' })).status).toBe(200);
      } finally {
        await h.db.query(`DELETE FROM customers WHERE customer_id LIKE 'X%'`);
      }
    });
  });
}
