/**
 * Shifted-beta-geometric (sBG) model of contractual retention.
 *
 * Assumptions: at the end of each period an active customer cancels with probability θ,
 * constant over her lifetime (so her lifetime in periods is shifted-geometric); θ ~ Beta(alpha,
 * beta) across customers. Heterogeneity alone makes aggregate retention rise over time.
 *
 * Parameters: alpha, beta (unitless). Time is in whole contract periods (months, years).
 *
 * References: Fader, P. S. & Hardie, B. G. S. (2007). How to Project Customer Retention.
 * Journal of Interactive Marketing 21(1), 76–90: P(T = t) eq. (3)/(5), S(t) eq. (4)/(6),
 * retention rate eq. (8), likelihood eq. (7). Fader, P. S. & Hardie, B. G. S. (2010).
 * Customer-Base Valuation in a Contractual Setting: The Perils of Ignoring Heterogeneity.
 * Marketing Science 29(1), 85–93: DEL and DERL (eqs. (5) and (6)) as 2F1 series.
 */
import { InputError } from '../../errors.js';
import { type FitResult, fitLogParams } from '../optim/fit.js';
import { logHyp2f1 } from '../special/hyp2f1.js';
import { lbeta } from '../special/lgamma.js';

export type SbgParams = {
  readonly alpha: number;
  readonly beta: number;
};

/** P(T = t): probability that a new customer's last period is t (churns at the end of period t), t ≥ 1. */
export function sbgChurnProbability(p: SbgParams, t: number): number {
  return Math.exp(lbeta(p.alpha + 1, p.beta + t - 1) - lbeta(p.alpha, p.beta));
}

/** S(t): probability that a new customer is still active after t periods (S(0) = 1). */
export function sbgSurvival(p: SbgParams, t: number): number {
  return Math.exp(lbeta(p.alpha, p.beta + t) - lbeta(p.alpha, p.beta));
}

/** Retention rate in period t: S(t) / S(t-1) = (beta + t - 1) / (alpha + beta + t - 1), t ≥ 1. */
export function sbgRetentionRate(p: SbgParams, t: number): number {
  return (p.beta + t - 1) / (p.alpha + p.beta + t - 1);
}

/**
 * Retention curve of a cohort for periods 1..`periods`: the share still active after each
 * period (S(t)) and the period's retention rate r(t) = S(t)/S(t-1).
 */
export function sbgRetentionCurve(
  p: SbgParams,
  periods: number,
): { readonly survival: number[]; readonly retention: number[] } {
  const survival: number[] = [];
  const retention: number[] = [];
  for (let t = 1; t <= periods; t++) {
    survival.push(sbgSurvival(p, t));
    retention.push(sbgRetentionRate(p, t));
  }
  return Object.freeze({ survival, retention });
}

/**
 * Expected lifetime of a new customer, in periods: E[1/θ] = (alpha + beta - 1) / (alpha - 1)
 * when alpha > 1; Infinity otherwise (the heavy tail of loyal customers makes the mean infinite,
 * use `sbgExpectedLifetimeWithin` or DEL instead).
 */
export function sbgExpectedLifetime(p: SbgParams): number {
  return p.alpha > 1 ? (p.alpha + p.beta - 1) / (p.alpha - 1) : Number.POSITIVE_INFINITY;
}

/** Expected number of periods a new customer is active within the first `horizon` periods: Σ_{t=0}^{horizon-1} S(t). */
export function sbgExpectedLifetimeWithin(p: SbgParams, horizon: number): number {
  let sum = 0;
  for (let t = 0; t < horizon; t++) sum += sbgSurvival(p, t);
  return sum;
}

/**
 * Discounted expected lifetime of a new customer, in periods (payments of 1 at the start of
 * each active period, the first undiscounted): DEL = 2F1(1, beta; alpha + beta; 1/(1+d)),
 * Fader & Hardie (2010). `d` is the discount rate per period.
 */
export function sbgDiscountedExpectedLifetime(p: SbgParams, d: number): number {
  checkRate(d);
  return Math.exp(logHyp2f1(1, p.beta, p.alpha + p.beta, 1 / (1 + d)));
}

/**
 * Discounted expected residual lifetime of a customer who has renewed `renewals` times and is
 * about to decide on the next renewal, in periods (payment of 1 per future active period, the
 * next one undiscounted): DERL = (beta+n-1)/(alpha+beta+n-1) · 2F1(1, beta+n; alpha+beta+n;
 * 1/(1+d)) with n = renewals + 1, Fader & Hardie (2010). `d` is the discount rate per period.
 */
export function sbgDerl(p: SbgParams, d: number, renewals: number): number {
  checkRate(d);
  if (!(Number.isInteger(renewals) && renewals >= 0)) {
    throw new InputError(`renewals: expected a whole number ≥ 0, got ${renewals}`, {
      field: 'renewals',
      value: renewals,
    });
  }
  const n = renewals + 1;
  const b = p.beta + n - 1;
  return (
    (b / (p.alpha + b)) * Math.exp(logHyp2f1(1, p.beta + n, p.alpha + p.beta + n, 1 / (1 + d)))
  );
}

function checkRate(d: number) {
  if (!(Number.isFinite(d) && d > 0)) {
    throw new InputError(`discount rate per period must be > 0, got ${d}`, {
      field: 'discountRate',
      value: d,
    });
  }
}

/** sBG log-likelihood of a cohort's survivor counts (survivors[0] = cohort size), Fader & Hardie (2007) eq. (7). */
export function sbgLogLik(p: SbgParams, survivors: readonly number[]): number {
  let ll = 0;
  const n = survivors.length - 1;
  for (let t = 1; t <= n; t++) {
    const lost = survivors[t - 1] - survivors[t];
    if (lost > 0) ll += lost * (lbeta(p.alpha + 1, p.beta + t - 1) - lbeta(p.alpha, p.beta));
  }
  if (survivors[n] > 0) ll += survivors[n] * (lbeta(p.alpha, p.beta + n) - lbeta(p.alpha, p.beta));
  return ll;
}

/**
 * Fit the sBG model to one cohort's survivor counts: survivors[t] customers still active
 * after t periods, survivors[0] the cohort size; counts must be whole and non-increasing.
 */
export function fitShiftedBetaGeometric(survivors: readonly number[]): FitResult<SbgParams> {
  if (survivors.length < 3) {
    throw new InputError(
      `need the cohort size and at least 2 periods of survivors, got ${survivors.length} numbers`,
      { field: 'survivors' },
    );
  }
  survivors.forEach((v, t) => {
    if (!(Number.isInteger(v) && v >= 0)) {
      throw new InputError(`survivors[${t}]: expected a whole number ≥ 0, got ${v}`, {
        field: `survivors.${t}`,
        value: v,
      });
    }
    if (t > 0 && v > survivors[t - 1]) {
      throw new InputError(
        `survivors[${t}]: ${v} is more than the ${survivors[t - 1]} active a period earlier`,
        { field: `survivors.${t}`, value: v },
      );
    }
  });
  if (survivors[0] === 0)
    throw new InputError('survivors[0]: the cohort is empty', { field: 'survivors.0' });
  return fitLogParams<SbgParams>({
    names: ['alpha', 'beta'],
    scale: [1, 1],
    nObs: survivors[0],
    starts: [
      [0, 0],
      [Math.log(0.5), Math.log(3)],
    ],
    nll: (t) => -sbgLogLik({ alpha: Math.exp(t[0]), beta: Math.exp(t[1]) }, survivors),
    logLik: (p) => sbgLogLik(p, survivors),
  });
}
