/**
 * The segmentation run (issue 5): RFM, the value pyramid, Pareto curves and clusters for every
 * customer with purchases in one score snapshot, stored per customer in `score_snapshots`
 * (rfm_r/f/m, rfm_segment, tier, cluster, archetype) and per run in `segment_runs`; then the saved
 * rule segments are refreshed against the new scores. Features are aggregated in SQL; the
 * scoring is the engine's (src/engine/segments).
 */
import {
  assignToCluster,
  assignValueTiers,
  type ClusterFeature,
  type ClusterModel,
  type ClusterProfile,
  clusterCustomers,
  DEFAULT_TIERS,
  type ParetoResult,
  paretoAnalysis,
  RFM_SEGMENTS,
  type RfmBands,
  type RfmSegmentKey,
  rfmBands,
  rfmSegmentKey,
  type SegmentSettings,
  scoreByBands,
  scoreRfm,
  type TierDefinition,
  type TierSummary,
} from '../engine/index.js';
import { InputError } from '../errors.js';
import type { Db } from './db.js';
import { type RefreshResult, refreshSegments } from './segment-repo.js';
import { loadSegmentSettings } from './settings-repo.js';

const DAY_MS = 86_400_000;

export interface RfmRun {
  customers: number;
  method: string;
  segments: { key: RfmSegmentKey; zh: string; en: string; customers: number; share: number }[];
  /** customers per (R, FM) cell: grid[5 - R][FM - 1], R = 5 … 1 top to bottom */
  grid: number[][];
  /** customers per (R, F) cell: rf[5 - R][F - 1] */
  rf: number[][];
  /** the score bands of the run, to score a customer later as the run would have */
  bands: { r: RfmBands; f: RfmBands; m: RfmBands };
}

export interface TierRun {
  basis: SegmentSettings['tiers']['basis'];
  cutoffs: SegmentSettings['tiers']['cutoffs'];
  tiers: (TierSummary & { zh: string; en: string; treatment: TierDefinition['treatment'] })[];
}

export interface ClusterRun {
  features: { name: string; role: string }[];
  populationMeans: number[];
  k: number;
  chosenBy: string;
  silhouettes: { k: number; silhouette: number }[] | null;
  clusters: (ClusterProfile & { id: string })[];
  /** scaling and centroids, to place a customer later in the nearest cluster */
  model: ClusterModel;
}

export interface SegmentAnalysisResult {
  asOf: string;
  customers: number;
  rfm: RfmRun | null;
  tiers: TierRun | null;
  pareto: ParetoResult | null;
  clusters: ClusterRun | null;
  segments: RefreshResult[];
  notes: string[];
  ms: number;
}

/** The value-side features of each buyer, as the value analysis has them. */
export interface BaseFeatures {
  ids: string[];
  /** days since the last purchase */
  recency: number[];
  orders: number[];
  /** fen */
  revenue: number[];
  /** fen, null when costs are unknown */
  margin: (number | null)[];
  /** days since the first purchase */
  tenure: number[];
  /** predicted CLV, fen */
  clv: number[];
  pAlive: number[];
}

export type Features = BaseFeatures & {
  /** (spend in the last 26 weeks − the 26 before) / their sum, in [−1, 1] */
  trend: number[];
  /** non-complaint interactions and complaints in the last 52 weeks */
  engagement: number[];
  complaints: number[];
};

