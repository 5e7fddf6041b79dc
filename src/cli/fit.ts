/**
 * `tenure fit`: fit a CLV model straight from a file, no database.
 *
 *   tenure fit <transactions.csv> --model bgnbd|mbgnbd|pareto|gammagamma
 *       [--customer-col C --date-col D --amount-col A]   header names or 1-based positions
 *       [--unit day|week] [--calibration-end DATE] [--holdout-end DATE] [--as-of DATE]
 *       [--predict OUT.csv [--horizon-months 12] [--discount-rate 0.10] [--margin 1]] [--json]
 *   tenure fit --summary summary.csv --model …    columns x,t_x,T[,monetary] (or lifetimes'
 *       frequency,recency,T,monetary_value; zbar)
 *   tenure fit --model sbg --survivors 1000,631,468,…   (or a file, one count per period)
 *
 * Periods: calibration ends at --calibration-end, else --as-of, else the last purchase day; the
 * holdout runs from the next day to --holdout-end, else to --as-of when that is later. Purchases
 * after the last period are ignored (and counted in a warning).
 *
 * Columns: found from the header (ingest's English and Chinese synonyms plus a few CLV data-set
 * names), or given as names or 1-based positions. Whitespace-separated files without a header
 * take positions: CDNOW_sample.txt (master id, sample id, YYYYMMDD, CDs, dollars) is
 * --customer-col 1 --date-col 3 --amount-col 5; CDNOW_master.txt (header customer_id, date,
 * number_of_cds, dollar_value) is found by name, or --customer-col 1 --date-col 2 --amount-col 4.
 *
 * A fit that does not converge prints what it found, then exits 1 with the reason; bad input
 * exits 2 naming file:line:column. Figures carry their unit: rates in --unit, money in the
 * amounts' currency (--currency names it), expected purchases over --horizon-months, CLV
 * discounted at --discount-rate per year (FHL 2005 "RFM and CLV"; see engine customer-value.ts).
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import {
  type BgNbdParams,
  compressRfm,
  expectedCumulativeRepeats,
  expectedPurchasesAhead,
  type FitResult,
  fitBgNbd,
  fitGammaGamma,
  fitMbgNbd,
  fitParetoNbd,
  fitShiftedBetaGeometric,
  type GammaGammaFit,
  type GammaGammaParams,
  gammaGammaExpectedSpend,
  type HoldoutReport,
  holdoutReport,
  type MbgNbdParams,
  type ParetoNbdParams,
  type PurchaseModel,
  scoreCustomers,
  type TimeUnit,
} from '../engine/index.js';
import { assertNever, InputError, ModelError } from '../errors.js';
import { type CliContext, printJson } from './context.js';
import {
  isoDay,
  parseDay,
  readSummary,
  readSurvivors,
  readTransactions,
  type SummaryInput,
  type TransactionsInput,
} from './fit-read.js';
import { startProgress } from './progress.js';

export const FIT_MODELS = ['bgnbd', 'mbgnbd', 'pareto', 'gammagamma', 'sbg'] as const;
export type FitModel = (typeof FIT_MODELS)[number];

const LABEL: Record<FitModel, string> = {
  bgnbd: 'BG/NBD',
  mbgnbd: 'MBG/NBD',
  pareto: 'Pareto/NBD',
  gammagamma: 'Gamma-Gamma',
  sbg: 'sBG',
};

interface FitOptions {
  model: FitModel;
  summary?: string;
  survivors?: string;
  customerCol?: string;
  dateCol?: string;
  amountCol?: string;
  unit: TimeUnit;
  calibrationEnd?: string;
  holdoutEnd?: string;
  asOf?: string;
  predict?: string;
  horizonMonths: number;
  discountRate: number;
  margin: number;
  currency?: string;
  json?: boolean;
}

type Params = Record<string, number>;

/** What every figure means, for the table: parameter → its unit ('' when unitless). */
function paramUnits(model: FitModel, unit: string, money: string): Record<string, string> {
  switch (model) {
    case 'bgnbd':
    case 'mbgnbd':
      return { r: '', alpha: unit, a: '', b: '' };
    case 'pareto':
      return { r: '', alpha: unit, s: '', beta: unit };
    case 'gammagamma':
      return { p: '', q: '', gamma: money };
    case 'sbg':
      return { alpha: '', beta: '' };
    default:
      return assertNever(model, 'model');
  }
}

