/**
 * MBG/NBD: modified beta-geometric / NBD model of repeat buying.
 *
 * Assumptions as BG/NBD, except that a customer may also become inactive right after her
 * first purchase (time 0): dropout is a coin flip with probability p at time 0 and after
 * every repeat purchase, so a customer with no repeat purchase is not certainly alive.
 * λ ~ Gamma(shape r, rate alpha), p ~ Beta(a, b).
 *
 * Parameters: r (unitless), alpha (in the data's time unit), a, b (unitless).
 *
 * References: Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and
 * comparison of models for customer base analysis. International Journal of Research in
 * Marketing 24(3), 201–209 (model definition). The expressions below are derived here the
 * same way as BG/NBD's (Fader, Hardie & Lee 2005, eqs. (6), (7), (10)) with the survival
 * factor (1-p)^(x+1) in place of (1-p)^x; the posterior of p for an active customer is
 * Beta(a, b + x + 1).
 */
import { type FitResult, fitLogParams } from '../optim/fit.js';
import { logHyp2f1 } from '../special/hyp2f1.js';
import { digamma, lbeta, lgamma } from '../special/lgamma.js';
import { log1pExp, logAddExp } from '../special/log-space.js';
import { type RfmRows, rescaleRfm, rfmTotals } from './rfm-rows.js';

export type MbgNbdParams = {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
};

// log[(α+T)^-(r+x) + a/(b+x) (α+tx)^-(r+x)], sharing B(a, b+x+1): B(a+1, b+x) = B(a, b+x+1) a/(b+x).
function aliveOrDropped(p: MbgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  return logAddExp(
    -(r + x) * Math.log(alpha + T),
    Math.log(a / (b + x)) - (r + x) * Math.log(alpha + tx),
  );
}

/** Log-likelihood of one customer's (x, tx, T) under MBG/NBD, derived as in the file header. */
export function mbgNbdLogLikOne(p: MbgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  return (
    lgamma(r + x) -
    lgamma(r) +
    r * Math.log(alpha) +
    lbeta(a, b + x + 1) -
    lbeta(a, b) +
    aliveOrDropped(p, x, tx, T)
  );
}

/** Weighted log-likelihood of summary rows under MBG/NBD. */
export function mbgNbdLogLik(p: MbgNbdParams, rows: RfmRows): number {
  const { r, alpha, a, b } = p;
  const constant = -lgamma(r) + r * Math.log(alpha) + lgamma(a) - lbeta(a, b);
  // Rows come sorted by x (compressRfm), so per-x terms are computed once per run.
  let lastX = Number.NaN;
  let byX = 0;
  let ll = 0;
  for (let i = 0; i < rows.x.length; i++) {
    const x = rows.x[i];
    if (x !== lastX) {
      lastX = x;
      byX = lgamma(r + x) + lgamma(b + x + 1) - lgamma(a + b + x + 1);
    }
    ll += rows.weight[i] * (constant + byX + aliveOrDropped(p, x, rows.tx[i], rows.T[i]));
  }
  return ll;
}

/**
 * Weighted log-likelihood and its analytic gradient with respect to (r, alpha, a, b), written
 * into `grad`; ω is the share of the "dropped at tx" branch:
 *   ∂/∂r = ψ(r+x) - ψ(r) + log alpha - (1-ω) log(alpha+T) - ω log(alpha+tx)
 *   ∂/∂alpha = r/alpha - (r+x) [(1-ω)/(alpha+T) + ω/(alpha+tx)]
 *   ∂/∂a = ψ(a+b) - ψ(a+b+x+1) + ω/a
 *   ∂/∂b = ψ(b+x+1) - ψ(a+b+x+1) - ψ(b) + ψ(a+b) - ω/(b+x)
 */
