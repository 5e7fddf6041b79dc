/**
 * Unconstrained minimisation by BFGS (Nocedal & Wright 2006, "Numerical Optimization", 2nd ed.,
 * Algorithm 6.1) with a backtracking line search that enforces the Armijo condition (ibid.,
 * Algorithm 3.1, c1 = 1e-4) and skips the update when the curvature condition y·s > 0 fails,
 * so the inverse-Hessian estimate stays positive definite. The first step rescales the
 * initial inverse Hessian by y·s / y·y (ibid., eq. 6.20).
 *
 * Gradients are analytic when the caller supplies them, otherwise central finite differences
 * (ibid., eq. 8.7) with step 1e-5 · max(1, |x_i|):
 * truncation and rounding errors are both about 1e-10 for an objective of order one, which
 * is why the models minimise the *mean* negative log-likelihood over log-parameters.
 *
 * Non-finite objective values (parameters outside the model's domain, a special function
 * that did not converge) are treated as "too far": the line search backtracks from them.
 */

export type Objective = (theta: Float64Array) => number;

/** Writes ∂f/∂θ at `theta` into `out` (an analytic gradient, when the model has one). */
export type Gradient = (theta: Float64Array, out: Float64Array) => void;

export interface MinimizeOptions {
  /** stop when the largest absolute gradient component is below this (default 1e-7) */
  gradTol?: number;
  /** maximum BFGS iterations (default 500) */
  maxIterations?: number;
  /** analytic gradient; central finite differences when absent */
  gradient?: Gradient;
}

export interface MinimizeResult {
  readonly theta: Float64Array;
  readonly f: number;
  readonly gradNorm: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly reason: string;
}

