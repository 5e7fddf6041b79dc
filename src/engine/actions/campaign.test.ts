import { describe, expect, test } from 'vitest';
import { createRng, sampleBernoulli } from '../random.js';
import {
  assignArms,
  differenceOfProportions,
  simulateCampaignResponses,
  tQuantile,
  welchDifference,
  wilsonInterval,
} from './campaign.js';

describe('campaign hold-out and uplift (issue 9 §4)', () => {
  test('the hold-out is drawn within each tier in the chosen share, and the same seed gives the same groups', () => {
    const members = [
      ...Array.from({ length: 1000 }, (_, i) => ({ customerId: `L${i}`, tier: 'lead' })),
      ...Array.from({ length: 50 }, (_, i) => ({ customerId: `P${i}`, tier: 'platinum' })),
      ...Array.from({ length: 7 }, (_, i) => ({ customerId: `N${i}`, tier: null })),
    ];
    const a = assignArms(members, 0.2, 7);
    const control = (tier: string | null) =>
      a.filter((m) => m.tier === tier && m.arm === 'control').length;
    expect(control('lead')).toBe(200);
    expect(control('platinum')).toBe(10);
    expect(control(null)).toBe(1);
    expect(assignArms([...members].reverse(), 0.2, 7)).toEqual(a);
    const other = assignArms(members, 0.2, 8);
    expect(other.filter((m) => m.arm === 'control').map((m) => m.customerId)).not.toEqual(
      a.filter((m) => m.arm === 'control').map((m) => m.customerId),
    );
    expect(() => assignArms(members, 1, 7)).toThrow(
      'hold-out share: expected a number between 0 and 1, got 1',
    );
  });

  test('Newcombe (1998) method 10 reproduces the paper’s examples (Table II: 56/70 − 48/80, 9/10 − 3/10)', () => {
    const a = differenceOfProportions(56, 70, 48, 80)!;
    expect(a.difference).toBeCloseTo(0.2, 12);
    expect(a.low).toBeCloseTo(0.0524, 4);
    expect(a.high).toBeCloseTo(0.3339, 4);
    const b = differenceOfProportions(9, 10, 3, 10)!;
    expect(b.low).toBeCloseTo(0.1705, 4);
    expect(b.high).toBeCloseTo(0.809, 4);
    expect(differenceOfProportions(0, 0, 1, 2)).toBeNull();
  });

  test('Wilson interval stays inside [0, 1] at the edges', () => {
    const [l, u] = wilsonInterval(0, 20);
    expect(l).toBe(0);
    expect(u).toBeCloseTo(0.1611, 4);
  });

  test('t quantiles from Cornish–Fisher match the tables (df 5, 10, 30)', () => {
    expect(tQuantile(0.95, 5)).toBeCloseTo(2.5706, 3);
    expect(tQuantile(0.95, 10)).toBeCloseTo(2.2281, 4);
    expect(tQuantile(0.95, 30)).toBeCloseTo(2.0423, 4);
    expect(tQuantile(0.99, 20)).toBeCloseTo(2.845, 3);
  });

  test('Welch difference of means: estimate, standard error and Satterthwaite df', () => {
    // treatment 1,2,3,4 (mean 2.5, var 5/3); control 2,2,2,2,2,8 (mean 3, var 6)
    const m = (xs: number[]) => ({
      n: xs.length,
      sum: xs.reduce((s, x) => s + x, 0),
      sumSquares: xs.reduce((s, x) => s + x * x, 0),
    });
    const w = welchDifference(m([1, 2, 3, 4]), m([2, 2, 2, 2, 2, 8]))!;
    expect(w.difference).toBeCloseTo(-0.5, 12);
    const a = 5 / 3 / 4;
    const b = 6 / 6;
    expect(w.standardError).toBeCloseTo(Math.sqrt(a + b), 12);
    expect(w.df).toBeCloseTo((a + b) ** 2 / ((a * a) / 3 + (b * b) / 5), 10);
  });

  test('the conversion interval covers a planted uplift in about 95 % of simulated campaigns', () => {
    const rng = createRng(5);
    let covered = 0;
    const runs = 400;
    for (let r = 0; r < runs; r++) {
      let x1 = 0;
      let x0 = 0;
      for (let i = 0; i < 1000; i++) if (sampleBernoulli(rng, 0.15)) x1++;
      for (let i = 0; i < 1000; i++) if (sampleBernoulli(rng, 0.1)) x0++;
      const d = differenceOfProportions(x1, 1000, x0, 1000)!;
      if (d.low <= 0.05 && 0.05 <= d.high) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.92);
    expect(covered / runs).toBeLessThan(0.98);
  });

  test('simulated responses convert at the base rate in control and base + uplift in treatment', () => {
    const members = Array.from({ length: 20000 }, (_, i) => ({
      customerId: `C${i}`,
      arm: (i % 2 === 0 ? 'treatment' : 'control') as 'treatment' | 'control',
    }));
    const r = simulateCampaignResponses(members, {
      baseRate: 0.1,
      uplift: 0.05,
      seed: 1,
      windowStart: 0,
      windowEnd: 1000,
      meanOrderMinor: 30000,
    });
    const t = r.filter((x) => x.arm === 'treatment').length / 10000;
    const c = r.filter((x) => x.arm === 'control').length / 10000;
    expect(c).toBeGreaterThan(0.09);
    expect(c).toBeLessThan(0.11);
    expect(t - c).toBeGreaterThan(0.035);
    expect(t - c).toBeLessThan(0.065);
    for (const x of r) expect(x.at >= 0 && x.at < 1000).toBe(true);
    expect(() =>
      simulateCampaignResponses(members, {
        baseRate: 0.9,
        uplift: 0.2,
        seed: 1,
        windowStart: 0,
        windowEnd: 1,
        meanOrderMinor: 1,
      }),
    ).toThrow(/must lie in \[0, 1\]/);
  });
});
