/**
 * RFM scoring (Hughes 1994, "Strategic Database Marketing"): recency, frequency and monetary
 * value scored 1–5 by quintiles, an RFM cell, and the usual named segments.
 *
 * Quintile method (deterministic, never by row order): sort the values; a customer's rank
 * position p is the average 0-based position of all customers sharing its value, so equal
 * values always share a score; the score is floor(5 · (p + 0.5) / n) + 1, clamped to 1–5,
 * except that the values tied with the lowest always score 1 and those tied with the highest
 * always score 5 (unless everyone is tied: 3). Without that rule one-order customers, often
 * more than half the base, would share F = 2 and no one would score F = 1.
 * Higher values score higher, except recency (days since the last purchase), where more
 * recent (fewer days) scores higher.
 *
 * Named segments: by R and FM = round-half-up((F + M) / 2) on a 5 × 5 grid (the map below is
 * data and can be replaced); every one of the 25 (R, FM) cells names a segment, so no
 * customer is ever left in "Other" (PEER-LESSONS.md "Lifecycle, segments, churn").
 */
import { InputError } from '../../errors.js';

export type RfmSegmentKey =
  | 'champions'
  | 'loyal'
  | 'potential-loyalist'
  | 'new'
  | 'promising'
  | 'need-attention'
  | 'about-to-sleep'
  | 'at-risk'
  | 'cant-lose'
  | 'hibernating'
  | 'lost';

export interface RfmSegmentInfo {
  readonly key: RfmSegmentKey;
  readonly en: string;
  readonly zh: string;
}

export const RFM_SEGMENTS: readonly RfmSegmentInfo[] = Object.freeze(
  [
    { key: 'champions', en: 'Champions', zh: '冠军客户' },
    { key: 'loyal', en: 'Loyal', zh: '忠诚客户' },
    { key: 'potential-loyalist', en: 'Potential loyalist', zh: '潜在忠诚客户' },
    { key: 'new', en: 'New', zh: '新客户' },
    { key: 'promising', en: 'Promising', zh: '有潜力客户' },
    { key: 'need-attention', en: 'Need attention', zh: '需要关注客户' },
    { key: 'about-to-sleep', en: 'About to sleep', zh: '即将沉睡客户' },
    { key: 'at-risk', en: 'At risk', zh: '有流失风险客户' },
    { key: 'cant-lose', en: "Can't lose", zh: '不能失去的客户' },
    { key: 'hibernating', en: 'Hibernating', zh: '休眠客户' },
    { key: 'lost', en: 'Lost', zh: '已流失客户' },
  ].map((s) => Object.freeze(s as RfmSegmentInfo)),
);

/** rows R = 5 … 1 (top to bottom), columns FM = 1 … 5 (left to right). */
export type RfmSegmentMap = readonly (readonly RfmSegmentKey[])[];

export const DEFAULT_RFM_SEGMENT_MAP: RfmSegmentMap = Object.freeze([
  /* R=5 */ ['new', 'potential-loyalist', 'potential-loyalist', 'champions', 'champions'],
  /* R=4 */ ['promising', 'potential-loyalist', 'potential-loyalist', 'loyal', 'loyal'],
  /* R=3 */ ['about-to-sleep', 'about-to-sleep', 'need-attention', 'loyal', 'loyal'],
  /* R=2 */ ['hibernating', 'hibernating', 'at-risk', 'at-risk', 'cant-lose'],
  /* R=1 */ ['lost', 'lost', 'at-risk', 'at-risk', 'cant-lose'],
] as RfmSegmentKey[][]);

const SEGMENT_INDEX = new Map(RFM_SEGMENTS.map((s, i) => [s.key, i]));

/** Check that a segment map names a known segment in every one of its 25 cells. */
export function validateRfmSegmentMap(map: RfmSegmentMap): void {
  if (map.length !== 5 || map.some((row) => row.length !== 5)) {
    throw new InputError('RFM segment map: expected 5 rows (R = 5 … 1) of 5 cells (FM = 1 … 5)', {
      field: 'segmentMap',
    });
  }
  map.forEach((row, i) => {
    row.forEach((key, j) => {
      if (!SEGMENT_INDEX.has(key)) {
        throw new InputError(
          `RFM segment map R=${5 - i} FM=${j + 1}: expected a segment key, got ${JSON.stringify(key)}`,
          { field: 'segmentMap', value: key },
        );
      }
    });
  });
}

/** The segment of one (R, F, M) score triple. */
export function rfmSegmentOf(
  r: number,
  f: number,
  m: number,
  map: RfmSegmentMap = DEFAULT_RFM_SEGMENT_MAP,
): RfmSegmentKey {
  const fm = Math.floor((f + m + 1) / 2);
  return map[5 - r][fm - 1];
}

function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Quintile scores 1–5; equal values share a score (average rank position, see the header).
 * `lowerIsBetter` reverses the direction (recency in days).
 */
