/**
 * Pareto/NBD model of repeat buying.
 *
 * Assumptions: while active, a customer buys as a Poisson process with rate λ; her
 * unobserved lifetime is exponential with rate μ. λ ~ Gamma(shape r, rate alpha) and
 * μ ~ Gamma(shape s, rate beta) across customers, independently.
 *
 * Parameters: r, s (shapes, unitless), alpha, beta (rate-scales, in the data's time unit).
 * Data: x = repeat purchases, tx = time of last repeat purchase, T = time since first purchase.
 *
 * References: Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting Your
 * Customers: Who Are They and What Will They Do Next? Management Science 33(1), 1–24.
 * Fader, P. S. & Hardie, B. G. S. (2005). A Note on Deriving the Pareto/NBD Model and Related
 * Expressions, brucehardie.com/notes/009/: likelihood §3, with the A0 term written for
 * alpha ≥ beta or alpha ≤ beta so that the 2F1 argument stays in [0, 1); mean §4; P(alive)
 * §5; conditional expectation §6.
 * Cross-check used in the tests: (s / (r+s+x)) A0 = s ∫_tx^T (alpha+τ)^-(r+x) (beta+τ)^-(s+1) dτ.
 */
import { type FitResult, fitLogParams } from '../optim/fit.js';
import { logHyp2f1, logHyp2f1WithGradient } from '../special/hyp2f1.js';
import { digamma, lgamma } from '../special/lgamma.js';
import { log1pExp, logAddExp, logSubExp } from '../special/log-space.js';
import { type RfmRows, rescaleRfm, rfmTotals } from './rfm-rows.js';

export type ParetoNbdParams = {
  readonly r: number;
  readonly alpha: number;
  readonly s: number;
  readonly beta: number;
};

// One of the two terms of A0 (Fader & Hardie 2005 §3) at time t (tx or T), as a logarithm:
// 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t)) / (alpha+t)^(r+s+x) when alpha ≥ beta,
// 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+t)) / (beta+t)^(r+s+x) otherwise; the branch keeps
// the 2F1 argument in [0, 1).
function logA0Term(p: ParetoNbdParams, x: number, t: number): number {
  const { r, alpha, s, beta } = p;
  const rsx = r + s + x;
  if (alpha >= beta) {
    return logHyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + t)) - rsx * Math.log(alpha + t);
  }
  return logHyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + t)) - rsx * Math.log(beta + t);
}

/** log A0 of Fader & Hardie (2005) §3, branch chosen by comparing alpha and beta; -Infinity when tx = T. */
export function paretoNbdLogA0(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  return logSubExp(logA0Term(p, x, tx), logA0Term(p, x, T));
}

// The two terms in braces of the likelihood (Fader & Hardie 2005 §3), as logarithms.
function logTerms(p: ParetoNbdParams, x: number, tx: number, T: number): [number, number] {
  const { r, alpha, s, beta } = p;
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const dead = Math.log(s / (r + s + x)) + paretoNbdLogA0(p, x, tx, T);
  return [alive, dead];
}

/** Log-likelihood of one customer's (x, tx, T) under Pareto/NBD, Fader & Hardie (2005) §3. */
export function paretoNbdLogLikOne(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const [alive, dead] = logTerms(p, x, tx, T);
  return (
    lgamma(r + x) - lgamma(r) + r * Math.log(alpha) + s * Math.log(beta) + logAddExp(alive, dead)
  );
}

