/**
 * Next best action (issue 9 §1) over the store: each customer's stage (relationship model),
 * latest score snapshot with tier, churn risk and warning level (null until the churn model has
 * run: the engine then uses 1 − P(alive)), and the best cross-sell / up-sell from the stored
 * rules, fed to the engine's `chooseNextAction` with the stage playbook as the business keeps it
 * (stage_models.playbook) and the editable NBA settings (settings 'actions.nba').
 *
 * `nextActionFor` is the 360 view's; `workQueue` is the daily list per owner, best expected
 * value first; `queueToTasks` turns a queue into tasks (idempotent per customer and day).
 */
import {
  type CatalogueItem,
  type CrossSellSuggestion,
  chooseNextAction,
  crossSellSuggestions,
  type NbaCustomer,
  type NbaSettings,
  type NextAction,
  type Playbook,
  type SkuRule,
  type TierName,
  type UpSellSuggestion,
  upSellSuggestions,
  validateNbaSettings,
  valueBound,
} from '../engine/index.js';
import { NotFoundError } from '../errors.js';
import { type Actor, scopeOf } from './access.js';
import { scoresCte, stageCte } from './action-scores-sql.js';
import { audit } from './audit-repo.js';
import {
  ownedProducts,
  ownedProductsByCustomer,
  productCatalogue,
  storedCrossSellRules,
} from './crosssell-repo.js';
import type { Db } from './db.js';
import { loadSetting } from './settings-repo.js';
import { listStageModels } from './stage-model-repo.js';
import { customerTasks, type Task } from './task-repo.js';

/** NBA settings as stored (defaults where absent). */
export function nbaSettings(db: Db): Promise<NbaSettings> {
  return loadSetting(db, 'actions.nba', (v) => validateNbaSettings(v, 'settings.actions.nba'));
}

interface ContextRow {
  customer_id: string;
  owner_id: string | null;
  stage: string | null;
  tier: string | null;
  clv_minor: string | null;
  p_alive: number | null;
  churn_risk: number | null;
  warning_level: string | null;
}

const TIERS: readonly string[] = ['platinum', 'gold', 'iron', 'lead'];
const endOfDay = (d: Date): Date =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));

async function computeActions(
  db: Db,
  asOf: Date,
  filter: { ownerId?: string; customerId?: string; customerIds?: readonly string[] },
): Promise<NextAction[]> {
  const settings = await nbaSettings(db);
  const models = await listStageModels(db);
  const playbook: Playbook | null =
    models.find((m) => m.model.key === 'relationship')?.playbook ?? null;
  const rules = ((await storedCrossSellRules(db, 'order')) ?? []) as SkuRule[];
  const catalogue: Map<string, CatalogueItem> = await productCatalogue(db);
  // For one owner or a few customers the snapshot and the stage history are read for those
  // customers only (by index), not ranked for everyone and then filtered.
  const subset =
    filter.customerId !== undefined
      ? 'SELECT $4::text'
      : filter.customerIds !== undefined
        ? 'SELECT unnest($5::text[])'
        : filter.ownerId !== undefined
          ? 'SELECT customer_id FROM customers WHERE owner_id = $3::text'
          : undefined;
  const { rows } = await db.query<ContextRow>(
    `WITH ${scoresCte('$1', subset)}, ${stageCte('$2', subset)}
     SELECT c.customer_id, c.owner_id, st.stage, s.tier, s.clv_minor, s.p_alive, s.churn_risk,
       s.warning_level
     FROM customers c
     LEFT JOIN scores s ON s.customer_id = c.customer_id
     LEFT JOIN stage st ON st.customer_id = c.customer_id
     WHERE c.erased_at IS NULL AND ($3::text IS NULL OR c.owner_id = $3)
       AND ($4::text IS NULL OR c.customer_id = $4)
       AND ($5::text[] IS NULL OR c.customer_id = ANY($5::text[]))
     ORDER BY c.customer_id`,
    [
      asOf.toISOString().slice(0, 10),
      endOfDay(asOf),
      filter.ownerId ?? null,
      filter.customerId ?? null,
      filter.customerIds ?? null,
    ],
  );
  const owned = new Map<string, Set<string>>();
  if (filter.customerIds !== undefined) {
    const { rows: skus } = await db.query<{ customer_id: string; skus: string[] }>(
      `SELECT l.customer_id, array_agg(DISTINCT l.sku) AS skus FROM transaction_lines l
       JOIN transactions t ON t.customer_id = l.customer_id AND t.transaction_id = l.transaction_id
       WHERE l.customer_id = ANY($1::text[]) AND t.status = 'completed' AND l.sku IS NOT NULL
       GROUP BY l.customer_id`,
      [filter.customerIds],
    );
    for (const r of skus) owned.set(r.customer_id, new Set(r.skus));
  } else if (filter.customerId === undefined) {
    for await (const batch of ownedProductsByCustomer(db, filter.ownerId)) {
      for (const r of batch) owned.set(r.customerId, new Set(r.skus));
    }
  } else {
    const { rows: skus } = await db.query<{ sku: string }>(
      `SELECT DISTINCT l.sku FROM transaction_lines l
       JOIN transactions t ON t.customer_id = l.customer_id AND t.transaction_id = l.transaction_id
       WHERE l.customer_id = $1 AND t.status = 'completed' AND l.sku IS NOT NULL`,
      [filter.customerId],
    );
    owned.set(filter.customerId, new Set(skus.map((r) => r.sku)));
  }
  return rows.map((r) => {
    const mine = owned.get(r.customer_id) ?? new Set<string>();
    const cross = mine.size > 0 ? crossSellSuggestions(mine, rules, catalogue, 1)[0] : undefined;
    const up = mine.size > 0 ? upSellSuggestions(mine, catalogue)[0] : undefined;
    const c: NbaCustomer = {
      customerId: r.customer_id,
      ownerId: r.owner_id,
      stage: r.stage,
      tier: TIERS.includes(r.tier as string) ? (r.tier as TierName) : null,
      clvMinor: r.clv_minor === null ? null : Number(r.clv_minor),
      pAlive: r.p_alive,
      churnRisk: r.churn_risk,
      warningLevel: r.warning_level,
      crossSell: cross ?? null,
      upSell: up ?? null,
    };
    return chooseNextAction(c, playbook, settings);
  });
}

