import { describe, expect, test } from 'vitest';
import { createRng } from '../random.js';
import { associationRules } from './association-rules.js';
import { type Baskets, fpGrowth } from './fp-growth.js';

function basketsOf(lists: number[][], itemCount: number): Baskets {
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((l, b) => {
    offsets[b + 1] = offsets[b] + l.length;
  });
  return { items: Int32Array.from(lists.flat()), offsets, itemCount };
}

/** Every itemset of up to maxLength items with its count, by enumeration. */
function bruteForce(lists: number[][], minCount: number, maxLength: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of lists) {
    const items = [...new Set(l)].sort((a, b) => a - b);
    const rec = (start: number, chosen: number[]) => {
      if (chosen.length > 0) {
        const k = chosen.join(',');
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      if (chosen.length === maxLength) return;
      for (let i = start; i < items.length; i++) rec(i + 1, [...chosen, items[i]]);
    };
    rec(0, []);
  }
  return new Map([...counts].filter(([, c]) => c >= minCount));
}

describe('FP-Growth (Han, Pei & Yin 2000)', () => {
  test('the paper’s table 1 example: {f,c,a,m} and {c,p} are frequent at 3', () => {
    const [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, s] = Array.from(
      { length: 17 },
      (_, x) => x,
    );
    const lists = [
      [f, a, c, d, g, i, m, p],
      [a, b, c, f, l, m, o],
      [b, f, h, j, o],
      [b, c, k, s, p],
      [a, f, c, e, l, p, m, n],
    ];
    const found = new Map(
      fpGrowth(basketsOf(lists, 17), { minCount: 3, maxLength: 4 }).map((x) => [
        x.items.join(','),
        x.count,
      ]),
    );
    expect(found.get([a, c, f, m].join(','))).toBe(3);
    expect(found.get([c, p].join(','))).toBe(3);
    expect(found.get([f].join(','))).toBe(4);
    expect(found.has([b, f].join(','))).toBe(false);
    expect(found).toEqual(bruteForce(lists, 3, 4));
  });

  test.each([
    { seed: 1, minCount: 5, maxLength: 3 },
    { seed: 2, minCount: 2, maxLength: 4 },
    { seed: 3, minCount: 20, maxLength: 2 },
  ])(
    'matches enumeration of every itemset on random baskets (seed $seed, min $minCount, length ≤ $maxLength)',
    ({ seed, minCount, maxLength }) => {
      const rng = createRng(seed);
      const lists: number[][] = [];
      for (let b = 0; b < 400; b++) {
        const size = 1 + Math.floor(rng.next() * 6);
        // skewed item popularity, and duplicates inside a basket
        lists.push(Array.from({ length: size }, () => Math.floor(rng.next() ** 2 * 15)));
      }
      const found = new Map(
        fpGrowth(basketsOf(lists, 15), { minCount, maxLength }).map((x) => [
          x.items.join(','),
          x.count,
        ]),
      );
      expect(found).toEqual(bruteForce(lists, minCount, maxLength));
    },
  );

  test('rejects an item id outside the declared range and a min count below 1', () => {
    expect(() => fpGrowth(basketsOf([[0, 5]], 3), { minCount: 1 })).toThrow(
      /item id 5 outside 0…2/,
    );
    expect(() => fpGrowth(basketsOf([[0]], 1), { minCount: 0 })).toThrow(/minCount/);
  });
});

describe('association rules', () => {
  test('support, confidence, lift and conviction by their definitions', () => {
    // 10 baskets: A in 4, B in 5, A∪B in 3
    const rules = associationRules(
      [
        { items: [0], count: 4 },
        { items: [1], count: 5 },
        { items: [0, 1], count: 3 },
      ],
      { baskets: 10 },
    );
    const ab = rules.find((r) => r.antecedent[0] === 0)!;
    expect(ab.support).toBeCloseTo(0.3, 12);
    expect(ab.confidence).toBeCloseTo(0.75, 12);
    expect(ab.lift).toBeCloseTo(0.75 / 0.5, 12);
    expect(ab.conviction).toBeCloseTo((1 - 0.5) / (1 - 0.75), 12);
    const ba = rules.find((r) => r.antecedent[0] === 1)!;
    expect(ba.confidence).toBeCloseTo(0.6, 12);
    expect(ba.lift).toBeCloseTo(0.6 / 0.4, 12);
  });

  test('a rule with confidence 1 has infinite (null) conviction; thresholds filter', () => {
    const sets = [
      { items: [0], count: 2 },
      { items: [1], count: 8 },
      { items: [0, 1], count: 2 },
    ];
    const rules = associationRules(sets, { baskets: 10 });
    expect(rules.find((r) => r.antecedent[0] === 0)!.conviction).toBeNull();
    expect(associationRules(sets, { baskets: 10, minConfidence: 0.5 })).toHaveLength(1);
    expect(associationRules(sets, { baskets: 10, minLift: 1.3 })).toHaveLength(0);
  });
});
