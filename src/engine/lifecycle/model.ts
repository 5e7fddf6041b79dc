/**
 * Lifecycle stage models as data (SPEC §3, issue 4): a named, versioned definition with ordered
 * stages and precedence-ordered rules that decide a customer's stage from their state.
 *
 * A rule fires when any of its condition groups holds (a group holds when all of its conditions
 * hold); rules are tried in order and the first that fires decides the stage, so the rule order
 * *is* the documented precedence. A condition compares one metric of the customer (see
 * `customerMetrics` in `evaluate.ts`) with a named threshold or a literal. A metric the state cannot
 * supply (no value model, no subscription, no repeat purchase) makes its condition false.
 *
 * StageThresholds are settings with a declared range (`STAGE_THRESHOLDS`); editing them produces a new
 * version (`withThresholds`). Each stage carries a `role` on the relationship model's axis
 * (prospect … churned), which the analyses, trajectories and won-back re-entry read, so the
 * other presets (telecom, contact, six-stage) reuse them.
 *
 * References: seed 000 (四阶段模型: 考察期, 形成期, 稳定期, 退化期; fig. 2-4 trajectories);
 * seed 003 (decline can happen from any stage); seed 002/004 (telecom and contact models).
 */
import { InputError } from '../../errors.js';

export type StageRole =
  | 'prospect'
  | 'exploration'
  | 'formation'
  | 'stability'
  | 'decline'
  | 'churned';

export const STAGE_ROLES: readonly StageRole[] = Object.freeze([
  'prospect',
  'exploration',
  'formation',
  'stability',
  'decline',
  'churned',
]);

export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export interface StageDefinition {
  readonly code: string;
  readonly name: Bilingual;
  /** `#rrggbb` */
  readonly colour: string;
  readonly role: StageRole;
}

/** What a condition can compare; computed from `CustomerState` in `evaluate.ts`. */
export type StageMetric =
  | 'purchaseDays'
  | 'tenureDays'
  | 'daysSinceLastPurchase'
  | 'meanGapDays'
  | 'gapRatio'
  | 'valueTrend'
  | 'pAlive'
  | 'expectedPurchases'
  | 'subscriptionActive'
  | 'subscriptionEnded'
  | 'recentComplaints'
  | 'interactions';

export const STAGE_METRICS: readonly StageMetric[] = Object.freeze([
  'purchaseDays',
  'tenureDays',
  'daysSinceLastPurchase',
  'meanGapDays',
  'gapRatio',
  'valueTrend',
  'pAlive',
  'expectedPurchases',
  'subscriptionActive',
  'subscriptionEnded',
  'recentComplaints',
  'interactions',
]);

export type StageComparison = '<' | '<=' | '>' | '>=';

export interface StageCondition {
  readonly metric: StageMetric;
  readonly op: StageComparison;
  /** a threshold name (a setting) or a fixed number */
  readonly threshold: StageThresholdName | number;
}

export interface StageRule {
  /** stable id, carried into the reason data and the history */
  readonly id: string;
  readonly stage: string;
  /** any group (all its conditions) fires the rule; absent = always fires (the fallback) */
  readonly when?: readonly (readonly StageCondition[])[];
}

export type StageThresholdName =
  | 'churnPAlive'
  | 'declinePAlive'
  | 'churnGapRatio'
  | 'declineGapRatio'
  | 'churnMinPurchaseDays'
  | 'singlePurchaseDeclineDays'
  | 'declineValueTrend'
  | 'valueWindowDays'
  | 'complaintWindowDays'
  | 'declineComplaints'
  | 'formationPurchaseDays'
  | 'formationDays'
  | 'stabilityPurchaseDays'
  | 'stabilityDays'
  | 'loyaltyPurchaseDays'
  | 'loyaltyDays'
  | 'dormantDays';

export type StageThresholds = Readonly<Record<StageThresholdName, number>>;

interface ThresholdSpec {
  readonly min: number;
  readonly minExclusive: boolean;
  readonly max: number;
  readonly maxExclusive: boolean;
  readonly integer: boolean;
  readonly about: string;
}

