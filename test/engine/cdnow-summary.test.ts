/**
 * The transaction → summary step rebuilds the published CDNOW calibration summary from the raw
 * transactions (datasets/cdnow/README.md "How the published summary is rebuilt").
 */
import { describe, expect, test } from 'vitest';
import {
  bgNbdConditionalExpectedPurchases,
  compressRfm,
  createSummaryAccumulator,
  cumulativeSum,
  expectedCumulativeRepeats,
  fitBgNbd,
  holdoutReport,
} from '../../src/engine/index.js';
import { loadCdnowSampleEvents, loadCdnowSummary } from './cdnow.js';

const calibrationEnd = new Date(Date.UTC(1997, 8, 30));
const holdoutEnd = new Date(Date.UTC(1998, 5, 30));

function summarise(events = loadCdnowSampleEvents()) {
  const acc = createSummaryAccumulator({ calibrationEnd, holdoutEnd, unit: 'week' });
  for (const e of events) acc.add(e.customerId, e.occurredAt, e.amountMinor);
  return acc.finish();
}

describe('CDNOW summary from transactions', () => {
  const published = loadCdnowSummary();
  const summary = summarise();
  const byId = new Map(summary.customerIds.map((id, i) => [String(Number(id)), i]));

  test('rebuilds every customer’s frequency exactly and recency, T and mean repeat spend to rounding', () => {
    expect(summary.customerIds.length).toBe(2357);
    let worstTime = 0;
    let worstSpend = 0;
    published.id.forEach((id, k) => {
      const i = byId.get(id) as number;
      expect(summary.x[i]).toBe(published.x[k]);
      worstTime = Math.max(
        worstTime,
        Math.abs(summary.tx[i] - published.tx[k]),
        Math.abs(summary.T[i] - published.T[k]),
      );
      worstSpend = Math.max(
        worstSpend,
        Math.abs(summary.meanRepeatSpendMinor[i] / 100 - published.zbar[k]),
      );
    });
    expect(worstTime).toBeLessThanOrEqual(0.0043);
    expect(worstSpend).toBeLessThanOrEqual(0.005 + 1e-9);
  });

  test('counts the 1,882 repeat purchase days of the 39-week holdout', () => {
    const total = summary.holdoutPurchases.reduce((a, b) => a + b, 0);
    expect(total).toBe(1882);
  });

  test('gives the same summary whatever order the events arrive in', () => {
    const reversed = summarise(loadCdnowSampleEvents().reverse());
    expect(Array.from(reversed.x)).toEqual(Array.from(summary.x));
    expect(Array.from(reversed.meanRepeatSpendMinor)).toEqual(
      Array.from(summary.meanRepeatSpendMinor),
    );
  });

  test('BG/NBD holdout report: predictions track actual purchases by calibration frequency', () => {
    const fit = fitBgNbd(compressRfm(summary.x, summary.tx, summary.T).rows);
    const predicted = Array.from(summary.x, (x, i) =>
      bgNbdConditionalExpectedPurchases(fit.params, 39, x, summary.tx[i], summary.T[i]),
    );
    const report = holdoutReport(predicted, summary.holdoutPurchases, summary.x);
    expect(report.totalActual).toBe(1882);
    // BG/NBD under-predicts the CDNOW holdout by about 12 % in total (1,653 vs 1,882).
    expect(report.totalPredicted / report.totalActual).toBeGreaterThan(0.85);
    expect(report.totalPredicted / report.totalActual).toBeLessThan(1.15);
    expect(report.correlation).toBeGreaterThan(0.5);
    expect(report.byFrequency.map((g) => g.label)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7+',
    ]);
    expect(report.byFrequency[0].customers).toBe(1411);
    // Zero-repeaters buy least in the holdout, heavy repeaters most, in data and in prediction.
    expect(report.byFrequency[0].meanActual).toBeLessThan(report.byFrequency[7].meanActual);
    expect(report.byFrequency[0].meanPredicted).toBeLessThan(report.byFrequency[7].meanPredicted);
  });

  test('the tracking plot: expected cumulative repeat purchases end within 10 % of actual at week 78', () => {
    const fit = fitBgNbd(compressRfm(summary.x, summary.tx, summary.T).rows);
    const actual = cumulativeSum(summary.repeatPurchasesPerPeriod);
    const weeks = Array.from(actual, (_, k) => k + 1);
    const expected = expectedCumulativeRepeats(
      { kind: 'bg-nbd', params: fit.params },
      summary.firstPurchaseAt,
      weeks,
    );
    const last = actual.length - 1;
    expect(Math.abs(expected[last] / actual[last] - 1)).toBeLessThan(0.1);
  });
});
