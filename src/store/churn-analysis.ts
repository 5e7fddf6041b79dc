/**
 * Churn early warning over the database (issue 6): training by rolling the as-of date back,
 * the backtest against the P(alive)-only baseline, scoring with reasons into the snapshot,
 * warning levels, alerts once per episode resolved by outcome, and tasks for the owners.
 *
 * Training rows: for as-of dates d_k = D − W − k·S (k = 0 … K−1; W the window, S the step), every
 * customer with a purchase by d_k, features at d_k (rows before the end of d_k only) and the
 * label from (d_k, d_k + W]. Every label window ends by D, so a model trained for D never sees
 * anything after D. A quarter of the customers (by a hash of the id, the same at every d_k) is
 * held out to calibrate the probabilities and to report honest metrics.
 */
import {
  CHURN_FEATURES,
  type ChurnMetrics,
  type ChurnModel,
  type ChurnReason,
  churnMetrics,
  customerWarningLevel,
  FEATURE_COUNT,
  fallbackReasons,
  featureMatrix,
  type PurchaseModel,
  scoreChurn,
  stepEpisode,
  TASK_DUE_DAYS,
  type TrainReport,
  topReasons,
  trainChurnModel,
  type WarningLevel,
  type WarningSettings,
} from '../engine/index.js';
import { InputError, NotFoundError } from '../errors.js';
import {
  DAY_MS,
  dayOf,
  type FactsAtAsOf,
  firstTransactionDay,
  isoDay,
  lastTransactionDay,
  loadChurnFacts,
  loadChurnLabels,
  refreshStatistics,
} from './churn-features.js';
import {
  alertsEvaluatedTo,
  type ChurnSettings,
  hasSnapshot,
  insertAlerts,
  latestChurnModel,
  loadChurnSettings,
  loadEpisodeStates,
  type NewAlert,
  type Resolution,
  type RiskRow,
  resolveEpisodes,
  saveChurnModel,
  snapshotClv,
  writeSnapshotRisk,
} from './churn-repo.js';
import type { Db } from './db.js';

export interface TrainingOptions {
  /** as-of dates to roll back over (default 6) */
  dates?: number;
  /** days between them (default 30) */
  stepDays?: number;
  /** ridge penalty (default 1e-3) */
  lambda?: number;
}

export interface TrainingSummary {
  /** the as-of dates the rows come from, latest first */
  asOfDates: string[];
  rows: number;
  churned: number;
  trainRows: number;
  calibrationRows: number;
  fit: TrainReport['fit'];
  /** the calibrated model on the held-out customers */
  holdoutMetrics: ChurnMetrics | null;
  /** standardised coefficients: log-odds per standard deviation, largest first */
  coefficients: { feature: string; coefficient: number }[];
}

/** FNV-1a of the id: a stable quarter of the customers calibrates. */
function heldOut(id: string): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 4 === 0;
}

/** Trains the churn model for as-of day `day` (labels all end by `day`). */
export async function trainChurnAt(
  db: Db,
  day: number,
  windowDays: number,
  options: TrainingOptions = {},
): Promise<{ model: ChurnModel; summary: TrainingSummary; notes: string[] }> {
  const K = options.dates ?? 6;
  const step = options.stepDays ?? 30;
  const first = await firstTransactionDay(db);
  const notes: string[] = [];
  const sets: { facts: FactsAtAsOf; y: Uint8Array }[] = [];
  for (let k = 0; k < K; k++) {
    const d = day - windowDays - k * step;
    // At least a window of history before an as-of date, or it has nothing to learn from.
    if (first === null || d - first < windowDays) break;
    const facts = await loadChurnFacts(db, d, windowDays);
    notes.push(...facts.notes);
    if (facts.customerIds.length === 0) continue;
    const y = await loadChurnLabels(db, d, windowDays, facts.customerIds);
    sets.push({ facts, y });
  }
  const rows = sets.reduce((s, t) => s + t.facts.customerIds.length, 0);
  const X = new Float64Array(rows * FEATURE_COUNT);
  const y = new Uint8Array(rows);
  const holdout = new Uint8Array(rows);
  let o = 0;
  for (const s of sets) {
    X.set(featureMatrix(s.facts.facts), o * FEATURE_COUNT);
    y.set(s.y, o);
    for (let i = 0; i < s.facts.customerIds.length; i++)
      holdout[o + i] = heldOut(s.facts.customerIds[i]) ? 1 : 0;
    o += s.facts.customerIds.length;
  }
  let churned = 0;
  for (let i = 0; i < rows; i++) churned += y[i];
  const asOfDates = sets.map((s) => s.facts.asOf);
  let report: TrainReport;
  if (sets.length === 0) {
    report = {
      model: {
        kind: 'fallback',
        note: `history too short to train a churn model (a ${windowDays}-day window needs at least ${2 * windowDays} days of orders before ${isoDay(day)}): risk is 1 − P(alive) from the value model`,
      },
      fit: null,
      trainRows: 0,
      calibrationRows: 0,
      holdoutMetrics: null,
    };
  } else {
    report = trainChurnModel(X, y, { holdout, lambda: options.lambda });
  }
  if (report.model.kind === 'fallback') notes.push(report.model.note);
  else if (report.fit && !report.fit.converged)
    notes.push(`the churn model fit did not converge: ${report.fit.reason}`);
  const coefficients =
    report.model.kind === 'logistic'
      ? report.model.logistic.coefficients
          .map((c, j) => ({ feature: CHURN_FEATURES[j] as string, coefficient: c }))
          .sort((a, b) => Math.abs(b.coefficient) - Math.abs(a.coefficient))
      : [];
  return {
    model: report.model,
    summary: {
      asOfDates,
      rows,
      churned,
      trainRows: report.trainRows,
      calibrationRows: report.calibrationRows,
      fit: report.fit,
      holdoutMetrics: report.holdoutMetrics,
      coefficients,
    },
    notes,
  };
}

