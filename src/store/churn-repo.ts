/**
 * Churn models, warning settings, per-snapshot risk, alerts and the owners' tasks (issue 6).
 */
import {
  type ChurnModel,
  type ChurnReason,
  DEFAULT_WARNING_SETTINGS,
  type EpisodeState,
  levelRank,
  type PurchaseModel,
  validateWarningSettings,
  WARNING_LEVELS,
  type WarningLevel,
  type WarningSettings,
} from '../engine/index.js';
import { InputError } from '../errors.js';
import type { Db } from './db.js';

export const DEFAULT_WINDOW_DAYS = 90;

const DEFAULT_PROBABILITY = { red: 0.9, orange: 0.8, yellow: 0.7 };

export interface StoredChurnModel {
  asOf: string;
  windowDays: number;
  model: ChurnModel;
  valueModel: PurchaseModel | null;
  warning: WarningSettings;
  training: Record<string, unknown>;
  notes: string[];
}

export async function saveChurnModel(tx: Db, m: StoredChurnModel): Promise<void> {
  await tx.query('DELETE FROM churn_models WHERE as_of = $1', [m.asOf]);
  await tx.query(
    `INSERT INTO churn_models (as_of, window_days, kind, model, value_model, warning, training, notes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      m.asOf,
      m.windowDays,
      m.model.kind,
      JSON.stringify(m.model),
      m.valueModel ? JSON.stringify(m.valueModel) : null,
      JSON.stringify(m.warning),
      JSON.stringify(m.training),
      JSON.stringify(m.notes),
    ],
  );
}

/** The model trained at the latest as-of date on or before `asOf` (any date when absent). */
export async function latestChurnModel(db: Db, asOf?: string): Promise<StoredChurnModel | null> {
  const { rows } = await db.query<{
    as_of: Date | string;
    window_days: number;
    model: ChurnModel;
    value_model: PurchaseModel | null;
    warning: WarningSettings;
    training: Record<string, unknown>;
    notes: string[];
  }>(
    `SELECT as_of, window_days, model, value_model, warning, training, notes FROM churn_models
     WHERE $1::date IS NULL OR as_of <= $1::date ORDER BY as_of DESC LIMIT 1`,
    [asOf ?? null],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    asOf: typeof r.as_of === 'string' ? r.as_of : r.as_of.toISOString().slice(0, 10),
    windowDays: r.window_days,
    model: r.model,
    valueModel: r.value_model,
    warning: r.warning,
    training: r.training,
    notes: r.notes,
  };
}

export interface ChurnSettings {
  windowDays: number;
  warning: WarningSettings;
}

/** The stored settings, or the defaults (90-day window, red/orange/yellow at 0.9/0.8/0.7). */
export async function loadChurnSettings(db: Db): Promise<ChurnSettings> {
  const { rows } = await db.query<{ value: ChurnSettings }>(
    `SELECT value FROM churn_settings WHERE key = 'churn'`,
  );
  return rows[0]?.value ?? { windowDays: DEFAULT_WINDOW_DAYS, warning: DEFAULT_WARNING_SETTINGS };
}

/** Validates and stores the settings. */
export async function saveChurnSettings(db: Db, s: ChurnSettings): Promise<ChurnSettings> {
  validateWarningSettings(s.warning);
  if (!(Number.isInteger(s.windowDays) && s.windowDays > 0 && s.windowDays <= 730)) {
    throw new InputError(
      `window: expected a whole number of days from 1 to 730, got ${s.windowDays}`,
      {
        field: 'window',
        value: s.windowDays,
      },
    );
  }
  await db.query(
    `INSERT INTO churn_settings (key, value) VALUES ('churn', $1)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [JSON.stringify(s)],
  );
  return s;
}

