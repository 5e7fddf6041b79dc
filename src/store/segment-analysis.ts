/**
 * The segmentation run (issue 5): RFM, the value pyramid, Pareto curves and clusters for every
 * customer with purchases in one score snapshot, stored per customer in `score_snapshots`
 * (rfm_r/f/m, rfm_segment, tier, cluster, archetype) and per run in `segment_runs`; then the saved
 * rule segments are refreshed against the new scores. Features are aggregated in SQL; the
 * scoring is the engine's (src/engine/segments).
 */
import {
  assignValueTiers,
  type ClusterFeature,
  type ClusterProfile,
  clusterCustomers,
  DEFAULT_TIERS,
  type ParetoResult,
  paretoAnalysis,
  RFM_SEGMENTS,
  type RfmSegmentKey,
  type SegmentSettings,
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

interface FeatureRow {
  customer_id: string;
  recency: number;
  orders: number;
  revenue: number;
  margin: number | null;
  tenure: number;
  clv: number | null;
  p_alive: number | null;
  recent: number;
  prior: number;
  engagement: number;
  complaints: number;
}

/** Per-customer features of the buyers in snapshot `asOf`, aggregated in SQL. */
async function loadFeatures(db: Db, asOf: string) {
  const end = new Date(Date.parse(`${asOf}T00:00:00Z`) + DAY_MS);
  const ids: string[] = [];
  const cols = {
    recency: [] as number[],
    orders: [] as number[],
    revenue: [] as number[],
    margin: [] as (number | null)[],
    tenure: [] as number[],
    clv: [] as number[],
    pAlive: [] as number[],
    trend: [] as number[],
    engagement: [] as number[],
    complaints: [] as number[],
  };
  // The trend compares spend in the last 26 weeks with the 26 weeks before; interactions and
  // complaints count the last 52 weeks.
  for await (const batch of db.stream<FeatureRow>(
    `SELECT s.customer_id,
            (s.historical->>'daysSinceLastPurchase')::int AS recency,
            (s.historical->>'orders')::int AS orders,
            (s.historical->>'revenueMinor')::bigint AS revenue,
            (s.historical->>'marginMinor')::bigint AS margin,
            (s.historical->>'tenureDays')::int AS tenure,
            s.clv_minor AS clv, s.p_alive,
            coalesce(t.recent, 0)::bigint AS recent, coalesce(t.prior, 0)::bigint AS prior,
            coalesce(i.engagement, 0)::int AS engagement, coalesce(i.complaints, 0)::int AS complaints
     FROM score_snapshots s
     LEFT JOIN (
       SELECT customer_id,
              sum(amount_minor) FILTER (WHERE occurred_at >= $2::timestamptz - interval '182 days') AS recent,
              sum(amount_minor) FILTER (WHERE occurred_at < $2::timestamptz - interval '182 days') AS prior
       FROM transactions
       WHERE status = 'completed' AND occurred_at < $2 AND occurred_at >= $2::timestamptz - interval '364 days'
       GROUP BY customer_id) t ON t.customer_id = s.customer_id
     LEFT JOIN (
       SELECT customer_id,
              count(*) FILTER (WHERE type <> 'complaint') AS engagement,
              count(*) FILTER (WHERE type = 'complaint') AS complaints
       FROM interactions
       WHERE occurred_at < $2 AND occurred_at >= $2::timestamptz - interval '364 days'
       GROUP BY customer_id) i ON i.customer_id = s.customer_id
     WHERE s.as_of = $1 AND coalesce((s.historical->>'orders')::int, 0) > 0
     ORDER BY s.customer_id`,
    [asOf, end],
    20_000,
  )) {
    for (const r of batch) {
      ids.push(r.customer_id);
      cols.recency.push(Math.max(0, r.recency ?? 0));
      cols.orders.push(r.orders);
      cols.revenue.push(r.revenue ?? 0);
      cols.margin.push(r.margin);
      cols.tenure.push(Math.max(0, r.tenure ?? 0));
      cols.clv.push(r.clv ?? 0);
      cols.pAlive.push(r.p_alive ?? 0);
      const sum = r.recent + r.prior;
      cols.trend.push(sum > 0 ? (r.recent - r.prior) / sum : 0);
      cols.engagement.push(r.engagement);
      cols.complaints.push(r.complaints);
    }
  }
  return { ids, ...cols };
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
  const notes: string[] = [];
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

  let rfm: RfmRun | null = null;
  let tiers: TierRun | null = null;
  let pareto: ParetoResult | null = null;
  let clusters: ClusterRun | null = null;
  const perCustomer: {
    r: ArrayLike<number>;
    f: ArrayLike<number>;
    m: ArrayLike<number>;
    segment: string[];
    tier: string[];
    cluster: (string | null)[];
    archetype: (string | null)[];
  } = {
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
    };

    progress('value tiers and Pareto');
    // Profit: the customer's margin (revenue when costs are unknown) less the cost to serve.
    const profit = new Float64Array(n);
    let anyMargin = false;
    for (let i = 0; i < n; i++) {
      const margin = c.margin[i];
      if (margin !== null) anyMargin = true;
      profit[i] =
        (margin ?? c.revenue[i]) -
        settings.costToServe.perOrderMinor * c.orders[i] -
        settings.costToServe.perInteractionMinor * (c.engagement[i] + c.complaints[i]);
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
      const features: ClusterFeature[] = [
        { name: 'recency_days', role: 'recency', values: c.recency },
        { name: 'orders', role: 'frequency', values: c.orders, skewed: true },
        { name: 'revenue', role: 'monetary', values: c.revenue, skewed: true },
        { name: 'tenure_days', role: 'tenure', values: c.tenure },
        { name: 'clv', role: 'clv', values: c.clv, skewed: true },
        { name: 'p_alive', role: 'p-alive', values: c.pAlive },
        { name: 'spend_trend', role: 'trend', values: c.trend },
        { name: 'interactions', role: 'engagement', values: c.engagement, skewed: true },
        { name: 'complaints', role: 'complaints', values: c.complaints, skewed: true },
      ];
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
      };
    } else {
      notes.push(`only ${n} customers with purchases: too few to cluster (20 needed)`);
    }
  }

  progress('writing');
  const segments = await db.transaction(async (tx) => {
    await tx.query(
      `UPDATE score_snapshots SET rfm_r = NULL, rfm_f = NULL, rfm_m = NULL, rfm_segment = NULL,
              tier = NULL, cluster = NULL, archetype = NULL
       WHERE as_of = $1 AND (rfm_r IS NOT NULL OR tier IS NOT NULL OR cluster IS NOT NULL)`,
      [asOf],
    );
    if (n > 0) {
      await tx.exec(
        `CREATE TEMP TABLE segment_scores (
           customer_id text COLLATE "C", r smallint, f smallint, m smallint,
           segment text, tier text, cluster text, archetype text) ON COMMIT DROP`,
      );
      for (let start = 0; start < n; start += 50_000) {
        const rows = [];
        for (let i = start; i < Math.min(n, start + 50_000); i++) {
          rows.push([
            c.ids[i],
            perCustomer.r[i],
            perCustomer.f[i],
            perCustomer.m[i],
            perCustomer.segment[i],
            perCustomer.tier[i],
            perCustomer.cluster[i],
            perCustomer.archetype[i],
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
    await tx.query('DELETE FROM segment_runs WHERE as_of = $1', [asOf]);
    const runs: [string, unknown][] = [
      ['rfm', rfm],
      ['tiers', tiers],
      ['pareto', pareto],
      ['clusters', clusters],
    ];
    for (const [kind, result] of runs) {
      if (result === null) continue;
      await tx.query('INSERT INTO segment_runs (as_of, kind, result) VALUES ($1, $2, $3)', [
        asOf,
        kind,
        JSON.stringify(result),
      ]);
    }
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