function choice<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InputError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`, {
        field: name,
        value,
      });
    }
    return value as T;
  };
}

function numberOption(name: string, check: (n: number) => boolean, expected: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !check(n)) {
      throw new InputError(`${name}: expected ${expected}, got "${value}"`, { field: name, value });
    }
    return n;
  };
}

function purchaseModelOf(model: FitModel, params: Params): PurchaseModel | null {
  switch (model) {
    case 'bgnbd':
      return { kind: 'bg-nbd', params: params as BgNbdParams };
    case 'mbgnbd':
      return { kind: 'mbg-nbd', params: params as MbgNbdParams };
    case 'pareto':
      return { kind: 'pareto-nbd', params: params as ParetoNbdParams };
    case 'gammagamma':
    case 'sbg':
      return null;
    default:
      return assertNever(model, 'model');
  }
}

type RfmInput = TransactionsInput | SummaryInput;

/** Gamma-gamma on (x, zbar); repeaters whose repeat purchases were all free are left out. */
function fitSpend(input: RfmInput): { fit: GammaGammaFit; freeRepeaters: number } {
  const zbar = input.zbar as Float64Array;
  let freeRepeaters = 0;
  const x = Float64Array.from(input.x, (xi, i) => {
    if (xi > 0 && !(zbar[i] > 0)) {
      freeRepeaters++;
      return 0;
    }
    return xi;
  });
  return { fit: fitGammaGamma(x, zbar), freeRepeaters };
}

interface HoldoutSummary {
  from: string;
  to: string;
  length: number;
  unit: TimeUnit;
  measure: string;
  customers: number;
  actualTotal: number;
  predictedTotal: number;
  trackingPredictedTotal: number;
  /** repeat purchase days of these customers from their first purchase to the holdout end */
  cumulativeActual: number;
  cumulativePredicted: number;
  mae: number;
  rmse: number;
  correlation: number;
  byFrequency: HoldoutReport['byFrequency'];
}

/**
 * Holdout validation: each customer's expected purchases in the holdout given her calibration
 * history (Fader, Hardie & Lee 2005, Figure 4) against what she bought, and the cohort's
 * unconditional expected purchases in the same weeks (ibid., Figure 2, the tracking plot).
 */
function validate(model: PurchaseModel, input: TransactionsInput, unit: TimeUnit): HoldoutSummary {
  const h = input.holdoutLength;
  const n = input.x.length;
  const predicted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    predicted[i] = expectedPurchasesAhead(model, h, input.x[i], input.tx[i], input.T[i]);
  }
  const report = holdoutReport(predicted, input.holdoutPurchases, input.x);
  const [atCalibrationEnd, atHoldoutEnd] = expectedCumulativeRepeats(model, input.firstPurchaseAt, [
    input.calibrationEndAt,
    input.holdoutEndAt,
  ]);
  const from = new Date((input.calibrationEnd as Date).getTime() + 86_400_000);
  return {
    from: isoDay(from),
    to: isoDay(input.holdoutEnd as Date),
    length: h,
    unit,
    measure: 'repeat purchase days per customer in the holdout period',
    customers: report.customers,
    actualTotal: report.totalActual,
    predictedTotal: report.totalPredicted,
    trackingPredictedTotal: atHoldoutEnd - atCalibrationEnd,
    cumulativeActual: input.x.reduce((a, b) => a + b, 0) + report.totalActual,
    cumulativePredicted: atHoldoutEnd,
    mae: report.mae,
    rmse: report.rmse,
    correlation: report.correlation,
    byFrequency: report.byFrequency,
  };
}

// The spend model that predicts exactly 1 per purchase for everyone (p(γ + x·1)/(p·x + q − 1)
// = (1 + x)/(x + 1) with zbar = 1): scoring with it makes scoreCustomers' "CLV" the discounted
// expected purchases, which the real spend (with free repeaters falling back to the population
// mean) then multiplies.
const UNIT_SPEND: GammaGammaParams = { p: 1, q: 2, gamma: 1 };

interface PredictSummary {
  file: string;
  customers: number;
  horizonMonths: number;
  annualDiscountRate: number;
  margin: number;
  money: string;
  totalExpectedPurchases: number;
  totalDiscountedClv: number | null;
}

async function writePredictions(
  file: string,
  model: PurchaseModel,
  spend: GammaGammaParams | null,
  input: RfmInput,
  opts: FitOptions,
  money: string,
): Promise<PredictSummary> {
  const n = input.x.length;
  const scores = scoreCustomers(
    model,
    UNIT_SPEND,
    { x: input.x, tx: input.tx, T: input.T, zbar: new Float64Array(n).fill(1) },
    {
      unit: opts.unit,
      horizonMonths: opts.horizonMonths,
      annualDiscountRate: opts.discountRate,
      margin: 1,
    },
  );
  const u = `${opts.unit}s`;
  const months = opts.horizonMonths;
  const pct = `${+(opts.discountRate * 100).toFixed(4)}pct_per_year`;
  const moneyTag = money.replace(/\W+/g, '_');
  const header = [
    'customer_id',
    'x_repeat_purchases',
    `t_x_${u}`,
    `T_${u}`,
    'p_alive',
    `expected_purchases_next_${months}_months`,
    `expected_spend_per_purchase_${moneyTag}`,
    `discounted_clv_${months}_months_${moneyTag}_at_${pct}_margin_${opts.margin}`,
  ].join(',');
  const handle = await open(file, 'w').catch((cause: unknown) => {
    throw new InputError(`${file}: cannot write the predictions`, { file }, cause);
  });
  let totalPurchases = 0;
  let totalClv = 0;
  const cell = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '');
  try {
    let chunk = `${header}\n`;
    for (let i = 0; i < n; i++) {
      const x = input.x[i];
      const zbar = input.zbar?.[i] ?? 0;
      const perPurchase =
        spend === null ? Number.NaN : gammaGammaExpectedSpend(spend, zbar > 0 ? x : 0, zbar);
      const clv = opts.margin * perPurchase * scores.discountedClv[i];
      totalPurchases += scores.expectedPurchasesInHorizon[i];
      totalClv += clv;
      const id = input.customerIds[i];
      chunk += `${/[",\n\r]/.test(id) ? `"${id.replaceAll('"', '""')}"` : id},${x},${+input.tx[i].toFixed(6)},${+input.T[i].toFixed(6)},${cell(scores.probabilityAlive[i], 6)},${cell(scores.expectedPurchasesInHorizon[i], 6)},${cell(perPurchase, 4)},${cell(clv, 4)}\n`;
      if (chunk.length > 1 << 20) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    await handle.write(chunk);
  } finally {
    await handle.close();
  }
  return {
    file,
    customers: n,
    horizonMonths: months,
    annualDiscountRate: opts.discountRate,
    margin: opts.margin,
    money,
    totalExpectedPurchases: totalPurchases,
    totalDiscountedClv: spend === null ? null : totalClv,
  };
}

