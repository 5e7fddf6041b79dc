import { describe, expect, test } from 'vitest';
import { createRng, sampleNormal } from '../random.js';
import { kmeans, kmeansChooseK, meanSilhouette } from './kmeans.js';

/** `per` points around each centre (2-D), sd 0.5, in blob order; returns data and true blob. */
function blobs(centres: [number, number][], per: number, seed = 7) {
  const rng = createRng(seed);
  const n = centres.length * per;
  const data = new Float64Array(n * 2);
  const truth = new Int32Array(n);
  centres.forEach(([cx, cy], b) => {
    for (let i = 0; i < per; i++) {
      const r = b * per + i;
      data[r * 2] = sampleNormal(rng, cx, 0.5);
      data[r * 2 + 1] = sampleNormal(rng, cy, 0.5);
      truth[r] = b;
    }
  });
  return { data, n, truth };
}

/** true when the clustering and the truth partition the points the same way. */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const map = new Map<number, number>();
  const back = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((map.get(a[i]) ?? b[i]) !== b[i] || (back.get(b[i]) ?? a[i]) !== a[i]) return false;
    map.set(a[i], b[i]);
    back.set(b[i], a[i]);
  }
  return true;
}

const THREE: [number, number][] = [
  [0, 0],
  [10, 10],
  [-10, 10],
];

describe('k-means (issue 5.3)', () => {
  test('three well-separated blobs are recovered exactly', () => {
    const { data, n, truth } = blobs(THREE, 100);
    const res = kmeans(data, n, 2, 3, { seed: 1 });
    expect(samePartition(res.assignment, truth)).toBe(true);
    expect(res.sizes).toEqual([100, 100, 100]);
    expect(res.converged).toBe(true);
  });

  test.each([1, 2, 3, 42])(
    'the same seed (%i) gives the same clusters, numbering and centroids',
    (seed) => {
      const { data, n } = blobs([...THREE, [0, 20]], 60, 11);
      const a = kmeans(data, n, 2, 4, { seed });
      const b = kmeans(data, n, 2, 4, { seed });
      expect(b.assignment).toEqual(a.assignment);
      expect(b.centroids).toEqual(a.centroids);
      expect(b.inertia).toBe(a.inertia);
    },
  );

  test('clusters are numbered by size, largest first', () => {
    const rng = createRng(3);
    const sizes = [30, 120, 60];
    const n = 210;
    const data = new Float64Array(n * 2);
    let r = 0;
    sizes.forEach((size, b) => {
      for (let i = 0; i < size; i++, r++) {
        data[r * 2] = sampleNormal(rng, THREE[b][0], 0.5);
        data[r * 2 + 1] = sampleNormal(rng, THREE[b][1], 0.5);
      }
    });
    expect(kmeans(data, n, 2, 3, { seed: 5 }).sizes).toEqual([120, 60, 30]);
  });

  test('a fit on a sample still assigns every point and recovers the blobs', () => {
    const { data, n, truth } = blobs(THREE, 5000);
    const res = kmeans(data, n, 2, 3, { seed: 9, sampleSize: 500 });
    expect(res.fittedOn).toBe(500);
    expect(res.assignment.length).toBe(n);
    expect(samePartition(res.assignment, truth)).toBe(true);
  });

  test.each([
    { centres: THREE, expected: 3 },
    { centres: [...THREE, [0, 20]] as [number, number][], expected: 4 },
    { centres: THREE.slice(0, 2), expected: 2 },
  ])(
    'k is chosen by silhouette: $expected separated blobs give k = $expected',
    ({ centres, expected }) => {
      const { data, n, truth } = blobs(centres, 150);
      const { selection, result } = kmeansChooseK(data, n, 2, { seed: 1, kMin: 2, kMax: 6 });
      expect(selection.k).toBe(expected);
      expect(selection.criterion).toBe('mean silhouette on a sample');
      expect(selection.scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6]);
      expect(samePartition(result.assignment, truth)).toBe(true);
    },
  );

  test('the silhouette of a hand-made 1-D example matches Rousseeuw (1987) eq. (1)', () => {
    const x = Float64Array.from([0, 1, 10, 11]);
    const s = meanSilhouette(x, 1, Int32Array.from([0, 0, 1, 1]), 2);
    expect(s).toBeCloseTo((9.5 / 10.5 + 8.5 / 9.5) / 2, 12);
  });

  test.each([
    {
      title: 'k above n',
      k: 5,
      data: [1, 2, 3],
      message: 'k-means: k must be a whole number from 1 to n = 3, got 5',
    },
    {
      title: 'a missing feature value',
      k: 2,
      data: [1, Number.NaN, 3],
      message: 'k-means: point 1 feature 0: expected a finite number, got NaN',
    },
  ])('bad input is rejected: $title', ({ k, data, message }) => {
    expect(() => kmeans(Float64Array.from(data), 3, 1, k)).toThrow(message);
  });
});