export interface ScoredCustomer {
  customerId: string;
  risk: number;
  /** 1 − P(alive) from the value model at the same date */
  baselineRisk: number;
  reasons: ChurnReason[];
}

/** Scores facts with a model: calibrated probability and the top 3 reasons in words. */
export function scoreFacts(model: ChurnModel, facts: FactsAtAsOf): ScoredCustomer[] {
  const X = featureMatrix(facts.facts);
  const p = scoreChurn(model, X);
  return facts.customerIds.map((customerId, i) => ({
    customerId,
    risk: p[i],
    baselineRisk: 1 - facts.facts[i].pAlive,
    reasons:
      model.kind === 'logistic'
        ? topReasons(model.logistic, X, i * FEATURE_COUNT, facts.facts[i])
        : fallbackReasons(facts.facts[i]),
  }));
}

export interface BacktestOptions {
  /** the as-of date; default: the window before the last order */
  asOf?: Date;
  windowDays?: number;
  training?: TrainingOptions;
}

export interface BacktestReport {
  asOf: string;
  windowDays: number;
  /** the window ends here: what really happened next is known up to this day */
  windowEnd: string;
  model: { kind: ChurnModel['kind']; metrics: ChurnMetrics };
  baseline: { kind: 'p-alive'; metrics: ChurnMetrics };
  training: TrainingSummary;
  notes: string[];
  ms: number;
}

/**
 * Backtest on the business's own history (issue 6 §3): a model trained with what was known at
 * `asOf`, scored at `asOf`, against what happened in the window after it; beside the
 * P(alive)-only baseline on the same customers.
 */
export async function backtestChurn(
  db: Db,
  options: BacktestOptions = {},
): Promise<BacktestReport> {
  const started = performance.now();
  const settings = await loadChurnSettings(db);
  const windowDays = options.windowDays ?? settings.windowDays;
  await refreshStatistics(db);
  const last = await lastTransactionDay(db);
  if (last === null) throw new NotFoundError('no orders: nothing to backtest on');
  const day = options.asOf ? dayOf(options.asOf) : last - windowDays;
  if (day + windowDays > last) {
    throw new InputError(
      `--as-of ${isoDay(day)}: the ${windowDays}-day window after it runs past the last order (${isoDay(last)}), so what happened next is not known yet; use ${isoDay(last - windowDays)} or earlier`,
      { field: '--as-of', value: isoDay(day) },
    );
  }
  const trained = await trainChurnAt(db, day, windowDays, options.training);
  const facts = await loadChurnFacts(db, day, windowDays);
  if (facts.customerIds.length === 0) {
    throw new NotFoundError(`no customer had bought by ${isoDay(day)}: nothing to backtest`);
  }
  const y = await loadChurnLabels(db, day, windowDays, facts.customerIds);
  const scored = scoreFacts(trained.model, facts);
  const p = Float64Array.from(scored, (s) => s.risk);
  const base = Float64Array.from(scored, (s) => s.baselineRisk);
  return {
    asOf: isoDay(day),
    windowDays,
    windowEnd: isoDay(day + windowDays),
    model: { kind: trained.model.kind, metrics: churnMetrics(p, y) },
    baseline: { kind: 'p-alive', metrics: churnMetrics(base, y) },
    training: trained.summary,
    notes: [...new Set([...trained.notes, ...facts.notes])],
    ms: performance.now() - started,
  };
}

