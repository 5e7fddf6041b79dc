/**
 * Lifecycle stages as of a date (issue 4 §2): each customer's state is computed in the
 * database, the stage model's rules (src/engine/lifecycle) decide the stage, and a stage
 * history row is written only where the stage changed, with its reason in words and in data.
 * One transaction per run; re-running for the same date replaces that date's rows.
 */
import {
  type CustomerState,
  evaluateStages,
  type StageModel,
  type StageThresholdName,
  stageChanges,
  withThresholds,
} from '../engine/index.js';
import { InputError, NotFoundError } from '../errors.js';
import type { CopyValue, Db } from './db.js';
import { enabledStageModels, listStageModels } from './stage-model-repo.js';
import { runValueAnalysis } from './value-analysis.js';

const DAY_MS = 86_400_000;

export interface LifecycleOptions {
  /** the analysis day (UTC); the data up to the end of that day counts */
  asOf: Date;
  /** stage models to evaluate (default: the enabled ones in `stage_models`) */
  models?: readonly StageModel[];
  /**
   * re-evaluate this customer alone (incremental: after new orders or interactions arrive
   * through the API); the others keep their stages
   */
  customerId?: string;
  /** re-evaluate these customers alone (the API's refresh worker, a batch at a time) */
  customerIds?: readonly string[];
}

export interface LifecycleModelReport {
  model: string;
  version: number;
  customers: number;
  changes: number;
  /** customers per stage code, in the model's display order */
  mix: { stage: string; zh: string; en: string; customers: number }[];
}

export interface LifecycleReport {
  asOf: string;
  models: LifecycleModelReport[];
  ms: number;
}

interface StateRow {
  customer_id: string;
  first_at: Date | null;
  last_at: Date | null;
  purchase_days: number;
  mean_gap: number | null;
  rev_last: number;
  rev_prev: number;
  p_alive: number | null;
  expected_purchases: number | null;
  sub_active: boolean | null;
  sub_started: Date | null;
  complaints: number;
  interactions: number;
  prev_stage: string | null;
  prev_since: Date | null;
}

// $1 end of the as-of day (exclusive), $2 value window days, $3 complaint window days,
// $4 model key, $5 as-of date (score snapshot), $6 the customers to evaluate (text[]) or null for all.
const STATE_SQL = `
  WITH days AS (
    SELECT customer_id, floor(extract(epoch FROM occurred_at) / 86400)::int AS d,
           sum(amount_minor) AS amt, min(occurred_at) AS first_at, max(occurred_at) AS last_at
    FROM transactions
    WHERE status = 'completed' AND occurred_at < $1::timestamptz
      AND ($6::text[] IS NULL OR customer_id = ANY($6::text[]))
    GROUP BY 1, 2
  ), p AS (
    SELECT customer_id, min(first_at) AS first_at, max(last_at) AS last_at,
           count(*)::int AS purchase_days,
           CASE WHEN count(*) > 1 THEN (max(d) - min(d))::float8 / (count(*) - 1) END AS mean_gap,
           coalesce(sum(amt) FILTER (
             WHERE d >= floor(extract(epoch FROM $1::timestamptz) / 86400)::int - $2::int), 0)::bigint AS rev_last,
           coalesce(sum(amt) FILTER (
             WHERE d < floor(extract(epoch FROM $1::timestamptz) / 86400)::int - $2::int
               AND d >= floor(extract(epoch FROM $1::timestamptz) / 86400)::int - 2 * $2::int), 0)::bigint AS rev_prev
    FROM days GROUP BY 1
  ), s AS (
    SELECT customer_id, bool_or(ended_at IS NULL OR ended_at >= $1::timestamptz) AS active,
           min(started_at) AS started
    FROM subscriptions
    WHERE started_at < $1::timestamptz AND ($6::text[] IS NULL OR customer_id = ANY($6::text[]))
    GROUP BY 1
  ), i AS (
    SELECT customer_id,
           count(*) FILTER (WHERE type = 'complaint'
                              AND occurred_at >= $1::timestamptz - $3::int * interval '1 day')::int AS complaints,
           count(*)::int AS interactions
    FROM interactions
    WHERE occurred_at < $1::timestamptz AND ($6::text[] IS NULL OR customer_id = ANY($6::text[]))
    GROUP BY 1
  ), h AS (
    SELECT DISTINCT ON (customer_id) customer_id, to_stage, changed_at
    FROM stage_history
    WHERE model_id = $4 AND changed_at < $1::timestamptz
      AND ($6::text[] IS NULL OR customer_id = ANY($6::text[]))
    ORDER BY customer_id, changed_at DESC
  )
  SELECT c.customer_id, p.first_at, p.last_at, coalesce(p.purchase_days, 0) AS purchase_days,
         p.mean_gap, coalesce(p.rev_last, 0) AS rev_last, coalesce(p.rev_prev, 0) AS rev_prev,
         sc.p_alive, sc.expected_purchases, s.active AS sub_active, s.started AS sub_started,
         coalesce(i.complaints, 0) AS complaints, coalesce(i.interactions, 0) AS interactions,
         h.to_stage AS prev_stage, h.changed_at AS prev_since
  FROM customers c
  LEFT JOIN p ON p.customer_id = c.customer_id
  LEFT JOIN s ON s.customer_id = c.customer_id
  LEFT JOIN i ON i.customer_id = c.customer_id
  LEFT JOIN h ON h.customer_id = c.customer_id
  LEFT JOIN score_snapshots sc ON sc.customer_id = c.customer_id AND sc.as_of = $5::date
  WHERE c.erased_at IS NULL AND ($6::text[] IS NULL OR c.customer_id = ANY($6::text[]))
  ORDER BY c.customer_id`;