/** The buyers of snapshot `asOf` (or only `only` of them) with their value-side features. */
async function loadBaseFromSnapshot(
  db: Db,
  asOf: string,
  only: readonly string[] | null,
): Promise<BaseFeatures> {
  const base: BaseFeatures = {
    ids: [],
    recency: [],
    orders: [],
    revenue: [],
    margin: [],
    tenure: [],
    clv: [],
    pAlive: [],
  };
  for await (const batch of db.stream<{
    customer_id: string;
    recency: number | null;
    orders: number;
    revenue: number | null;
    margin: number | null;
    tenure: number | null;
    clv: number | null;
    p_alive: number | null;
  }>(
    `SELECT customer_id,
            (historical->>'daysSinceLastPurchase')::int AS recency,
            (historical->>'orders')::int AS orders,
            (historical->>'revenueMinor')::bigint AS revenue,
            (historical->>'marginMinor')::bigint AS margin,
            (historical->>'tenureDays')::int AS tenure,
            clv_minor AS clv, p_alive
     FROM score_snapshots
     WHERE as_of = $1 AND coalesce((historical->>'orders')::int, 0) > 0
       AND ($2::text[] IS NULL OR customer_id = ANY($2::text[]))
     ORDER BY customer_id`,
    [asOf, only],
    20_000,
  )) {
    for (const r of batch) {
      base.ids.push(r.customer_id);
      base.recency.push(Math.max(0, r.recency ?? 0));
      base.orders.push(r.orders);
      base.revenue.push(r.revenue ?? 0);
      base.margin.push(r.margin);
      base.tenure.push(Math.max(0, r.tenure ?? 0));
      base.clv.push(r.clv ?? 0);
      base.pAlive.push(r.p_alive ?? 0);
    }
  }
  return base;
}

/**
 * Adds the activity features (spend trend, interactions, complaints), aggregated in SQL over
 * the year to `asOf`, to the base features. Customers without activity get zeros.
 */
export async function withActivity(
  db: Db,
  asOf: string,
  base: BaseFeatures,
  only: readonly string[] | null,
): Promise<Features> {
  const end = new Date(Date.parse(`${asOf}T00:00:00Z`) + DAY_MS);
  const at = new Map<string, number>();
  base.ids.forEach((id, i) => {
    at.set(id, i);
  });
  const n = base.ids.length;
  const trend = new Array<number>(n).fill(0);
  const engagement = new Array<number>(n).fill(0);
  const complaints = new Array<number>(n).fill(0);
  for await (const batch of db.stream<{ customer_id: string; recent: number; prior: number }>(
    `SELECT customer_id,
            coalesce(sum(amount_minor) FILTER (WHERE occurred_at >= $1::timestamptz - interval '182 days'), 0)::bigint AS recent,
            coalesce(sum(amount_minor) FILTER (WHERE occurred_at < $1::timestamptz - interval '182 days'), 0)::bigint AS prior
     FROM transactions
     WHERE status = 'completed' AND occurred_at < $1 AND occurred_at >= $1::timestamptz - interval '364 days'
       AND ($2::text[] IS NULL OR customer_id = ANY($2::text[]))
     GROUP BY customer_id`,
    [end, only],
    50_000,
  )) {
    for (const r of batch) {
      const i = at.get(r.customer_id);
      const sum = r.recent + r.prior;
      if (i !== undefined && sum > 0) trend[i] = (r.recent - r.prior) / sum;
    }
  }
  for await (const batch of db.stream<{
    customer_id: string;
    engagement: number;
    complaints: number;
  }>(
    `SELECT customer_id,
            count(*) FILTER (WHERE type <> 'complaint')::int AS engagement,
            count(*) FILTER (WHERE type = 'complaint')::int AS complaints
     FROM interactions
     WHERE occurred_at < $1 AND occurred_at >= $1::timestamptz - interval '364 days'
       AND ($2::text[] IS NULL OR customer_id = ANY($2::text[]))
     GROUP BY customer_id`,
    [end, only],
    50_000,
  )) {
    for (const r of batch) {
      const i = at.get(r.customer_id);
      if (i === undefined) continue;
      engagement[i] = r.engagement;
      complaints[i] = r.complaints;
    }
  }
  return { ...base, trend, engagement, complaints };
}

/** The value-side features of the buyers of snapshot `asOf`, read back from the snapshot. */
export function loadSnapshotBase(db: Db, asOf: string): Promise<BaseFeatures> {
  return loadBaseFromSnapshot(db, asOf, null);
}

/** Every feature of the buyers of snapshot `asOf`. */
async function loadFeatures(
  db: Db,
  asOf: string,
  only: readonly string[] | null = null,
): Promise<Features> {
  return withActivity(db, asOf, await loadBaseFromSnapshot(db, asOf, only), only);
}

export interface PerCustomer {
  r: ArrayLike<number>;
  f: ArrayLike<number>;
  m: ArrayLike<number>;
  segment: string[];
  tier: string[];
  cluster: (string | null)[];
  archetype: (string | null)[];
}

