/** `tenure analyze`: value models fitted in the database's data, a score snapshot for every customer. */
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { type ChurnRunReport, runChurnAnalysis } from '../store/churn-analysis.js';
import {
  type LifecycleReport,
  replayLifecycle,
  runLifecycleAnalysis,
} from '../store/lifecycle-analysis.js';
import { refreshSegments } from '../store/segment-repo.js';
import {
  type ModelChoice,
  runValueAnalysis,
  type ValueAnalysisReport,
} from '../store/value-analysis.js';
import { type CliContext, printJson } from './context.js';
import { parseIsoDate, todayUtc } from './dates.js';
import { describeSegmentRun } from './segments.js';
import { describeTarget, withDb } from './with-db.js';

const MODELS: readonly ModelChoice[] = ['auto', 'bgnbd', 'mbgnbd', 'pareto'];

function fmtParams(p: Record<string, number>, se: Record<string, number>): string {
  return Object.keys(p)
    .map(
      (k) =>
        `${k} = ${p[k].toPrecision(4)}${Number.isFinite(se[k]) ? ` (± ${se[k].toPrecision(2)})` : ''}`,
    )
    .join(', ');
}

function yuan(minor: number): string {
  return `¥${(minor / 100).toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
}

export function describeAnalysis(r: ValueAnalysisReport): string {
  const lines = [
    `value analysis as of ${r.asOf} (time unit: ${r.unit}) in ${(r.ms / 1000).toFixed(1)} s`,
  ];
  lines.push(
    `  customers: ${r.customers} (${r.customersWithPurchases} with purchases, ${r.prospects} prospects)`,
  );
  if (r.fit) {
    lines.push(`  purchase model: ${r.fit.model} — ${r.choice}`);
    lines.push(
      `    ${fmtParams(r.fit.params, r.fit.stderr)}; log-likelihood ${r.fit.logLik.toFixed(1)}; ${r.fit.converged ? 'converged' : `NOT converged: ${r.fit.reason}`}`,
    );
    if (r.fit.holdout) {
      const h = r.fit.holdout;
      lines.push(
        `    holdout ${h.calibrationEnd}..${h.holdoutEnd}: predicted ${h.totalPredicted.toFixed(0)} vs actual ${h.totalActual} repeat purchases; MAE ${h.mae.toFixed(3)}, RMSE ${h.rmse.toFixed(3)}, correlation ${h.correlation.toFixed(3)}`,
      );
    }
  }
  if (r.spend)
    lines.push(
      `  spend model: gamma-gamma ${Object.entries(r.spend.params)
        .map(([k, v]) => `${k} = ${v.toPrecision(4)}`)
        .join(', ')}`,
    );
  lines.push(
    `  predicted CLV over the next ${r.horizonMonths} months, discounted at ${(r.annualDiscountRate * 100).toFixed(0)} %/year: ${yuan(r.totalClvMinor)} in total`,
  );
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}

export function describeLifecycle(r: LifecycleReport): string {
  const lines: string[] = [];
  for (const m of r.models) {
    lines.push(
      `lifecycle stages (${m.model} model v${m.version}) as of ${r.asOf}: ${m.changes} stage changes recorded`,
    );
    lines.push(`  ${m.mix.map((s) => `${s.zh} ${s.en} ${s.customers}`).join(' · ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function describeChurn(r: ChurnRunReport): string {
  const lines = [
    `churn risk as of ${r.asOf} (no purchase in the next ${r.windowDays} days): ${r.model === 'logistic' ? `calibrated logistic model trained on ${r.training.rows} rows from ${r.training.asOfDates.length} earlier dates` : '1 − P(alive) fallback'}`,
  ];
  const h = r.training.holdoutMetrics;
  if (h) {
    lines.push(
      `  held-out customers: ROC AUC ${h.rocAuc.toFixed(3)}, top-decile lift ${h.topDecileLift.toFixed(2)}, Brier ${h.brier.toFixed(3)}`,
    );
  }
  lines.push(
    `  红 red ${r.levels.red} · 橙 orange ${r.levels.orange} · 黄 yellow ${r.levels.yellow}; alerts raised ${r.alerts.raised}, resolved retained ${r.alerts.resolved.retained} / lost ${r.alerts.resolved.lost} / cleared ${r.alerts.resolved.cleared} (tenure churn lists them)`,
  );
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}

export function registerAnalyze(program: Command, ctx: CliContext): void {
  program
    .command('analyze')
    .description('fit the value models and store a score snapshot for every customer')
    .option('--as-of <date>', 'analysis date YYYY-MM-DD (default: today)', (v) =>
      parseIsoDate(v, '--as-of'),
    )
    .option('--model <model>', `purchase model: ${MODELS.join('|')}`, 'auto')
    .option('--unit <unit>', 'time unit of the models: day|week', 'week')
    .option('--horizon-months <n>', 'CLV horizon in months', (v) => Number(v), 12)
    .option('--discount-rate <r>', 'annual discount rate, 0.1 = 10 %', (v) => Number(v), 0.1)
    .option('--replay', 'rebuild the stage history month by month from --from to the analysis date')
    .option('--from <date>', 'with --replay: the first month, YYYY-MM-DD', (v) =>
      parseIsoDate(v, '--from'),
    )
    .option('--step <step>', 'with --replay: month', 'month')
    .option('--json', 'print the report as JSON')
    .action(async (opts) => {
      if (opts.replay) {
        if (!opts.from) throw new InputError('--replay needs --from DATE', { field: '--from' });
        if (opts.step !== 'month') {
          throw new InputError(`--step must be month, got "${opts.step}"`, {
            field: '--step',
            value: opts.step,
          });
        }
        const replay = await withDb(ctx, (db) =>
          replayLifecycle(db, {
            from: opts.from,
            to: opts.asOf ?? todayUtc(),
            step: 'month',
            onStep: (asOf, i, n) => {
              if (ctx.interactive && !opts.json) ctx.err.write(`  ${asOf} (${i + 1}/${n})…\n`);
            },
          }),
        );
        if (opts.json) printJson(ctx, { target: describeTarget(ctx), ...replay });
        else {
          const total = replay.steps.reduce(
            (n, s) => n + Object.values(s.changes).reduce((a, b) => a + b, 0),
            0,
          );
          ctx.out.write(
            `rebuilt the stage history from ${replay.from} to ${replay.to} in ${replay.steps.length} steps (${total} stage changes) in ${(replay.ms / 1000).toFixed(1)} s\n`,
          );
          ctx.out.write(describeLifecycle(replay.final));
        }
        return;
      }
      if (!(MODELS as readonly string[]).includes(opts.model)) {
        throw new InputError(`--model must be one of ${MODELS.join(', ')}, got "${opts.model}"`, {
          field: '--model',
          value: opts.model,
        });
      }
      if (opts.unit !== 'day' && opts.unit !== 'week') {
        throw new InputError(`--unit must be day or week, got "${opts.unit}"`, {
          field: '--unit',
          value: opts.unit,
        });
      }
      if (!Number.isInteger(opts.horizonMonths) || opts.horizonMonths <= 0) {
        throw new InputError('--horizon-months must be a whole number of months > 0', {
          field: '--horizon-months',
          value: opts.horizonMonths,
        });
      }
      if (!(opts.discountRate >= 0 && opts.discountRate < 1)) {
        throw new InputError('--discount-rate must be between 0 and 1 (0.1 = 10 %/year)', {
          field: '--discount-rate',
          value: opts.discountRate,
        });
      }
      const { report, lifecycle, segments, churn } = await withDb(ctx, async (db) => {
        const report = await runValueAnalysis(db, {
          asOf: opts.asOf ?? todayUtc(),
          model: opts.model,
          unit: opts.unit,
          horizonMonths: opts.horizonMonths,
          annualDiscountRate: opts.discountRate,
          onProgress: (step) => {
            if (ctx.interactive && !opts.json) ctx.err.write(`  ${step}…\n`);
          },
        });
        const lifecycle = await runLifecycleAnalysis(db, { asOf: opts.asOf ?? todayUtc() });
        // Churn needs someone who bought; an empty base has nothing to warn about.
        const churn =
          report.customersWithPurchases > 0
            ? await runChurnAnalysis(db, { asOf: opts.asOf ?? todayUtc() })
            : null;
        // saved segments last: their rules may read anything the analysis wrote
        const segments = await refreshSegments(db, { asOf: report.asOf });
        return { report, lifecycle, segments, churn };
      });
      if (opts.json)
        printJson(ctx, { target: describeTarget(ctx), ...report, lifecycle, segments, churn });
      else
        ctx.out.write(
          describeAnalysis(report) +
            describeLifecycle(lifecycle) +
            describeSegmentRun(report.segmentation, segments) +
            (churn ? describeChurn(churn) : ''),
        );
    });
}
