/**
 * What the churn model knows about each customer at an as-of date (issue 6 §1), computed in the
 * database from rows strictly before the end of the as-of day — nothing that happened later can
 * reach a feature (tested: changing any later transaction changes no feature) — and the label,
 * read from what happened in the window after it.
 *
 * The value engine's P(alive) and expected purchases in the window come from a BG/NBD model
 * fitted on the same rows at the same as-of date (Fader, Hardie & Lee 2005), so an earlier as-of
 * gets the P(alive) it would have had then.
 */
import {
  type BgNbdParams,
  type ChurnFacts,
  compressRfm,
  expectedPurchasesAhead,
  fitBgNbd,
  type PurchaseModel,
  probabilityAlive,
} from '../engine/index.js';
import type { Db } from './db.js';

export const DAY_MS = 86_400_000;

/** Outcomes of a complaint or service request that is not resolved (demo and common exports). */
const UNRESOLVED = ['未解决', '处理中', '待处理', 'unresolved', 'open', 'pending', 'in progress'];

interface FactRow {
  customer_id: string;
  purchase_days: number;
  first_day: number;
  last_day: number;
  revenue: number;
  orders: number;
  p90: number;
  pprev: number;
  s90: number;
  sprev: number;
  refunds: number | null;
  c30: number | null;
  c90: number | null;
  unresolved: number | null;
  sat: number | null;
  last_contact_day: number | null;
  sub_active: boolean | null;
  sub_months: number | null;
  plans: number | null;
}

// $1 end of the as-of day (exclusive instant), $2 the UTC day number of that end, $3 customer ids or null,
// $4 the outcomes that mean unresolved.
const FACTS_SQL = `
  WITH days AS (
    SELECT customer_id, floor(extract(epoch FROM occurred_at) / 86400)::int AS d,
           sum(amount_minor) AS amt, count(*) AS orders
    FROM transactions
    WHERE status = 'completed' AND occurred_at < $1::timestamptz
      AND ($3::text[] IS NULL OR customer_id = ANY($3::text[]))
    GROUP BY 1, 2
  ), p AS (
    SELECT customer_id, count(*)::int AS purchase_days, min(d)::int AS first_day,
           max(d)::int AS last_day, sum(amt)::float8 AS revenue, sum(orders)::int AS orders,
           count(*) FILTER (WHERE d >= $2::int - 90)::int AS p90,
           count(*) FILTER (WHERE d < $2::int - 90 AND d >= $2::int - 180)::int AS pprev,
           coalesce(sum(amt) FILTER (WHERE d >= $2::int - 90), 0)::float8 AS s90,
           coalesce(sum(amt) FILTER (WHERE d < $2::int - 90 AND d >= $2::int - 180), 0)::float8 AS sprev
    FROM days GROUP BY 1
  ), r AS (
    SELECT customer_id, count(*)::int AS refunds
    FROM transactions
    WHERE status IN ('refunded', 'cancelled') AND occurred_at < $1::timestamptz
      AND occurred_at >= $1::timestamptz - interval '180 days'
      AND ($3::text[] IS NULL OR customer_id = ANY($3::text[]))
    GROUP BY 1
  ), i AS (
    SELECT customer_id,
           count(*) FILTER (WHERE type = 'complaint'
                              AND occurred_at >= $1::timestamptz - interval '30 days')::int AS c30,
           count(*) FILTER (WHERE type = 'complaint'
                              AND occurred_at >= $1::timestamptz - interval '90 days')::int AS c90,
           count(*) FILTER (WHERE type IN ('complaint', 'service')
                              AND occurred_at >= $1::timestamptz - interval '180 days'
                              AND lower(outcome) = ANY($4::text[]))::int AS unresolved,
           (avg(satisfaction) FILTER (WHERE occurred_at >= $1::timestamptz - interval '365 days'))::float8 AS sat,
           floor(extract(epoch FROM max(occurred_at)) / 86400)::int AS last_contact_day
    FROM interactions
    WHERE occurred_at < $1::timestamptz AND ($3::text[] IS NULL OR customer_id = ANY($3::text[]))
    GROUP BY 1
  ), s AS (
    SELECT customer_id, bool_or(ended_at IS NULL OR ended_at >= $1::timestamptz) AS sub_active,
           (sum(extract(epoch FROM least(coalesce(ended_at, $1::timestamptz), $1::timestamptz) - started_at))
              / (86400 * 30.4375))::float8 AS sub_months,
           count(*)::int AS plans
    FROM subscriptions
    WHERE started_at < $1::timestamptz AND ($3::text[] IS NULL OR customer_id = ANY($3::text[]))
    GROUP BY 1
  )
  SELECT p.customer_id, p.purchase_days, p.first_day, p.last_day, p.revenue, p.orders,
         p.p90, p.pprev, p.s90, p.sprev, r.refunds, i.c30, i.c90, i.unresolved, i.sat,
         i.last_contact_day, s.sub_active, s.sub_months, s.plans
  FROM p
  JOIN customers c ON c.customer_id = p.customer_id AND c.erased_at IS NULL
  LEFT JOIN r ON r.customer_id = p.customer_id
  LEFT JOIN i ON i.customer_id = p.customer_id
  LEFT JOIN s ON s.customer_id = p.customer_id
  ORDER BY p.customer_id`;

