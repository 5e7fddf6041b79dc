/**
 * k-means clustering (Lloyd 1982, "Least squares quantization in PCM", IEEE Trans. Inf. Theory
 * 28(2)) with k-means++ seeding (Arthur & Vassilvitskii 2007, "k-means++: the advantages of
 * careful seeding", SODA '07, §2.2 "D² weighting").
 *
 * Data: n points × d features, row-major in one Float64Array, already scaled (see clusters.ts).
 * For large n the centroids are fitted on a seeded uniform sample (`sampleSize` points, default
 * 20,000: with k ≤ 10 each centroid is then a mean of thousands of points, so its sampling
 * error is a small fraction of a standard deviation), then every point is assigned to its
 * nearest centroid. Lloyd iterations stop when no point changes cluster or the within-cluster
 * sum of squares falls by less than a relative 1e-4. Several restarts; the one with the lowest
 * within-cluster sum of squares on the sample wins (the earlier restart on a tie). An empty
 * cluster is re-seeded with the point farthest from its centroid. Clusters are numbered by size,
 * largest first (ties by the centroid's coordinates), so the same data and seed always give the
 * same numbering.
 *
 * Choosing k: the mean silhouette (Rousseeuw 1987, "Silhouettes: a graphical aid to the
 * interpretation and validation of cluster analysis", J. Comput. Appl. Math. 20, 53–65, eq. (1))
 * of a seeded sample of `silhouetteSample` points (default 1,000), computed with Euclidean
 * distances among the sampled points only, each candidate k fitted on a seeded sample of
 * `selectionSampleSize` points (default 10,000); the k with the highest mean wins, the smaller
 * k on a tie.
 */
import { InputError } from '../../errors.js';
import { createRng, type Rng } from '../random.js';

export interface KMeansOptions {
  readonly seed?: number;
  /** independent k-means++ starts (default 4) */
  readonly restarts?: number;
  /** Lloyd iterations per start (default 100) */
  readonly maxIterations?: number;
  /** fit on a sample of this many points when n is larger (default 20,000) */
  readonly sampleSize?: number;
}

export interface KMeansResult {
  readonly k: number;
  readonly d: number;
  /** k × d, row-major */
  readonly centroids: Float64Array;
  /** cluster of each point, 0 … k-1 (0 is the largest cluster) */
  readonly assignment: Int32Array;
  readonly sizes: readonly number[];
  /** within-cluster sum of squared distances over all n points */
  readonly inertia: number;
  /** points the centroids were fitted on (n, or the sample size) */
  readonly fittedOn: number;
  readonly iterations: number;
  readonly converged: boolean;
}

function checkShape(data: Float64Array, n: number, d: number, k: number): void {
  if (!(Number.isInteger(n) && Number.isInteger(d) && n >= 1 && d >= 1 && data.length === n * d)) {
    throw new InputError(`k-means: expected ${n} × ${d} = ${n * d} values, got ${data.length}`, {
      field: 'data',
    });
  }
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) {
    throw new InputError(`k-means: k must be a whole number from 1 to n = ${n}, got ${k}`, {
      field: 'k',
      value: k,
    });
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new InputError(
        `k-means: point ${Math.floor(i / d)} feature ${i % d}: expected a finite number, got ${data[i]}`,
        { field: 'data', value: data[i] },
      );
    }
  }
}

/** A seeded uniform sample of m of the n row indices (partial Fisher–Yates), in ascending order. */
export function sampleIndices(n: number, m: number, rng: Rng): Uint32Array {
  if (m >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, m).sort();
}

function gather(data: Float64Array, d: number, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) out.set(data.subarray(rows[r] * d, rows[r] * d + d), r * d);
  return out;
}

/** Nearest centroid of every point; returns the squared-distance total. */
function assign(
  x: Float64Array,
  n: number,
  d: number,
  c: Float64Array,
  k: number,
  out: Int32Array,
  dist?: Float64Array,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    for (let j = 0; j < k; j++) {
      const p = j * d;
      let s = 0;
      for (let f = 0; f < d; f++) {
        const t = x[o + f] - c[p + f];
        s += t * t;
      }
      if (s < bestD) {
        bestD = s;
        best = j;
      }
    }
    out[i] = best;
    if (dist) dist[i] = bestD;
    total += bestD;
  }
  return total;
}

