/**
 * Stage reports over a model's history rows (issue 4 part 3, SPEC §3 "Reports"): stage mix at a
 * date, the transition matrix between two dates (Sankey-ready), dwell time per stage and the
 * conversion funnel prospect → stability.
 *
 * A history row says a customer entered a stage at an instant; the customer stays in it until
 * their next row. Consecutive rows with the same stage are one stay. Rows after the report's
 * date are ignored, so the same rows give the same report for any past date.
 *
 * Dwell time uses the Kaplan–Meier product-limit estimator so customers still in a stage
 * (right-censored at the report date) count without biasing the median down:
 * Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations.
 * Journal of the American Statistical Association 53(282), 457–481, eq. (2.2)
 * (https://doi.org/10.1080/01621459.1958.10501452).
 */
import { InputError } from '../../errors.js';
import type { Bilingual, StageModel } from './model.js';

const MS_PER_DAY = 86_400_000;

export interface StageHistoryRow {
  readonly customerId: string;
  readonly stage: string;
  readonly enteredAt: Date;
}

/** Rows per customer, in time order, up to and including `until`; codes checked against the model. */
export function historyByCustomer(
  model: StageModel,
  rows: readonly StageHistoryRow[],
  until: Date,
): Map<string, StageHistoryRow[]> {
  const codes = new Set(model.stages.map((s) => s.code));
  const t = until.getTime();
  const out = new Map<string, StageHistoryRow[]>();
  rows.forEach((r, i) => {
    if (!codes.has(r.stage)) {
      throw new InputError(
        `history.${i}.stage: expected one of ${[...codes].join(', ')}, got ${JSON.stringify(r.stage)}`,
        { field: `history.${i}.stage`, value: r.stage },
      );
    }
    const at = r.enteredAt instanceof Date ? r.enteredAt.getTime() : Number.NaN;
    if (!Number.isFinite(at)) {
      throw new InputError(
        `history.${i}.enteredAt: expected a valid date, got ${String(r.enteredAt)}`,
        {
          field: `history.${i}.enteredAt`,
          value: r.enteredAt,
        },
      );
    }
    if (at > t) return;
    let list = out.get(r.customerId);
    if (list === undefined) {
      list = [];
      out.set(r.customerId, list);
    }
    list.push(r);
  });
  for (const list of out.values())
    list.sort((a, b) => a.enteredAt.getTime() - b.enteredAt.getTime());
  return out;
}

function stageAt(list: readonly StageHistoryRow[], t: number): string | null {
  let stage: string | null = null;
  for (const r of list) {
    if (r.enteredAt.getTime() > t) break;
    stage = r.stage;
  }
  return stage;
}

export interface StageCount {
  readonly stage: string;
  readonly name: Bilingual;
  readonly colour: string;
  readonly count: number;
  /** count ÷ customers with a stage at the date (0 when there are none) */
  readonly share: number;
}

export interface StageMix {
  readonly at: Date;
  readonly total: number;
  /** in the model's stage order, every stage present (count 0 when empty) */
  readonly stages: readonly StageCount[];
}

function counts(model: StageModel, stages: Iterable<string>): StageCount[] {
  const n = new Map<string, number>();
  let total = 0;
  for (const s of stages) {
    n.set(s, (n.get(s) ?? 0) + 1);
    total++;
  }
  return model.stages.map((s) => {
    const count = n.get(s.code) ?? 0;
    return {
      stage: s.code,
      name: s.name,
      colour: s.colour,
      count,
      share: total === 0 ? 0 : count / total,
    };
  });
}

/** How many customers are in each stage at `at` (each customer's latest row at or before it). */
export function stageMix(model: StageModel, rows: readonly StageHistoryRow[], at: Date): StageMix {
  const by = historyByCustomer(model, rows, at);
  const current: string[] = [];
  for (const list of by.values()) current.push(list[list.length - 1].stage);
  const stages = counts(model, current);
  return Object.freeze({ at, total: current.length, stages: Object.freeze(stages) });
}

/** Stage mix at each of `dates` (SPEC §3 "stage mix over time"), in the order given. */
export function stageMixSeries(
  model: StageModel,
  rows: readonly StageHistoryRow[],
  dates: readonly Date[],
): StageMix[] {
  return dates.map((d) => stageMix(model, rows, d));
}

