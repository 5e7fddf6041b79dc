import { describe, expect, test } from 'vitest';
import {
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdLogA0,
  paretoNbdLogLik,
  paretoNbdLogLikGradient,
  paretoNbdLogLikOne,
  paretoNbdProbabilityAlive,
} from './pareto-nbd.js';
import { compressRfm } from './rfm-rows.js';

// CDNOW estimates (Fader, Hardie & Lee 2005 "RFM and CLV"), weeks.
const P = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };

// s/(r+s+x) · A0 = s ∫_tx^T (alpha+τ)^-(r+x) (beta+τ)^-(s+1) dτ, by composite Simpson.
function integralForm(p: typeof P, x: number, tx: number, T: number): number {
  const n = 20000;
  const h = (T - tx) / n;
  const f = (tau: number) => (p.alpha + tau) ** -(p.r + x) * (p.beta + tau) ** -(p.s + 1);
  let sum = f(tx) + f(T);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(tx + i * h);
  return (p.s * (sum * h)) / 3;
}

describe('Pareto/NBD', () => {
  test.each([
    { title: 'alpha < beta (CDNOW)', p: P, x: 2, tx: 30.43, T: 38.86 },
    { title: 'alpha > beta', p: { ...P, alpha: 20, beta: 3 }, x: 4, tx: 10, T: 38 },
    { title: 'alpha > beta, tx = 0', p: { ...P, alpha: 30, beta: 0.5 }, x: 0, tx: 0, T: 30 },
    { title: 'alpha = beta', p: { ...P, alpha: 7, beta: 7 }, x: 1, tx: 3, T: 20 },
  ])(
    'the 2F1 form of A0 agrees with direct quadrature of its integral ($title)',
    ({ p, x, tx, T }) => {
      const viaHyp = (p.s / (p.r + p.s + x)) * Math.exp(paretoNbdLogA0(p, x, tx, T));
      expect(viaHyp / integralForm(p, x, tx, T)).toBeCloseTo(1, 8);
    },
  );

  test('A0 vanishes when the last purchase is at the end of calibration (tx = T)', () => {
    expect(paretoNbdLogA0(P, 3, 20, 20)).toBe(Number.NEGATIVE_INFINITY);
    expect(paretoNbdProbabilityAlive(P, 3, 20, 20)).toBe(1);
  });

  test.each([
    { title: 'x = 1000, tx = T = 3650', x: 1000, tx: 3650, T: 3650 },
    { title: 'x = 1000, tx = 1, T = 3650', x: 1000, tx: 1, T: 3650 },
    { title: 'x = 200, tx = 100, T = 3650', x: 200, tx: 100, T: 3650 },
    { title: 'x = 0, T = 3650', x: 0, tx: 0, T: 3650 },
  ])('log-likelihood, P(alive) and expectations stay finite for $title', ({ x, tx, T }) => {
    for (const p of [P, { ...P, alpha: 40, beta: 2 }]) {
      expect(Number.isFinite(paretoNbdLogLikOne(p, x, tx, T))).toBe(true);
      const alive = paretoNbdProbabilityAlive(p, x, tx, T);
      expect(alive).toBeGreaterThanOrEqual(0);
      expect(alive).toBeLessThanOrEqual(1);
      expect(Number.isFinite(paretoNbdConditionalExpectedPurchases(p, 52, x, tx, T))).toBe(true);
    }
  });

  test('a heavy buyer who stopped long ago is almost surely inactive (CLVTools #100: no NaN)', () => {
    const alive = paretoNbdProbabilityAlive(P, 200, 100, 3650);
    expect(alive).toBeGreaterThanOrEqual(0);
    expect(alive).toBeLessThan(1e-10);
  });

  test('expected purchases of a new customer are continuous at s = 1', () => {
    const at = (s: number) => paretoNbdExpectedPurchases({ ...P, s }, 39);
    expect(at(1)).toBeCloseTo(at(1 + 1e-8), 6);
    expect(at(1)).toBeCloseTo(at(1 - 1e-8), 6);
  });
});

describe('Pareto/NBD analytic gradient', () => {
  test.each([
    { title: 'alpha < beta', p: P },
    { title: 'alpha > beta', p: { ...P, alpha: 20, beta: 3 } },
    { title: 'alpha ≈ beta', p: { r: 1.5, alpha: 5, s: 2.2, beta: 5.0000001 } },
  ])('matches central finite differences ($title), including a row with tx = T', ({ p }) => {
    const c = compressRfm(
      [0, 1, 3, 7, 0, 2, 5],
      [0, 4, 20, 30, 0, 1, 40],
      [30, 31, 32, 33, 10, 40, 40],
    );
    const grad = new Float64Array(4);
    paretoNbdLogLikGradient(p, c.rows, grad);
    (['r', 'alpha', 's', 'beta'] as const).forEach((k, i) => {
      const h = 1e-6 * p[k];
      const fd =
        (paretoNbdLogLik({ ...p, [k]: p[k] + h }, c.rows) -
          paretoNbdLogLik({ ...p, [k]: p[k] - h }, c.rows)) /
        (2 * h);
      expect(grad[i]).toBeCloseTo(fd, 4);
    });
  });
});
