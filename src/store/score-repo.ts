/** Score snapshots (one row per customer and as-of date) and the model fits behind them. */
import type { CopyValue, Db } from './db.js';

export interface SnapshotRow {
  customerId: string;
  model: string;
  pAlive: number | null;
  expectedPurchases: number | null;
  horizonDays: number;
  expectedSpendMinor: number | null;
  clvMinor: number | null;
  historical: Record<string, unknown>;
  /** segmentation written with the snapshot (issue 5), when computed before the write */
  segments?: {
    rfmR: number;
    rfmF: number;
    rfmM: number;
    rfmSegment: string;
    tier: string;
    cluster: string | null;
    archetype: string | null;
  };
}

export interface ModelFitRow {
  model: string;
  unit: 'day' | 'week';
  customers: number;
  params: Record<string, number>;
  stderr: Record<string, number>;
  logLik: number | null;
  aic: number | null;
  bic: number | null;
  iterations: number | null;
  converged: boolean;
  reason: string;
  holdout: unknown;
  chosen: boolean;
}

const SNAPSHOT_COLUMNS = [
  'customer_id',
  'as_of',
  'model',
  'p_alive',
  'expected_purchases',
  'horizon_days',
  'expected_spend_minor',
  'clv_minor',
  'historical',
  'rfm_r',
  'rfm_f',
  'rfm_m',
  'rfm_segment',
  'tier',
  'cluster',
  'archetype',
] as const;

/** Deletes the snapshot and fits of `asOf` (inside the caller's transaction) before they are rewritten. */
export async function clearSnapshot(tx: Db, asOf: string): Promise<void> {
  await tx.query('DELETE FROM score_snapshots WHERE as_of = $1', [asOf]);
  await tx.query('DELETE FROM model_fits WHERE as_of = $1', [asOf]);
}

/** Appends snapshot rows for `asOf` with COPY. */
export async function writeSnapshotRows(tx: Db, asOf: string, rows: SnapshotRow[]): Promise<void> {
  const values: CopyValue[][] = rows.map((r) => [
    r.customerId,
    asOf,
    r.model,
    r.pAlive,
    r.expectedPurchases,
    r.horizonDays,
    r.expectedSpendMinor,
    r.clvMinor,
    r.historical,
    r.segments?.rfmR ?? null,
    r.segments?.rfmF ?? null,
    r.segments?.rfmM ?? null,
    r.segments?.rfmSegment ?? null,
    r.segments?.tier ?? null,
    r.segments?.cluster ?? null,
    r.segments?.archetype ?? null,
  ]);
  await tx.copyIn('score_snapshots', SNAPSHOT_COLUMNS, values);
}

/**
 * Gives every customer without a purchase by `asOf` (prospects) a snapshot too: nothing
 * expected, no value yet. Returns how many.
 */
export async function writeProspectSnapshots(
  tx: Db,
  asOf: string,
  model: string,
  horizonDays: number,
): Promise<number> {
  const res = await tx.query(
    `INSERT INTO score_snapshots (customer_id, as_of, model, p_alive, expected_purchases,
                                  horizon_days, expected_spend_minor, clv_minor, historical)
     SELECT c.customer_id, $1::date, $2, NULL, 0, $3, NULL, 0, '{"orders": 0}'::jsonb
     FROM customers c
     WHERE NOT EXISTS (SELECT 1 FROM score_snapshots s
                       WHERE s.customer_id = c.customer_id AND s.as_of = $1::date)`,
    [asOf, model, horizonDays],
  );
  return res.rowCount;
}

export async function writeModelFit(tx: Db, asOf: string, fit: ModelFitRow): Promise<void> {
  await tx.query(
    `INSERT INTO model_fits (as_of, model, unit, customers, params, stderr, log_lik, aic, bic,
                             iterations, converged, reason, holdout, chosen)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      asOf,
      fit.model,
      fit.unit,
      fit.customers,
      JSON.stringify(fit.params),
      JSON.stringify(fit.stderr),
      finiteOrNull(fit.logLik),
      finiteOrNull(fit.aic),
      finiteOrNull(fit.bic),
      fit.iterations,
      fit.converged,
      fit.reason,
      fit.holdout === null || fit.holdout === undefined ? null : JSON.stringify(fit.holdout),
      fit.chosen,
    ],
  );
}

function finiteOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

/** Counts of a snapshot: customers scored, and the sum of their CLV. */
export async function snapshotTotals(
  db: Db,
  asOf: string,
): Promise<{ customers: number; clvMinor: number; withPurchases: number }> {
  const { rows } = await db.query<{ customers: number; clv: number | null; buyers: number }>(
    `SELECT count(*)::int AS customers, sum(clv_minor)::bigint AS clv,
            count(*) FILTER (WHERE p_alive IS NOT NULL)::int AS buyers
     FROM score_snapshots WHERE as_of = $1`,
    [asOf],
  );
  const r = rows[0];
  return { customers: r.customers, clvMinor: r.clv ?? 0, withPurchases: r.buyers };
}