export interface SankeyNode {
  /** `from:<code>`, `to:<code>`, or `from:(new)` for customers without a stage at `from` */
  readonly id: string;
  readonly stage: string | null;
  readonly side: 'from' | 'to';
  readonly name: Bilingual;
  readonly colour: string;
}

export interface SankeyLink {
  readonly source: string;
  readonly target: string;
  readonly value: number;
}

export interface TransitionMatrixReport {
  readonly from: Date;
  readonly to: Date;
  /** row and column order (the model's stage order) */
  readonly stages: readonly string[];
  /** counts[i][j]: customers in stages[i] at `from` and stages[j] at `to` */
  readonly counts: readonly (readonly number[])[];
  /** counts[i][j] ÷ the row total; a row with no customers is all 0 */
  readonly rates: readonly (readonly number[])[];
  /** customers with no stage at `from` who have one at `to`, per `to` stage */
  readonly entered: readonly number[];
  readonly nodes: readonly SankeyNode[];
  /** non-zero flows only */
  readonly links: readonly SankeyLink[];
}

/** Stage at `from` → stage at `to` for every customer, with counts, row rates and Sankey data. */
export function transitionMatrix(
  model: StageModel,
  rows: readonly StageHistoryRow[],
  from: Date,
  to: Date,
): TransitionMatrixReport {
  if (!(from.getTime() <= to.getTime())) {
    throw new InputError(
      `from: expected a date not after to (${to.toISOString()}), got ${from.toISOString()}`,
      {
        field: 'from',
        value: from,
      },
    );
  }
  const codes = model.stages.map((s) => s.code);
  const index = new Map(codes.map((c, i) => [c, i]));
  const k = codes.length;
  const n = codes.map(() => new Array<number>(k).fill(0));
  const entered = new Array<number>(k).fill(0);
  const by = historyByCustomer(model, rows, to);
  for (const list of by.values()) {
    const a = stageAt(list, from.getTime());
    const b = list[list.length - 1].stage;
    const j = index.get(b) as number;
    if (a === null) entered[j]++;
    else n[index.get(a) as number][j]++;
  }
  const rates = n.map((row) => {
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (total === 0 ? 0 : v / total));
  });
  const nodes: SankeyNode[] = [];
  if (entered.some((v) => v > 0)) {
    nodes.push({
      id: 'from:(new)',
      stage: null,
      side: 'from',
      name: { zh: '新进入', en: 'New' },
      colour: '#d1d5db',
    });
  }
  for (const side of ['from', 'to'] as const) {
    for (const s of model.stages) {
      nodes.push({ id: `${side}:${s.code}`, stage: s.code, side, name: s.name, colour: s.colour });
    }
  }
  const links: SankeyLink[] = [];
  entered.forEach((v, j) => {
    if (v > 0) links.push({ source: 'from:(new)', target: `to:${codes[j]}`, value: v });
  });
  n.forEach((row, i) => {
    row.forEach((v, j) => {
      if (v > 0) links.push({ source: `from:${codes[i]}`, target: `to:${codes[j]}`, value: v });
    });
  });
  return Object.freeze({ from, to, stages: codes, counts: n, rates, entered, nodes, links });
}

export interface KaplanMeierStep {
  /** days */
  readonly t: number;
  readonly atRisk: number;
  readonly events: number;
  /** S(t) just after t */
  readonly survival: number;
}

/**
 * Kaplan–Meier product-limit estimate (Kaplan & Meier 1958, eq. 2.2): S(t) = Π_{t_i ≤ t}
 * (1 − d_i / n_i) over the distinct event times t_i, with d_i events and n_i still at risk
 * (censored at t_i count as at risk at t_i).
 */
export function kaplanMeier(
  durations: readonly number[],
  ended: readonly boolean[],
): KaplanMeierStep[] {
  if (durations.length !== ended.length) {
    throw new InputError(
      `ended: expected ${durations.length} entries (one per duration), got ${ended.length}`,
      { field: 'ended' },
    );
  }
  const order = durations.map((_, i) => i).sort((a, b) => durations[a] - durations[b]);
  let atRisk = durations.length;
  let s = 1;
  const steps: KaplanMeierStep[] = [];
  let k = 0;
  while (k < order.length) {
    const t = durations[order[k]];
    let d = 0;
    let c = 0;
    while (k < order.length && durations[order[k]] === t) {
      if (ended[order[k]]) d++;
      else c++;
      k++;
    }
    if (d > 0) {
      s *= 1 - d / atRisk;
      steps.push({ t, atRisk, events: d, survival: s });
    }
    atRisk -= d + c;
  }
  return steps;
}

