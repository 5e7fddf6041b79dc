/**
 * Pareto (80/20) analysis and the profit "whale curve" (Kaplan & Narayanan 2001, "Measuring and
 * managing customer profitability", Journal of Cost Management 15(5), 5–15).
 *
 * Customers are ranked by the measure, highest first (customers with equal values add equal
 * amounts, so the curve never depends on row order). The curve joins (i/n, cumulative measure of the top i / total) for
 * i = 0 … n with straight lines; figures "at 20 % of customers" and "share of customers making
 * 80 % of revenue" are read off that piecewise-linear curve. With negative profits the profit
 * curve rises above 100 %, peaks where the last profitable customer is added and then turns
 * down: the top 20 % can make more than all of the profit (seed 002).
 */
import { InputError } from '../../errors.js';

export interface CurvePoint {
  /** cumulative share of customers, 0 … 1 */
  readonly customers: number;
  /** cumulative share of the total measure (may exceed 1 or go below 0 for profit) */
  readonly value: number;
}

export interface ParetoCurve {
  readonly total: number;
  /** chart points, at most `maxPoints` + 1, always including both ends and the peak */
  readonly points: readonly CurvePoint[];
  /** share of the total made by the top 20 % of customers (null when the total is not > 0) */
  readonly top20Share: number | null;
  /** smallest share of customers making 80 % of the total (null when the total is not > 0) */
  readonly customersFor80: number | null;
  /** where the cumulative curve peaks: share of customers and the share of the total there */
  readonly peak: { readonly customers: number; readonly value: number | null };
}

export interface ParetoResult {
  readonly revenue: ParetoCurve;
  readonly profit: ParetoCurve | null;
}

/** The cumulative share curve of one measure. */
export function paretoCurve(
  values: ArrayLike<number>,
  ids: readonly string[],
  field: string,
  maxPoints = 200,
): ParetoCurve {
  const n = values.length;
  if (ids.length !== n) {
    throw new InputError(
      `${field}: expected one id per value, got ${n} values and ${ids.length} ids`,
      {
        field,
      },
    );
  }
  if (n === 0) {
    throw new InputError(`${field}: no customers to analyse`, { field });
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InputError(
        `customer ${ids[i]} ${field}: expected a finite number, got ${values[i]}`,
        {
          field,
          value: values[i],
        },
      );
    }
  }
  // ascending native sort, read from the top; customers with equal values add equal amounts,
  // so the order among them cannot change the curve
  const sorted = Float64Array.from(values).sort();
  const cum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cum[i + 1] = cum[i] + sorted[n - 1 - i];
  const total = cum[n];
  const ok = total > 0;
  let peakAt = 0;
  for (let i = 1; i <= n; i++) if (cum[i] > cum[peakAt]) peakAt = i;
  const at = (x: number): number => {
    const pos = x * n;
    const i = Math.min(n - 1, Math.floor(pos));
    return (cum[i] + (cum[i + 1] - cum[i]) * (pos - i)) / total;
  };
  let customersFor80: number | null = null;
  if (ok) {
    const target = 0.8 * total;
    for (let i = 1; i <= n; i++) {
      if (cum[i] >= target) {
        customersFor80 = (i - 1 + (target - cum[i - 1]) / (cum[i] - cum[i - 1])) / n;
        break;
      }
    }
  }
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const idx: number[] = [];
  for (let i = 0; i <= n; i += step) idx.push(i);
  if (idx.at(-1) !== n) idx.push(n);
  if (!idx.includes(peakAt)) {
    idx.push(peakAt);
    idx.sort((a, b) => a - b);
  }
  const share = (v: number): number => (total === 0 ? 0 : v / Math.abs(total));
  return Object.freeze({
    total,
    points: Object.freeze(
      idx.map((i) => Object.freeze({ customers: i / n, value: share(cum[i]) })),
    ),
    top20Share: ok ? at(0.2) : null,
    customersFor80,
    peak: Object.freeze({ customers: peakAt / n, value: ok ? cum[peakAt] / total : null }),
  });
}

/**
 * Pareto analysis of revenue and, when given, profit per customer: chart points, the top 20 %'s
 * share, the share of customers making 80 %, and where cumulative profit peaks.
 */
export function paretoAnalysis(
  ids: readonly string[],
  revenue: ArrayLike<number>,
  profit?: ArrayLike<number>,
  maxPoints = 200,
): ParetoResult {
  return Object.freeze({
    revenue: paretoCurve(revenue, ids, 'revenue', maxPoints),
    profit: profit ? paretoCurve(profit, ids, 'profit', maxPoints) : null,
  });
}
