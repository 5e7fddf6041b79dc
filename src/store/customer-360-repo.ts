/**
 * The customer 360 read (issue 7 §4): one customer's profile, timeline of orders and
 * interactions, stage history with reasons, latest scores, segments, open alerts and tasks,
 * and the next best action (issue 9). The caller's scope is in the SQL and masking in the
 * mapping, as for every customer read.
 *
 * It is the API's hottest read, so: one round trip for the data and its audit row together,
 * shared by the reads that arrive meanwhile (`Coalescer`: under load one statement answers many
 * reads; a statement prepared once per connection), and what the next best action needs beyond
 * this customer (NBA settings, the relationship playbook, cross-sell rules, the product
 * catalogue, the pyramid's CLV cut-offs) read at most every few seconds rather than per request.
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
import { Coalescer, perDb } from './coalesce.js';
import { productCatalogue, storedCrossSellRules } from './crosssell-repo.js';
import {
  type Customer,
  type CustomerRow,
  SELECT_CUSTOMER,
  scopeSql,
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
 * Everything in one round trip, for a batch of reads at once (see `Coalescer`): each request is
 * a row of `q` (customer id, the caller's scope, timeline length, and who to record as the
 * reader, or null for an analyst's masked read, which is not personal data). The batch comes
 * as one JSON document rather than arrays: the planner cannot see into it, so a batch of one
 * and a batch of 64 cost the same to it and the prepared statement settles on its generic plan.
 * With arrays it saw a small batch as cheaper than the generic plan and re-planned every
 * execution (custom plans): ≈ 1.2 ms of backend CPU per statement against 0.2 ms (measured). For each customer
 * in scope: the profile row with its parts aggregated as JSON (each part an indexed lookup on a
 * table keyed by customer_id). In the same statement, the audit row of each read that found its
 * customer: the read and its record commit together, before any answer goes out (the promise
 * settles on ReadyForQuery, after the commit).
 */
const SQL_360 = `
  WITH q AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb)
      AS q(n int, id text, own_only boolean, owner_id text, lim int, reader text, origin text)),
  c AS (
    SELECT q.n, q.lim, x.* FROM q
    CROSS JOIN LATERAL (${SELECT_CUSTOMER}
      WHERE ${scopeSql('q.own_only', 'q.owner_id')} AND c.customer_id = q.id) x),
  audited AS (
    INSERT INTO audit_log (actor, action, customer_id, details, origin)
    SELECT q.reader, 'customer.read', c.customer_id, '{"view": "360"}'::jsonb, q.origin
    FROM c JOIN q USING (n) WHERE q.reader IS NOT NULL)
  SELECT c.*,
    (SELECT coalesce(json_agg(t ORDER BY t.sort_at DESC, t.id), '[]'::json) FROM (
       (SELECT 'transaction' AS kind, transaction_id AS id, occurred_at AS sort_at, ${iso('occurred_at')} AS at,
               amount_minor AS "amountMinor", status, channel, NULL AS type, NULL AS direction,
               NULL AS outcome, NULL::smallint AS satisfaction, NULL AS staff, NULL AS note
        FROM transactions WHERE customer_id = c.customer_id ORDER BY occurred_at DESC LIMIT c.lim)
       UNION ALL
       (SELECT 'interaction', interaction_id, occurred_at, ${iso('occurred_at')}, NULL::bigint, NULL, NULL,
               type, direction, outcome, satisfaction, staff, note
        FROM interactions WHERE customer_id = c.customer_id ORDER BY occurred_at DESC LIMIT c.lim)
       ORDER BY sort_at DESC, id LIMIT c.lim) t) AS timeline,
    (SELECT coalesce(json_agg(json_build_object('modelId', model_id, 'changedAt', ${iso('changed_at')},
              'fromStage', from_stage, 'toStage', to_stage, 'reason', reason, 'reasonData', reason_data)
              ORDER BY model_id, changed_at), '[]'::json)
     FROM stage_history WHERE customer_id = c.customer_id) AS history,
    (SELECT row_to_json(s) FROM (
       SELECT as_of AS "asOf", model, p_alive AS "pAlive", expected_purchases AS "expectedPurchases",
              horizon_days AS "horizonDays", expected_spend_minor AS "expectedSpendMinor",
              clv_minor AS "clvMinor", historical, rfm_r AS r, rfm_f AS f, rfm_m AS m,
              rfm_segment AS segment, tier, cluster, churn_risk AS "churnRisk",
              warning_level AS "warningLevel"
       FROM score_snapshots WHERE customer_id = c.customer_id ORDER BY as_of DESC LIMIT 1) s) AS score,
    (SELECT coalesce(json_agg(json_build_object('segmentId', m.segment_id, 'name', sg.name,
              'joinedAt', ${iso('m.joined_at')}) ORDER BY sg.name), '[]'::json)
     FROM segment_memberships m JOIN segments sg USING (segment_id)
     WHERE m.customer_id = c.customer_id AND m.left_at IS NULL) AS segments,
    (SELECT coalesce(json_agg(a), '[]'::json) FROM (
       SELECT alert_id AS "alertId", level, ${iso('raised_at')} AS "raisedAt", reasons, status
       FROM alerts WHERE customer_id = c.customer_id AND status = 'open' ORDER BY raised_at DESC LIMIT 20) a) AS alerts,
    (SELECT coalesce(json_agg(k), '[]'::json) FROM (
       SELECT task_id AS "taskId", type, owner_id AS "ownerId", ${iso('due_at')} AS "dueAt", status, source
       FROM tasks WHERE customer_id = c.customer_id AND status = 'open' ORDER BY due_at NULLS LAST LIMIT 50) k) AS tasks,
    (SELECT json_build_object('orders', count(*) FILTER (WHERE status = 'completed'),
              'revenueMinor', coalesce(sum(amount_minor) FILTER (WHERE status = 'completed'), 0))
     FROM transactions WHERE customer_id = c.customer_id) AS totals,
    (SELECT count(*)::int FROM interactions WHERE customer_id = c.customer_id) AS interaction_count,
    (SELECT coalesce(array_agg(DISTINCT l.sku ORDER BY l.sku), '{}'::text[]) FROM transaction_lines l
     JOIN transactions t ON t.customer_id = l.customer_id AND t.transaction_id = l.transaction_id
     WHERE l.customer_id = c.customer_id AND t.status = 'completed' AND l.sku IS NOT NULL) AS owned_skus
  FROM c`;

