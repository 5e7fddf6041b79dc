/**
 * L2-regularised logistic regression fitted by Newton–Raphson (iteratively reweighted least
 * squares).
 *
 * Model: P(y = 1 | x) = σ(β₀ + Σ_j β_j z_j), σ(u) = 1 / (1 + e^(−u)), where z_j = (x_j − m_j) / s_j
 * are the features standardised by their training mean m_j and standard deviation s_j.
 * Objective (minimised): (1/n) Σ_i −[y_i log p_i + (1 − y_i) log(1 − p_i)] + (λ/2) Σ_{j≥1} β_j²
 * (the intercept is not penalised). Hastie, Tibshirani & Friedman (2009), "The Elements of
 * Statistical Learning", 2nd ed., §4.4.1 eq. (4.26) for the Newton step β ← β + (XᵀWX)⁻¹Xᵀ(y − p),
 * here with the ridge term added to the Hessian (§3.4.1, eq. 3.44) and a step-halving safeguard.
 *
 * Symbols: n rows, k features, z standardised features, β coefficients (β₀ intercept), λ the
 * penalty. Rows arrive as a row-major Float64Array `X` (n × k).
 */
import { InputError } from '../../errors.js';

export interface LogisticOptions {
  /** ridge penalty λ on the standardised coefficients (default 1e-4) */
  readonly lambda?: number;
  /** maximum Newton iterations (default 50) */
  readonly maxIterations?: number;
  /** stop when the largest |gradient| component is below this (default 1e-8) */
  readonly gradTol?: number;
}

export interface LogisticModel {
  readonly kind: 'logistic';
  /** feature names, in column order */
  readonly features: readonly string[];
  /** training mean m_j of each feature */
  readonly means: readonly number[];
  /** training standard deviation s_j of each feature (1 where a feature is constant) */
  readonly scales: readonly number[];
  readonly intercept: number;
  /** β_j on the standardised scale: log-odds per standard deviation of feature j */
  readonly coefficients: readonly number[];
  readonly lambda: number;
}

export interface LogisticFit {
  readonly model: LogisticModel;
  /** mean negative log-likelihood at the estimate (without the penalty) */
  readonly meanNll: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly reason: string;
  readonly gradNorm: number;
}

function sigmoid(u: number): number {
  return u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
}

/** log(1 + e^u) without overflow. */
function softplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/** Solves A x = b for a symmetric positive-definite A (row-major, m × m) by Cholesky; null if not SPD. */
export function solveSpd(A: Float64Array, b: Float64Array, m: number): Float64Array | null {
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * m + j];
      for (let q = 0; q < j; q++) s -= L[i * m + q] * L[j * m + q];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return null;
        L[i * m + i] = Math.sqrt(s);
      } else L[i * m + j] = s / L[j * m + j];
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let q = 0; q < i; q++) s -= L[i * m + q] * y[q];
    y[i] = s / L[i * m + i];
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let q = i + 1; q < m; q++) s -= L[q * m + i] * x[q];
    x[i] = s / L[i * m + i];
  }
  return x;
}

/** Column means and standard deviations of a row-major n × k matrix (scale 1 for a constant column). */
export function columnMoments(
  X: Float64Array,
  n: number,
  k: number,
): { means: Float64Array; scales: Float64Array } {
  const means = new Float64Array(k);
  const sq = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let j = 0; j < k; j++) means[j] += X[o + j];
  }
  for (let j = 0; j < k; j++) means[j] /= n;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let j = 0; j < k; j++) {
      const d = X[o + j] - means[j];
      sq[j] += d * d;
    }
  }
  const scales = Float64Array.from(sq, (s) => {
    const sd = Math.sqrt(s / n);
    return sd > 1e-12 ? sd : 1;
  });
  return { means, scales };
}

/**
 * Fits the model to `n` rows of `features.length` columns in `X` (row-major) with 0/1 labels
 * `y`. Never returns silent non-convergence: `converged` and `reason` say how it stopped.
 */
