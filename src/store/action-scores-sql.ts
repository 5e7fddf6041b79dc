/**
 * SQL shared by the acting side (scheduler, next best action, campaigns): each customer's latest
 * score snapshot at or before a date, with a value tier. The tier is the snapshot's own when the
 * segmentation has set it; otherwise the customer pyramid's default cut (Zeithaml, Rust & Lemon
 * 2001; src/engine/segments/tiers.ts): top 1 % of predicted CLV platinum, next 4 % gold, next
 * 15 % iron, the rest lead (cume_dist over CLV, descending; customers without a CLV get none).
 */

/**
 * A CTE named `scores` over the snapshot in force on the date parameter `dateParam`: every
 * customer's, or only those `customersSql` (a query of customer ids, e.g. one owner's) selects.
 * The pyramid's default cut ranks the whole day's snapshot either way, so for a subset it comes
 * from `pyramidCutsSql` — computed only when a row lacks a stored tier (an uncorrelated scalar
 * subquery runs on first use) — instead of a window over every customer's row.
 */
export function scoresCte(dateParam: string, customersSql?: string): string {
  if (customersSql !== undefined) return subsetScoresCte(dateParam, customersSql);
  return `scores AS (
    SELECT s.customer_id, s.as_of, s.clv_minor, s.p_alive, s.churn_risk, s.warning_level,
      s.rfm_segment, s.cluster,
      COALESCE(s.tier, CASE
        WHEN s.clv_minor IS NULL THEN NULL
        WHEN cume_dist() OVER (ORDER BY s.clv_minor DESC NULLS LAST) <= 0.01 THEN 'platinum'
        WHEN cume_dist() OVER (ORDER BY s.clv_minor DESC NULLS LAST) <= 0.05 THEN 'gold'
        WHEN cume_dist() OVER (ORDER BY s.clv_minor DESC NULLS LAST) <= 0.20 THEN 'iron'
        ELSE 'lead' END) AS tier
    FROM score_snapshots s
    WHERE s.as_of = (SELECT max(as_of) FROM score_snapshots WHERE as_of <= ${dateParam}::date))`;
}

/**
 * A CTE named `stage` with each customer's latest relationship-model stage at `atParam` (only
 * of the customers `customersSql` selects, when given).
 */
export function stageCte(atParam: string, customersSql?: string): string {
  const owner = customersSql === undefined ? '' : ` AND customer_id IN (${customersSql})`;
  return `stage AS (
    SELECT DISTINCT ON (customer_id) customer_id, to_stage AS stage
    FROM stage_history WHERE model_id = 'relationship' AND changed_at <= (${atParam})${owner}
    ORDER BY customer_id, changed_at DESC)`;
}

/**
 * The CLV cut-offs of the default pyramid on snapshot day `dayExpr`: "cume_dist ≤ p" over CLV
 * descending is "CLV ≥ the least CLV whose cume_dist ≤ p", since cume_dist only falls as CLV
 * rises (the same cut as the window in `scoresCte`; also used by the 360's pyramidCuts).
 */
export function pyramidCutsSql(dayExpr: string): string {
  return `SELECT min(clv_minor) FILTER (WHERE cd <= 0.01) AS platinum,
      min(clv_minor) FILTER (WHERE cd <= 0.05) AS gold,
      min(clv_minor) FILTER (WHERE cd <= 0.20) AS iron
    FROM (SELECT clv_minor, cume_dist() OVER (ORDER BY clv_minor DESC NULLS LAST) AS cd
          FROM score_snapshots WHERE as_of = ${dayExpr}) x
    WHERE clv_minor IS NOT NULL`;
}

function subsetScoresCte(dateParam: string, customersSql: string): string {
  const day = `(SELECT max(as_of) FROM score_snapshots WHERE as_of <= ${dateParam}::date)`;
  return `pyramid_cuts AS MATERIALIZED (${pyramidCutsSql(day)}),
  scores AS (
    SELECT s.customer_id, s.as_of, s.clv_minor, s.p_alive, s.churn_risk, s.warning_level,
      s.rfm_segment, s.cluster,
      COALESCE(s.tier, CASE
        WHEN s.clv_minor IS NULL THEN NULL
        WHEN s.clv_minor >= (SELECT platinum FROM pyramid_cuts) THEN 'platinum'
        WHEN s.clv_minor >= (SELECT gold FROM pyramid_cuts) THEN 'gold'
        WHEN s.clv_minor >= (SELECT iron FROM pyramid_cuts) THEN 'iron'
        ELSE 'lead' END) AS tier
    FROM score_snapshots s
    WHERE s.customer_id IN (${customersSql}) AND s.as_of = ${day})`;
}
