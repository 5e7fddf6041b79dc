/**
 * Per-customer predictions and discounted CLV from a repeat-purchase model and the gamma-gamma
 * spend model (Fader, Hardie & Lee 2005, "RFM and CLV", JMR 42(4): CLV as expected discounted
 * transactions times expected spend times margin).
 *
 * Discounting: the horizon is cut into months; the purchases expected in month k,
 * E[Y(k·m)] - E[Y((k-1)·m)] with m a month in the model's time unit, are discounted by
 * (1 + annual rate)^(-k/12), i.e. as if paid at the end of their month. Margin is a fraction of
 * spend (1 = revenue). Money is in the unit of zbar (the caller's minor units, for example).
 */
import { InputError } from '../../errors.js';
import { type GammaGammaParams, gammaGammaExpectedSpend } from './gamma-gamma.js';
import {
  expectedPurchasesAheadIfAlive,
  type PurchaseModel,
  probabilityAlive,
} from './purchase-model.js';
import { compressRfm } from './rfm-rows.js';
import { monthsToUnits, type TimeUnit } from './time-units.js';

export interface ClvOptions {
  /** the time unit of tx and T (and of the fitted model) */
  readonly unit: TimeUnit;
  /** prediction horizon in months (default 12) */
  readonly horizonMonths?: number;
  /** discount rate per year, 0.10 = 10 %/year (default 0.10) */
  readonly annualDiscountRate?: number;
  /** profit margin as a fraction of spend (default 1: CLV in revenue) */
  readonly margin?: number;
}

export interface CustomerScores {
  readonly unit: TimeUnit;
  readonly horizonMonths: number;
  readonly annualDiscountRate: number;
  readonly margin: number;
  /** expected purchases in the next `horizonMonths` months (a count, not a probability) */
  readonly expectedPurchasesInHorizon: Float64Array;
  /** probability the customer is still active at the end of calibration */
  readonly probabilityAlive: Float64Array;
  /** expected spend per future purchase (unit of zbar); NaN without a spend model */
  readonly expectedSpendPerPurchase: Float64Array;
  /** discounted margin over the horizon (unit of zbar); NaN without a spend model */
  readonly discountedClv: Float64Array;
}

/**
 * Score every customer: expected purchases in the horizon, P(alive), expected spend per
 * purchase (gamma-gamma conditional mean) and discounted CLV over the horizon. Customers with
 * identical (x, tx, T) are computed once. `zbar` is the mean repeat spend (0 when x = 0).
 */
export function scoreCustomers(
  model: PurchaseModel,
  spend: GammaGammaParams | null,
  data: {
    readonly x: ArrayLike<number>;
    readonly tx: ArrayLike<number>;
    readonly T: ArrayLike<number>;
    readonly zbar?: ArrayLike<number>;
  },
  options: ClvOptions,
): CustomerScores {
  const horizonMonths = options.horizonMonths ?? 12;
  const annualDiscountRate = options.annualDiscountRate ?? 0.1;
  const margin = options.margin ?? 1;
  if (!(Number.isInteger(horizonMonths) && horizonMonths > 0)) {
    throw new InputError(
      `horizonMonths: expected a whole number of months > 0, got ${horizonMonths}`,
      {
        field: 'horizonMonths',
        value: horizonMonths,
      },
    );
  }
  if (!(annualDiscountRate > -1 && Number.isFinite(annualDiscountRate))) {
    throw new InputError(
      `annualDiscountRate: expected a rate above -1, got ${annualDiscountRate}`,
      {
        field: 'annualDiscountRate',
        value: annualDiscountRate,
      },
    );
  }
  if (!Number.isFinite(margin)) {
    throw new InputError(`margin: expected a number, got ${margin}`, {
      field: 'margin',
      value: margin,
    });
  }
  const { rows, rowOf } = compressRfm(data.x, data.tx, data.T);
  const nRows = rows.x.length;
  const month = monthsToUnits(1, options.unit);
  const discount = new Float64Array(horizonMonths + 1);
  for (let k = 1; k <= horizonMonths; k++) discount[k] = (1 + annualDiscountRate) ** (-k / 12);
  const rowPurchases = new Float64Array(nRows);
  const rowDiscounted = new Float64Array(nRows);
  const rowAlive = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const x = rows.x[i];
    const tx = rows.tx[i];
    const T = rows.T[i];
    // E[Y(t) | history] = P(alive) · E[Y(t) | alive]: P(alive) is computed once per row.
    const alive = probabilityAlive(model, x, tx, T);
    let previous = 0;
    let discounted = 0;
    if (alive > 0) {
      for (let k = 1; k <= horizonMonths; k++) {
        const cumulative = alive * expectedPurchasesAheadIfAlive(model, k * month, x, T);
        discounted += (cumulative - previous) * discount[k];
        previous = cumulative;
      }
    }
    rowPurchases[i] = previous;
    rowDiscounted[i] = discounted;
    rowAlive[i] = alive;
  }
  const n = data.x.length;
  const expectedPurchasesInHorizon = new Float64Array(n);
  const alive = new Float64Array(n);
  const expectedSpendPerPurchase = new Float64Array(n);
  const discountedClv = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const row = rowOf[c];
    expectedPurchasesInHorizon[c] = rowPurchases[row];
    alive[c] = rowAlive[row];
    const x = data.x[c];
    const zbar = data.zbar?.[c] ?? 0;
    if (spend !== null && x > 0 && !(zbar > 0)) {
      throw new InputError(
        `customer ${c} zbar: a repeat buyer needs a positive mean spend, got ${zbar}`,
        {
          field: 'zbar',
          value: zbar,
          index: c,
        },
      );
    }
    const perPurchase = spend === null ? Number.NaN : gammaGammaExpectedSpend(spend, x, zbar);
    expectedSpendPerPurchase[c] = perPurchase;
    discountedClv[c] = margin * perPurchase * rowDiscounted[row];
  }
  return Object.freeze({
    unit: options.unit,
    horizonMonths,
    annualDiscountRate,
    margin,
    expectedPurchasesInHorizon,
    probabilityAlive: alive,
    expectedSpendPerPurchase,
    discountedClv,
  });
}
