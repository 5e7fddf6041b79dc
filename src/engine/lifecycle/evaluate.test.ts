import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { assignStages, type CustomerState, evaluateStage, evaluateStages } from './evaluate.js';
import { DEFAULT_STAGE_MODEL, PRESET_MODELS, withThresholds } from './model.js';

const AS_OF = new Date('2026-06-30T00:00:00Z');
const daysAgo = (d: number) => new Date(AS_OF.getTime() - d * 86_400_000);

/** A regular stability customer: 10 purchase days over 2 years, every ~30 days, last 10 days ago. */
function state(over: Partial<CustomerState> = {}): CustomerState {
  return {
    customerId: 'C1',
    firstPurchaseAt: daysAgo(730),
    lastPurchaseAt: daysAgo(10),
    purchaseDays: 10,
    meanGapDays: 30,
    revenueLastWindowMinor: 30_000,
    revenuePreviousWindowMinor: 30_000,
    pAlive: 0.95,
    expectedPurchases: 3,
    subscription: 'none',
    subscriptionStartedAt: null,
    recentComplaints: 0,
    interactions: 4,
    ...over,
  };
}

const model = DEFAULT_STAGE_MODEL;

describe('relationship model: each rule fires with its reason (SPEC §3)', () => {
  test.each([
    {
      title: 'a customer who never bought is a prospect',
      input: { firstPurchaseAt: null, lastPurchaseAt: null, purchaseDays: 0, meanGapDays: null },
      stage: 'prospect',
      en: 'Prospect: no purchase yet',
      zh: '潜在：尚无购买',
    },
    {
      title: 'a repeat buyer with P(alive) below 0.3 is churned',
      input: { pAlive: 0.18 },
      stage: 'churned',
      en: 'Churned: 10 purchase days (at least 2); P(alive) 0.18 (below 0.3)',
      zh: '流失：购买 10 天（达到 2）；存活概率 P(alive) 0.18（低于 0.3）',
    },
    {
      title: 'a repeat buyer silent for more than 4× their own gap is churned',
      input: { lastPurchaseAt: daysAgo(150), pAlive: null },
      stage: 'churned',
      en: "Churned: 10 purchase days (at least 2); no purchase for 150 days, 5× this customer's usual gap of 30 days (threshold 4×)",
      zh: '流失：购买 10 天（达到 2）；已 150 天未购买，是该客户平均购买间隔（30 天）的 5 倍（阈值 4 倍）',
    },
    {
      title: 'a customer whose subscription ended is churned',
      input: { subscription: 'ended' as const },
      stage: 'churned',
      en: 'Churned: subscription ended',
      zh: '流失：订阅已终止',
    },
    {
      title: 'no purchase for 94 days at 3.1× the usual gap is decline',
      input: { lastPurchaseAt: daysAgo(94), pAlive: null },
      stage: 'decline',
      en: "Decline: no purchase for 94 days, 3.1× this customer's usual gap of 30 days (threshold 2×)",
      zh: '退化期：已 94 天未购买，是该客户平均购买间隔（30 天）的 3.1 倍（阈值 2 倍）',
    },
    {
      title: 'a recent complaint is decline',
      input: { recentComplaints: 1 },
      stage: 'decline',
      en: 'Decline: 1 recent complaint (at least 1)',
      zh: '退化期：近期投诉 1 次（达到 1 次）',
    },
    {
      title: 'P(alive) between the churn and decline cut-offs is decline',
      input: { pAlive: 0.45 },
      stage: 'decline',
      en: 'Decline: P(alive) 0.45 (below 0.6)',
      zh: '退化期：存活概率 P(alive) 0.45（低于 0.6）',
    },
    {
      title: 'a one-time buyer silent for over a year is decline',
      input: {
        firstPurchaseAt: daysAgo(400),
        lastPurchaseAt: daysAgo(400),
        purchaseDays: 1,
        meanGapDays: null,
        pAlive: 1,
      },
      stage: 'decline',
      en: 'Decline: 1 purchase days (below 2); no purchase for 400 days (above 365)',
      zh: '退化期：购买 1 天（低于 2）；已 400 天未购买（高于 365 天）',
    },
    {
      title: 'a long-standing customer whose half-year revenue fell by over 70% is decline',
      input: { revenueLastWindowMinor: 6_000 },
      stage: 'decline',
      en: 'Decline: revenue in the last window 20% of the window before (below 30%); customer for 730 days (at least 365)',
      zh: '退化期：近期消费额为上一期的 20%（低于 30%）；客户关系 730 天（达到 365 天）',
    },
    {
      title: 'a customer with two purchase days is in exploration',
      input: { firstPurchaseAt: daysAgo(40), purchaseDays: 2, meanGapDays: 30 },
      stage: 'exploration',
      en: 'Exploration: 2 purchase days (below 3)',
      zh: '考察期：购买 2 天（低于 3）',
    },
    {
      title: 'a customer with four purchase days over 200 days is in formation',
      input: { firstPurchaseAt: daysAgo(200), purchaseDays: 4, meanGapDays: 60 },
      stage: 'formation',
      en: 'Formation: 4 purchase days (below 6)',
      zh: '形成期：购买 4 天（低于 6）',
    },
    {
      title: 'a regular long-standing customer is in stability',
      input: {},
      stage: 'stability',
      en: 'Stability: no earlier rule applies',
      zh: '稳定期：其余条件均不满足',
    },
  ])('$title', ({ input, stage, en, zh }) => {
    const r = evaluateStage(model, state(input), AS_OF, null);
    expect(r.stage).toBe(stage);
    expect(r.reason.en).toBe(en);
    expect(r.reason.zh).toBe(zh);
  });

  test('the reason data names the rule and the values that fired', () => {
    const r = evaluateStage(
      model,
      state({ lastPurchaseAt: daysAgo(94), pAlive: 0.5 }),
      AS_OF,
      null,
    );
    expect(r.ruleId).toBe('decline');
    expect(r.conditions).toEqual([
      {
        metric: 'gapRatio',
        op: '>',
        value: 94 / 30,
        threshold: 2,
        thresholdName: 'declineGapRatio',
      },
    ]);
    expect(r.metrics.daysSinceLastPurchase).toBe(94);
    expect(r.metrics.pAlive).toBe(0.5);
    expect(r).toMatchObject({ modelKey: 'relationship', modelVersion: 1 });
  });
});

