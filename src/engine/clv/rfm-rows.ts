/**
 * Frequency/recency summaries as the models take them: unique (x, tx, T) rows with integer
 * counts as weights. Symbols: x = repeat purchase occasions in the calibration period,
 * tx = time of the last repeat purchase measured from the first purchase (0 when x = 0),
 * T = time from the first purchase to the end of calibration; tx and T share one time unit.
 * Fitting on unique rows with counts gives the same likelihood as one row per customer
 * (each customer contributes one independent factor) at a fraction of the cost.
 */
import { InputError } from '../../errors.js';

export interface RfmRows {
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  /** number of customers sharing the row (integer ≥ 1) */
  readonly weight: Float64Array;
}

export interface CompressedRfm {
  readonly rows: RfmRows;
  /** row index of each input customer, so per-row predictions map back to customers */
  readonly rowOf: Int32Array;
}

/** Check one customer's (x, tx, T); throws an InputError naming the customer index and field. */
export function validateRfm(x: number, tx: number, T: number, index: number): void {
  const where = `customer ${index}`;
  if (!(Number.isInteger(x) && x >= 0)) {
    throw new InputError(`${where} x: expected a whole number ≥ 0, got ${x}`, {
      field: 'x',
      value: x,
      index,
    });
  }
  if (!(Number.isFinite(T) && T > 0)) {
    throw new InputError(`${where} T: expected a positive time, got ${T}`, {
      field: 'T',
      value: T,
      index,
    });
  }
  if (!(Number.isFinite(tx) && tx >= 0 && tx <= T)) {
    throw new InputError(`${where} tx: expected 0 ≤ tx ≤ T (${T}), got ${tx}`, {
      field: 'tx',
      value: tx,
      index,
    });
  }
  if (x === 0 && tx !== 0) {
    throw new InputError(`${where} tx: a customer with no repeat purchase has tx = 0, got ${tx}`, {
      field: 'tx',
      value: tx,
      index,
    });
  }
}

/**
 * Validate per-customer (x, tx, T) arrays and compress them into unique rows with counts.
 * Rows are sorted by (x, T, tx), so the result is deterministic and the likelihoods can
 * compute their per-x terms once per run of equal x.
 */
export function compressRfm(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
): CompressedRfm {
  const n = x.length;
  if (tx.length !== n || T.length !== n) {
    throw new InputError(
      `x, tx and T must have the same length, got ${n}, ${tx.length} and ${T.length}`,
      { field: 'tx' },
    );
  }
  if (n === 0) throw new InputError('no customers to fit', { field: 'x' });
  for (let i = 0; i < n; i++) validateRfm(x[i], tx[i], T[i], i);
  // Sort customer indices by (x, T, tx) and merge runs of equal rows.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => x[i] - x[j] || T[i] - T[j] || tx[i] - tx[j] || i - j);
  const rowOf = new Int32Array(n);
  const ux: number[] = [];
  const utx: number[] = [];
  const uT: number[] = [];
  const w: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const last = ux.length - 1;
    if (last >= 0 && ux[last] === x[i] && uT[last] === T[i] && utx[last] === tx[i]) {
      w[last] += 1;
    } else {
      ux.push(x[i]);
      utx.push(tx[i]);
      uT.push(T[i]);
      w.push(1);
    }
    rowOf[i] = ux.length - 1;
  }
  return Object.freeze({
    rows: Object.freeze({
      x: Float64Array.from(ux),
      tx: Float64Array.from(utx),
      T: Float64Array.from(uT),
      weight: Float64Array.from(w),
    }),
    rowOf,
  });
}

/**
 * Rows already aggregated elsewhere (for example a SQL GROUP BY x, tx, T with COUNT(*)) as the
 * models take them: each row validated, counts checked to be whole numbers ≥ 1, duplicates
 * merged and rows sorted by (x, T, tx).
 */
export function rfmRowsFromCounts(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
  count: ArrayLike<number>,
): RfmRows {
  const n = x.length;
  if (tx.length !== n || T.length !== n || count.length !== n) {
    throw new InputError(
      `x, tx, T and count must have the same length, got ${n}, ${tx.length}, ${T.length} and ${count.length}`,
      { field: 'count' },
    );
  }
  if (n === 0) throw new InputError('no customers to fit', { field: 'x' });
  for (let i = 0; i < n; i++) {
    validateRfm(x[i], tx[i], T[i], i);
    if (!(Number.isInteger(count[i]) && count[i] >= 1)) {
      throw new InputError(`row ${i} count: expected a whole number ≥ 1, got ${count[i]}`, {
        field: 'count',
        value: count[i],
        index: i,
      });
    }
  }
  const { rows, rowOf } = compressRfm(x, tx, T);
  const weight = new Float64Array(rows.x.length);
  for (let i = 0; i < n; i++) weight[rowOf[i]] += count[i];
  return Object.freeze({ x: rows.x, tx: rows.tx, T: rows.T, weight });
}

/** Weighted totals used for starting values and time rescaling. */
export function rfmTotals(rows: RfmRows): { n: number; sumX: number; sumT: number; meanT: number } {
  let n = 0;
  let sumX = 0;
  let sumT = 0;
  for (let i = 0; i < rows.x.length; i++) {
    n += rows.weight[i];
    sumX += rows.weight[i] * rows.x[i];
    sumT += rows.weight[i] * rows.T[i];
  }
  return { n, sumX, sumT, meanT: sumT / n };
}

/** The same rows with tx and T divided by `scale` (the models fit on time of order one). */
export function rescaleRfm(rows: RfmRows, scale: number): RfmRows {
  return {
    x: rows.x,
    tx: rows.tx.map((v) => v / scale),
    T: rows.T.map((v) => v / scale),
    weight: rows.weight,
  };
}
