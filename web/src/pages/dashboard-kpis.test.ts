import { describe, expect, test } from 'vitest';
import type { Dashboard } from '../api/hooks.js';
import { annualChurn, dashboardKpis, valueAtRisk } from './dashboard-kpis.js';

const month = (date: string, active: number, churned: number, prospect = 10) => ({
  date,
  stages: { prospect, exploration: active / 2, stability: active / 2, churned },
});

function dashboard(dates: Dashboard['stageMix']['dates']): Dashboard {
  return {
    asOf: dates[dates.length - 1]?.date ?? null,
    kpis: {
      customers: 1000,
      buyers: 800,
      orders: 5000,
      revenueMinor: 9_000_000,
      revenueLast365Minor: 3_000_000,
      aovMinor: 1800,
      totalClvMinor: 1_600_000,
      expectedActive: 500,
    },
    stageMix: { model: 'relationship', dates },
    tiers: [],
    pareto: [],
    cohorts: [
      { cohort: '2026-05', size: 40, active: [40] },
      { cohort: '2026-06', size: 50, active: [50] },
    ],
    atRisk: [],
    breakdowns: {},
  };
}

describe('dashboard KPIs from the stage mix (issue 8; seed 000: lifetime = 1 / churn rate)', () => {
  test('a year of history: churn is the share of last year’s active customers now churned', () => {
    const dates = [month('2025-06-30', 500, 100)];
    for (let m = 7; m <= 12; m++)
      dates.push(month(`2025-${String(m).padStart(2, '0')}-28`, 480, 120));
    for (let m = 1; m <= 6; m++) dates.push(month(`2026-0${m}-28`, 450, 200));
    dates[dates.length - 1].date = '2026-06-30';
    // 100 more churned over the year out of 500 active a year ago
    expect(annualChurn(dates, dates.length - 1)).toBeCloseTo(0.2, 10);
    const k = dashboardKpis(dashboard(dates));
    expect(k.churnRate.value).toBeCloseTo(0.2, 10);
    expect(k.retentionRate.value).toBeCloseTo(0.8, 10);
    expect(k.groupLifetimeYears.value).toBeCloseTo(5, 10); // seed 000: 20 % a year → 5 years
    expect(k.active).toEqual({ value: 450, previous: 450 });
    expect(k.newThisMonth).toEqual({ value: 50, previous: 40 });
    expect(k.avgClvMinor.value).toBe(2000);
  });

  test('half a year of history is annualised: 1 − (1 − r)^(365/span)', () => {
    const dates = [month('2026-01-01', 400, 0), month('2026-07-02', 300, 100)];
    const r = 100 / 400;
    const span = (Date.parse('2026-07-02') - Date.parse('2026-01-01')) / 86_400_000;
    expect(annualChurn(dates, 1)).toBeCloseTo(1 - (1 - r) ** (365 / span), 10);
  });

  test('one analysis date gives no churn rate rather than a made-up one', () => {
    const k = dashboardKpis(dashboard([month('2026-06-30', 450, 200)]));
    expect(k.churnRate.value).toBeNull();
    expect(k.groupLifetimeYears.value).toBeNull();
    expect(k.customers.previous).toBeNull();
  });

  test('value at risk is CLV × churn risk, or × (1 − P(alive)) without a churn score', () => {
    const base = { customerId: 'C1', name: null, stage: null, warningLevel: null };
    expect(valueAtRisk({ ...base, clvMinor: 10_000, churnRisk: 0.3, pAlive: 0.9 })).toBe(3000);
    expect(valueAtRisk({ ...base, clvMinor: 10_000, churnRisk: null, pAlive: 0.25 })).toBe(7500);
    expect(valueAtRisk({ ...base, clvMinor: -500, churnRisk: 0.5, pAlive: null })).toBe(0);
  });
});
