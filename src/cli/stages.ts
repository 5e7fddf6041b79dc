/**
 * `tenure stages`: the lifecycle stage report of one stage model from its history (issue 4
 * part 3, SPEC §3 "Reports"). Read-only.
 *
 *   tenure stages [--model relationship] [--as-of YYYY-MM-DD] [--from YYYY-MM-DD] [--json]
 *
 * --as-of defaults to the model's latest history day, --from to the history day before --as-of
 * (none when --as-of is the first). "At day D" means each customer's latest history row with
 * changed_at ≤ D 00:00 UTC (history is written at the analysis day's midnight).
 *
 * --json prints one object:
 *   { model, modelName: {zh, en}, asOf: 'YYYY-MM-DD', from: 'YYYY-MM-DD' | null,
 *     customers,                                    // customers with a stage at asOf
 *     mix: [{stage, zh, en, colour, customers, share, revenueYuan, clvYuan}],
 *                                                   // model's stage order; revenue to date and
 *                                                   // predicted CLV from the latest snapshot ≤ asOf
 *     valueSnapshot: 'YYYY-MM-DD' | null,           // that snapshot
 *     trajectories: [{pattern, zh, en, customers, revenueYuan, clvYuan}],
 *                                                   // seed 000 fig. 2-4 paths as of asOf
 *     transitions: {
 *       counts: [{from, to, customers, rate}],      // non-zero flows; from = null: no stage at `from`
 *                                                   // rate = customers ÷ all customers in `from`
 *       sankey: {nodes: [{id, stage, side, zh, en, colour}], links: [{source, target, value}]} },
 *     dwell: [{stage, zh, en, stays, ended, ongoing, q1Days, medianDays, q3Days}],
 *                                                   // Kaplan–Meier, stays still running censored at asOf
 *     funnel: [{stage, zh, en, reached, conversion, cumulative}] }
 * Mix counts are an SQL aggregate (DISTINCT ON); transitions, dwell and funnel are the engine's
 * functions over the history rows up to asOf.
 */
import type { Command } from 'commander';
import { PRESET_MODELS } from '../engine/index.js';
import { InputError } from '../errors.js';
import { buildStagesReport, type StagesReport, stageModelByKey } from '../store/stages-report.js';
import { type CliContext, printJson } from './context.js';
import { parseIsoDate } from './dates.js';
import { withDb } from './with-db.js';

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

export type { StagesReport };

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const yuan = (x: number): string => Math.round(x).toLocaleString('en-US');
const days = (x: number | null): string => (x === null ? '—' : x.toFixed(0));

/** Pads to a display width, counting CJK characters as two columns. */
function pad(s: string, width: number): string {
  let w = 0;
  for (const ch of s) w += /[\u2E80-\uFFEF]/.test(ch) ? 2 : 1;
  return s + ' '.repeat(Math.max(0, width - w));
}

export function describeStages(r: StagesReport): string {
  const name = new Map(r.mix.map((s) => [s.stage, `${s.zh} ${s.en}`]));
  const label = (code: string | null) => (code === null ? '新进入 New' : (name.get(code) ?? code));
  const lines = [
    `${r.modelName.zh} ${r.modelName.en} (${r.model}) as of ${r.asOf}: ${r.customers} customers`,
    '',
    `  ${pad('阶段 stage', 28)}${'customers'.padStart(10)}${'share'.padStart(9)}${'revenue ¥'.padStart(14)}${'CLV ¥'.padStart(14)}`,
  ];
  for (const s of r.mix) {
    lines.push(
      `  ${pad(label(s.stage), 28)}${String(s.customers).padStart(10)}${pct(s.share).padStart(9)}${yuan(s.revenueYuan).padStart(14)}${yuan(s.clvYuan).padStart(14)}`,
    );
  }
  lines.push(
    r.valueSnapshot
      ? `  (revenue to date and predicted CLV from the score snapshot of ${r.valueSnapshot})`
      : '  (no score snapshot yet: run tenure analyze for revenue and CLV)',
  );
  lines.push(
    '',
    `  ${pad('客户轨迹 trajectory', 28)}${'customers'.padStart(10)}${'revenue ¥'.padStart(14)}${'CLV ¥'.padStart(14)}`,
  );
  for (const t of r.trajectories) {
    lines.push(
      `  ${pad(`${t.zh} ${t.en}`, 28)}${String(t.customers).padStart(10)}${yuan(t.revenueYuan).padStart(14)}${yuan(t.clvYuan).padStart(14)}`,
    );
  }
  lines.push('', `  transitions ${r.from ?? '(start)'} → ${r.asOf}:`);
  for (const t of r.transitions.counts) {
    lines.push(
      `  ${pad(label(t.from), 28)}→ ${pad(label(t.to), 28)}${String(t.customers).padStart(8)}${pct(t.rate).padStart(9)}`,
    );
  }
  lines.push(
    '',
    `  ${pad('停留时间 dwell (days)', 28)}${'stays'.padStart(8)}${'ongoing'.padStart(9)}${'q1'.padStart(7)}${'median'.padStart(8)}${'q3'.padStart(7)}`,
  );
  for (const d of r.dwell) {
    lines.push(
      `  ${pad(label(d.stage), 28)}${String(d.stays).padStart(8)}${String(d.ongoing).padStart(9)}${days(d.q1Days).padStart(7)}${days(d.medianDays).padStart(8)}${days(d.q3Days).padStart(7)}`,
    );
  }
  lines.push(
    '',
    `  ${pad('转化漏斗 funnel', 28)}${'reached'.padStart(9)}${'step'.padStart(9)}${'overall'.padStart(9)}`,
  );
  for (const f of r.funnel) {
    lines.push(
      `  ${pad(label(f.stage), 28)}${String(f.reached).padStart(9)}${pct(f.conversion).padStart(9)}${pct(f.cumulative).padStart(9)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function registerStages(program: Command, ctx: CliContext): void {
  program
    .command('stages')
    .description('lifecycle stage report: mix, transitions, dwell times and funnel (read-only)')
    .option(
      '--model <model>',
      `stage model: ${Object.keys(PRESET_MODELS).join('|')}`,
      'relationship',
    )
    .option('--as-of <date>', 'report date YYYY-MM-DD (default: the latest history date)', (v) =>
      parseIsoDate(v, '--as-of'),
    )
    .option(
      '--from <date>',
      'transitions from this date (default: the previous history date)',
      (v) => parseIsoDate(v, '--from'),
    )
    .option('--json', 'print the report as JSON')
    .action(async (opts) => {
      const model = stageModelByKey(opts.model);
      if (opts.asOf && opts.from && opts.from > opts.asOf) {
        throw new InputError(
          `--from (${isoDay(opts.from)}) must not be after --as-of (${isoDay(opts.asOf)})`,
          { field: '--from', value: isoDay(opts.from) },
        );
      }
      const report = await withDb(ctx, (db) =>
        buildStagesReport(db, model, { asOf: opts.asOf, from: opts.from }),
      );
      if (opts.json) printJson(ctx, report);
      else ctx.out.write(describeStages(report));
    });
}
