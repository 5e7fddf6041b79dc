/**
 * The lifecycle stage report of one stage model from its history (issue 4 part 3, SPEC §3
 * "Reports"), as `tenure stages --json` prints it and `GET /api/stages` returns it.
 *
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
 *
 * "At day D" means each customer's latest history row with changed_at ≤ D 00:00 UTC (history is
 * written at the analysis day's midnight). Mix counts are an SQL aggregate (DISTINCT ON);
 * transitions, dwell and funnel are the engine's functions over the history rows up to asOf.
 */
import {
  classifyTrajectories,
  conversionFunnel,
  dwellTimes,
  PRESET_MODELS,
  type StageModel,
  transitionMatrix,
} from '../engine/index.js';
import { InputError, NotFoundError } from '../errors.js';
import type { Db } from './db.js';
import {
  customerValuesAt,
  historyDates,
  loadStageHistory,
  stageCountsAt,
} from './lifecycle-repo.js';
import { listStageModels } from './stage-model-repo.js';

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

/** The preset stage model `key`, or an InputError naming the known ones. */
export function stageModelByKey(key: string): StageModel {
  const model = PRESET_MODELS[key];
  if (model === undefined) {
    throw new InputError(
      `--model must be one of ${Object.keys(PRESET_MODELS).join(', ')}, got "${key}"`,
      { field: '--model', value: key },
    );
  }
  return model;
}

/**
 * The lifecycle report of one stage model from its history (mix, value, trajectories,
 * transitions with Sankey data, Kaplan–Meier dwell, funnel) as of `opts.asOf` (default: the
 * model's latest history day), transitions from `opts.from` (default: the history day before).
 * Read-only. Used by `tenure stages` and `GET /api/stages`.
 */
export async function buildStagesReport(
  db: Db,
  modelArg: StageModel,
  opts: { asOf?: Date; from?: Date } = {},
): Promise<StagesReport> {
  let model = modelArg;
  {
    // Names, colours and order as the business has them (a renamed stage shows renamed).
    model = (await listStageModels(db)).find((m) => m.model.key === model.key)?.model ?? model;
    const dates = await historyDates(db, model.key);
    if (dates.length === 0) {
      throw new NotFoundError(
        `no stage history for model ${model.key} yet: run an analysis first (\`tenure analyze\`, or Analysis in the web app)`,
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
        throw new InputError(
          `the transitions' start day (${fromIso}) must not be after the report day (${asOfIso})`,
          { field: 'from', value: fromIso },
        );
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
  }
}