export function quintileScores(
  values: ArrayLike<number>,
  field: string,
  lowerIsBetter = false,
): Uint8Array {
  const n = values.length;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      throw new InputError(`customer ${i} ${field}: expected a finite number, got ${v}`, {
        field,
        value: v,
        index: i,
      });
    }
    sorted[i] = lowerIsBetter ? -v : v;
  }
  sorted.sort();
  // one score per tie group, written at every sorted position of the group
  const scoreAt = new Uint8Array(n);
  for (let first = 0; first < n; ) {
    let last = first;
    while (last + 1 < n && sorted[last + 1] === sorted[first]) last++;
    const p = (first + last) / 2;
    let score: number;
    if (first === 0 && last === n - 1) score = 3;
    else if (first === 0) score = 1;
    else if (last === n - 1) score = 5;
    else score = Math.min(5, Math.floor((5 * (p + 0.5)) / n) + 1);
    scoreAt.fill(score, first, last + 1);
    first = last + 1;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = scoreAt[lowerBound(sorted, lowerIsBetter ? -values[i] : values[i])];
  }
  return out;
}

export interface RfmInput {
  /** days since the last purchase (fewer = more recent = higher R) */
  readonly recencyDays: ArrayLike<number>;
  /** number of purchases */
  readonly frequency: ArrayLike<number>;
  /** money spent, in any one unit */
  readonly monetary: ArrayLike<number>;
}

export interface RfmResult {
  readonly r: Uint8Array;
  readonly f: Uint8Array;
  readonly m: Uint8Array;
  /** the RFM cell as a number R·100 + F·10 + M (e.g. 545) */
  readonly cell: Uint16Array;
  /** index into `segments` per customer */
  readonly segment: Uint8Array;
  readonly segments: readonly RfmSegmentInfo[];
  /** customers per segment, in the order of `segments` */
  readonly counts: readonly number[];
}

/** Score every customer 1–5 on R, F and M and place each in a named segment. */
export function scoreRfm(
  input: RfmInput,
  segmentMap: RfmSegmentMap = DEFAULT_RFM_SEGMENT_MAP,
): RfmResult {
  validateRfmSegmentMap(segmentMap);
  const n = input.recencyDays.length;
  if (input.frequency.length !== n || input.monetary.length !== n) {
    throw new InputError(
      `RFM input: recency, frequency and monetary must have one value per customer, got ${n}, ${input.frequency.length} and ${input.monetary.length}`,
      { field: 'rfm' },
    );
  }
  const r = quintileScores(input.recencyDays, 'recencyDays', true);
  const f = quintileScores(input.frequency, 'frequency');
  const m = quintileScores(input.monetary, 'monetary');
  const lookup = new Uint8Array(5 * 5);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) lookup[i * 5 + j] = SEGMENT_INDEX.get(segmentMap[i][j])!;
  }
  const cell = new Uint16Array(n);
  const segment = new Uint8Array(n);
  const counts = new Array<number>(RFM_SEGMENTS.length).fill(0);
  for (let i = 0; i < n; i++) {
    cell[i] = r[i] * 100 + f[i] * 10 + m[i];
    const fm = (f[i] + m[i] + 1) >> 1;
    const s = lookup[(5 - r[i]) * 5 + fm - 1];
    segment[i] = s;
    counts[s]++;
  }
  return Object.freeze({
    r,
    f,
    m,
    cell,
    segment,
    segments: RFM_SEGMENTS,
    counts: Object.freeze(counts),
  });
}

/**
 * The bands of one RFM dimension as scored on a population, so a customer scored later (one
 * order arriving through the API) gets the score the same value got in the run: `bounds[s - 1]`
 * is the lowest value (highest, for recency) that scored s, or null when no customer scored s.
 */
export interface RfmBands {
  readonly lowerIsBetter: boolean;
  readonly bounds: readonly (number | null)[];
}

/** The bands of `scores` (1–5) over `values`, from one scoring run. */
export function rfmBands(
  values: ArrayLike<number>,
  scores: ArrayLike<number>,
  lowerIsBetter: boolean,
): RfmBands {
  const bounds: (number | null)[] = [null, null, null, null, null];
  for (let i = 0; i < values.length; i++) {
    const s = scores[i] - 1;
    const v = values[i];
    const b = bounds[s];
    if (b === null || (lowerIsBetter ? v > b : v < b)) bounds[s] = v;
  }
  return Object.freeze({ lowerIsBetter, bounds: Object.freeze(bounds) });
}

/** The score a value gets against stored bands: the highest score whose bound it reaches. */
export function scoreByBands(value: number, bands: RfmBands): number {
  for (let s = 5; s >= 2; s--) {
    const b = bands.bounds[s - 1];
    if (b === null) continue;
    if (bands.lowerIsBetter ? value <= b : value >= b) return s;
  }
  return 1;
}

/** The named segment of scores (r, f, m) on a segment map. */
export function rfmSegmentKey(
  r: number,
  f: number,
  m: number,
  segmentMap: RfmSegmentMap = DEFAULT_RFM_SEGMENT_MAP,
): RfmSegmentKey {
  return segmentMap[5 - r][((f + m + 1) >> 1) - 1];
}
