import { describe, expect, test } from 'vitest';
import { digamma, lbeta, lgamma } from './lgamma.js';

// Reference values from mpmath (30 significant digits).
describe('lgamma', () => {
  test.each([
    { x: 1e-8, expected: 18.42068073818021 },
    { x: 0.1, expected: 2.252712651734206 },
    { x: 0.5, expected: 0.5723649429247001 },
    { x: 1.5, expected: -0.12078223763524522 },
    { x: 3.7, expected: 1.428072326665388 },
    { x: 10, expected: 12.801827480081469 },
    { x: 100.5, expected: 361.4355404677776 },
    { x: 1e5, expected: 1051287.7089736569 },
    { x: 1e10, expected: 220258509288.81058 },
  ])('log Γ($x) matches the reference to 1e-13 relative', ({ x, expected }) => {
    expect(Math.abs(lgamma(x) - expected)).toBeLessThan(1e-13 * Math.max(1, Math.abs(expected)));
  });

  test('log Γ is exactly 0 at 1 and 2 and finite for huge arguments', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    expect(Number.isFinite(lgamma(1e300))).toBe(true);
  });

  test('log Γ satisfies Γ(x+1) = x Γ(x) across the domain', () => {
    for (const x of [0.01, 0.3, 2.2, 17.5, 340.25, 12345.6]) {
      const scale = Math.max(1, Math.abs(lgamma(x + 1)));
      expect(Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x)) / scale).toBeLessThan(1e-14);
    }
  });

  test('log B(a, b) equals log(1/a) when b = 1', () => {
    expect(lbeta(3.3, 1)).toBeCloseTo(-Math.log(3.3), 13);
    expect(lbeta(0.793, 2.426 + 1000)).toBeLessThan(0);
  });
});

describe('digamma', () => {
  test.each([
    { x: 0.01, expected: -100.56088545786868 },
    { x: 0.5, expected: -1.9635100260214235 },
    { x: 1, expected: -0.5772156649015329 },
    { x: 2.5, expected: 0.7031566406452432 },
    { x: 10, expected: 2.251752589066721 },
    { x: 1000, expected: 6.907255195648812 },
  ])('ψ($x) matches the reference to 1e-12', ({ x, expected }) => {
    expect(Math.abs(digamma(x) - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
  });
});
