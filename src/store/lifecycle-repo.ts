/**
 * Read queries over lifecycle data (issue 4 part 3): stage history dates, the stage mix at a
 * date, history rows for the engine's reports, and one customer's profile, latest score snapshot
 * and stage history. Writes live in `lifecycle-analysis.ts`.
 *
 * A history row's `changed_at` is the analysis day at 00:00 UTC, so "as of day D" means every
 * row with `changed_at <= D 00:00 UTC`; the engine's reports read rows the same way.
 */
import type { StageHistoryRow } from '../engine/index.js';
import type { Db } from './db.js';

/** Distinct history days of a model, oldest first, as `YYYY-MM-DD`. */
export async function historyDates(db: Db, modelId: string): Promise<string[]> {
  const { rows } = await db.query<{ day: string }>(
    `SELECT DISTINCT (changed_at AT TIME ZONE 'UTC')::date AS day
     FROM stage_history WHERE model_id = $1 ORDER BY day`,
    [modelId],
  );
  return rows.map((r) => r.day);
}

/** Customers per stage code at `at`: each customer's latest row at or before it (DISTINCT ON). */
export async function stageCountsAt(
  db: Db,
  modelId: string,
  at: Date,
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ stage: string; n: number }>(
    `SELECT to_stage AS stage, count(*)::int AS n
     FROM (SELECT DISTINCT ON (customer_id) customer_id, to_stage
           FROM stage_history WHERE model_id = $1 AND changed_at <= $2
           ORDER BY customer_id, changed_at DESC) latest
     GROUP BY to_stage`,
    [modelId, at],
  );
  return new Map(rows.map((r) => [r.stage, r.n]));
}

/** Every history row of a model up to `until`, as the engine's `StageHistoryRow`s (streamed in batches). */
export async function loadStageHistory(
  db: Db,
  modelId: string,
  until: Date,
): Promise<StageHistoryRow[]> {
  const out: StageHistoryRow[] = [];
  for await (const batch of db.stream<{ customer_id: string; to_stage: string; changed_at: Date }>(
    `SELECT customer_id, to_stage, changed_at FROM stage_history
     WHERE model_id = $1 AND changed_at <= $2 ORDER BY customer_id, changed_at`,
    [modelId, until],
    10_000,
  )) {
    for (const r of batch) {
      out.push({ customerId: r.customer_id, stage: r.to_stage, enteredAt: r.changed_at });
    }
  }
  return out;
}

export interface CustomerProfile {
  customerId: string;
  name: string | null;
  province: string | null;
  city: string | null;
  ownerId: string | null;
  channel: string | null;
  industry: string | null;
  acquiredAt: Date | null;
  isPlaceholder: boolean;
  erasedAt: Date | null;
}

/** The customer's profile essentials as stored, or null for an unknown id. */
export async function customerProfile(db: Db, customerId: string): Promise<CustomerProfile | null> {
  const { rows } = await db.query<CustomerProfile>(
    `SELECT customer_id AS "customerId", name, province, city, owner_id AS "ownerId", channel,
            industry, acquired_at AS "acquiredAt", is_placeholder AS "isPlaceholder",
            erased_at AS "erasedAt"
     FROM customers WHERE customer_id = $1`,
    [customerId],
  );
  return rows[0] ?? null;
}

export interface LatestScore {
  asOf: string;
  model: string;
  pAlive: number | null;
  expectedPurchases: number | null;
  horizonDays: number | null;
  expectedSpendMinor: number | null;
  clvMinor: number | null;
  tier: string | null;
  churnRisk: number | null;
  warningLevel: string | null;
}

/** The customer's most recent score snapshot, or null when none was computed. */
export async function latestScore(db: Db, customerId: string): Promise<LatestScore | null> {
  const { rows } = await db.query<LatestScore>(
    `SELECT as_of AS "asOf", model, p_alive AS "pAlive", expected_purchases AS "expectedPurchases",
            horizon_days AS "horizonDays", expected_spend_minor AS "expectedSpendMinor",
            clv_minor AS "clvMinor", tier, churn_risk AS "churnRisk", warning_level AS "warningLevel"
     FROM score_snapshots WHERE customer_id = $1 ORDER BY as_of DESC LIMIT 1`,
    [customerId],
  );
  return rows[0] ?? null;
}

export interface CustomerStageChange {
  modelId: string;
  changedAt: Date;
  fromStage: string | null;
  toStage: string;
  reason: string;
  reasonData: {
    en?: string;
    ruleId?: string;
    wonBack?: boolean;
    conditions?: unknown;
    modelVersion?: number;
  };
}

/** The customer's stage history under every model, by model then in time order. */
export async function customerStageHistory(
  db: Db,
  customerId: string,
): Promise<CustomerStageChange[]> {
  const { rows } = await db.query<CustomerStageChange>(
    `SELECT model_id AS "modelId", changed_at AS "changedAt", from_stage AS "fromStage",
            to_stage AS "toStage", reason, reason_data AS "reasonData"
     FROM stage_history WHERE customer_id = $1 ORDER BY model_id, changed_at`,
    [customerId],
  );
  return rows;
}

export interface CustomerValue {
  /** historical revenue to the snapshot date, minor units */
  revenueMinor: number;
  /** predicted CLV (discounted margin over the snapshot's horizon), minor units; null without a model */
  clvMinor: number | null;
}

/**
 * Each customer's value from the latest score snapshot at or before `at` (one snapshot date
 * for everyone), and that date; empty when there is no snapshot yet.
 */
export async function customerValuesAt(
  db: Db,
  at: Date,
): Promise<{ snapshot: string | null; values: Map<string, CustomerValue> }> {
  const { rows: d } = await db.query<{ as_of: string | null }>(
    'SELECT max(as_of) AS as_of FROM score_snapshots WHERE as_of <= $1::date',
    [at],
  );
  const snapshot = d[0]?.as_of ?? null;
  const values = new Map<string, CustomerValue>();
  if (!snapshot) return { snapshot, values };
  for await (const batch of db.stream<{
    customer_id: string;
    revenue: number | null;
    clv: number | null;
  }>(
    `SELECT customer_id, (historical->>'revenueMinor')::bigint AS revenue, clv_minor AS clv
     FROM score_snapshots WHERE as_of = $1`,
    [snapshot],
    20_000,
  )) {
    for (const r of batch)
      values.set(r.customer_id, { revenueMinor: r.revenue ?? 0, clvMinor: r.clv });
  }
  return { snapshot, values };
}
