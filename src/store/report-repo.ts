/**
 * The figures of `tenure report` (issue 9 §5) as of a day, each section from its own tables:
 * headline (customers, orders, revenue, predicted CLV), stage mix over the analysis dates and
 * transitions since the previous one, value pyramid and Pareto curve, the value-model fits with
 * their holdout tracking, RFM segments / clusters / saved segments, churn warning levels and a
 * risk histogram, first-purchase cohorts, campaigns, top cross-sell rules and open tasks.
 * A section with no data comes back empty (null or []), and the report says so.
 */
import { paretoCurve, type ReportData } from '../engine/index.js';
import { scoresCte } from './action-scores-sql.js';
import { type CampaignReport, campaignReport } from './campaign-repo.js';
import { storedCrossSellRules } from './crosssell-repo.js';
import type { Db } from './db.js';
import { historyDates, stageCountsAt } from './lifecycle-repo.js';
import { listStageModels } from './stage-model-repo.js';

const num = (v: unknown): number => Number(v ?? 0);

export type { ReportData };

/** Every section's figures as of `asOf` (a UTC day: data up to its end). */
export async function collectReportData(db: Db, asOf: Date): Promise<ReportData> {
  const day = asOf.toISOString().slice(0, 10);
  const end = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000);

  const h = await db.query<{
    customers: number;
    buyers: number;
    orders: number;
    revenue: string;
    margin: string | null;
  }>(
    `SELECT (SELECT count(*)::int FROM customers WHERE erased_at IS NULL) AS customers,
       count(DISTINCT customer_id)::int AS buyers, count(*)::int AS orders,
       COALESCE(sum(amount_minor), 0)::text AS revenue,
       (sum(amount_minor - cost_minor) FILTER (WHERE cost_minor IS NOT NULL))::text AS margin
     FROM transactions WHERE status = 'completed' AND occurred_at < $1`,
    [end],
  );
  const snap = await db.query<{ as_of: string | null; clv: string | null; p: number | null }>(
    `WITH ${scoresCte('$1')}
     SELECT to_char(max(as_of), 'YYYY-MM-DD') AS as_of, sum(clv_minor)::text AS clv, avg(p_alive) AS p
     FROM scores`,
    [day],
  );
  const headline = {
    customers: h.rows[0].customers,
    buyers: h.rows[0].buyers,
    orders: h.rows[0].orders,
    revenueMinor: num(h.rows[0].revenue),
    marginMinor: h.rows[0].margin === null ? null : num(h.rows[0].margin),
    snapshotAsOf: snap.rows[0].as_of,
    predictedClvMinor: snap.rows[0].clv === null ? null : num(snap.rows[0].clv),
    meanPAlive: snap.rows[0].p,
  };

  // Stages: the relationship model's mix at up to 12 analysis dates, transitions from the one before.
  let stages: ReportData['stages'] = null;
  const allDates = (await historyDates(db, 'relationship')).filter((d) => d <= day);
  if (allDates.length > 0) {
    const model = (await listStageModels(db)).find((m) => m.model.key === 'relationship')?.model;
    const dates = allDates.slice(-12);
    const mix: Record<string, number>[] = [];
    for (const d of dates) {
      mix.push(
        Object.fromEntries(await stageCountsAt(db, 'relationship', new Date(`${d}T00:00:00Z`))),
      );
    }
    const from = allDates.length > 1 ? allDates[allDates.length - 2] : null;
    const last = allDates[allDates.length - 1];
    const tr = await db.query<{ from_stage: string | null; to_stage: string; n: number }>(
      `WITH a AS (SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
                  WHERE model_id = 'relationship' AND changed_at <= $1 ORDER BY customer_id, changed_at DESC),
            b AS (SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
                  WHERE model_id = 'relationship' AND changed_at <= $2 ORDER BY customer_id, changed_at DESC)
       SELECT a.to_stage AS from_stage, b.to_stage, count(*)::int AS n
       FROM b LEFT JOIN a ON a.customer_id = b.customer_id
       WHERE a.to_stage IS DISTINCT FROM b.to_stage
       GROUP BY 1, 2 ORDER BY n DESC`,
      [from === null ? new Date(0) : new Date(`${from}T00:00:00Z`), new Date(`${last}T00:00:00Z`)],
    );
    stages = {
      modelName: model
        ? { zh: model.name.zh, en: model.name.en }
        : { zh: '关系模型', en: 'Relationship' },
      stages: (model?.stages ?? []).map((s) => ({ code: s.code, zh: s.name.zh, en: s.name.en })),
      dates,
      mix,
      from,
      transitions: tr.rows.map((r) => ({ from: r.from_stage, to: r.to_stage, customers: r.n })),
    };
  }

  const tiers = await db.query<{ tier: string; n: number; clv: string }>(
    `WITH ${scoresCte('$1')}
     SELECT tier, count(*)::int AS n, COALESCE(sum(clv_minor), 0)::text AS clv FROM scores
     WHERE tier IS NOT NULL GROUP BY tier`,
    [day],
  );
  const order = ['platinum', 'gold', 'iron', 'lead'];
  const tierRows = tiers.rows
    .map((r) => ({ tier: r.tier, customers: r.n, clvMinor: num(r.clv) }))
    .sort((a, b) => order.indexOf(a.tier) - order.indexOf(b.tier));

  const revenue = await db.query<{ customer_id: string; revenue: string }>(
    `SELECT customer_id, sum(amount_minor)::text AS revenue FROM transactions
     WHERE status = 'completed' AND occurred_at < $1 GROUP BY customer_id`,
    [end],
  );
  const pareto =
    revenue.rows.length > 0
      ? paretoCurve(
          revenue.rows.map((r) => num(r.revenue)),
          revenue.rows.map((r) => r.customer_id),
          'revenue',
          100,
        )
      : null;

  const fitsAsOf = await db.query<{ d: string | null }>(
    `SELECT to_char(max(as_of), 'YYYY-MM-DD') AS d FROM model_fits WHERE as_of <= $1`,
    [day],
  );
  const fits: ReportData['fits'] = [];
  if (fitsAsOf.rows[0].d !== null) {
    const { rows } = await db.query<{
      model: string;
      params: Record<string, number>;
      log_lik: number | null;
      aic: number | null;
      converged: boolean;
      chosen: boolean;
      holdout: ReportData['fits'][number]['holdout'];
    }>(
      `SELECT model, params, log_lik, aic, converged, chosen, holdout FROM model_fits
       WHERE as_of = $1 ORDER BY chosen DESC, model`,
      [fitsAsOf.rows[0].d],
    );
    for (const r of rows) {
      fits.push({
        asOf: fitsAsOf.rows[0].d,
        model: r.model,
        params: r.params,
        logLik: r.log_lik,
        aic: r.aic,
        converged: r.converged,
        chosen: r.chosen,
        holdout: r.holdout,
      });
    }
  }

  const counts = async (column: 'rfm_segment' | 'cluster') =>
    (
      await db.query<{ name: string; n: number }>(
        `WITH ${scoresCte('$1')}
         SELECT ${column} AS name, count(*)::int AS n FROM scores WHERE ${column} IS NOT NULL
         GROUP BY 1 ORDER BY n DESC, 1`,
        [day],
      )
    ).rows.map((r) => ({ name: r.name, customers: r.n }));
  const saved = await db.query<{ segment_id: string; name: string; n: number }>(
    `SELECT s.segment_id, s.name, count(m.customer_id)::int AS n FROM segments s
     LEFT JOIN segment_memberships m ON m.segment_id = s.segment_id AND m.left_at IS NULL
     GROUP BY s.segment_id, s.name ORDER BY n DESC, s.segment_id`,
  );

  const levels = await db.query<{ level: string; n: number }>(
    `WITH ${scoresCte('$1')}
     SELECT warning_level AS level, count(*)::int AS n FROM scores WHERE warning_level IS NOT NULL
     GROUP BY 1 ORDER BY n DESC`,
    [day],
  );
  const risk = await db.query<{ bucket: number; n: number; model: boolean }>(
    `WITH ${scoresCte('$1')}
     SELECT LEAST(floor(COALESCE(churn_risk, 1 - p_alive) * 10), 9)::int AS bucket, count(*)::int AS n,
       bool_or(churn_risk IS NOT NULL) AS model
     FROM scores WHERE COALESCE(churn_risk, 1 - p_alive) IS NOT NULL GROUP BY 1 ORDER BY 1`,
    [day],
  );

  const churnModel = await db.query<{
    as_of: string;
    kind: string;
    window_days: number;
    training: Record<string, unknown>;
  }>(
    `SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of, kind, window_days, training FROM churn_models
     WHERE as_of <= $1 ORDER BY as_of DESC LIMIT 1`,
    [day],
  );
  const cm = churnModel.rows[0];
  // the numbers the training kept (sample sizes, AUC, …), up to two levels deep
  const figures: Record<string, number> = {};
  const walk = (o: unknown, prefix: string, depth: number): void => {
    if (typeof o === 'number' && Number.isFinite(o)) figures[prefix] = o;
    else if (o && typeof o === 'object' && !Array.isArray(o) && depth < 2) {
      for (const [k, v] of Object.entries(o)) walk(v, prefix ? `${prefix}.${k}` : k, depth + 1);
    }
  };
  if (cm) walk(cm.training, '', 0);

  const cohortRows = await db.query<{ cohort: string; k: number; n: number }>(
    `WITH f AS (SELECT customer_id, date_trunc('month', min(occurred_at) AT TIME ZONE 'UTC') AS cohort
                FROM transactions WHERE status = 'completed' AND occurred_at < $1 GROUP BY customer_id),
          a AS (SELECT DISTINCT customer_id, date_trunc('month', occurred_at AT TIME ZONE 'UTC') AS m
                FROM transactions WHERE status = 'completed' AND occurred_at < $1)
     SELECT to_char(f.cohort, 'YYYY-MM') AS cohort,
       ((extract(year FROM a.m) - extract(year FROM f.cohort)) * 12
         + extract(month FROM a.m) - extract(month FROM f.cohort))::int AS k,
       count(*)::int AS n
     FROM f JOIN a ON a.customer_id = f.customer_id
     WHERE f.cohort >= date_trunc('month', ($1::timestamptz AT TIME ZONE 'UTC')) - interval '12 months'
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [end],
  );
  const cohortMap = new Map<string, Map<number, number>>();
  for (const r of cohortRows.rows) {
    const m = cohortMap.get(r.cohort) ?? new Map<number, number>();
    m.set(r.k, r.n);
    cohortMap.set(r.cohort, m);
  }
  const cohorts = [...cohortMap].map(([cohort, m]) => {
    const size = m.get(0) ?? 0;
    const last = Math.max(...m.keys());
    return {
      cohort,
      size,
      retention: Array.from({ length: last + 1 }, (_, k) =>
        size === 0 ? 0 : (m.get(k) ?? 0) / size,
      ),
    };
  });

  const campaigns: CampaignReport[] = [];
  const ids = await db.query<{ campaign_id: string }>(
    'SELECT campaign_id FROM campaigns WHERE starts_at < $1 ORDER BY starts_at DESC, campaign_id LIMIT 10',
    [end],
  );
  for (const r of ids.rows) campaigns.push(await campaignReport(db, r.campaign_id, end));

  const tasks = await db.query<{ type: string; open: number; overdue: number }>(
    `SELECT type, count(*)::int AS open, count(*) FILTER (WHERE due_at < $1)::int AS overdue
     FROM tasks WHERE status = 'open' GROUP BY type ORDER BY open DESC`,
    [new Date(`${day}T00:00:00Z`)],
  );

  return {
    asOf: day,
    headline,
    stages,
    tiers: tierRows,
    pareto,
    fits,
    segments: {
      rfm: await counts('rfm_segment'),
      clusters: await counts('cluster'),
      saved: saved.rows.map((r) => ({ segmentId: r.segment_id, name: r.name, members: r.n })),
    },
    churn: {
      levels: levels.rows.map((r) => ({ level: r.level, customers: r.n })),
      risk: risk.rows.map((r) => ({ bucket: r.bucket, customers: r.n })),
      source:
        risk.rows.length === 0 ? null : risk.rows.some((r) => r.model) ? 'churn-model' : 'p-alive',
      model: cm ? { asOf: cm.as_of, kind: cm.kind, windowDays: cm.window_days, figures } : null,
    },
    cohorts,
    campaigns,
    rules: ((await storedCrossSellRules(db, 'order')) ?? []).slice(0, 10),
    tasks: tasks.rows,
  };
}
