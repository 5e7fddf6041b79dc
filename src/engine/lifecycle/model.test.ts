import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import {
  DEFAULT_STAGE_MODEL,
  describeStageRules,
  PRESET_MODELS,
  STAGE_THRESHOLD_PRESETS,
  stageOf,
  validateStageModel,
  withThresholds,
} from './model.js';

const base = DEFAULT_STAGE_MODEL;

function edited(change: (m: Record<string, unknown>) => void): unknown {
  const m = structuredClone(base) as unknown as Record<string, unknown>;
  change(m);
  return m;
}

describe('stage model presets (SPEC §3)', () => {
  test.each(Object.entries(PRESET_MODELS))('the %s preset passes its own validation', (key, m) => {
    expect(validateStageModel(structuredClone(m), `models.${key}`)).toEqual(m);
  });

  test('the default relationship model runs 潜在 → 考察期 → 形成期 → 稳定期 → 退化期 → 流失', () => {
    expect(base.stages.map((s) => s.name.zh)).toEqual([
      '潜在',
      '考察期',
      '形成期',
      '稳定期',
      '退化期',
      '流失',
    ]);
    expect(base.reentryStage).toBe('exploration');
  });

  test.each([
    { key: 'telecom', zh: ['引入', '成长', '成熟', '休眠', '流失'] },
    { key: 'contact', zh: ['接触', '获取', '转换', '持续', '忠诚'] },
    { key: 'six-stage', zh: ['潜在', '开发', '成长', '成熟', '衰退', '终止'] },
  ])('the $key preset has the stages $zh', ({ key, zh }) => {
    expect(PRESET_MODELS[key].stages.map((s) => s.name.zh)).toEqual(zh);
  });

  test('presets are frozen so no caller can change a shipped default', () => {
    expect(Object.isFrozen(base.thresholds)).toBe(true);
    expect(Object.isFrozen(base.rules[1].when)).toBe(true);
  });

  test('stageOf finds a stage and names an unknown code', () => {
    expect(stageOf(base, 'decline').name.en).toBe('Decline');
    expect(() => stageOf(base, 'vip')).toThrow(
      'models.relationship.stage: expected one of prospect, exploration, formation, stability, decline, churned, got "vip"',
    );
  });
});

describe('validation names the path of what is wrong', () => {
  test.each([
    {
      title: 'a decline gap ratio not above 1',
      input: edited((m) => {
        (m.thresholds as Record<string, number>).declineGapRatio = 0.5;
      }),
      message: 'models.retail.thresholds.declineGapRatio: expected a number > 1, got 0.5',
    },
    {
      title: 'a churn P(alive) of 1',
      input: edited((m) => {
        (m.thresholds as Record<string, number>).churnPAlive = 1;
      }),
      message: 'models.retail.thresholds.churnPAlive: expected a number > 0 and < 1, got 1',
    },
    {
      title: 'a fractional purchase count',
      input: edited((m) => {
        (m.thresholds as Record<string, number>).stabilityPurchaseDays = 5.5;
      }),
      message:
        'models.retail.thresholds.stabilityPurchaseDays: expected a whole number ≥ 2, got 5.5',
    },
    {
      title: 'a churn gap ratio not above the decline gap ratio',
      input: edited((m) => {
        (m.thresholds as Record<string, number>).churnGapRatio = 1.5;
      }),
      message:
        'models.retail.thresholds.churnGapRatio: expected a number > declineGapRatio (2), got 1.5',
    },
    {
      title: 'an unknown threshold',
      input: edited((m) => {
        (m.thresholds as Record<string, number>).vipSpend = 3;
      }),
      message:
        'models.retail.thresholds.vipSpend: expected one of churnPAlive, declinePAlive, churnGapRatio, declineGapRatio, churnMinPurchaseDays, singlePurchaseDeclineDays, declineValueTrend, valueWindowDays, complaintWindowDays, declineComplaints, formationPurchaseDays, formationDays, stabilityPurchaseDays, stabilityDays, loyaltyPurchaseDays, loyaltyDays, dormantDays, got "vipSpend"',
    },
    {
      title: 'a rule that names an unknown stage code',
      input: edited((m) => {
        (m.rules as { stage: string }[])[2].stage = 'dormant';
      }),
      message:
        'models.retail.rules.2.stage: expected a known stage code (one of prospect, exploration, formation, stability, decline, churned), got "dormant"',
    },
    {
      title: 'a condition on an unknown metric',
      input: edited((m) => {
        (m.rules as { when: { metric: string }[][] }[])[2].when[1][0].metric = 'mood';
      }),
      message:
        'models.retail.rules.2.when.1.0.metric: expected one of purchaseDays, tenureDays, daysSinceLastPurchase, meanGapDays, gapRatio, valueTrend, pAlive, expectedPurchases, subscriptionActive, subscriptionEnded, recentComplaints, interactions, got "mood"',
    },
    {
      title: 'a condition naming an unknown threshold',
      input: edited((m) => {
        (m.rules as { when: { threshold: string }[][] }[])[2].when[1][0].threshold = 'soon';
      }),
      message:
        'models.retail.rules.2.when.1.0.threshold: expected a known threshold name, got "soon"',
    },
    {
      title: 'a last rule with conditions (no fallback)',
      input: edited((m) => {
        (m.rules as unknown[]).pop();
      }),
      message:
        'models.retail.rules.4.when: expected no conditions on the last (fallback) rule, got "conditions"',
    },
    {
      title: 'two stages with the same code',
      input: edited((m) => {
        (m.stages as { code: string }[])[1].code = 'prospect';
      }),
      message:
        'models.retail.stages.1.code: expected a code not used by an earlier stage, got "prospect"',
    },
    {
      title: 'a colour that is not #rrggbb',
      input: edited((m) => {
        (m.stages as { colour: string }[])[0].colour = 'grey';
      }),
      message: 'models.retail.stages.0.colour: expected a colour like #3b82f6, got "grey"',
    },
    {
      title: 'a missing English stage name',
      input: edited((m) => {
        (m.stages as { name: { en: string } }[])[3].name.en = '';
      }),
      message: 'models.retail.stages.3.name.en: expected a non-empty string, got ""',
    },
    {
      title: 'a re-entry stage that does not exist',
      input: edited((m) => {
        m.reentryStage = 'again';
      }),
      message:
        'models.retail.reentryStage: expected null or a known stage code (one of prospect, exploration, formation, stability, decline, churned), got "again"',
    },
    {
      title: 'a version of 0',
      input: edited((m) => {
        m.version = 0;
      }),
      message: 'models.retail.version: expected a whole number ≥ 1, got 0',
    },
  ])('$title is rejected', ({ input, message }) => {
    expect(() => validateStageModel(input, 'models.retail')).toThrow(InputError);
    expect(() => validateStageModel(input, 'models.retail')).toThrow(message);
  });
});

