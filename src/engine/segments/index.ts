export * from './rfm.js';
