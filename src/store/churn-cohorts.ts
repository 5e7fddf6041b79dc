/**
 * Churn analysis over the database (issue 6 §5): the cohort retention table, Kaplan–Meier
 * survival by segment and attribute with median lifetime, churn rate, group lifetime = 1 / churn
 * rate (seed 000) and the value lost, and the reasons seen most often before churn.
 *
 * A customer has churned at as-of when the window has passed since the last purchase without
 * another (the label the model learns); the lifetime runs from the first to the last purchase.
 */
import {
  type CohortRow,
  cohortTable,
  type GroupSurvival,
  groupSurvival,
  type LifetimeRow,
} from '../engine/index.js';
import { NotFoundError } from '../errors.js';
import { DAY_MS, dayOf, isoDay, lastTransactionDay, refreshStatistics } from './churn-features.js';
import { loadChurnSettings } from './churn-repo.js';
import type { Db } from './db.js';

export interface CohortOptions {
  /** default: the last day with an order */
  asOf?: Date;
  windowDays?: number;
}

export interface DimensionReport {
  /** what the customers are grouped by */
  dimension: string;
  groups: Omit<GroupSurvival, 'curve'>[];
}

export interface ReasonBeforeChurn {
  reason: string;
  zh: string;
  en: string;
  /** share of churned customers with it in the 90 days before their last purchase + window */
  churnedShare: number;
  /** share of retained customers with it in the 90 days + window before as-of */
  retainedShare: number;
  /** churnedShare ÷ retainedShare */
  ratio: number | null;
}

export interface CohortReport {
  asOf: string;
  windowDays: number;
  customers: number;
  churned: number;
  overall: GroupSurvival;
  dimensions: DimensionReport[];
  cohorts: CohortRow[];
  reasonsBeforeChurn: ReasonBeforeChurn[];
  /** complaint notes most often recorded before churn */
  complaintTopics: { note: string; churned: number; retained: number }[];
  ms: number;
}

interface LifeRow {
  customer_id: string;
  first_day: number;
  last_day: number;
  revenue: number;
  channel: string | null;
  gender: string | null;
  province: string | null;
  industry: string | null;
  tier: string | null;
  segment: string | null;
  complaint: boolean;
  unresolved: boolean;
  low_sat: boolean;
  refund: boolean;
  service: boolean;
}

// $1 end of the as-of day, $2 window days. For churners the "before churn" period is the 90
// days before the last purchase through the window after it; for the others, the 90 + window
// days before as-of.
const LIFE_SQL = `
  WITH p AS (
    SELECT customer_id, min(occurred_at) AS first_at, max(occurred_at) AS last_at,
           floor(extract(epoch FROM min(occurred_at)) / 86400)::int AS first_day,
           floor(extract(epoch FROM max(occurred_at)) / 86400)::int AS last_day,
           sum(amount_minor)::float8 AS revenue
    FROM transactions
    WHERE status = 'completed' AND occurred_at < $1::timestamptz
    GROUP BY 1
  ), w AS (
    SELECT p.*, CASE WHEN p.last_at < $1::timestamptz - $2::int * interval '1 day'
                     THEN p.last_at - interval '90 days'
                     ELSE $1::timestamptz - ($2::int + 90) * interval '1 day' END AS from_at,
                CASE WHEN p.last_at < $1::timestamptz - $2::int * interval '1 day'
                     THEN p.last_at + $2::int * interval '1 day'
                     ELSE $1::timestamptz END AS to_at
    FROM p
  ), snap AS (
    SELECT DISTINCT ON (customer_id) customer_id, tier, rfm_segment
    FROM score_snapshots WHERE as_of < $1::timestamptz
    ORDER BY customer_id, as_of DESC
  )
  SELECT w.customer_id, w.first_day, w.last_day, w.revenue,
         c.channel, c.gender, c.province, c.industry, snap.tier, snap.rfm_segment AS segment,
         EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = w.customer_id AND i.type = 'complaint'
                   AND i.occurred_at >= w.from_at AND i.occurred_at < w.to_at) AS complaint,
         EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = w.customer_id
                   AND i.type IN ('complaint', 'service') AND i.outcome IN ('未解决', '处理中', 'unresolved', 'pending')
                   AND i.occurred_at >= w.from_at AND i.occurred_at < w.to_at) AS unresolved,
         EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = w.customer_id AND i.satisfaction <= 2
                   AND i.occurred_at >= w.from_at AND i.occurred_at < w.to_at) AS low_sat,
         EXISTS (SELECT 1 FROM transactions t WHERE t.customer_id = w.customer_id
                   AND t.status IN ('refunded', 'cancelled')
                   AND t.occurred_at >= w.from_at AND t.occurred_at < w.to_at) AS refund,
         EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = w.customer_id AND i.type = 'service'
                   AND i.occurred_at >= w.from_at AND i.occurred_at < w.to_at) AS service
  FROM w JOIN customers c ON c.customer_id = w.customer_id AND c.erased_at IS NULL
  LEFT JOIN snap ON snap.customer_id = w.customer_id
  ORDER BY w.customer_id`;

const TOPIC_SQL = `
  WITH p AS (
    SELECT customer_id, max(occurred_at) AS last_at
    FROM transactions WHERE status = 'completed' AND occurred_at < $1::timestamptz GROUP BY 1
  )
  SELECT coalesce(i.note, '') AS note,
         count(DISTINCT i.customer_id) FILTER (WHERE p.last_at < $1::timestamptz - $2::int * interval '1 day'
             AND i.occurred_at >= p.last_at - interval '90 days'
             AND i.occurred_at < p.last_at + $2::int * interval '1 day')::int AS churned,
         count(DISTINCT i.customer_id) FILTER (WHERE p.last_at >= $1::timestamptz - $2::int * interval '1 day'
             AND i.occurred_at >= $1::timestamptz - ($2::int + 90) * interval '1 day')::int AS retained
  FROM interactions i JOIN p ON p.customer_id = i.customer_id
  WHERE i.type = 'complaint' AND i.occurred_at < $1::timestamptz
  GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`;