interface Row360 extends CustomerRow {
  n: number;
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

interface Read360 {
  model: string;
  id: string;
  ownOnly: boolean;
  ownerId: string | null;
  limit: number;
  /** who to record as the reader; null: a masked read, not recorded */
  reader: string | null;
  origin: string | null;
}

/** Reads the batch in one statement: each read's row, or null where it found no customer. */
async function read360s(db: Db, reads: Read360[]): Promise<(Row360 | null)[]> {
  // one statement per model (the 360 reads the relationship model's stage; one model in practice)
  const byModel = new Map<string, number[]>();
  reads.forEach((r, i) => {
    byModel.set(r.model, [...(byModel.get(r.model) ?? []), i]);
  });
  const out: (Row360 | null)[] = reads.map(() => null);
  for (const [model, idx] of byModel) {
    const part = idx.map((i) => reads[i] as Read360);
    const { rows } = await db.query<Row360>(
      SQL_360,
      [
        model,
        JSON.stringify(
          part.map((r, i) => ({
            n: i + 1,
            id: r.id,
            own_only: r.ownOnly,
            owner_id: r.ownerId,
            lim: r.limit,
            reader: r.reader,
            origin: r.origin,
          })),
        ),
      ],
      { prepare: 'tenure_customer_360' },
    );
    for (const row of rows) out[idx[Number(row.n) - 1] as number] = row;
  }
  return out;
}

/**
 * Concurrent 360 reads share a statement: at most this many statements at once (of the pool's
 * eight connections) and this many reads in one. Measured with `npm run bench:api` (1M
 * customers): two in flight ≈ 4 reads per statement, 2,157–2,469 req/s; one in flight ≈ 7,
 * 2,059–2,260 (no better); four in flight ≈ 2, 1,926–2,171 (measured with the batch as arrays
 * under a generic plan; the JSON batch plans the same).
 */
const READ_BATCHING = { maxInFlight: 2, maxBatch: 64 };

const readers = perDb(
  (db: Db) => new Coalescer<Read360, Row360 | null>((reads) => read360s(db, reads), READ_BATCHING),
);

/** The customer 360 the actor may see (404 otherwise); the read is audited. */
export async function customer360(
  db: Db,
  actor: Actor,
  id: string,
  model: string,
  timelineLimit = 50,
): Promise<Customer360Data> {
  const scope = scopeOf(actor);
  const read: Read360 = {
    model,
    id,
    ownOnly: scope.ownOnly,
    ownerId: scope.ownerId,
    limit: timelineLimit,
    reader: scope.mask ? null : actor.username,
    origin: actor.origin,
  };
  // Inside a transaction the read (and its audit row) is part of it; otherwise it may share a
  // statement with concurrent reads.
  const r = db.inTransaction ? (await read360s(db, [read]))[0] : await readers(db).add(read);
  if (!r) {
    throw new NotFoundError(`customer "${id}" does not exist`, { field: 'customerId', value: id });
  }
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
