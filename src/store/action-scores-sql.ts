/**
 * SQL shared by the acting side (scheduler, next best action, campaigns): each customer's latest
 * score snapshot at or before a date, with a value tier. The tier is the snapshot's own when the
 * segmentation has set it; otherwise the customer pyramid's default cut (Zeithaml, Rust & Lemon
 * 2001; src/engine/segments/tiers.ts): top 1 % of predicted CLV platinum, next 4 % gold, next
 * 15 % iron, the rest lead (cume_dist over CLV, descending; customers without a CLV get none).
 */

/** A CTE named `scores` over the snapshot in force on the date parameter `dateParam`. */
export function scoresCte(dateParam: string): string {
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

/** A CTE named `stage` with each customer's latest relationship-model stage at `atParam`. */
export function stageCte(atParam: string): string {
  return `stage AS (
    SELECT DISTINCT ON (customer_id) customer_id, to_stage AS stage
    FROM stage_history WHERE model_id = 'relationship' AND changed_at <= (${atParam})
    ORDER BY customer_id, changed_at DESC)`;
}