function seedPlusPlus(x: Float64Array, m: number, d: number, k: number, rng: Rng): Float64Array {
  const c = new Float64Array(k * d);
  const first = Math.floor(rng.next() * m);
  c.set(x.subarray(first * d, first * d + d), 0);
  const d2 = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  for (let j = 1; j < k; j++) {
    const p = (j - 1) * d;
    let sum = 0;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let f = 0; f < d; f++) {
        const t = x[i * d + f] - c[p + f];
        s += t * t;
      }
      if (s < d2[i]) d2[i] = s;
      sum += d2[i];
    }
    // D² weighting (Arthur & Vassilvitskii 2007 §2.2); all points on centres → take any point
    let pick = Math.floor(rng.next() * m);
    if (sum > 0) {
      let u = rng.next() * sum;
      for (let i = 0; i < m; i++) {
        u -= d2[i];
        if (u < 0) {
          pick = i;
          break;
        }
      }
    }
    c.set(x.subarray(pick * d, pick * d + d), j * d);
  }
  return c;
}

interface Fit {
  centroids: Float64Array;
  inertia: number;
  iterations: number;
  converged: boolean;
}

function lloyd(
  x: Float64Array,
  m: number,
  d: number,
  k: number,
  c: Float64Array,
  maxIterations: number,
): Fit {
  const a = new Int32Array(m).fill(-1);
  const next = new Int32Array(m);
  const dist = new Float64Array(m);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let inertia = assign(x, m, d, c, k, next, dist);
  for (let it = 1; it <= maxIterations; it++) {
    let changed = 0;
    for (let i = 0; i < m; i++) {
      if (a[i] !== next[i]) changed++;
      a[i] = next[i];
    }
    if (changed === 0) return { centroids: c, inertia, iterations: it - 1, converged: true };
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < m; i++) {
      const j = a[i];
      counts[j]++;
      for (let f = 0; f < d; f++) sums[j * d + f] += x[i * d + f];
    }
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        // re-seed an empty cluster with the point farthest from its centroid
        let far = 0;
        for (let i = 1; i < m; i++) if (dist[i] > dist[far]) far = i;
        c.set(x.subarray(far * d, far * d + d), j * d);
        dist[far] = 0;
        continue;
      }
      for (let f = 0; f < d; f++) c[j * d + f] = sums[j * d + f] / counts[j];
    }
    const before = inertia;
    inertia = assign(x, m, d, c, k, next, dist);
    if (before - inertia <= 1e-4 * before) {
      return { centroids: c, inertia, iterations: it, converged: true };
    }
  }
  return { centroids: c, inertia, iterations: maxIterations, converged: false };
}

function bestOfRestarts(
  x: Float64Array,
  m: number,
  d: number,
  k: number,
  rng: Rng,
  restarts: number,
  maxIterations: number,
): Fit {
  let best: Fit | null = null;
  for (let r = 0; r < restarts; r++) {
    const fit = lloyd(x, m, d, k, seedPlusPlus(x, m, d, k, rng), maxIterations);
    if (!best || fit.inertia < best.inertia) best = fit;
  }
  return best!;
}

/** Renumber clusters by size (largest first), ties by centroid coordinates. */
function canonical(c: Float64Array, k: number, d: number, sizes: number[]): number[] {
  const order = Array.from({ length: k }, (_, j) => j);
  order.sort((p, q) => {
    if (sizes[q] !== sizes[p]) return sizes[q] - sizes[p];
    for (let f = 0; f < d; f++) {
      const t = c[p * d + f] - c[q * d + f];
      if (t !== 0) return t;
    }
    return p - q;
  });
  return order;
}

/**
 * k-means with k-means++ starts, fitted on a seeded sample when n is large, then every point
 * assigned. Deterministic for a given seed.
 */
export function kmeans(
  data: Float64Array,
  n: number,
  d: number,
  k: number,
  options: KMeansOptions = {},
): KMeansResult {
  checkShape(data, n, d, k);
  const rng = createRng(options.seed ?? 1);
  const m = Math.min(n, options.sampleSize ?? 20_000);
  const x = m === n ? data : gather(data, d, sampleIndices(n, m, rng));
  const fit = bestOfRestarts(x, m, d, k, rng, options.restarts ?? 4, options.maxIterations ?? 100);
  const raw = new Int32Array(n);
  assign(data, n, d, fit.centroids, k, raw);
  const rawSizes = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) rawSizes[raw[i]]++;
  const order = canonical(fit.centroids, k, d, rawSizes);
  const newIndex = new Int32Array(k);
  const centroids = new Float64Array(k * d);
  order.forEach((old, j) => {
    newIndex[old] = j;
    centroids.set(fit.centroids.subarray(old * d, old * d + d), j * d);
  });
  const assignment = new Int32Array(n);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const j = newIndex[raw[i]];
    assignment[i] = j;
    for (let f = 0; f < d; f++) {
      const t = data[i * d + f] - centroids[j * d + f];
      inertia += t * t;
    }
  }
  return Object.freeze({
    k,
    d,
    centroids,
    assignment,
    sizes: Object.freeze(order.map((old) => rawSizes[old])),
    inertia,
    fittedOn: m,
    iterations: fit.iterations,
    converged: fit.converged,
  });
}

