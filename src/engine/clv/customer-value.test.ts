import { describe, expect, test } from 'vitest';
import { bgNbdConditionalExpectedPurchases } from './bg-nbd.js';
import { scoreCustomers } from './customer-value.js';
import { gammaGammaExpectedSpend } from './gamma-gamma.js';
import { discountRatePerUnit, monthsToUnits, unitsPerYear } from './time-units.js';

const bg = { kind: 'bg-nbd', params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } } as const;
const gg = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('time units', () => {
  test('10 %/year compounds to 0.1828 %/week and 0.0261 %/day', () => {
    expect(discountRatePerUnit(0.1, 'week')).toBeCloseTo(0.0018283, 7);
    expect(discountRatePerUnit(0.1, 'day')).toBeCloseTo(0.000261, 6);
    expect((1 + discountRatePerUnit(0.1, 'week')) ** unitsPerYear('week')).toBeCloseTo(1.1, 12);
  });

  test('12 months are 52.18 weeks and 365.25 days', () => {
    expect(monthsToUnits(12, 'week')).toBeCloseTo(52.1786, 4);
    expect(monthsToUnits(12, 'day')).toBeCloseTo(365.25, 10);
  });
});

describe('scoreCustomers', () => {
  const data = {
    x: [2, 0, 2, 10],
    tx: [30.43, 0, 30.43, 38],
    T: [38.86, 38.86, 38.86, 38.5],
    zbar: [30, 0, 30, 80],
  };
  const scores = scoreCustomers(bg, gg, data, { unit: 'week' });

  test('expected purchases over 12 months match the model’s conditional expectation at 52.18 weeks', () => {
    expect(scores.expectedPurchasesInHorizon[0]).toBeCloseTo(
      bgNbdConditionalExpectedPurchases(bg.params, monthsToUnits(12, 'week'), 2, 30.43, 38.86),
      10,
    );
    expect(scores.expectedPurchasesInHorizon[2]).toBe(scores.expectedPurchasesInHorizon[0]);
  });

  test('discounted CLV is below the undiscounted value and above it discounted by a full year', () => {
    const undiscounted = scores.expectedPurchasesInHorizon[3] * gammaGammaExpectedSpend(gg, 10, 80);
    expect(scores.discountedClv[3]).toBeLessThan(undiscounted);
    expect(scores.discountedClv[3]).toBeGreaterThan(undiscounted / 1.1);
  });

  test('margin scales CLV and a zero discount rate gives the undiscounted value', () => {
    const half = scoreCustomers(bg, gg, data, { unit: 'week', margin: 0.5, annualDiscountRate: 0 });
    const undiscounted = scores.expectedPurchasesInHorizon[3] * gammaGammaExpectedSpend(gg, 10, 80);
    expect(half.discountedClv[3]).toBeCloseTo(0.5 * undiscounted, 10);
  });

  test('a one-off buyer gets the population mean spend and P(alive) 1 under BG/NBD', () => {
    expect(scores.expectedSpendPerPurchase[1]).toBeCloseTo(gammaGammaExpectedSpend(gg, 0, 0), 12);
    expect(scores.probabilityAlive[1]).toBe(1);
  });

  test('without a spend model, spend and CLV are NaN rather than a made-up number', () => {
    const s = scoreCustomers(bg, null, data, { unit: 'week' });
    expect(Number.isNaN(s.discountedClv[0])).toBe(true);
    expect(s.expectedPurchasesInHorizon[0]).toBeGreaterThan(0);
  });

  test('rejects a fractional horizon', () => {
    expect(() => scoreCustomers(bg, gg, data, { unit: 'week', horizonMonths: 1.5 })).toThrow(
      'horizonMonths: expected a whole number of months > 0, got 1.5',
    );
  });
});

describe('scoreCustomers across models', () => {
  test.each([
    { kind: 'bg-nbd', params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } },
    { kind: 'mbg-nbd', params: { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 } },
    { kind: 'pareto-nbd', params: { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 } },
  ] as const)(
    '$kind gives finite, non-negative scores including heavy buyers (x = 1000)',
    (model) => {
      const s = scoreCustomers(
        model,
        gg,
        {
          x: [0, 3, 1000, 1000],
          tx: [0, 20, 500, 521],
          T: [38, 38, 521, 521],
          zbar: [0, 40, 35, 35],
        },
        { unit: 'week', horizonMonths: 24 },
      );
      for (const arr of [
        s.expectedPurchasesInHorizon,
        s.probabilityAlive,
        s.expectedSpendPerPurchase,
        s.discountedClv,
      ]) {
        for (const v of arr) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
      }
      // A heavy buyer seen today outranks one who stopped 21 weeks ago.
      expect(s.discountedClv[3]).toBeGreaterThan(s.discountedClv[2]);
    },
  );
});
