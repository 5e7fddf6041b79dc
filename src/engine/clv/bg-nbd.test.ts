import { describe, expect, test } from 'vitest';
import { lbeta } from '../special/lgamma.js';
import {
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdLogLik,
  bgNbdLogLikGradient,
  bgNbdLogLikOne,
  bgNbdProbabilityAlive,
  fitBgNbd,
} from './bg-nbd.js';
import { compressRfm } from './rfm-rows.js';

// CDNOW estimates (Fader, Hardie & Lee 2005), weeks.
const P = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('BG/NBD', () => {
  test('P(alive) is 1 for a customer with no repeat purchase', () => {
    expect(bgNbdProbabilityAlive(P, 0, 0, 30)).toBe(1);
  });

  test('P(alive) falls as the last purchase recedes', () => {
    expect(bgNbdProbabilityAlive(P, 5, 30, 31)).toBeGreaterThan(
      bgNbdProbabilityAlive(P, 5, 10, 31),
    );
  });

  test.each([
    { title: 'x = 1000, tx = T = 3650 days', x: 1000, tx: 3650, T: 3650 },
    { title: 'x = 1000, tx = 0.5, T = 3650', x: 1000, tx: 0.5, T: 3650 },
    { title: 'x = 1, tx = 0, T = 3650', x: 1, tx: 0, T: 3650 },
    { title: 'x = 0, T = 3650', x: 0, tx: 0, T: 3650 },
  ])('stays finite for a heavy or extreme history ($title)', ({ x, tx, T }) => {
    const ll = bgNbdLogLikOne(P, x, tx, T);
    const alive = bgNbdProbabilityAlive(P, x, tx, T);
    const next = bgNbdConditionalExpectedPurchases(P, 52, x, tx, T);
    expect(Number.isFinite(ll)).toBe(true);
    expect(alive).toBeGreaterThanOrEqual(0);
    expect(alive).toBeLessThanOrEqual(1);
    expect(Number.isFinite(next)).toBe(true);
    expect(next).toBeGreaterThanOrEqual(0);
  });

  test('a heavy buyer seen recently is expected to keep buying at about her own rate', () => {
    // 1000 purchases in 3650 days, the last one today: rate ≈ 0.274/day ⇒ ≈ 100 in 365 days.
    const next = bgNbdConditionalExpectedPurchases(P, 365, 1000, 3650, 3650);
    expect(next).toBeGreaterThan(80);
    expect(next).toBeLessThan(101);
  });

  test('expected purchases of a new customer agree with direct integration over the dropout probability', () => {
    // E[X(t) | p] = E_λ[(1/p)(1 - e^{-λpt})] = (1/p)(1 - (alpha/(alpha + p t))^r); integrate over
    // Beta(a, b) with p = u^(1/a), which removes the p^(a-1) singularity: dp p^(a-1) = du / a.
    const t = 39;
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = ((i + 0.5) / n) ** (1 / P.a);
      const inner = (1 / p) * (1 - (P.alpha / (P.alpha + p * t)) ** P.r);
      sum += ((1 - p) ** (P.b - 1) * inner) / (P.a * n);
    }
    const expected = sum / Math.exp(lbeta(P.a, P.b));
    expect(bgNbdExpectedPurchases(P, t)).toBeCloseTo(expected, 4);
  });

  test('a fit on data with no repeat purchases at all says it did not converge', () => {
    const c = compressRfm([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [10, 20, 30, 15, 25, 35]);
    const fit = fitBgNbd(c.rows);
    expect(fit.converged).toBe(false);
    expect(fit.reason).toMatch(
      /not (positive definite|finite)|ran off|line search|no convergence|still large/,
    );
  });
});

describe('BG/NBD analytic gradient', () => {
  test('matches central finite differences of the log-likelihood', () => {
    const c = compressRfm([0, 1, 3, 7, 0, 2], [0, 4, 20, 30, 0, 1], [30, 31, 32, 33, 10, 40]);
    const grad = new Float64Array(4);
    bgNbdLogLikGradient(P, c.rows, grad);
    const names = ['r', 'alpha', 'a', 'b'] as const;
    names.forEach((k, i) => {
      const h = 1e-6 * P[k];
      const up = bgNbdLogLik({ ...P, [k]: P[k] + h }, c.rows);
      const down = bgNbdLogLik({ ...P, [k]: P[k] - h }, c.rows);
      expect(grad[i]).toBeCloseTo((up - down) / (2 * h), 5);
    });
  });
});
