/**
 * The dashboard's KPI cards from GET /api/dashboard: counts by stage over time, cohorts, totals.
 * Pure functions (no UI), tested in dashboard-kpis.test.ts.
 */
import type { Dashboard } from '../api/hooks.js';

export interface KpiValue {
  value: number | null;
  previous: number | null;
}

const NOT_ACTIVE = new Set(['prospect', 'churned', 'potential', 'contact', 'churn', 'termination']);
const CHURNED = new Set(['churned', 'churn', 'termination']);
const DAY = 86_400_000;

function activeAt(stages: Record<string, number>): number {
  return Object.entries(stages).reduce((a, [k, v]) => a + (NOT_ACTIVE.has(k) ? 0 : v), 0);
}
function churnedAt(stages: Record<string, number>): number {
  return Object.entries(stages).reduce((a, [k, v]) => a + (CHURNED.has(k) ? v : 0), 0);
}

/**
 * Net churn over the 12 months before dates[i]: customers who became churned ÷ those active a
 * year earlier, from the stage mix. With less than a year of history the rate over the span is
 * annualised, 1 − (1 − r)^(365/span). Seed 000: group lifetime = 1 / annual churn rate.
 */
export function annualChurn(dates: Dashboard['stageMix']['dates'], i: number): number | null {
  if (i <= 0 || i >= dates.length) return null;
  const t = Date.parse(dates[i].date);
  let j = 0;
  for (let k = i - 1; k >= 0; k--) {
    if (t - Date.parse(dates[k].date) >= 365 * DAY - DAY) {
      j = k;
      break;
    }
  }
  const base = activeAt(dates[j].stages);
  if (base <= 0) return null;
  const r = Math.min(
    1,
    Math.max(0, (churnedAt(dates[i].stages) - churnedAt(dates[j].stages)) / base),
  );
  const span = (t - Date.parse(dates[j].date)) / DAY;
  if (span <= 0) return null;
  return span >= 364 ? r : 1 - (1 - r) ** (365 / span);
}

/** The eight KPI cards with the value one period (one stage-mix date / one cohort) earlier. */
export function dashboardKpis(d: Dashboard): Record<string, KpiValue> {
  const dates = d.stageMix?.dates ?? [];
  const n = dates.length;
  const last = dates[n - 1]?.stages;
  const prev = dates[n - 2]?.stages;
  const sum = (s?: Record<string, number>) =>
    s ? Object.values(s).reduce((a, b) => a + b, 0) : null;
  const cohorts = d.cohorts ?? [];
  const churn = annualChurn(dates, n - 1);
  const churnPrev = annualChurn(dates, n - 2);
  return {
    customers: { value: d.kpis.customers, previous: sum(prev) },
    active: { value: last ? activeAt(last) : null, previous: prev ? activeAt(prev) : null },
    newThisMonth: {
      value: cohorts[cohorts.length - 1]?.size ?? null,
      previous: cohorts[cohorts.length - 2]?.size ?? null,
    },
    churnRate: { value: churn, previous: churnPrev },
    retentionRate: {
      value: churn == null ? null : 1 - churn,
      previous: churnPrev == null ? null : 1 - churnPrev,
    },
    groupLifetimeYears: {
      value: churn ? 1 / churn : null,
      previous: churnPrev ? 1 / churnPrev : null,
    },
    revenueMinor: { value: d.kpis.revenueLast365Minor, previous: null },
    avgClvMinor: {
      value: d.kpis.buyers > 0 ? d.kpis.totalClvMinor / d.kpis.buyers : null,
      previous: null,
    },
  };
}

/** Expected loss if the customer churns: CLV × churn risk (or × (1 − P(alive)) without a churn score). */
export function valueAtRisk(c: Dashboard['atRisk'][number]): number {
  const p = c.churnRisk ?? (c.pAlive == null ? null : 1 - c.pAlive);
  return Math.max(0, (c.clvMinor ?? 0) * (p ?? 0));
}
