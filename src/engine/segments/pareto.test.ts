import { describe, expect, test } from 'vitest';
import { paretoAnalysis, paretoCurve } from './pareto.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('Pareto analysis (issue 5.2)', () => {
  test('revenue: the top 20 % make 70 % and 30 % of customers make 80 % of revenue', () => {
    const revenue = [1, 20, 3, 5, 50, 10, 2, 5, 1, 3]; // sorted: 50 20 10 5 5 3 3 2 1 1
    const res = paretoAnalysis(ids(10), revenue);
    expect(res.revenue.total).toBe(100);
    expect(res.revenue.top20Share).toBeCloseTo(0.7, 12);
    expect(res.revenue.customersFor80).toBeCloseTo(0.3, 12);
    expect(res.revenue.points.map((p) => [p.customers, p.value])).toEqual([
      [0, 0],
      [0.1, 0.5],
      [0.2, 0.7],
      [0.3, 0.8],
      [0.4, 0.85],
      [0.5, 0.9],
      [0.6, 0.93],
      [0.7, 0.96],
      [0.8, 0.98],
      [0.9, 0.99],
      [1, 1],
    ]);
    expect(res.profit).toBeNull();
  });

  test('profit (seed 002): the top 20 % make 150 % of profit; cumulative profit peaks at 40 % of customers, 170 %', () => {
    const profit = [-20, 100, 10, -5, 0, 50, -20, 10, -5, -20];
    const res = paretoAnalysis(ids(10), profit.map(Math.abs), profit);
    const p = res.profit!;
    expect(p.total).toBe(100);
    expect(p.top20Share).toBeCloseTo(1.5, 12);
    expect(p.peak).toEqual({ customers: 0.4, value: 1.7 });
    expect(p.points.at(-1)).toEqual({ customers: 1, value: 1 });
    // after the peak the curve turns down: the bottom customers destroy profit
    const after = p.points.filter((q) => q.customers >= 0.4).map((q) => q.value);
    expect(after).toEqual([...after].sort((a, b) => b - a));
  });

  test('the share of customers for 80 % is interpolated inside a customer', () => {
    // 80 % of 100 is reached half way through the second customer (60 + 40 · 0.5)
    expect(paretoCurve([60, 40], ['a', 'b'], 'revenue').customersFor80).toBeCloseTo(0.75, 12);
  });

  test('a total that is not positive gives no shares rather than meaningless ones', () => {
    const c = paretoCurve([10, -30], ['a', 'b'], 'profit');
    expect(c.top20Share).toBeNull();
    expect(c.customersFor80).toBeNull();
    expect(c.peak).toEqual({ customers: 0.5, value: null });
  });

  test('a large base is summarised in at most maxPoints + 1 chart points, ends included', () => {
    const n = 100_000;
    const values = Array.from({ length: n }, (_, i) => (i % 97) + 1);
    const c = paretoCurve(values, ids(n), 'revenue', 100);
    expect(c.points.length).toBeLessThanOrEqual(102);
    expect(c.points[0]).toEqual({ customers: 0, value: 0 });
    expect(c.points.at(-1)?.customers).toBe(1);
    expect(c.points.at(-1)?.value).toBeCloseTo(1, 12);
  });

  test('a missing value is rejected with the customer id', () => {
    expect(() => paretoCurve([1, Number.NaN], ['a', 'b'], 'revenue')).toThrow(
      'customer b revenue: expected a finite number, got NaN',
    );
  });
});
