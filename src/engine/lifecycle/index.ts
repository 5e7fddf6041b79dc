/** Lifecycle stages (SPEC §3, issue 4): stage models as data, evaluation, analysis, playbooks. */
export * from './analysis.js';
export * from './evaluate.js';
export * from './history.js';
export * from './model.js';
export * from './playbooks.js';
export * from './trajectory.js';