/** Writes each customer's RFM, segment, tier and cluster into snapshot `asOf` (COPY, then one UPDATE). */
async function writeSegmentScores(
  tx: Db,
  asOf: string,
  ids: readonly string[],
  p: PerCustomer,
): Promise<void> {
  const n = ids.length;
  if (n === 0) return;
  await tx.exec(
    `DROP TABLE IF EXISTS segment_scores;
     CREATE TEMP TABLE segment_scores (
       customer_id text COLLATE "C", r smallint, f smallint, m smallint,
       segment text, tier text, cluster text, archetype text) ON COMMIT DROP`,
  );
  for (let start = 0; start < n; start += 50_000) {
    const rows = [];
    for (let i = start; i < Math.min(n, start + 50_000); i++) {
      rows.push([
        ids[i],
        p.r[i],
        p.f[i],
        p.m[i],
        p.segment[i],
        p.tier[i],
        p.cluster[i],
        p.archetype[i],
      ]);
    }
    await tx.copyIn(
      'segment_scores',
      ['customer_id', 'r', 'f', 'm', 'segment', 'tier', 'cluster', 'archetype'],
      rows,
    );
  }
  await tx.exec('ANALYZE segment_scores');
  await tx.query(
    `UPDATE score_snapshots s
     SET rfm_r = t.r, rfm_f = t.f, rfm_m = t.m, rfm_segment = t.segment, tier = t.tier,
         cluster = t.cluster, archetype = t.archetype
     FROM segment_scores t
     WHERE s.as_of = $1 AND s.customer_id = t.customer_id`,
    [asOf],
  );
  await tx.exec('DROP TABLE segment_scores');
}

/** The clustering features, in the order the stored cluster model expects them. */
const CLUSTER_FEATURES: readonly {
  name: string;
  role: ClusterFeature['role'];
  key:
    | 'recency'
    | 'orders'
    | 'revenue'
    | 'tenure'
    | 'clv'
    | 'pAlive'
    | 'trend'
    | 'engagement'
    | 'complaints';
  skewed?: boolean;
}[] = [
  { name: 'recency_days', role: 'recency', key: 'recency' },
  { name: 'orders', role: 'frequency', key: 'orders', skewed: true },
  { name: 'revenue', role: 'monetary', key: 'revenue', skewed: true },
  { name: 'tenure_days', role: 'tenure', key: 'tenure' },
  { name: 'clv', role: 'clv', key: 'clv', skewed: true },
  { name: 'p_alive', role: 'p-alive', key: 'pAlive' },
  { name: 'spend_trend', role: 'trend', key: 'trend' },
  { name: 'interactions', role: 'engagement', key: 'engagement', skewed: true },
  { name: 'complaints', role: 'complaints', key: 'complaints', skewed: true },
];

/** Profit per customer: margin (revenue when costs are unknown) less the cost to serve. */
function profitOf(c: Features, i: number, settings: SegmentSettings): number {
  return (
    (c.margin[i] ?? c.revenue[i]) -
    settings.costToServe.perOrderMinor * c.orders[i] -
    settings.costToServe.perInteractionMinor * (c.engagement[i] + c.complaints[i])
  );
}

/** The RFM grid counts over (R, FM) and (R, F). */
function rfmGrids(
  r: Uint8Array,
  f: Uint8Array,
  m: Uint8Array,
): { grid: number[][]; rf: number[][] } {
  const grid = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
  const rf = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
  for (let i = 0; i < r.length; i++) {
    const fm = (f[i] + m[i] + 1) >> 1;
    grid[5 - r[i]][fm - 1]++;
    rf[5 - r[i]][f[i] - 1]++;
  }
  return { grid, rf };
}

export interface ComputedSegments {
  rfm: RfmRun | null;
  tiers: TierRun | null;
  pareto: ParetoResult | null;
  clusters: ClusterRun | null;
  notes: string[];
  /** per customer, in the order of the features' ids */
  perCustomer: PerCustomer;
}

