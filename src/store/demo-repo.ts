/**
 * The demo business's bookkeeping: its generating options and parameters (demo_meta) and each
 * customer's ground truth (demo_truth), which the analysis never reads.
 */
import type { CopyValue, Db } from './db.js';

const DATA_TABLES = [
  'audit_log',
  'churn_models',
  'tasks',
  'alerts',
  'campaign_members',
  'campaigns',
  'segment_memberships',
  'segments',
  'score_snapshots',
  'stage_history',
  'interactions',
  'subscriptions',
  'transaction_lines',
  'transactions',
  'products',
  'customers',
  'demo_truth',
  'demo_meta',
] as const;

export interface DemoMeta {
  options: Record<string, unknown>;
  params: Record<string, unknown>;
}

/** What the database holds: nothing, a demo (with its options), or a business's own data. */
export async function describeContents(
  db: Db,
): Promise<
  { kind: 'empty' } | { kind: 'demo'; meta: DemoMeta } | { kind: 'data'; customers: number }
> {
  const { rows } = await db.query<{ value: DemoMeta }>(
    `SELECT value FROM demo_meta WHERE key = 'demo'`,
  );
  if (rows.length > 0) return { kind: 'demo', meta: rows[0].value };
  const c = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
  return c.rows[0].n === 0 ? { kind: 'empty' } : { kind: 'data', customers: c.rows[0].n };
}

/** Empties every business table (inside the caller's transaction). */
export async function clearBusinessData(tx: Db): Promise<void> {
  await tx.query(`TRUNCATE ${DATA_TABLES.join(', ')}`);
}

export async function saveDemoMeta(tx: Db, meta: DemoMeta): Promise<void> {
  await tx.query(
    `INSERT INTO demo_meta (key, value) VALUES ('demo', $1)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [JSON.stringify(meta)],
  );
}

/** Appends ground-truth rows: [customerId, truth object]. */
export async function saveTruth(tx: Db, rows: [string, object][]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    'CREATE TEMP TABLE IF NOT EXISTS stage_truth (customer_id text COLLATE "C", truth jsonb) ON COMMIT DROP',
  );
  await tx.copyIn('stage_truth', ['customer_id', 'truth'], rows as CopyValue[][]);
}

/** Moves staged truth into demo_truth (upsert). */
export async function mergeTruth(tx: Db): Promise<number> {
  const exists = await tx.query(`SELECT to_regclass('pg_temp.stage_truth') IS NOT NULL AS ok`);
  if (!(exists.rows[0] as { ok: boolean }).ok) return 0;
  const res = await tx.query(
    `INSERT INTO demo_truth (customer_id, truth) SELECT customer_id, truth FROM stage_truth
     ON CONFLICT (customer_id) DO UPDATE SET truth = EXCLUDED.truth
     WHERE demo_truth.truth IS DISTINCT FROM EXCLUDED.truth`,
  );
  return res.rowCount;
}

export interface LifecycleAccuracy {
  /** customers with a purchase who are truly dead at the as-of date */
  dead: number;
  /** of those, placed in decline or churned */
  deadFlagged: number;
  /** customers placed in churned */
  churned: number;
  /** of those, truly dead */
  churnedDead: number;
  recall: number;
  precision: number;
  /** customers whose stage equals the true stage */
  agree: number;
  customers: number;
}

/**
 * Scores the stage placement as of `asOf` against the demo's ground truth (issue 4 "Done
 * means"). Only evaluation reads `demo_truth`; the stage rules never do.
 */
export async function lifecycleAccuracy(
  db: Db,
  asOf: string,
  model = 'relationship',
): Promise<LifecycleAccuracy> {
  const { rows } = await db.query<Omit<LifecycleAccuracy, 'recall' | 'precision'>>(
    `WITH cur AS (
       SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
       WHERE model_id = $2 AND changed_at <= $1::date
       ORDER BY customer_id, changed_at DESC)
     SELECT count(*) FILTER (WHERE dead)::int AS dead,
            count(*) FILTER (WHERE dead AND to_stage IN ('churned', 'decline'))::int AS "deadFlagged",
            count(*) FILTER (WHERE to_stage = 'churned')::int AS churned,
            count(*) FILTER (WHERE to_stage = 'churned' AND dead)::int AS "churnedDead",
            count(*) FILTER (WHERE to_stage = truth_stage)::int AS agree,
            count(*)::int AS customers
     FROM (SELECT cur.to_stage, t.truth->>'stage' AS truth_stage,
                  NOT (t.truth->>'aliveAtAsOf')::boolean AND t.truth->>'firstPurchaseAt' IS NOT NULL AS dead
           FROM cur JOIN demo_truth t USING (customer_id)) x`,
    [asOf, model],
  );
  const r = rows[0];
  return {
    ...r,
    recall: r.dead ? r.deadFlagged / r.dead : Number.NaN,
    precision: r.churned ? r.churnedDead / r.churned : Number.NaN,
  };
}

export interface ClusterTruth {
  cluster: string;
  archetype: string;
  customers: number;
  /** share of the cluster truly alive at the as-of date */
  aliveShare: number;
  /** mean true purchase rate λ (per week) and mean true spend per order (fen) */
  meanLambda: number;
  meanSpendMinor: number;
  /** mean of alive × λ × spend: the true rate of future value, fen per week */
  valueRateMinor: number;
  meanOrders: number;
  meanComplaints: number;
}

/** The demo's ground truth summarised per cluster of snapshot `asOf` (eval:segments). */
export async function clusterTruth(db: Db, asOf: string): Promise<ClusterTruth[]> {
  const { rows } = await db.query<ClusterTruth>(
    `SELECT s.cluster, s.archetype, count(*)::int AS customers,
            avg(CASE WHEN (t.truth->>'aliveAtAsOf')::boolean THEN 1 ELSE 0 END)::float8 AS "aliveShare",
            avg((t.truth->>'lambda')::float8)::float8 AS "meanLambda",
            avg((t.truth->>'meanSpendMinor')::float8)::float8 AS "meanSpendMinor",
            avg(CASE WHEN (t.truth->>'aliveAtAsOf')::boolean
                     THEN (t.truth->>'lambda')::float8 * (t.truth->>'meanSpendMinor')::float8
                     ELSE 0 END)::float8 AS "valueRateMinor",
            avg((t.truth->>'completedOrders')::float8)::float8 AS "meanOrders",
            avg((t.truth->>'complaints')::float8)::float8 AS "meanComplaints"
     FROM score_snapshots s JOIN demo_truth t ON t.customer_id = s.customer_id
     WHERE s.as_of = $1 AND s.cluster IS NOT NULL
     GROUP BY s.cluster, s.archetype ORDER BY s.cluster`,
    [asOf],
  );
  return rows;
}
