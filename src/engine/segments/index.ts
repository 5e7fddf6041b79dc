/**
 * Segmentation (issue 5, SPEC.md §5): RFM scores and named segments (rfm.ts), the customer
 * pyramid (tiers.ts), Pareto / whale curves (pareto.ts), k-means (kmeans.ts) and profiled,
 * archetype-labelled clusters (clusters.ts), and the segment rule language (segment-rule.ts;
 * compiled to SQL in src/store/segment-sql.ts).
 */
export * from './clusters.js';
export * from './kmeans.js';
export * from './pareto.js';
export * from './rfm.js';
export * from './segment-rule.js';
export * from './settings.js';
export * from './tiers.js';
