/**
 * The churn model's inputs (issue 6 §1): what is known about a customer at an as-of date
 * ("facts", computed by the store from rows strictly before the end of that day), the numeric
 * features the model reads from them, and each feature's reason in words a service agent
 * understands (zh-CN and English), e.g. "已 3.2 倍于平常间隔未购买 / no purchase for 3.2× usual gap".
 *
 * Reasons for a linear model are coefficient × deviation from the training mean on the
 * standardised scale, β_j (z_ij − 0) with z the standardised feature (Štrumbelj & Kononenko 2014,
 * "Explaining prediction models and individual predictions with feature contributions", §2.1:
 * for a linear model the Shapley contribution of feature j is β_j (x_j − E[x_j])).
 */
import type { Bilingual } from '../lifecycle/index.js';
import type { LogisticModel } from './logistic.js';

/** What the store knows about a customer at the as-of date (nothing after it). */
export interface ChurnFacts {
  /** completed purchase days (same-day orders count once) */
  readonly purchaseDays: number;
  readonly recencyDays: number;
  /** mean days between purchase days; null with one purchase day */
  readonly meanGapDays: number | null;
  readonly tenureDays: number;
  /** purchase days in the last 90 days, and in the 90 before */
  readonly purchases90: number;
  readonly purchasesPrev90: number;
  /** spend in the last 90 days and in the 90 before, minor units */
  readonly spend90Minor: number;
  readonly spendPrev90Minor: number;
  /** average order value, minor units */
  readonly aovMinor: number;
  /** refunded or cancelled orders in the last 180 days */
  readonly refunds180: number;
  readonly complaints30: number;
  readonly complaints90: number;
  /** complaints or service requests in the last 180 days not resolved */
  readonly unresolved: number;
  /** mean survey satisfaction (1–5) in the last year; null without a survey */
  readonly satisfaction: number | null;
  /** days since the last interaction of any kind; null without one */
  readonly daysSinceContact: number | null;
  /** subscriptions: an active plan at as-of, months on plans, plans held − 1 */
  readonly subscriptionActive: boolean;
  readonly subscriptionMonths: number;
  readonly planChanges: number;
  /** the value engine's P(alive) and expected purchases in the window, at the as-of date */
  readonly pAlive: number;
  readonly expectedPurchases: number;
}

export const CHURN_FEATURES = Object.freeze([
  'p_alive',
  'expected_purchases',
  'one_time',
  'gap_ratio',
  'recency',
  'tenure',
  'frequency',
  'frequency_trend',
  'spend_trend',
  'aov',
  'refunds_180',
  'complaints_30',
  'complaints_90',
  'unresolved',
  'low_satisfaction',
  'contact_recency',
  'subscription_active',
  'subscription_months',
  'plan_changes',
] as const);

export type ChurnFeature = (typeof CHURN_FEATURES)[number];

/**
 * Which way of a feature a service agent reads as a warning: +1 higher is worse (more silence,
 * more complaints), −1 lower is worse (P(alive), frequency, spend trend), 0 never a reason on its
 * own (order size, tenure). A contribution is shown as a reason only when the customer deviates
 * in the warning direction: with correlated features a linear model can give, say, a recent
 * purchase a positive contribution, which no agent could act on.
 */
export const RISK_DIRECTION: Readonly<Record<ChurnFeature, -1 | 0 | 1>> = Object.freeze({
  p_alive: -1,
  expected_purchases: -1,
  one_time: 1,
  gap_ratio: 1,
  recency: 1,
  tenure: 0,
  frequency: -1,
  frequency_trend: -1,
  spend_trend: -1,
  aov: 0,
  refunds_180: 1,
  complaints_30: 1,
  complaints_90: 1,
  unresolved: 1,
  low_satisfaction: 1,
  contact_recency: 1,
  subscription_active: -1,
  subscription_months: 0,
  plan_changes: 1,
});

export const FEATURE_COUNT = CHURN_FEATURES.length;

