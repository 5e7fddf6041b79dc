import { describe, expect, test } from 'vitest';
import { createRng } from '../random.js';
import { fitBgNbd } from './bg-nbd.js';
import { fitParetoNbd } from './pareto-nbd.js';
import { compressRfm } from './rfm-rows.js';
import { simulateBgNbd, simulateParetoNbd } from './simulate.js';

function cohortT(n: number, seed: number): Float64Array {
  // First purchases spread over 12 weeks, calibration ends at week 39 (like CDNOW).
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => 39 - 12 * rng.next());
}

describe('parameter recovery on simulated customers', () => {
  test('BG/NBD recovers the parameters it was simulated from within 2.5 standard errors', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.8, b: 2.5 };
    const sim = simulateBgNbd(createRng(2026), truth, cohortT(20000, 1));
    const fit = fitBgNbd(compressRfm(sim.x, sim.tx, sim.T).rows);
    expect(fit.converged).toBe(true);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(fit.params[k] - truth[k]) / fit.stdErr[k]).toBeLessThan(2.5);
    }
  });

  test('Pareto/NBD recovers the parameters it was simulated from within 2.5 standard errors', () => {
    const truth = { r: 0.6, alpha: 10, s: 0.8, beta: 12 };
    // Pareto/NBD fits use finite-difference gradients, so this test uses a smaller cohort.
    const sim = simulateParetoNbd(createRng(7), truth, cohortT(4000, 2));
    const fit = fitParetoNbd(compressRfm(sim.x, sim.tx, sim.T).rows);
    expect(fit.converged).toBe(true);
    for (const k of ['r', 'alpha', 's', 'beta'] as const) {
      expect(Math.abs(fit.params[k] - truth[k]) / fit.stdErr[k]).toBeLessThan(2.5);
    }
  });
});