const HISTORY_COLUMNS = [
  'customer_id',
  'model_id',
  'changed_at',
  'from_stage',
  'to_stage',
  'reason',
  'reason_data',
] as const;

function toState(r: StateRow): CustomerState {
  return {
    customerId: r.customer_id,
    firstPurchaseAt: r.first_at,
    lastPurchaseAt: r.last_at,
    purchaseDays: r.purchase_days,
    meanGapDays: r.mean_gap,
    revenueLastWindowMinor: r.rev_last,
    revenuePreviousWindowMinor: r.rev_prev,
    pAlive: r.p_alive,
    expectedPurchases: r.expected_purchases,
    subscription: r.sub_active === null ? 'none' : r.sub_active ? 'active' : 'ended',
    subscriptionStartedAt: r.sub_started,
    recentComplaints: r.complaints,
    interactions: r.interactions,
    previousStageSince: r.prev_since,
  };
}

/** Evaluates the stage models as of `options.asOf` and records the changes. */
export async function runLifecycleAnalysis(
  db: Db,
  options: LifecycleOptions,
): Promise<LifecycleReport> {
  const started = performance.now();
  const day = new Date(Math.floor(options.asOf.getTime() / DAY_MS) * DAY_MS);
  const end = new Date(day.getTime() + DAY_MS);
  const asOf = day.toISOString().slice(0, 10);
  const models = options.models ?? (await enabledStageModels(db));
  const reports: LifecycleModelReport[] = [];
  await db.transaction(async (tx) => {
    for (const model of models) {
      const only =
        options.customerIds ?? (options.customerId === undefined ? null : [options.customerId]);
      const later = await tx.query(
        `SELECT 1 FROM stage_history WHERE model_id = $1 AND changed_at > $2
           AND ($3::text[] IS NULL OR customer_id = ANY($3::text[])) LIMIT 1`,
        [model.key, day, only],
      );
      if (later.rows.length > 0) {
        throw new InputError(
          `stage history of model ${model.key} already runs past ${asOf}; analyse a later date or rebuild the history`,
          { field: 'asOf', value: asOf },
        );
      }
      await tx.query(
        `DELETE FROM stage_history WHERE model_id = $1 AND changed_at = $2
           AND ($3::text[] IS NULL OR customer_id = ANY($3::text[]))`,
        [model.key, day, only],
      );
      const counts = new Map<string, number>();
      let customers = 0;
      let changes = 0;
      const t = model.thresholds;
      for await (const batch of tx.stream<StateRow>(
        STATE_SQL,
        [end, t.valueWindowDays, t.complaintWindowDays, model.key, asOf, only],
        10_000,
      )) {
        const states = batch.map(toState);
        const results = evaluateStages(
          model,
          states,
          end,
          batch.map((r) => r.prev_stage),
        );
        for (const r of results) counts.set(r.stage, (counts.get(r.stage) ?? 0) + 1);
        customers += results.length;
        const rows: CopyValue[][] = stageChanges(results, day).map((c) => [
          c.customerId,
          model.key,
          day,
          c.previousStage,
          c.stage,
          c.reason.zh,
          {
            en: c.reason.en,
            ruleId: c.ruleId,
            wonBack: c.wonBack,
            conditions: c.conditions,
            modelVersion: c.modelVersion,
          },
        ]);
        changes += rows.length;
        // An SQL cursor (DECLARE) leaves the connection free for COPY in the same transaction.
        await tx.copyIn('stage_history', HISTORY_COLUMNS, rows);
      }
      reports.push({
        model: model.key,
        version: model.version,
        customers,
        changes,
        mix: model.stages.map((s) => ({
          stage: s.code,
          zh: s.name.zh,
          en: s.name.en,
          customers: counts.get(s.code) ?? 0,
        })),
      });
    }
  });
  return { asOf, models: reports, ms: performance.now() - started };
}

