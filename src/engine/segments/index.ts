export * from './pareto.js';
export * from './rfm.js';
export * from './tiers.js';
