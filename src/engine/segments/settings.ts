/**
 * The segmentation settings a business can edit (issue 5): the RFM segment map, the value
 * pyramid's basis and cut-offs, the clustering's k (fixed or chosen in a range) and seed, and the
 * cost to serve used for the profit curve. Stored as one JSON document; `parseSegmentSettings`
 * checks a document and names the path of anything wrong.
 */
import { InputError } from '../../errors.js';
import { DEFAULT_RFM_SEGMENT_MAP, type RfmSegmentMap, validateRfmSegmentMap } from './rfm.js';
import {
  checkTierCutoffs,
  DEFAULT_TIER_CUTOFFS,
  DEFAULT_TIERS,
  type TierBasis,
  type TierCutoffs,
} from './tiers.js';

export interface SegmentSettings {
  readonly rfmMap: RfmSegmentMap;
  readonly tiers: { readonly basis: TierBasis; readonly cutoffs: TierCutoffs };
  readonly clusters: {
    /** a fixed k, or null to choose k in [kMin, kMax] by silhouette on a sample */
    readonly k: number | null;
    readonly kMin: number;
    readonly kMax: number;
    readonly seed: number;
  };
  /**
   * Cost to serve, in fen: subtracted from each customer's margin for the profit curve (seed
   * 002: the most profitable customers can make more than all the profit once serving costs
   * are counted).
   */
  readonly costToServe: { readonly perOrderMinor: number; readonly perInteractionMinor: number };
}

export const DEFAULT_SEGMENT_SETTINGS: SegmentSettings = Object.freeze({
  rfmMap: DEFAULT_RFM_SEGMENT_MAP,
  tiers: Object.freeze({ basis: 'predicted-clv' as TierBasis, cutoffs: DEFAULT_TIER_CUTOFFS }),
  clusters: Object.freeze({ k: null, kMin: 3, kMax: 8, seed: 2026 }),
  costToServe: Object.freeze({ perOrderMinor: 0, perInteractionMinor: 0 }),
});

function fail(path: string, expected: string, value: unknown): never {
  throw new InputError(
    `segment settings ${path}: expected ${expected}, got ${JSON.stringify(value)}`,
    {
      field: path,
      value,
    },
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) fail(`${path}.${k}`, `one of ${allowed.join(', ')}`, k);
  }
}

function integer(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(path, `an integer in [${min}, ${max}]`, v);
  }
  return v;
}

function numberList(v: unknown, path: string): number[] {
  if (!Array.isArray(v)) fail(path, 'a list of numbers', v);
  return v.map((x, i) =>
    typeof x === 'number' && Number.isFinite(x) ? x : fail(`${path}[${i}]`, 'a number', x),
  );
}

/**
 * Settings from a stored or user-given document; missing parts take the defaults. Throws
 * InputError naming the path (e.g. `tiers.cutoffs.cumulativeShares[1]`).
 */
export function parseSegmentSettings(doc: unknown): SegmentSettings {
  if (doc === null || doc === undefined) return DEFAULT_SEGMENT_SETTINGS;
  if (!isObject(doc)) fail('(document)', 'an object', doc);
  checkKeys(doc, '', ['rfmMap', 'tiers', 'clusters', 'costToServe']);
  const d = DEFAULT_SEGMENT_SETTINGS;

  let rfmMap = d.rfmMap;
  if (doc.rfmMap !== undefined) {
    if (!Array.isArray(doc.rfmMap)) fail('rfmMap', '5 rows of 5 segment keys', doc.rfmMap);
    rfmMap = doc.rfmMap as RfmSegmentMap;
    validateRfmSegmentMap(rfmMap);
  }

  let tiers = d.tiers;
  if (doc.tiers !== undefined) {
    const t = doc.tiers;
    if (!isObject(t)) fail('tiers', 'an object', t);
    checkKeys(t, 'tiers', ['basis', 'cutoffs']);
    const basis = (t.basis ?? d.tiers.basis) as TierBasis;
    if (basis !== 'predicted-clv' && basis !== 'historical-profit') {
      fail('tiers.basis', "'predicted-clv' or 'historical-profit'", t.basis);
    }
    let cutoffs = d.tiers.cutoffs;
    if (t.cutoffs !== undefined) {
      const c = t.cutoffs;
      if (!isObject(c)) fail('tiers.cutoffs', 'an object', c);
      if (c.kind === 'share') {
        checkKeys(c, 'tiers.cutoffs', ['kind', 'cumulativeShares']);
        cutoffs = {
          kind: 'share',
          cumulativeShares: numberList(c.cumulativeShares, 'tiers.cutoffs.cumulativeShares'),
        };
      } else if (c.kind === 'threshold') {
        checkKeys(c, 'tiers.cutoffs', ['kind', 'minimums']);
        cutoffs = { kind: 'threshold', minimums: numberList(c.minimums, 'tiers.cutoffs.minimums') };
      } else {
        fail('tiers.cutoffs.kind', "'share' or 'threshold'", c.kind);
      }
      checkTierCutoffs(cutoffs, DEFAULT_TIERS.length);
    }
    tiers = { basis, cutoffs };
  }

  let clusters = d.clusters;
  if (doc.clusters !== undefined) {
    const c = doc.clusters;
    if (!isObject(c)) fail('clusters', 'an object', c);
    checkKeys(c, 'clusters', ['k', 'kMin', 'kMax', 'seed']);
    const k = c.k === undefined || c.k === null ? null : integer(c.k, 'clusters.k', 2, 20);
    const kMin = c.kMin === undefined ? d.clusters.kMin : integer(c.kMin, 'clusters.kMin', 2, 20);
    const kMax = c.kMax === undefined ? d.clusters.kMax : integer(c.kMax, 'clusters.kMax', 2, 20);
    if (kMax < kMin) fail('clusters.kMax', `at least kMin (${kMin})`, kMax);
    const seed =
      c.seed === undefined ? d.clusters.seed : integer(c.seed, 'clusters.seed', 0, 2 ** 31 - 1);
    clusters = { k, kMin, kMax, seed };
  }

  let costToServe = d.costToServe;
  if (doc.costToServe !== undefined) {
    const c = doc.costToServe;
    if (!isObject(c)) fail('costToServe', 'an object', c);
    checkKeys(c, 'costToServe', ['perOrderMinor', 'perInteractionMinor']);
    costToServe = {
      perOrderMinor:
        c.perOrderMinor === undefined
          ? 0
          : integer(c.perOrderMinor, 'costToServe.perOrderMinor', 0, 1e12),
      perInteractionMinor:
        c.perInteractionMinor === undefined
          ? 0
          : integer(c.perInteractionMinor, 'costToServe.perInteractionMinor', 0, 1e12),
    };
  }
  return Object.freeze({ rfmMap, tiers, clusters, costToServe });
}