/**
 * RFM, tiers, Pareto and clusters of the customers in `c` (the engine's functions; no I/O).
 * The value analysis calls this before it writes the snapshot, so the scores are written with
 * it in one pass.
 */
export function computeSegments(
  c: Features,
  settings: SegmentSettings,
  progress: (step: string) => void,
  asOf: string,
): ComputedSegments {
  const n = c.ids.length;
  const notes: string[] = [];
  let rfm: RfmRun | null = null;
  let tiers: TierRun | null = null;
  let pareto: ParetoResult | null = null;
  let clusters: ClusterRun | null = null;
  const perCustomer: PerCustomer = {
    r: new Uint8Array(n),
    f: new Uint8Array(n),
    m: new Uint8Array(n),
    segment: new Array<string>(n),
    tier: new Array<string>(n),
    cluster: new Array<string | null>(n).fill(null),
    archetype: new Array<string | null>(n).fill(null),
  };

  if (n === 0) {
    notes.push(`no customer has a purchase by ${asOf}: nothing to segment`);
  } else {
    progress('RFM');
    const scored = scoreRfm(
      { recencyDays: c.recency, frequency: c.orders, monetary: c.revenue },
      settings.rfmMap,
    );
    perCustomer.r = scored.r;
    perCustomer.f = scored.f;
    perCustomer.m = scored.m;
    for (let i = 0; i < n; i++) perCustomer.segment[i] = scored.segments[scored.segment[i]].key;
    rfm = {
      customers: n,
      method:
        'quintiles by average rank: equal values share a score; the lowest tie group scores 1 and the highest 5; recency in days, fewer scores higher; named segment by R and FM = round((F + M) / 2)',
      segments: RFM_SEGMENTS.map((s, k) => ({
        key: s.key,
        zh: s.zh,
        en: s.en,
        customers: scored.counts[k],
        share: scored.counts[k] / n,
      })),
      ...rfmGrids(scored.r, scored.f, scored.m),
      bands: {
        r: rfmBands(c.recency, scored.r, true),
        f: rfmBands(c.orders, scored.f, false),
        m: rfmBands(c.revenue, scored.m, false),
      },
    };

    progress('value tiers and Pareto');
    // Profit: the customer's margin (revenue when costs are unknown) less the cost to serve.
    const profit = new Float64Array(n);
    let anyMargin = false;
    for (let i = 0; i < n; i++) {
      const margin = c.margin[i];
      if (margin !== null) anyMargin = true;
      profit[i] = profitOf(c, i, settings);
    }
    const hasCostToServe =
      settings.costToServe.perOrderMinor > 0 || settings.costToServe.perInteractionMinor > 0;
    if (!anyMargin && !hasCostToServe) {
      notes.push(
        'no product costs and no cost to serve known: profit is not analysed, only revenue',
      );
    }
    const basis = settings.tiers.basis;
    const tierValues = basis === 'predicted-clv' ? c.clv : profit;
    const t = assignValueTiers(tierValues, c.ids, { basis, cutoffs: settings.tiers.cutoffs });
    for (let i = 0; i < n; i++) perCustomer.tier[i] = t.tiers[t.tier[i]].key;
    tiers = {
      basis,
      cutoffs: settings.tiers.cutoffs,
      tiers: t.summary.map((s, k) => ({
        ...s,
        zh: DEFAULT_TIERS[k].zh,
        en: DEFAULT_TIERS[k].en,
        treatment: DEFAULT_TIERS[k].treatment,
      })),
    };
    pareto = paretoAnalysis(c.ids, c.revenue, anyMargin || hasCostToServe ? profit : undefined);

    if (n >= 20) {
      progress('clusters');
      const features: ClusterFeature[] = CLUSTER_FEATURES.map((f) => ({ ...f, values: c[f.key] }));
      const cs = settings.clusters;
      const kMax = Math.min(cs.kMax, Math.max(2, Math.floor(n / 10)));
      const result = clusterCustomers(features, {
        seed: cs.seed,
        ...(cs.k !== null ? { k: Math.min(cs.k, n) } : { kMin: Math.min(cs.kMin, kMax), kMax }),
      });
      const ids = result.clusters.map((p) => `C${p.cluster + 1}`);
      for (let i = 0; i < n; i++) {
        const k = result.assignment[i];
        perCustomer.cluster[i] = ids[k];
        perCustomer.archetype[i] = result.clusters[k].archetype;
      }
      clusters = {
        features: result.features.map((f) => ({ name: f.name, role: f.role })),
        populationMeans: [...result.populationMeans],
        k: result.clusters.length,
        chosenBy:
          cs.k !== null
            ? `fixed k = ${cs.k}`
            : `highest mean silhouette on a sample, k in [${Math.min(cs.kMin, kMax)}, ${kMax}]`,
        silhouettes: result.selection
          ? result.selection.scores.map((s) => ({ k: s.k, silhouette: s.silhouette }))
          : null,
        clusters: result.clusters.map((p, k) => ({ ...p, id: ids[k] })),
        model: result.model,
      };
    } else {
      notes.push(`only ${n} customers with purchases: too few to cluster (20 needed)`);
    }
  }

  return { rfm, tiers, pareto, clusters, notes, perCustomer };
}