/** Parses `name=value` edits (red=0.8, kind=value, redMinor=100000, lostAfterDays=180, window=60). */
export function applySettingEdits(s: ChurnSettings, edits: readonly string[]): ChurnSettings {
  let kind: WarningSettings['kind'] = s.warning.kind;
  const values: Record<string, number> = { ...(s.warning as unknown as Record<string, number>) };
  let windowDays = s.windowDays;
  for (const e of edits) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(e);
    if (!m) throw new InputError(`setting "${e}": expected name=value`, { value: e });
    const [, name, raw] = m;
    if (name === 'kind') {
      if (raw !== 'probability' && raw !== 'value') {
        throw new InputError(`setting kind: expected probability or value, got "${raw}"`, {
          field: 'kind',
          value: raw,
        });
      }
      kind = raw;
      continue;
    }
    const v = Number(raw);
    if (!Number.isFinite(v)) {
      throw new InputError(`setting ${name}: expected a number, got "${raw}"`, {
        field: name,
        value: raw,
      });
    }
    const known = [
      'red',
      'orange',
      'yellow',
      'redMinor',
      'orangeMinor',
      'yellowMinor',
      'lostAfterDays',
      'window',
    ];
    if (!known.includes(name)) {
      throw new InputError(`setting ${name}: unknown; expected one of kind, ${known.join(', ')}`, {
        field: name,
      });
    }
    if (name === 'window') windowDays = v;
    else values[name] = v;
  }
  const lostAfterDays = values.lostAfterDays ?? DEFAULT_WARNING_SETTINGS.lostAfterDays;
  const warning: WarningSettings =
    kind === 'probability'
      ? {
          kind,
          red: values.red ?? DEFAULT_PROBABILITY.red,
          orange: values.orange ?? DEFAULT_PROBABILITY.orange,
          yellow: values.yellow ?? DEFAULT_PROBABILITY.yellow,
          lostAfterDays,
        }
      : {
          kind,
          redMinor: values.redMinor ?? Number.NaN,
          orangeMinor: values.orangeMinor ?? Number.NaN,
          yellowMinor: values.yellowMinor ?? Number.NaN,
          lostAfterDays,
        };
  return { windowDays, warning: validateWarningSettings(warning) };
}

export interface RiskRow {
  customerId: string;
  risk: number;
  level: WarningLevel | null;
  reasons: readonly ChurnReason[];
}

/** Writes churn risk, warning level and reasons into the snapshot of `asOf`; returns rows updated. */
export async function writeSnapshotRisk(
  tx: Db,
  asOf: string,
  rows: readonly RiskRow[],
): Promise<number> {
  let updated = 0;
  for (let i = 0; i < rows.length; i += 10_000) {
    const b = rows.slice(i, i + 10_000);
    const res = await tx.query(
      `UPDATE score_snapshots s SET churn_risk = u.risk, warning_level = u.level,
              churn_reasons = u.reasons::jsonb
       FROM unnest($2::text[], $3::float8[], $4::text[], $5::text[]) AS u(id, risk, level, reasons)
       WHERE s.customer_id = u.id AND s.as_of = $1::date`,
      [
        asOf,
        b.map((r) => r.customerId),
        b.map((r) => r.risk),
        b.map((r) => r.level),
        b.map((r) => JSON.stringify(r.reasons)),
      ],
    );
    updated += res.rowCount;
  }
  return updated;
}

/** Snapshot CLV of each customer at `asOf` (minor units), for value at risk. */
export async function snapshotClv(
  db: Db,
  asOf: string,
  ids?: readonly string[],
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ customer_id: string; clv: number | null }>(
    `SELECT customer_id, clv_minor::float8 AS clv FROM score_snapshots
     WHERE as_of = $1::date AND ($2::text[] IS NULL OR customer_id = ANY($2::text[]))`,
    [asOf, ids ? [...ids] : null],
  );
  return new Map(rows.map((r) => [r.customer_id, r.clv ?? 0]));
}

/** True when a snapshot exists for `asOf`. */
export async function hasSnapshot(db: Db, asOf: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM score_snapshots WHERE as_of = $1::date LIMIT 1', [
    asOf,
  ]);
  return rows.length > 0;
}

