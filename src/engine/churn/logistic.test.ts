import { describe, expect, test } from 'vitest';
import { createRng, sampleBernoulli, sampleNormal } from '../random.js';
import { fitLogistic, logisticPredict, sigmoid } from './logistic.js';

function simulate(n: number, beta: number[], intercept: number, seed: number) {
  const rng = createRng(seed);
  const k = beta.length;
  const X = new Float64Array(n * k);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let u = intercept;
    for (let j = 0; j < k; j++) {
      const x = sampleNormal(rng, j, 2);
      X[i * k + j] = x;
      u += beta[j] * x;
    }
    y[i] = sampleBernoulli(rng, sigmoid(u)) ? 1 : 0;
  }
  return { X, y };
}

describe('logistic regression (Newton / IRLS, ridge)', () => {
  test('recovers the coefficients that generated the data', () => {
    const beta = [0.8, -0.5, 0];
    const { X, y } = simulate(40_000, beta, -0.3, 11);
    const fit = fitLogistic(X, y, ['a', 'b', 'c'], { lambda: 0 });
    expect(fit.converged).toBe(true);
    // standardised coefficients back to the raw scale: β_raw = β_std / s
    const raw = fit.model.coefficients.map((b, j) => b / fit.model.scales[j]);
    expect(raw[0]).toBeCloseTo(0.8, 1);
    expect(raw[1]).toBeCloseTo(-0.5, 1);
    expect(Math.abs(raw[2])).toBeLessThan(0.05);
    let icpt = fit.model.intercept;
    for (let j = 0; j < 3; j++) icpt -= raw[j] * fit.model.means[j];
    expect(icpt).toBeCloseTo(-0.3, 1);
    expect(fit.iterations).toBeLessThan(15);
  });

  test('a larger ridge penalty shrinks the coefficients toward zero', () => {
    const { X, y } = simulate(5000, [1, -1], 0, 3);
    const loose = fitLogistic(X, y, ['a', 'b'], { lambda: 0 });
    const tight = fitLogistic(X, y, ['a', 'b'], { lambda: 1 });
    expect(Math.abs(tight.model.coefficients[0])).toBeLessThan(
      Math.abs(loose.model.coefficients[0]) / 2,
    );
  });

  test('with uninformative features the prediction is the base rate', () => {
    const X = new Float64Array([1, 1, 1, 1, 1, 1, 1, 1]);
    const y = [1, 0, 0, 0, 1, 0, 0, 0];
    const fit = fitLogistic(X, y, ['const']);
    const p = logisticPredict(fit.model, new Float64Array([1]));
    expect(p[0]).toBeCloseTo(0.25, 6);
  });

  test('perfectly separated data still converges under the ridge penalty', () => {
    const X = new Float64Array([-2, -1, 1, 2]);
    const fit = fitLogistic(X, [0, 0, 1, 1], ['x'], { lambda: 0.01 });
    expect(fit.converged).toBe(true);
    expect(Number.isFinite(fit.model.coefficients[0])).toBe(true);
  });

  test.each([
    { title: 'one class only', y: [0, 0], X: [1, 2], message: 'every label is 0' },
    {
      title: 'a label that is not 0/1',
      y: [0, 2],
      X: [1, 2],
      message: 'y[1]: expected 0 or 1, got 2',
    },
    { title: 'a matrix of the wrong size', y: [0, 1], X: [1], message: 'X: expected 2 rows' },
  ])('refuses $title', ({ y, X, message }) => {
    expect(() => fitLogistic(Float64Array.from(X), y, ['x'])).toThrow(message);
  });
});
