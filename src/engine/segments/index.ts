export * from './clusters.js';
export * from './kmeans.js';
export * from './pareto.js';
export * from './rfm.js';
export * from './segment-rule.js';
export * from './tiers.js';