const COHORT_SQL = `
  WITH d AS (
    SELECT customer_id, date_trunc('month', occurred_at AT TIME ZONE 'UTC') AS m
    FROM transactions WHERE status = 'completed' AND occurred_at < $1::timestamptz
    GROUP BY 1, 2
  ), f AS (SELECT customer_id, min(m) AS c FROM d GROUP BY 1)
  SELECT to_char(f.c, 'YYYY-MM') AS cohort,
         ((extract(year FROM d.m) - extract(year FROM f.c)) * 12
           + extract(month FROM d.m) - extract(month FROM f.c))::int AS "offset",
         count(*)::int AS active
  FROM d JOIN f ON f.customer_id = d.customer_id
  GROUP BY 1, 2 ORDER BY 1, 2`;

const REASONS: { key: keyof LifeRow; zh: string; en: string }[] = [
  { key: 'complaint', zh: '投诉', en: 'complaint' },
  { key: 'unresolved', zh: '投诉或服务未解决', en: 'unresolved complaint or service request' },
  { key: 'low_sat', zh: '满意度低（≤2 分）', en: 'low satisfaction (≤ 2 of 5)' },
  { key: 'refund', zh: '退款或取消订单', en: 'refunded or cancelled order' },
  { key: 'service', zh: '服务请求', en: 'service request' },
];

const DIMENSIONS: { key: keyof LifeRow; name: string }[] = [
  { key: 'segment', name: 'rfm segment' },
  { key: 'tier', name: 'value tier' },
  { key: 'channel', name: 'acquisition channel' },
  { key: 'gender', name: 'gender' },
  { key: 'province', name: 'province' },
  { key: 'industry', name: 'industry' },
];

/** Keeps at most ~60 points of a survival curve (for charts), always the last. */
function thin<T>(curve: readonly T[]): T[] {
  if (curve.length <= 60) return [...curve];
  const step = Math.ceil(curve.length / 60);
  return curve.filter((_, i) => i % step === 0 || i === curve.length - 1);
}

/** The churn analysis as of `asOf` (default: the last day with an order). */
export async function churnCohorts(db: Db, options: CohortOptions = {}): Promise<CohortReport> {
  const started = performance.now();
  const settings = await loadChurnSettings(db);
  const windowDays = options.windowDays ?? settings.windowDays;
  await refreshStatistics(db);
  const last = await lastTransactionDay(db);
  if (last === null) throw new NotFoundError('no orders: nothing to analyse');
  const day = options.asOf ? dayOf(options.asOf) : last;
  const end = new Date((day + 1) * DAY_MS);
  const { rows } = await db.query<LifeRow>(LIFE_SQL, [end, windowDays]);
  const life: (LifetimeRow & { row: LifeRow })[] = rows.map((r) => {
    const churned = r.last_day < day + 1 - windowDays;
    const days = churned ? r.last_day - r.first_day : day - r.first_day;
    const years = Math.max(r.last_day - r.first_day + 1, 30) / 365.25;
    return { days, churned, annualRevenueMinor: r.revenue / years, row: r };
  });
  const overall = groupSurvival('all', life);
  const dimensions: DimensionReport[] = [];
  for (const d of DIMENSIONS) {
    const groups = new Map<string, LifetimeRow[]>();
    for (const l of life) {
      const v = l.row[d.key];
      if (v === null || v === undefined || v === '') continue;
      const key = String(v);
      let g = groups.get(key);
      if (!g) {
        g = [];
        groups.set(key, g);
      }
      g.push(l);
    }
    if (groups.size < 2) continue;
    const list = [...groups.entries()]
      .filter(([, g]) => g.length >= 5)
      .sort((a, b) => b[1].length - a[1].length)
      .slice(0, 12)
      .map(([k, g]) => {
        const { curve: _c, ...rest } = groupSurvival(k, g);
        return rest;
      });
    dimensions.push({ dimension: d.name, groups: list });
  }
  const churners = life.filter((l) => l.churned);
  const stayers = life.filter((l) => !l.churned);
  const share = (list: typeof life, key: keyof LifeRow) =>
    list.length ? list.filter((l) => l.row[key] === true).length / list.length : 0;
  const reasonsBeforeChurn: ReasonBeforeChurn[] = REASONS.map((r) => {
    const c = share(churners, r.key);
    const s = share(stayers, r.key);
    return {
      reason: r.key,
      zh: r.zh,
      en: r.en,
      churnedShare: c,
      retainedShare: s,
      ratio: s > 0 ? c / s : null,
    };
  }).sort((a, b) => b.churnedShare - a.churnedShare);
  const topics = await db.query<{ note: string; churned: number; retained: number }>(TOPIC_SQL, [
    end,
    windowDays,
  ]);
  const cells = await db.query<{ cohort: string; offset: number; active: number }>(COHORT_SQL, [
    end,
  ]);
  const sizes = new Map<string, number>();
  for (const c of cells.rows) if (c.offset === 0) sizes.set(c.cohort, c.active);
  return {
    asOf: isoDay(day),
    windowDays,
    customers: life.length,
    churned: churners.length,
    overall: { ...overall, curve: thin(overall.curve) },
    dimensions,
    cohorts: cohortTable(cells.rows, sizes, isoDay(day).slice(0, 7)),
    reasonsBeforeChurn,
    complaintTopics: topics.rows,
    ms: performance.now() - started,
  };
}
