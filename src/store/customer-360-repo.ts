/**
 * The customer 360 read (issue 7 §4): one customer's profile, timeline of orders and
 * interactions, stage history with reasons, latest scores, segments, open alerts and tasks.
 * The caller's scope is in the SQL and masking in the mapping, as for every customer read.
 */
import { NotFoundError } from '../errors.js';
import { type Actor, maskText, scopeOf } from './access.js';
import { audit } from './audit-repo.js';
import {
  type Customer,
  type CustomerRow,
  SCOPE_SQL,
  SELECT_CUSTOMER,
  toCustomer,
} from './customer-repo.js';
import type { Db } from './db.js';

export interface TimelineItem {
  kind: 'transaction' | 'interaction';
  id: string;
  /** ISO instant */
  at: string;
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
  segments: { segmentId: string; name: string; joinedAt: string }[];
  alerts: { alertId: string; level: string; raisedAt: string; reasons: unknown; status: string }[];
  tasks: {
    taskId: string;
    type: string;
    ownerId: string | null;
    dueAt: string | null;
    status: string;
    source: string | null;
  }[];
  totals: { orders: number; revenueMinor: number; interactions: number };
}

// An instant as JSON the way Date.toISOString() writes it, so rows read through json_agg look
// like rows read directly.
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Everything in one round trip: the scoped profile row with its parts aggregated as JSON
 * (each part an indexed lookup on a table keyed by customer_id), then the audit row.
 */
const SQL_360 = `
  WITH c AS (${SELECT_CUSTOMER} WHERE ${SCOPE_SQL} AND c.customer_id = $4)
  SELECT c.*,
    (SELECT coalesce(json_agg(t ORDER BY t.sort_at DESC, t.id), '[]'::json) FROM (
       (SELECT 'transaction' AS kind, transaction_id AS id, occurred_at AS sort_at, ${iso('occurred_at')} AS at,
               amount_minor AS "amountMinor", status, channel, NULL AS type, NULL AS direction,
               NULL AS outcome, NULL::smallint AS satisfaction, NULL AS staff, NULL AS note
        FROM transactions WHERE customer_id = $4 ORDER BY occurred_at DESC LIMIT $5)
       UNION ALL
       (SELECT 'interaction', interaction_id, occurred_at, ${iso('occurred_at')}, NULL::bigint, NULL, NULL,
               type, direction, outcome, satisfaction, staff, note
        FROM interactions WHERE customer_id = $4 ORDER BY occurred_at DESC LIMIT $5)
       ORDER BY sort_at DESC, id LIMIT $5) t) AS timeline,
    (SELECT coalesce(json_agg(json_build_object('modelId', model_id, 'changedAt', ${iso('changed_at')},
              'fromStage', from_stage, 'toStage', to_stage, 'reason', reason, 'reasonData', reason_data)
              ORDER BY model_id, changed_at), '[]'::json)
     FROM stage_history WHERE customer_id = $4) AS history,
    (SELECT row_to_json(s) FROM (
       SELECT as_of AS "asOf", model, p_alive AS "pAlive", expected_purchases AS "expectedPurchases",
              horizon_days AS "horizonDays", expected_spend_minor AS "expectedSpendMinor",
              clv_minor AS "clvMinor", historical, rfm_r AS r, rfm_f AS f, rfm_m AS m,
              rfm_segment AS segment, tier, cluster, churn_risk AS "churnRisk",
              warning_level AS "warningLevel"
       FROM score_snapshots WHERE customer_id = $4 ORDER BY as_of DESC LIMIT 1) s) AS score,
    (SELECT coalesce(json_agg(json_build_object('segmentId', m.segment_id, 'name', sg.name,
              'joinedAt', ${iso('m.joined_at')}) ORDER BY sg.name), '[]'::json)
     FROM segment_memberships m JOIN segments sg USING (segment_id)
     WHERE m.customer_id = $4 AND m.left_at IS NULL) AS segments,
    (SELECT coalesce(json_agg(a), '[]'::json) FROM (
       SELECT alert_id AS "alertId", level, ${iso('raised_at')} AS "raisedAt", reasons, status
       FROM alerts WHERE customer_id = $4 AND status = 'open' ORDER BY raised_at DESC LIMIT 20) a) AS alerts,
    (SELECT coalesce(json_agg(k), '[]'::json) FROM (
       SELECT task_id AS "taskId", type, owner_id AS "ownerId", ${iso('due_at')} AS "dueAt", status, source
       FROM tasks WHERE customer_id = $4 AND status = 'open' ORDER BY due_at NULLS LAST LIMIT 50) k) AS tasks,
    (SELECT json_build_object('orders', count(*) FILTER (WHERE status = 'completed'),
              'revenueMinor', coalesce(sum(amount_minor) FILTER (WHERE status = 'completed'), 0))
     FROM transactions WHERE customer_id = $4) AS totals,
    (SELECT count(*)::int FROM interactions WHERE customer_id = $4) AS interaction_count
  FROM c`;

interface Row360 extends CustomerRow {
  timeline: (TimelineItem & { sort_at?: string })[];
  history: (Omit<StageChange, 'changedAt'> & { changedAt: string })[];
  score:
    | (Omit<Snapshot, 'rfm'> & { r: number; f: number; m: number; segment: string | null })
    | null;
  segments: Customer360Data['segments'];
  alerts: Customer360Data['alerts'];
  tasks: Customer360Data['tasks'];
  totals: { orders: number; revenueMinor: number };
  interaction_count: number;
}

/** The customer 360 the actor may see (404 otherwise); the read is audited. */
export async function customer360(
  db: Db,
  actor: Actor,
  id: string,
  model: string,
  timelineLimit = 50,
): Promise<Customer360Data> {
  const scope = scopeOf(actor);
  const { rows } = await db.query<Row360>(SQL_360, [
    model,
    scope.ownOnly,
    scope.ownerId,
    id,
    timelineLimit,
  ]);
  const r = rows[0];
  if (!r) {
    throw new NotFoundError(`customer "${id}" does not exist`, { field: 'customerId', value: id });
  }
  if (!scope.mask) await audit(db, actor, 'customer.read', id, { view: '360' });
  const s = r.score;
  return {
    customer: toCustomer(r, scope),
    timeline: r.timeline.map(({ sort_at: _s, ...t }) =>
      scope.mask ? { ...t, note: maskText(t.note), outcome: maskText(t.outcome) } : t,
    ),
    stageHistory: r.history.map((h) => ({ ...h, changedAt: new Date(h.changedAt) })),
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
    segments: r.segments,
    alerts: r.alerts,
    tasks: r.tasks,
    totals: {
      orders: r.totals.orders,
      revenueMinor: r.totals.revenueMinor,
      interactions: r.interaction_count,
    },
  };
}
