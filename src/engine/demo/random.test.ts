import { describe, expect, test } from 'vitest';
import { Random, WeightedChoice } from './random.js';

function moments(draw: () => number, n = 40_000): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

describe('Random', () => {
  test('the same seed words give the same sequence, different words a different one', () => {
    const a = Random.from(42, 7);
    const b = Random.from(42, 7);
    const c = Random.from(42, 8);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  test('seeds above 2^32 are not truncated to their low word', () => {
    expect(Random.from(2 ** 32 + 1).nextUint32()).not.toBe(Random.from(1).nextUint32());
  });

  test('uniform stays in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = Random.from(1);
    let min = 1;
    let max = 0;
    const m = moments(() => {
      const u = rng.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      return u;
    });
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.variance).toBeCloseTo(1 / 12, 2);
  });

  test.each([
    { shape: 0.243, rate: 4.414 },
    { shape: 0.75, rate: 5 },
    { shape: 3.74, rate: 15.44 },
    { shape: 20, rate: 2 },
  ])('gamma($shape, rate $rate) has mean k/θ and variance k/θ²', ({ shape, rate }) => {
    const rng = Random.from(2);
    const m = moments(() => rng.gamma(shape, rate), 80_000);
    expect(m.mean / (shape / rate)).toBeCloseTo(1, 1);
    expect(m.variance / (shape / rate ** 2)).toBeGreaterThan(0.9);
    expect(m.variance / (shape / rate ** 2)).toBeLessThan(1.1);
  });

  test.each([
    { a: 0.9, b: 5 },
    { a: 2, b: 2 },
  ])('beta($a, $b) has mean a/(a+b)', ({ a, b }) => {
    const rng = Random.from(3);
    const m = moments(() => rng.beta(a, b));
    expect(m.mean).toBeCloseTo(a / (a + b), 2);
  });

  test.each([0.3, 4, 12, 250])('poisson(%s) has mean and variance equal to its mean', (mean) => {
    const rng = Random.from(4);
    const m = moments(() => rng.poisson(mean));
    expect(m.mean / mean).toBeCloseTo(1, 1);
    expect(m.variance / mean).toBeGreaterThan(0.93);
    expect(m.variance / mean).toBeLessThan(1.07);
  });

  test('normal and exponential have their textbook moments', () => {
    const rng = Random.from(5);
    const n = moments(() => rng.normal(3, 2));
    expect(n.mean).toBeCloseTo(3, 1);
    expect(Math.sqrt(n.variance)).toBeCloseTo(2, 1);
    const e = moments(() => rng.exponential(0.5));
    expect(e.mean).toBeCloseTo(2, 1);
  });

  test('weighted choice draws in proportion to the weights and never a zero weight', () => {
    const rng = Random.from(6);
    const choice = new WeightedChoice([1, 0, 3]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[choice.index(rng)]++;
    expect(counts[1]).toBe(0);
    expect(counts[2] / counts[0]).toBeGreaterThan(2.8);
    expect(counts[2] / counts[0]).toBeLessThan(3.2);
  });

  test('weights that are negative or all zero are refused', () => {
    expect(() => new WeightedChoice([1, -1])).toThrow('weight 1 must be ≥ 0, got -1');
    expect(() => new WeightedChoice([0, 0])).toThrow('weights must not all be zero');
  });

  test('shuffle is a permutation', () => {
    const xs = Random.from(7).shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...xs].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
