/**
 * Per-customer summaries computed inside the database (SPEC §9: the heavy per-customer
 * aggregation is a GROUP BY pushed down as SQL) and streamed out in customer order.
 *
 * Definitions are those of the engine's streaming accumulator (`createSummaryAccumulator`,
 * Fader, Hardie & Lee 2005), so the database path and the CSV path give identical numbers:
 * completed orders are grouped per UTC calendar day (several orders on one day are one purchase
 * occasion, their amounts summed); x = purchase days in calibration after the first; tx = last
 * minus first purchase day; T = calibration end day minus first purchase day (in the unit);
 * mean repeat spend = mean amount of the repeat days (first day excluded), 0 when x = 0.
 */
import type { TimeUnit } from '../engine/index.js';
import type { Db } from './db.js';

const MS_PER_DAY = 86_400_000;

export interface SummaryQuery {
  /** last calendar day (UTC) of the calibration period, inclusive */
  calibrationEnd: Date;
  /** last calendar day (UTC) of the holdout period, inclusive; none when absent */
  holdoutEnd?: Date;
  unit: TimeUnit;
}

export interface SummaryRow {
  customer_id: string;
  x: number;
  tx: number;
  T: number;
  /** minor units */
  mean_repeat_spend: number;
  holdout_purchases: number;
  /** minor units */
  holdout_spend: number;
  /** calibration revenue, minor units */
  revenue: number;
  /** revenue minus cost when every order in calibration has a cost, else null */
  margin: number | null;
  orders: number;
  /** UTC day numbers (days since 1970-01-01) */
  first_day: number;
  last_day: number;
}

function dayNumber(d: Date): number {
  return Math.floor(d.getTime() / MS_PER_DAY);
}

const SUMMARY_SQL = `
  WITH days AS (
    SELECT customer_id,
           floor(extract(epoch FROM occurred_at) / 86400)::int AS d,
           sum(amount_minor) AS amt,
           sum(cost_minor) AS cost,
           count(cost_minor) AS costed,
           count(*) AS orders
    FROM transactions
    WHERE status = 'completed' AND occurred_at < to_timestamp(($2::int + 1) * 86400.0)
    GROUP BY 1, 2
  )
  SELECT customer_id,
         (count(*) FILTER (WHERE d <= $1) - 1)::int AS x,
         ((max(d) FILTER (WHERE d <= $1)) - (min(d) FILTER (WHERE d <= $1)))::float8 / $3 AS tx,
         ($1::int - (min(d) FILTER (WHERE d <= $1)))::float8 / $3 AS "T",
         CASE WHEN count(*) FILTER (WHERE d <= $1) > 1
              THEN ((sum(amt) FILTER (WHERE d <= $1))
                    - (array_agg(amt ORDER BY d) FILTER (WHERE d <= $1))[1])::float8
                   / (count(*) FILTER (WHERE d <= $1) - 1)
              ELSE 0 END AS mean_repeat_spend,
         (count(*) FILTER (WHERE d > $1))::int AS holdout_purchases,
         coalesce(sum(amt) FILTER (WHERE d > $1), 0)::bigint AS holdout_spend,
         (sum(amt) FILTER (WHERE d <= $1))::bigint AS revenue,
         CASE WHEN sum(costed) FILTER (WHERE d <= $1) = sum(orders) FILTER (WHERE d <= $1)
              THEN ((sum(amt) FILTER (WHERE d <= $1)) - (sum(cost) FILTER (WHERE d <= $1)))::bigint
              END AS margin,
         (sum(orders) FILTER (WHERE d <= $1))::int AS orders,
         (min(d) FILTER (WHERE d <= $1))::int AS first_day,
         (max(d) FILTER (WHERE d <= $1))::int AS last_day
  FROM days
  GROUP BY customer_id
  HAVING count(*) FILTER (WHERE d <= $1) > 0
  ORDER BY customer_id`;

/**
 * Streams the summary of every customer with a completed order by the calibration end, in
 * customer id order, in batches (one GROUP BY in the database; flat memory here).
 */
export function streamSummaries(
  db: Db,
  query: SummaryQuery,
  batchSize = 20_000,
): AsyncIterable<SummaryRow[]> {
  const cal = dayNumber(query.calibrationEnd);
  const hold = query.holdoutEnd ? dayNumber(query.holdoutEnd) : cal;
  if (hold < cal) throw new RangeError('holdoutEnd must not be before calibrationEnd');
  const unitDays = query.unit === 'week' ? 7 : 1;
  return db.stream<SummaryRow>(SUMMARY_SQL, [cal, hold, unitDays], batchSize);
}

/** Columnar summaries for the whole base (the engine's array form). */
export interface SummaryColumns {
  unit: TimeUnit;
  customerIds: string[];
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  meanRepeatSpendMinor: Float64Array;
  holdoutPurchases: Float64Array;
  holdoutSpendMinor: Float64Array;
  revenueMinor: Float64Array;
  /** NaN where cost is not known for every order */
  marginMinor: Float64Array;
  orders: Float64Array;
  firstDay: Int32Array;
  lastDay: Int32Array;
}

/** Reads every summary into columns; `onBatch` reports progress. */
export async function loadSummaries(
  db: Db,
  query: SummaryQuery,
  onBatch?: (customers: number) => void,
): Promise<SummaryColumns> {
  const ids: string[] = [];
  const cols = {
    x: [] as number[],
    tx: [] as number[],
    T: [] as number[],
    z: [] as number[],
    hp: [] as number[],
    hs: [] as number[],
    rev: [] as number[],
    mar: [] as number[],
    ord: [] as number[],
    fd: [] as number[],
    ld: [] as number[],
  };
  for await (const batch of streamSummaries(db, query)) {
    for (const r of batch) {
      ids.push(r.customer_id);
      cols.x.push(r.x);
      cols.tx.push(r.tx);
      cols.T.push(r.T);
      cols.z.push(r.mean_repeat_spend);
      cols.hp.push(r.holdout_purchases);
      cols.hs.push(r.holdout_spend);
      cols.rev.push(r.revenue);
      cols.mar.push(r.margin ?? Number.NaN);
      cols.ord.push(r.orders);
      cols.fd.push(r.first_day);
      cols.ld.push(r.last_day);
    }
    onBatch?.(ids.length);
  }
  return {
    unit: query.unit,
    customerIds: ids,
    x: Float64Array.from(cols.x),
    tx: Float64Array.from(cols.tx),
    T: Float64Array.from(cols.T),
    meanRepeatSpendMinor: Float64Array.from(cols.z),
    holdoutPurchases: Float64Array.from(cols.hp),
    holdoutSpendMinor: Float64Array.from(cols.hs),
    revenueMinor: Float64Array.from(cols.rev),
    marginMinor: Float64Array.from(cols.mar),
    orders: Float64Array.from(cols.ord),
    firstDay: Int32Array.from(cols.fd),
    lastDay: Int32Array.from(cols.ld),
  };
}

/** The first and last completed order in the database, or null when there is none. */
export async function transactionSpan(db: Db): Promise<{ first: Date; last: Date } | null> {
  const { rows } = await db.query<{ first: Date | null; last: Date | null }>(
    `SELECT min(occurred_at) AS first, max(occurred_at) AS last FROM transactions WHERE status = 'completed'`,
  );
  const r = rows[0];
  return r?.first && r.last ? { first: r.first, last: r.last } : null;
}
