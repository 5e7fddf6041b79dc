import { describe, expect, test } from 'vitest';
import { createRng } from '../random.js';
import { bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive, fitBgNbd } from './bg-nbd.js';
import { fitParetoNbd, paretoNbdConditionalExpectedPurchases } from './pareto-nbd.js';
import { compressRfm } from './rfm-rows.js';
import { simulateBgNbd, simulateParetoNbd } from './simulate.js';

function cohortT(n: number, seed: number): Float64Array {
  // First purchases spread over 12 weeks, calibration ends at week 39 (like CDNOW).
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => 39 - 12 * rng.next());
}

describe('parameter recovery on simulated customers', () => {
  test('BG/NBD recovers the parameters it was simulated from within 2 standard errors', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.8, b: 2.5 };
    const sim = simulateBgNbd(createRng(2026), truth, cohortT(20000, 1));
    const fit = fitBgNbd(compressRfm(sim.x, sim.tx, sim.T).rows);
    expect(fit.converged).toBe(true);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(fit.params[k] - truth[k]) / fit.stdErr[k]).toBeLessThan(2);
    }
  });

  test('Pareto/NBD recovers the parameters it was simulated from within 2 standard errors', () => {
    const truth = { r: 0.6, alpha: 10, s: 0.8, beta: 12 };
    const sim = simulateParetoNbd(createRng(7), truth, cohortT(10000, 2));
    const fit = fitParetoNbd(compressRfm(sim.x, sim.tx, sim.T).rows);
    expect(fit.converged).toBe(true);
    for (const k of ['r', 'alpha', 's', 'beta'] as const) {
      expect(Math.abs(fit.params[k] - truth[k]) / fit.stdErr[k]).toBeLessThan(2);
    }
  });
});

describe('conditional expectations against simulation (second method)', () => {
  test('BG/NBD: predicted holdout purchases match simulated ones overall and for heavy buyers', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.8, b: 2.5 };
    const sim = simulateBgNbd(createRng(11), truth, cohortT(40000, 3), 39);
    let predicted = 0;
    let actual = 0;
    let heavyPredicted = 0;
    let heavyActual = 0;
    for (let i = 0; i < sim.x.length; i++) {
      const e = bgNbdConditionalExpectedPurchases(truth, 39, sim.x[i], sim.tx[i], sim.T[i]);
      predicted += e;
      actual += sim.holdoutX[i];
      if (sim.x[i] >= 5) {
        heavyPredicted += e;
        heavyActual += sim.holdoutX[i];
      }
    }
    expect(predicted / actual).toBeGreaterThan(0.97);
    expect(predicted / actual).toBeLessThan(1.03);
    expect(heavyPredicted / heavyActual).toBeGreaterThan(0.95);
    expect(heavyPredicted / heavyActual).toBeLessThan(1.05);
  });

  test('BG/NBD: among customers with P(alive) below 5 %, at most that share buys again', () => {
    const truth = { r: 0.5, alpha: 6, a: 0.8, b: 2.5 };
    const sim = simulateBgNbd(createRng(12), truth, cohortT(40000, 4), 39);
    let n = 0;
    let buyers = 0;
    let meanAlive = 0;
    for (let i = 0; i < sim.x.length; i++) {
      const alive = bgNbdProbabilityAlive(truth, sim.x[i], sim.tx[i], sim.T[i]);
      if (alive < 0.05) {
        n++;
        meanAlive += alive;
        if (sim.holdoutX[i] > 0) buyers++;
      }
    }
    meanAlive /= n;
    expect(n).toBeGreaterThan(300);
    // Only customers still alive can buy: the buying share is below the mean P(alive) (+3 SE).
    expect(buyers / n).toBeLessThan(meanAlive + 3 * Math.sqrt((meanAlive * (1 - meanAlive)) / n));
  });

  test('Pareto/NBD: predicted holdout purchases match simulated ones overall and for heavy buyers', () => {
    const truth = { r: 0.6, alpha: 10, s: 0.8, beta: 12 };
    const sim = simulateParetoNbd(createRng(13), truth, cohortT(40000, 5), 39);
    let predicted = 0;
    let actual = 0;
    let heavyPredicted = 0;
    let heavyActual = 0;
    for (let i = 0; i < sim.x.length; i++) {
      const e = paretoNbdConditionalExpectedPurchases(truth, 39, sim.x[i], sim.tx[i], sim.T[i]);
      predicted += e;
      actual += sim.holdoutX[i];
      if (sim.x[i] >= 5) {
        heavyPredicted += e;
        heavyActual += sim.holdoutX[i];
      }
    }
    expect(predicted / actual).toBeGreaterThan(0.97);
    expect(predicted / actual).toBeLessThan(1.03);
    expect(heavyPredicted / heavyActual).toBeGreaterThan(0.95);
    expect(heavyPredicted / heavyActual).toBeLessThan(1.05);
  });
});

describe('fits that are not trustworthy say so', () => {
  test('with almost no dropout in the data, BG/NBD warns that the dropout parameter is poorly determined', () => {
    const truth = { r: 2, alpha: 4, s: 0.05, beta: 1000 };
    const sim = simulateParetoNbd(createRng(9), truth, cohortT(3000, 3));
    const fit = fitBgNbd(compressRfm(sim.x, sim.tx, sim.T).rows);
    expect(fit.warnings.some((w) => /^a = .* is poorly determined by these data/.test(w))).toBe(
      true,
    );
  });
});