/** Writes the feature vector of `f` into `out` at `offset` (the order of CHURN_FEATURES). */
export function writeFeatures(f: ChurnFacts, out: Float64Array, offset: number): void {
  const gapRatio = f.meanGapDays && f.meanGapDays > 0 ? f.recencyDays / f.meanGapDays : 0;
  const years = Math.max(f.tenureDays, 30) / 365.25;
  const spendBase = Math.max(f.spend90Minor, f.spendPrev90Minor);
  let o = offset;
  out[o++] = f.pAlive;
  out[o++] = Math.log1p(f.expectedPurchases);
  out[o++] = f.purchaseDays <= 1 ? 1 : 0;
  // capped: beyond 20× the usual gap more silence says nothing new
  out[o++] = Math.log1p(Math.min(gapRatio, 20));
  out[o++] = Math.log1p(f.recencyDays);
  out[o++] = Math.log1p(f.tenureDays);
  out[o++] = Math.log1p(f.purchaseDays / years);
  out[o++] = f.purchases90 - f.purchasesPrev90;
  out[o++] = spendBase > 0 ? (f.spend90Minor - f.spendPrev90Minor) / spendBase : 0;
  out[o++] = Math.log1p(Math.max(0, f.aovMinor) / 100);
  out[o++] = Math.min(f.refunds180, 5);
  out[o++] = Math.min(f.complaints30, 5);
  out[o++] = Math.min(f.complaints90, 5);
  out[o++] = Math.min(f.unresolved, 5);
  out[o++] = f.satisfaction === null ? 0 : Math.max(0, 4 - f.satisfaction);
  out[o++] = Math.log1p(f.daysSinceContact ?? f.tenureDays);
  out[o++] = f.subscriptionActive ? 1 : 0;
  out[o++] = Math.log1p(f.subscriptionMonths);
  out[o++] = Math.min(f.planChanges, 5);
}

/** The feature matrix (row-major) of many customers. */
export function featureMatrix(facts: readonly ChurnFacts[]): Float64Array {
  const X = new Float64Array(facts.length * FEATURE_COUNT);
  for (let i = 0; i < facts.length; i++) writeFeatures(facts[i], X, i * FEATURE_COUNT);
  return X;
}

export interface ChurnReason extends Bilingual {
  readonly feature: ChurnFeature;
  /** contribution to the log-odds of churn (coefficient × standardised deviation) */
  readonly contribution: number;
}

function fmt(v: number, digits = 1): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

/** "1 complaint", "2 complaints" */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function yuan(minor: number): string {
  return `¥${Math.round(minor / 100).toLocaleString('en-US')}`;
}

/** The reason a feature gives, in words, from the customer's facts. */
export function describeFeature(feature: ChurnFeature, f: ChurnFacts): Bilingual {
  switch (feature) {
    case 'p_alive': {
      const pct = Math.round(f.pAlive * 100);
      return { zh: `仍活跃的概率仅 ${pct}%`, en: `chance still active only ${pct} %` };
    }
    case 'expected_purchases':
      return {
        zh: `预计未来购买 ${fmt(f.expectedPurchases)} 次`,
        en: `expected purchases next window: ${fmt(f.expectedPurchases)}`,
      };
    case 'one_time':
      return { zh: '只购买过一次，未再回购', en: 'bought once and never came back' };
    case 'gap_ratio': {
      const ratio = f.meanGapDays ? f.recencyDays / f.meanGapDays : 0;
      return {
        zh: `已 ${fmt(ratio)} 倍于平常间隔未购买（${f.recencyDays} 天，平常 ${Math.round(f.meanGapDays ?? 0)} 天）`,
        en: `no purchase for ${fmt(ratio)}× usual gap (${f.recencyDays} days, usually ${Math.round(f.meanGapDays ?? 0)})`,
      };
    }
    case 'recency':
      return { zh: `已 ${f.recencyDays} 天未购买`, en: `no purchase for ${f.recencyDays} days` };
    case 'tenure':
      return { zh: `成为客户 ${f.tenureDays} 天`, en: `customer for ${f.tenureDays} days` };
    case 'frequency': {
      const perYear = f.purchaseDays / (Math.max(f.tenureDays, 30) / 365.25);
      return {
        zh: `购买频率每年 ${fmt(perYear)} 次`,
        en: `buys ${fmt(perYear)} times a year`,
      };
    }
    case 'frequency_trend':
      return {
        zh: `近 90 天购买 ${f.purchases90} 次，此前 90 天 ${f.purchasesPrev90} 次`,
        en: `${count(f.purchases90, 'purchase')} in the last 90 days vs ${f.purchasesPrev90} in the 90 before`,
      };
    case 'spend_trend': {
      const base = Math.max(f.spend90Minor, f.spendPrev90Minor);
      const change =
        f.spendPrev90Minor > 0 ? (f.spend90Minor - f.spendPrev90Minor) / f.spendPrev90Minor : 0;
      const pct = Math.round(Math.abs(change) * 100);
      if (base === 0) return { zh: '近半年没有消费', en: 'no spend in the last six months' };
      return change < 0
        ? { zh: `消费较上季度下降 ${pct}%`, en: `spend down ${pct} % vs prior quarter` }
        : {
            zh: `消费较上季度${f.spendPrev90Minor > 0 ? `上升 ${pct}%` : '从零开始'}`,
            en:
              f.spendPrev90Minor > 0
                ? `spend up ${pct} % vs prior quarter`
                : 'new spend this quarter',
          };
    }
    case 'aov':
      return { zh: `客单价 ${yuan(f.aovMinor)}`, en: `average order ${yuan(f.aovMinor)}` };
    case 'refunds_180':
      return {
        zh: `180 天内 ${f.refunds180} 笔退款或取消`,
        en: `${count(f.refunds180, 'refunded or cancelled order')} in 180 days`,
      };
    case 'complaints_30':
      return {
        zh: `30 天内 ${f.complaints30} 次投诉`,
        en: `${count(f.complaints30, 'complaint')} in 30 days`,
      };
    case 'complaints_90':
      return {
        zh: `90 天内 ${f.complaints90} 次投诉`,
        en: `${count(f.complaints90, 'complaint')} in 90 days`,
      };
    case 'unresolved':
      return {
        zh: `${f.unresolved} 个投诉或服务请求未解决`,
        en: `${f.unresolved} unresolved complaint${f.unresolved === 1 ? '' : 's'} or service request${f.unresolved === 1 ? '' : 's'}`,
      };
    case 'low_satisfaction':
      return f.satisfaction === null
        ? { zh: '没有满意度评分', en: 'no satisfaction score' }
        : {
            zh: `满意度评分 ${fmt(f.satisfaction)}/5`,
            en: `satisfaction ${fmt(f.satisfaction)}/5`,
          };
    case 'contact_recency':
      return f.daysSinceContact === null
        ? { zh: '从未联系过', en: 'never contacted' }
        : {
            zh: `已 ${f.daysSinceContact} 天未联系`,
            en: `no contact for ${f.daysSinceContact} days`,
          };
    case 'subscription_active':
      return f.subscriptionActive
        ? { zh: '套餐在用', en: 'plan active' }
        : { zh: '没有在用的套餐', en: 'no active plan' };
    case 'subscription_months':
      return {
        zh: `套餐使用 ${fmt(f.subscriptionMonths)} 个月`,
        en: `${fmt(f.subscriptionMonths)} months on a plan`,
      };
    case 'plan_changes':
      return { zh: `更换套餐 ${f.planChanges} 次`, en: `${count(f.planChanges, 'plan change')}` };
  }
}