export interface ChurnRunOptions {
  /** the analysis date; its snapshot (tenure analyze) must exist */
  asOf: Date;
  /** overrides the stored settings */
  settings?: Partial<ChurnSettings>;
  training?: TrainingOptions;
}

export interface ChurnRunReport {
  asOf: string;
  windowDays: number;
  model: ChurnModel['kind'];
  training: TrainingSummary;
  warning: WarningSettings;
  customers: number;
  levels: Record<WarningLevel, number>;
  meanRisk: number;
  alerts: { raised: number; resolved: Record<Resolution['outcome'], number> };
  notes: string[];
  ms: number;
}

interface AlertInput {
  customerId: string;
  level: WarningLevel | null;
  risk: number;
  valueAtRiskMinor: number;
  reasons: readonly ChurnReason[];
  lastPurchaseDay: number | null;
}

/**
 * Steps every customer's alert episode at `day` (issue 6 §4): raise on entering or climbing a
 * level, once per episode; resolve open episodes retained / lost / cleared by what happened.
 */
export async function applyChurnAlerts(
  tx: Db,
  day: number,
  windowDays: number,
  customers: readonly AlertInput[],
): Promise<ChurnRunReport['alerts']> {
  const latest = await alertsEvaluatedTo(tx);
  if (latest !== null && latest > day) {
    throw new InputError(
      `churn alerts were already evaluated up to ${isoDay(latest)}; an earlier date (${isoDay(day)}) cannot be evaluated after it`,
      { field: 'asOf', value: isoDay(day) },
    );
  }
  const ids = customers.length < 1000 ? customers.map((c) => c.customerId) : undefined;
  const states = await loadEpisodeStates(tx, ids);
  const resolutions: Resolution[] = [];
  const raised: NewAlert[] = [];
  const at = new Date(day * DAY_MS);
  for (const c of customers) {
    const before = states.get(c.customerId) ?? null;
    if (!before && c.level === null) continue;
    const { events, state } = stepEpisode(before, {
      day,
      level: c.level,
      lastPurchaseDay: c.lastPurchaseDay,
      windowDays,
    });
    for (const e of events) {
      if (e.kind === 'resolve') {
        resolutions.push({
          customerId: c.customerId,
          outcome: e.outcome,
          resolvedAt: new Date(e.day * DAY_MS),
        });
      } else if (state?.kind === 'open') {
        const episode = `churn:${isoDay(state.startedDay)}`;
        raised.push({
          customerId: c.customerId,
          alertId: `${episode}:${e.level}`,
          episode,
          level: e.level,
          raisedAt: at,
          risk: c.risk,
          valueAtRiskMinor: c.valueAtRiskMinor,
          reasons: c.reasons,
          dueAt: new Date((day + TASK_DUE_DAYS[e.level]) * DAY_MS),
        });
      }
    }
  }
  await resolveEpisodes(tx, resolutions);
  const inserted = await insertAlerts(tx, raised);
  const resolved = { retained: 0, lost: 0, cleared: 0 };
  for (const r of resolutions) resolved[r.outcome]++;
  return { raised: inserted, resolved };
}

/**
 * Trains the churn model for `asOf`, scores every customer into that date's snapshot (risk,
 * warning level, reasons), raises and resolves alerts with tasks for the owners, and stores the
 * model — in one transaction.
 */
