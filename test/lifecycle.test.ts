/**
 * Issue 4 §2 on the database: stages as of a date for every customer, a history row only where
 * the stage changed, with its reason in zh-CN and English; idempotent per date; and on the
 * demo the churn placement agrees with the ground truth (read here only, never by the rules).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import type { Db } from '../src/store/db.js';
import { lifecycleAccuracy } from '../src/store/demo-repo.js';
import { ImportBatch } from '../src/store/import-repo.js';
import { reevaluateCustomer, runLifecycleAnalysis } from '../src/store/lifecycle-analysis.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';
import { BACKENDS } from './backends.js';

const asOf = new Date('2026-06-30T00:00:00Z');
const later = new Date('2026-09-30T00:00:00Z');
const N = 2000;
const HISTORY = `SELECT customer_id, changed_at, from_stage, to_stage, reason, reason_data
                 FROM stage_history WHERE model_id = 'relationship' ORDER BY customer_id, changed_at`;

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`lifecycle stages on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.fresh());
      await loadDemo(db, { customers: N, years: 3, seed: 3, industry: 'retail', asOf });
      await runValueAnalysis(db, { asOf });
    });
    afterAll(async () => drop?.());

    test('issue 4: every customer gets one stage, each first assignment recorded with its reason in both languages', async () => {
      const report = await runLifecycleAnalysis(db, { asOf });
      const m = report.models[0];
      expect(m.model).toBe('relationship');
      expect(m.customers).toBe(N);
      expect(m.mix.reduce((s, x) => s + x.customers, 0)).toBe(N);
      expect(m.changes).toBe(N);
      const { rows } = await db.query<{ n: number; ok: number }>(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE reason <> '' AND reason_data->>'en' <> '' AND from_stage IS NULL)::int AS ok
         FROM stage_history`,
      );
      expect(rows[0]).toEqual({ n: N, ok: N });
    });

    test('issue 4: re-running the same date leaves the history exactly as it was', async () => {
      const before = await db.query(HISTORY);
      await runLifecycleAnalysis(db, { asOf });
      expect((await db.query(HISTORY)).rows).toEqual(before.rows);
    });

    test('issue 4: a later date adds rows only for customers whose stage changed, each continuing from the previous stage', async () => {
      const report = await runLifecycleAnalysis(db, { asOf: later });
      const changes = report.models[0].changes;
      expect(changes).toBeGreaterThan(0);
      expect(changes).toBeLessThan(N);
      const { rows } = await db.query<{ bad: number; n: number }>(
        `WITH h AS (
           SELECT customer_id, changed_at, from_stage, to_stage,
                  lag(to_stage) OVER (PARTITION BY customer_id ORDER BY changed_at) AS prev
           FROM stage_history WHERE model_id = 'relationship')
         SELECT count(*) FILTER (WHERE from_stage IS DISTINCT FROM prev OR from_stage = to_stage)::int AS bad,
                count(*) FILTER (WHERE changed_at = '2026-09-30')::int AS n
         FROM h`,
      );
      expect(rows[0]).toEqual({ bad: 0, n: changes });
    });

    test('issue 4: analysing an earlier date than the history holds is refused and changes nothing', async () => {
      const before = await db.query(HISTORY);
      await expect(runLifecycleAnalysis(db, { asOf })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('already runs past 2026-06-30'),
      });
      expect((await db.query(HISTORY)).rows).toEqual(before.rows);
    });

    test('issue 4: one customer re-evaluated alone after a new order: a churned customer is won back, the others are untouched', async () => {
      const { rows } = await db.query<{ customer_id: string }>(
        `SELECT customer_id FROM (
           SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
           WHERE model_id = 'relationship' ORDER BY customer_id, changed_at DESC) cur
         WHERE to_stage = 'churned' ORDER BY customer_id LIMIT 1`,
      );
      const id = rows[0].customer_id;
      await db.transaction(async (tx) => {
        const batch = new ImportBatch(tx);
        await batch.add(
          {
            kind: 'transactions',
            record: {
              transactionId: 'WINBACK-1',
              customerId: id,
              occurredAt: new Date('2026-10-15T03:00:00Z'),
              amountMinor: 25_000,
              currency: 'CNY',
              costMinor: null,
              channel: null,
              status: 'completed',
              sku: null,
              quantity: null,
              unitPriceMinor: null,
            },
          },
          'api',
          1,
        );
        await batch.finish({ strict: true });
      });
      const report = await reevaluateCustomer(db, id, new Date('2026-10-31T00:00:00Z'));
      expect(report.models[0]).toMatchObject({ customers: 1, changes: 1 });
      const { rows: added } = await db.query<{
        customer_id: string;
        from_stage: string;
        won: string;
      }>(
        `SELECT customer_id, from_stage, reason_data->>'wonBack' AS won FROM stage_history
         WHERE changed_at = '2026-10-31'`,
      );
      expect(added).toEqual([{ customer_id: id, from_stage: 'churned', won: 'true' }]);
    });

    test('issue 4: on the demo, truly dead customers land in churned or decline (recall ≥ 0.8) and churned ones are truly dead (precision ≥ 0.8)', async () => {
      const r = await lifecycleAccuracy(db, '2026-06-30');
      expect(r.dead).toBeGreaterThan(200);
      expect(r.recall).toBeGreaterThanOrEqual(0.8);
      expect(r.precision).toBeGreaterThanOrEqual(0.8);
    });
  });
}
