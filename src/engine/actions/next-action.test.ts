import { describe, expect, test } from 'vitest';
import { Random } from '../demo/random.js';
import { PRESET_PLAYBOOKS } from '../lifecycle/index.js';
import {
  chooseNextAction,
  customerValueBound,
  type NbaCustomer,
  validateNbaSettings,
  valueBound,
} from './next-action.js';

const playbook = PRESET_PLAYBOOKS.relationship;
const base: NbaCustomer = {
  customerId: 'C1',
  ownerId: 'AM001',
  stage: 'stability',
  tier: 'gold',
  clvMinor: 500_000,
  pAlive: 0.9,
  churnRisk: null,
  warningLevel: null,
  crossSell: null,
  upSell: null,
};

describe('next best action (issue 9 §1)', () => {
  test('a valuable customer at high churn risk gets the playbook’s urgent retention action, valued at value at risk × lift', () => {
    const a = chooseNextAction(
      { ...base, stage: 'decline', churnRisk: 0.8, pAlive: 0.5 },
      playbook,
    );
    expect(a.kind).toBe('retention');
    expect(a.riskLevel).toBe('high');
    // value if retained 500000 / 0.5, at risk × 0.8, lift 0.2
    expect(a.expectedValueMinor).toBe(Math.round((500_000 / 0.5) * 0.8 * 0.2));
    expect(a.reason.en).toMatch(/value at risk/);
    expect(a.reason.zh).toMatch(/流失风险 80%/);
  });

  test('without a churn model the risk is 1 − P(alive); a stored warning level wins over thresholds', () => {
    const a = chooseNextAction({ ...base, pAlive: 0.25 }, playbook);
    expect(a.risk).toBeCloseTo(0.75, 12);
    expect(a.riskLevel).toBe('high');
    const b = chooseNextAction({ ...base, pAlive: 0.25, warningLevel: 'yellow' }, playbook);
    expect(b.riskLevel).toBe('medium');
    const c = chooseNextAction({ ...base, churnRisk: 0.3, warningLevel: 'red' }, playbook);
    expect(c.riskLevel).toBe('high');
  });

  test('a strong cross-sell beats a low-risk playbook action; the reason names the rule', () => {
    const a = chooseNextAction(
      {
        ...base,
        churnRisk: 0.05,
        crossSell: {
          sku: 'M002',
          name: '湿巾',
          confidence: 0.6,
          because: ['M001'],
          expectedMarginMinor: 200_000,
        },
      },
      playbook,
    );
    expect(a.kind).toBe('cross-sell');
    expect(a.expectedValueMinor).toBe(20_000);
    expect(a.ref).toBe('M002');
    expect(a.reason.en).toMatch(/60% of baskets with M001/);
  });

  test('a churned customer with no positive value is let go (seed 000)', () => {
    const a = chooseNextAction({ ...base, stage: 'churned', clvMinor: -100 }, playbook);
    expect(a.kind).toBe('let-go');
    expect(a.expectedValueMinor).toBe(0);
  });

  test('a customer with nothing known gets a zero-value profile action instead of an error', () => {
    const a = chooseNextAction(
      { ...base, stage: null, tier: null, clvMinor: null, pAlive: null },
      null,
    );
    expect(a.expectedValueMinor).toBe(0);
    expect(a.title.en).toBe('Complete the customer profile');
  });

  test.each([
    {
      input: { retentionLift: { high: 2 } },
      message: 'nba.retentionLift.high: expected a number from 0 to 1, got 2',
    },
    {
      input: { riskThresholds: { high: 0.3, medium: 0.5 } },
      message: 'nba.riskThresholds: medium (0.5) must not exceed high (0.3)',
    },
    { input: { upsell: 1 }, message: /nba.upsell: unknown setting/ },
  ])('settings are validated with their path: $message', ({ input, message }) => {
    expect(() => validateNbaSettings(input)).toThrow(message);
  });
});

describe('the value bound the work queue ranks by', () => {
  test('is never below the value chooseNextAction gives, over 20,000 random customers and settings', () => {
    const rng = Random.from(20261201);
    const stages = [null, ...Object.keys(playbook.stages), 'unknown-stage'];
    const tiers = [null, 'platinum', 'gold', 'iron', 'lead'] as const;
    const levels = [null, 'red', 'orange', 'yellow', 'high', 'low'];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)] as T;
    const maybe = <T>(v: T): T | null => (rng.next() < 0.2 ? null : v);
    let tight = 0;
    for (let i = 0; i < 20_000; i++) {
      const settings = validateNbaSettings({
        retentionLift: { high: rng.next(), medium: rng.next() * 0.5, low: rng.next() * 0.1 },
        crossSellResponse: rng.next(),
        upSellTakeRate: rng.next(),
        stageLift: rng.next() * 0.1,
        minCrossSellConfidence: rng.next() * 0.5,
      });
      const margin = Math.floor(rng.next() * 100_000);
      const c: NbaCustomer = {
        ...base,
        stage: pick(stages),
        tier: pick(tiers),
        clvMinor: maybe(Math.floor((rng.next() - 0.2) * 2_000_000)),
        pAlive: maybe(rng.next()),
        churnRisk: maybe(rng.next()),
        warningLevel: pick(levels),
        crossSell: maybe({
          sku: 'X',
          name: null,
          confidence: rng.next(),
          because: ['A'],
          expectedMarginMinor: Math.round(rng.next() * margin),
        }),
        upSell: maybe({ sku: 'U', name: null, unitMarginMinor: Math.floor(rng.next() * margin) }),
      };
      const b = valueBound(settings, margin);
      const bound = Math.max(customerValueBound(b, c), b.selling);
      const ev = chooseNextAction(c, playbook, settings).expectedValueMinor;
      expect(ev, JSON.stringify({ c, settings })).toBeLessThanOrEqual(bound);
      if (bound - ev <= 2) tight++;
    }
    // and it is not a loose bound: often within 2 fen of the value
    expect(tight).toBeGreaterThan(2_000);
  });
});
