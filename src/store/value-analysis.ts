/**
 * The value analysis `tenure analyze` runs (issue 3 §5): summaries in the database, a
 * repeat-purchase model chosen by holdout error when the history allows, a gamma-gamma spend
 * model, and a score snapshot for every customer written in one transaction. Re-running for
 * the same as-of date replaces that snapshot.
 */
import {
  compressRfm,
  expectedPurchasesAhead,
  type FitResult,
  fitBgNbd,
  fitGammaGamma,
  fitMbgNbd,
  fitParetoNbd,
  frequencySpendCorrelation,
  type GammaGammaParams,
  type HoldoutReport,
  holdoutReport,
  type PurchaseModel,
  type RfmRows,
  SPEND_FREQUENCY_CORRELATION_LIMIT,
  scoreCustomers,
  type TimeUnit,
} from '../engine/index.js';
import { InputError, ModelError } from '../errors.js';
import type { Db } from './db.js';
import {
  clearSnapshot,
  type ModelFitRow,
  type SnapshotRow,
  writeModelFit,
  writeProspectSnapshots,
  writeSnapshotRows,
} from './score-repo.js';
import {
  type ComputedSegments,
  computeSegments,
  saveSegmentRuns,
  withActivity,
} from './segment-analysis.js';
import { loadSegmentSettings } from './settings-repo.js';
import { loadSummaries, type SummaryColumns, transactionSpan } from './summary-repo.js';

export type ModelChoice = 'auto' | 'bgnbd' | 'mbgnbd' | 'pareto';

export interface ValueAnalysisOptions {
  /** the analysis date: history up to and including this UTC day */
  asOf: Date;
  unit?: TimeUnit;
  model?: ModelChoice;
  horizonMonths?: number;
  annualDiscountRate?: number;
  /** holdout length for model choice, in days (default: a quarter of the history, at most 26 weeks) */
  holdoutDays?: number;
  /** segment the customers (RFM, tiers, Pareto, clusters) with the snapshot (default true) */
  segment?: boolean;
  onProgress?: (step: string) => void;
}

export interface FitSummary {
  model: PurchaseModel['kind'];
  params: Record<string, number>;
  stderr: Record<string, number>;
  logLik: number;
  converged: boolean;
  reason: string;
  iterations: number;
  holdout: (HoldoutReport & { calibrationEnd: string; holdoutEnd: string }) | null;
}

export interface ValueAnalysisReport {
  asOf: string;
  unit: TimeUnit;
  chosen: PurchaseModel['kind'] | null;
  /** why this model: holdout comparison, or the fallback */
  choice: string;
  candidates: FitSummary[];
  fit: FitSummary | null;
  spend: {
    params: Record<string, number>;
    converged: boolean;
    reason: string;
    correlation: number;
    warning: string | null;
  } | null;
  customers: number;
  customersWithPurchases: number;
  prospects: number;
  horizonMonths: number;
  annualDiscountRate: number;
  totalClvMinor: number;
  /** the segmentation written with the snapshot (null when skipped or no buyers) */
  segmentation: {
    customers: number;
    rfm: ComputedSegments['rfm'];
    tiers: ComputedSegments['tiers'];
    pareto: ComputedSegments['pareto'];
    clusters: ComputedSegments['clusters'];
  } | null;
  notes: string[];
  ms: number;
}

const DAY_MS = 86_400_000;
const MIN_CUSTOMERS = 20;

function toRows(s: SummaryColumns, keep?: (i: number) => boolean): RfmRows {
  const idx: number[] = [];
  for (let i = 0; i < s.x.length; i++) if (s.T[i] > 0 && (!keep || keep(i))) idx.push(i);
  const x = Float64Array.from(idx, (i) => s.x[i]);
  const tx = Float64Array.from(idx, (i) => s.tx[i]);
  const T = Float64Array.from(idx, (i) => s.T[i]);
  // No one to fit on (no purchases yet, or all on the last day): an empty set of rows.
  if (idx.length === 0) return { x, tx, T, weight: new Float64Array(0) };
  return compressRfm(x, tx, T).rows;
}

function fitModel(
  kind: Exclude<ModelChoice, 'auto'>,
  rows: RfmRows,
): {
  model: PurchaseModel;
  fit: FitResult<Record<string, number>>;
} {
  switch (kind) {
    case 'bgnbd': {
      const fit = fitBgNbd(rows);
      return { model: { kind: 'bg-nbd', params: fit.params }, fit: fit as never };
    }
    case 'mbgnbd': {
      const fit = fitMbgNbd(rows);
      return { model: { kind: 'mbg-nbd', params: fit.params }, fit: fit as never };
    }
    case 'pareto': {
      const fit = fitParetoNbd(rows);
      return { model: { kind: 'pareto-nbd', params: fit.params }, fit: fit as never };
    }
  }
}