// ---------------------------------------------------------------------------------------------
// Output

function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(digits - 1);
  return v.toFixed(digits);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 row", "2,357 rows" */
function counted(n: number, one: string, many: string): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))))
    .map((r) => `  ${r.join('  ').trimEnd()}`)
    .join('\n');
}

interface Report {
  model: FitModel;
  unit: TimeUnit | 'period';
  customers: number;
  source: Record<string, unknown>;
  params: Params;
  stderr: Params;
  /** 95 % interval per parameter, symmetric in log(parameter) as the fit is (see optim/fit.ts) */
  interval95: Record<string, [number, number]>;
  logLikelihood: number;
  aic: number;
  bic: number;
  iterations: number;
  converged: boolean;
  reason: string;
  fitMs: number;
  /** Gamma-Gamma only: Pearson correlation of x and zbar among repeaters (assumed ≈ 0) */
  frequencySpendCorrelation?: number;
  warnings: string[];
  holdout: HoldoutSummary | null;
  spendModel: {
    params: Params;
    stderr: Params;
    customers: number;
    converged: boolean;
    reason: string;
  } | null;
  predictions: PredictSummary | null;
}

/** param · exp(±1.96 · SE/param): the Wald interval of log(param), where the fit works. */
function interval95(fit: FitResult<Params>): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [name, v] of Object.entries(fit.params)) {
    const spread = Math.exp((1.96 * fit.stdErr[name]) / v);
    out[name] = [v / spread, v * spread];
  }
  return out;
}

