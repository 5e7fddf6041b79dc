/**
 * Gamma-gamma model of spend per transaction.
 *
 * Assumptions: a customer's transaction values z are Gamma(shape p, rate ν) around her own
 * mean p/ν; ν ~ Gamma(shape q, rate gamma) across customers; spend is independent of
 * purchase frequency (checked: see `frequencySpendCorrelation`). The model sees only
 * repeaters (x > 0) through their mean repeat spend zbar, which is Gamma(p·x, ν·x).
 *
 * Parameters: p, q (unitless), gamma (in the currency unit of zbar).
 * Data: x = number of repeat transactions, zbar = their mean value (> 0).
 *
 * References: Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: Using Iso-Value
 * Curves for Customer Base Analysis. Journal of Marketing Research 42(4), 415–430, §"Adding
 * Monetary Value". Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma Model of Monetary
 * Value, brucehardie.com/notes/025/: likelihood eq. (3), conditional mean eq. (5).
 */
import { InputError } from '../../errors.js';
import { type FitResult, fitLogParams } from '../optim/fit.js';
import { lgamma } from '../special/lgamma.js';

export type GammaGammaParams = {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
};

export type GammaGammaFit = FitResult<GammaGammaParams> & {
  /** Pearson correlation of x and zbar among repeaters (the model assumes it is about 0) */
  readonly frequencySpendCorrelation: number;
};

/** Above this |correlation| of frequency and spend the independence assumption is doubtful. */
export const SPEND_FREQUENCY_CORRELATION_LIMIT = 0.3;

/** Log-density of one repeater's mean spend zbar given x repeat transactions, note 025 eq. (3). */
export function gammaGammaLogLikOne(p: GammaGammaParams, x: number, zbar: number): number {
  const px = p.p * x;
  return (
    lgamma(px + p.q) -
    lgamma(px) -
    lgamma(p.q) +
    p.q * Math.log(p.gamma) +
    (px - 1) * Math.log(zbar) +
    px * Math.log(x) -
    (px + p.q) * Math.log(p.gamma + x * zbar)
  );
}

function repeaters(x: ArrayLike<number>, zbar: ArrayLike<number>): { x: number[]; z: number[] } {
  if (x.length !== zbar.length) {
    throw new InputError(
      `x and zbar must have the same length, got ${x.length} and ${zbar.length}`,
      {
        field: 'zbar',
      },
    );
  }
  const rx: number[] = [];
  const rz: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (!(Number.isInteger(x[i]) && x[i] >= 0)) {
      throw new InputError(`customer ${i} x: expected a whole number ≥ 0, got ${x[i]}`, {
        field: 'x',
        value: x[i],
        index: i,
      });
    }
    if (x[i] === 0) continue;
    if (!(Number.isFinite(zbar[i]) && zbar[i] > 0)) {
      throw new InputError(
        `customer ${i} zbar: mean repeat spend must be a positive amount, got ${zbar[i]} (gamma-gamma cannot model zero or negative spend; remove refunds or use margin elsewhere)`,
        { field: 'zbar', value: zbar[i], index: i },
      );
    }
    rx.push(x[i]);
    rz.push(zbar[i]);
  }
  return { x: rx, z: rz };
}

/** Pearson correlation of purchase frequency and mean repeat spend among repeaters (x > 0). */
export function frequencySpendCorrelation(x: ArrayLike<number>, zbar: ArrayLike<number>): number {
  const r = repeaters(x, zbar);
  return pearson(r.x, r.z);
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

/**
 * Fit the gamma-gamma spend model on repeaters: customers with x = 0 are skipped, and a
 * repeater whose zbar is not a positive amount is an InputError. Spend is rescaled by its
 * mean internally; gamma is returned in zbar's currency unit.
 */
export function fitGammaGamma(x: ArrayLike<number>, zbar: ArrayLike<number>): GammaGammaFit {
  const r = repeaters(x, zbar);
  const n = r.x.length;
  if (n < 3) {
    throw new InputError(`gamma-gamma needs at least 3 repeat customers, got ${n}`, { field: 'x' });
  }
  let mean = 0;
  for (const z of r.z) mean += z / n;
  const scaled = r.z.map((z) => z / mean);
  const ll = (p: GammaGammaParams, zs: readonly number[]) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += gammaGammaLogLikOne(p, r.x[i], zs[i]);
    return s;
  };
  const fit = fitLogParams<GammaGammaParams>({
    names: ['p', 'q', 'gamma'],
    scale: [1, 1, mean],
    nObs: n,
    starts: [
      [0, Math.log(2), 0],
      [Math.log(5), Math.log(4), Math.log(3)],
    ],
    nll: (t) => -ll({ p: Math.exp(t[0]), q: Math.exp(t[1]), gamma: Math.exp(t[2]) }, scaled),
    logLik: (p) => ll(p, r.z),
  });
  const correlation = pearson(r.x, r.z);
  const warnings: string[] = [...fit.warnings];
  if (Math.abs(correlation) > SPEND_FREQUENCY_CORRELATION_LIMIT) {
    warnings.push(
      `purchase frequency and spend per purchase are correlated (r = ${correlation.toFixed(2)}); the gamma-gamma model assumes they are independent, so expected spend may be biased`,
    );
  }
  if (fit.params.q <= 1) {
    warnings.push(
      `q = ${fit.params.q.toPrecision(3)} ≤ 1: the population mean spend is infinite and expected spend per customer cannot be computed`,
    );
  }
  return Object.freeze({
    ...fit,
    frequencySpendCorrelation: correlation,
    warnings: Object.freeze(warnings),
  });
}

/**
 * Expected spend per transaction for a customer with x repeat transactions of mean zbar,
 * note 025 eq. (5): p (gamma + x zbar) / (p x + q - 1); for x = 0 the population mean
 * p gamma / (q - 1). Same currency unit as zbar; NaN when q ≤ 1.
 */
export function gammaGammaExpectedSpend(p: GammaGammaParams, x: number, zbar: number): number {
  if (p.q <= 1) return Number.NaN;
  const xz = x > 0 ? x * zbar : 0;
  return (p.p * (p.gamma + xz)) / (p.p * x + p.q - 1);
}