/** Replaces the stored run results of `asOf` (inside the caller's transaction). */
export async function saveSegmentRuns(
  tx: Db,
  asOf: string,
  runs: Pick<ComputedSegments, 'rfm' | 'tiers' | 'pareto' | 'clusters'>,
): Promise<void> {
  await tx.query('DELETE FROM segment_runs WHERE as_of = $1', [asOf]);
  const rows: [string, unknown][] = [
    ['rfm', runs.rfm],
    ['tiers', runs.tiers],
    ['pareto', runs.pareto],
    ['clusters', runs.clusters],
  ];
  for (const [kind, result] of rows) {
    if (result === null) continue;
    await tx.query('INSERT INTO segment_runs (as_of, kind, result) VALUES ($1, $2, $3)', [
      asOf,
      kind,
      JSON.stringify(result),
    ]);
  }
}

export interface SegmentAnalysisOptions {
  asOf: string;
  /** defaults to the stored settings (`tenure segment config`) */
  settings?: SegmentSettings;
  /** refresh the saved rule segments afterwards (default true) */
  refresh?: boolean;
  progress?: (step: string) => void;
}

/**
 * Segments every buyer of snapshot `asOf` and stores the results in one transaction; re-running
 * for the same date replaces them. Needs the value analysis of that date (`tenure analyze`).
 */
export async function runSegmentAnalysis(
  db: Db,
  options: SegmentAnalysisOptions,
): Promise<SegmentAnalysisResult> {
  const started = performance.now();
  const { asOf } = options;
  const progress = options.progress ?? (() => {});
  const { rows: snap } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM score_snapshots WHERE as_of = $1',
    [asOf],
  );
  if (snap[0].n === 0) {
    throw new InputError(
      `no score snapshot for ${asOf}: run \`tenure analyze --as-of ${asOf}\` first`,
      { field: 'asOf', value: asOf },
    );
  }
  const settings = options.settings ?? (await loadSegmentSettings(db));
  progress('loading features');
  const c = await loadFeatures(db, asOf);
  const n = c.ids.length;
  const computed = computeSegments(c, settings, progress, asOf);
  const { rfm, tiers, pareto, clusters, notes, perCustomer } = computed;

  progress('writing');
  const segments = await db.transaction(async (tx) => {
    await tx.query(
      `UPDATE score_snapshots SET rfm_r = NULL, rfm_f = NULL, rfm_m = NULL, rfm_segment = NULL,
              tier = NULL, cluster = NULL, archetype = NULL
       WHERE as_of = $1 AND (rfm_r IS NOT NULL OR tier IS NOT NULL OR cluster IS NOT NULL)
         AND coalesce((historical->>'orders')::int, 0) = 0`,
      [asOf],
    );
    await writeSegmentScores(tx, asOf, c.ids, perCustomer);
    await saveSegmentRuns(tx, asOf, computed);
    if (options.refresh === false) return [];
    progress('refreshing saved segments');
    return refreshSegments(tx, { asOf });
  });
  return {
    asOf,
    customers: n,
    rfm,
    tiers,
    pareto,
    clusters,
    segments,
    notes,
    ms: performance.now() - started,
  };
}

