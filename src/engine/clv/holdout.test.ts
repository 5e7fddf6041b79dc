import { describe, expect, test } from 'vitest';
import { bgNbdExpectedPurchases } from './bg-nbd.js';
import { cumulativeSum, expectedCumulativeRepeats, holdoutReport } from './holdout.js';

describe('holdout report', () => {
  test('computes MAE, RMSE and correlation, and groups frequencies above 7 together', () => {
    const r = holdoutReport([1, 2, 3, 4], [1, 3, 3, 2], [0, 1, 8, 12]);
    expect(r.mae).toBeCloseTo(0.75, 12);
    expect(r.rmse).toBeCloseTo(Math.sqrt(5 / 4), 12);
    expect(r.byFrequency[7]).toEqual({
      label: '7+',
      customers: 2,
      meanPredicted: 3.5,
      meanActual: 2.5,
    });
    expect(r.byFrequency[3].customers).toBe(0);
    expect(Number.isNaN(r.byFrequency[3].meanActual)).toBe(true);
  });

  test('rejects series of different lengths', () => {
    expect(() => holdoutReport([1], [1, 2], [0])).toThrow(
      'predicted, actual and x must have the same length, got 1, 2 and 1',
    );
  });
});

describe('expected cumulative repeats', () => {
  test('sums each customer’s expected purchases from her own first purchase', () => {
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const got = expectedCumulativeRepeats({ kind: 'bg-nbd', params }, [0, 0, 5], [3, 10]);
    expect(got[0]).toBeCloseTo(2 * bgNbdExpectedPurchases(params, 3), 12);
    expect(got[1]).toBeCloseTo(
      2 * bgNbdExpectedPurchases(params, 10) + bgNbdExpectedPurchases(params, 5),
      12,
    );
    expect(Array.from(cumulativeSum([1, 2, 3]))).toEqual([1, 3, 6]);
  });
});