function human(r: Report, money: string): string {
  const unit = r.unit;
  const units = paramUnits(r.model, unit, money);
  const who =
    r.model === 'sbg'
      ? 'cohort members'
      : r.model === 'gammagamma'
        ? 'repeat customers'
        : 'customers';
  const lines: string[] = [];
  lines.push(
    `${LABEL[r.model]} fitted on ${count(r.customers)} ${who}${r.model === 'gammagamma' ? '' : ` (time unit: ${unit})`}`,
  );
  const rows = [['parameter', 'estimate', 'std. error', '95 % interval', 'unit']];
  for (const [name, v] of Object.entries(r.params)) {
    const [lo, hi] = r.interval95[name];
    const interval = Number.isFinite(lo) ? `${fmt(lo)} .. ${fmt(hi)}` : '-';
    rows.push([name, fmt(v), fmt(r.stderr[name]), interval, units[name] || '-']);
  }
  lines.push(table(rows));
  if (r.frequencySpendCorrelation !== undefined) {
    lines.push(
      `  correlation of repeat purchases and mean spend ${r.frequencySpendCorrelation.toFixed(3)} (the model assumes about 0)`,
    );
  }
  lines.push(
    `  log-likelihood ${r.logLikelihood.toFixed(2)}   AIC ${r.aic.toFixed(2)}   BIC ${r.bic.toFixed(2)}`,
  );
  lines.push(
    `  ${r.iterations} iterations, ${r.converged ? 'converged' : 'NOT CONVERGED'} (${r.reason}); fit took ${r.fitMs.toFixed(0)} ms`,
  );
  const h = r.holdout;
  if (h !== null) {
    const rel = (p: number) =>
      `${p >= h.actualTotal ? '+' : ''}${((p / h.actualTotal - 1) * 100).toFixed(1)} %`;
    lines.push(
      `holdout ${h.from} .. ${h.to} (${+h.length.toFixed(2)} ${unit}s), ${count(h.customers)} customers, repeat purchase days:`,
    );
    lines.push(`  actual                                   ${count(h.actualTotal)}`);
    lines.push(
      `  predicted from each customer's history   ${h.predictedTotal.toFixed(1)} (${rel(h.predictedTotal)})`,
    );
    lines.push(
      `  predicted for the cohort (tracking)      ${h.trackingPredictedTotal.toFixed(1)} (${rel(h.trackingPredictedTotal)})`,
    );
    lines.push(
      `  cumulative since first purchases: actual ${count(h.cumulativeActual)}, tracking ${h.cumulativePredicted.toFixed(1)} (${((h.cumulativePredicted / h.cumulativeActual - 1) * 100).toFixed(1)} %)`,
    );
    lines.push(
      `  per customer: MAE ${h.mae.toFixed(3)}, RMSE ${h.rmse.toFixed(3)} purchase days; correlation ${h.correlation.toFixed(3)}`,
    );
    const groups = [['calibration repeats x', 'customers', 'mean actual', 'mean predicted']];
    for (const g of h.byFrequency) {
      groups.push([g.label, count(g.customers), fmt(g.meanActual, 3), fmt(g.meanPredicted, 3)]);
    }
    lines.push(table(groups));
  }
  if (r.spendModel !== null) {
    const s = r.spendModel;
    lines.push(
      `spend model (Gamma-Gamma on ${count(s.customers)} repeat customers): p ${fmt(s.params.p)}, q ${fmt(s.params.q)}, gamma ${fmt(s.params.gamma)} ${money}${s.converged ? '' : ` — NOT CONVERGED (${s.reason}); spend and CLV left empty`}`,
    );
  }
  const p = r.predictions;
  if (p !== null) {
    lines.push(
      `predictions for ${count(p.customers)} customers written to ${p.file}: ${p.totalExpectedPurchases.toFixed(1)} purchases expected in the next ${p.horizonMonths} months${p.totalDiscountedClv === null ? ' (no amounts: spend and CLV left empty)' : `, discounted CLV ${p.totalDiscountedClv.toFixed(2)} ${money} in total (${p.annualDiscountRate * 100} %/year, margin ${p.margin})`}`,
    );
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// The command

function checkSources(file: string | undefined, opts: FitOptions): void {
  const sources = [file, opts.summary, opts.survivors].filter((s) => s !== undefined).length;
  if (opts.model === 'sbg') {
    if (opts.survivors === undefined || file !== undefined || opts.summary !== undefined) {
      throw new InputError('--model sbg takes --survivors LIST|FILE and no other input', {
        field: '--model',
      });
    }
    if (opts.predict !== undefined) {
      throw new InputError('--predict needs a purchase model (bgnbd, mbgnbd, pareto)', {
        field: '--predict',
      });
    }
    return;
  }
  if (opts.survivors !== undefined) {
    throw new InputError('--survivors is the input of --model sbg only', { field: '--survivors' });
  }
  if (sources !== 1) {
    throw new InputError('give one input: a transactions file, or --summary FILE');
  }
  if (opts.summary !== undefined) {
    const only = (
      [
        ['--customer-col', opts.customerCol],
        ['--date-col', opts.dateCol],
        ['--amount-col', opts.amountCol],
        ['--calibration-end', opts.calibrationEnd],
        ['--holdout-end', opts.holdoutEnd],
        ['--as-of', opts.asOf],
      ] as const
    ).find(([, v]) => v !== undefined);
    if (only) {
      throw new InputError(`${only[0]} applies to a transactions file, not to --summary`, {
        field: only[0],
      });
    }
  }
  if (opts.model === 'gammagamma' && opts.predict !== undefined) {
    throw new InputError(
      '--predict needs a purchase model (bgnbd, mbgnbd, pareto); it adds the spend model itself when amounts are present',
      { field: '--predict' },
    );
  }
}

/** sBG on a cohort nobody left, or everybody left at once, has no finite maximum. */
function checkSurvivorsIdentify(survivors: readonly number[]): void {
  const n = survivors.length - 1;
  if (survivors.length >= 2 && survivors[n] === survivors[0]) {
    throw new ModelError(
      `sBG cannot be fitted: no customer was lost in ${n} periods, so churn is not identified (beta runs off to infinity)`,
    );
  }
  if (survivors.length >= 2 && survivors[1] === 0) {
    throw new ModelError(
      'sBG cannot be fitted: every customer was lost after the first period, so retention is not identified (alpha runs off to infinity)',
    );
  }
}

/** The transactions file read into per-customer (x, t_x, T, zbar) with the holdout actuals. */
async function readTransactionsInput(
  ctx: CliContext,
  file: string,
  opts: FitOptions,
  warnings: string[],
): Promise<{ input: TransactionsInput; source: Record<string, unknown> }> {
  const day = (value: string | undefined, option: string) =>
    value === undefined ? undefined : parseDay(value, option);
  const asOf = day(opts.asOf, '--as-of');
  const calibrationEnd = day(opts.calibrationEnd, '--calibration-end');
  const holdoutEnd = day(opts.holdoutEnd, '--holdout-end');
  if (asOf !== undefined && holdoutEnd !== undefined && asOf < holdoutEnd) {
    throw new InputError(`--as-of ${isoDay(asOf)} is before --holdout-end ${isoDay(holdoutEnd)}`, {
      field: '--as-of',
    });
  }
  if (asOf !== undefined && calibrationEnd !== undefined && asOf < calibrationEnd) {
    throw new InputError(
      `--as-of ${isoDay(asOf)} is before --calibration-end ${isoDay(calibrationEnd)}`,
      { field: '--as-of' },
    );
  }
  const started = performance.now();
  const progress = startProgress(ctx, 'reading', 1000, 'rows', opts.json);
  let input: TransactionsInput;
  try {
    input = await readTransactions(
      file,
      { customer: opts.customerCol, date: opts.dateCol, amount: opts.amountCol },
      { calibrationEnd, holdoutEnd, asOf, unit: opts.unit },
      (fraction, rows) => progress.update(Math.round(fraction * 1000), { items: rows }),
    );
  } finally {
    progress.stop();
  }
  if (input.ignoredAfterEnd > 0) {
    const end = input.holdoutEnd ?? input.calibrationEnd;
    warnings.push(
      `${counted(input.ignoredAfterEnd, 'row', 'rows')} dated after ${isoDay(end)} ${input.ignoredAfterEnd === 1 ? 'was' : 'were'} ignored${input.holdoutEnd === null ? '; pass --holdout-end to use them as a holdout' : ''}`,
    );
  }
  if (input.droppedAtCalibrationEnd > 0) {
    warnings.push(
      `${counted(input.droppedAtCalibrationEnd, 'customer', 'customers')} first bought on the calibration end day (T = 0) and were left out of the fit`,
    );
  }
  if (input.customersAfterCalibration > 0) {
    warnings.push(
      `${counted(input.customersAfterCalibration, 'customer', 'customers')} first bought after the calibration end and are not in the fit`,
    );
  }
  const source = {
    transactions: file,
    rows: input.rows,
    columns: input.columns.names,
    calibrationEnd: isoDay(input.calibrationEnd),
    holdoutEnd: input.holdoutEnd === null ? null : isoDay(input.holdoutEnd),
    customersAfterCalibration: input.customersAfterCalibration,
    droppedAtCalibrationEnd: input.droppedAtCalibrationEnd,
    rowsAfterEnd: input.ignoredAfterEnd,
    readMs: performance.now() - started,
  };
  return { input, source };
}

/** Gamma-gamma for `--model gammagamma` or as the spend model of `--predict`, with its cautions. */
function fitSpendWithWarnings(input: RfmInput, warnings: string[], prefix: string): GammaGammaFit {
  if (input.zbar === null) {
    throw new InputError(
      input.kind === 'summary'
        ? `${input.file}: gammagamma needs a monetary column (zbar, monetary_value or monetary)`
        : `${input.file}: gammagamma needs an amount column; pass --amount-col`,
      { file: input.file },
    );
  }
  const { fit, freeRepeaters } = fitSpend(input);
  warnings.push(...fit.warnings.map((w) => `${prefix}${w}`));
  if (freeRepeaters > 0) {
    warnings.push(
      `${prefix}${counted(freeRepeaters, 'repeat customer', 'repeat customers')} spent nothing on their repeat purchases and were left out of the spend model`,
    );
  }
  return fit;
}

interface Fitted {
  fit: FitResult<Params>;
  fitMs: number;
  customers: number;
  source: Record<string, unknown>;
  input: RfmInput | null;
}

async function readAndFit(
  ctx: CliContext,
  file: string | undefined,
  opts: FitOptions,
  warnings: string[],
): Promise<Fitted> {
  if (opts.model === 'sbg') {
    const { source, survivors } = await readSurvivors(opts.survivors as string);
    checkSurvivorsIdentify(survivors);
    const t0 = performance.now();
    const fit = fitShiftedBetaGeometric(survivors) as FitResult<Params>;
    return {
      fit,
      fitMs: performance.now() - t0,
      customers: survivors[0],
      source: { survivors: source, periods: survivors.length - 1 },
      input: null,
    };
  }
  let input: RfmInput;
  let source: Record<string, unknown>;
  if (opts.summary !== undefined) {
    input = await readSummary(opts.summary);
    source = { summary: opts.summary, columns: input.columns };
  } else {
    ({ input, source } = await readTransactionsInput(ctx, file as string, opts, warnings));
  }
  const t0 = performance.now();
  let fit: FitResult<Params>;
  if (opts.model === 'gammagamma') {
    fit = fitSpendWithWarnings(input, warnings, '') as unknown as FitResult<Params>;
  } else {
    const { rows } = compressRfm(input.x, input.tx, input.T);
    const fitter =
      opts.model === 'bgnbd' ? fitBgNbd : opts.model === 'mbgnbd' ? fitMbgNbd : fitParetoNbd;
    fit = fitter(rows) as unknown as FitResult<Params>;
  }
  return { fit, fitMs: performance.now() - t0, customers: fit.nObs, source, input };
}

async function run(ctx: CliContext, file: string | undefined, opts: FitOptions): Promise<void> {
  checkSources(file, opts);
  const warnings: string[] = [];
  const { fit, fitMs, customers, source, input } = await readAndFit(ctx, file, opts, warnings);
  const unit: Report['unit'] = opts.model === 'sbg' ? 'period' : opts.unit;
  const money =
    opts.currency ?? (input?.kind === 'transactions' ? input.currency : null) ?? 'amount units';
  const report: Report = {
    model: opts.model,
    unit,
    customers,
    source,
    params: { ...fit.params },
    stderr: { ...fit.stdErr },
    interval95: interval95(fit),
    logLikelihood: fit.logLik,
    aic: fit.aic,
    bic: fit.bic,
    iterations: fit.iterations,
    converged: fit.converged,
    reason: fit.reason,
    fitMs,
    ...('frequencySpendCorrelation' in fit
      ? { frequencySpendCorrelation: fit.frequencySpendCorrelation as number }
      : {}),
    warnings,
    holdout: null,
    spendModel: null,
    predictions: null,
  };

  const model = purchaseModelOf(opts.model, report.params);
  if (fit.converged && model !== null && input !== null) {
    if (input.kind === 'transactions' && input.holdoutEnd !== null) {
      report.holdout = validate(model, input, opts.unit);
    }
    if (opts.predict !== undefined) {
      let spend: GammaGammaParams | null = null;
      if (input.zbar !== null) {
        try {
          const s = fitSpendWithWarnings(input, warnings, 'spend model: ');
          report.spendModel = {
            params: { ...s.params },
            stderr: { ...s.stdErr },
            customers: s.nObs,
            converged: s.converged,
            reason: s.reason,
          };
          if (s.converged) spend = s.params;
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          warnings.push(`no spend model (${error.message}); spend and CLV left empty`);
        }
      }
      report.predictions = await writePredictions(
        path.resolve(opts.predict),
        model,
        spend,
        input,
        opts,
        money,
      );
    }
  }
  if (opts.json) printJson(ctx, report);
  else ctx.out.write(human(report, money));
  if (!fit.converged) {
    const skipped = opts.predict === undefined ? '' : '; no predictions were written';
    throw new ModelError(`${LABEL[opts.model]} fit did not converge: ${fit.reason}${skipped}`, {
      iterations: fit.iterations,
      gradNorm: fit.gradNorm,
    });
  }
}

export function registerFit(program: Command, ctx: CliContext): void {
  program
    .command('fit')
    .description('fit a CLV model from a transactions or summary file (no database)')
    .argument('[transactions]', 'CSV or whitespace-separated file, one row per purchase')
    .requiredOption(
      '--model <model>',
      `the model: ${FIT_MODELS.join('|')}`,
      choice('--model', FIT_MODELS),
    )
    .option('--summary <file>', 'per-customer x,t_x,T[,monetary] instead of transactions')
    .option('--survivors <list|file>', 'sBG: customers still active after 0, 1, 2, … periods')
    .option('--customer-col <col>', 'customer id column: header name or 1-based position')
    .option('--date-col <col>', 'purchase date column: header name or 1-based position')
    .option('--amount-col <col>', 'amount column: header name or 1-based position')
    .option(
      '--unit <unit>',
      'time unit of t_x, T and the rates: day|week',
      choice('--unit', ['day', 'week'] as const),
      'week',
    )
    .option(
      '--calibration-end <date>',
      'last day of the calibration period (default: --as-of, else the last purchase)',
    )
    .option('--holdout-end <date>', 'last day of the holdout period (default: --as-of when later)')
    .option('--as-of <date>', 'the day the data runs to; purchases after it are ignored')
    .option('--predict <out.csv>', 'write per-customer predictions (purchase models)')
    .option(
      '--horizon-months <n>',
      'prediction horizon in months',
      numberOption(
        '--horizon-months',
        (n) => Number.isInteger(n) && n > 0,
        'a whole number of months > 0',
      ),
      12,
    )
    .option(
      '--discount-rate <rate>',
      'annual discount rate for CLV (0.10 = 10 %/year)',
      numberOption('--discount-rate', (n) => n > -1, 'a rate above -1'),
      0.1,
    )
    .option(
      '--margin <fraction>',
      'profit margin as a fraction of spend (1 = revenue)',
      numberOption('--margin', () => true, 'a number'),
      1,
    )
    .option('--currency <code>', 'name of the money unit in output (default: from the amounts)')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      `
Columns: without --customer-col/--date-col/--amount-col they are found from the header
(customer_id, date, amount, 客户编号, 下单时间, 实付金额, …). Each option takes a header name or a
1-based position; a file whose first row is already data needs positions:
  tenure fit CDNOW_sample.txt --customer-col 1 --date-col 3 --amount-col 5 --model bgnbd \\
    --calibration-end 1997-09-30 --holdout-end 1998-06-30
  tenure fit CDNOW_master.txt --customer-col 1 --date-col 2 --amount-col 4 --model pareto
Dates are calendar days as written (YYYYMMDD, 2024-01-31, 2024/1/31 13:05, 2024年1月31日).
Purchases on one day count once (repeat purchase days); x, t_x and T are in --unit.
Summary files: x,t_x,T[,zbar] or frequency,recency,T[,monetary_value], times in --unit.
Exit codes: 0 fitted; 1 the fit did not converge (the reason is printed); 2 invalid input.`,
    )
    .action(async (file: string | undefined, opts: FitOptions) => run(ctx, file, opts));
}