export function mbgNbdLogLikGradient(p: MbgNbdParams, rows: RfmRows, grad: Float64Array): number {
  const { r, alpha, a, b } = p;
  const constant = -lgamma(r) + r * Math.log(alpha) + lgamma(a) - lbeta(a, b);
  const psiR = digamma(r);
  const psiB = digamma(b);
  const psiAB = digamma(a + b);
  const logAlpha = Math.log(alpha);
  let ll = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  let lastX = Number.NaN;
  let byX = 0;
  let psiRX = 0;
  let psiBX = 0;
  let psiABX = 0;
  for (let i = 0; i < rows.x.length; i++) {
    const x = rows.x[i];
    if (x !== lastX) {
      byX = lgamma(r + x) + lgamma(b + x + 1) - lgamma(a + b + x + 1);
      psiRX = digamma(r + x);
      psiBX = digamma(b + x + 1);
      psiABX = digamma(a + b + x + 1);
      lastX = x;
    }
    const w = rows.weight[i];
    const logAT = Math.log(alpha + rows.T[i]);
    const logATx = Math.log(alpha + rows.tx[i]);
    const alive = -(r + x) * logAT;
    const dropped = Math.log(a / (b + x)) - (r + x) * logATx;
    const logD = logAddExp(alive, dropped);
    const omega = Math.exp(dropped - logD);
    ll += w * (constant + byX + logD);
    gr += w * (psiRX - psiR + logAlpha - (1 - omega) * logAT - omega * logATx);
    gAlpha +=
      w *
      (r / alpha - (r + x) * ((1 - omega) / (alpha + rows.T[i]) + omega / (alpha + rows.tx[i])));
    ga += w * (psiAB - psiABX + omega / a);
    gb += w * (psiBX - psiABX - psiB + psiAB - omega / (b + x));
  }
  grad[0] = gr;
  grad[1] = gAlpha;
  grad[2] = ga;
  grad[3] = gb;
  return ll;
}

function fromLog(t: Float64Array): MbgNbdParams {
  return { r: Math.exp(t[0]), alpha: Math.exp(t[1]), a: Math.exp(t[2]), b: Math.exp(t[3]) };
}

/** Fit MBG/NBD by maximum likelihood on unique (x, tx, T) rows; alpha in the data's time unit. */
export function fitMbgNbd(rows: RfmRows): FitResult<MbgNbdParams> {
  const { n, sumX, meanT } = rfmTotals(rows);
  const scaled = rescaleRfm(rows, meanT);
  const rate = Math.max(sumX, 0.5) / n;
  return fitLogParams<MbgNbdParams>({
    names: ['r', 'alpha', 'a', 'b'],
    scale: [1, meanT, 1, 1],
    nObs: n,
    starts: [
      [0, Math.log(1 / rate), 0, 0],
      [Math.log(0.3), Math.log(0.3 / rate), Math.log(0.7), Math.log(2.5)],
      [Math.log(3), Math.log(3 / rate), Math.log(2), Math.log(8)],
    ],
    nll: (t) => -mbgNbdLogLik(fromLog(t), scaled),
    nllGradient: (t, out) => {
      mbgNbdLogLikGradient(fromLog(t), scaled, out);
      for (let k = 0; k < 4; k++) out[k] = -out[k] * Math.exp(t[k]);
    },
    logLik: (p) => mbgNbdLogLik(p, rows),
  });
}

// b'/(a-1) · (1 - e^logTerm(a)), continuous through a = 1 by averaging a ± 1e-7.
function expectationFactor(a: number, numer: number, logTerm: (aa: number) => number): number {
  if (Math.abs(a - 1) < 1e-7) {
    return (
      0.5 *
      (expectationFactor(1 - 1e-7, numer, logTerm) + expectationFactor(1 + 1e-7, numer, logTerm))
    );
  }
  return (numer / (a - 1)) * -Math.expm1(logTerm(a));
}

/** Probability that a customer with history (x, tx, T) is still active at T: 1 / (1 + a/(b+x) · ((alpha+T)/(alpha+tx))^(r+x)). */
export function mbgNbdProbabilityAlive(p: MbgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = p;
  const logOdds = Math.log(a / (b + x)) + (r + x) * Math.log((alpha + T) / (alpha + tx));
  return Math.exp(-log1pExp(logOdds));
}

/** Expected repeat purchases in (0, t] for a new customer, b/(a-1) · [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]; `t` in the data's time unit. */
export function mbgNbdExpectedPurchases(p: MbgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = p;
  return expectationFactor(
    p.a,
    b,
    (a) => r * Math.log(alpha / (alpha + t)) + logHyp2f1(r, b + 1, a + b, t / (alpha + t)),
  );
}

/** Expected purchases in (T, T + t] for a customer still active at T (the conditional expectation before weighting by P(alive)). */
export function mbgNbdExpectedPurchasesIfAlive(
  p: MbgNbdParams,
  t: number,
  x: number,
  T: number,
): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = p;
  const z = t / (alpha + T + t);
  return expectationFactor(
    p.a,
    p.a + b + x,
    (a) =>
      (r + x) * Math.log((alpha + T) / (alpha + T + t)) + logHyp2f1(r + x, b + x + 1, a + b + x, z),
  );
}

/** Expected purchases in (T, T + t] for a customer with history (x, tx, T): P(alive) · (a+b+x)/(a-1) · [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))]. */
export function mbgNbdConditionalExpectedPurchases(
  p: MbgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  if (t <= 0) return 0;
  return mbgNbdExpectedPurchasesIfAlive(p, t, x, T) * mbgNbdProbabilityAlive(p, x, tx, T);
}
