import { describe, expect, test } from 'vitest';
import { digamma, lbeta, lgamma } from './lgamma.js';

// Reference values from mpmath (30 significant digits).
describe('lgamma', () => {
  test.each([
    { x: 1e-8, expected: 18.420680738180208884 },
    { x: 0.1, expected: 2.252712651734205902 },
    { x: 0.5, expected: 0.57236494292470008707 },
    { x: 1.5, expected: -0.12078223763524522235 },
    { x: 3.7, expected: 1.4280723266653881292 },
    { x: 10, expected: 12.801827480081469611 },
    { x: 100.5, expected: 361.43554046777762156 },
    { x: 1e5, expected: 1051287.7089736568949 },
    { x: 1e10, expected: 220258509288.81058147 },
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
    { x: 0.01, expected: -100.56088545786867242 },
    { x: 0.5, expected: -1.9635100260214234794 },
    { x: 1, expected: -0.57721566490153286061 },
    { x: 2.5, expected: 0.70315664064524318723 },
    { x: 10, expected: 2.2517525890667211076 },
    { x: 1000, expected: 6.9072551956488120521 },
  ])('ψ($x) matches the reference to 1e-12', ({ x, expected }) => {
    expect(Math.abs(digamma(x) - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
  });
});