export interface ReplayOptions {
  /** first as-of day of the rebuilt history */
  from: Date;
  /** last as-of day (included) */
  to: Date;
  step: 'month';
  onStep?: (asOf: string, index: number, steps: number) => void;
}

export interface ReplayReport {
  from: string;
  to: string;
  /** per step: changes recorded and the resulting customers per stage, by model */
  steps: {
    asOf: string;
    changes: Record<string, number>;
    mix: Record<string, Record<string, number>>;
  }[];
  final: LifecycleReport;
  ms: number;
}

/** The as-of days of a replay: the last day of each month from `from`'s month, then `to`. */
export function replayDates(from: Date, to: Date): Date[] {
  const fromDay = Math.floor(from.getTime() / DAY_MS);
  const toDay = Math.floor(to.getTime() / DAY_MS);
  if (toDay < fromDay) {
    throw new InputError('--from must not be after the analysis date', {
      field: '--from',
      value: from.toISOString().slice(0, 10),
    });
  }
  const out: Date[] = [new Date(fromDay * DAY_MS)];
  let y = from.getUTCFullYear();
  let m = from.getUTCMonth();
  for (;;) {
    // the last day of month m
    const end = Date.UTC(y, m + 1, 0) / DAY_MS;
    if (end >= toDay) break;
    if (end > fromDay) out.push(new Date(end * DAY_MS));
    m++;
    if (m === 12) {
      m = 0;
      y++;
    }
  }
  if (toDay > fromDay) out.push(new Date(toDay * DAY_MS));
  return out;
}

/**
 * Rebuilds the stage history from `from` to `to` month by month from the transactions (issue 4
 * §2), scoring the value model at each step as `tenure analyze` would have, so a new
 * installation gets a realistic past. One transaction: a failed replay leaves the old history.
 */
export async function replayLifecycle(db: Db, options: ReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  const dates = replayDates(options.from, options.to);
  const models = await enabledStageModels(db);
  return db.transaction(async (tx) => {
    await tx.query('DELETE FROM stage_history WHERE model_id = ANY($1) AND changed_at >= $2', [
      models.map((m) => m.key),
      dates[0],
    ]);
    const steps: ReplayReport['steps'] = [];
    let final: LifecycleReport | null = null;
    for (const [i, d] of dates.entries()) {
      options.onStep?.(d.toISOString().slice(0, 10), i, dates.length);
      // BG/NBD at every step: choosing the model on a holdout each month would multiply the
      // fitting work for little change in the stages. Segments only on the last step.
      await runValueAnalysis(tx, { asOf: d, model: 'bgnbd', segment: i === dates.length - 1 });
      final = await runLifecycleAnalysis(tx, { asOf: d, models });
      steps.push({
        asOf: final.asOf,
        changes: Object.fromEntries(final.models.map((m) => [m.model, m.changes])),
        mix: Object.fromEntries(
          final.models.map((m) => [
            m.model,
            Object.fromEntries(
              m.mix.filter((x) => x.customers > 0).map((x) => [x.stage, x.customers]),
            ),
          ]),
        ),
      });
    }
    return {
      from: steps[0].asOf,
      to: steps[steps.length - 1].asOf,
      steps,
      final: final!,
      ms: performance.now() - started,
    };
  });
}

/**
 * Re-evaluates one customer's stages as of `asOf` (default: today is the caller's to pass) and
 * records a change if there is one — for new orders or interactions arriving one at a time.
 */
