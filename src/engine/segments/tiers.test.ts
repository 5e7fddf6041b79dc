import { describe, expect, test } from 'vitest';
import { assignValueTiers, DEFAULT_TIERS } from './tiers.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${String(i).padStart(4, '0')}`);
const counts = (tier: Uint8Array) => [0, 1, 2, 3].map((k) => tier.filter((t) => t === k).length);

describe('customer pyramid (issue 5.2)', () => {
  test('by default the top 1 % are platinum, the next 4 % gold, the next 15 % iron, the rest lead', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    const res = assignValueTiers(values, ids(1000));
    expect(counts(res.tier)).toEqual([10, 40, 150, 800]);
    expect(res.summary.map((s) => [s.key, s.minValue, s.maxValue])).toEqual([
      ['platinum', 991, 1000],
      ['gold', 951, 990],
      ['iron', 801, 950],
      ['lead', 1, 800],
    ]);
    expect(res.summary.map((s) => s.shareOfCustomers)).toEqual([0.01, 0.04, 0.15, 0.8]);
    expect(res.basis).toBe('predicted-clv');
  });

  test.each([
    {
      title: 'a tie at a cut-off goes to the lower customer id, whatever the row order',
      values: [5, 9, 5, 5, 1, 5],
      ids: ['f', 'a', 'e', 'b', 'z', 'c'],
      shares: [1 / 6, 3 / 6, 5 / 6],
      // order: a(9), then the 5s by id: b, c, e, f, then z(1)
      expected: { a: 0, b: 1, c: 1, e: 2, f: 2, z: 3 },
    },
    {
      title: 'an empty top tier is allowed when the share rounds to no one',
      values: [3, 2, 1],
      ids: ['x', 'y', 'z'],
      shares: [0.01, 0.34, 0.67],
      expected: { x: 1, y: 2, z: 3 },
    },
  ])('$title', ({ values, ids: customerIds, shares, expected }) => {
    const res = assignValueTiers(values, customerIds, {
      cutoffs: { kind: 'share', cumulativeShares: shares },
    });
    const got = Object.fromEntries(customerIds.map((id, i) => [id, res.tier[i]]));
    expect(got).toEqual(expected);
    // the same customers in reverse row order land in the same tiers
    const rev = assignValueTiers([...values].reverse(), [...customerIds].reverse(), {
      cutoffs: { kind: 'share', cumulativeShares: shares },
    });
    const gotRev = Object.fromEntries([...customerIds].reverse().map((id, i) => [id, rev.tier[i]]));
    expect(gotRev).toEqual(expected);
  });

  test('value thresholds: a customer is in the first tier whose minimum it reaches', () => {
    const res = assignValueTiers([150000, 100000, 99999, 20000, 1999, -50], ids(6), {
      basis: 'historical-profit',
      cutoffs: { kind: 'threshold', minimums: [100000, 20000, 2000] },
    });
    expect([...res.tier]).toEqual([0, 0, 1, 1, 3, 3]);
    expect(res.basis).toBe('historical-profit');
  });

  test('every tier carries its treatment in Chinese and English', () => {
    expect(DEFAULT_TIERS.map((t) => [t.key, t.treatment.zh, t.treatment.en])).toEqual([
      ['platinum', '屈从型', 'Defer to'],
      ['gold', '关怀型', 'Care for'],
      ['iron', '适应型', 'Adapt to'],
      ['lead', '冷漠型', 'Minimal'],
    ]);
    for (const t of DEFAULT_TIERS) {
      expect(t.treatment.serviceLevel.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(t.treatment.contactCadence.en.length).toBeGreaterThan(0);
    }
  });

  test.each([
    {
      title: 'shares must not decrease',
      cutoffs: { kind: 'share' as const, cumulativeShares: [0.05, 0.01, 0.2] },
      message:
        'tier cut-offs cumulativeShares[1]: expected a share in [0, 1], not below the one before, got 0.01',
    },
    {
      title: 'one cut-off fewer than tiers',
      cutoffs: { kind: 'share' as const, cumulativeShares: [0.05, 0.2] },
      message: 'tier cut-offs cumulativeShares: expected 3 values for 4 tiers, got 2',
    },
    {
      title: 'thresholds must not increase',
      cutoffs: { kind: 'threshold' as const, minimums: [10, 20, 5] },
      message: 'tier cut-offs minimums[1]: expected a number not above the one before, got 20',
    },
  ])('bad cut-offs are rejected: $title', ({ cutoffs, message }) => {
    expect(() => assignValueTiers([1, 2], ['a', 'b'], { cutoffs })).toThrow(message);
  });

  test('a missing value is rejected with the customer id', () => {
    expect(() => assignValueTiers([1, Number.NaN], ['a', 'b'])).toThrow(
      'customer b value: expected a finite number, got NaN',
    );
  });
});
