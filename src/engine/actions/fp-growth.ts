/**
 * Frequent itemsets by FP-Growth: Han, Pei & Yin (2000), "Mining frequent patterns without
 * candidate generation", SIGMOD '00, 1–12 (algorithm 1 builds the FP-tree, algorithm 2
 * "FP-growth" mines it through conditional pattern bases).
 *
 * Input: baskets in compressed sparse rows — `items` holds every basket's item ids (integers
 * 0…itemCount−1, compressed from skus by the store), `offsets[b]…offsets[b+1]` is basket b. A
 * basket may list an item more than once; it counts once. Output: every itemset of up to
 * `maxLength` items contained in at least `minCount` baskets, with that count.
 *
 * The tree orders items by descending global frequency (ties by id) and keeps that order in the
 * conditional trees too (items below the count are dropped there, which is all correctness
 * needs; reordering per conditional base only saves nodes). Children are found through one
 * hash map keyed by parent × itemCount + item, so a node costs four numbers and no object.
 */
import { InputError } from '../../errors.js';

export interface Baskets {
  /** item ids of all baskets, concatenated */
  readonly items: Int32Array;
  /** basket b is items[offsets[b]] … items[offsets[b + 1] − 1]; length = baskets + 1 */
  readonly offsets: Int32Array;
  /** number of distinct item ids (ids are 0 … itemCount − 1) */
  readonly itemCount: number;
}

export interface FrequentItemset {
  /** item ids, ascending */
  readonly items: readonly number[];
  /** baskets containing all of them */
  readonly count: number;
}

export interface FpGrowthOptions {
  /** minimum number of baskets an itemset must be in (≥ 1) */
  readonly minCount: number;
  /** longest itemset mined (default 3) */
  readonly maxLength?: number;
}

/** An FP-tree over item ranks (0 = most frequent). Node 0 is the root. */
class FpTree {
  readonly item: number[] = [-1];
  readonly count: number[] = [0];
  readonly parent: number[] = [-1];
  /** next node holding the same rank (the header table's node-link, Han et al. §2) */
  readonly link: number[] = [-1];
  readonly head: Int32Array;
  readonly total: Float64Array;
  private readonly child = new Map<number, number>();

  constructor(readonly ranks: number) {
    this.head = new Int32Array(ranks).fill(-1);
    this.total = new Float64Array(ranks);
  }

  /** Adds one path of ranks (ascending) with a weight. */
  insert(path: ArrayLike<number>, length: number, weight: number): void {
    let node = 0;
    for (let k = 0; k < length; k++) {
      const r = path[k];
      const key = node * this.ranks + r;
      let next = this.child.get(key);
      if (next === undefined) {
        next = this.item.length;
        this.item.push(r);
        this.count.push(0);
        this.parent.push(node);
        this.link.push(this.head[r]);
        this.head[r] = next;
        this.child.set(key, next);
      }
      this.count[next] += weight;
      this.total[r] += weight;
      node = next;
    }
  }
}

/**
 * Every frequent itemset (count ≥ minCount, length ≤ maxLength) of the baskets, FP-Growth
 * (Han, Pei & Yin 2000, algorithm 2). Singletons are included.
 */
export function fpGrowth(baskets: Baskets, options: FpGrowthOptions): FrequentItemset[] {
  const { items, offsets, itemCount } = baskets;
  const minCount = options.minCount;
  const maxLength = options.maxLength ?? 3;
  if (!Number.isFinite(minCount) || minCount < 1) {
    throw new InputError(`minCount: expected a number ≥ 1, got ${minCount}`, {
      field: 'minCount',
      value: minCount,
    });
  }
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new InputError(`maxLength: expected a whole number ≥ 1, got ${maxLength}`, {
      field: 'maxLength',
      value: maxLength,
    });
  }
  const n = offsets.length - 1;
  // Pass 1: item counts, once per basket (a stamp array dedupes without sorting).
  const counts = new Float64Array(itemCount);
  const seen = new Int32Array(itemCount).fill(-1);
  for (let b = 0; b < n; b++) {
    for (let k = offsets[b]; k < offsets[b + 1]; k++) {
      const i = items[k];
      if (i < 0 || i >= itemCount) {
        throw new InputError(`basket ${b}: item id ${i} outside 0…${itemCount - 1}`, {
          field: 'items',
          value: i,
        });
      }
      if (seen[i] !== b) {
        seen[i] = b;
        counts[i]++;
      }
    }
  }
  const frequent: number[] = [];
  for (let i = 0; i < itemCount; i++) if (counts[i] >= minCount) frequent.push(i);
  frequent.sort((a, b) => counts[b] - counts[a] || a - b);
  const rankOf = new Int32Array(itemCount).fill(-1);
  frequent.forEach((item, r) => {
    rankOf[item] = r;
  });
  const R = frequent.length;

  // Pass 2: the FP-tree of the frequent items of each basket in rank order.
  const tree = new FpTree(R);
  const path = new Int32Array(R);
  const stamp = new Int32Array(R).fill(-1);
  for (let b = 0; b < n; b++) {
    let len = 0;
    for (let k = offsets[b]; k < offsets[b + 1]; k++) {
      const r = rankOf[items[k]];
      if (r >= 0 && stamp[r] !== b) {
        stamp[r] = b;
        path[len++] = r;
      }
    }
    if (len === 0) continue;
    const sorted = path.subarray(0, len).sort();
    tree.insert(sorted, len, 1);
  }

  const out: FrequentItemset[] = [];
  const suffix: number[] = [];
  const emit = (count: number): void => {
    const ids = suffix.map((r) => frequent[r]).sort((a, b) => a - b);
    out.push(Object.freeze({ items: Object.freeze(ids), count }));
  };

  const mine = (t: FpTree): void => {
    // least frequent rank first, as in algorithm 2's header-table walk (bottom up)
    for (let r = t.ranks - 1; r >= 0; r--) {
      const support = t.total[r];
      if (support < minCount) continue;
      suffix.push(r);
      emit(support);
      if (suffix.length < maxLength) {
        // conditional pattern base of r: the prefix path of every node holding r
        const condCounts = new Float64Array(r);
        for (let node = t.head[r]; node !== -1; node = t.link[node]) {
          const w = t.count[node];
          for (let p = t.parent[node]; p > 0; p = t.parent[p]) condCounts[t.item[p]] += w;
        }
        let any = false;
        for (let q = 0; q < r; q++) if (condCounts[q] >= minCount) any = true;
        if (any) {
          const cond = new FpTree(r);
          const buf = new Int32Array(r);
          for (let node = t.head[r]; node !== -1; node = t.link[node]) {
            let len = 0;
            for (let p = t.parent[node]; p > 0; p = t.parent[p]) {
              const q = t.item[p];
              if (condCounts[q] >= minCount) buf[len++] = q;
            }
            if (len === 0) continue;
            // the walk went leaf → root (descending rank); the tree wants ascending
            buf.subarray(0, len).reverse();
            cond.insert(buf, len, t.count[node]);
          }
          mine(cond);
        }
      }
      suffix.pop();
    }
  };
  mine(tree);
  return out;
}