function spec(
  min: number,
  max: number,
  about: string,
  opts: { minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {},
): ThresholdSpec {
  return {
    min,
    max,
    about,
    minExclusive: opts.minExclusive ?? false,
    maxExclusive: opts.maxExclusive ?? false,
    integer: opts.integer ?? false,
  };
}

const PROB = { minExclusive: true, maxExclusive: true };

/** Every setting a rule can name, with its range. */
export const STAGE_THRESHOLDS: Readonly<Record<StageThresholdName, ThresholdSpec>> = Object.freeze({
  churnPAlive: spec(0, 1, 'P(alive) below which a repeat buyer is churned', PROB),
  declinePAlive: spec(0, 1, 'P(alive) below which a customer is in decline', PROB),
  churnGapRatio: spec(1, Infinity, 'days since last purchase ÷ own mean gap for churn', {
    minExclusive: true,
  }),
  declineGapRatio: spec(1, Infinity, 'days since last purchase ÷ own mean gap for decline', {
    minExclusive: true,
  }),
  churnMinPurchaseDays: spec(2, Infinity, 'purchase days needed before a gap can mean churn', {
    integer: true,
  }),
  singlePurchaseDeclineDays: spec(0, Infinity, 'days after a lone purchase that mean decline', {
    minExclusive: true,
  }),
  declineValueTrend: spec(0, 1, 'last window revenue ÷ previous window revenue for decline', PROB),
  valueWindowDays: spec(0, Infinity, 'length of each of the two revenue windows', {
    minExclusive: true,
  }),
  complaintWindowDays: spec(0, Infinity, 'complaints count over this many recent days', {
    minExclusive: true,
  }),
  declineComplaints: spec(1, Infinity, 'recent complaints that mean decline', { integer: true }),
  formationPurchaseDays: spec(2, Infinity, 'purchase days to leave exploration', {
    integer: true,
  }),
  formationDays: spec(0, Infinity, 'tenure days to leave exploration'),
  stabilityPurchaseDays: spec(2, Infinity, 'purchase days to reach stability', { integer: true }),
  stabilityDays: spec(0, Infinity, 'tenure days to reach stability'),
  loyaltyPurchaseDays: spec(2, Infinity, 'purchase days to reach loyalty', { integer: true }),
  loyaltyDays: spec(0, Infinity, 'tenure days to reach loyalty'),
  dormantDays: spec(0, Infinity, 'days without purchase that mean dormancy', {
    minExclusive: true,
  }),
} satisfies Record<StageThresholdName, ThresholdSpec>);

const THRESHOLD_NAMES = Object.keys(STAGE_THRESHOLDS) as StageThresholdName[];

export interface StageModel {
  /** stable key, e.g. `relationship` */
  readonly key: string;
  readonly name: Bilingual;
  /** starts at 1; every edit of thresholds or rules adds 1 */
  readonly version: number;
  /** in display order (the funnel follows this order over the active roles) */
  readonly stages: readonly StageDefinition[];
  /** in precedence order; the last rule has no conditions */
  readonly rules: readonly StageRule[];
  readonly thresholds: StageThresholds;
  /** stage a customer re-enters when they buy again after a churned-role stage (挽回 won back) */
  readonly reentryStage: string | null;
}

// ---------------------------------------------------------------------------------------------
// Defaults

/**
 * Retail defaults, checked against the demo retail business (`lifecycle-demo.test.ts`, seeds 3,
 * 5, 11): churn recall ≈ 0.88 and precision ≈ 0.89, and about 70% of customers in their true
 * stage, without ground truth. A lone purchase cannot mean churn (BG/NBD: the trial purchase
 * never ends a relationship), so one-time buyers only reach decline, after a year; revenue
 * windows are half a year because quarters hold too few orders to compare.
 */
export const RETAIL_THRESHOLDS: StageThresholds = Object.freeze({
  churnPAlive: 0.3,
  declinePAlive: 0.6,
  churnGapRatio: 4,
  declineGapRatio: 2,
  churnMinPurchaseDays: 2,
  singlePurchaseDeclineDays: 365,
  declineValueTrend: 0.3,
  valueWindowDays: 180,
  complaintWindowDays: 90,
  declineComplaints: 1,
  formationPurchaseDays: 3,
  formationDays: 90,
  stabilityPurchaseDays: 6,
  stabilityDays: 365,
  loyaltyPurchaseDays: 12,
  loyaltyDays: 730,
  dormantDays: 90,
});

/** Telecom: a contract's age is the tenure; an ended subscription is churn. */
export const TELECOM_THRESHOLDS: StageThresholds = Object.freeze({
  ...RETAIL_THRESHOLDS,
  churnPAlive: 0.2,
  declinePAlive: 0.5,
  churnGapRatio: 6,
  declineGapRatio: 3,
  singlePurchaseDeclineDays: 365,
  valueWindowDays: 90,
  formationDays: 90,
  stabilityDays: 365,
  dormantDays: 60,
});

/** Threshold defaults per kind of business; pass one to `withThresholds` to switch. */
export const STAGE_THRESHOLD_PRESETS: Readonly<Record<'retail' | 'telecom', StageThresholds>> =
  Object.freeze({ retail: RETAIL_THRESHOLDS, telecom: TELECOM_THRESHOLDS });

const c = (
  metric: StageMetric,
  op: StageComparison,
  threshold: StageThresholdName | number,
): StageCondition => ({
  metric,
  op,
  threshold,
});

/** Churn and decline rules shared by the relationship and six-stage models (seed 003). */
function relationshipRules(codes: Record<StageRole, string>): StageRule[] {
  return [
    { id: 'no-purchase', stage: codes.prospect, when: [[c('purchaseDays', '<', 1)]] },
    {
      id: 'churn',
      stage: codes.churned,
      when: [
        [c('subscriptionEnded', '>=', 1)],
        [c('purchaseDays', '>=', 'churnMinPurchaseDays'), c('pAlive', '<', 'churnPAlive')],
        [c('purchaseDays', '>=', 'churnMinPurchaseDays'), c('gapRatio', '>', 'churnGapRatio')],
      ],
    },
    {
      id: 'decline',
      stage: codes.decline,
      when: [
        [c('recentComplaints', '>=', 'declineComplaints')],
        [c('gapRatio', '>', 'declineGapRatio')],
        [c('pAlive', '<', 'declinePAlive')],
        [c('purchaseDays', '<', 2), c('daysSinceLastPurchase', '>', 'singlePurchaseDeclineDays')],
        [c('valueTrend', '<', 'declineValueTrend'), c('tenureDays', '>=', 'stabilityDays')],
      ],
    },
    {
      id: 'exploration',
      stage: codes.exploration,
      when: [
        [c('purchaseDays', '<', 'formationPurchaseDays')],
        [c('tenureDays', '<', 'formationDays')],
      ],
    },
    {
      id: 'formation',
      stage: codes.formation,
      when: [
        [c('purchaseDays', '<', 'stabilityPurchaseDays')],
        [c('tenureDays', '<', 'stabilityDays')],
      ],
    },
    { id: 'stability', stage: codes.stability },
  ];
}

const stage = (
  code: string,
  zh: string,
  en: string,
  colour: string,
  role: StageRole,
): StageDefinition => ({ code, name: { zh, en }, colour, role });

const RELATIONSHIP: StageModel = {
  key: 'relationship',
  name: { zh: '四阶段关系模型', en: 'Four-stage relationship model' },
  version: 1,
  stages: [
    stage('prospect', '潜在', 'Prospect', '#9ca3af', 'prospect'),
    stage('exploration', '考察期', 'Exploration', '#60a5fa', 'exploration'),
    stage('formation', '形成期', 'Formation', '#34d399', 'formation'),
    stage('stability', '稳定期', 'Stability', '#059669', 'stability'),
    stage('decline', '退化期', 'Decline', '#f59e0b', 'decline'),
    stage('churned', '流失', 'Churned', '#dc2626', 'churned'),
  ],
  rules: relationshipRules({
    prospect: 'prospect',
    exploration: 'exploration',
    formation: 'formation',
    stability: 'stability',
    decline: 'decline',
    churned: 'churned',
  }),
  thresholds: RETAIL_THRESHOLDS,
  reentryStage: 'exploration',
};

const SIX_STAGE: StageModel = {
  key: 'six-stage',
  name: { zh: '六阶段模型', en: 'Six-stage model' },
  version: 1,
  stages: [
    stage('potential', '潜在', 'Potential', '#9ca3af', 'prospect'),
    stage('development', '开发', 'Development', '#60a5fa', 'exploration'),
    stage('growth', '成长', 'Growth', '#34d399', 'formation'),
    stage('maturity', '成熟', 'Maturity', '#059669', 'stability'),
    stage('recession', '衰退', 'Recession', '#f59e0b', 'decline'),
    stage('termination', '终止', 'Termination', '#dc2626', 'churned'),
  ],
  rules: relationshipRules({
    prospect: 'potential',
    exploration: 'development',
    formation: 'growth',
    stability: 'maturity',
    decline: 'recession',
    churned: 'termination',
  }),
  thresholds: RETAIL_THRESHOLDS,
  reentryStage: 'development',
};

const TELECOM: StageModel = {
  key: 'telecom',
  name: { zh: '电信五阶段模型', en: 'Five-stage telecom model' },
  version: 1,
  stages: [
    stage('acquisition', '引入', 'Acquisition', '#60a5fa', 'exploration'),
    stage('growth', '成长', 'Growth', '#34d399', 'formation'),
    stage('maturity', '成熟', 'Maturity', '#059669', 'stability'),
    stage('dormancy', '休眠', 'Dormancy', '#f59e0b', 'decline'),
    stage('churn', '流失', 'Churn', '#dc2626', 'churned'),
  ],
  rules: [
    {
      id: 'churn',
      stage: 'churn',
      when: [
        [c('subscriptionEnded', '>=', 1)],
        [c('purchaseDays', '>=', 'churnMinPurchaseDays'), c('pAlive', '<', 'churnPAlive')],
      ],
    },
    {
      id: 'dormancy',
      stage: 'dormancy',
      when: [
        [c('recentComplaints', '>=', 'declineComplaints')],
        [c('subscriptionActive', '<', 1), c('daysSinceLastPurchase', '>', 'dormantDays')],
        [c('subscriptionActive', '<', 1), c('purchaseDays', '<', 1)],
        [c('valueTrend', '<', 'declineValueTrend')],
      ],
    },
    { id: 'acquisition', stage: 'acquisition', when: [[c('tenureDays', '<', 'formationDays')]] },
    { id: 'growth', stage: 'growth', when: [[c('tenureDays', '<', 'stabilityDays')]] },
    { id: 'maturity', stage: 'maturity' },
  ],
  thresholds: TELECOM_THRESHOLDS,
  reentryStage: 'acquisition',
};

const CONTACT: StageModel = {
  key: 'contact',
  name: { zh: '接触五阶段模型', en: 'Five-stage contact model' },
  version: 1,
  stages: [
    stage('contact', '接触', 'Contact', '#9ca3af', 'prospect'),
    stage('acquisition', '获取', 'Acquisition', '#60a5fa', 'exploration'),
    stage('conversion', '转换', 'Conversion', '#34d399', 'formation'),
    stage('retention', '持续', 'Retention', '#059669', 'stability'),
    stage('loyalty', '忠诚', 'Loyalty', '#7c3aed', 'stability'),
  ],
  rules: [
    { id: 'no-purchase', stage: 'contact', when: [[c('purchaseDays', '<', 1)]] },
    { id: 'first-purchase', stage: 'acquisition', when: [[c('purchaseDays', '<', 2)]] },
    {
      id: 'conversion',
      stage: 'conversion',
      when: [[c('purchaseDays', '<', 'stabilityPurchaseDays')]],
    },
    {
      id: 'loyalty',
      stage: 'loyalty',
      when: [
        [
          c('purchaseDays', '>=', 'loyaltyPurchaseDays'),
          c('tenureDays', '>=', 'loyaltyDays'),
          c('gapRatio', '<=', 'declineGapRatio'),
          c('recentComplaints', '<', 'declineComplaints'),
        ],
      ],
    },
    { id: 'retention', stage: 'retention' },
  ],
  thresholds: RETAIL_THRESHOLDS,
  reentryStage: null,
};

/** The shipped stage models (SPEC §3); `relationship` is the default. */
export const PRESET_MODELS: Readonly<Record<string, StageModel>> = deepFreeze({
  relationship: RELATIONSHIP,
  telecom: TELECOM,
  contact: CONTACT,
  'six-stage': SIX_STAGE,
});

export const DEFAULT_STAGE_MODEL: StageModel = PRESET_MODELS.relationship;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Validation

function fail(path: string, expected: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  throw new InputError(`${path}: expected ${expected}, got ${shown}`, { field: path, value: got });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function bilingual(v: unknown, path: string): Bilingual {
  if (!isRecord(v)) fail(path, 'an object with zh and en', v);
  for (const k of ['zh', 'en'] as const) {
    if (typeof v[k] !== 'string' || v[k] === '') fail(`${path}.${k}`, 'a non-empty string', v[k]);
  }
  return { zh: v.zh as string, en: v.en as string };
}

function rangeText(s: ThresholdSpec): string {
  const kind = s.integer ? 'a whole number' : 'a number';
  const lo = Number.isFinite(s.min) ? `${s.minExclusive ? '>' : '≥'} ${s.min}` : '';
  const hi = Number.isFinite(s.max) ? `${s.maxExclusive ? '<' : '≤'} ${s.max}` : '';
  return [kind, [lo, hi].filter((x) => x !== '').join(' and ')].filter((x) => x !== '').join(' ');
}

function checkThreshold(name: StageThresholdName, v: unknown, path: string): number {
  const s = STAGE_THRESHOLDS[name];
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (s.minExclusive ? v > s.min : v >= s.min) &&
    (s.maxExclusive ? v < s.max : v <= s.max) &&
    (!s.integer || Number.isInteger(v));
  if (!ok) fail(path, rangeText(s), v);
  return v as number;
}

function validateThresholds(v: unknown, path: string): StageThresholds {
  if (!isRecord(v)) fail(path, 'an object of thresholds', v);
  for (const k of Object.keys(v)) {
    if (!(k in STAGE_THRESHOLDS)) fail(`${path}.${k}`, `one of ${THRESHOLD_NAMES.join(', ')}`, k);
  }
  const out = {} as Record<StageThresholdName, number>;
  for (const name of THRESHOLD_NAMES) {
    if (!(name in v)) fail(`${path}.${name}`, rangeText(STAGE_THRESHOLDS[name]), undefined);
    out[name] = checkThreshold(name, v[name], `${path}.${name}`);
  }
  // Orderings that keep churn stricter than decline and stability later than formation.
  const pairs: [StageThresholdName, '>' | '<' | '>=', StageThresholdName][] = [
    ['churnGapRatio', '>', 'declineGapRatio'],
    ['churnPAlive', '<', 'declinePAlive'],
    ['stabilityPurchaseDays', '>=', 'formationPurchaseDays'],
    ['stabilityDays', '>=', 'formationDays'],
    ['loyaltyPurchaseDays', '>=', 'stabilityPurchaseDays'],
  ];
  for (const [a, op, b] of pairs) {
    const ok = op === '>' ? out[a] > out[b] : op === '<' ? out[a] < out[b] : out[a] >= out[b];
    if (!ok) fail(`${path}.${a}`, `a number ${op} ${b} (${out[b]})`, out[a]);
  }
  return out;
}

const OPS: readonly StageComparison[] = ['<', '<=', '>', '>='];

/**
 * Check an untrusted stage model definition (e.g. from a settings file) and return it frozen.
 * Throws `InputError` naming the path: `models.retail.thresholds.declineGapRatio: expected a
 * number > 1, got 0.5`.
 */
export function validateStageModel(input: unknown, path = 'model'): StageModel {
  if (!isRecord(input)) fail(path, 'a stage model object', input);
  const key = input.key;
  if (typeof key !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(key)) {
    fail(`${path}.key`, 'a lower-case key (letters, digits, -)', key);
  }
  const name = bilingual(input.name, `${path}.name`);
  const version = input.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    fail(`${path}.version`, 'a whole number ≥ 1', version);
  }
  if (!Array.isArray(input.stages) || input.stages.length === 0) {
    fail(`${path}.stages`, 'a non-empty list of stages', input.stages);
  }
  const codes = new Set<string>();
  const stages = input.stages.map((s: unknown, i: number): StageDefinition => {
    const p = `${path}.stages.${i}`;
    if (!isRecord(s)) fail(p, 'a stage object', s);
    if (typeof s.code !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(s.code)) {
      fail(`${p}.code`, 'a lower-case code', s.code);
    }
    if (codes.has(s.code)) fail(`${p}.code`, 'a code not used by an earlier stage', s.code);
    codes.add(s.code);
    const stageName = bilingual(s.name, `${p}.name`);
    if (typeof s.colour !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(s.colour)) {
      fail(`${p}.colour`, 'a colour like #3b82f6', s.colour);
    }
    if (!STAGE_ROLES.includes(s.role as StageRole)) {
      fail(`${p}.role`, `one of ${STAGE_ROLES.join(', ')}`, s.role);
    }
    return { code: s.code, name: stageName, colour: s.colour, role: s.role as StageRole };
  });
  const known = `one of ${[...codes].join(', ')}`;
  const thresholds = validateThresholds(input.thresholds, `${path}.thresholds`);
  if (!Array.isArray(input.rules) || input.rules.length === 0) {
    fail(`${path}.rules`, 'a non-empty list of rules', input.rules);
  }
  const ruleIds = new Set<string>();
  const rules = input.rules.map((r: unknown, i: number): StageRule => {
    const p = `${path}.rules.${i}`;
    if (!isRecord(r)) fail(p, 'a rule object', r);
    if (typeof r.id !== 'string' || r.id === '' || ruleIds.has(r.id)) {
      fail(`${p}.id`, 'a non-empty id not used by an earlier rule', r.id);
    }
    ruleIds.add(r.id);
    if (typeof r.stage !== 'string' || !codes.has(r.stage)) {
      fail(`${p}.stage`, `a known stage code (${known})`, r.stage);
    }
    if (r.when === undefined) return { id: r.id, stage: r.stage };
    if (!Array.isArray(r.when) || r.when.length === 0) {
      fail(`${p}.when`, 'a non-empty list of condition groups', r.when);
    }
    const when = r.when.map((g: unknown, j: number) => {
      if (!Array.isArray(g) || g.length === 0) {
        fail(`${p}.when.${j}`, 'a non-empty list of conditions', g);
      }
      return g.map((cond: unknown, k: number): StageCondition => {
        const q = `${p}.when.${j}.${k}`;
        if (!isRecord(cond)) fail(q, 'a condition object', cond);
        if (!STAGE_METRICS.includes(cond.metric as StageMetric)) {
          fail(`${q}.metric`, `one of ${STAGE_METRICS.join(', ')}`, cond.metric);
        }
        if (!OPS.includes(cond.op as StageComparison)) {
          fail(`${q}.op`, `one of ${OPS.join(' ')}`, cond.op);
        }
        const t = cond.threshold;
        if (typeof t === 'string') {
          if (!(t in STAGE_THRESHOLDS)) fail(`${q}.threshold`, 'a known threshold name', t);
        } else if (typeof t !== 'number' || !Number.isFinite(t)) {
          fail(`${q}.threshold`, 'a threshold name or a finite number', t);
        }
        return {
          metric: cond.metric as StageMetric,
          op: cond.op as StageComparison,
          threshold: t as StageThresholdName | number,
        };
      });
    });
    return { id: r.id, stage: r.stage, when };
  });
  if (rules[rules.length - 1].when !== undefined) {
    fail(
      `${path}.rules.${rules.length - 1}.when`,
      'no conditions on the last (fallback) rule',
      'conditions',
    );
  }
  const reentry = input.reentryStage ?? null;
  if (reentry !== null && (typeof reentry !== 'string' || !codes.has(reentry))) {
    fail(`${path}.reentryStage`, `null or a known stage code (${known})`, reentry);
  }
  return deepFreeze({
    key,
    name,
    version,
    stages,
    rules,
    thresholds,
    reentryStage: reentry as string | null,
  });
}

/**
 * A new version of the model with some thresholds changed (validated; the version goes up by
 * one). The original is left as it was, so history rows keep pointing at the old version.
 */
export function withThresholds(
  model: StageModel,
  changes: Partial<Record<StageThresholdName, number>>,
  path = `models.${model.key}`,
): StageModel {
  return validateStageModel(
    { ...model, version: model.version + 1, thresholds: { ...model.thresholds, ...changes } },
    path,
  );
}

/** The stage definition for a code; throws `InputError` for an unknown code. */
export function stageOf(model: StageModel, code: string): StageDefinition {
  const s = model.stages.find((x) => x.code === code);
  if (s === undefined) {
    fail(`models.${model.key}.stage`, `one of ${model.stages.map((x) => x.code).join(', ')}`, code);
  }
  return s;
}

/** What each metric means, for explaining rules to people. */
export const STAGE_METRIC_LABELS: Readonly<Record<StageMetric, Bilingual>> = Object.freeze({
  purchaseDays: { zh: '购买天数', en: 'purchase days' },
  tenureDays: { zh: '客户关系天数', en: 'days as a customer' },
  daysSinceLastPurchase: { zh: '距上次购买天数', en: 'days since the last purchase' },
  meanGapDays: { zh: '平均购买间隔（天）', en: 'usual gap between purchases (days)' },
  gapRatio: {
    zh: '距上次购买天数 ÷ 平均购买间隔',
    en: 'days since the last purchase ÷ usual gap',
  },
  valueTrend: {
    zh: '近一期消费额 ÷ 上一期消费额',
    en: 'revenue in the last window ÷ the one before',
  },
  pAlive: { zh: '存活概率 P(alive)', en: 'P(alive)' },
  expectedPurchases: { zh: '预期购买次数', en: 'expected purchases' },
  subscriptionActive: { zh: '有效订阅（1 是，0 否）', en: 'active subscription (1 yes, 0 no)' },
  subscriptionEnded: { zh: '订阅已终止（1 是，0 否）', en: 'subscription ended (1 yes, 0 no)' },
  recentComplaints: { zh: '近期投诉次数', en: 'recent complaints' },
  interactions: { zh: '互动次数', en: 'interactions' },
});

export interface RuleDescription {
  readonly order: number;
  readonly ruleId: string;
  readonly stage: string;
  readonly text: Bilingual;
}

/**
 * The model's rules in precedence order, in words with the current threshold values, e.g.
 * "3. Decline when recent complaints ≥ 1 (declineComplaints), or days since the last purchase ÷
 * usual gap > 2 (declineGapRatio), …". The first rule that holds decides the stage.
 */
export function describeStageRules(model: StageModel): RuleDescription[] {
  const name = new Map(model.stages.map((s) => [s.code, s.name]));
  const cond = (c: StageCondition, lang: 'zh' | 'en'): string => {
    const t = typeof c.threshold === 'number' ? c.threshold : model.thresholds[c.threshold];
    const ref = typeof c.threshold === 'number' ? '' : ` (${c.threshold})`;
    const op = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' }[c.op];
    return `${STAGE_METRIC_LABELS[c.metric][lang]} ${op} ${t}${ref}`;
  };
  return model.rules.map((r, i) => {
    const stage = name.get(r.stage) as Bilingual;
    if (r.when === undefined) {
      return {
        order: i + 1,
        ruleId: r.id,
        stage: r.stage,
        text: { zh: `${i + 1}. ${stage.zh}：其余情况`, en: `${i + 1}. ${stage.en}: otherwise` },
      };
    }
    const groups = (lang: 'zh' | 'en') =>
      (r.when ?? [])
        .map((g) => {
          const inner = g.map((c) => cond(c, lang)).join(lang === 'zh' ? ' 且 ' : ' and ');
          return g.length > 1 && (r.when ?? []).length > 1 ? `(${inner})` : inner;
        })
        .join(lang === 'zh' ? '，或 ' : ', or ');
    return {
      order: i + 1,
      ruleId: r.id,
      stage: r.stage,
      text: {
        zh: `${i + 1}. ${stage.zh}：当 ${groups('zh')}`,
        en: `${i + 1}. ${stage.en} when ${groups('en')}`,
      },
    };
  });
}
