/**
 * Maximum-likelihood fitting over log-parameters, shared by every model.
 *
 * Each model supplies its negative log-likelihood as a function of θ = log(parameters) on
 * rescaled data (time divided by a scale so it is O(1)); natural parameters are
 * exp(θ_k) · scale_k. The harness minimises the mean negative log-likelihood by BFGS from
 * several starts, keeps the best, and takes standard errors from the numerical Hessian (second
 * differences of the objective, or first differences of the analytic gradient) of
 * the total negative log-likelihood in θ: Var(θ) = H⁻¹, and by the delta method
 * SE(param_k) = param_k · √Var(θ_k). A fit whose Hessian is not positive definite (a
 * parameter not identified by the data) is reported as not converged.
 */
import { ModelError } from '../../errors.js';
import { invertSpd, minimizeBfgs, numericHessian, numericHessianFromGradient } from './bfgs.js';

export interface FitResult<P> {
  /** maximum-likelihood estimates, in the data's own units */
  readonly params: Readonly<P>;
  /** asymptotic standard errors (delta method from the Hessian in log-parameters); NaN when not available */
  readonly stdErr: Readonly<P>;
  /** log-likelihood at the estimates, in the data's own units */
  readonly logLik: number;
  readonly aic: number;
  readonly bic: number;
  /** number of observations (customers, or the sum of row weights) */
  readonly nObs: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** in plain words why the optimiser stopped, or why the fit is not trustworthy */
  readonly reason: string;
  /** largest absolute gradient component of the mean negative log-likelihood in log-parameters */
  readonly gradNorm: number;
  /** plain-language cautions about a converged fit (poorly determined parameters, …) */
  readonly warnings: readonly string[];
}

export interface LogParamProblem<P> {
  readonly names: readonly (keyof P & string)[];
  /** total negative log-likelihood at θ = log(parameters on the rescaled data) */
  readonly nll: (theta: Float64Array) => number;
  /** optional analytic gradient of `nll` with respect to θ, written into `out` */
  readonly nllGradient?: (theta: Float64Array, out: Float64Array) => void;
  /** natural parameter k = exp(θ_k) · scale[k] */
  readonly scale: readonly number[];
  /** starting points in θ */
  readonly starts: readonly (readonly number[])[];
  readonly nObs: number;
  /** log-likelihood at natural parameters on the data's own units */
  readonly logLik: (params: P) => number;
}

/** Fit a model by maximum likelihood over log-parameters from several starts (see file header). */
export function fitLogParams<P>(problem: LogParamProblem<P>): FitResult<P> {
  const { names, nll, scale, starts, nObs } = problem;
  const k = names.length;
  const mean = (theta: Float64Array) => nll(theta) / nObs;
  const nllGradient = problem.nllGradient;
  const gradient =
    nllGradient === undefined
      ? undefined
      : (theta: Float64Array, out: Float64Array) => {
          nllGradient(theta, out);
          for (let i = 0; i < out.length; i++) out[i] /= nObs;
        };
  let best: ReturnType<typeof minimizeBfgs> | null = null;
  let totalIterations = 0;
  const finals: number[] = [];
  const failedStarts: string[] = [];
  for (const start of starts) {
    let res: ReturnType<typeof minimizeBfgs>;
    try {
      res = minimizeBfgs(mean, start, { gradient });
    } catch (error) {
      // A special function that cannot be evaluated where a start led (e.g. 2F1 with z → 1 at
      // runaway parameters) ends that start, not the fit.
      if (!(error instanceof ModelError)) throw error;
      failedStarts.push(error.message);
      continue;
    }
    totalIterations += res.iterations;
    if (res.converged) finals.push(res.f);
    if (best === null || (Number.isFinite(res.f) && (res.f < best.f || !Number.isFinite(best.f)))) {
      best = res;
    }
  }
  if (best === null) {
    throw new ModelError(
      starts.length === 0
        ? 'no starting point given'
        : `every starting point failed: ${failedStarts[0]}`,
      { field: 'starts' },
    );
  }
  const theta = best.theta;
  const params = {} as Record<string, number>;
  for (let i = 0; i < k; i++) params[names[i]] = Math.exp(theta[i]) * scale[i];
  let converged = best.converged;
  let reason = best.reason;
  const stdErr = {} as Record<string, number>;
  for (const name of names) stdErr[name] = Number.NaN;
  if (Number.isFinite(best.f)) {
    let H: Float64Array | null = null;
    try {
      H =
        gradient === undefined
          ? numericHessian(mean, theta)
          : numericHessianFromGradient(gradient, theta);
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      converged = false;
      reason = `${reason}, but the Hessian could not be computed at the optimum (${error.message})`;
    }
    if (H) for (let i = 0; i < H.length; i++) H[i] *= nObs;
    const cov = H ? invertSpd(H, k) : null;
    if (!H) {
      // reported above
    } else if (cov === null) {
      converged = false;
      reason = `${reason}, but the Hessian is not positive definite at the optimum, so some parameter is not identified by these data`;
    } else {
      for (let i = 0; i < k; i++) stdErr[names[i]] = params[names[i]] * Math.sqrt(cov[i * k + i]);
    }
  }
  for (const name of names) {
    if (!Number.isFinite(params[name]) || params[name] <= 0) {
      converged = false;
      reason = `${reason}; parameter ${name} ran off to ${params[name]}`;
    }
  }
  const warnings: string[] = [];
  for (const name of names) {
    if (stdErr[name] > params[name]) {
      warnings.push(
        `${name} = ${params[name].toPrecision(3)} is poorly determined by these data (standard error ${stdErr[name].toPrecision(3)} exceeds the estimate)`,
      );
    }
  }
  const worse = finals.filter((f) => f > best.f + 1e-6).length;
  if (worse > 0) {
    warnings.push(
      `${worse} of ${starts.length} starting points stopped at a worse local optimum; the best one is reported`,
    );
  }
  const typed = params as P;
  const logLik = Number.isFinite(best.f) ? problem.logLik(typed) : Number.NaN;
  return Object.freeze({
    params: Object.freeze(typed),
    stdErr: Object.freeze(stdErr as P),
    logLik,
    aic: 2 * k - 2 * logLik,
    bic: k * Math.log(nObs) - 2 * logLik,
    nObs,
    iterations: totalIterations,
    converged,
    reason,
    gradNorm: best.gradNorm,
    warnings: Object.freeze(warnings),
  });
}

/** Throw a ModelError unless the fit converged; returns the fit for chaining. */
export function assertConverged<P>(fit: FitResult<P>, model: string): FitResult<P> {
  if (!fit.converged) {
    throw new ModelError(`${model} fit did not converge: ${fit.reason}`, {
      iterations: fit.iterations,
      gradNorm: fit.gradNorm,
    });
  }
  return fit;
}