describe('editing thresholds', () => {
  test('produces a new version and leaves the original as it was', () => {
    const next = withThresholds(base, { declineGapRatio: 2.5 });
    expect(next.version).toBe(base.version + 1);
    expect(next.thresholds.declineGapRatio).toBe(2.5);
    expect(base.thresholds.declineGapRatio).toBe(2);
    expect(withThresholds(next, { churnPAlive: 0.2 }).version).toBe(3);
  });

  test('switching the relationship model to telecom defaults is one edit', () => {
    const telecom = withThresholds(base, STAGE_THRESHOLD_PRESETS.telecom);
    expect(telecom.thresholds).toEqual(STAGE_THRESHOLD_PRESETS.telecom);
    expect(telecom.version).toBe(2);
  });

  test('an out-of-range edit is rejected with the model path', () => {
    expect(() => withThresholds(base, { declineGapRatio: 0.5 })).toThrow(
      'models.relationship.thresholds.declineGapRatio: expected a number > 1, got 0.5',
    );
  });
});

describe('the precedence order is documented in words', () => {
  test('describeStageRules lists the default rules in the order they are tried, with values', () => {
    const lines = describeStageRules(base).map((r) => r.text.en);
    expect(lines).toEqual([
      '1. Prospect when purchase days < 1',
      '2. Churned when subscription ended (1 yes, 0 no) ≥ 1, or (purchase days ≥ 2 (churnMinPurchaseDays) and P(alive) < 0.3 (churnPAlive)), or (purchase days ≥ 2 (churnMinPurchaseDays) and days since the last purchase ÷ usual gap > 4 (churnGapRatio))',
      '3. Decline when recent complaints ≥ 1 (declineComplaints), or days since the last purchase ÷ usual gap > 2 (declineGapRatio), or P(alive) < 0.6 (declinePAlive), or (purchase days < 2 and days since the last purchase > 365 (singlePurchaseDeclineDays)), or (revenue in the last window ÷ the one before < 0.3 (declineValueTrend) and days as a customer ≥ 365 (stabilityDays))',
      '4. Exploration when purchase days < 3 (formationPurchaseDays), or days as a customer < 90 (formationDays)',
      '5. Formation when purchase days < 6 (stabilityPurchaseDays), or days as a customer < 365 (stabilityDays)',
      '6. Stability: otherwise',
    ]);
    expect(describeStageRules(base)[0].text.zh).toBe('1. 潜在：当 购买天数 < 1');
  });

  test('an edited threshold shows up in the description', () => {
    const next = withThresholds(base, { declineGapRatio: 2.5 });
    expect(describeStageRules(next)[2].text.en).toContain('usual gap > 2.5 (declineGapRatio)');
  });
});
