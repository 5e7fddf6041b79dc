/**
 * Simulated customer histories under BG/NBD and Pareto/NBD assumptions, for parameter-recovery
 * tests, benchmarks and demo data. Deterministic given the seeded `Rng`.
 *
 * BG/NBD (Fader, Hardie & Lee 2005, §2): λ ~ Gamma(r, alpha), p ~ Beta(a, b); inter-purchase
 * times Exponential(λ); after each purchase the customer drops out with probability p.
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987): λ ~ Gamma(r, alpha), μ ~ Gamma(s, beta);
 * lifetime Exponential(μ); purchases Poisson(λ) while alive.
 * Times are measured from each customer's first purchase, in the parameters' time unit.
 */
import { type Rng, sampleBeta, sampleExponential, sampleGamma } from '../random.js';
import type { BgNbdParams } from './bg-nbd.js';
import type { ParetoNbdParams } from './pareto-nbd.js';

export interface SimulatedRfm {
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  /** purchases in the holdout (T, T + holdout] (zeros when no holdout was asked for) */
  readonly holdoutX: Float64Array;
}

/** Simulate one BG/NBD history per entry of `T`, plus purchases in a holdout of length `holdout`. */
export function simulateBgNbd(
  rng: Rng,
  p: BgNbdParams,
  T: ArrayLike<number>,
  holdout = 0,
): SimulatedRfm {
  const n = T.length;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const holdoutX = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lambda = sampleGamma(rng, p.r, p.alpha);
    const drop = sampleBeta(rng, p.a, p.b);
    const end = T[i] + holdout;
    let t = 0;
    let count = 0;
    let last = 0;
    let later = 0;
    for (;;) {
      t += sampleExponential(rng, lambda);
      if (t > end) break;
      if (t <= T[i]) {
        count++;
        last = t;
      } else {
        later++;
      }
      if (rng.next() < drop) break;
    }
    x[i] = count;
    tx[i] = last;
    holdoutX[i] = later;
  }
  return { x, tx, T: Float64Array.from(T), holdoutX };
}

/** Simulate one Pareto/NBD history per entry of `T`, plus purchases in a holdout of length `holdout`. */
export function simulateParetoNbd(
  rng: Rng,
  p: ParetoNbdParams,
  T: ArrayLike<number>,
  holdout = 0,
): SimulatedRfm {
  const n = T.length;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const holdoutX = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lambda = sampleGamma(rng, p.r, p.alpha);
    const mu = sampleGamma(rng, p.s, p.beta);
    const end = Math.min(T[i] + holdout, sampleExponential(rng, mu));
    let t = 0;
    let count = 0;
    let last = 0;
    let later = 0;
    for (;;) {
      t += sampleExponential(rng, lambda);
      if (t > end) break;
      if (t <= T[i]) {
        count++;
        last = t;
      } else {
        later++;
      }
    }
    x[i] = count;
    tx[i] = last;
    holdoutX[i] = later;
  }
  return { x, tx, T: Float64Array.from(T), holdoutX };
}
