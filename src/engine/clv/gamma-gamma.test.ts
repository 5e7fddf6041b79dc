import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { fitGammaGamma, gammaGammaExpectedSpend, gammaGammaLogLikOne } from './gamma-gamma.js';

const P = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('gamma-gamma', () => {
  test('expected spend shrinks a customer’s mean toward the population mean', () => {
    const population = gammaGammaExpectedSpend(P, 0, 0);
    expect(population).toBeCloseTo((6.25 * 15.44) / 2.74, 10);
    const heavy = gammaGammaExpectedSpend(P, 50, 100);
    const light = gammaGammaExpectedSpend(P, 1, 100);
    expect(light).toBeLessThan(heavy);
    expect(heavy).toBeLessThan(100);
    expect(light).toBeGreaterThan(population);
  });

  test.each([
    { title: 'zero spend', zbar: 0 },
    { title: 'negative spend', zbar: -5 },
    { title: 'missing spend', zbar: Number.NaN },
  ])('rejects a repeater with $title, naming the customer', ({ zbar }) => {
    const x = [1, 2, 3, 1];
    const z = [10, 20, zbar, 5];
    expect(() => fitGammaGamma(x, z)).toThrow(InputError);
    expect(() => fitGammaGamma(x, z)).toThrow(
      /^customer 2 zbar: mean repeat spend must be a positive amount/,
    );
  });

  test('stays finite for a customer with 1000 repeat purchases', () => {
    expect(Number.isFinite(gammaGammaLogLikOne(P, 1000, 35))).toBe(true);
    expect(gammaGammaExpectedSpend(P, 1000, 35)).toBeCloseTo(35, 0);
  });

  test('warns when spend rises with purchase frequency', () => {
    const x: number[] = [];
    const z: number[] = [];
    for (let i = 1; i <= 60; i++) {
      x.push(1 + (i % 10));
      z.push(10 * (1 + (i % 10)) + (i % 7));
    }
    const fit = fitGammaGamma(x, z);
    expect(fit.frequencySpendCorrelation).toBeGreaterThan(0.9);
    expect(fit.warnings.find((w) => w.startsWith('purchase frequency'))).toMatch(
      /^purchase frequency and spend per purchase are correlated \(r = (0\.9\d|1\.00)\)/,
    );
  });

  test('customers with no repeat purchase are ignored, whatever their zbar', () => {
    const fit = fitGammaGamma([0, 0, 1, 2, 3, 4, 2], [0, -1, 12, 30, 22, 18, 40]);
    expect(fit.nObs).toBe(5);
  });
});