/** Smallest t with S(t) ≤ 1 − p: the p-quantile of the duration; null if the curve never gets there. */
export function kaplanMeierQuantile(steps: readonly KaplanMeierStep[], p: number): number | null {
  for (const st of steps) if (st.survival <= 1 - p + 1e-12) return st.t;
  return null;
}

export interface DwellTime {
  readonly stage: string;
  readonly name: Bilingual;
  /** stays that began in this stage */
  readonly stays: number;
  /** stays that ended (the customer moved on) before the report date */
  readonly ended: number;
  /** stays still running at the report date (censored) */
  readonly ongoing: number;
  /** Kaplan–Meier quartiles of the days in the stage; null when the estimate does not reach them */
  readonly q1Days: number | null;
  readonly medianDays: number | null;
  readonly q3Days: number | null;
  readonly curve: readonly KaplanMeierStep[];
}

/** Days spent in each stage, Kaplan–Meier over stays, with stays still running censored at `asOf`. */
export function dwellTimes(
  model: StageModel,
  rows: readonly StageHistoryRow[],
  asOf: Date,
): DwellTime[] {
  const t = asOf.getTime();
  const dur = new Map<string, number[]>();
  const end = new Map<string, boolean[]>();
  for (const s of model.stages) {
    dur.set(s.code, []);
    end.set(s.code, []);
  }
  for (const list of historyByCustomer(model, rows, asOf).values()) {
    let i = 0;
    while (i < list.length) {
      let j = i + 1;
      while (j < list.length && list[j].stage === list[i].stage) j++;
      const start = list[i].enteredAt.getTime();
      const stop = j < list.length ? list[j].enteredAt.getTime() : t;
      (dur.get(list[i].stage) as number[]).push((stop - start) / MS_PER_DAY);
      (end.get(list[i].stage) as boolean[]).push(j < list.length);
      i = j;
    }
  }
  return model.stages.map((s) => {
    const d = dur.get(s.code) as number[];
    const e = end.get(s.code) as boolean[];
    const curve = kaplanMeier(d, e);
    const ended = e.filter(Boolean).length;
    return Object.freeze({
      stage: s.code,
      name: s.name,
      stays: d.length,
      ended,
      ongoing: d.length - ended,
      q1Days: kaplanMeierQuantile(curve, 0.25),
      medianDays: kaplanMeierQuantile(curve, 0.5),
      q3Days: kaplanMeierQuantile(curve, 0.75),
      curve,
    });
  });
}

export interface FunnelStep {
  readonly stage: string;
  readonly name: Bilingual;
  /** customers who ever reached this step or a later one */
  readonly reached: number;
  /** reached ÷ reached at the previous step (1 for the first step; 0 after an empty step) */
  readonly conversion: number;
  /** reached ÷ reached at the first step */
  readonly cumulative: number;
}

/**
 * Conversion funnel over the model's prospect → stability stages (in stage order; decline and
 * churned are not steps). Reaching a later step counts as passing the earlier ones, so a
 * customer first seen in exploration still counts as a prospect converted, and one first seen
 * in decline or churned counts as having reached the first buying step.
 */
export function conversionFunnel(
  model: StageModel,
  rows: readonly StageHistoryRow[],
  asOf: Date,
): FunnelStep[] {
  const steps = model.stages.filter((s) => s.role !== 'decline' && s.role !== 'churned');
  const stepOf = new Map(steps.map((s, i) => [s.code, i]));
  // Decline and churn presuppose a purchase: they count as reaching the first buying step.
  const firstBuying = steps.findIndex((s) => s.role !== 'prospect');
  for (const s of model.stages) {
    if (s.role === 'decline' || s.role === 'churned') stepOf.set(s.code, Math.max(firstBuying, 0));
  }
  const reached = new Array<number>(steps.length).fill(0);
  for (const list of historyByCustomer(model, rows, asOf).values()) {
    let best = -1;
    for (const r of list) best = Math.max(best, stepOf.get(r.stage) ?? -1);
    for (let i = 0; i <= best; i++) reached[i]++;
  }
  return steps.map((s, i) => ({
    stage: s.code,
    name: s.name,
    reached: reached[i],
    conversion: i === 0 ? 1 : reached[i - 1] === 0 ? 0 : reached[i] / reached[i - 1],
    cumulative: reached[0] === 0 ? 0 : reached[i] / reached[0],
  }));
}