/** The customers with a purchase by the as-of date, their facts, and the RFM the value model reads. */
export interface FactsAtAsOf {
  /** the as-of date, YYYY-MM-DD (its whole day counts) */
  asOf: string;
  /** the UTC day number of the as-of date */
  day: number;
  customerIds: string[];
  facts: ChurnFacts[];
  /** BG/NBD inputs in weeks: repeat purchase days, first to last, first to as-of */
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  firstDay: Int32Array;
  lastDay: Int32Array;
  revenueMinor: Float64Array;
  /** the value model used for P(alive) and expected purchases; null when it could not be fitted */
  valueModel: PurchaseModel | null;
  /** where P(alive) came from: our BG/NBD fit, the score snapshot of the date, or nowhere (1 assumed) */
  pAliveSource: 'bg-nbd' | 'snapshot' | 'none';
  notes: string[];
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function dayOf(d: Date): number {
  return Math.floor(d.getTime() / DAY_MS);
}

/**
 * Computes the facts of every customer (or of `customerIds`) at the end of day `day`. The value
 * model is fitted on these customers unless `valueModel` is given (incremental scoring with the
 * stored model). `windowDays` is the horizon of the expected purchases.
 */
export async function loadChurnFacts(
  db: Db,
  day: number,
  windowDays: number,
  options: { customerIds?: readonly string[]; valueModel?: PurchaseModel | null } = {},
): Promise<FactsAtAsOf> {
  const end = new Date((day + 1) * DAY_MS);
  const { rows } = await db.query<FactRow>(FACTS_SQL, [
    end,
    day + 1,
    options.customerIds ? [...options.customerIds] : null,
    UNRESOLVED,
  ]);
  const n = rows.length;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const firstDay = new Int32Array(n);
  const lastDay = new Int32Array(n);
  const revenueMinor = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    x[i] = r.purchase_days - 1;
    tx[i] = (r.last_day - r.first_day) / 7;
    T[i] = (day - r.first_day) / 7;
    firstDay[i] = r.first_day;
    lastDay[i] = r.last_day;
    revenueMinor[i] = r.revenue;
  }
  const notes: string[] = [];
  let valueModel = options.valueModel === undefined ? null : options.valueModel;
  if (options.valueModel === undefined) {
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (T[i] > 0) keep.push(i);
    if (keep.length >= 20) {
      const rfm = compressRfm(
        Float64Array.from(keep, (i) => x[i]),
        Float64Array.from(keep, (i) => tx[i]),
        Float64Array.from(keep, (i) => T[i]),
      ).rows;
      const fit = fitBgNbd(rfm);
      if (fit.converged) valueModel = { kind: 'bg-nbd', params: fit.params as BgNbdParams };
      else notes.push(`BG/NBD at ${isoDay(day)} did not converge (${fit.reason})`);
    } else {
      notes.push(`only ${keep.length} customers to fit BG/NBD on at ${isoDay(day)}`);
    }
  }
  // Without a BG/NBD fit of our own, the snapshot of the same date (the value analysis's chosen
  // model) gives P(alive); its expected purchases over its horizon are scaled to the window.
  let snapshot: Map<string, { p: number | null; e: number | null; h: number | null }> | null = null;
  let pAliveSource: FactsAtAsOf['pAliveSource'] = valueModel ? 'bg-nbd' : 'none';
  if (!valueModel && n > 0) {
    const snap = await db.query<{
      customer_id: string;
      p: number | null;
      e: number | null;
      h: number | null;
    }>(
      `SELECT customer_id, p_alive AS p, expected_purchases AS e, horizon_days AS h
       FROM score_snapshots WHERE as_of = $1::date AND p_alive IS NOT NULL
         AND ($2::text[] IS NULL OR customer_id = ANY($2::text[]))`,
      [isoDay(day), options.customerIds ? [...options.customerIds] : null],
    );
    if (snap.rows.length > 0) {
      snapshot = new Map(snap.rows.map((r) => [r.customer_id, r]));
      pAliveSource = 'snapshot';
      notes.push(`P(alive) at ${isoDay(day)} is the score snapshot's (the value analysis's model)`);
    } else {
      notes.push(`no P(alive) at ${isoDay(day)}: the value model could not be fitted`);
    }
  }
  const halfDay = 0.5 / 7;
  const facts: ChurnFacts[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const Ti = T[i] > 0 ? T[i] : halfDay;
    let pAlive = 1;
    let expected = 0;
    const fromSnapshot = snapshot?.get(r.customer_id);
    if (fromSnapshot && fromSnapshot.p !== null) {
      pAlive = fromSnapshot.p;
      expected = ((fromSnapshot.e ?? 0) * windowDays) / Math.max(1, fromSnapshot.h ?? 365);
    } else if (valueModel) {
      try {
        pAlive = probabilityAlive(valueModel, x[i], tx[i], Ti);
        expected = expectedPurchasesAhead(valueModel, windowDays / 7, x[i], tx[i], Ti);
      } catch {
        pAlive = Number.NaN;
      }
    }
    if (!Number.isFinite(pAlive)) pAlive = 1;
    if (!Number.isFinite(expected)) expected = 0;
    facts[i] = {
      purchaseDays: r.purchase_days,
      recencyDays: day - r.last_day,
      meanGapDays: r.purchase_days > 1 ? (r.last_day - r.first_day) / (r.purchase_days - 1) : null,
      tenureDays: day - r.first_day,
      purchases90: r.p90,
      purchasesPrev90: r.pprev,
      spend90Minor: r.s90,
      spendPrev90Minor: r.sprev,
      aovMinor: r.orders > 0 ? r.revenue / r.orders : 0,
      refunds180: r.refunds ?? 0,
      complaints30: r.c30 ?? 0,
      complaints90: r.c90 ?? 0,
      unresolved: r.unresolved ?? 0,
      satisfaction: r.sat,
      daysSinceContact: r.last_contact_day === null ? null : day - r.last_contact_day,
      subscriptionActive: r.sub_active === true,
      subscriptionMonths: r.sub_months ?? 0,
      planChanges: Math.max(0, (r.plans ?? 0) - 1),
      pAlive,
      expectedPurchases: expected,
    };
  }
  return {
    asOf: isoDay(day),
    day,
    customerIds: rows.map((r) => r.customer_id),
    facts,
    x,
    tx,
    T,
    firstDay,
    lastDay,
    revenueMinor,
    valueModel,
    pAliveSource,
    notes,
  };
}

