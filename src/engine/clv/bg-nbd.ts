/**
 * BG/NBD: beta-geometric / negative binomial distribution model of repeat buying.
 *
 * Assumptions: while active, a customer buys as a Poisson process with rate λ; after each
 * purchase she becomes inactive with probability p. λ ~ Gamma(shape r, rate alpha) and
 * p ~ Beta(a, b) across customers, independently.
 *
 * Parameters: r (shape of purchase-rate heterogeneity, unitless), alpha (rate-scale, in the
 * data's time unit), a, b (dropout-probability heterogeneity, unitless).
 * Data: x = repeat purchases, tx = time of last repeat purchase, T = time since first purchase.
 *
 * References: Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting Your Customers"
 * the Easy Way: An Alternative to the Pareto/NBD Model. Marketing Science 24(2), 275–284.
 * Likelihood eq. (6); E[X(t)] eq. (7); conditional expectation eq. (10). P(alive): Fader,
 * Hardie & Lee, "Computing P(alive) Using the BG/NBD Model", brucehardie.com/notes/021/.
 */
import { type FitResult, fitLogParams } from '../optim/fit.js';
import { logHyp2f1 } from '../special/hyp2f1.js';
import { digamma, lbeta, lgamma } from '../special/lgamma.js';
import { log1pExp, logAddExp } from '../special/log-space.js';
import { type RfmRows, rescaleRfm, rfmTotals } from './rfm-rows.js';

export type BgNbdParams = {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
};

/** Log-likelihood of one customer's (x, tx, T) under BG/NBD, FHL (2005) eq. (6), in log space. */
export function bgNbdLogLikOne(p: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  const common = lgamma(r + x) - lgamma(r) + r * Math.log(alpha) + lbeta(a, b + x) - lbeta(a, b);
  return common + aliveOrDropped(p, x, tx, T);
}

// log[(α+T)^-(r+x) + δ_{x>0} a/(b+x-1) (α+tx)^-(r+x)], using
// B(a+1, b+x-1) = B(a, b+x) · a / (b+x-1) to share the beta function of both terms.
function aliveOrDropped(p: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  const alive = -(r + x) * Math.log(alpha + T);
  if (x === 0) return alive;
  return logAddExp(alive, Math.log(a / (b + x - 1)) - (r + x) * Math.log(alpha + tx));
}

/** Weighted log-likelihood of summary rows under BG/NBD. */
export function bgNbdLogLik(p: BgNbdParams, rows: RfmRows): number {
  return bgNbdLogLikGradient(p, rows, null);
}

/**
 * Weighted log-likelihood and, when `grad` is given, its analytic gradient with respect to
 * (r, alpha, a, b). Differentiating eq. (6) with ω = the share of the "dropped at tx" branch:
 *   ∂/∂r = ψ(r+x) - ψ(r) + log alpha - (1-ω) log(alpha+T) - ω log(alpha+tx)
 *   ∂/∂alpha = r/alpha - (r+x) [(1-ω)/(alpha+T) + ω/(alpha+tx)]
 *   ∂/∂a = ψ(a+b) - ψ(a+b+x) + ω/a
 *   ∂/∂b = ψ(b+x) - ψ(a+b+x) - ψ(b) + ψ(a+b) - ω/(b+x-1)
 * Rows come sorted by (x, T, tx) from `compressRfm`, so terms in x alone and in T alone are
 * computed once per run of equal values (any order gives the same result, only slower).
 */
export function bgNbdLogLikGradient(
  p: BgNbdParams,
  rows: RfmRows,
  grad: Float64Array | null,
): number {
  const { r, alpha, a, b } = p;
  const withGrad = grad !== null;
  const constant = -lgamma(r) + r * Math.log(alpha) + lgamma(a) - lbeta(a, b);
  const psiR = withGrad ? digamma(r) : 0;
  const psiB = withGrad ? digamma(b) : 0;
  const psiAB = withGrad ? digamma(a + b) : 0;
  const logAlpha = Math.log(alpha);
  let ll = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  let lastX = Number.NaN;
  let lastT = Number.NaN;
  let byX = 0;
  let logOddsX = 0;
  let psiRX = 0;
  let psiBX = 0;
  let psiABX = 0;
  let logAT = 0;
  for (let i = 0; i < rows.x.length; i++) {
    const x = rows.x[i];
    const T = rows.T[i];
    if (x !== lastX) {
      lastX = x;
      lastT = Number.NaN;
      byX = lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x);
      logOddsX = x > 0 ? Math.log(a / (b + x - 1)) : 0;
      if (withGrad) {
        psiRX = digamma(r + x);
        psiBX = digamma(b + x);
        psiABX = digamma(a + b + x);
      }
    }
    if (T !== lastT) {
      lastT = T;
      logAT = Math.log(alpha + T);
    }
    const w = rows.weight[i];
    const alive = -(r + x) * logAT;
    let logD = alive;
    let omega = 0;
    let logATx = 0;
    if (x > 0) {
      logATx = Math.log(alpha + rows.tx[i]);
      const dropped = logOddsX - (r + x) * logATx;
      // log-sum-exp of the two branches, with ω = e^dropped / (e^alive + e^dropped).
      if (dropped > alive) {
        const e = Math.exp(alive - dropped);
        logD = dropped + Math.log1p(e);
        omega = 1 / (1 + e);
      } else {
        const e = Math.exp(dropped - alive);
        logD = alive + Math.log1p(e);
        omega = e / (1 + e);
      }
    }
    ll += w * (constant + byX + logD);
    if (withGrad) {
      gr += w * (psiRX - psiR + logAlpha - (1 - omega) * logAT - omega * logATx);
      gAlpha +=
        w *
        (r / alpha -
          (r + x) * ((1 - omega) / (alpha + T) + (x > 0 ? omega / (alpha + rows.tx[i]) : 0)));
      ga += w * (psiAB - psiABX + omega / a);
      gb += w * (psiBX - psiABX - psiB + psiAB - (x > 0 ? omega / (b + x - 1) : 0));
    }
  }
  if (grad !== null) {
    grad[0] = gr;
    grad[1] = gAlpha;
    grad[2] = ga;
    grad[3] = gb;
  }
  return ll;
}