/**
 * A contribution below this (log-odds; 0.05 ≈ 5 % higher odds) is too small to tell an agent:
 * "spend down 2 % vs prior quarter" is noise, not a reason.
 */
export const MIN_REASON_LOG_ODDS = 0.05;

/**
 * The top `count` reasons that raise this customer's churn risk: features with the largest
 * positive contribution β_j · (x_j − m_j) / s_j to the log-odds, deviating in the feature's
 * warning direction (RISK_DIRECTION), in words.
 */
export function topReasons(
  model: LogisticModel,
  row: Float64Array,
  offset: number,
  facts: ChurnFacts,
  count = 3,
): ChurnReason[] {
  const k = model.features.length;
  const contrib: { j: number; c: number }[] = [];
  for (let j = 0; j < k; j++) {
    const deviation = row[offset + j] - model.means[j];
    const direction = RISK_DIRECTION[model.features[j] as ChurnFeature] ?? 0;
    const c = (model.coefficients[j] * deviation) / model.scales[j];
    if (c >= MIN_REASON_LOG_ODDS && direction * deviation > 0) contrib.push({ j, c });
  }
  contrib.sort((a, b) => b.c - a.c || a.j - b.j);
  return contrib.slice(0, count).map(({ j, c }) => {
    const feature = model.features[j] as ChurnFeature;
    return Object.freeze({ feature, contribution: c, ...describeFeature(feature, facts) });
  });
}

/** The one reason of the fallback score: P(alive) from the value engine. */
export function fallbackReasons(facts: ChurnFacts): ChurnReason[] {
  const out: ChurnReason[] = [
    { feature: 'p_alive', contribution: 1 - facts.pAlive, ...describeFeature('p_alive', facts) },
  ];
  if (facts.meanGapDays && facts.recencyDays > 1.5 * facts.meanGapDays) {
    out.push({ feature: 'gap_ratio', contribution: 0, ...describeFeature('gap_ratio', facts) });
  }
  if (facts.complaints90 > 0) {
    out.push({
      feature: 'complaints_90',
      contribution: 0,
      ...describeFeature('complaints_90', facts),
    });
  }
  return out;
}
