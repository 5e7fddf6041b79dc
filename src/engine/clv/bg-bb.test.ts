import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { createRng, sampleBeta } from '../random.js';
import {
  bgBbConditionalExpectedTransactions,
  bgBbLogLikOne,
  bgBbProbabilityAlive,
  fitBgBb,
} from './bg-bb.js';

// Fader, Hardie & Shang (2010) donations data: (x, tx, n = 6, donors).
const DONATIONS = [
  [0, 0, 3464],
  [1, 1, 1091],
  [1, 2, 277],
  [1, 3, 129],
  [1, 4, 78],
  [1, 5, 119],
  [1, 6, 129],
  [2, 2, 613],
  [2, 3, 255],
  [2, 4, 155],
  [2, 5, 173],
  [2, 6, 234],
  [3, 3, 322],
  [3, 4, 181],
  [3, 5, 225],
  [3, 6, 357],
  [4, 4, 240],
  [4, 5, 284],
  [4, 6, 512],
  [5, 5, 335],
  [5, 6, 728],
  [6, 6, 1203],
];
const rows = {
  x: DONATIONS.map((r) => r[0]),
  tx: DONATIONS.map((r) => r[1]),
  n: DONATIONS.map(() => 6),
  weight: DONATIONS.map((r) => r[2]),
};
const P = { alpha: 1.204, beta: 0.75, gamma: 0.657, delta: 2.783 };

describe('BG/BB', () => {
  test('reproduces Fader, Hardie & Shang (2010): alpha=1.204, beta=0.750, gamma=0.657, delta=2.783, LL=-33225.6', () => {
    const fit = fitBgBb(rows);
    expect(fit.converged).toBe(true);
    expect(fit.nObs).toBe(11104);
    expect(Number(fit.params.alpha.toPrecision(3))).toBe(1.2);
    expect(Number(fit.params.beta.toPrecision(3))).toBe(0.75);
    expect(Number(fit.params.gamma.toPrecision(3))).toBe(0.657);
    expect(Number(fit.params.delta.toPrecision(3))).toBe(2.78);
    expect(Math.abs(fit.logLik - -33225.6)).toBeLessThan(0.1);
  });

  test('the pattern probabilities of all 2^n histories sum to one', () => {
    // Each (x, tx) pattern stands for C(tx-1, x-1) histories (x > 0) or 1 (x = 0).
    const n = 6;
    const choose = (a: number, b: number) => {
      let c = 1;
      for (let i = 0; i < b; i++) c = (c * (a - i)) / (i + 1);
      return c;
    };
    let total = Math.exp(bgBbLogLikOne(P, 0, 0, n));
    for (let tx = 1; tx <= n; tx++) {
      for (let x = 1; x <= tx; x++)
        total += choose(tx - 1, x - 1) * Math.exp(bgBbLogLikOne(P, x, tx, n));
    }
    expect(total).toBeCloseTo(1, 12);
  });

  test('P(alive) and the conditional expectation match a simulation of the model', () => {
    const rng = createRng(77);
    const n = 6;
    const nStar = 5;
    const groups = new Map<
      string,
      { count: number; alive: number; future: number; square: number }
    >();
    for (let c = 0; c < 200000; c++) {
      const p = sampleBeta(rng, P.alpha, P.beta);
      const theta = sampleBeta(rng, P.gamma, P.delta);
      let alive = true;
      let x = 0;
      let tx = 0;
      let future = 0;
      let aliveAtNext = false;
      for (let t = 1; t <= n + nStar; t++) {
        if (alive && rng.next() < theta) alive = false;
        if (t === n + 1) aliveAtNext = alive;
        if (alive && rng.next() < p) {
          if (t <= n) {
            x++;
            tx = t;
          } else {
            future++;
          }
        }
      }
      const key = `${x},${tx}`;
      const g = groups.get(key) ?? { count: 0, alive: 0, future: 0, square: 0 };
      g.count++;
      g.alive += aliveAtNext ? 1 : 0;
      g.future += future;
      g.square += future * future;
      groups.set(key, g);
    }
    for (const [key, g] of groups) {
      if (g.count < 3000) continue;
      const [x, tx] = key.split(',').map(Number);
      const pAlive = bgBbProbabilityAlive(P, x, tx, n);
      expect(Math.abs(g.alive / g.count - pAlive)).toBeLessThan(
        4 * Math.sqrt((pAlive * (1 - pAlive)) / g.count) + 1e-3,
      );
      const expected = bgBbConditionalExpectedTransactions(P, nStar, x, tx, n);
      const mean = g.future / g.count;
      const se = Math.sqrt((g.square / g.count - mean * mean) / g.count);
      expect(Math.abs(mean - expected)).toBeLessThan(4 * se + 1e-3);
    }
  });

  test('rejects a pattern with recency before the last transaction could happen', () => {
    expect(() => fitBgBb({ x: [3], tx: [2], n: [6], weight: [1] })).toThrow(InputError);
    expect(() => fitBgBb({ x: [3], tx: [2], n: [6], weight: [1] })).toThrow(
      'row 0: expected whole numbers with 0 ≤ x ≤ tx ≤ n, tx = 0 when x = 0, n ≥ 1 and weight ≥ 1, got x=3, tx=2, n=6, weight=1',
    );
  });

  test('the conditional expectation is continuous at gamma = 1', () => {
    const at = (gamma: number) => bgBbConditionalExpectedTransactions({ ...P, gamma }, 5, 3, 5, 6);
    expect(at(1)).toBeCloseTo(at(1 + 1e-6), 5);
    expect(at(1)).toBeCloseTo(at(1 - 1e-6), 5);
  });
});