/** The next best action of one customer as of a day (the 360 view). Unknown id: NotFoundError. */
export async function nextActionFor(db: Db, customerId: string, asOf: Date): Promise<NextAction> {
  const [action] = await computeActions(db, asOf, { customerId });
  if (action === undefined) {
    throw new NotFoundError(`customer "${customerId}" does not exist`, {
      field: 'customer',
      value: customerId,
    });
  }
  return action;
}

/** Best expected value first, then customer id; nothing worth doing left out; at most `limit`. */
function rankQueue(actions: readonly NextAction[], limit: number): NextAction[] {
  return actions
    .filter((a) => a.expectedValueMinor > 0)
    .sort(
      (a, b) =>
        b.expectedValueMinor - a.expectedValueMinor ||
        (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0),
    )
    .slice(0, limit);
}

/**
 * The daily work queue: every customer's next action (one owner's customers when given), best
 * expected value first, at most `limit`; actions worth nothing (let go, nothing to act on) are
 * left out. Everyone's queue first tries `boundedQueue` (the same answer from the best few
 * thousand customers) and chooses for every customer only when that cannot be proven;
 * `exhaustive` always does (tests compare the two).
 */
export async function workQueue(
  db: Db,
  {
    asOf,
    ownerId,
    limit = 50,
    exhaustive = false,
  }: { asOf: Date; ownerId?: string; limit?: number; exhaustive?: boolean },
): Promise<NextAction[]> {
  if (ownerId === undefined && !exhaustive) {
    const bounded = await boundedQueue(db, asOf, limit);
    if (bounded !== null) return bounded;
  }
  return rankQueue(await computeActions(db, asOf, { ownerId }), limit);
}

/**
 * Everyone's work queue without choosing an action for every customer (1M customers: 19.2 s
 * and 2.2 GB exhaustively). The engine's `ValueBound` caps each customer's expected value from
 * their snapshot; the database ranks customers by that cap and actions are chosen for the best
 * `candidates` only. The answer is the exhaustive one when the last action kept is worth more
 * than the cap of every customer left out and than `selling`, the cap of a cross-sell or
 * up-sell anyone may get; otherwise null (the caller then chooses for everyone).
 */
export async function boundedQueue(
  db: Db,
  asOf: Date,
  limit: number,
  candidates = Math.max(2_000, limit * 20),
): Promise<NextAction[] | null> {
  const [settings, catalogue] = await Promise.all([nbaSettings(db), productCatalogue(db)]);
  let largestMargin = 0;
  for (const p of catalogue.values()) {
    if (p.listPriceMinor !== null && p.unitCostMinor !== null) {
      largestMargin = Math.max(largestMargin, p.listPriceMinor - p.unitCostMinor);
    }
  }
  const b = valueBound(settings, largestMargin);
  // customerValueBound (src/engine/actions/next-action.ts) in SQL
  const { rows } = await db.query<{ customer_id: string; bound: number }>(
    `SELECT s.customer_id,
       greatest(s.clv_minor / greatest(coalesce(s.p_alive, 1), 0.1)
                  * coalesce(s.churn_risk, 1 - s.p_alive, 0) * $2::float8,
                s.clv_minor * $3::float8) + 1 AS bound
     FROM score_snapshots s JOIN customers c ON c.customer_id = s.customer_id
     WHERE s.as_of = (SELECT max(as_of) FROM score_snapshots WHERE as_of <= $1::date)
       AND s.clv_minor > 0 AND c.erased_at IS NULL
     ORDER BY bound DESC, s.customer_id LIMIT $4`,
    [asOf.toISOString().slice(0, 10), b.retentionLift, b.stageLift, candidates + 1],
  );
  const outside = rows.length > candidates ? Number(rows[candidates]?.bound) : 0;
  const ids = rows.slice(0, candidates).map((r) => r.customer_id);
  const top = rankQueue(
    ids.length > 0 ? await computeActions(db, asOf, { customerIds: ids }) : [],
    limit,
  );
  const last = top[limit - 1];
  if (last === undefined) return null;
  return last.expectedValueMinor > Math.max(outside, b.selling) ? top : null;
}

