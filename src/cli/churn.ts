/**
 * `tenure churn` (issue 6 §6): customers at risk with probability, value at risk, reasons and
 * owner; `tenure churn backtest` (the model against the P(alive)-only baseline on history);
 * `tenure churn cohorts` (retention by cohort, survival by segment, why customers left);
 * `tenure churn thresholds` (warning levels and window).
 *
 * JSON (--json):
 *   churn:      {target, asOf, level, counts: {red, orange, yellow},
 *                model: null | {asOf, kind: 'logistic'|'fallback', windowDays, warning, notes},
 *                customers: [{customerId, name, ownerId, level, risk, clvMinor, valueAtRiskMinor,
 *                             daysSinceLastPurchase, alertId, reasons: [{feature, zh, en, contribution}]}]}
 *   backtest:   {target, asOf, windowDays, windowEnd, model: {kind, metrics}, baseline: {kind: 'p-alive', metrics},
 *                training: {asOfDates, rows, churned, trainRows, calibrationRows, fit, holdoutMetrics,
 *                           coefficients: [{feature, coefficient}]}, notes, ms}
 *                metrics = {customers, churned, baseRate, rocAuc, prAuc, brier, topDecileLift,
 *                           deciles: [{decile, customers, churned, predicted, observed, lift, capture}]}
 *   cohorts:    {target, asOf, windowDays, customers, churned, overall: group & {curve},
 *                dimensions: [{dimension, groups: [group]}], cohorts: [{cohort: 'YYYY-MM', customers, retention: [share…]}],
 *                reasonsBeforeChurn: [{reason, zh, en, churnedShare, retainedShare, ratio}],
 *                complaintTopics: [{note, churned, retained}], ms}
 *                group = {group, customers, churned, medianDays, survival1y, survival2y, churnRatePerYear,
 *                         groupLifetimeYears, valueLostMinorPerYear}
 *   thresholds: {windowDays, warning: {kind: 'probability', red, orange, yellow, lostAfterDays}
 *                                   | {kind: 'value', redMinor, orangeMinor, yellowMinor, lostAfterDays}}
 */
import type { Command } from 'commander';
import {
  type ChurnMetrics,
  WARNING_LEVELS,
  WARNING_NAMES,
  type WarningLevel,
} from '../engine/index.js';
import { InputError, NotFoundError } from '../errors.js';
import { backtestChurn, runChurnAnalysis } from '../store/churn-analysis.js';
import { churnCohorts } from '../store/churn-cohorts.js';
import {
  applySettingEdits,
  latestChurnModel,
  latestSnapshot,
  listAtRisk,
  loadChurnSettings,
  saveChurnSettings,
} from '../store/churn-repo.js';
import { type CliContext, printJson } from './context.js';
import { parseIsoDate } from './dates.js';
import { describeTarget, withDb } from './with-db.js';

/** `90d`, `90`, `13w` → days. */
export function parseWindow(value: string): number {
  const m = /^(\d+)(d|w)?$/.exec(value.trim());
  const days = m ? Number(m[1]) * (m[2] === 'w' ? 7 : 1) : Number.NaN;
  if (!(Number.isInteger(days) && days >= 7 && days <= 730)) {
    throw new InputError(
      `--window must be a number of days (90d) or weeks (13w) from 7 days to 730, got "${value}"`,
      { field: '--window', value },
    );
  }
  return days;
}

function parseLevel(value: string): WarningLevel {
  if (!(WARNING_LEVELS as readonly string[]).includes(value)) {
    throw new InputError(`--level must be one of red, orange, yellow, got "${value}"`, {
      field: '--level',
      value,
    });
  }
  return value as WarningLevel;
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
      throw new InputError(`${name} must be a whole number > 0, got "${value}"`, {
        field: name,
        value,
      });
    }
    return n;
  };
}

function yuan(minor: number): string {
  return `¥${Math.round(minor / 100).toLocaleString('en-US')}`;
}

const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');

function metricsLine(name: string, m: ChurnMetrics): string {
  return `  ${name.padEnd(22)} ROC AUC ${f3(m.rocAuc)}  PR AUC ${f3(m.prAuc)}  top-decile lift ${m.topDecileLift.toFixed(2)}  Brier ${f3(m.brier)}`;
}