/** The stored results of the segmentation run at `asOf` (default: the latest), or null. */
export async function loadSegmentRuns(
  db: Db,
  asOf?: string,
): Promise<{
  asOf: string;
  rfm: RfmRun | null;
  tiers: TierRun | null;
  pareto: ParetoResult | null;
  clusters: ClusterRun | null;
} | null> {
  const { rows } = await db.query<{ as_of: string; kind: string; result: unknown }>(
    `SELECT as_of, kind, result FROM segment_runs
     WHERE as_of = coalesce($1::date, (SELECT max(as_of) FROM segment_runs WHERE as_of <= coalesce($1::date, 'infinity')))`,
    [asOf ?? null],
  );
  if (rows.length === 0) return null;
  const by = new Map(rows.map((r) => [r.kind, r.result]));
  return {
    asOf: rows[0].as_of,
    rfm: (by.get('rfm') as RfmRun) ?? null,
    tiers: (by.get('tiers') as TierRun) ?? null,
    pareto: (by.get('pareto') as ParetoResult) ?? null,
    clusters: (by.get('clusters') as ClusterRun) ?? null,
  };
}

/**
 * Re-segments a few customers after their data changed (events through the API), without a
 * full run: each is scored against the bands, tier minimums and cluster model of the stored run
 * for `asOf`, written into that snapshot, and their saved-segment memberships are refreshed.
 * Without a stored run for `asOf` only the memberships are refreshed.
 */
export async function rescoreCustomerSegments(
  db: Db,
  customerIds: readonly string[],
  asOf: string,
): Promise<{ rescored: number; segments: RefreshResult[] }> {
  if (customerIds.length === 0) return { rescored: 0, segments: [] };
  return db.transaction(async (tx) => {
    const runs = await loadSegmentRuns(tx, asOf);
    let rescored = 0;
    if (runs && runs.asOf === asOf && runs.rfm && runs.tiers) {
      const settings = await loadSegmentSettings(tx);
      const c = await loadFeatures(tx, asOf, customerIds);
      const n = c.ids.length;
      const { rfm, tiers, clusters } = runs;
      const p: PerCustomer = {
        r: new Array<number>(n),
        f: new Array<number>(n),
        m: new Array<number>(n),
        segment: new Array<string>(n),
        tier: new Array<string>(n),
        cluster: new Array<string | null>(n).fill(null),
        archetype: new Array<string | null>(n).fill(null),
      };
      const r = p.r as number[];
      const f = p.f as number[];
      const m = p.m as number[];
      const last = tiers.tiers.length - 1;
      for (let i = 0; i < n; i++) {
        r[i] = scoreByBands(c.recency[i], rfm.bands.r);
        f[i] = scoreByBands(c.orders[i], rfm.bands.f);
        m[i] = scoreByBands(c.revenue[i], rfm.bands.m);
        p.segment[i] = rfmSegmentKey(r[i], f[i], m[i], settings.rfmMap);
        const value = tiers.basis === 'predicted-clv' ? c.clv[i] : profitOf(c, i, settings);
        let k = 0;
        while (k < last) {
          const min = tiers.tiers[k].minValue;
          if (typeof min === 'number' && Number.isFinite(min) && value >= min) break;
          k++;
        }
        p.tier[i] = tiers.tiers[k].key;
        if (clusters) {
          const at = assignToCluster(
            clusters.model,
            CLUSTER_FEATURES.map((x) => c[x.key][i] as number),
          );
          p.cluster[i] = clusters.clusters[at].id;
          p.archetype[i] = clusters.clusters[at].archetype;
        }
      }
      await tx.query(
        `UPDATE score_snapshots SET rfm_r = NULL, rfm_f = NULL, rfm_m = NULL, rfm_segment = NULL,
                tier = NULL, cluster = NULL, archetype = NULL
         WHERE as_of = $1 AND customer_id = ANY($2::text[])`,
        [asOf, customerIds],
      );
      await writeSegmentScores(tx, asOf, c.ids, p);
      rescored = n;
    }
    const segments = await refreshSegments(tx, { asOf, customerIds });
    return { rescored, segments };
  });
}
