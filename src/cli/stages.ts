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
import {
  classifyTrajectories,
  conversionFunnel,
  dwellTimes,
  PRESET_MODELS,
  type StageModel,
  transitionMatrix,
} from '../engine/index.js';
import { InputError, NotFoundError } from '../errors.js';
import {
  customerValuesAt,
  historyDates,
  loadStageHistory,
  stageCountsAt,
} from '../store/lifecycle-repo.js';
import { listStageModels } from '../store/stage-model-repo.js';
import { type CliContext, printJson } from './context.js';
import { parseIsoDate } from './dates.js';
import { withDb } from './with-db.js';

export interface StagesReport {
  model: string;
  modelName: { zh: string; en: string };
  asOf: string;
  from: string | null;
  customers: number;
  mix: {
    stage: string;
    zh: string;
    en: string;
    colour: string;
    customers: number;
    share: number;
    /** historical revenue of the stage's customers to the snapshot date, yuan */
    revenueYuan: number;
    /** their predicted CLV (discounted margin over the snapshot's horizon), yuan */
    clvYuan: number;
  }[];
  /** the score snapshot the value figures come from (null: none yet) */
  valueSnapshot: string | null;
  /** each relationship's path (seed 000 fig. 2-4), with the customers and the value in it */
  trajectories: {
    pattern: string;
    zh: string;
    en: string;
    customers: number;
    revenueYuan: number;
    clvYuan: number;
  }[];
  transitions: {
    counts: { from: string | null; to: string; customers: number; rate: number }[];
    sankey: {
      nodes: {
        id: string;
        stage: string | null;
        side: 'from' | 'to';
        zh: string;
        en: string;
        colour: string;
      }[];
      links: { source: string; target: string; value: number }[];
    };
  };
  dwell: {
    stage: string;
    zh: string;
    en: string;
    stays: number;
    ended: number;
    ongoing: number;
    q1Days: number | null;
    medianDays: number | null;
    q3Days: number | null;
  }[];
  funnel: {
    stage: string;
    zh: string;
    en: string;
    reached: number;
    conversion: number;
    cumulative: number;
  }[];
}

const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const iso = (d: Date): string => d.toISOString().slice(0, 10);

function stageModelByKey(key: string): StageModel {
  const model = PRESET_MODELS[key];
  if (model === undefined) {
    throw new InputError(
      `--model must be one of ${Object.keys(PRESET_MODELS).join(', ')}, got "${key}"`,
      { field: '--model', value: key },
    );
  }
  return model;
}

