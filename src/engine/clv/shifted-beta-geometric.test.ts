import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import {
  fitShiftedBetaGeometric,
  sbgDerl,
  sbgDiscountedExpectedLifetime,
  sbgExpectedLifetime,
  sbgRetentionCurve,
  sbgRetentionRate,
  sbgSurvival,
} from './shifted-beta-geometric.js';

describe('shifted-beta-geometric', () => {
  test('reproduces Fader & Hardie (2007) "regular": alpha=0.704, beta=1.182, LL=-1680.27', () => {
    const fit = fitShiftedBetaGeometric([1000, 631, 468, 382, 326, 289, 262, 241]);
    expect(fit.converged).toBe(true);
    expect(fit.params.alpha).toBeCloseTo(0.704, 3);
    expect(fit.params.beta).toBeCloseTo(1.182, 3);
    expect(Math.abs(fit.logLik - -1680.27)).toBeLessThan(0.01);
  });

  test('reproduces Fader & Hardie (2007) "high end": alpha=0.668, beta=3.806, LL=-1611.16', () => {
    const fit = fitShiftedBetaGeometric([1000, 869, 743, 653, 593, 551, 517, 491]);
    expect(fit.converged).toBe(true);
    expect(fit.params.alpha).toBeCloseTo(0.668, 3);
    expect(fit.params.beta).toBeCloseTo(3.806, 3);
    expect(Math.abs(fit.logLik - -1611.16)).toBeLessThan(0.01);
  });

  test('retention rises with tenure and survival is the product of retention rates', () => {
    const p = { alpha: 0.704, beta: 1.182 };
    expect(sbgRetentionRate(p, 2)).toBeGreaterThan(sbgRetentionRate(p, 1));
    let s = 1;
    for (let t = 1; t <= 12; t++) s *= sbgRetentionRate(p, t);
    expect(sbgSurvival(p, 12)).toBeCloseTo(s, 12);
  });

  test('the fitted "regular" curve projects the observed survivors closely (Fader & Hardie 2007, Figure 3)', () => {
    const curve = sbgRetentionCurve({ alpha: 0.704, beta: 1.182 }, 7);
    const observed = [631, 468, 382, 326, 289, 262, 241];
    curve.survival.forEach((s, i) => {
      expect(Math.abs(1000 * s - observed[i])).toBeLessThan(15);
    });
    expect(curve.retention[0]).toBeCloseTo(1.182 / 1.886, 12);
  });

  test('expected lifetime is (alpha+beta-1)/(alpha-1) periods, and infinite when alpha ≤ 1', () => {
    expect(sbgExpectedLifetime({ alpha: 3, beta: 4 })).toBeCloseTo(3, 12);
    expect(sbgExpectedLifetime({ alpha: 0.704, beta: 1.182 })).toBe(Number.POSITIVE_INFINITY);
  });

  test('DEL and DERL agree with direct discounted sums of the survival curve', () => {
    const p = { alpha: 0.668, beta: 3.806 };
    const d = 0.1;
    let del = 0;
    for (let t = 0; t < 5000; t++) del += sbgSurvival(p, t) / (1 + d) ** t;
    expect(sbgDiscountedExpectedLifetime(p, d)).toBeCloseTo(del, 8);
    for (const renewals of [0, 1, 4]) {
      let derl = 0;
      const base = sbgSurvival(p, renewals);
      for (let k = 0; k < 5000; k++) derl += sbgSurvival(p, renewals + 1 + k) / base / (1 + d) ** k;
      expect(sbgDerl(p, d, renewals)).toBeCloseTo(derl, 8);
    }
  });

  test('DERL grows with tenure: loyal survivors are worth more', () => {
    const p = { alpha: 0.704, beta: 1.182 };
    expect(sbgDerl(p, 0.1, 4)).toBeGreaterThan(sbgDerl(p, 0.1, 0));
  });

  test.each([
    {
      title: 'a survivor count that grows',
      input: [100, 80, 90],
      message: 'survivors[2]: 90 is more than the 80 active a period earlier',
    },
    {
      title: 'a fractional count',
      input: [100, 80.5, 60],
      message: 'survivors[1]: expected a whole number ≥ 0, got 80.5',
    },
    {
      title: 'too few periods',
      input: [100, 80],
      message: 'need the cohort size and at least 2 periods of survivors, got 2 numbers',
    },
  ])('rejects $title', ({ input, message }) => {
    expect(() => fitShiftedBetaGeometric(input)).toThrow(InputError);
    expect(() => fitShiftedBetaGeometric(input)).toThrow(message);
  });
});
