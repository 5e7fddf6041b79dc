/**
 * Holdout validation of a purchase model: per-customer predicted against actual purchases in
 * the holdout period (MAE, RMSE, Pearson correlation), the same averaged by calibration
 * frequency x = 0, 1, …, 7+ (Fader, Hardie & Lee 2005, Figure 4: "conditional expectations"),
 * and the cohort's expected cumulative repeat purchases over calendar time for the tracking plot
 * (ibid., Figure 2), which sums each customer's unconditional E[X(t)] from her first purchase.
 */
import { InputError } from '../../errors.js';
import { expectedPurchasesNew, type PurchaseModel } from './purchase-model.js';

export interface FrequencyGroup {
  /** "0" … "6", "7+" */
  readonly label: string;
  readonly customers: number;
  readonly meanPredicted: number;
  readonly meanActual: number;
}

export interface HoldoutReport {
  readonly customers: number;
  readonly mae: number;
  readonly rmse: number;
  readonly correlation: number;
  readonly totalPredicted: number;
  readonly totalActual: number;
  readonly byFrequency: readonly FrequencyGroup[];
}

/** Compare predicted and actual holdout purchases per customer, overall and by calibration frequency. */
export function holdoutReport(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  x: ArrayLike<number>,
  topBucket = 7,
): HoldoutReport {
  const n = predicted.length;
  if (actual.length !== n || x.length !== n) {
    throw new InputError(
      `predicted, actual and x must have the same length, got ${n}, ${actual.length} and ${x.length}`,
      { field: 'actual' },
    );
  }
  if (n === 0) throw new InputError('no customers to validate', { field: 'predicted' });
  let abs = 0;
  let sq = 0;
  let sp = 0;
  let sa = 0;
  const groups = Array.from({ length: topBucket + 1 }, () => ({ n: 0, p: 0, a: 0 }));
  for (let i = 0; i < n; i++) {
    const e = predicted[i] - actual[i];
    abs += Math.abs(e);
    sq += e * e;
    sp += predicted[i];
    sa += actual[i];
    const g = groups[Math.min(x[i], topBucket)];
    g.n++;
    g.p += predicted[i];
    g.a += actual[i];
  }
  const mp = sp / n;
  const ma = sa / n;
  let cov = 0;
  let vp = 0;
  let va = 0;
  for (let i = 0; i < n; i++) {
    cov += (predicted[i] - mp) * (actual[i] - ma);
    vp += (predicted[i] - mp) ** 2;
    va += (actual[i] - ma) ** 2;
  }
  return Object.freeze({
    customers: n,
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    correlation: vp > 0 && va > 0 ? cov / Math.sqrt(vp * va) : Number.NaN,
    totalPredicted: sp,
    totalActual: sa,
    byFrequency: Object.freeze(
      groups.map((g, k) =>
        Object.freeze({
          label: k === topBucket ? `${topBucket}+` : String(k),
          customers: g.n,
          meanPredicted: g.n > 0 ? g.p / g.n : Number.NaN,
          meanActual: g.n > 0 ? g.a / g.n : Number.NaN,
        }),
      ),
    ),
  });
}

/**
 * Expected cumulative repeat purchases of the cohort at each time in `at` (units since the
 * cohort origin): Σ_i E[X(max(0, τ - s_i))] with s_i the customer's first purchase time.
 * Customers sharing a first-purchase time are computed once.
 */
export function expectedCumulativeRepeats(
  model: PurchaseModel,
  firstPurchaseAt: ArrayLike<number>,
  at: ArrayLike<number>,
): Float64Array {
  const counts = new Map<number, number>();
  for (let i = 0; i < firstPurchaseAt.length; i++) {
    counts.set(firstPurchaseAt[i], (counts.get(firstPurchaseAt[i]) ?? 0) + 1);
  }
  const out = new Float64Array(at.length);
  for (let k = 0; k < at.length; k++) {
    let sum = 0;
    for (const [s, c] of counts) {
      if (at[k] > s) sum += c * expectedPurchasesNew(model, at[k] - s);
    }
    out[k] = sum;
  }
  return out;
}

/** Running total of a per-period series. */
export function cumulativeSum(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    out[i] = s;
  }
  return out;
}