export async function reevaluateCustomer(
  db: Db,
  customerId: string,
  asOf: Date,
): Promise<LifecycleReport> {
  return runLifecycleAnalysis(db, { asOf, customerId });
}

export interface ThresholdPreview {
  model: string;
  /** the day both versions are evaluated at: the model's latest history day (else today) */
  asOf: string;
  customers: number;
  /** customers whose stage differs between the current thresholds and the proposed ones */
  wouldMove: number;
  byStage: { stage: string; zh: string; en: string; before: number; after: number }[];
  moves: { from: string; to: string; customers: number }[];
}

/**
 * What changing a stored model's thresholds would do, without writing anything: every customer
 * is evaluated as of the model's latest history day with the current thresholds and with the
 * proposed ones (validated as `setStageThresholds` would), from the same data and the same
 * previous stage, so the difference is the thresholds' alone.
 */
export async function previewStageThresholds(
  db: Db,
  key: string,
  changes: Partial<Record<StageThresholdName, number>>,
  now: Date,
): Promise<ThresholdPreview> {
  // One transaction: both passes read the same data (and nothing is written).
  return db.transaction((tx) => previewIn(tx, key, changes, now));
}

async function previewIn(
  db: Db,
  key: string,
  changes: Partial<Record<StageThresholdName, number>>,
  now: Date,
): Promise<ThresholdPreview> {
  const stored = (await listStageModels(db)).find((m) => m.model.key === key);
  if (!stored) throw new NotFoundError(`no stage model "${key}"`, { field: 'model', value: key });
  const current = stored.model;
  const proposed = withThresholds(current, changes, `thresholds`);
  const { rows } = await db.query<{ d: Date | null }>(
    'SELECT max(changed_at) AS d FROM stage_history WHERE model_id = $1',
    [key],
  );
  const last = rows[0]?.d ?? now;
  const day = new Date(Math.floor(last.getTime() / DAY_MS) * DAY_MS);
  const end = new Date(day.getTime() + DAY_MS);
  const asOf = day.toISOString().slice(0, 10);
  const stream = (m: StageModel) =>
    db.stream<StateRow>(
      STATE_SQL,
      [end, m.thresholds.valueWindowDays, m.thresholds.complaintWindowDays, key, asOf, null],
      10_000,
    );
  const evaluate = (m: StageModel, batch: StateRow[]) =>
    evaluateStages(
      m,
      batch.map(toState),
      end,
      batch.map((r) => r.prev_stage),
    );
  const before = new Map<string, number>();
  const after = new Map<string, number>();
  const moves = new Map<string, number>();
  let customers = 0;
  let wouldMove = 0;
  const tally = (a: string, b: string) => {
    customers++;
    before.set(a, (before.get(a) ?? 0) + 1);
    after.set(b, (after.get(b) ?? 0) + 1);
    if (a !== b) {
      wouldMove++;
      const k = `${a}\u0000${b}`;
      moves.set(k, (moves.get(k) ?? 0) + 1);
    }
  };
  const sameState =
    current.thresholds.valueWindowDays === proposed.thresholds.valueWindowDays &&
    current.thresholds.complaintWindowDays === proposed.thresholds.complaintWindowDays;
  if (sameState) {
    for await (const batch of stream(current)) {
      const a = evaluate(current, batch);
      const b = evaluate(proposed, batch);
      for (let i = 0; i < a.length; i++) tally(a[i].stage, b[i].stage);
    }
  } else {
    // The windows change the customers' state itself: two passes, joined by customer id.
    const first = new Map<string, string>();
    for await (const batch of stream(current)) {
      for (const r of evaluate(current, batch)) first.set(r.customerId, r.stage);
    }
    for await (const batch of stream(proposed)) {
      for (const r of evaluate(proposed, batch)) {
        tally(first.get(r.customerId) ?? r.stage, r.stage);
      }
    }
  }
  return {
    model: key,
    asOf,
    customers,
    wouldMove,
    byStage: current.stages.map((s) => ({
      stage: s.code,
      zh: s.name.zh,
      en: s.name.en,
      before: before.get(s.code) ?? 0,
      after: after.get(s.code) ?? 0,
    })),
    moves: [...moves]
      .map(([k, n]) => {
        const [from, to] = k.split('\u0000');
        return { from, to, customers: n };
      })
      .sort((x, y) => y.customers - x.customers || x.from.localeCompare(y.from)),
  };
}