// $1 end of the as-of day, $2 end of the window (exclusive), $3 customer ids.
const LABEL_SQL = `
  SELECT c.id AS customer_id,
         CASE WHEN EXISTS (SELECT 1 FROM subscriptions s
                           WHERE s.customer_id = c.id AND s.started_at < $1::timestamptz
                             AND (s.ended_at IS NULL OR s.ended_at >= $1::timestamptz))
              THEN NOT EXISTS (SELECT 1 FROM subscriptions s
                               WHERE s.customer_id = c.id AND s.started_at < $2::timestamptz
                                 AND (s.ended_at IS NULL OR s.ended_at >= $2::timestamptz))
              ELSE NOT EXISTS (SELECT 1 FROM transactions t
                               WHERE t.customer_id = c.id AND t.status = 'completed'
                                 AND t.occurred_at >= $1::timestamptz
                                 AND t.occurred_at < $2::timestamptz)
         END AS churned
  FROM unnest($3::text[]) AS c(id)`;

/**
 * The label of each customer for the window after the as-of day: 1 = churned (no completed
 * purchase in the window; for a customer with an active subscription at as-of, no active
 * subscription at the window's end), 0 = retained. In `customerIds` order.
 */
export async function loadChurnLabels(
  db: Db,
  day: number,
  windowDays: number,
  customerIds: readonly string[],
): Promise<Uint8Array> {
  const end = new Date((day + 1) * DAY_MS);
  const windowEnd = new Date((day + 1 + windowDays) * DAY_MS);
  const out = new Uint8Array(customerIds.length);
  const index = new Map(customerIds.map((id, i) => [id, i]));
  for (let i = 0; i < customerIds.length; i += 50_000) {
    const ids = customerIds.slice(i, i + 50_000);
    const { rows } = await db.query<{ customer_id: string; churned: boolean }>(LABEL_SQL, [
      end,
      windowEnd,
      ids,
    ]);
    for (const r of rows) out[index.get(r.customer_id) as number] = r.churned ? 1 : 0;
  }
  return out;
}