/** The churn alert state of each customer with an open or lost episode. */
export async function loadEpisodeStates(
  db: Db,
  ids?: readonly string[],
): Promise<Map<string, EpisodeState>> {
  const { rows } = await db.query<{
    customer_id: string;
    status: string;
    started: number;
    levels: string[];
  }>(
    `SELECT DISTINCT ON (customer_id) customer_id, status, started, levels FROM (
       SELECT customer_id, churn_episode, status,
              floor(extract(epoch FROM min(raised_at)) / 86400)::int AS started,
              array_agg(level) AS levels, max(raised_at) AS last_raised
       FROM alerts
       WHERE churn_episode IS NOT NULL AND ($1::text[] IS NULL OR customer_id = ANY($1::text[]))
       GROUP BY customer_id, churn_episode, status
     ) e
     ORDER BY customer_id, (status = 'open') DESC, last_raised DESC`,
    [ids ? [...ids] : null],
  );
  const out = new Map<string, EpisodeState>();
  for (const r of rows) {
    if (r.status === 'open') {
      const maxLevel = r.levels.reduce<WarningLevel>(
        (m, l) => (levelRank(l as WarningLevel) > levelRank(m) ? (l as WarningLevel) : m),
        WARNING_LEVELS[0],
      );
      out.set(r.customer_id, { kind: 'open', startedDay: r.started, maxLevel });
    } else if (r.status === 'lost') {
      out.set(r.customer_id, { kind: 'lost', startedDay: r.started });
    }
  }
  return out;
}

/**
 * The latest day the alert episodes were evaluated for everyone: the latest stored churn model
 * (the batch stores its model in the same transaction), or null.
 */
export async function alertsEvaluatedTo(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ d: number | null }>(
    `SELECT (max(as_of) - DATE '1970-01-01')::int AS d FROM churn_models`,
  );
  return rows[0]?.d ?? null;
}

export interface NewAlert {
  customerId: string;
  alertId: string;
  episode: string;
  level: WarningLevel;
  raisedAt: Date;
  risk: number;
  valueAtRiskMinor: number;
  reasons: readonly ChurnReason[];
  dueAt: Date;
}

/** Inserts alerts and one task per alert for the customer's owner (idempotent by alert id). */
export async function insertAlerts(tx: Db, alerts: readonly NewAlert[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < alerts.length; i += 5000) {
    const b = alerts.slice(i, i + 5000);
    const res = await tx.query(
      `INSERT INTO alerts (customer_id, alert_id, level, raised_at, reasons, status, churn_episode,
                           churn_risk, value_at_risk_minor)
       SELECT u.id, u.alert_id, u.level, u.raised_at, u.reasons::jsonb, 'open', u.episode, u.risk, u.var
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[],
                   $7::float8[], $8::bigint[]) AS u(id, alert_id, level, raised_at, reasons, episode, risk, var)
       ON CONFLICT (customer_id, alert_id) DO NOTHING`,
      [
        b.map((a) => a.customerId),
        b.map((a) => a.alertId),
        b.map((a) => a.level),
        b.map((a) => a.raisedAt),
        b.map((a) => JSON.stringify(a.reasons)),
        b.map((a) => a.episode),
        b.map((a) => a.risk),
        b.map((a) => Math.round(a.valueAtRiskMinor)),
      ],
    );
    inserted += res.rowCount;
    // The owner's task: source 'alert', keyed by the alert so it is never created twice.
    await tx.query(
      `INSERT INTO tasks (customer_id, task_id, type, owner_id, due_at, status, source, source_key)
       SELECT u.id, 'alert:' || u.alert_id, 'churn_' || u.level, c.owner_id, u.due_at, 'open', 'alert', u.alert_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS u(id, alert_id, level, due_at)
       JOIN customers c ON c.customer_id = u.id
       ON CONFLICT DO NOTHING`,
      [
        b.map((a) => a.customerId),
        b.map((a) => a.alertId),
        b.map((a) => a.level),
        b.map((a) => a.dueAt),
      ],
    );
  }
  return inserted;
}

export interface Resolution {
  customerId: string;
  outcome: 'retained' | 'lost' | 'cleared';
  resolvedAt: Date;
}

