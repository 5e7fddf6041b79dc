import { describe, expect, test } from 'vitest';
import { cohortTable, groupSurvival } from './survival.js';

describe('churn analysis (issue 6 §5)', () => {
  test('group lifetime is 1 / churn rate: 20 % a year gives 5 years (seed 000)', () => {
    // 10 customers each observed one year (365.25 days incl. the day counted), 2 churn
    const rows = Array.from({ length: 10 }, (_, i) => ({
      days: 364.25,
      churned: i < 2,
      annualRevenueMinor: 1000,
    }));
    const g = groupSurvival('all', rows);
    expect(g.churnRatePerYear).toBeCloseTo(0.2, 10);
    expect(g.groupLifetimeYears).toBeCloseTo(5, 10);
    expect(g.valueLostMinorPerYear).toBe(2000);
  });

  test('Kaplan–Meier median lifetime, with censored customers', () => {
    const g = groupSurvival('x', [
      { days: 10, churned: true, annualRevenueMinor: 0 },
      { days: 20, churned: true, annualRevenueMinor: 0 },
      { days: 30, churned: false, annualRevenueMinor: 0 },
      { days: 40, churned: true, annualRevenueMinor: 0 },
    ]);
    // S(10) = 3/4, S(20) = 1/2 → median 20
    expect(g.medianDays).toBe(20);
    expect(g.churned).toBe(3);
  });

  test('no churn: no median, no group lifetime', () => {
    const g = groupSurvival('x', [{ days: 100, churned: false, annualRevenueMinor: 5 }]);
    expect(g.medianDays).toBeNull();
    expect(g.groupLifetimeYears).toBeNull();
  });

  test('cohort table: share of each cohort buying in each month since, up to the as-of month', () => {
    const rows = cohortTable(
      [
        { cohort: '2026-01', offset: 0, active: 4 },
        { cohort: '2026-01', offset: 2, active: 1 },
        { cohort: '2026-02', offset: 0, active: 2 },
      ],
      new Map([
        ['2026-02', 2],
        ['2026-01', 4],
      ]),
      '2026-03',
    );
    expect(rows).toEqual([
      { cohort: '2026-01', customers: 4, retention: [1, 0, 0.25] },
      { cohort: '2026-02', customers: 2, retention: [1, 0] },
    ]);
  });
});
