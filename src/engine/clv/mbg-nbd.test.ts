import { describe, expect, test } from 'vitest';
import { bgNbdConditionalExpectedPurchases } from './bg-nbd.js';
import {
  mbgNbdConditionalExpectedPurchases,
  mbgNbdExpectedPurchases,
  mbgNbdLogLik,
  mbgNbdLogLikGradient,
  mbgNbdLogLikOne,
  mbgNbdProbabilityAlive,
} from './mbg-nbd.js';
import { compressRfm } from './rfm-rows.js';

const P = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };

describe('MBG/NBD', () => {
  test('unlike BG/NBD, a customer with no repeat purchase may already be inactive', () => {
    const alive = mbgNbdProbabilityAlive(P, 0, 0, 30);
    expect(alive).toBeLessThan(1);
    expect(alive).toBeGreaterThan(0);
  });

  test('P(alive) is the share of the likelihood that comes from the still-active branch', () => {
    // x = 3, tx = 12, T = 30: alive term B(a, b+x+1)(alpha+T)^-(r+x) against dropped term
    // B(a+1, b+x)(alpha+tx)^-(r+x), compared by their ratio a/(b+x) · ((alpha+T)/(alpha+tx))^(r+x).
    const odds = (P.a / (P.b + 3)) * ((P.alpha + 30) / (P.alpha + 12)) ** (P.r + 3);
    expect(mbgNbdProbabilityAlive(P, 3, 12, 30)).toBeCloseTo(1 / (1 + odds), 14);
  });

  test.each([
    { x: 1000, tx: 3650, T: 3650 },
    { x: 1000, tx: 1, T: 3650 },
    { x: 0, tx: 0, T: 3650 },
  ])('stays finite for x=$x, tx=$tx, T=$T', ({ x, tx, T }) => {
    expect(Number.isFinite(mbgNbdLogLikOne(P, x, tx, T))).toBe(true);
    expect(Number.isFinite(mbgNbdConditionalExpectedPurchases(P, 52, x, tx, T))).toBe(true);
    expect(Number.isFinite(mbgNbdExpectedPurchases(P, 3650))).toBe(true);
  });

  test('a recent heavy buyer gets nearly the same forecast as under BG/NBD', () => {
    const m = mbgNbdConditionalExpectedPurchases(P, 39, 20, 38, 38.5);
    const b = bgNbdConditionalExpectedPurchases(P, 39, 20, 38, 38.5);
    expect(m / b).toBeGreaterThan(0.9);
    expect(m / b).toBeLessThan(1.1);
  });
});

describe('MBG/NBD analytic gradient', () => {
  test('matches central finite differences of the log-likelihood', () => {
    const c = compressRfm([0, 1, 3, 7, 0, 2], [0, 4, 20, 30, 0, 1], [30, 31, 32, 33, 10, 40]);
    const grad = new Float64Array(4);
    mbgNbdLogLikGradient(P, c.rows, grad);
    (['r', 'alpha', 'a', 'b'] as const).forEach((k, i) => {
      const h = 1e-6 * P[k];
      const up = mbgNbdLogLik({ ...P, [k]: P[k] + h }, c.rows);
      const down = mbgNbdLogLik({ ...P, [k]: P[k] - h }, c.rows);
      expect(grad[i]).toBeCloseTo((up - down) / (2 * h), 5);
    });
  });
});