describe('precedence: prospect → churned → decline → exploration → formation → stability', () => {
  test('churn wins over decline when both hold', () => {
    const r = evaluateStage(model, state({ pAlive: 0.1, recentComplaints: 2 }), AS_OF, null);
    expect(r.stage).toBe('churned');
  });

  test.each([
    { title: 'exploration', input: { firstPurchaseAt: daysAgo(40), purchaseDays: 2 } },
    { title: 'formation', input: { firstPurchaseAt: daysAgo(200), purchaseDays: 4 } },
    { title: 'stability', input: {} },
  ])('decline can happen from $title (seed 003)', ({ input }) => {
    const r = evaluateStage(
      model,
      state({ ...input, recentComplaints: 1 }),
      AS_OF,
      input.purchaseDays ? 'exploration' : 'stability',
    );
    expect(r.stage).toBe('decline');
    expect(r.changed).toBe(true);
  });

  test('a churned customer still churned stays churned and is not won back', () => {
    const r = evaluateStage(model, state({ pAlive: 0.1 }), AS_OF, 'churned');
    expect(r).toMatchObject({ stage: 'churned', wonBack: false, changed: false });
  });

  test('a customer who fits no earlier rule falls through to stability', () => {
    expect(evaluateStage(model, state(), AS_OF, 'formation').stage).toBe('stability');
  });

  test('missing P(alive) makes only the P(alive) conditions inapplicable', () => {
    const r = evaluateStage(model, state({ pAlive: null, expectedPurchases: null }), AS_OF, null);
    expect(r.stage).toBe('stability');
    expect(r.metrics.pAlive).toBeNull();
  });
});

