/**
 * The customer 360 read (issue 7 §4): one customer's profile, timeline of orders and
 * interactions, stage history with reasons, latest scores, segments, open alerts and tasks,
 * and the next best action (issue 9). The caller's scope is in the SQL and masking in the
 * mapping, as for every customer read.
 *
 * It is the API's hottest read, so: one round trip for the data (a statement prepared once per
 * connection), the audit row written by the group-committing `auditRead` (the read is answered
 * only once its row is committed), and what the next best action needs beyond this customer
 * (NBA settings, the relationship playbook, cross-sell rules, the product catalogue, the
 * pyramid's CLV cut-offs) read at most every few seconds rather than per request.
 */
import {
  type CatalogueItem,
  chooseNextAction,
  crossSellSuggestions,
  type NbaSettings,
  type NextAction,
  type Playbook,
  type SkuRule,
  type TierName,
  upSellSuggestions,
} from '../engine/index.js';
import { NotFoundError } from '../errors.js';
import { type Actor, maskText, scopeOf } from './access.js';
import { pyramidCutsSql } from './action-scores-sql.js';
import { auditRead } from './audit-repo.js';
import { productCatalogue, storedCrossSellRules } from './crosssell-repo.js';
import {
  type Customer,
  type CustomerRow,
  SCOPE_SQL,
  SELECT_CUSTOMER,
  toCustomer,
} from './customer-repo.js';
import type { Db } from './db.js';
import { nbaSettings } from './next-action-repo.js';
import { listStageModels } from './stage-model-repo.js';

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
  /** skus bought in completed orders (for cross-sell and up-sell) */
  ownedSkus: string[];
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
    (SELECT count(*)::int FROM interactions WHERE customer_id = $4) AS interaction_count,
    (SELECT coalesce(array_agg(DISTINCT l.sku ORDER BY l.sku), '{}'::text[]) FROM transaction_lines l
     JOIN transactions t ON t.customer_id = l.customer_id AND t.transaction_id = l.transaction_id
     WHERE l.customer_id = $4 AND t.status = 'completed' AND l.sku IS NOT NULL) AS owned_skus
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
  owned_skus: string[];
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
  const { rows } = await db.query<Row360>(
    SQL_360,
    [model, scope.ownOnly, scope.ownerId, id, timelineLimit],
    { prepare: 'tenure_customer_360' },
  );
  const r = rows[0];
  if (!r) {
    throw new NotFoundError(`customer "${id}" does not exist`, { field: 'customerId', value: id });
  }
  // Committed before the caller gets the data (auditRead settles after the commit).
  if (!scope.mask) await auditRead(db, actor, 'customer.read', id, { view: '360' });
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
    ownedSkus: r.owned_skus,
  };
}

// ---- next best action ----

/** How long the inputs shared by every customer's next best action are kept. */
const SHARED_TTL_MS = 5_000;
/** How long the pyramid's CLV cut-offs of a snapshot day are kept (a full pass over that day). */
const CUTS_TTL_MS = 60_000;

interface SharedInputs {
  settings: NbaSettings;
  playbook: Playbook | null;
  rules: SkuRule[];
  catalogue: Map<string, CatalogueItem>;
}

function ttlCache<K, V>(ttlMs: number, load: (db: Db, key: K) => Promise<V>) {
  const byDb = new WeakMap<Db, Map<K, { at: number; value: Promise<V> }>>();
  return (db: Db, key: K): Promise<V> => {
    let map = byDb.get(db);
    if (!map) {
      map = new Map();
      byDb.set(db, map);
    }
    const hit = map.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = load(db, key);
    const m = map;
    m.set(key, { at: Date.now(), value });
    value.catch(() => m.delete(key));
    return value;
  };
}

const sharedInputs = ttlCache<null, SharedInputs>(SHARED_TTL_MS, async (db) => {
  const [settings, models, rules, catalogue] = await Promise.all([
    nbaSettings(db),
    listStageModels(db),
    storedCrossSellRules(db, 'order'),
    productCatalogue(db),
  ]);
  return {
    settings,
    playbook: models.find((m) => m.model.key === 'relationship')?.playbook ?? null,
    rules: (rules ?? []) as SkuRule[],
    catalogue,
  };
});

/**
 * The CLV cut-offs of the customer pyramid on one snapshot day, for snapshots without a stored
 * tier: the same cume_dist cut as `scoresCte` (src/store/action-scores-sql.ts) — platinum the
 * top 1 % of CLV, gold the next 4 %, iron the next 15 %, lead the rest. cume_dist over CLV
 * descending is the share of customers with a CLV at least this one's, which only falls as CLV
 * rises, so "cume_dist ≤ p" is "CLV ≥ the least CLV whose cume_dist ≤ p".
 */
const pyramidCuts = ttlCache<
  string,
  { platinum: number | null; gold: number | null; iron: number | null }
>(CUTS_TTL_MS, async (db, asOf) => {
  const { rows } = await db.query<{
    platinum: string | null;
    gold: string | null;
    iron: string | null;
  }>(pyramidCutsSql('$1::date'), [asOf]);
  const n = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return { platinum: n(rows[0]?.platinum), gold: n(rows[0]?.gold), iron: n(rows[0]?.iron) };
});

const PYRAMID: readonly string[] = ['platinum', 'gold', 'iron', 'lead'];

/**
 * The next best action of the customer a 360 shows, as `nextActionFor`
 * (src/store/next-action-repo.ts) chooses it — the engine's `chooseNextAction` over the stage
 * of the relationship model, the pyramid tier, CLV, P(alive), churn risk and warning level, and
 * the best cross-sell and up-sell from what the customer owns — but from the 360's own row
 * (the customer's latest snapshot and stage) and the shared inputs above, without further
 * per-customer queries.
 */
export async function nextActionOf360(db: Db, data: Customer360Data): Promise<NextAction> {
  const shared = await sharedInputs(db, null);
  const s = data.score;
  let tier: string | null = s?.tier ?? null;
  if (tier === null && s !== null && s.clvMinor !== null) {
    const cuts = await pyramidCuts(db, String(s.asOf).slice(0, 10));
    const clv = Number(s.clvMinor);
    tier =
      cuts.platinum !== null && clv >= cuts.platinum
        ? 'platinum'
        : cuts.gold !== null && clv >= cuts.gold
          ? 'gold'
          : cuts.iron !== null && clv >= cuts.iron
            ? 'iron'
            : 'lead';
  }
  const mine = new Set(data.ownedSkus);
  const cross =
    mine.size > 0 ? crossSellSuggestions(mine, shared.rules, shared.catalogue, 1)[0] : undefined;
  const up = mine.size > 0 ? upSellSuggestions(mine, shared.catalogue)[0] : undefined;
  const stage =
    [...data.stageHistory].reverse().find((h) => h.modelId === 'relationship')?.toStage ?? null;
  return chooseNextAction(
    {
      customerId: data.customer.customerId,
      ownerId: data.customer.ownerId,
      stage,
      tier: PYRAMID.includes(tier as string) ? (tier as TierName) : null,
      clvMinor: s?.clvMinor === null || s?.clvMinor === undefined ? null : Number(s.clvMinor),
      pAlive: s?.pAlive ?? null,
      churnRisk: s?.churnRisk ?? null,
      warningLevel: s?.warningLevel ?? null,
      crossSell: cross ?? null,
      upSell: up ?? null,
    },
    shared.playbook,
    shared.settings,
  );
}
