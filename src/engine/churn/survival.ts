/**
 * Churn analysis (issue 6 §5): who churns, when and why.
 *
 * - Customer lifetime: from the first purchase to churn. A customer has churned when the churn
 *   window passed after their last purchase without another (the same label the model learns);
 *   the lifetime then ends at that last purchase. Otherwise the lifetime is censored at the as-of
 *   date. Survival by Kaplan–Meier (Kaplan & Meier 1958, eq. 2.2; `kaplanMeier` in lifecycle),
 *   median lifetime where the curve reaches one half.
 * - Churn rate per year: churn events ÷ customer-years observed (the exponential rate MLE, Lawless
 *   2003 "Statistical Models and Methods for Lifetime Data", §2.2), and group lifetime =
 *   1 / churn rate (seed 000: churn 20 % a year → 5 years).
 * - Cohort retention (the heatmap data): customers by the month of their first purchase, and the
 *   share of each cohort that bought in each month since.
 */
import { InputError } from '../../errors.js';
import { type KaplanMeierStep, kaplanMeier, kaplanMeierQuantile } from '../lifecycle/index.js';

export interface LifetimeRow {
  /** days from the first purchase to churn (event) or to the as-of date (censored) */
  readonly days: number;
  readonly churned: boolean;
  /** revenue per year while a customer (minor units per year) */
  readonly annualRevenueMinor: number;
}

export interface GroupSurvival {
  readonly group: string;
  readonly customers: number;
  readonly churned: number;
  /** Kaplan–Meier median lifetime in days; null when fewer than half have churned */
  readonly medianDays: number | null;
  /** survival at 1 year and 2 years (null beyond the data) */
  readonly survival1y: number | null;
  readonly survival2y: number | null;
  /** churn events per customer-year */
  readonly churnRatePerYear: number;
  /** 1 / churn rate, in years (seed 000); null without churn */
  readonly groupLifetimeYears: number | null;
  /** yearly revenue of the churned customers: what churn took away, minor units per year */
  readonly valueLostMinorPerYear: number;
  readonly curve: readonly KaplanMeierStep[];
}

function survivalAt(
  curve: readonly KaplanMeierStep[],
  days: number,
  maxDays: number,
): number | null {
  if (days > maxDays) return null;
  let s = 1;
  for (const st of curve) {
    if (st.t > days) break;
    s = st.survival;
  }
  return s;
}

/** Survival, churn rate and group lifetime of one group of customers. */
export function groupSurvival(group: string, rows: readonly LifetimeRow[]): GroupSurvival {
  const days = rows.map((r) => r.days);
  const ended = rows.map((r) => r.churned);
  if (days.some((d) => !(d >= 0))) {
    throw new InputError(`group ${group}: lifetimes must be ≥ 0 days`, { field: 'days' });
  }
  const curve = kaplanMeier(days, ended);
  let events = 0;
  let exposureDays = 0;
  let lost = 0;
  for (const r of rows) {
    // a churner's last day counts: a lifetime of 0 days still had the day of the purchase
    exposureDays += r.days + 1;
    if (r.churned) {
      events++;
      lost += r.annualRevenueMinor;
    }
  }
  const rate = exposureDays > 0 ? events / (exposureDays / 365.25) : 0;
  const maxDays = days.reduce((a, b) => Math.max(a, b), 0);
  return Object.freeze({
    group,
    customers: rows.length,
    churned: events,
    medianDays: kaplanMeierQuantile(curve, 0.5),
    survival1y: survivalAt(curve, 365, maxDays),
    survival2y: survivalAt(curve, 730, maxDays),
    churnRatePerYear: rate,
    groupLifetimeYears: rate > 0 ? 1 / rate : null,
    valueLostMinorPerYear: Math.round(lost),
    curve: Object.freeze(curve),
  });
}

export interface CohortCell {
  /** first-purchase month, YYYY-MM */
  readonly cohort: string;
  /** months since the first purchase month */
  readonly offset: number;
  /** customers of the cohort who bought in that month */
  readonly active: number;
}

export interface CohortRow {
  readonly cohort: string;
  readonly customers: number;
  /** share of the cohort buying in month 0, 1, 2, … (months not yet reached are absent) */
  readonly retention: readonly number[];
}

/**
 * The cohort retention table from per-(cohort, offset) counts and cohort sizes; `lastMonth` is
 * the as-of month (YYYY-MM), so offsets beyond it are not shown as zeros.
 */
export function cohortTable(
  cells: readonly CohortCell[],
  sizes: ReadonlyMap<string, number>,
  lastMonth: string,
): CohortRow[] {
  const monthIndex = (ym: string): number => {
    const m = /^(\d{4})-(\d{2})$/.exec(ym);
    if (!m) throw new InputError(`cohort month: expected YYYY-MM, got "${ym}"`, { value: ym });
    return Number(m[1]) * 12 + Number(m[2]) - 1;
  };
  const last = monthIndex(lastMonth);
  const byCohort = new Map<string, Map<number, number>>();
  for (const c of cells) {
    let m = byCohort.get(c.cohort);
    if (!m) {
      m = new Map();
      byCohort.set(c.cohort, m);
    }
    m.set(c.offset, (m.get(c.offset) ?? 0) + c.active);
  }
  return [...sizes.keys()].sort().map((cohort) => {
    const size = sizes.get(cohort) ?? 0;
    const span = last - monthIndex(cohort);
    const counts = byCohort.get(cohort) ?? new Map<number, number>();
    const retention: number[] = [];
    for (let k = 0; k <= span; k++) retention.push(size > 0 ? (counts.get(k) ?? 0) / size : 0);
    return Object.freeze({ cohort, customers: size, retention: Object.freeze(retention) });
  });
}
