/**
 * Incremental re-scoring of a few customers after events arrive (issue 7 §5), without a full
 * re-analysis: their summary (x, t_x, T) is recomputed in SQL, and P(alive) and expected
 * purchases come from the last chosen model fit in `model_fits` (Fader, Hardie & Lee 2005,
 * eq. (13) and (10) for BG/NBD; the engine's `scoreCustomers` for every model). CLV keeps the
 * value per expected purchase of the customer's previous snapshot (the spend model is not
 * refitted); tier, RFM, cluster and risk are carried forward from it until the next analysis.
 * The result is a snapshot row dated the re-scoring day.
 */
import { type PurchaseModel, scoreCustomers, type TimeUnit } from '../engine/index.js';
import type { Db } from './db.js';

const DAY_MS = 86_400_000;

interface SummaryRow {
  customer_id: string;
  first_day: number;
  last_day: number;
  days: number;
  orders: number;
  revenue: number;
}

interface PrevRow {
  customer_id: string;
  expected_purchases: number | null;
  clv_minor: number | null;
  expected_spend_minor: number | null;
}

export interface LastFit {
  asOf: string;
  model: PurchaseModel;
  unit: TimeUnit;
}

/** The most recent chosen, converged purchase-model fit, or null before the first analysis. */
export async function lastChosenFit(db: Db): Promise<LastFit | null> {
  const { rows } = await db.query<{
    as_of: string;
    model: string;
    unit: TimeUnit;
    params: Record<string, number>;
  }>(
    `SELECT as_of, model, unit, params FROM model_fits WHERE chosen AND converged
     ORDER BY as_of DESC LIMIT 1`,
  );
  const r = rows[0];
  if (!r || !['bg-nbd', 'mbg-nbd', 'pareto-nbd'].includes(r.model)) return null;
  return {
    asOf: r.as_of,
    model: { kind: r.model, params: r.params } as unknown as PurchaseModel,
    unit: r.unit,
  };
}

