/**
 * Dashboard aggregates (issue 7 §4, SPEC §1 "Manager"): KPIs, stage mix over time, value tiers,
 * the Pareto curve, acquisition cohorts, the at-risk list and breakdowns by region, age band,
 * industry, gender and channel — each one GROUP BY in the database over the latest analysis's
 * score snapshot (the as-of date of the newest model fit, else the newest snapshot).
 */
import { type Actor, maskName, scopeOf } from './access.js';
import type { Db } from './db.js';

export interface Dashboard {
  asOf: string | null;
  kpis: {
    customers: number;
    buyers: number;
    orders: number;
    revenueMinor: number;
    revenueLast365Minor: number;
    aovMinor: number;
    totalClvMinor: number;
    expectedActive: number;
  };
  stageMix: { model: string; dates: { date: string; stages: Record<string, number> }[] };
  tiers: { tier: string; customers: number; clvMinor: number; revenueMinor: number }[];
  pareto: { customerShare: number; revenueShare: number; clvShare: number }[];
  cohorts: { cohort: string; size: number; active: number[] }[];
  atRisk: {
    customerId: string;
    name: string | null;
    stage: string | null;
    clvMinor: number | null;
    pAlive: number | null;
    churnRisk: number | null;
    warningLevel: string | null;
  }[];
  breakdowns: Record<
    'region' | 'ageBand' | 'industry' | 'gender' | 'channel',
    { key: string; customers: number; revenueMinor: number; clvMinor: number }[]
  >;
  /** predicted CLV distribution: log-spaced 1-2-5 bins in fen, [fromMinor, toMinor) */
  clvHistogram: { fromMinor: number; toMinor: number; customers: number }[];
}

async function latestAsOf(db: Db): Promise<string | null> {
  const { rows } = await db.query<{ d: string | null }>(
    `SELECT coalesce((SELECT max(as_of) FROM model_fits), (SELECT max(as_of) FROM score_snapshots)) AS d`,
  );
  return rows[0]?.d ?? null;
}

/**
 * How many customers of the snapshot at `asOf` have a predicted CLV in each bin. CLV spans
 * several orders of magnitude (a few heavy buyers, a long tail), so the bins are log-spaced on
 * the 1-2-5 series (three steps per decade, as on a chart axis):
 * [¥1, ¥2), [¥2, ¥5), [¥5, ¥10), [¥10, ¥20) … in fen. Everything under ¥1 (zero and negative
 * CLV included) is the first bin [0, 100). Customers without a CLV are left out. The bin is
 * found with integer arithmetic — the number of digits and the leading digit — so an edge such
 * as 1000 never falls into the bin below through floating-point rounding. Empty bins between the
 * smallest and the largest are returned with 0. An agent counts their own customers only.
 */
export async function clvHistogram(
  db: Db,
  actor: Actor,
  asOf: string | null,
): Promise<Dashboard['clvHistogram']> {
  const scope = scopeOf(actor);
  const { rows } = await db.query<{ bin: number; n: number }>(
    `WITH v AS (
       SELECT greatest(s.clv_minor, 0)::bigint AS x
       FROM score_snapshots s JOIN customers c ON c.customer_id = s.customer_id AND c.erased_at IS NULL
         AND ($2::boolean = false OR c.owner_id = $3::text)
       WHERE s.as_of = $1 AND s.clv_minor IS NOT NULL)
     SELECT CASE WHEN x < 100 THEN -1
                 ELSE 3 * (length(x::text) - 3)
                      + CASE WHEN left(x::text, 1)::int < 2 THEN 0
                             WHEN left(x::text, 1)::int < 5 THEN 1 ELSE 2 END
            END AS bin,
            count(*)::int AS n
     FROM v GROUP BY 1 ORDER BY 1`,
    [asOf, scope.ownOnly, scope.ownerId],
  );
  if (rows.length === 0) return [];
  // bin b ≥ 0 starts at {1, 2, 5}[b mod 3] · 10^(⌊b/3⌋ + 2) fen
  const edge = (b: number): number =>
    b < 0 ? 0 : [1, 2, 5][b % 3] * 10 ** (Math.floor(b / 3) + 2);
  const counts = new Map(rows.map((r) => [r.bin, r.n]));
  const out: Dashboard['clvHistogram'] = [];
  for (let b = rows[0].bin; b <= rows[rows.length - 1].bin; b++) {
    out.push({ fromMinor: edge(b), toMinor: edge(b + 1), customers: counts.get(b) ?? 0 });
  }
  return out;
}