export function registerChurn(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('churn')
    .description('churn early warning: customers at risk, backtest, cohorts, thresholds');

  cmd
    .command('list', { isDefault: true })
    .description('customers at risk, by value at risk, with probability, reasons and owner')
    .option('--as-of <date>', 'the snapshot date (default: the latest)', (v) =>
      parseIsoDate(v, '--as-of'),
    )
    .option('--level <level>', 'this level and above: red|orange|yellow', parseLevel, 'yellow')
    .option('--limit <n>', 'at most this many customers', positiveInt('--limit'), 50)
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      const result = await withDb(ctx, async (db) => {
        const snap = await latestSnapshot(db, opts.asOf?.toISOString().slice(0, 10));
        if (!snap) {
          throw new NotFoundError(
            'no analysis yet: run tenure analyze (or tenure demo) before tenure churn',
          );
        }
        let scoredNow = false;
        if (!snap.scored) {
          await runChurnAnalysis(db, { asOf: new Date(`${snap.asOf}T00:00:00Z`) });
          scoredNow = true;
        }
        const model = await latestChurnModel(db, snap.asOf);
        const list = await listAtRisk(db, snap.asOf, opts.level, opts.limit);
        return { asOf: snap.asOf, scoredNow, model, ...list };
      });
      if (opts.json) {
        printJson(ctx, {
          target: describeTarget(ctx),
          asOf: result.asOf,
          level: opts.level,
          counts: result.counts,
          model: result.model
            ? {
                asOf: result.model.asOf,
                kind: result.model.model.kind,
                windowDays: result.model.windowDays,
                warning: result.model.warning,
                notes: result.model.notes,
              }
            : null,
          customers: result.customers,
        });
        return;
      }
      const m = result.model;
      ctx.out.write(
        `churn risk as of ${result.asOf}${m ? ` (probability of no purchase in the next ${m.windowDays} days; ${m.model.kind === 'logistic' ? 'calibrated logistic model' : '1 − P(alive) fallback'})` : ''}${result.scoredNow ? ' — scored now' : ''}\n`,
      );
      ctx.out.write(
        `  ${WARNING_LEVELS.slice()
          .reverse()
          .map((l) => `${WARNING_NAMES[l].zh} ${WARNING_NAMES[l].en} ${result.counts[l]}`)
          .join(' · ')}\n`,
      );
      for (const n of m?.notes ?? []) ctx.out.write(`  note: ${n}\n`);
      if (result.customers.length === 0) {
        ctx.out.write(`  no customer at ${opts.level} or above\n`);
        return;
      }
      for (const c of result.customers) {
        ctx.out.write(
          `\n${c.customerId} ${c.name ?? ''} — ${WARNING_NAMES[c.level].zh} ${c.level}, risk ${pct(c.risk)}, value at risk ${yuan(c.valueAtRiskMinor)} (CLV ${yuan(c.clvMinor)}), owner ${c.ownerId ?? '—'}\n`,
        );
        for (const r of c.reasons) ctx.out.write(`    · ${r.zh} / ${r.en}\n`);
      }
    });

  cmd
    .command('backtest')
    .description(
      'ROC AUC, PR AUC, lift, calibration and Brier on history, beside the P(alive) baseline',
    )
    .option(
      '--as-of <date>',
      'score as of this date (default: one window before the last order)',
      (v) => parseIsoDate(v, '--as-of'),
    )
    .option('--window <days>', 'churn window, e.g. 90d or 13w', parseWindow)
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      const r = await withDb(ctx, (db) =>
        backtestChurn(db, { asOf: opts.asOf, windowDays: opts.window }),
      );
      if (opts.json) {
        printJson(ctx, { target: describeTarget(ctx), ...r });
        return;
      }
      const m = r.model.metrics;
      ctx.out.write(
        `churn backtest as of ${r.asOf}: what happened in the ${r.windowDays} days to ${r.windowEnd}\n` +
          `  ${m.customers} customers, ${m.churned} churned (base rate ${pct(m.baseRate)}); model trained on ${r.training.rows} rows from ${r.training.asOfDates.length} earlier as-of dates (${r.training.asOfDates.join(', ')})\n`,
      );
      ctx.out.write(`${metricsLine(`model (${r.model.kind})`, m)}\n`);
      ctx.out.write(`${metricsLine('P(alive) baseline', r.baseline.metrics)}\n`);
      ctx.out.write(
        '  decile  customers  churned  predicted  observed   lift  capture | baseline lift  capture\n',
      );
      m.deciles.forEach((d, i) => {
        const b = r.baseline.metrics.deciles[i];
        ctx.out.write(
          `  ${String(d.decile).padStart(6)}  ${String(d.customers).padStart(9)}  ${String(d.churned).padStart(7)}  ${pct(d.predicted).padStart(9)}  ${pct(d.observed).padStart(8)}  ${d.lift.toFixed(2).padStart(5)}  ${pct(d.capture).padStart(7)} | ${b.lift.toFixed(2).padStart(13)}  ${pct(b.capture).padStart(7)}\n`,
        );
      });
      if (r.training.coefficients.length) {
        ctx.out.write(
          `  strongest features (log-odds per SD): ${r.training.coefficients
            .slice(0, 6)
            .map((c) => `${c.feature} ${c.coefficient >= 0 ? '+' : ''}${c.coefficient.toFixed(2)}`)
            .join(', ')}\n`,
        );
      }
      for (const n of r.notes) ctx.out.write(`  note: ${n}\n`);
    });

  cmd
    .command('cohorts')
    .description(
      'cohort retention, survival by segment with median lifetime, churn rate, group lifetime, value lost, reasons before churn',
    )
    .option('--as-of <date>', 'as of this date (default: the last order)', (v) =>
      parseIsoDate(v, '--as-of'),
    )
    .option('--window <days>', 'churned = no purchase for this long, e.g. 90d', parseWindow)
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      const r = await withDb(ctx, (db) =>
        churnCohorts(db, { asOf: opts.asOf, windowDays: opts.window }),
      );
      if (opts.json) {
        printJson(ctx, { target: describeTarget(ctx), ...r });
        return;
      }
      const years = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} y`);
      const days = (v: number | null) => (v === null ? '—' : `${v} d`);
      const o = r.overall;
      ctx.out.write(
        `churn analysis as of ${r.asOf} (churned = no purchase for ${r.windowDays} days): ${r.customers} customers, ${r.churned} churned\n` +
          `  median lifetime ${days(o.medianDays)}, churn rate ${pct(o.churnRatePerYear)} a year, group lifetime 1/churn rate = ${years(o.groupLifetimeYears)}, value lost ${yuan(o.valueLostMinorPerYear)} a year\n`,
      );
      for (const d of r.dimensions) {
        ctx.out.write(`\nby ${d.dimension}:\n`);
        ctx.out.write(
          '  group                 customers  churned  median life  churn/yr  lifetime  value lost/yr\n',
        );
        for (const g of d.groups) {
          ctx.out.write(
            `  ${g.group.slice(0, 20).padEnd(20)}  ${String(g.customers).padStart(9)}  ${String(g.churned).padStart(7)}  ${days(g.medianDays).padStart(11)}  ${pct(g.churnRatePerYear).padStart(8)}  ${years(g.groupLifetimeYears).padStart(8)}  ${yuan(g.valueLostMinorPerYear).padStart(13)}\n`,
          );
        }
      }
      ctx.out.write('\nseen before churn (share of churned vs retained customers):\n');
      for (const x of r.reasonsBeforeChurn) {
        ctx.out.write(
          `  ${x.zh} ${x.en}: ${pct(x.churnedShare)} vs ${pct(x.retainedShare)}${x.ratio === null ? '' : ` (×${x.ratio.toFixed(1)})`}\n`,
        );
      }
      if (r.complaintTopics.length) {
        ctx.out.write(
          `  complaint topics before churn: ${r.complaintTopics
            .slice(0, 6)
            .map((t) => `${t.note} ${t.churned}`)
            .join(', ')}\n`,
        );
      }
      ctx.out.write(
        '\ncohort retention (share buying in month 0, 1, 2, … after the first purchase):\n',
      );
      for (const c of r.cohorts.slice(-12)) {
        ctx.out.write(
          `  ${c.cohort} ${String(c.customers).padStart(6)}  ${c.retention
            .slice(1, 13)
            .map((v) => `${Math.round(v * 100)}`.padStart(3))
            .join(' ')}\n`,
        );
      }
    });

  cmd
    .command('thresholds')
    .description(
      'show or set the warning levels and window: red=0.9 orange=0.8 yellow=0.7 lostAfterDays=180 window=90, or kind=value redMinor=… ',
    )
    .argument('[settings...]', 'name=value edits')
    .option('--json', 'print as JSON')
    .action(async (edits: string[], opts) => {
      const s = await withDb(ctx, async (db) => {
        const cur = await loadChurnSettings(db);
        return edits.length ? saveChurnSettings(db, applySettingEdits(cur, edits)) : cur;
      });
      if (opts.json) {
        printJson(ctx, s);
        return;
      }
      const w = s.warning;
      ctx.out.write(
        `churn window ${s.windowDays} days; levels by ${w.kind === 'probability' ? `probability: red ≥ ${w.red}, orange ≥ ${w.orange}, yellow ≥ ${w.yellow}` : `value at risk: red ≥ ${yuan(w.redMinor)}, orange ≥ ${yuan(w.orangeMinor)}, yellow ≥ ${yuan(w.yellowMinor)}`}; no level after ${w.lostAfterDays} days without a purchase (lost)\n`,
      );
    });
}
