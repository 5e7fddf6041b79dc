/**
 * Probability calibration of a score on a held-out slice.
 *
 * - Platt scaling (Platt 1999, "Probabilistic outputs for support vector machines", §2.1 eq. 1):
 *   P(y = 1 | s) = σ(A·s + B), with s the model's log-odds; A and B by maximum likelihood, with
 *   Platt's target smoothing t₊ = (N₊ + 1)/(N₊ + 2), t₋ = 1/(N₋ + 2) (ibid. eq. 5) so a small
 *   slice does not give probabilities of exactly 0 or 1. Fitted by Newton on the two parameters.
 * - Isotonic regression by pool-adjacent-violators (Zadrozny & Elkan 2002, "Transforming
 *   classifier scores into accurate multiclass probability estimates", §3; Barlow et al. 1972):
 *   the non-decreasing step function of the score closest to the labels in squared error.
 */
import { InputError } from '../../errors.js';
import { sigmoid, solveSpd } from './logistic.js';

export interface PlattCalibration {
  readonly kind: 'platt';
  readonly A: number;
  readonly B: number;
}

export interface IsotonicCalibration {
  readonly kind: 'isotonic';
  /** upper score bound of each block, ascending */
  readonly thresholds: readonly number[];
  /** calibrated probability of each block */
  readonly values: readonly number[];
}

export type Calibration = PlattCalibration | IsotonicCalibration;

function checkLengths(s: ArrayLike<number>, y: ArrayLike<number>): void {
  if (s.length !== y.length) {
    throw new InputError(`labels: expected ${s.length} (one per score), got ${y.length}`, {
      field: 'y',
    });
  }
  if (s.length === 0) throw new InputError('no rows to calibrate on', { field: 'y' });
}

/** Platt scaling of log-odds `s` against 0/1 labels `y`. */
export function fitPlatt(s: ArrayLike<number>, y: ArrayLike<number>): PlattCalibration {
  checkLengths(s, y);
  const n = s.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i];
  const tPos = (pos + 1) / (pos + 2);
  const tNeg = 1 / (n - pos + 2);
  let A = 1;
  let B = 0;
  const nll = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const u = a * s[i] + b;
      const t = y[i] === 1 ? tPos : tNeg;
      // −[t log σ(u) + (1 − t) log(1 − σ(u))] = log(1 + e^u) − t·u
      f += (u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u))) - t * u;
    }
    return f / n;
  };
  let f = nll(A, B);
  const H = new Float64Array(4);
  const g = new Float64Array(2);
  for (let it = 0; it < 100; it++) {
    g.fill(0);
    H.fill(0);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(A * s[i] + B);
      const t = y[i] === 1 ? tPos : tNeg;
      const r = p - t;
      const w = p * (1 - p);
      g[0] += r * s[i];
      g[1] += r;
      H[0] += w * s[i] * s[i];
      H[1] += w * s[i];
      H[3] += w;
    }
    for (let q = 0; q < 4; q++) H[q] /= n;
    H[2] = H[1];
    g[0] /= n;
    g[1] /= n;
    H[0] += 1e-10;
    H[3] += 1e-10;
    if (Math.max(Math.abs(g[0]), Math.abs(g[1])) < 1e-10) break;
    const step = solveSpd(H, g, 2);
    if (!step) break;
    let t = 1;
    let moved = false;
    for (let h = 0; h < 30; h++, t /= 2) {
      const a = A - t * step[0];
      const b = B - t * step[1];
      const fn = nll(a, b);
      if (fn <= f) {
        A = a;
        B = b;
        f = fn;
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  return Object.freeze({ kind: 'platt' as const, A, B });
}

/** Isotonic (monotone non-decreasing) calibration of scores `s` against 0/1 labels `y`. */
export function fitIsotonic(s: ArrayLike<number>, y: ArrayLike<number>): IsotonicCalibration {
  checkLengths(s, y);
  const order = Array.from({ length: s.length }, (_, i) => i).sort((a, b) => s[a] - s[b]);
  // Blocks: sum of labels, weight, upper score.
  const sum: number[] = [];
  const weight: number[] = [];
  const upper: number[] = [];
  for (const i of order) {
    // Equal scores must share a block (a function of the score cannot split them).
    if (upper.length > 0 && upper[upper.length - 1] === s[i]) {
      sum[sum.length - 1] += y[i];
      weight[weight.length - 1] += 1;
    } else {
      sum.push(y[i]);
      weight.push(1);
      upper.push(s[i]);
    }
    // Pool adjacent violators.
    while (
      sum.length > 1 &&
      sum[sum.length - 2] / weight[weight.length - 2] >=
        sum[sum.length - 1] / weight[weight.length - 1]
    ) {
      const sLast = sum.pop() as number;
      const wLast = weight.pop() as number;
      const uLast = upper.pop() as number;
      sum[sum.length - 1] += sLast;
      weight[weight.length - 1] += wLast;
      upper[upper.length - 1] = uLast;
    }
  }
  return Object.freeze({
    kind: 'isotonic' as const,
    thresholds: Object.freeze(upper),
    values: Object.freeze(sum.map((v, k) => v / weight[k])),
  });
}

/** The calibrated probability of log-odds (Platt) or score (isotonic) `s`. */
export function calibrate(c: Calibration, s: number): number {
  if (c.kind === 'platt') return sigmoid(c.A * s + c.B);
  const t = c.thresholds;
  // First block whose upper bound is ≥ s (binary search); above the last block, the last value.
  let lo = 0;
  let hi = t.length - 1;
  if (s > t[hi]) return c.values[hi];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] >= s) hi = mid;
    else lo = mid + 1;
  }
  return c.values[lo];
}
