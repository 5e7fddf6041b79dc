/**
 * `npm run eval:churn [-- CUSTOMERS [SEED]]`: the churn backtest on the demo business (issue 6
 * "Done means"): ROC AUC, PR AUC, top-decile lift and Brier score of the supervised model against
 * what really happened in the 90 days after the as-of date, beside the P(alive)-only baseline on
 * the same customers; then scores the demo at its last day and shows whether the complaint effect
 * the demo plants (each complaint triples the odds of dropping out) shows up among the top reasons
 * of the customers who complained recently. Exit code 1 when the model is worse than the baseline.
 */
import { loadDemo } from '../src/cli/demo.js';
import { backtestChurn, runChurnAnalysis } from '../src/store/churn-analysis.js';
import { openDb } from '../src/store/open.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';

const customers = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? 42);
const asOf = new Date('2026-06-30T00:00:00Z');
const db = await openDb({ databaseUrl: null, dataDir: null });
const f = (v: number) => v.toFixed(3);
try {
  let t0 = performance.now();
  await loadDemo(db, { customers, years: 3, seed, industry: 'retail', asOf });
  console.log(
    `demo: ${customers} retail customers, seed ${seed}, 3 years to 2026-06-30 (loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  t0 = performance.now();
  const bt = await backtestChurn(db, {});
  console.log(
    `\nbacktest as of ${bt.asOf}, ${bt.windowDays}-day window to ${bt.windowEnd}: ${bt.model.metrics.customers} customers, ${bt.model.metrics.churned} churned (base rate ${f(bt.model.metrics.baseRate)}); trained on ${bt.training.rows} rows from ${bt.training.asOfDates.length} earlier as-of dates (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log('                    ROC AUC  PR AUC  top-decile lift  Brier');
  for (const [name, m] of [
    [`model (${bt.model.kind})`, bt.model.metrics],
    ['P(alive) baseline', bt.baseline.metrics],
  ] as const) {
    console.log(
      `${name.padEnd(20)}${f(m.rocAuc).padStart(7)}  ${f(m.prAuc).padStart(6)}  ${m.topDecileLift.toFixed(2).padStart(15)}  ${f(m.brier)}`,
    );
  }
  console.log('calibration by decile (model): predicted vs observed churn rate');
  for (const d of bt.model.metrics.deciles) {
    console.log(
      `  ${String(d.decile).padStart(2)}  ${f(d.predicted)}  ${f(d.observed)}  capture ${f(d.capture)}`,
    );
  }
  console.log(
    `strongest features (log-odds per SD): ${bt.training.coefficients
      .slice(0, 6)
      .map((c) => `${c.feature} ${c.coefficient.toFixed(2)}`)
      .join(', ')}`,
  );
  for (const n of bt.notes) console.log(`note: ${n}`);

  t0 = performance.now();
  await runValueAnalysis(db, { asOf });
  const run = await runChurnAnalysis(db, { asOf });
  console.log(
    `\nscored ${run.customers} customers as of ${run.asOf} (${((performance.now() - t0) / 1000).toFixed(1)} s with the value analysis): red ${run.levels.red}, orange ${run.levels.orange}, yellow ${run.levels.yellow}; ${run.alerts.raised} alerts raised`,
  );
  // The complaint effect: customers with a complaint in the last 90 days.
  const { rows } = await db.query<{ n: number; with_reason: number; top1: number }>(
    `SELECT count(*)::int AS n,
            count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM jsonb_array_elements(s.churn_reasons) r
              WHERE r->>'feature' IN ('complaints_30', 'complaints_90', 'unresolved')))::int AS with_reason,
            count(*) FILTER (WHERE s.churn_reasons->0->>'feature' IN ('complaints_30', 'complaints_90', 'unresolved'))::int AS top1
     FROM score_snapshots s
     WHERE s.as_of = $1 AND s.churn_risk IS NOT NULL AND EXISTS (
       SELECT 1 FROM interactions i WHERE i.customer_id = s.customer_id AND i.type = 'complaint'
         AND i.occurred_at >= $2::timestamptz - interval '90 days' AND i.occurred_at < $2::timestamptz)`,
    ['2026-06-30', new Date('2026-07-01T00:00:00Z')],
  );
  const c = rows[0];
  const coef = bt.training.coefficients.filter((x) => x.feature.startsWith('complaints'));
  console.log(
    `complaint effect: coefficients ${coef.map((x) => `${x.feature} ${x.coefficient.toFixed(2)}`).join(', ')}; ` +
      `of ${c.n} customers with a complaint in the last 90 days, ${c.with_reason} (${((100 * c.with_reason) / Math.max(1, c.n)).toFixed(0)} %) have it among their top 3 reasons, ${c.top1} as the first`,
  );
  const sample = await db.query<{
    customer_id: string;
    churn_risk: number;
    churn_reasons: { zh: string; en: string }[];
  }>(
    `SELECT customer_id, churn_risk, churn_reasons FROM score_snapshots
     WHERE as_of = $1 AND warning_level = 'red' AND churn_reasons->0->>'feature' LIKE 'complaints%'
     ORDER BY churn_risk DESC, customer_id LIMIT 3`,
    ['2026-06-30'],
  );
  for (const s of sample.rows) {
    console.log(
      `  ${s.customer_id} risk ${f(s.churn_risk)}: ${s.churn_reasons.map((r) => `${r.zh} / ${r.en}`).join('; ')}`,
    );
  }
  const better = bt.model.metrics.rocAuc >= bt.baseline.metrics.rocAuc;
  console.log(
    `\nmodel ROC AUC ${f(bt.model.metrics.rocAuc)} ${better ? '≥' : '<'} baseline ${f(bt.baseline.metrics.rocAuc)}`,
  );
  if (!better || c.with_reason < c.n / 2) process.exitCode = 1;
} finally {
  await db.close();
}
