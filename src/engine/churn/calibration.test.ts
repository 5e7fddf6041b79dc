import { describe, expect, test } from 'vitest';
import { createRng, sampleBernoulli, sampleNormal } from '../random.js';
import { calibrate, fitIsotonic, fitPlatt } from './calibration.js';
import { sigmoid } from './logistic.js';

describe('calibration', () => {
  test('Platt scaling recovers the slope and offset of mis-scaled log-odds', () => {
    const rng = createRng(5);
    const n = 30_000;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = sampleNormal(rng, 0, 2);
      // the truth is σ(0.5 s − 1): the raw score is twice too confident and biased
      y[i] = sampleBernoulli(rng, sigmoid(0.5 * s[i] - 1)) ? 1 : 0;
    }
    const c = fitPlatt(s, y);
    expect(c.A).toBeCloseTo(0.5, 1);
    expect(c.B).toBeCloseTo(-1, 1);
    expect(calibrate(c, 2)).toBeCloseTo(sigmoid(0), 1);
  });

  test('Platt target smoothing keeps probabilities inside (0, 1) on a separable slice', () => {
    const c = fitPlatt([-3, -2, 2, 3], [0, 0, 1, 1]);
    expect(calibrate(c, 10)).toBeLessThan(1);
    expect(calibrate(c, -10)).toBeGreaterThan(0);
  });

  test('isotonic regression pools adjacent violators into a non-decreasing step function', () => {
    // scores 1..6 with labels 0 1 0 1 1 1: the violator (1 then 0) pools to 0.5
    const c = fitIsotonic([1, 2, 3, 4, 5, 6], [0, 1, 0, 1, 1, 1]);
    expect([...c.values]).toEqual([0, 0.5, 1]);
    expect(calibrate(c, 1)).toBe(0);
    expect(calibrate(c, 2.5)).toBe(0.5);
    expect(calibrate(c, 99)).toBe(1);
    for (let k = 1; k < c.values.length; k++)
      expect(c.values[k]).toBeGreaterThanOrEqual(c.values[k - 1]);
  });

  test('isotonic regression keeps tied scores in one block', () => {
    const c = fitIsotonic([1, 1, 2], [0, 1, 1]);
    expect(calibrate(c, 1)).toBe(0.5);
  });

  test('refuses scores and labels of different lengths', () => {
    expect(() => fitPlatt([1, 2], [1])).toThrow('labels: expected 2 (one per score), got 1');
  });
});
