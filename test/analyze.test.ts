/**
 * Issue 3 §5 and "Done means": `tenure analyze` on the demo writes a score snapshot for every
 * customer, on every backend, and re-running it for the same date changes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import type { Db } from '../src/store/db.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';
import { BACKENDS } from './backends.js';

const asOf = new Date('2026-06-30T00:00:00Z');
const SNAPSHOT = `SELECT customer_id, model, p_alive, expected_purchases, expected_spend_minor, clv_minor, historical
                  FROM score_snapshots WHERE as_of = '2026-06-30' ORDER BY customer_id`;

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`tenure analyze on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.fresh());
      await loadDemo(db, { customers: 1500, years: 3, seed: 5, industry: 'retail', asOf });
    });
    afterAll(async () => drop?.());

    test('issue 3: every customer gets a snapshot with P(alive), expected purchases and CLV (negative only for loss-making customers); prospects get zero', async () => {
      const report = await runValueAnalysis(db, { asOf });
      expect(report.fit?.converged).toBe(true);
      expect(report.customers).toBe(1500);
      const { rows } = await db.query<{
        n: number;
        buyers: number;
        bad: number;
        prospects: number;
      }>(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE p_alive BETWEEN 0 AND 1 AND expected_purchases >= 0)::int AS buyers,
                count(*) FILTER (WHERE p_alive IS NOT NULL AND (clv_minor IS NULL
                  OR (clv_minor < 0 AND (historical->>'marginMinor')::bigint >= 0)))::int AS bad,
                count(*) FILTER (WHERE p_alive IS NULL AND clv_minor = 0 AND expected_purchases = 0)::int AS prospects
         FROM score_snapshots WHERE as_of = '2026-06-30'`,
      );
      expect(rows[0].n).toBe(1500);
      expect(rows[0].bad).toBe(0);
      expect(rows[0].buyers + rows[0].prospects).toBe(1500);
      expect(rows[0].prospects).toBe(report.prospects);
      const fits = await db.query<{ model: string; chosen: boolean }>(
        `SELECT model, chosen FROM model_fits WHERE as_of = '2026-06-30' AND chosen`,
      );
      expect(fits.rows).toEqual([{ model: report.chosen, chosen: true }]);
    });

    test('issue 3: re-running the analysis for the same date replaces the snapshot with identical numbers', async () => {
      const before = await db.query(SNAPSHOT);
      await runValueAnalysis(db, { asOf });
      const after = await db.query(SNAPSHOT);
      expect(after.rows).toHaveLength(1500);
      expect(after.rows).toEqual(before.rows);
    });
  });
}

describe('tenure analyze on an empty database', () => {
  test('issue 3: with no purchases yet it says there is nothing to fit, and writes an empty snapshot', async () => {
    const { db, drop } = await BACKENDS[0].fresh();
    try {
      const report = await runValueAnalysis(db, { asOf });
      expect(report.customers).toBe(0);
      expect(report.fit).toBeNull();
      expect(report.notes.join(' ')).toContain('no predictions were made');
    } finally {
      await drop();
    }
  });
});
