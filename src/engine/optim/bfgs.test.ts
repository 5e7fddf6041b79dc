import { describe, expect, test } from 'vitest';
import { invertSpd, minimizeBfgs, numericHessian } from './bfgs.js';

const rosenbrock = (t: Float64Array) => (1 - t[0]) ** 2 + 100 * (t[1] - t[0] ** 2) ** 2;

describe('minimizeBfgs', () => {
  test('finds the minimum of the Rosenbrock valley from the classic start', () => {
    const res = minimizeBfgs(rosenbrock, [-1.2, 1]);
    expect(res.converged).toBe(true);
    expect(res.theta[0]).toBeCloseTo(1, 4);
    expect(res.theta[1]).toBeCloseTo(1, 4);
  });

  test('says it did not converge when the objective has no minimum', () => {
    const res = minimizeBfgs((t) => t[0], [0], { maxIterations: 20 });
    expect(res.converged).toBe(false);
    expect(res.reason).toMatch(/no convergence after 20 iterations|line search|still large/);
  });

  test('says so when the start is outside the domain', () => {
    const res = minimizeBfgs((t) => Math.log(-t[0]), [1]);
    expect(res.converged).toBe(false);
    expect(res.reason).toBe('the objective is not finite at the starting point');
  });

  test('backs off from non-finite regions instead of returning NaN', () => {
    const res = minimizeBfgs((t) => (t[0] > 3 ? Number.NaN : (t[0] - 2) ** 2), [0]);
    expect(res.converged).toBe(true);
    expect(res.theta[0]).toBeCloseTo(2, 5);
  });
});

describe('numericHessian and invertSpd', () => {
  test('recover the covariance of a quadratic form', () => {
    const f = (t: Float64Array) => 2 * t[0] ** 2 + t[0] * t[1] + t[1] ** 2;
    const H = numericHessian(f, Float64Array.from([0.3, -0.2]));
    expect(H[0]).toBeCloseTo(4, 5);
    expect(H[1]).toBeCloseTo(1, 5);
    expect(H[3]).toBeCloseTo(2, 5);
    const inv = invertSpd(H, 2);
    expect(inv).not.toBeNull();
    expect(inv?.[0]).toBeCloseTo(2 / 7, 5);
    expect(inv?.[1]).toBeCloseTo(-1 / 7, 5);
  });

  test('refuses a matrix that is not positive definite', () => {
    expect(invertSpd(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull();
  });
});