export async function dashboard(db: Db, actor: Actor, model = 'relationship'): Promise<Dashboard> {
  const scope = scopeOf(actor);
  const asOf = await latestAsOf(db);
  const kpi = await db.query<{
    customers: number;
    buyers: number;
    orders: number;
    revenue: number;
    revenue365: number;
  }>(
    `SELECT (SELECT count(*)::int FROM customers WHERE erased_at IS NULL) AS customers,
            count(DISTINCT customer_id)::int AS buyers, count(*)::int AS orders,
            coalesce(sum(amount_minor), 0)::bigint AS revenue,
            coalesce(sum(amount_minor) FILTER (WHERE occurred_at >= coalesce($1::date, now()) - interval '365 days'), 0)::bigint AS revenue365
     FROM transactions WHERE status = 'completed'`,
    [asOf],
  );
  const snap = await db.query<{ clv: number; active: number }>(
    `SELECT coalesce(sum(clv_minor), 0)::bigint AS clv, coalesce(sum(p_alive), 0)::float8 AS active
     FROM score_snapshots WHERE as_of = $1`,
    [asOf],
  );
  const k = kpi.rows[0];
  // Stage mix at each of the last 12 history dates.
  const dates = await db.query<{ d: Date }>(
    `SELECT DISTINCT changed_at AS d FROM stage_history WHERE model_id = $1 ORDER BY d DESC LIMIT 12`,
    [model],
  );
  const mix: Dashboard['stageMix']['dates'] = [];
  for (const { d } of [...dates.rows].reverse()) {
    const { rows } = await db.query<{ stage: string; n: number }>(
      `SELECT to_stage AS stage, count(*)::int AS n
       FROM (SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
             WHERE model_id = $1 AND changed_at <= $2 ORDER BY customer_id, changed_at DESC) x
       GROUP BY to_stage`,
      [model, d],
    );
    mix.push({
      date: d.toISOString().slice(0, 10),
      stages: Object.fromEntries(rows.map((r) => [r.stage, r.n])),
    });
  }
  const tiers = await db.query<Dashboard['tiers'][number]>(
    `SELECT coalesce(tier, 'unassigned') AS tier, count(*)::int AS customers,
            coalesce(sum(clv_minor), 0)::bigint AS "clvMinor",
            coalesce(sum((historical->>'revenueMinor')::bigint), 0)::bigint AS "revenueMinor"
     FROM score_snapshots WHERE as_of = $1 GROUP BY 1 ORDER BY 3 DESC`,
    [asOf],
  );
  // Pareto (seed 002): customers ranked by revenue, cumulative shares at each 5 %.
  const pareto = await db.query<{ bucket: number; rev: number; clv: number }>(
    `SELECT bucket, sum(rev)::float8 AS rev, sum(clv)::float8 AS clv FROM (
       SELECT ntile(20) OVER (ORDER BY coalesce((historical->>'revenueMinor')::bigint, 0) DESC, customer_id) AS bucket,
              coalesce((historical->>'revenueMinor')::bigint, 0) AS rev, coalesce(clv_minor, 0) AS clv
       FROM score_snapshots WHERE as_of = $1) x GROUP BY bucket ORDER BY bucket`,
    [asOf],
  );
  const totalRev = pareto.rows.reduce((s, r) => s + r.rev, 0) || 1;
  const totalClv = pareto.rows.reduce((s, r) => s + r.clv, 0) || 1;
  let cumRev = 0;
  let cumClv = 0;
  const paretoPoints = pareto.rows.map((r) => {
    cumRev += r.rev;
    cumClv += r.clv;
    return {
      customerShare: r.bucket / pareto.rows.length,
      revenueShare: cumRev / totalRev,
      clvShare: cumClv / totalClv,
    };
  });
  // Cohorts by month of first purchase (last 12), customers buying in each following month.
  const cohorts = await db.query<{ cohort: Date; offset: number; n: number }>(
    `WITH firsts AS (
       SELECT customer_id, date_trunc('month', min(occurred_at) AT TIME ZONE 'UTC') AS cohort
       FROM transactions WHERE status = 'completed' GROUP BY customer_id),
     recent AS (SELECT * FROM firsts WHERE cohort >= (SELECT max(cohort) FROM firsts) - interval '11 months'),
     months AS (
       SELECT DISTINCT t.customer_id, date_trunc('month', t.occurred_at AT TIME ZONE 'UTC') AS m
       FROM transactions t JOIN recent r USING (customer_id) WHERE t.status = 'completed')
     SELECT r.cohort, ((extract(year FROM m.m) - extract(year FROM r.cohort)) * 12
                       + extract(month FROM m.m) - extract(month FROM r.cohort))::int AS "offset",
            count(*)::int AS n
     FROM recent r JOIN months m USING (customer_id) GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const byCohort = new Map<string, number[]>();
  for (const r of cohorts.rows) {
    const key = new Date(r.cohort).toISOString().slice(0, 7);
    const list = byCohort.get(key) ?? [];
    list[r.offset] = r.n;
    byCohort.set(key, list);
  }
  const atRisk = await db.query<Dashboard['atRisk'][number]>(
    `SELECT s.customer_id AS "customerId", c.name, st.to_stage AS stage, s.clv_minor AS "clvMinor",
            s.p_alive AS "pAlive", s.churn_risk AS "churnRisk", s.warning_level AS "warningLevel"
     FROM score_snapshots s JOIN customers c ON c.customer_id = s.customer_id AND c.erased_at IS NULL
       AND ($3::boolean = false OR c.owner_id = $4::text)
     LEFT JOIN LATERAL (SELECT to_stage FROM stage_history h WHERE h.customer_id = s.customer_id
                        AND h.model_id = $2 ORDER BY changed_at DESC LIMIT 1) st ON true
     WHERE s.as_of = $1 AND s.p_alive IS NOT NULL
     ORDER BY coalesce(s.churn_risk, 1 - s.p_alive) * greatest(coalesce(s.clv_minor, 0), 1) DESC
     LIMIT 20`,
    [asOf, model, scope.ownOnly, scope.ownerId],
  );
  const breakdown = async (expr: string) => {
    const { rows } = await db.query<{
      key: string;
      customers: number;
      revenueMinor: number;
      clvMinor: number;
    }>(
      `SELECT coalesce(${expr}, 'unknown') AS key, count(*)::int AS customers,
              coalesce(sum((s.historical->>'revenueMinor')::bigint), 0)::bigint AS "revenueMinor",
              coalesce(sum(s.clv_minor), 0)::bigint AS "clvMinor"
       FROM customers c LEFT JOIN score_snapshots s ON s.customer_id = c.customer_id AND s.as_of = $1
       WHERE c.erased_at IS NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 40`,
      [asOf],
    );
    return rows;
  };
  const ageBand = `CASE WHEN c.birthday IS NULL THEN NULL
      WHEN date_part('year', age(coalesce($1::date, current_date), c.birthday)) < 25 THEN '<25'
      WHEN date_part('year', age(coalesce($1::date, current_date), c.birthday)) < 35 THEN '25-34'
      WHEN date_part('year', age(coalesce($1::date, current_date), c.birthday)) < 45 THEN '35-44'
      WHEN date_part('year', age(coalesce($1::date, current_date), c.birthday)) < 55 THEN '45-54'
      ELSE '55+' END`;
  return {
    asOf,
    kpis: {
      customers: k.customers,
      buyers: k.buyers,
      orders: k.orders,
      revenueMinor: k.revenue,
      revenueLast365Minor: k.revenue365,
      aovMinor: k.orders > 0 ? Math.round(k.revenue / k.orders) : 0,
      totalClvMinor: snap.rows[0].clv,
      expectedActive: Math.round(snap.rows[0].active),
    },
    stageMix: { model, dates: mix },
    tiers: tiers.rows,
    pareto: paretoPoints,
    cohorts: [...byCohort].map(([cohort, list]) => ({
      cohort,
      size: list[0] ?? 0,
      active: Array.from({ length: list.length }, (_, i) => list[i] ?? 0),
    })),
    atRisk: atRisk.rows.map((r) => ({
      ...r,
      name: r.name === null ? null : scope.mask ? maskName(r.name) : r.name,
    })),
    breakdowns: {
      region: await breakdown('c.province'),
      ageBand: await breakdown(ageBand),
      industry: await breakdown('c.industry'),
      gender: await breakdown('c.gender'),
      channel: await breakdown('c.channel'),
    },
    clvHistogram: await clvHistogram(db, actor, asOf),
  };
}