function summarizeFit(
  model: PurchaseModel,
  fit: FitResult<Record<string, number>>,
  holdout: FitSummary['holdout'],
): FitSummary {
  return {
    model: model.kind,
    params: { ...fit.params },
    stderr: { ...fit.stdErr },
    logLik: fit.logLik,
    converged: fit.converged,
    reason: fit.reason,
    iterations: fit.iterations,
    holdout,
  };
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Runs the value analysis as of `options.asOf` and stores its snapshot. */
export async function runValueAnalysis(
  db: Db,
  options: ValueAnalysisOptions,
): Promise<ValueAnalysisReport> {
  const started = performance.now();
  const unit = options.unit ?? 'week';
  const unitDays = unit === 'week' ? 7 : 1;
  const horizonMonths = options.horizonMonths ?? 12;
  const annualDiscountRate = options.annualDiscountRate ?? 0.1;
  const asOfDay = Math.floor(options.asOf.getTime() / DAY_MS);
  const asOf = isoDay(options.asOf);
  const notes: string[] = [];
  const progress = options.onProgress ?? (() => {});

  const span = await transactionSpan(db);
  const historyDays = span ? asOfDay - Math.floor(span.first.getTime() / DAY_MS) : 0;

  // Model choice on a calibration/holdout split of the business's own history.
  const candidates: FitSummary[] = [];
  let choice: Exclude<ModelChoice, 'auto'> =
    options.model === 'auto' || !options.model ? 'bgnbd' : options.model;
  let why =
    options.model && options.model !== 'auto'
      ? `chosen by the user (--model ${options.model})`
      : '';
  const holdoutDays = options.holdoutDays ?? Math.min(182, Math.floor(historyDays / 4));
  if ((options.model ?? 'auto') === 'auto') {
    if (span && holdoutDays >= 28 && historyDays >= 3 * holdoutDays) {
      progress('choosing the model on a holdout');
      const calibrationEnd = new Date((asOfDay - holdoutDays) * DAY_MS);
      const cal = await loadSummaries(db, { calibrationEnd, holdoutEnd: options.asOf, unit });
      const keep = (i: number) => cal.T[i] > 0;
      const rows = toRows(cal, keep);
      let best: { kind: Exclude<ModelChoice, 'auto'>; mae: number } | null = null;
      if (rows.weight.reduce((a, b) => a + b, 0) >= MIN_CUSTOMERS) {
        for (const kind of ['bgnbd', 'pareto'] as const) {
          const { model, fit } = fitModel(kind, rows);
          if (!fit.converged) {
            candidates.push(summarizeFit(model, fit, null));
            continue;
          }
          const t = holdoutDays / unitDays;
          const idx = [...cal.x.keys()].filter(keep);
          let predicted: Float64Array;
          try {
            predicted = Float64Array.from(idx, (i) =>
              expectedPurchasesAhead(model, t, cal.x[i], cal.tx[i], cal.T[i]),
            );
          } catch (error) {
            // A fit can "converge" to parameters its predictions cannot be computed at (on
            // little data Pareto/NBD can run off to r in the millions): not a candidate.
            if (!(error instanceof ModelError || error instanceof InputError)) throw error;
            notes.push(`${model.kind} was not compared: ${error.message}`);
            candidates.push(summarizeFit(model, fit, null));
            continue;
          }
          const actual = Float64Array.from(idx, (i) => cal.holdoutPurchases[i]);
          const xs = Float64Array.from(idx, (i) => cal.x[i]);
          const report = holdoutReport(predicted, actual, xs);
          candidates.push(
            summarizeFit(model, fit, {
              ...report,
              calibrationEnd: isoDay(calibrationEnd),
              holdoutEnd: asOf,
            }),
          );
          if (!best || report.mae < best.mae) best = { kind, mae: report.mae };
        }
      }
      if (best) {
        choice = best.kind;
        why = `lowest holdout MAE over the last ${holdoutDays} days (${candidates
          .filter((c) => c.holdout)
          .map((c) => `${c.model} ${c.holdout!.mae.toFixed(4)}`)
          .join(', ')})`;
      } else {
        why = 'BG/NBD by default: no candidate could be validated on a holdout';
      }
    } else {
      why = `BG/NBD by default: ${historyDays} days of history are too short for a holdout comparison`;
    }
  }

  progress('summarising customers');
  const all = await loadSummaries(db, { calibrationEnd: options.asOf, unit });
  const rows = toRows(all);
  const fittable = rows.weight.reduce((a, b) => a + b, 0);
  let model: PurchaseModel | null = null;
  let fitSummary: FitSummary | null = null;
  if (fittable >= MIN_CUSTOMERS) {
    progress(`fitting ${choice}`);
    const fitted = fitModel(choice, rows);
    const holdout = candidates.find((c) => c.model === fitted.model.kind)?.holdout ?? null;
    fitSummary = summarizeFit(fitted.model, fitted.fit, holdout);
    if (fitted.fit.converged) model = fitted.model;
    else
      notes.push(
        `the ${choice} fit did not converge (${fitted.fit.reason}); no predictions were made`,
      );
  } else {
    notes.push(
      `only ${fittable} customers have a purchase history to fit on (at least ${MIN_CUSTOMERS} needed); no predictions were made`,
    );
  }

  // Spend: gamma-gamma on repeaters with a positive mean repeat spend.
  let spend: GammaGammaParams | null = null;
  let spendReport: ValueAnalysisReport['spend'] = null;
  const positive: number[] = [];
  for (let i = 0; i < all.x.length; i++)
    if (all.x[i] > 0 && all.meanRepeatSpendMinor[i] > 0) positive.push(i);
  const meanPositive = positive.length
    ? positive.reduce((s, i) => s + all.meanRepeatSpendMinor[i], 0) / positive.length
    : 0;
  if (model && positive.length >= MIN_CUSTOMERS) {
    progress('fitting gamma-gamma spend');
    const xs = Float64Array.from(positive, (i) => all.x[i]);
    const zs = Float64Array.from(positive, (i) => all.meanRepeatSpendMinor[i]);
    const gg = fitGammaGamma(xs, zs);
    const correlation = frequencySpendCorrelation(xs, zs);
    const warning =
      Math.abs(correlation) > SPEND_FREQUENCY_CORRELATION_LIMIT
        ? `spend and purchase frequency are correlated (r = ${correlation.toFixed(2)}): gamma-gamma assumes they are independent, so expected spend is less reliable`
        : null;
    if (warning) notes.push(warning);
    spendReport = {
      params: { ...gg.params },
      converged: gg.converged,
      reason: gg.reason,
      correlation,
      warning,
    };
    if (gg.converged) spend = gg.params;
    else
      notes.push(
        `the gamma-gamma fit did not converge (${gg.reason}); spend is each customer's own average`,
      );
  }

  // Score purchasers. Repeat buyers whose repeat days summed to nothing (refunds, free
  // orders) have no spend to condition on: they get the population's mean repeat spend.
  const n = all.x.length;
  // A customer whose first purchase is on the analysis day has T = 0, which the models cannot
  // condition on: count half a day of observation instead (x = t_x = 0 for them anyway).
  const halfDay = 0.5 / unitDays;
  const scoreT = Float64Array.from(all.T, (t) => (t > 0 ? t : halfDay));
  const zbar = Float64Array.from(all.meanRepeatSpendMinor, (z, i) =>
    all.x[i] > 0 && !(z > 0) ? meanPositive || 1 : z,
  );
  let scores: ReturnType<typeof scoreCustomers> | null = null;
  try {
    scores = model
      ? scoreCustomers(
          model,
          spend,
          { x: all.x, tx: all.tx, T: scoreT, zbar },
          {
            unit,
            horizonMonths,
            annualDiscountRate,
          },
        )
      : null;
  } catch (error) {
    if (!(error instanceof ModelError || error instanceof InputError)) throw error;
    notes.push(
      `the ${model?.kind} predictions could not be computed (${error.message}); no predictions were made`,
    );
    model = null;
  }
  const horizonDays = Math.round((horizonMonths * 365.25) / 12);
  const modelName = model?.kind ?? 'none';
  // Margin as a share of revenue, shrunk toward the base's share by one average order's worth
  // of revenue: a customer with one order sold below cost is not extrapolated to a year of
  // losses, while a long record of unprofitable orders still gives a negative CLV (seed 002).
  let popMargin = 0;
  let popRevenue = 0;
  let popOrders = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(all.marginMinor[i])) continue;
    popMargin += all.marginMinor[i];
    popRevenue += all.revenueMinor[i];
    popOrders += all.orders[i];
  }
  const popRatio = popRevenue > 0 ? popMargin / popRevenue : 1;
  const priorRevenue = popOrders > 0 ? popRevenue / popOrders : 0;
  if (popRevenue > 0) {
    notes.push(
      `CLV is margin, not revenue: the base's margin is ${(popRatio * 100).toFixed(1)} % of revenue; each customer's own share is shrunk toward it by one average order`,
    );
  }
  const snapshot: SnapshotRow[] = [];
  let totalClv = 0;
  for (let i = 0; i < n; i++) {
    const revenue = all.revenueMinor[i];
    const orders = all.orders[i];
    const aov = orders > 0 ? revenue / orders : 0;
    const marginRatio = Number.isNaN(all.marginMinor[i])
      ? popRatio
      : (all.marginMinor[i] + priorRevenue * popRatio) / (revenue + priorRevenue);
    let perPurchase = scores ? scores.expectedSpendPerPurchase[i] : Number.NaN;
    if (!Number.isFinite(perPurchase)) perPurchase = aov;
    let clv: number | null = null;
    if (scores) {
      const base = Number.isFinite(scores.discountedClv[i])
        ? scores.discountedClv[i]
        : perPurchase * scores.expectedPurchasesInHorizon[i];
      clv = Math.round(base * marginRatio);
      totalClv += clv;
    }
    snapshot.push({
      customerId: all.customerIds[i],
      model: modelName,
      pAlive: scores ? scores.probabilityAlive[i] : null,
      expectedPurchases: scores ? scores.expectedPurchasesInHorizon[i] : null,
      horizonDays,
      expectedSpendMinor: Math.round(perPurchase),
      clvMinor: clv,
      historical: {
        unit,
        x: all.x[i],
        tx: all.tx[i],
        T: all.T[i],
        revenueMinor: revenue,
        marginMinor: Number.isNaN(all.marginMinor[i]) ? null : all.marginMinor[i],
        orders,
        aovMinor: Math.round(aov),
        firstPurchase: isoDay(new Date(all.firstDay[i] * DAY_MS)),
        lastPurchase: isoDay(new Date(all.lastDay[i] * DAY_MS)),
        tenureDays: asOfDay - all.firstDay[i],
        daysSinceLastPurchase: asOfDay - all.lastDay[i],
      },
    });
  }

  // Segmentation (issue 5) before the write, so each snapshot row is written once with it.
  let segmentation: ComputedSegments | null = null;
  if (options.segment !== false && n > 0) {
    progress('segmenting');
    const settings = await loadSegmentSettings(db);
    const features = await withActivity(
      db,
      asOf,
      {
        ids: all.customerIds,
        recency: snapshot.map((r) => Math.max(0, r.historical.daysSinceLastPurchase as number)),
        orders: Array.from(all.orders),
        revenue: Array.from(all.revenueMinor),
        margin: Array.from(all.marginMinor, (m) => (Number.isNaN(m) ? null : m)),
        tenure: snapshot.map((r) => Math.max(0, r.historical.tenureDays as number)),
        clv: snapshot.map((r) => r.clvMinor ?? 0),
        pAlive: snapshot.map((r) => r.pAlive ?? 0),
      },
      null,
    );
    segmentation = computeSegments(features, settings, progress, asOf);
    const p = segmentation.perCustomer;
    snapshot.forEach((row, i) => {
      row.segments = {
        rfmR: p.r[i],
        rfmF: p.f[i],
        rfmM: p.m[i],
        rfmSegment: p.segment[i],
        tier: p.tier[i],
        cluster: p.cluster[i],
        archetype: p.archetype[i],
      };
    });
    notes.push(...segmentation.notes);
  }

  progress('writing the snapshot');
  const prospects = await db.transaction(async (tx) => {
    await clearSnapshot(tx, asOf);
    if (segmentation) await saveSegmentRuns(tx, asOf, segmentation);
    for (let i = 0; i < snapshot.length; i += 20_000) {
      await writeSnapshotRows(tx, asOf, snapshot.slice(i, i + 20_000));
    }
    const p = await writeProspectSnapshots(tx, asOf, modelName, horizonDays);
    for (const c of candidates) {
      await writeModelFit(tx, asOf, toFitRow(c, unit, fittable, false));
    }
    if (fitSummary) {
      await tx.query('DELETE FROM model_fits WHERE as_of = $1 AND model = $2', [
        asOf,
        fitSummary.model,
      ]);
      await writeModelFit(tx, asOf, toFitRow(fitSummary, unit, fittable, true));
    }
    return p;
  });

  return {
    asOf,
    unit,
    chosen: model?.kind ?? null,
    choice: why,
    candidates,
    fit: fitSummary,
    spend: spendReport,
    customers: n + prospects,
    customersWithPurchases: n,
    prospects,
    horizonMonths,
    annualDiscountRate,
    totalClvMinor: totalClv,
    segmentation: segmentation && {
      customers: n,
      rfm: segmentation.rfm,
      tiers: segmentation.tiers,
      pareto: segmentation.pareto,
      clusters: segmentation.clusters,
    },
    notes,
    ms: performance.now() - started,
  };
}

function toFitRow(f: FitSummary, unit: TimeUnit, customers: number, chosen: boolean): ModelFitRow {
  return {
    model: f.model,
    unit,
    customers,
    params: f.params,
    stderr: f.stderr,
    logLik: f.logLik,
    aic: null,
    bic: null,
    iterations: f.iterations,
    converged: f.converged,
    reason: f.reason,
    holdout: f.holdout,
    chosen,
  };
}