// logA0Term and its derivatives with respect to (r, alpha, s, beta), written into `d`, by the
// chain rule through logHyp2f1WithGradient (a = r+s+x, c = a+1, b and z by branch).
function logA0TermGrad(
  p: ParetoNbdParams,
  x: number,
  t: number,
  d: Float64Array,
  h: Float64Array,
): number {
  const { r, alpha, s, beta } = p;
  const rsx = r + s + x;
  if (alpha >= beta) {
    const m = alpha + t;
    const value =
      logHyp2f1WithGradient(rsx, s + 1, rsx + 1, (alpha - beta) / m, h) - rsx * Math.log(m);
    const lm = Math.log(m);
    d[0] = h[0] + h[2] - lm;
    d[1] = (h[3] * (beta + t)) / (m * m) - rsx / m;
    d[2] = h[0] + h[1] + h[2] - lm;
    d[3] = -h[3] / m;
    return value;
  }
  const m = beta + t;
  const value =
    logHyp2f1WithGradient(rsx, r + x, rsx + 1, (beta - alpha) / m, h) - rsx * Math.log(m);
  const lm = Math.log(m);
  d[0] = h[0] + h[1] + h[2] - lm;
  d[1] = -h[3] / m;
  d[2] = h[0] + h[2] - lm;
  d[3] = (h[3] * (alpha + t)) / (m * m) - rsx / m;
  return value;
}

/** Weighted log-likelihood of summary rows under Pareto/NBD (see `paretoNbdLogLikGradient`). */
export function paretoNbdLogLik(p: ParetoNbdParams, rows: RfmRows): number {
  return paretoNbdLogLikGradient(p, rows, null);
}

/**
 * Weighted log-likelihood of summary rows under Pareto/NBD and, when `grad` is given, its
 * analytic gradient with respect to (r, alpha, s, beta), differentiating the likelihood of
 * Fader & Hardie (2005) §3 through the 2F1 series (its parameter derivatives are summed
 * alongside it). Rows come sorted by (x, T, tx) from `compressRfm`, so the A0 terms at T and
 * at tx are reused across runs of equal (x, T) and (x, tx) — every x = 0 row shares tx = 0
 * (any order gives the same result, only slower).
 */
export function paretoNbdLogLikGradient(
  p: ParetoNbdParams,
  rows: RfmRows,
  grad: Float64Array | null,
): number {
  const { r, alpha, s, beta } = p;
  const withGrad = grad !== null;
  const constant = -lgamma(r) + r * Math.log(alpha) + s * Math.log(beta);
  const psiR = withGrad ? digamma(r) : 0;
  const logAlpha = Math.log(alpha);
  const logBeta = Math.log(beta);
  const scratch = new Float64Array(4);
  const dT = new Float64Array(4);
  const dTx = new Float64Array(4);
  let lastX = Number.NaN;
  let lastT = Number.NaN;
  let lastTx = Number.NaN;
  let byX = 0;
  let psiRX = 0;
  let logS = 0;
  let termT = 0;
  let termTx = 0;
  let aliveT = 0;
  let logAT = 0;
  let logBT = 0;
  let ll = 0;
  let g0 = 0;
  let g1 = 0;
  let g2 = 0;
  let g3 = 0;
  for (let i = 0; i < rows.x.length; i++) {
    const x = rows.x[i];
    const T = rows.T[i];
    const tx = rows.tx[i];
    if (x !== lastX) {
      lastX = x;
      lastT = Number.NaN;
      lastTx = Number.NaN;
      byX = lgamma(r + x);
      logS = Math.log(s / (r + s + x));
      if (withGrad) psiRX = digamma(r + x);
    }
    if (T !== lastT) {
      lastT = T;
      termT = withGrad ? logA0TermGrad(p, x, T, dT, scratch) : logA0Term(p, x, T);
      logAT = Math.log(alpha + T);
      logBT = Math.log(beta + T);
      aliveT = -(r + x) * logAT - s * logBT;
    }
    if (tx !== lastTx) {
      lastTx = tx;
      termTx = withGrad ? logA0TermGrad(p, x, tx, dTx, scratch) : logA0Term(p, x, tx);
    }
    const dead = logS + logSubExp(termTx, termT);
    const logL = logAddExp(aliveT, dead);
    const w = rows.weight[i];
    ll += w * (constant + byX + logL);
    if (withGrad) {
      // ω: share of the "died before T" branch; q = e^(termT - termTx) < 1 unless tx = T.
      const omega = dead === Number.NEGATIVE_INFINITY ? 0 : Math.exp(dead - logL);
      const q = omega > 0 ? Math.exp(termT - termTx) : 0;
      const diff = (k: number) => (omega > 0 ? (dTx[k] - q * dT[k]) / (1 - q) : 0);
      const rsx = r + s + x;
      g0 += w * (psiRX - psiR + logAlpha + (1 - omega) * -logAT + omega * (-1 / rsx + diff(0)));
      g1 += w * (r / alpha + (1 - omega) * (-(r + x) / (alpha + T)) + omega * diff(1));
      g2 += w * (logBeta + (1 - omega) * -logBT + omega * (1 / s - 1 / rsx + diff(2)));
      g3 += w * (s / beta + (1 - omega) * (-s / (beta + T)) + omega * diff(3));
    }
  }
  if (grad !== null) {
    grad[0] = g0;
    grad[1] = g1;
    grad[2] = g2;
    grad[3] = g3;
  }
  return ll;
}

