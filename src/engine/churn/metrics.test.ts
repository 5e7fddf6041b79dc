import { describe, expect, test } from 'vitest';
import { brierScore, churnMetrics, decileTable, prAuc, rocAuc } from './metrics.js';

describe('backtest metrics (issue 6 §3)', () => {
  test('ROC AUC is 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties', () => {
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
  });

  test('ROC AUC counts pairs: 3 of 4 churner–stayer pairs ordered right is 0.75', () => {
    // churners at 0.8 and 0.4; stayers at 0.6 and 0.2 → pairs (0.8>0.6, 0.8>0.2, 0.4<0.6, 0.4>0.2)
    expect(rocAuc([0.8, 0.6, 0.4, 0.2], [1, 0, 1, 0])).toBe(0.75);
  });

  test('average precision: churners at ranks 1 and 3 give (1 + 2/3) / 2', () => {
    expect(prAuc([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo((1 + 2 / 3) / 2, 12);
  });

  test('Brier score is the mean squared error of the probabilities', () => {
    expect(brierScore([1, 0, 0.5], [1, 1, 0])).toBeCloseTo((0 + 1 + 0.25) / 3, 12);
  });

  test('deciles: lift and capture of a score that puts all churners first', () => {
    const p = Array.from({ length: 100 }, (_, i) => 1 - i / 100);
    const y = p.map((_, i) => (i < 10 ? 1 : 0));
    const d = decileTable(p, y);
    expect(d).toHaveLength(10);
    expect(d[0]).toMatchObject({ decile: 1, customers: 10, churned: 10, observed: 1, capture: 1 });
    expect(d[0].lift).toBeCloseTo(10, 12);
    expect(d[9].capture).toBe(1);
    const m = churnMetrics(p, y);
    expect(m.topDecileLift).toBeCloseTo(10, 12);
    expect(m.rocAuc).toBe(1);
    expect(m.baseRate).toBe(0.1);
  });
});