describe('won back (挽回)', () => {
  test('a churned customer who buys again is won back and re-enters exploration', () => {
    const r = evaluateStage(model, state({ lastPurchaseAt: daysAgo(3) }), AS_OF, 'churned');
    expect(r).toMatchObject({
      stage: 'exploration',
      wonBack: true,
      ruleId: 'won-back',
      changed: true,
    });
    expect(r.reason.en).toBe(
      'won back: bought again after churning (3 days ago), re-enters Exploration',
    );
    expect(r.reason.zh).toBe('挽回：流失后再次购买（3 天前），重新进入考察期');
  });

  test('the six-stage model re-enters 开发 development', () => {
    const r = evaluateStage(PRESET_MODELS['six-stage'], state(), AS_OF, 'termination');
    expect(r).toMatchObject({ stage: 'development', wonBack: true });
  });

  test('churn holds until a purchase after the churn date, even if P(alive) recovers', () => {
    const s = state({
      lastPurchaseAt: daysAgo(200),
      meanGapDays: 80,
      pAlive: 0.7,
      previousStageSince: daysAgo(30),
    });
    const r = evaluateStage(model, s, AS_OF, 'churned');
    expect(r).toMatchObject({
      stage: 'churned',
      ruleId: 'churn-held',
      wonBack: false,
      changed: false,
    });
    expect(r.reason.en).toBe('Churned: no purchase since churning on 2026-05-31');
    expect(r.reason.zh).toBe('流失：自 2026-05-31 流失后未再购买');
  });

  test('a purchase after the churn date wins the customer back', () => {
    const s = state({ lastPurchaseAt: daysAgo(5), previousStageSince: daysAgo(30) });
    expect(evaluateStage(model, s, AS_OF, 'churned')).toMatchObject({
      stage: 'exploration',
      wonBack: true,
    });
  });

  test('a won-back customer is evaluated by the rules again next time', () => {
    expect(evaluateStage(model, state(), AS_OF, 'exploration').stage).toBe('stability');
  });
});

describe('other presets', () => {
  const telecom = PRESET_MODELS.telecom;
  test.each([
    {
      title: 'a contract younger than 90 days is 引入 acquisition',
      input: {
        subscription: 'active' as const,
        subscriptionStartedAt: daysAgo(30),
        firstPurchaseAt: null,
        lastPurchaseAt: null,
        purchaseDays: 0,
        meanGapDays: null,
        pAlive: null,
      },
      stage: 'acquisition',
    },
    {
      title: 'a contract of 200 days is 成长 growth',
      input: {
        subscription: 'active' as const,
        subscriptionStartedAt: daysAgo(200),
        firstPurchaseAt: null,
        lastPurchaseAt: null,
        purchaseDays: 0,
        meanGapDays: null,
        pAlive: null,
      },
      stage: 'growth',
    },
    {
      title: 'a contract over a year old is 成熟 maturity',
      input: { subscription: 'active' as const, subscriptionStartedAt: daysAgo(800), pAlive: null },
      stage: 'maturity',
    },
    {
      title: 'a subscriber with a recent complaint is 休眠 dormancy',
      input: {
        subscription: 'active' as const,
        subscriptionStartedAt: daysAgo(800),
        recentComplaints: 1,
      },
      stage: 'dormancy',
    },
    {
      title: 'a cancelled contract is 流失 churn',
      input: { subscription: 'ended' as const, subscriptionStartedAt: daysAgo(800) },
      stage: 'churn',
    },
  ])('telecom: $title', ({ input, stage }) => {
    expect(evaluateStage(telecom, state(input), AS_OF, null).stage).toBe(stage);
  });

  const contact = PRESET_MODELS.contact;
  test.each([
    {
      title: 'no purchase is 接触 contact',
      input: { purchaseDays: 0, firstPurchaseAt: null, lastPurchaseAt: null, meanGapDays: null },
      stage: 'contact',
    },
    {
      title: 'one purchase is 获取 acquisition',
      input: { purchaseDays: 1, meanGapDays: null },
      stage: 'acquisition',
    },
    {
      title: 'a few repeat purchases is 转换 conversion',
      input: { purchaseDays: 4 },
      stage: 'conversion',
    },
    { title: 'ten purchase days is 持续 retention', input: {}, stage: 'retention' },
    {
      title: 'twelve purchase days over two years on rhythm is 忠诚 loyalty',
      input: { purchaseDays: 12 },
      stage: 'loyalty',
    },
  ])('contact: $title', ({ input, stage }) => {
    expect(evaluateStage(contact, state(input), AS_OF, null).stage).toBe(stage);
  });
});