/**
 * Fit Pareto/NBD by maximum likelihood on unique (x, tx, T) rows (see `compressRfm`). Time is
 * rescaled by the mean T internally; alpha and beta are returned in the data's time unit.
 */
export function fitParetoNbd(rows: RfmRows): FitResult<ParetoNbdParams> {
  const { n, sumX, meanT } = rfmTotals(rows);
  const scaled = rescaleRfm(rows, meanT);
  const rate = Math.max(sumX, 0.5) / n;
  return fitLogParams<ParetoNbdParams>({
    names: ['r', 'alpha', 's', 'beta'],
    scale: [1, meanT, 1, meanT],
    nObs: n,
    starts: [
      [0, Math.log(1 / rate), 0, 0],
      [Math.log(0.5), Math.log(0.5 / rate), Math.log(0.5), Math.log(0.3)],
    ],
    nll: (t) => -paretoNbdLogLik(fromLog(t), scaled),
    nllGradient: (t, out) => {
      paretoNbdLogLikGradient(fromLog(t), scaled, out);
      for (let k = 0; k < 4; k++) out[k] = -out[k] * Math.exp(t[k]);
    },
    logLik: (p) => paretoNbdLogLik(p, rows),
  });
}

function fromLog(t: Float64Array): ParetoNbdParams {
  return { r: Math.exp(t[0]), alpha: Math.exp(t[1]), s: Math.exp(t[2]), beta: Math.exp(t[3]) };
}

// [1 - (1+t/m)^-(k)] / k, continuous at k = 0 where it is log(1 + t/m).
function oneMinusPowOverK(k: number, t: number, m: number): number {
  const lu = Math.log1p(t / m);
  if (Math.abs(k) < 1e-10) return lu;
  return -Math.expm1(-k * lu) / k;
}

/** Probability that a customer with history (x, tx, T) is still active at T, Fader & Hardie (2005) §5. */
export function paretoNbdProbabilityAlive(
  p: ParetoNbdParams,
  x: number,
  tx: number,
  T: number,
): number {
  const [alive, dead] = logTerms(p, x, tx, T);
  return Math.exp(-log1pExp(dead - alive));
}

/** Expected repeat purchases in (0, t] for a new customer, Fader & Hardie (2005) §4; `t` in the data's time unit. */
export function paretoNbdExpectedPurchases(p: ParetoNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, s, beta } = p;
  return ((r * beta) / alpha) * oneMinusPowOverK(s - 1, t, beta);
}

/** Expected purchases in (T, T + t] for a customer still active at T (Fader & Hardie 2005 §6 before weighting by P(alive)). */
export function paretoNbdExpectedPurchasesIfAlive(
  p: ParetoNbdParams,
  t: number,
  x: number,
  T: number,
): number {
  if (t <= 0) return 0;
  const { r, alpha, s, beta } = p;
  return (((r + x) * (beta + T)) / (alpha + T)) * oneMinusPowOverK(s - 1, t, beta + T);
}

/**
 * Expected purchases in (T, T + t] for a customer with history (x, tx, T), Fader & Hardie (2005) §6.
 * `t`, `tx`, `T` share the data's time unit.
 */
export function paretoNbdConditionalExpectedPurchases(
  p: ParetoNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  if (t <= 0) return 0;
  return paretoNbdExpectedPurchasesIfAlive(p, t, x, T) * paretoNbdProbabilityAlive(p, x, tx, T);
}