/** Re-scores `customerIds` as of the UTC day of `asOf`; returns how many snapshot rows were written. */
export async function rescoreCustomers(
  db: Db,
  customerIds: readonly string[],
  asOf: Date,
  fit?: LastFit | null,
): Promise<number> {
  if (customerIds.length === 0) return 0;
  const last = fit === undefined ? await lastChosenFit(db) : fit;
  if (!last) return 0;
  const asOfDay = Math.floor(asOf.getTime() / DAY_MS);
  const day = new Date(asOfDay * DAY_MS).toISOString().slice(0, 10);
  const unitDays = last.unit === 'week' ? 7 : 1;
  const { rows } = await db.query<SummaryRow>(
    `WITH days AS (
       SELECT customer_id, floor(extract(epoch FROM occurred_at) / 86400)::int AS d,
              sum(amount_minor) AS amt, count(*) AS orders
       FROM transactions
       WHERE customer_id = ANY($1::text[]) AND status = 'completed'
         AND occurred_at < to_timestamp(($2::int + 1) * 86400.0)
       GROUP BY 1, 2)
     SELECT customer_id, min(d)::int AS first_day, max(d)::int AS last_day, count(*)::int AS days,
            sum(orders)::int AS orders, sum(amt)::bigint AS revenue
     FROM days GROUP BY customer_id ORDER BY customer_id`,
    [customerIds, asOfDay],
  );
  if (rows.length === 0) return 0;
  const prev = await db.query<PrevRow>(
    `SELECT DISTINCT ON (customer_id) customer_id, expected_purchases, clv_minor, expected_spend_minor
     FROM score_snapshots WHERE customer_id = ANY($1::text[]) AND as_of < $2::date
     ORDER BY customer_id, as_of DESC`,
    [rows.map((r) => r.customer_id), day],
  );
  const prevOf = new Map(prev.rows.map((p) => [p.customer_id, p]));
  const x = rows.map((r) => r.days - 1);
  const tx = rows.map((r) => (r.last_day - r.first_day) / unitDays);
  // A first purchase today has T = 0, which the models cannot condition on: half a day.
  const T = rows.map((r) => Math.max(asOfDay - r.first_day, 0.5) / unitDays);
  const scores = scoreCustomers(last.model, null, { x, tx, T }, { unit: last.unit });
  const out = rows.map((r, i) => {
    const p = prevOf.get(r.customer_id);
    const expected = scores.expectedPurchasesInHorizon[i];
    const aov = r.orders > 0 ? r.revenue / r.orders : 0;
    const perPurchase =
      p?.clv_minor != null && p.expected_purchases != null && p.expected_purchases > 1e-9
        ? p.clv_minor / p.expected_purchases
        : (p?.expected_spend_minor ?? aov);
    return {
      customerId: r.customer_id,
      pAlive: scores.probabilityAlive[i],
      expected,
      spend: Math.round(perPurchase),
      clv: Math.round(perPurchase * expected),
      historical: {
        unit: last.unit,
        x: x[i],
        tx: tx[i],
        T: T[i],
        revenueMinor: r.revenue,
        orders: r.orders,
        aovMinor: Math.round(aov),
        firstPurchase: new Date(r.first_day * DAY_MS).toISOString().slice(0, 10),
        lastPurchase: new Date(r.last_day * DAY_MS).toISOString().slice(0, 10),
        tenureDays: asOfDay - r.first_day,
        daysSinceLastPurchase: asOfDay - r.last_day,
        incremental: true,
        fitAsOf: last.asOf,
      },
    };
  });
  // One statement for the batch; tier, RFM, cluster and risk carried from the previous snapshot.
  const res = await db.query(
    `INSERT INTO score_snapshots (customer_id, as_of, model, p_alive, expected_purchases,
       horizon_days, expected_spend_minor, clv_minor, historical, rfm_r, rfm_f, rfm_m,
       rfm_segment, tier, cluster, churn_risk, warning_level)
     SELECT r."customerId", $2::date, $3, r."pAlive", r.expected, 365, r.spend, r.clv, r.historical,
            p.rfm_r, p.rfm_f, p.rfm_m, p.rfm_segment, p.tier, p.cluster, p.churn_risk, p.warning_level
     FROM jsonb_to_recordset($1::jsonb) AS r("customerId" text, "pAlive" float8, expected float8,
          spend bigint, clv bigint, historical jsonb)
     LEFT JOIN LATERAL (SELECT * FROM score_snapshots s WHERE s.customer_id = r."customerId"
                        AND s.as_of < $2::date ORDER BY s.as_of DESC LIMIT 1) p ON true
     ORDER BY r."customerId"
     ON CONFLICT (customer_id, as_of) DO UPDATE SET model = EXCLUDED.model,
       p_alive = EXCLUDED.p_alive, expected_purchases = EXCLUDED.expected_purchases,
       expected_spend_minor = EXCLUDED.expected_spend_minor, clv_minor = EXCLUDED.clv_minor,
       historical = EXCLUDED.historical, computed_at = now()`,
    [JSON.stringify(out), day, last.model.kind],
  );
  const written = res.rowCount;
  return written;
}

export interface StageNow {
  customerId: string;
  model: string;
  stage: string;
  changedAt: Date;
  reason: string;
  reasonData: Record<string, unknown>;
}

/** The current stage (latest history row) of each of `customerIds` under each of `models`. */
export async function currentStages(
  db: Db,
  customerIds: readonly string[],
  models: readonly string[],
): Promise<Map<string, StageNow>> {
  const { rows } = await db.query<StageNow>(
    `SELECT DISTINCT ON (customer_id, model_id) customer_id AS "customerId", model_id AS model,
            to_stage AS stage, changed_at AS "changedAt", reason, reason_data AS "reasonData"
     FROM stage_history WHERE customer_id = ANY($1::text[]) AND model_id = ANY($2::text[])
     ORDER BY customer_id, model_id, changed_at DESC`,
    [customerIds, models],
  );
  return new Map(rows.map((r) => [`${r.customerId}\u0000${r.model}`, r]));
}

/** The latest day any stage history was written for each customer (analysis must not go back before it). */
export async function lastHistoryDays(
  db: Db,
  customerIds: readonly string[],
): Promise<Map<string, Date>> {
  const { rows } = await db.query<{ customer_id: string; at: Date }>(
    `SELECT customer_id, max(changed_at) AS at FROM stage_history
     WHERE customer_id = ANY($1::text[]) GROUP BY customer_id`,
    [customerIds],
  );
  return new Map(rows.map((r) => [r.customer_id, r.at]));
}
