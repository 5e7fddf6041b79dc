/**
 * How well a churn score ranks and how well its probabilities are calibrated (issue 6 §3).
 *
 * - ROC AUC as the Mann–Whitney statistic (Hanley & McNeil 1982, "The meaning and use of the
 *   area under a ROC curve", eq. 2): the probability a random churner scores above a random
 *   non-churner, ties counting one half (mid-ranks).
 * - PR AUC as average precision (Manning, Raghavan & Schütze 2008, "Introduction to Information
 *   Retrieval", §8.4): the mean of the precision at each churner's rank, tied scores taken as
 *   one threshold.
 * - Lift and capture by decile (Berry & Linoff 2004, "Data Mining Techniques", ch. 5): customers
 *   sorted by score, highest first, cut into ten groups; lift = churn rate in the group ÷ base
 *   rate; capture = share of all churners in this and higher groups.
 * - Brier score (Brier 1950): mean squared difference between probability and outcome.
 */
import { InputError } from '../../errors.js';

export interface DecileRow {
  /** 1 = the highest scores */
  readonly decile: number;
  readonly customers: number;
  readonly churned: number;
  /** mean predicted probability in the decile */
  readonly predicted: number;
  /** observed churn rate in the decile */
  readonly observed: number;
  readonly lift: number;
  /** cumulative share of all churners captured down to this decile */
  readonly capture: number;
}

export interface ChurnMetrics {
  readonly customers: number;
  readonly churned: number;
  readonly baseRate: number;
  readonly rocAuc: number;
  readonly prAuc: number;
  readonly brier: number;
  /** lift in the top decile */
  readonly topDecileLift: number;
  readonly deciles: readonly DecileRow[];
}

function check(p: ArrayLike<number>, y: ArrayLike<number>): void {
  if (p.length !== y.length) {
    throw new InputError(`labels: expected ${p.length} (one per score), got ${y.length}`, {
      field: 'y',
    });
  }
}

/** Row indices sorted by score, highest first (ties in index order: deterministic). */
function byScoreDesc(p: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(p.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((a, b) => p[b] - p[a] || a - b);
  return idx;
}

/** ROC AUC (Mann–Whitney with mid-ranks); NaN when one class is absent. */
export function rocAuc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  check(p, y);
  const n = p.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => p[a] - p[b]);
  let pos = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && p[idx[j + 1]] === p[idx[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let q = i; q <= j; q++) {
      if (y[idx[q]] === 1) {
        pos++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision; NaN without churners. */
export function prAuc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  check(p, y);
  const idx = byScoreDesc(p);
  let total = 0;
  for (let i = 0; i < y.length; i++) total += y[i];
  if (total === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    let tpHere = 0;
    while (j < idx.length && p[idx[j]] === p[idx[i]]) {
      tpHere += y[idx[j]];
      j++;
    }
    tp += tpHere;
    seen += j - i;
    ap += (tpHere / total) * (tp / seen);
    i = j;
  }
  return ap;
}

export function brierScore(p: ArrayLike<number>, y: ArrayLike<number>): number {
  check(p, y);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - y[i]) ** 2;
  return p.length ? s / p.length : Number.NaN;
}

/** Ten groups by score (highest first), sizes differing by at most one. */
export function decileTable(p: ArrayLike<number>, y: ArrayLike<number>, groups = 10): DecileRow[] {
  check(p, y);
  const n = p.length;
  const idx = byScoreDesc(p);
  let total = 0;
  for (let i = 0; i < n; i++) total += y[i];
  const base = n ? total / n : 0;
  const rows: DecileRow[] = [];
  let cum = 0;
  for (let d = 0; d < groups; d++) {
    const lo = Math.floor((d * n) / groups);
    const hi = Math.floor(((d + 1) * n) / groups);
    let churned = 0;
    let pred = 0;
    for (let q = lo; q < hi; q++) {
      churned += y[idx[q]];
      pred += p[idx[q]];
    }
    const size = hi - lo;
    cum += churned;
    const observed = size ? churned / size : 0;
    rows.push(
      Object.freeze({
        decile: d + 1,
        customers: size,
        churned,
        predicted: size ? pred / size : 0,
        observed,
        lift: base > 0 ? observed / base : 0,
        capture: total > 0 ? cum / total : 0,
      }),
    );
  }
  return rows;
}

/** Every figure of the backtest for one score. */
export function churnMetrics(p: ArrayLike<number>, y: ArrayLike<number>): ChurnMetrics {
  check(p, y);
  let churned = 0;
  for (let i = 0; i < y.length; i++) churned += y[i];
  const deciles = decileTable(p, y);
  return Object.freeze({
    customers: p.length,
    churned,
    baseRate: p.length ? churned / p.length : Number.NaN,
    rocAuc: rocAuc(p, y),
    prAuc: prAuc(p, y),
    brier: brierScore(p, y),
    topDecileLift: deciles[0]?.lift ?? Number.NaN,
    deciles: Object.freeze(deciles),
  });
}