/** Closes each customer's open churn episode with its outcome, and the tasks raised by it. */
export async function resolveEpisodes(tx: Db, list: readonly Resolution[]): Promise<number> {
  let resolved = 0;
  for (let i = 0; i < list.length; i += 5000) {
    const b = list.slice(i, i + 5000);
    const params = [
      b.map((r) => r.customerId),
      b.map((r) => r.outcome),
      b.map((r) => r.resolvedAt),
    ];
    await tx.query(
      `UPDATE tasks t SET status = 'done', outcome = u.outcome, completed_at = u.at
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(id, outcome, at), alerts a
       WHERE a.customer_id = u.id AND a.status = 'open' AND a.churn_episode IS NOT NULL
         AND t.customer_id = a.customer_id AND t.source = 'alert' AND t.source_key = a.alert_id
         AND t.status = 'open'`,
      params,
    );
    const res = await tx.query(
      `UPDATE alerts a SET status = u.outcome, resolved_at = u.at
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(id, outcome, at)
       WHERE a.customer_id = u.id AND a.status = 'open' AND a.churn_episode IS NOT NULL`,
      params,
    );
    resolved += res.rowCount;
  }
  return resolved;
}

/** The latest snapshot date on or before `asOf` (any when absent), and whether it carries churn risk. */
export async function latestSnapshot(
  db: Db,
  asOf?: string,
): Promise<{ asOf: string; scored: boolean } | null> {
  const { rows } = await db.query<{ d: string | null }>(
    `SELECT to_char(max(as_of), 'YYYY-MM-DD') AS d FROM score_snapshots
     WHERE $1::date IS NULL OR as_of <= $1::date`,
    [asOf ?? null],
  );
  const d = rows[0]?.d;
  if (!d) return null;
  const s = await db.query(
    'SELECT 1 FROM score_snapshots WHERE as_of = $1::date AND churn_risk IS NOT NULL LIMIT 1',
    [d],
  );
  return { asOf: d, scored: s.rows.length > 0 };
}

export interface AtRiskCustomer {
  customerId: string;
  name: string | null;
  ownerId: string | null;
  level: WarningLevel;
  risk: number;
  clvMinor: number;
  valueAtRiskMinor: number;
  daysSinceLastPurchase: number | null;
  reasons: ChurnReason[];
  /** the open churn alert's id, if any */
  alertId: string | null;
}

/** Customers at or above `minLevel` in the snapshot of `asOf`, by value at risk, highest first. */
export async function listAtRisk(
  db: Db,
  asOf: string,
  minLevel: WarningLevel,
  limit: number,
): Promise<{ customers: AtRiskCustomer[]; counts: Record<WarningLevel, number> }> {
  const levels = WARNING_LEVELS.filter((l) => levelRank(l) >= levelRank(minLevel));
  const { rows } = await db.query<{
    customer_id: string;
    name: string | null;
    owner_id: string | null;
    warning_level: WarningLevel;
    churn_risk: number;
    clv: number | null;
    recency: number | null;
    churn_reasons: ChurnReason[] | null;
    alert_id: string | null;
  }>(
    `SELECT s.customer_id, c.name, c.owner_id, s.warning_level, s.churn_risk,
            s.clv_minor::float8 AS clv, (s.historical->>'daysSinceLastPurchase')::int AS recency,
            s.churn_reasons,
            (SELECT a.alert_id FROM alerts a WHERE a.customer_id = s.customer_id AND a.status = 'open'
               AND a.churn_episode IS NOT NULL ORDER BY a.raised_at DESC, a.alert_id DESC LIMIT 1) AS alert_id
     FROM score_snapshots s JOIN customers c ON c.customer_id = s.customer_id
     WHERE s.as_of = $1::date AND s.warning_level = ANY($2::text[])
     ORDER BY s.churn_risk * greatest(coalesce(s.clv_minor, 0), 0) DESC, s.churn_risk DESC, s.customer_id
     LIMIT $3`,
    [asOf, levels, limit],
  );
  const counts = await db.query<{ warning_level: WarningLevel; n: number }>(
    `SELECT warning_level, count(*)::int AS n FROM score_snapshots
     WHERE as_of = $1::date AND warning_level IS NOT NULL GROUP BY 1`,
    [asOf],
  );
  const c: Record<WarningLevel, number> = { red: 0, orange: 0, yellow: 0 };
  for (const r of counts.rows) c[r.warning_level] = r.n;
  return {
    counts: c,
    customers: rows.map((r) => ({
      customerId: r.customer_id,
      name: r.name,
      ownerId: r.owner_id,
      level: r.warning_level,
      risk: r.churn_risk,
      clvMinor: Math.max(0, r.clv ?? 0),
      valueAtRiskMinor: Math.round(r.churn_risk * Math.max(0, r.clv ?? 0)),
      daysSinceLastPurchase: r.recency,
      reasons: r.churn_reasons ?? [],
      alertId: r.alert_id,
    })),
  };
}