export async function runChurnAnalysis(db: Db, options: ChurnRunOptions): Promise<ChurnRunReport> {
  const started = performance.now();
  const stored = await loadChurnSettings(db);
  const settings: ChurnSettings = { ...stored, ...options.settings };
  const windowDays = settings.windowDays;
  const day = dayOf(options.asOf);
  const asOf = isoDay(day);
  if (!(await hasSnapshot(db, asOf))) {
    throw new NotFoundError(
      `no score snapshot for ${asOf}: run tenure analyze --as-of ${asOf} first`,
      {
        field: 'asOf',
        value: asOf,
      },
    );
  }
  await refreshStatistics(db);
  const trained = await trainChurnAt(db, day, windowDays, options.training);
  const facts = await loadChurnFacts(db, day, windowDays);
  // A fallback without any P(alive) would call everyone safe: score no one instead.
  const scored =
    trained.model.kind === 'fallback' && facts.pAliveSource === 'none'
      ? []
      : scoreFacts(trained.model, facts);
  const clv = await snapshotClv(db, asOf);
  const levels: Record<WarningLevel, number> = { red: 0, orange: 0, yellow: 0 };
  const riskRows: RiskRow[] = [];
  const alertInputs: AlertInput[] = [];
  let sum = 0;
  for (let i = 0; i < scored.length; i++) {
    const s = scored[i];
    const value = Math.max(0, clv.get(s.customerId) ?? 0);
    const level = customerWarningLevel(settings.warning, s.risk, value, facts.facts[i]);
    if (level) levels[level]++;
    sum += s.risk;
    riskRows.push({ customerId: s.customerId, risk: s.risk, level, reasons: s.reasons });
    alertInputs.push({
      customerId: s.customerId,
      level,
      risk: s.risk,
      valueAtRiskMinor: s.risk * value,
      reasons: s.reasons,
      lastPurchaseDay: facts.lastDay[i],
    });
  }
  const notes = [...new Set([...trained.notes, ...facts.notes])];
  const alerts = await db.transaction(async (tx) => {
    await writeSnapshotRisk(tx, asOf, riskRows);
    const a = await applyChurnAlerts(tx, day, windowDays, alertInputs);
    await saveChurnModel(tx, {
      asOf,
      windowDays,
      model: trained.model,
      valueModel: facts.valueModel,
      warning: settings.warning,
      training: trained.summary as unknown as Record<string, unknown>,
      notes,
    });
    return a;
  });
  return {
    asOf,
    windowDays,
    model: trained.model.kind,
    training: trained.summary,
    warning: settings.warning,
    customers: scored.length,
    levels,
    meanRisk: scored.length ? sum / scored.length : 0,
    alerts,
    notes,
    ms: performance.now() - started,
  };
}

export interface CustomerChurnScore {
  customerId: string;
  asOf: string;
  risk: number;
  level: WarningLevel | null;
  valueAtRiskMinor: number;
  reasons: ChurnReason[];
  /** the as-of date of the stored model used */
  modelAsOf: string;
}

/**
 * Scores a few customers at `asOf` with the latest stored model (on or before `asOf`) and its
 * value model — for orders and interactions arriving one at a time through the API. With
 * `record`, writes the risk into the snapshot of `asOf` (where it exists) and steps their alert
 * episodes, in one transaction. Customers without a purchase by `asOf` are not in the result.
 */
export async function scoreChurnForCustomers(
  db: Db,
  customerIds: readonly string[],
  asOf: Date,
  { record = false }: { record?: boolean } = {},
): Promise<CustomerChurnScore[]> {
  const day = dayOf(asOf);
  const stored = await latestChurnModel(db, isoDay(day));
  if (!stored) {
    throw new NotFoundError(
      `no churn model trained on or before ${isoDay(day)}: run tenure analyze first`,
    );
  }
  const facts = await loadChurnFacts(db, day, stored.windowDays, {
    customerIds,
    valueModel: stored.valueModel as PurchaseModel | null,
  });
  const scored = scoreFacts(stored.model, facts);
  const clvDate = await latestSnapshotDate(db, isoDay(day));
  const clv = clvDate ? await snapshotClv(db, clvDate, facts.customerIds) : new Map();
  const out: CustomerChurnScore[] = scored.map((s, i) => {
    const value = Math.max(0, clv.get(s.customerId) ?? 0);
    return {
      customerId: s.customerId,
      asOf: isoDay(day),
      risk: s.risk,
      level: customerWarningLevel(stored.warning, s.risk, value, facts.facts[i]),
      valueAtRiskMinor: Math.round(s.risk * value),
      reasons: s.reasons,
      modelAsOf: stored.asOf,
    };
  });
  if (record) {
    await db.transaction(async (tx) => {
      await writeSnapshotRisk(tx, isoDay(day), out);
      await applyChurnAlerts(
        tx,
        day,
        stored.windowDays,
        out.map((s, i) => ({ ...s, lastPurchaseDay: facts.lastDay[i] })),
      );
    });
  }
  return out;
}

async function latestSnapshotDate(db: Db, onOrBefore: string): Promise<string | null> {
  const { rows } = await db.query<{ d: string | null }>(
    `SELECT to_char(max(as_of), 'YYYY-MM-DD') AS d FROM score_snapshots WHERE as_of <= $1::date`,
    [onOrBefore],
  );
  return rows[0]?.d ?? null;
}
