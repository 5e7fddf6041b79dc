import { describe, expect, test } from 'vitest';
import {
  CHURN_FEATURES,
  type ChurnFacts,
  describeFeature,
  FEATURE_COUNT,
  featureMatrix,
  topReasons,
} from './features.js';
import type { LogisticModel } from './logistic.js';

const base: ChurnFacts = {
  purchaseDays: 5,
  recencyDays: 90,
  meanGapDays: 30,
  tenureDays: 400,
  purchases90: 0,
  purchasesPrev90: 2,
  spend90Minor: 4000,
  spendPrev90Minor: 10_000,
  aovMinor: 5000,
  refunds180: 0,
  complaints30: 2,
  complaints90: 2,
  unresolved: 1,
  satisfaction: null,
  daysSinceContact: 12,
  subscriptionActive: false,
  subscriptionMonths: 0,
  planChanges: 0,
  pAlive: 0.4,
  expectedPurchases: 0.3,
};

describe('churn reasons in words (issue 6 §2)', () => {
  test.each([
    {
      feature: 'gap_ratio' as const,
      zh: '已 3 倍于平常间隔未购买（90 天，平常 30 天）',
      en: 'no purchase for 3× usual gap (90 days, usually 30)',
    },
    { feature: 'complaints_30' as const, zh: '30 天内 2 次投诉', en: '2 complaints in 30 days' },
    {
      feature: 'spend_trend' as const,
      zh: '消费较上季度下降 60%',
      en: 'spend down 60 % vs prior quarter',
    },
    { feature: 'p_alive' as const, zh: '仍活跃的概率仅 40%', en: 'chance still active only 40 %' },
  ])('$feature reads "$en"', ({ feature, zh, en }) => {
    expect(describeFeature(feature, base)).toEqual({ zh, en });
  });

  test('every feature has words in both languages', () => {
    for (const f of CHURN_FEATURES) {
      const d = describeFeature(f, base);
      expect(d.zh.length).toBeGreaterThan(0);
      expect(d.en.length).toBeGreaterThan(0);
    }
  });

  test('top reasons are the largest positive contributions β·(x − mean)/s, highest first', () => {
    const k = FEATURE_COUNT;
    const coefficients = new Array(k).fill(0);
    const idx = (f: string) => CHURN_FEATURES.indexOf(f as (typeof CHURN_FEATURES)[number]);
    coefficients[idx('complaints_30')] = 1.5;
    coefficients[idx('gap_ratio')] = 0.5;
    coefficients[idx('p_alive')] = -2; // lower P(alive) than average raises risk
    const X = featureMatrix([base]);
    const means = Array.from(X);
    means[idx('complaints_30')] = 0.1;
    means[idx('gap_ratio')] = Math.log1p(1);
    means[idx('p_alive')] = 0.8;
    const model: LogisticModel = {
      kind: 'logistic',
      features: CHURN_FEATURES,
      means,
      scales: new Array(k).fill(1),
      intercept: 0,
      coefficients,
      lambda: 0,
    };
    const reasons = topReasons(model, X, 0, base);
    expect(reasons.map((r) => r.feature)).toEqual(['complaints_30', 'p_alive', 'gap_ratio']);
    expect(reasons[0].contribution).toBeCloseTo(1.5 * 1.9, 12);
    expect(reasons[0].en).toBe('2 complaints in 30 days');
  });
});

describe('reasons an agent can act on', () => {
  test('a feature deviating in the reassuring direction is never a reason, whatever its coefficient sign', () => {
    const k = FEATURE_COUNT;
    const idx = (f: string) => CHURN_FEATURES.indexOf(f as (typeof CHURN_FEATURES)[number]);
    const facts: ChurnFacts = { ...base, recencyDays: 3, complaints30: 0, complaints90: 0 };
    const X = featureMatrix([facts]);
    const coefficients = new Array(k).fill(0);
    // collinear fits can give recency a negative coefficient: a recent purchase then "raises" risk
    coefficients[idx('recency')] = -1;
    coefficients[idx('aov')] = 1;
    const means = Array.from(X);
    means[idx('recency')] = Math.log1p(60);
    means[idx('aov')] = 0;
    const model: LogisticModel = {
      kind: 'logistic',
      features: CHURN_FEATURES,
      means,
      scales: new Array(k).fill(1),
      intercept: 0,
      coefficients,
      lambda: 0,
    };
    expect(topReasons(model, X, 0, facts)).toEqual([]);
  });
});

describe('reasons worth telling', () => {
  test('a contribution below 0.05 log-odds is not a reason', () => {
    const k = FEATURE_COUNT;
    const idx = (f: string) => CHURN_FEATURES.indexOf(f as (typeof CHURN_FEATURES)[number]);
    const facts: ChurnFacts = { ...base, spend90Minor: 9800, spendPrev90Minor: 10_000 };
    const X = featureMatrix([facts]);
    const coefficients = new Array(k).fill(0);
    coefficients[idx('spend_trend')] = -1;
    const means = Array.from(X);
    means[idx('spend_trend')] = 0; // the customer's −2 % gives a contribution of 0.02
    const model: LogisticModel = {
      kind: 'logistic',
      features: CHURN_FEATURES,
      means,
      scales: new Array(k).fill(1),
      intercept: 0,
      coefficients,
      lambda: 0,
    };
    expect(topReasons(model, X, 0, facts)).toEqual([]);
    const bigger: ChurnFacts = { ...facts, spend90Minor: 4000 };
    expect(topReasons(model, featureMatrix([bigger]), 0, bigger).map((r) => r.en)).toEqual([
      'spend down 60 % vs prior quarter',
    ]);
  });
});
