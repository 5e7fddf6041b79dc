/**
 * Churn early warning (SPEC §6, issue 6): features and reasons, logistic regression, calibration,
 * backtest metrics, warning levels with the alert episode, survival and cohort analysis.
 */
export * from './calibration.js';
export * from './features.js';
export * from './logistic.js';
export * from './metrics.js';
export * from './model.js';
export * from './survival.js';
export * from './warning.js';
