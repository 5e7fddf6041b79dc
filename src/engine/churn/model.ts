/**
 * The churn model as a whole (issue 6 §1): a regularised logistic regression on the features of
 * `features.ts`, trained on rows from several earlier as-of dates, its probabilities calibrated
 * by Platt scaling on a held-out slice of customers; or, when the history is too short to train,
 * the value engine's 1 − P(alive) (said so in `note`).
 */
import { InputError } from '../../errors.js';
import { type Calibration, calibrate, fitPlatt } from './calibration.js';
import { CHURN_FEATURES, FEATURE_COUNT } from './features.js';
import {
  fitLogistic,
  type LogisticFit,
  type LogisticModel,
  logisticLinearPredictor,
} from './logistic.js';
import { type ChurnMetrics, churnMetrics } from './metrics.js';

export type ChurnModel =
  | {
      readonly kind: 'logistic';
      readonly logistic: LogisticModel;
      readonly calibration: Calibration;
    }
  | { readonly kind: 'fallback'; readonly note: string };

export interface TrainOptions {
  /** ridge penalty (default 1e-3) */
  readonly lambda?: number;
  /** rows used for calibration instead of training (true) */
  readonly holdout: ArrayLike<boolean | number>;
  /** fewest churners and fewest retained customers to train on (default 20 each) */
  readonly minClassRows?: number;
}

export interface TrainReport {
  readonly model: ChurnModel;
  readonly fit: Omit<LogisticFit, 'model'> | null;
  readonly trainRows: number;
  readonly calibrationRows: number;
  /** metrics of the calibrated model on the held-out slice */
  readonly holdoutMetrics: ChurnMetrics | null;
}

/** Trains on `X` (row-major, CHURN_FEATURES order) with 0/1 labels `y`. */
export function trainChurnModel(
  X: Float64Array,
  y: ArrayLike<number>,
  options: TrainOptions,
): TrainReport {
  const n = y.length;
  if (X.length !== n * FEATURE_COUNT) {
    throw new InputError(`X: expected ${n} × ${FEATURE_COUNT} values, got ${X.length}`, {
      field: 'X',
    });
  }
  const minClass = options.minClassRows ?? 20;
  const trainIdx: number[] = [];
  const calIdx: number[] = [];
  for (let i = 0; i < n; i++) (options.holdout[i] ? calIdx : trainIdx).push(i);
  const count = (idx: number[]) => {
    let pos = 0;
    for (const i of idx) pos += y[i];
    return { pos, neg: idx.length - pos };
  };
  const tr = count(trainIdx);
  const cal = count(calIdx);
  if (Math.min(tr.pos, tr.neg, cal.pos, cal.neg) < minClass) {
    return Object.freeze({
      model: Object.freeze({
        kind: 'fallback' as const,
        note: `too little history to train a churn model (training: ${tr.pos} churned / ${tr.neg} retained, calibration: ${cal.pos} / ${cal.neg}; at least ${minClass} of each needed): risk is 1 − P(alive) from the value model`,
      }),
      fit: null,
      trainRows: trainIdx.length,
      calibrationRows: calIdx.length,
      holdoutMetrics: null,
    });
  }
  const take = (idx: number[]) => {
    const out = new Float64Array(idx.length * FEATURE_COUNT);
    for (let r = 0; r < idx.length; r++) {
      const i = idx[r];
      out.set(X.subarray(i * FEATURE_COUNT, (i + 1) * FEATURE_COUNT), r * FEATURE_COUNT);
    }
    return out;
  };
  const Xtr = take(trainIdx);
  const ytr = Float64Array.from(trainIdx, (i) => y[i]);
  const fit = fitLogistic(Xtr, ytr, CHURN_FEATURES, { lambda: options.lambda ?? 1e-3 });
  const Xcal = take(calIdx);
  const ycal = Float64Array.from(calIdx, (i) => y[i]);
  const eta = logisticLinearPredictor(fit.model, Xcal);
  const calibration = fitPlatt(eta, ycal);
  const model: ChurnModel = Object.freeze({
    kind: 'logistic' as const,
    logistic: fit.model,
    calibration,
  });
  const pCal = Float64Array.from(eta, (u) => calibrate(calibration, u));
  const { model: _m, ...fitInfo } = fit;
  return Object.freeze({
    model,
    fit: fitInfo,
    trainRows: trainIdx.length,
    calibrationRows: calIdx.length,
    holdoutMetrics: churnMetrics(pCal, ycal),
  });
}

/**
 * Calibrated churn probability of each row; for the fallback model, 1 − P(alive) (the first
 * feature). Throws when a stored model's features differ from this version's.
 */
export function scoreChurn(model: ChurnModel, X: Float64Array): Float64Array {
  const n = X.length / FEATURE_COUNT;
  if (model.kind === 'fallback') {
    return Float64Array.from({ length: n }, (_, i) => 1 - X[i * FEATURE_COUNT]);
  }
  const f = model.logistic.features;
  if (f.length !== FEATURE_COUNT || f.some((name, j) => name !== CHURN_FEATURES[j])) {
    throw new InputError(
      'the stored churn model was trained on other features than this version computes: retrain it (tenure analyze)',
      { field: 'features' },
    );
  }
  const eta = logisticLinearPredictor(model.logistic, X);
  for (let i = 0; i < n; i++) eta[i] = calibrate(model.calibration, eta[i]);
  return eta;
}