export interface BacktestFigures {
  /** the as-of date of the stored model the figures belong to */
  asOf: string;
  windowDays: number;
  kind: ChurnModel['kind'];
  trainedAt: Date;
  /** which customers the figures are measured on */
  basis: 'holdout';
  customers: number;
  churned: number;
  baseRate: number | null;
  auc: number | null;
  prAuc: number | null;
  brier: number | null;
  /** ROC points at the decile cut-offs: (0,0), then after each decile, to (1,1) */
  roc: { fpr: number; tpr: number }[];
  liftByDecile: { decile: number; lift: number; capture: number }[];
  /** mean predicted probability against the observed churn rate, per decile */
  calibration: { decile: number; predicted: number; observed: number; customers: number }[];
  coefficients: { feature: string; coefficient: number }[];
  notes: string[];
}

/**
 * The figures of the latest stored churn model (the one `runChurnAnalysis` trained), measured on
 * its held-out quarter of customers: AUC, lift and capture by decile, calibration by decile and a
 * ROC curve through the decile cut-offs (Berry & Linoff 2004, ch. 5: with customers sorted by
 * score, cutting after decile k flags the top k tenths; TPR = churners flagged ÷ churners,
 * FPR = non-churners flagged ÷ non-churners). Null when no model is stored or it has no
 * held-out metrics (a fallback model).
 */
export async function churnBacktestFigures(db: Db): Promise<BacktestFigures | null> {
  const { rows } = await db.query<{
    as_of: string;
    window_days: number;
    kind: ChurnModel['kind'];
    training: {
      holdoutMetrics?: {
        customers: number;
        churned: number;
        baseRate: number | null;
        rocAuc: number | null;
        prAuc: number | null;
        brier: number | null;
        deciles: {
          decile: number;
          customers: number;
          churned: number;
          predicted: number;
          observed: number;
          lift: number;
          capture: number;
        }[];
      } | null;
      coefficients?: { feature: string; coefficient: number }[];
    };
    notes: string[];
    trained_at: Date;
  }>(
    `SELECT as_of, window_days, kind, training, notes, trained_at FROM churn_models
     ORDER BY as_of DESC LIMIT 1`,
  );
  const r = rows[0];
  const m = r?.training.holdoutMetrics;
  if (!r || !m) return null;
  const positives = m.churned;
  const negatives = m.customers - m.churned;
  const roc = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (const d of m.deciles) {
    tp += d.churned;
    fp += d.customers - d.churned;
    roc.push({
      fpr: negatives > 0 ? fp / negatives : 0,
      tpr: positives > 0 ? tp / positives : 0,
    });
  }
  return {
    asOf: r.as_of,
    windowDays: r.window_days,
    kind: r.kind,
    trainedAt: r.trained_at,
    basis: 'holdout',
    customers: m.customers,
    churned: m.churned,
    baseRate: m.baseRate,
    auc: m.rocAuc,
    prAuc: m.prAuc,
    brier: m.brier,
    roc,
    liftByDecile: m.deciles.map((d) => ({ decile: d.decile, lift: d.lift, capture: d.capture })),
    calibration: m.deciles.map((d) => ({
      decile: d.decile,
      predicted: d.predicted,
      observed: d.observed,
      customers: d.customers,
    })),
    coefficients: r.training.coefficients ?? [],
    notes: r.notes,
  };
}