/**
 * The work queue as the API's caller may see it: an agent gets the queue of their own customers
 * whatever owner they ask for (none when they have no staff id); others get the owner asked for,
 * or everyone's.
 */
export async function workQueueFor(
  db: Db,
  actor: Actor,
  q: { asOf: Date; ownerId?: string; limit?: number },
): Promise<NextAction[]> {
  const s = scopeOf(actor);
  if (s.ownOnly && s.ownerId === null) return [];
  const ownerId = s.ownOnly ? (s.ownerId as string) : q.ownerId;
  return workQueue(db, { asOf: q.asOf, ownerId, limit: q.limit });
}

/**
 * Tasks from the queue for the customers named (one click in the web app): each customer's next
 * best action as of `asOf`, recomputed here rather than taken from the caller, put in the task
 * list as `queueToTasks` does (once per customer and day). An agent may name only their own
 * customers; any other id is "not found" and nothing is written. Returns the tasks created and
 * the actions they came from.
 */
export async function queueTasksFor(
  db: Db,
  actor: Actor,
  customerIds: readonly string[],
  asOf: Date,
): Promise<{ created: number; actions: NextAction[] }> {
  const ids = [...new Set(customerIds)];
  const s = scopeOf(actor);
  const { rows } = await db.query<{ id: string }>(
    `SELECT u.id FROM unnest($1::text[]) AS u(id)
     WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = u.id AND c.erased_at IS NULL
       AND ($2::boolean = false OR c.owner_id = $3::text))
     ORDER BY u.id LIMIT 5`,
    [ids, s.ownOnly, s.ownerId],
  );
  if (rows.length > 0) {
    throw new NotFoundError(`customers do not exist: ${rows.map((r) => r.id).join(', ')}`, {
      field: 'customerIds',
      value: rows.map((r) => r.id),
    });
  }
  const actions = await computeActions(db, asOf, { customerIds: ids });
  return db.transaction(async (tx) => {
    const created = await queueToTasks(tx, actions, asOf);
    await audit(tx, actor, 'queue.tasks', null, { customers: ids, created });
    return { created, actions };
  });
}

/**
 * Puts a queue into the task list, one 'next-action' task per customer and day (source_key
 * `next-action:YYYY-MM-DD`, so running it again that day adds nothing). Returns tasks created.
 */
export async function queueToTasks(
  db: Db,
  actions: readonly NextAction[],
  asOf: Date,
): Promise<number> {
  if (actions.length === 0) return 0;
  const day = asOf.toISOString().slice(0, 10);
  const r = await db.query(
    `INSERT INTO tasks (customer_id, task_id, type, owner_id, due_at, source, source_key, title, details)
     SELECT a.customer_id, 'Q' || substr(md5(a.customer_id || '|next-action:' || $1), 1, 15),
       'next-action', a.owner_id, ($1::date)::timestamp AT TIME ZONE 'UTC', 'next-best-action',
       'next-action:' || $1, a.title, a.details
     FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[]) AS a(customer_id, owner_id, title, details)
     ON CONFLICT DO NOTHING`,
    [
      day,
      actions.map((a) => a.customerId),
      actions.map((a) => a.ownerId),
      actions.map((a) => JSON.stringify(a.title)),
      actions.map((a) =>
        JSON.stringify({
          kind: a.kind,
          channel: a.channel,
          reason: a.reason,
          expectedValueMinor: a.expectedValueMinor,
          ref: a.ref,
        }),
      ),
    ],
  );
  return r.rowCount;
}

/**
 * Everything the 360 view shows about acting on one customer: the next best action, open and
 * past tasks, and cross-sell / up-sell suggestions (from the stored rules; none when no rules
 * were mined yet). Unknown id: NotFoundError.
 */
export async function customerActionView(
  db: Db,
  customerId: string,
  asOf: Date,
): Promise<{
  nextAction: NextAction;
  tasks: Task[];
  crossSell: CrossSellSuggestion[];
  upSell: UpSellSuggestion[];
}> {
  const nextAction = await nextActionFor(db, customerId, asOf);
  const rules = ((await storedCrossSellRules(db, 'order')) ?? []) as SkuRule[];
  const catalogue = await productCatalogue(db);
  const owned = await ownedProducts(db, customerId);
  return {
    nextAction,
    tasks: await customerTasks(db, customerId),
    crossSell: crossSellSuggestions(owned, rules, catalogue, 5),
    upSell: upSellSuggestions(owned, catalogue),
  };
}
