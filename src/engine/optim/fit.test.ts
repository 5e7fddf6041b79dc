import { describe, expect, test } from 'vitest';
import { ModelError } from '../../errors.js';
import { assertConverged, fitLogParams } from './fit.js';

// A normal sample's mean and standard deviation, fitted over log-parameters.
const data = [2.1, 2.9, 3.4, 1.8, 2.6, 3.1, 2.2, 2.8];
const n = data.length;
const mean = data.reduce((a, b) => a + b, 0) / n;
const sd = Math.sqrt(data.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
const normalLl = (mu: number, sigma: number) =>
  data.reduce(
    (acc, v) =>
      acc - 0.5 * Math.log(2 * Math.PI * sigma * sigma) - (v - mu) ** 2 / (2 * sigma * sigma),
    0,
  );

describe('fitLogParams', () => {
  test('finds the maximum-likelihood estimates and their textbook standard errors', () => {
    const fit = fitLogParams<{ mu: number; sigma: number }>({
      names: ['mu', 'sigma'],
      scale: [1, 1],
      nObs: n,
      starts: [
        [0, 0],
        [1, -1],
      ],
      nll: (t) => -normalLl(Math.exp(t[0]), Math.exp(t[1])),
      logLik: (p) => normalLl(p.mu, p.sigma),
    });
    expect(fit.converged).toBe(true);
    expect(fit.params.mu).toBeCloseTo(mean, 6);
    expect(fit.params.sigma).toBeCloseTo(sd, 6);
    // MLE standard errors: σ/√n for the mean, σ/√(2n) for σ.
    expect(fit.stdErr.mu).toBeCloseTo(sd / Math.sqrt(n), 4);
    expect(fit.stdErr.sigma).toBeCloseTo(sd / Math.sqrt(2 * n), 4);
    expect(fit.aic).toBeCloseTo(4 - 2 * fit.logLik, 10);
    expect(fit.bic).toBeCloseTo(2 * Math.log(n) - 2 * fit.logLik, 10);
    expect(fit.warnings).toEqual([]);
  });

  test('a parameter the data do not identify makes the fit say it did not converge', () => {
    const fit = fitLogParams<{ a: number; b: number }>({
      names: ['a', 'b'],
      scale: [1, 1],
      nObs: n,
      starts: [[0, 0]],
      // Only the product a·b enters the likelihood.
      nll: (t) => -normalLl(Math.exp(t[0] + t[1]), sd),
      logLik: (p) => normalLl(p.a * p.b, sd),
    });
    expect(fit.converged).toBe(false);
    expect(fit.reason).toMatch(/not identified/);
    expect(Number.isNaN(fit.stdErr.a)).toBe(true);
    expect(() => assertConverged(fit, 'test model')).toThrow(ModelError);
    expect(() => assertConverged(fit, 'test model')).toThrow(/^test model fit did not converge: /);
  });
});