export async function buildStagesReport(
  ctx: CliContext,
  modelArg: StageModel,
  opts: { asOf?: Date; from?: Date },
): Promise<StagesReport> {
  let model = modelArg;
  return withDb(ctx, async (db) => {
    // Names, colours and order as the business has them (a renamed stage shows renamed).
    model = (await listStageModels(db)).find((m) => m.model.key === model.key)?.model ?? model;
    const dates = await historyDates(db, model.key);
    if (dates.length === 0) {
      throw new NotFoundError(
        `no stage history for model ${model.key} yet; run \`tenure analyze\` first`,
        { value: model.key },
      );
    }
    const asOfIso = opts.asOf ? iso(opts.asOf) : dates[dates.length - 1];
    const asOf = day(asOfIso);
    if (asOfIso < dates[0]) {
      throw new NotFoundError(
        `no stage history of model ${model.key} at or before ${asOfIso}; it starts on ${dates[0]}`,
        { value: asOfIso },
      );
    }
    let fromIso: string | null = null;
    if (opts.from) {
      fromIso = iso(opts.from);
      if (fromIso > asOfIso) {
        throw new InputError(`--from (${fromIso}) must not be after --as-of (${asOfIso})`, {
          field: '--from',
          value: fromIso,
        });
      }
    } else {
      fromIso = dates.filter((d) => d < asOfIso).pop() ?? null;
    }
    const counts = await stageCountsAt(db, model.key, asOf);
    const rows = await loadStageHistory(db, model.key, asOf);
    let customers = 0;
    for (const n of counts.values()) customers += n;
    const { snapshot, values } = await customerValuesAt(db, asOf);
    const current = new Map<string, string>();
    for (const r of rows) current.set(r.customerId, r.stage); // rows come in date order per customer
    const byStage = new Map<string, { revenue: number; clv: number }>();
    for (const [id, stage] of current) {
      const v = values.get(id);
      const acc = byStage.get(stage) ?? { revenue: 0, clv: 0 };
      acc.revenue += v?.revenueMinor ?? 0;
      acc.clv += v?.clvMinor ?? 0;
      byStage.set(stage, acc);
    }
    const mix = model.stages.map((s) => {
      const n = counts.get(s.code) ?? 0;
      const v = byStage.get(s.code) ?? { revenue: 0, clv: 0 };
      return {
        stage: s.code,
        zh: s.name.zh,
        en: s.name.en,
        colour: s.colour,
        customers: n,
        share: customers === 0 ? 0 : n / customers,
        revenueYuan: v.revenue / 100,
        clvYuan: v.clv / 100,
      };
    });
    const patterns = new Map<
      string,
      { zh: string; en: string; n: number; revenue: number; clv: number }
    >();
    for (const t of classifyTrajectories(model, rows, asOf)) {
      const p = patterns.get(t.pattern) ?? {
        zh: t.name.zh,
        en: t.name.en,
        n: 0,
        revenue: 0,
        clv: 0,
      };
      const v = values.get(t.customerId);
      p.n++;
      p.revenue += v?.revenueMinor ?? 0;
      p.clv += v?.clvMinor ?? 0;
      patterns.set(t.pattern, p);
    }
    const trajectories = [...patterns].map(([pattern, p]) => ({
      pattern,
      zh: p.zh,
      en: p.en,
      customers: p.n,
      revenueYuan: p.revenue / 100,
      clvYuan: p.clv / 100,
    }));
    // Without a previous day every customer is new: `from` one millisecond before all history.
    const from = fromIso ? day(fromIso) : new Date(day(dates[0]).getTime() - 1);
    const m = transitionMatrix(model, rows, from, asOf);
    const flows: StagesReport['transitions']['counts'] = [];
    const enteredTotal = m.entered.reduce((s, v) => s + v, 0);
    m.entered.forEach((v, j) => {
      if (v > 0) flows.push({ from: null, to: m.stages[j], customers: v, rate: v / enteredTotal });
    });
    m.counts.forEach((row, i) => {
      row.forEach((v, j) => {
        if (v > 0)
          flows.push({ from: m.stages[i], to: m.stages[j], customers: v, rate: m.rates[i][j] });
      });
    });
    return {
      model: model.key,
      modelName: { zh: model.name.zh, en: model.name.en },
      asOf: asOfIso,
      from: fromIso,
      customers,
      mix,
      valueSnapshot: snapshot,
      trajectories,
      transitions: {
        counts: flows,
        sankey: {
          nodes: m.nodes.map((n) => ({
            id: n.id,
            stage: n.stage,
            side: n.side,
            zh: n.name.zh,
            en: n.name.en,
            colour: n.colour,
          })),
          links: m.links.map((l) => ({ source: l.source, target: l.target, value: l.value })),
        },
      },
      dwell: dwellTimes(model, rows, asOf).map((d) => ({
        stage: d.stage,
        zh: d.name.zh,
        en: d.name.en,
        stays: d.stays,
        ended: d.ended,
        ongoing: d.ongoing,
        q1Days: d.q1Days,
        medianDays: d.medianDays,
        q3Days: d.q3Days,
      })),
      funnel: conversionFunnel(model, rows, asOf).map((f) => ({
        stage: f.stage,
        zh: f.name.zh,
        en: f.name.en,
        reached: f.reached,
        conversion: f.conversion,
        cumulative: f.cumulative,
      })),
    };
  });
}

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
      const report = await buildStagesReport(ctx, model, { asOf: opts.asOf, from: opts.from });
      if (opts.json) printJson(ctx, report);
      else ctx.out.write(describeStages(report));
    });
}
