import { describe, expect, test } from 'vitest';
import { createRng } from '../random.js';
import {
  DEFAULT_RFM_SEGMENT_MAP,
  quintileScores,
  RFM_SEGMENTS,
  rfmBands,
  rfmSegmentKey,
  rfmSegmentOf,
  scoreByBands,
  scoreRfm,
  validateRfmSegmentMap,
} from './rfm.js';

describe('RFM quintile scores (issue 5.1)', () => {
  test.each([
    {
      title: 'ten distinct values get two customers per score, lowest value scores 1',
      values: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      lowerIsBetter: false,
      expected: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
    },
    {
      title: 'row order does not matter: shuffled input gets the same score per value',
      values: [100, 10, 60, 30, 90, 20, 50, 80, 40, 70],
      lowerIsBetter: false,
      expected: [5, 1, 3, 2, 5, 1, 3, 4, 2, 4],
    },
    {
      title: 'equal values share a score (average rank position), never split by row order',
      values: [3, 1, 2, 2, 2, 2, 9, 9, 7, 1],
      lowerIsBetter: false,
      // the four 2s sit at positions 2–5, average 3.5 → floor(5·4/10)+1 = 3
      expected: [4, 1, 3, 3, 3, 3, 5, 5, 4, 1],
    },
    {
      title: 'one-order customers who are most of the base still score F = 1',
      values: [1, 1, 1, 1, 1, 1, 2, 3, 4, 5],
      lowerIsBetter: false,
      // the 2 at position 6 → floor(5·6.5/10)+1 = 4
      expected: [1, 1, 1, 1, 1, 1, 4, 4, 5, 5],
    },
    {
      title: 'customers tied at the highest value all score 5',
      values: [1, 2, 3, 4, 9, 9, 9, 9, 9, 9],
      lowerIsBetter: false,
      expected: [1, 1, 2, 2, 5, 5, 5, 5, 5, 5],
    },
    {
      title: 'everyone with the same value gets the middle score 3',
      values: [7, 7, 7, 7],
      lowerIsBetter: false,
      expected: [3, 3, 3, 3],
    },
    {
      title: 'recency: fewer days since the last purchase scores higher',
      values: [1, 5, 10, 30, 365],
      lowerIsBetter: true,
      expected: [5, 4, 3, 2, 1],
    },
    { title: 'one customer scores 3', values: [42], lowerIsBetter: false, expected: [3] },
  ])('$title', ({ values, lowerIsBetter, expected }) => {
    expect([...quintileScores(values, 'x', lowerIsBetter)]).toEqual(expected);
  });

  test('a missing value is rejected with the customer and field named', () => {
    expect(() => quintileScores([1, Number.NaN], 'monetary')).toThrow(
      'customer 1 monetary: expected a finite number, got NaN',
    );
  });
});

describe('RFM named segments (issue 5.1)', () => {
  test('every (R, FM) cell names a segment, and all 11 segments are used', () => {
    const used = new Set<string>();
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        for (let m = 1; m <= 5; m++) used.add(rfmSegmentOf(r, f, m));
      }
    }
    expect([...used].sort()).toEqual(RFM_SEGMENTS.map((s) => s.key).sort());
  });

  test.each([
    { r: 5, f: 5, m: 5, expected: 'champions' },
    { r: 5, f: 1, m: 1, expected: 'new' },
    { r: 4, f: 1, m: 1, expected: 'promising' },
    { r: 4, f: 5, m: 4, expected: 'loyal' },
    { r: 3, f: 3, m: 3, expected: 'need-attention' },
    { r: 3, f: 1, m: 2, expected: 'about-to-sleep' },
    { r: 2, f: 4, m: 3, expected: 'at-risk' },
    { r: 1, f: 5, m: 5, expected: 'cant-lose' },
    { r: 2, f: 1, m: 1, expected: 'hibernating' },
    { r: 1, f: 1, m: 2, expected: 'lost' },
    { r: 5, f: 3, m: 2, expected: 'potential-loyalist' },
  ])('R=$r F=$f M=$m is $expected', ({ r, f, m, expected }) => {
    expect(rfmSegmentOf(r, f, m)).toBe(expected);
  });

  test('every segment has a Chinese and an English name', () => {
    expect(RFM_SEGMENTS).toHaveLength(11);
    for (const s of RFM_SEGMENTS) {
      expect(s.en.length).toBeGreaterThan(0);
      expect(s.zh).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(RFM_SEGMENTS.find((s) => s.key === 'champions')?.zh).toBe('冠军客户');
  });

  test('scoreRfm gives every customer a cell and a segment, and the counts add up', () => {
    const n = 50;
    const recencyDays = Array.from({ length: n }, (_, i) => (i * 37) % 400);
    const frequency = Array.from({ length: n }, (_, i) => 1 + ((i * 7) % 12));
    const monetary = Array.from({ length: n }, (_, i) => 100 + ((i * 53) % 900));
    const res = scoreRfm({ recencyDays, frequency, monetary });
    expect(res.counts.reduce((a, b) => a + b, 0)).toBe(n);
    for (let i = 0; i < n; i++) {
      expect(res.cell[i]).toBe(res.r[i] * 100 + res.f[i] * 10 + res.m[i]);
      expect(res.segments[res.segment[i]].key).toBe(rfmSegmentOf(res.r[i], res.f[i], res.m[i]));
    }
    expect(Object.isFrozen(res)).toBe(true);
  });

  test('the segment map is data: a custom map is used, and a map with a gap is rejected', () => {
    const allLost = DEFAULT_RFM_SEGMENT_MAP.map((row) => row.map(() => 'lost' as const));
    const res = scoreRfm({ recencyDays: [1, 2], frequency: [1, 2], monetary: [1, 2] }, allLost);
    expect(res.counts[RFM_SEGMENTS.findIndex((s) => s.key === 'lost')]).toBe(2);
    const gap = DEFAULT_RFM_SEGMENT_MAP.map((row) => [...row]);
    (gap[2] as string[])[1] = 'other';
    expect(() => validateRfmSegmentMap(gap)).toThrow(
      'RFM segment map R=3 FM=2: expected a segment key, got "other"',
    );
  });

  test('recency, frequency and monetary of different lengths are rejected', () => {
    expect(() => scoreRfm({ recencyDays: [1], frequency: [1, 2], monetary: [1] })).toThrow(
      'one value per customer, got 1, 2 and 1',
    );
  });
});