/**
 * Fit BG/NBD by maximum likelihood on unique (x, tx, T) rows (see `compressRfm`). Time is
 * rescaled by the mean T internally; alpha is returned in the data's time unit.
 */
export function fitBgNbd(rows: RfmRows): FitResult<BgNbdParams> {
  const { n, sumX, meanT } = rfmTotals(rows);
  const scaled = rescaleRfm(rows, meanT);
  const rate = Math.max(sumX, 0.5) / n; // purchases per (rescaled) time unit
  return fitLogParams<BgNbdParams>({
    names: ['r', 'alpha', 'a', 'b'],
    scale: [1, meanT, 1, 1],
    nObs: n,
    starts: [
      [0, Math.log(1 / rate), 0, 0],
      [Math.log(0.3), Math.log(0.3 / rate), Math.log(0.7), Math.log(2.5)],
      [Math.log(3), Math.log(3 / rate), Math.log(2), Math.log(8)],
    ],
    nll: (t) => -bgNbdLogLik(fromLog(t), scaled),
    nllGradient: (t, out) => {
      bgNbdLogLikGradient(fromLog(t), scaled, out);
      for (let k = 0; k < 4; k++) out[k] = -out[k] * Math.exp(t[k]);
    },
    logLik: (p) => bgNbdLogLik(p, rows),
  });
}

function fromLog(t: Float64Array): BgNbdParams {
  return { r: Math.exp(t[0]), alpha: Math.exp(t[1]), a: Math.exp(t[2]), b: Math.exp(t[3]) };
}

/** (a+b-1)/(a-1) · (1 - e^logTerm), continuous through a = 1 by averaging a ± 1e-7. */
function expectationFactor(a: number, numer: number, logTerm: (aa: number) => number): number {
  if (Math.abs(a - 1) < 1e-7) {
    return (
      0.5 *
      (expectationFactor(1 - 1e-7, numer, logTerm) + expectationFactor(1 + 1e-7, numer, logTerm))
    );
  }
  return ((numer + a - 1) / (a - 1)) * -Math.expm1(logTerm(a));
}

/**
 * Expected number of repeat purchases in (0, t] for a new customer, FHL (2005) eq. (7).
 * `t` is in the data's time unit.
 */
export function bgNbdExpectedPurchases(p: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = p;
  return expectationFactor(
    p.a,
    b,
    (a) => r * Math.log(alpha / (alpha + t)) + logHyp2f1(r, b, a + b - 1, t / (alpha + t)),
  );
}

/**
 * Probability that a customer with history (x, tx, T) is still active at T
 * (brucehardie.com/notes/021/); 1 when x = 0.
 */
export function bgNbdProbabilityAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = p;
  const logOdds = Math.log(a / (b + x - 1)) + (r + x) * Math.log((alpha + T) / (alpha + tx));
  return Math.exp(-log1pExp(logOdds));
}

/**
 * Expected purchases in (T, T + t] for a customer with x repeat purchases observed over T who
 * is still active at T: the bracket of FHL (2005) eq. (10) before it is weighted by P(alive).
 */
export function bgNbdExpectedPurchasesIfAlive(
  p: BgNbdParams,
  t: number,
  x: number,
  T: number,
): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = p;
  const z = t / (alpha + T + t);
  return expectationFactor(
    p.a,
    b + x,
    (a) =>
      (r + x) * Math.log((alpha + T) / (alpha + T + t)) + logHyp2f1(r + x, b + x, a + b + x - 1, z),
  );
}

/**
 * Expected number of purchases in (T, T + t] for a customer with history (x, tx, T),
 * FHL (2005) eq. (10). `t`, `tx`, `T` share the data's time unit.
 */
export function bgNbdConditionalExpectedPurchases(
  p: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  if (t <= 0) return 0;
  return bgNbdExpectedPurchasesIfAlive(p, t, x, T) * bgNbdProbabilityAlive(p, x, tx, T);
}