export function fitLogistic(
  X: Float64Array,
  y: ArrayLike<number>,
  features: readonly string[],
  options: LogisticOptions = {},
): LogisticFit {
  const k = features.length;
  const n = y.length;
  const lambda = options.lambda ?? 1e-4;
  const maxIterations = options.maxIterations ?? 50;
  const gradTol = options.gradTol ?? 1e-8;
  if (X.length !== n * k) {
    throw new InputError(
      `X: expected ${n} rows × ${k} features = ${n * k} values, got ${X.length}`,
      {
        field: 'X',
      },
    );
  }
  if (n === 0) throw new InputError('no rows to fit on', { field: 'y' });
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new InputError(`y[${i}]: expected 0 or 1, got ${y[i]}`, { field: 'y', value: y[i] });
    }
    positives += y[i];
  }
  if (positives === 0 || positives === n) {
    throw new InputError(
      `every label is ${positives === 0 ? 0 : 1}: a churn model needs both churned and retained examples`,
      { field: 'y' },
    );
  }
  if (!(lambda >= 0))
    throw new InputError('lambda must be ≥ 0', { field: 'lambda', value: lambda });
  const { means, scales } = columnMoments(X, n, k);
  // Standardised design with a leading 1 for the intercept: m = k + 1 columns.
  const m = k + 1;
  const Z = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    Z[i * m] = 1;
    for (let j = 0; j < k; j++) Z[i * m + 1 + j] = (X[i * k + j] - means[j]) / scales[j];
  }
  const beta = new Float64Array(m);
  // Start from the base rate: the intercept is its log-odds.
  const base = positives / n;
  beta[0] = Math.log(base / (1 - base));
  const eta = new Float64Array(n);
  const objective = (b: Float64Array): { f: number; nll: number } => {
    let nll = 0;
    for (let i = 0; i < n; i++) {
      let u = 0;
      const o = i * m;
      for (let j = 0; j < m; j++) u += Z[o + j] * b[j];
      eta[i] = u;
      // −log p = softplus(−u) for y = 1; −log(1 − p) = softplus(u) for y = 0
      nll += y[i] === 1 ? softplus(-u) : softplus(u);
    }
    nll /= n;
    let pen = 0;
    for (let j = 1; j < m; j++) pen += b[j] * b[j];
    return { f: nll + 0.5 * lambda * pen, nll };
  };
  let cur = objective(beta);
  const g = new Float64Array(m);
  const H = new Float64Array(m * m);
  let iterations = 0;
  let gradNorm = Number.POSITIVE_INFINITY;
  let converged = false;
  let reason = `stopped after ${maxIterations} Newton iterations`;
  for (; iterations < maxIterations; iterations++) {
    g.fill(0);
    H.fill(0);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(eta[i]);
      const r = p - y[i];
      const w = p * (1 - p);
      const o = i * m;
      for (let a = 0; a < m; a++) {
        const za = Z[o + a];
        g[a] += r * za;
        const wa = w * za;
        for (let c = 0; c <= a; c++) H[a * m + c] += wa * Z[o + c];
      }
    }
    for (let a = 0; a < m; a++) {
      g[a] /= n;
      if (a > 0) g[a] += lambda * beta[a];
      for (let c = 0; c <= a; c++) {
        H[a * m + c] /= n;
        H[c * m + a] = H[a * m + c];
      }
      // A tiny ridge on the intercept too keeps H positive definite under perfect separation.
      H[a * m + a] += a > 0 ? lambda : 1e-12;
    }
    gradNorm = 0;
    for (let a = 0; a < m; a++) gradNorm = Math.max(gradNorm, Math.abs(g[a]));
    if (gradNorm < gradTol) {
      converged = true;
      reason = 'gradient below tolerance';
      break;
    }
    const step = solveSpd(H, g, m);
    if (!step) {
      reason = 'the Hessian is not positive definite (add regularisation: a larger lambda)';
      break;
    }
    // Newton step with halving until the penalised objective does not increase.
    const next = new Float64Array(m);
    let t = 1;
    let accepted = false;
    for (let h = 0; h < 30; h++, t /= 2) {
      for (let a = 0; a < m; a++) next[a] = beta[a] - t * step[a];
      const trial = objective(next);
      if (trial.f <= cur.f + 1e-15) {
        beta.set(next);
        cur = trial;
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      // No decrease along the Newton direction: we are at the optimum to rounding.
      objective(beta);
      converged = gradNorm < 1e-5;
      reason = converged
        ? 'no further decrease (optimum reached to rounding)'
        : 'line search failed to decrease the objective';
      break;
    }
  }
  return Object.freeze({
    model: Object.freeze({
      kind: 'logistic' as const,
      features: Object.freeze([...features]),
      means: Object.freeze(Array.from(means)),
      scales: Object.freeze(Array.from(scales)),
      intercept: beta[0],
      coefficients: Object.freeze(Array.from(beta.subarray(1))),
      lambda,
    }),
    meanNll: cur.nll,
    iterations,
    converged,
    reason,
    gradNorm,
  });
}

/** The linear predictor (log-odds) of each row of `X` (row-major, the model's feature order). */
export function logisticLinearPredictor(model: LogisticModel, X: Float64Array): Float64Array {
  const k = model.features.length;
  const n = X.length / k;
  const out = new Float64Array(n);
  const w = Float64Array.from(model.coefficients, (b, j) => b / model.scales[j]);
  let c = model.intercept;
  for (let j = 0; j < k; j++) c -= w[j] * model.means[j];
  for (let i = 0; i < n; i++) {
    let u = c;
    const o = i * k;
    for (let j = 0; j < k; j++) u += w[j] * X[o + j];
    out[i] = u;
  }
  return out;
}

/** P(y = 1) for each row of `X`. */
export function logisticPredict(model: LogisticModel, X: Float64Array): Float64Array {
  const eta = logisticLinearPredictor(model, X);
  for (let i = 0; i < eta.length; i++) eta[i] = sigmoid(eta[i]);
  return eta;
}

export { sigmoid };