function safeEval(f: Objective, theta: Float64Array): number {
  try {
    const v = f(theta);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Central-difference gradient of `f` at `theta`, written into `out` (step 1e-5 · max(1, |θ_i|)). */
export function numericGradient(
  f: Objective,
  theta: Float64Array,
  out: Float64Array = new Float64Array(theta.length),
): Float64Array {
  const probe = Float64Array.from(theta);
  for (let i = 0; i < theta.length; i++) {
    const h = 1e-5 * Math.max(1, Math.abs(theta[i]));
    probe[i] = theta[i] + h;
    const up = safeEval(f, probe);
    probe[i] = theta[i] - h;
    const down = safeEval(f, probe);
    probe[i] = theta[i];
    out[i] = (up - down) / (2 * h);
  }
  return out;
}

/** Central second-difference Hessian of `f` at `theta` (step 1e-4 · max(1, |θ_i|)), row-major. */
export function numericHessian(f: Objective, theta: Float64Array): Float64Array {
  const n = theta.length;
  const H = new Float64Array(n * n);
  const p = Float64Array.from(theta);
  const f0 = safeEval(f, theta);
  const h = Array.from(theta, (t) => 1e-4 * Math.max(1, Math.abs(t)));
  const at = (i: number, di: number, j: number, dj: number): number => {
    p[i] += di;
    p[j] += dj;
    const v = safeEval(f, p);
    p[i] = theta[i];
    p[j] = theta[j];
    return v;
  };
  for (let i = 0; i < n; i++) {
    H[i * n + i] = (at(i, h[i], i, 0) - 2 * f0 + at(i, -h[i], i, 0)) / (h[i] * h[i]);
    for (let j = 0; j < i; j++) {
      const v =
        (at(i, h[i], j, h[j]) -
          at(i, h[i], j, -h[j]) -
          at(i, -h[i], j, h[j]) +
          at(i, -h[i], j, -h[j])) /
        (4 * h[i] * h[j]);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return H;
}

/** Hessian as central differences of an analytic gradient (step 1e-5 · max(1, |θ_i|)), symmetrised. */
export function numericHessianFromGradient(gradient: Gradient, theta: Float64Array): Float64Array {
  const n = theta.length;
  const H = new Float64Array(n * n);
  const p = Float64Array.from(theta);
  const up = new Float64Array(n);
  const down = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = 1e-5 * Math.max(1, Math.abs(theta[i]));
    p[i] = theta[i] + h;
    gradient(p, up);
    p[i] = theta[i] - h;
    gradient(p, down);
    p[i] = theta[i];
    for (let j = 0; j < n; j++) H[i * n + j] = (up[j] - down[j]) / (2 * h);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (H[i * n + j] + H[j * n + i]);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return H;
}

/**
 * Inverse of a symmetric positive-definite matrix (row-major) via Cholesky factorisation;
 * null when the matrix is not positive definite (or not finite).
 */
export function invertSpd(A: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return null;
        L[i * n + i] = Math.sqrt(s);
      } else {
        L[i * n + j] = s / L[j * n + j];
      }
    }
  }
  // Invert L (lower triangular), then A^-1 = L^-T L^-1.
  const Li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    Li[i * n + i] = 1 / L[i * n + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[i * n + k] * Li[k * n + j];
      Li[i * n + j] = s / L[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += Li[k * n + i] * Li[k * n + j];
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}

/**
 * Minimise `f` from `theta0` by BFGS with an Armijo backtracking line search and
 * finite-difference gradients. Never throws for a bad objective: the result says whether it
 * converged and, if not, why.
 */
export function minimizeBfgs(
  f: Objective,
  theta0: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const gradTol = options.gradTol ?? 1e-7;
  const maxIterations = options.maxIterations ?? 500;
  const n = theta0.length;
  const gradient: Gradient =
    options.gradient ??
    ((theta: Float64Array, out: Float64Array) => numericGradient(f, theta, out));
  const grad = (theta: Float64Array, out: Float64Array) => {
    try {
      gradient(theta, out);
    } catch {
      out.fill(Number.NaN);
    }
    return out;
  };
  const x = Float64Array.from(theta0);
  let fx = safeEval(f, x);
  const done = (iterations: number, converged: boolean, reason: string, g: Float64Array) =>
    Object.freeze({
      theta: x,
      f: fx,
      gradNorm: maxAbs(g),
      iterations,
      converged,
      reason,
    });
  let g = grad(x, new Float64Array(n));
  if (!Number.isFinite(fx)) {
    return done(0, false, 'the objective is not finite at the starting point', g);
  }
  const Hinv = identity(n);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  let firstUpdate = true;
  let stalled = 0;
  for (let iter = 0; iter < maxIterations; iter++) {
    if (maxAbs(g) < gradTol) return done(iter, true, 'gradient below tolerance', g);
    // d = -Hinv g
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= Hinv[i * n + j] * g[j];
      d[i] = v;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (rounding): restart from steepest descent.
      resetIdentity(Hinv, n);
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
      firstUpdate = true;
    }
    // Cap the step so a log-parameter moves at most 5 per iteration (a factor e^5).
    let step = Math.min(1, 5 / Math.max(maxAbs(d), 1e-300));
    let fNew = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = safeEval(f, xNew);
      if (fNew <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      if (maxAbs(g) < 1e-4) {
        return done(
          iter,
          true,
          'no further decrease possible; gradient small (finite-difference noise level)',
          g,
        );
      }
      if (!firstUpdate) {
        resetIdentity(Hinv, n);
        firstUpdate = true;
        continue;
      }
      return done(iter, false, 'line search failed to decrease the objective', g);
    }
    grad(xNew, gNew);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const fOld = fx;
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    stalled = Math.abs(fOld - fx) <= 1e-15 * (1 + Math.abs(fx)) ? stalled + 1 : 0;
    if (stalled >= 3) {
      const small = maxAbs(g) < 1e-4;
      return done(
        iter + 1,
        small,
        small
          ? 'objective stopped changing; gradient small (finite-difference noise level)'
          : 'objective stopped changing while the gradient is still large',
        g,
      );
    }
    const ys = dot(y, s);
    if (ys > 1e-12 * Math.sqrt(dot(y, y) * dot(s, s))) {
      if (firstUpdate) {
        resetIdentity(Hinv, n, ys / dot(y, y));
        firstUpdate = false;
      }
      bfgsUpdate(Hinv, n, s, y, ys);
    }
  }
  g = grad(x, g);
  return done(maxIterations, false, `no convergence after ${maxIterations} iterations`, g);
}

function bfgsUpdate(H: Float64Array, n: number, s: Float64Array, y: Float64Array, ys: number) {
  // Nocedal & Wright eq. (6.17): H+ = (I - ρ s yᵀ) H (I - ρ y sᵀ) + ρ s sᵀ, ρ = 1 / yᵀs.
  const rho = 1 / ys;
  const Hy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += H[i * n + j] * y[j];
    Hy[i] = v;
  }
  const yHy = dot(y, Hy);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      H[i * n + j] += -rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
    }
  }
}

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  resetIdentity(m, n);
  return m;
}

function resetIdentity(m: Float64Array, n: number, scale = 1) {
  m.fill(0);
  for (let i = 0; i < n; i++) m[i * n + i] = scale;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (!(v <= m)) m = v;
  }
  return m;
}