/**
 * Mean silhouette (Rousseeuw 1987 eq. (1)) of the m = labels.length points in `x` (m × d), with
 * Euclidean distances among those points only. A point alone in its cluster scores 0.
 */
export function meanSilhouette(x: Float64Array, d: number, labels: Int32Array, k: number): number {
  const m = labels.length;
  if (k < 2) return 0;
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  for (let i = 0; i < m; i++) count[labels[i]]++;
  let total = 0;
  for (let i = 0; i < m; i++) {
    sum.fill(0);
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      let s = 0;
      for (let f = 0; f < d; f++) {
        const t = x[i * d + f] - x[j * d + f];
        s += t * t;
      }
      sum[labels[j]] += Math.sqrt(s);
    }
    const own = labels[i];
    if (count[own] <= 1) continue;
    const a = sum[own] / (count[own] - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c !== own && count[c] > 0) b = Math.min(b, sum[c] / count[c]);
    }
    if (b === Number.POSITIVE_INFINITY) continue;
    const s = Math.max(a, b) === 0 ? 0 : (b - a) / Math.max(a, b);
    total += s;
  }
  return total / m;
}

export interface ChooseKOptions extends KMeansOptions {
  readonly kMin?: number;
  readonly kMax?: number;
  /** points fitted for each candidate k (default 10,000) */
  readonly selectionSampleSize?: number;
  /** points the silhouette is computed on (default 1,000) */
  readonly silhouetteSample?: number;
}

export interface KSelection {
  readonly criterion: 'mean silhouette on a sample';
  readonly scores: readonly { readonly k: number; readonly silhouette: number }[];
  readonly k: number;
}

/**
 * Choose k in [kMin, kMax] (default 2 … 8) by the mean silhouette on a seeded sample, then fit
 * k-means with that k on all the data.
 */
export function kmeansChooseK(
  data: Float64Array,
  n: number,
  d: number,
  options: ChooseKOptions = {},
): { readonly selection: KSelection; readonly result: KMeansResult } {
  const kMin = options.kMin ?? 2;
  const kMax = Math.min(options.kMax ?? 8, n);
  if (!(Number.isInteger(kMin) && Number.isInteger(kMax) && kMin >= 2 && kMin <= kMax)) {
    throw new InputError(
      `k range: expected whole numbers 2 ≤ kMin ≤ kMax ≤ n, got ${kMin} … ${kMax} with n = ${n}`,
      { field: 'k' },
    );
  }
  checkShape(data, n, d, kMin);
  const rng = createRng(options.seed ?? 1);
  const fitRows = sampleIndices(n, Math.min(n, options.selectionSampleSize ?? 10_000), rng);
  const x = gather(data, d, fitRows);
  const s = Math.min(fitRows.length, options.silhouetteSample ?? 1_000);
  const silRows = sampleIndices(fitRows.length, s, rng);
  const xs = gather(x, d, silRows);
  const labels = new Int32Array(s);
  const scores: { k: number; silhouette: number }[] = [];
  for (let k = kMin; k <= kMax; k++) {
    const fit = bestOfRestarts(
      x,
      fitRows.length,
      d,
      k,
      rng,
      options.restarts ?? 3,
      options.maxIterations ?? 100,
    );
    assign(xs, s, d, fit.centroids, k, labels);
    scores.push({ k, silhouette: meanSilhouette(xs, d, labels, k) });
  }
  let best = scores[0];
  for (const sc of scores) if (sc.silhouette > best.silhouette) best = sc;
  const result = kmeans(data, n, d, best.k, options);
  return Object.freeze({
    selection: Object.freeze({
      criterion: 'mean silhouette on a sample' as const,
      scores: Object.freeze(scores.map((sc) => Object.freeze(sc))),
      k: best.k,
    }),
    result,
  });
}