describe('batch evaluation', () => {
  test('evaluateStages gives the same answers as one-by-one evaluation', () => {
    const states = [
      state(),
      state({ customerId: 'C2', pAlive: 0.1 }),
      state({
        customerId: 'C3',
        purchaseDays: 0,
        firstPurchaseAt: null,
        lastPurchaseAt: null,
        meanGapDays: null,
      }),
    ];
    const prev = ['stability', null, null];
    const batch = evaluateStages(model, states, AS_OF, prev);
    expect(batch.map((r) => r.stage)).toEqual(['stability', 'churned', 'prospect']);
    states.forEach((s, i) => {
      expect(batch[i]).toEqual(evaluateStage(model, s, AS_OF, prev[i]));
    });
  });

  test('assignStages decides the same stages as evaluateStages, without the reasons', () => {
    const states = [
      state(),
      state({ customerId: 'C2', pAlive: 0.1 }),
      state({ customerId: 'C3', lastPurchaseAt: daysAgo(2) }),
    ];
    const prev = ['stability', 'churned', 'churned'];
    const a = assignStages(model, states, AS_OF, prev);
    const e = evaluateStages(model, states, AS_OF, prev);
    expect(a.stages).toEqual(e.map((r) => r.stage));
    expect(a.ruleIds).toEqual(['stability', 'churn', 'won-back']);
    expect([...a.wonBack]).toEqual([0, 0, 1]);
    expect([...a.changed]).toEqual([0, 0, 1]);
  });

  test('a mismatched previous-stage list is rejected', () => {
    expect(() => evaluateStages(model, [state()], AS_OF, [])).toThrow(
      'previousStages: expected 1 entries (one per state), got 0',
    );
  });

  test('an unknown previous stage is rejected with the customer named', () => {
    expect(() => evaluateStage(model, state(), AS_OF, 'gold')).toThrow(InputError);
    expect(() => evaluateStage(model, state(), AS_OF, 'gold')).toThrow(
      'customer C1 previousStage: expected one of prospect, exploration, formation, stability, decline, churned, got "gold"',
    );
  });

  test.each([
    {
      title: 'P(alive) given as a percentage',
      input: { pAlive: 45 },
      message: 'customer C1 pAlive: expected null or a probability from 0 to 1, got 45',
    },
    {
      title: 'a negative purchase count',
      input: { purchaseDays: -1 },
      message: 'customer C1 purchaseDays: expected a whole number ≥ 0, got -1',
    },
    {
      title: 'purchases without a last purchase date',
      input: { lastPurchaseAt: null },
      message: 'customer C1 lastPurchaseAt: expected a date with purchases, got null',
    },
    {
      title: 'a NaN mean gap',
      input: { meanGapDays: Number.NaN },
      message: 'customer C1 meanGapDays: expected null or a number of days ≥ 0, got NaN',
    },
    {
      title: 'an unknown subscription status',
      input: { subscription: 'paused' as 'none' },
      message: 'customer C1 subscription: expected one of active, ended, none, got "paused"',
    },
  ])('a state with $title is rejected with the customer and field', ({ input, message }) => {
    expect(() => evaluateStage(model, state(input), AS_OF, null)).toThrow(message);
  });

  test('an invalid as-of date is rejected', () => {
    expect(() => evaluateStages(model, [state()], new Date(Number.NaN))).toThrow(
      'asOf: expected a valid date, got Invalid Date',
    );
  });

  test('an edited threshold changes the stage and carries the new version', () => {
    const stricter = withThresholds(model, { declineGapRatio: 4, churnGapRatio: 6 });
    const r = evaluateStage(
      stricter,
      state({ lastPurchaseAt: daysAgo(94), pAlive: null }),
      AS_OF,
      null,
    );
    expect(r).toMatchObject({ stage: 'stability', modelVersion: 2 });
  });
});
