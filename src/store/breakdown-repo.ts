/**
 * Attribute breakdowns (issue 5 part 4; seed 002's dealer example by region, model, age band and
 * industry): customers, revenue, predicted CLV, lifecycle stage mix and churn risk per value of
 * one attribute, aggregated in SQL as of a score snapshot.
 */
import { InputError } from '../errors.js';
import type { Db } from './db.js';

export const BREAKDOWN_DIMENSIONS = [
  'province',
  'city',
  'age_band',
  'gender',
  'industry',
  'channel',
  'category',
] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

/**
 * The SQL expression of each dimension over `customers c` (and `pc`, each customer's primary
 * product category: the one they spent most on). Fixed text, never from input.
 */
const DIMENSION_SQL: Record<BreakdownDimension, string> = {
  province: 'c.province',
  city: "CASE WHEN c.city IS NULL THEN NULL ELSE coalesce(c.province || ' ', '') || c.city END",
  age_band: `CASE WHEN c.birthday IS NULL THEN NULL
                  WHEN extract(year FROM age($1::date, c.birthday)) < 25 THEN '<25'
                  WHEN extract(year FROM age($1::date, c.birthday)) < 35 THEN '25-34'
                  WHEN extract(year FROM age($1::date, c.birthday)) < 45 THEN '35-44'
                  WHEN extract(year FROM age($1::date, c.birthday)) < 55 THEN '45-54'
                  WHEN extract(year FROM age($1::date, c.birthday)) < 65 THEN '55-64'
                  ELSE '65+' END`,
  gender: 'c.gender',
  industry: 'c.industry',
  channel: 'c.channel',
  category: 'pc.category',
};

const PRIMARY_CATEGORY = `LEFT JOIN (
    SELECT DISTINCT ON (l.customer_id) l.customer_id, p.category
    FROM transaction_lines l
    JOIN transactions t ON t.customer_id = l.customer_id AND t.transaction_id = l.transaction_id
    JOIN products p ON p.sku = l.sku
    WHERE t.status = 'completed' AND t.occurred_at < $4 AND p.category IS NOT NULL
    GROUP BY l.customer_id, p.category
    ORDER BY l.customer_id, sum(l.amount_minor) DESC, p.category) pc ON pc.customer_id = c.customer_id`;

export interface BreakdownRow {
  /** the attribute's value; null = not recorded */
  value: string | null;
  customers: number;
  share: number;
  /** customers with at least one purchase */
  buyers: number;
  revenueYuan: number;
  clvYuan: number;
  avgClvYuan: number | null;
  /** mean churn risk of the group's scored customers (null before the churn model has run) */
  churnRisk: number | null;
  /** customers per lifecycle stage code (the active stage model) */
  stages: Record<string, number>;
}

export interface Breakdown {
  dimension: BreakdownDimension;
  asOf: string;
  stageModel: string;
  customers: number;
  rows: BreakdownRow[];
}

/** The breakdown of the customer base by `dimension` as of snapshot `asOf`. */
export async function attributeBreakdown(
  db: Db,
  dimension: string,
  asOf: string,
): Promise<Breakdown> {
  if (!(BREAKDOWN_DIMENSIONS as readonly string[]).includes(dimension)) {
    throw new InputError(
      `breakdown dimension: expected one of ${BREAKDOWN_DIMENSIONS.join(', ')}, got "${dimension}"`,
      { field: 'by', value: dimension },
    );
  }
  const dim = dimension as BreakdownDimension;
  const { rows: m } = await db.query<{ model_id: string }>(
    'SELECT model_id FROM stage_models WHERE enabled ORDER BY is_active DESC, model_id LIMIT 1',
  );
  const model = m[0]?.model_id ?? 'relationship';
  const day = new Date(`${asOf}T00:00:00Z`);
  const end = new Date(day.getTime() + 86_400_000);
  const { rows } = await db.query<{
    value: string | null;
    stage: string | null;
    customers: number;
    buyers: number;
    revenue: number | null;
    clv: number | null;
    risk_sum: number | null;
    risk_n: number;
  }>(
    `SELECT ${DIMENSION_SQL[dim]} AS value, st.to_stage AS stage,
            count(*)::int AS customers,
            count(*) FILTER (WHERE coalesce((s.historical->>'orders')::int, 0) > 0)::int AS buyers,
            sum((s.historical->>'revenueMinor')::bigint)::bigint AS revenue,
            sum(s.clv_minor)::bigint AS clv,
            sum(s.churn_risk) AS risk_sum,
            count(s.churn_risk)::int AS risk_n
     FROM customers c
     LEFT JOIN score_snapshots s ON s.customer_id = c.customer_id AND s.as_of = $1::date
     LEFT JOIN (SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
                WHERE model_id = $3 AND changed_at <= $2
                ORDER BY customer_id, changed_at DESC) st ON st.customer_id = c.customer_id
     ${dim === 'category' ? PRIMARY_CATEGORY : ''}
     WHERE c.erased_at IS NULL
     GROUP BY 1, 2`,
    dim === 'category' ? [asOf, day, model, end] : [asOf, day, model],
  );
  const groups = new Map<string | null, BreakdownRow & { riskSum: number; riskN: number }>();
  let total = 0;
  for (const r of rows) {
    let g = groups.get(r.value);
    if (!g) {
      g = {
        value: r.value,
        customers: 0,
        share: 0,
        buyers: 0,
        revenueYuan: 0,
        clvYuan: 0,
        avgClvYuan: null,
        churnRisk: null,
        stages: {},
        riskSum: 0,
        riskN: 0,
      };
      groups.set(r.value, g);
    }
    g.customers += r.customers;
    g.buyers += r.buyers;
    g.revenueYuan += (r.revenue ?? 0) / 100;
    g.clvYuan += (r.clv ?? 0) / 100;
    g.riskSum += r.risk_sum ?? 0;
    g.riskN += r.risk_n;
    if (r.stage !== null) g.stages[r.stage] = (g.stages[r.stage] ?? 0) + r.customers;
    total += r.customers;
  }
  const out: BreakdownRow[] = [...groups.values()]
    .map(({ riskSum, riskN, ...g }) => ({
      ...g,
      share: total > 0 ? g.customers / total : 0,
      avgClvYuan: g.buyers > 0 ? g.clvYuan / g.buyers : null,
      churnRisk: riskN > 0 ? riskSum / riskN : null,
    }))
    .sort((a, b) => b.customers - a.customers || String(a.value).localeCompare(String(b.value)));
  return { dimension: dim, asOf, stageModel: model, customers: total, rows: out };
}
