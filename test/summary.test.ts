/**
 * Issue 3 §1: customer summaries computed in SQL inside the database equal the engine's
 * streaming path on the same transactions, and rebuild the published CDNOW summary.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSummaryAccumulator } from '../src/engine/index.js';
import type { Db } from '../src/store/db.js';
import { ImportBatch } from '../src/store/import-repo.js';
import { loadSummaries } from '../src/store/summary-repo.js';
import { BACKENDS } from './backends.js';
import { CDNOW_DIR, readCdnowSample } from './cdnow.js';

const purchases = readCdnowSample();
const query = {
  calibrationEnd: new Date('1997-09-30T00:00:00Z'),
  holdoutEnd: new Date('1998-06-30T00:00:00Z'),
  unit: 'week' as const,
};

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`summaries in SQL on ${backend.name}`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.fresh());
      await db.transaction(async (tx) => {
        const batch = new ImportBatch(tx);
        let line = 0;
        for (const p of purchases) {
          await batch.add(
            {
              kind: 'transactions',
              record: {
                transactionId: null,
                customerId: p.customerId,
                occurredAt: p.occurredAt,
                amountMinor: p.amountMinor,
                currency: 'USD',
                costMinor: null,
                channel: null,
                status: 'completed',
                sku: null,
                quantity: null,
                unitPriceMinor: null,
              },
            },
            'CDNOW_sample.txt',
            ++line,
          );
        }
        await batch.finish({ strict: false });
      });
    });
    afterAll(async () => drop?.());

    test('issue 3 §1: the SQL summary equals the streaming (CSV) path number for number', async () => {
      const sql = await loadSummaries(db, query);
      const acc = createSummaryAccumulator(query);
      for (const p of purchases) acc.add(p.customerId, p.occurredAt, p.amountMinor);
      const stream = acc.finish();
      expect(sql.customerIds).toEqual(stream.customerIds);
      expect(Array.from(sql.x)).toEqual(Array.from(stream.x));
      expect(Array.from(sql.holdoutPurchases)).toEqual(Array.from(stream.holdoutPurchases));
      expect(Array.from(sql.holdoutSpendMinor)).toEqual(Array.from(stream.holdoutSpendMinor));
      for (let i = 0; i < sql.customerIds.length; i++) {
        expect(sql.tx[i]).toBeCloseTo(stream.tx[i], 12);
        expect(sql.T[i]).toBeCloseTo(stream.T[i], 12);
        expect(sql.meanRepeatSpendMinor[i]).toBeCloseTo(stream.meanRepeatSpendMinor[i], 9);
      }
    });

    test('issue 3 §1: the SQL summary rebuilds the published CDNOW calibration summary', async () => {
      const sql = await loadSummaries(db, query);
      const published = readFileSync(path.join(CDNOW_DIR, 'cdnow_customers_summary.csv'), 'utf8')
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((l) => l.split(',').map(Number));
      expect(sql.customerIds).toHaveLength(2357);
      let repeats = 0;
      for (const [id, frequency, recency, T] of published) {
        const i = id - 1;
        expect(sql.customerIds[i]).toBe(String(id).padStart(4, '0'));
        expect(sql.x[i]).toBe(frequency);
        expect(Math.abs(sql.tx[i] - recency)).toBeLessThan(0.005);
        expect(Math.abs(sql.T[i] - T)).toBeLessThan(0.005);
        repeats += frequency;
      }
      expect(repeats).toBe(2457);
      expect(sql.holdoutPurchases.reduce((a, b) => a + b, 0)).toBe(1882);
    });
  });
}