describe('RFM on a realistic base (issue 5.1)', () => {
  // 60 % bought once (as in CDNOW); recency and spend spread out
  const n = 1000;
  const frequency = Array.from({ length: n }, (_, i) => (i % 10 < 6 ? 1 : 2 + (i % 7)));
  const recencyDays = Array.from({ length: n }, (_, i) => (i * 7919) % 365);
  const monetary = Array.from({ length: n }, (_, i) => frequency[i] * (20 + ((i * 104729) % 300)));

  test('one-order customers score F = 1, recent ones are New, and no one is left out', () => {
    const res = scoreRfm({ recencyDays, frequency, monetary });
    for (let i = 0; i < n; i++) if (frequency[i] === 1) expect(res.f[i]).toBe(1);
    const count = (key: string) => res.counts[RFM_SEGMENTS.findIndex((s) => s.key === key)];
    expect(count('new')).toBeGreaterThan(0);
    expect(count('lost')).toBeGreaterThan(0);
    expect(res.counts.reduce((a, b) => a + b, 0)).toBe(n);
  });

  test('the same customers in another row order get the same scores and segments', () => {
    const a = scoreRfm({ recencyDays, frequency, monetary });
    const order = Array.from({ length: n }, (_, i) => (i * 37) % n);
    const b = scoreRfm({
      recencyDays: order.map((i) => recencyDays[i]),
      frequency: order.map((i) => frequency[i]),
      monetary: order.map((i) => monetary[i]),
    });
    order.forEach((i, j) => {
      expect(b.cell[j]).toBe(a.cell[i]);
      expect(b.segment[j]).toBe(a.segment[i]);
    });
  });
});

describe('RFM bands: scoring one customer later as the run scored them', () => {
  test('every value of the run gets its own score back, recency reversed', () => {
    const rng = createRng(11);
    const n = 2000;
    const recency = Array.from({ length: n }, () => Math.floor(rng.next() * 400));
    const frequency = Array.from({ length: n }, () => 1 + Math.floor(rng.next() ** 3 * 12));
    const monetary = Array.from({ length: n }, () => Math.round(rng.next() * 5000));
    const run = scoreRfm({ recencyDays: recency, frequency, monetary });
    const bands = {
      r: rfmBands(recency, run.r, true),
      f: rfmBands(frequency, run.f, false),
      m: rfmBands(monetary, run.m, false),
    };
    for (let i = 0; i < n; i++) {
      expect(scoreByBands(recency[i], bands.r)).toBe(run.r[i]);
      expect(scoreByBands(frequency[i], bands.f)).toBe(run.f[i]);
      expect(scoreByBands(monetary[i], bands.m)).toBe(run.m[i]);
      expect(rfmSegmentKey(run.r[i], run.f[i], run.m[i])).toBe(run.segments[run.segment[i]].key);
    }
    // values beyond the run's range take the end scores
    expect(scoreByBands(-5, bands.r)).toBe(5);
    expect(scoreByBands(10_000, bands.r)).toBe(1);
    expect(scoreByBands(1e9, bands.m)).toBe(5);
  });
});
