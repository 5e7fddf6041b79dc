/**
 * Issue 2 "Done means": the demo loads; importing its exported CSVs into an empty database
 * gives the same row counts; importing them again changes nothing. On every backend, for the
 * retail and the telecom business.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import { exportDemoCsv } from '../src/cli/demo-export.js';
import { type DemoOptions, generateDemo } from '../src/engine/demo/index.js';
import { importFiles } from '../src/ingest/index.js';
import { tableCounts } from '../src/store/import-repo.js';
import { BACKENDS } from './backends.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cases: { industry: DemoOptions['industry']; customers: number }[] = [
  { industry: 'retail', customers: 600 },
  { industry: 'telecom', customers: 400 },
];

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`the demo business on ${backend.name}`, () => {
    test.each(cases)(
      'issue 2: the $industry demo loads, re-loads without change, and its CSV export imports to the same counts',
      async ({ industry, customers }) => {
        const options: DemoOptions = {
          customers,
          years: 3,
          seed: 7,
          industry,
          asOf: new Date('2026-06-30T00:00:00Z'),
        };
        const a = await backend.fresh();
        const b = await backend.fresh();
        try {
          const loaded = await loadDemo(a.db, options);
          const counts = loaded.tables;
          expect(counts.customers).toBe(customers);
          expect(counts.transactions).toBeGreaterThan(customers);
          expect(counts.transaction_lines).toBeGreaterThan(counts.transactions);
          expect(counts.interactions).toBeGreaterThan(0);
          if (industry === 'telecom') expect(counts.subscriptions).toBeGreaterThan(0);
          const truth = await a.db.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM demo_truth',
          );
          expect(truth.rows[0].n).toBe(customers);

          const reloaded = await loadDemo(a.db, options);
          expect(reloaded.replacedPrevious).toBe(false);
          expect(reloaded.counts.customers.unchanged).toBe(customers);
          expect(reloaded.counts.transactions.inserted + reloaded.counts.transactions.updated).toBe(
            0,
          );
          expect(reloaded.tables).toEqual(counts);

          const dir = mkdtempSync(path.join(os.tmpdir(), 'tenure-demo-'));
          dirs.push(dir);
          await exportDemoCsv(generateDemo(options), dir);
          const files = readdirSync(dir).map((f) => path.join(dir, f));
          const first = await importFiles(b.db, files, { strict: true });
          expect(first.problemCount).toBe(0);
          expect(await tableCounts(b.db)).toEqual(counts);
          const sums = `SELECT sum(amount_minor)::bigint AS s, count(DISTINCT customer_id)::int AS c FROM transactions`;
          expect((await b.db.query(sums)).rows).toEqual((await a.db.query(sums)).rows);

          const again = await importFiles(b.db, files, { strict: true });
          for (const kind of [
            'customers',
            'products',
            'transactions',
            'transactionLines',
            'interactions',
            'subscriptions',
          ] as const) {
            expect(again.counts[kind].inserted + again.counts[kind].updated, kind).toBe(0);
          }
          expect(await tableCounts(b.db)).toEqual(counts);
        } finally {
          await a.drop();
          await b.drop();
        }
      },
      180_000,
    );
  });
}
