/**
 * The customer 360 read (issue 7 §4): one customer's profile, timeline of orders and
 * interactions, stage history with reasons, latest scores, segments, open alerts and tasks —
 * each a short indexed query on tables keyed by customer_id. The profile read goes through
 * `getCustomer`, so scope, masking and the audit row apply.
 */
import { type Actor, maskText, scopeOf } from './access.js';
import { type Customer, getCustomer } from './customer-repo.js';
import type { Db } from './db.js';

export interface TimelineItem {
  kind: 'transaction' | 'interaction';
  id: string;
  at: Date;
  /** transaction: amount in fen, status, channel; interaction: type, direction, outcome, note */
  amountMinor: number | null;
  status: string | null;
  channel: string | null;
  type: string | null;
  direction: string | null;
  outcome: string | null;
  satisfaction: number | null;
  staff: string | null;
  note: string | null;
}

export interface Snapshot {
  asOf: string;
  model: string;
  pAlive: number | null;
  expectedPurchases: number | null;
  horizonDays: number | null;
  expectedSpendMinor: number | null;
  clvMinor: number | null;
  historical: Record<string, unknown>;
  rfm: { r: number | null; f: number | null; m: number | null; segment: string | null };
  tier: string | null;
  cluster: string | null;
  churnRisk: number | null;
  warningLevel: string | null;
}

export interface StageChange {
  modelId: string;
  changedAt: Date;
  fromStage: string | null;
  toStage: string;
  reason: string;
  reasonData: Record<string, unknown>;
}

export interface Customer360Data {
  customer: Customer;
  timeline: TimelineItem[];
  stageHistory: StageChange[];
  score: Snapshot | null;
  segments: { segmentId: string; name: string; joinedAt: Date }[];
  alerts: { alertId: string; level: string; raisedAt: Date; reasons: unknown; status: string }[];
  tasks: {
    taskId: string;
    type: string;
    ownerId: string | null;
    dueAt: Date | null;
    status: string;
    source: string | null;
  }[];
  totals: { orders: number; revenueMinor: number; interactions: number };
}

export async function customer360(
  db: Db,
  actor: Actor,
  id: string,
  model: string,
  timelineLimit = 50,
): Promise<Customer360Data> {
  const customer = await getCustomer(db, actor, id, model);
  const scope = scopeOf(actor);
  const [timeline, history, score, segments, alerts, tasks, totals] = await Promise.all([
    db.query<TimelineItem>(
      `(SELECT 'transaction' AS kind, transaction_id AS id, occurred_at AS at,
               amount_minor AS "amountMinor", status, channel, NULL AS type, NULL AS direction,
               NULL AS outcome, NULL::smallint AS satisfaction, NULL AS staff, NULL AS note
        FROM transactions WHERE customer_id = $1 ORDER BY occurred_at DESC LIMIT $2)
       UNION ALL
       (SELECT 'interaction', interaction_id, occurred_at, NULL::bigint, NULL, NULL, type,
               direction, outcome, satisfaction, staff, note
        FROM interactions WHERE customer_id = $1 ORDER BY occurred_at DESC LIMIT $2)
       ORDER BY at DESC, id LIMIT $2`,
      [id, timelineLimit],
    ),
    db.query<StageChange>(
      `SELECT model_id AS "modelId", changed_at AS "changedAt", from_stage AS "fromStage",
              to_stage AS "toStage", reason, reason_data AS "reasonData"
       FROM stage_history WHERE customer_id = $1 ORDER BY model_id, changed_at`,
      [id],
    ),
    db.query<Snapshot & { r: number; f: number; m: number; segment: string | null }>(
      `SELECT as_of AS "asOf", model, p_alive AS "pAlive", expected_purchases AS "expectedPurchases",
              horizon_days AS "horizonDays", expected_spend_minor AS "expectedSpendMinor",
              clv_minor AS "clvMinor", historical, rfm_r AS r, rfm_f AS f, rfm_m AS m,
              rfm_segment AS segment, tier, cluster, churn_risk AS "churnRisk",
              warning_level AS "warningLevel"
       FROM score_snapshots WHERE customer_id = $1 ORDER BY as_of DESC LIMIT 1`,
      [id],
    ),
    db.query<{ segmentId: string; name: string; joinedAt: Date }>(
      `SELECT m.segment_id AS "segmentId", s.name, m.joined_at AS "joinedAt"
       FROM segment_memberships m JOIN segments s USING (segment_id)
       WHERE m.customer_id = $1 AND m.left_at IS NULL ORDER BY s.name`,
      [id],
    ),
    db.query<Customer360Data['alerts'][number]>(
      `SELECT alert_id AS "alertId", level, raised_at AS "raisedAt", reasons, status
       FROM alerts WHERE customer_id = $1 AND status = 'open' ORDER BY raised_at DESC LIMIT 20`,
      [id],
    ),
    db.query<Customer360Data['tasks'][number]>(
      `SELECT task_id AS "taskId", type, owner_id AS "ownerId", due_at AS "dueAt", status, source
       FROM tasks WHERE customer_id = $1 AND status = 'open' ORDER BY due_at NULLS LAST LIMIT 50`,
      [id],
    ),
    db.query<{ orders: number; revenue: number; interactions: number }>(
      `SELECT (SELECT count(*)::int FROM transactions WHERE customer_id = $1 AND status = 'completed') AS orders,
              (SELECT coalesce(sum(amount_minor), 0)::bigint FROM transactions
                WHERE customer_id = $1 AND status = 'completed') AS revenue,
              (SELECT count(*)::int FROM interactions WHERE customer_id = $1) AS interactions`,
      [id],
    ),
  ]);
  const s = score.rows[0];
  return {
    customer,
    timeline: timeline.rows.map((t) =>
      scope.mask ? { ...t, note: maskText(t.note), outcome: maskText(t.outcome) } : t,
    ),
    stageHistory: history.rows,
    score: s
      ? {
          asOf: s.asOf,
          model: s.model,
          pAlive: s.pAlive,
          expectedPurchases: s.expectedPurchases,
          horizonDays: s.horizonDays,
          expectedSpendMinor: s.expectedSpendMinor,
          clvMinor: s.clvMinor,
          historical: s.historical,
          rfm: { r: s.r, f: s.f, m: s.m, segment: s.segment },
          tier: s.tier,
          cluster: s.cluster,
          churnRisk: s.churnRisk,
          warningLevel: s.warningLevel,
        }
      : null,
    segments: segments.rows,
    alerts: alerts.rows,
    tasks: tasks.rows,
    totals: {
      orders: totals.rows[0].orders,
      revenueMinor: totals.rows[0].revenue,
      interactions: totals.rows[0].interactions,
    },
  };
}