/** The last day with any completed order, or null for an empty database. */
export async function lastTransactionDay(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ d: number | null }>(
    `SELECT floor(extract(epoch FROM max(occurred_at)) / 86400)::int AS d
     FROM transactions WHERE status = 'completed'`,
  );
  return rows[0]?.d ?? null;
}

/** The first day with a completed order, or null. */
export async function firstTransactionDay(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ d: number | null }>(
    `SELECT floor(extract(epoch FROM min(occurred_at)) / 86400)::int AS d
     FROM transactions WHERE status = 'completed'`,
  );
  return rows[0]?.d ?? null;
}

const ANALYSED_TABLES = [
  'customers',
  'transactions',
  'interactions',
  'subscriptions',
  'score_snapshots',
];

/**
 * Refreshes the planner's statistics of the tables the churn queries read when they are missing
 * or stale (never analysed, or a tenth of the rows changed since). Right after a bulk load the
 * planner believes the tables hold a handful of rows and joins the per-customer aggregates by
 * nested loops: 14.5 s instead of 0.1 s for 2,000 customers (EXPLAIN ANALYZE, PGlite), and
 * quadratic beyond. The embedded database has no autovacuum to do it.
 */
export async function refreshStatistics(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ relname: string }>(
    `SELECT relname FROM pg_stat_user_tables
     WHERE relname = ANY($1::text[])
       AND ((last_analyze IS NULL AND last_autoanalyze IS NULL)
            OR n_mod_since_analyze > 0.1 * greatest(n_live_tup, 1000))
     ORDER BY relname`,
    [ANALYSED_TABLES],
  );
  for (const r of rows) {
    // identifiers cannot be parameters; these come from the fixed list above
    if (ANALYSED_TABLES.includes(r.relname)) await db.query(`ANALYZE ${r.relname}`);
  }
  return rows.map((r) => r.relname);
}
