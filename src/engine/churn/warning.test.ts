import { describe, expect, test } from 'vitest';
import {
  customerWarningLevel,
  DEFAULT_WARNING_SETTINGS,
  type EpisodeState,
  stepEpisode,
  validateWarningSettings,
  type WarningLevel,
  warningLevel,
} from './warning.js';

describe('warning levels (issue 6 §4)', () => {
  test.each([
    { risk: 0.95, expected: 'red' },
    { risk: 0.9, expected: 'red' },
    { risk: 0.85, expected: 'orange' },
    { risk: 0.7, expected: 'yellow' },
    { risk: 0.69, expected: null },
  ])('probability $risk is $expected by the default thresholds', ({ risk, expected }) => {
    expect(warningLevel(DEFAULT_WARNING_SETTINGS, risk, 1000, 10)).toBe(expected);
  });

  test('by value at risk, a likely churner worth little gets no warning and a valuable one does', () => {
    const s = validateWarningSettings({
      kind: 'value',
      redMinor: 100_000,
      orangeMinor: 50_000,
      yellowMinor: 10_000,
      lostAfterDays: 365,
    });
    expect(warningLevel(s, 0.9, 1000, 10)).toBeNull();
    expect(warningLevel(s, 0.5, 300_000, 10)).toBe('red');
    expect(warningLevel(s, 0.5, 40_000, 10)).toBe('yellow');
  });

  test('a customer silent longer than lostAfterDays is lost, not at risk', () => {
    expect(warningLevel(DEFAULT_WARNING_SETTINGS, 0.99, 1000, 181)).toBeNull();
  });

  test('a subscriber whose plans have all ended has churned already: no warning', () => {
    const facts = {
      purchaseDays: 3,
      recencyDays: 10,
      meanGapDays: 30,
      tenureDays: 300,
      purchases90: 1,
      purchasesPrev90: 1,
      spend90Minor: 0,
      spendPrev90Minor: 0,
      aovMinor: 0,
      refunds180: 0,
      complaints30: 0,
      complaints90: 0,
      unresolved: 0,
      satisfaction: null,
      daysSinceContact: null,
      subscriptionActive: false,
      subscriptionMonths: 12,
      planChanges: 0,
      pAlive: 0.5,
      expectedPurchases: 0.1,
    };
    expect(customerWarningLevel(DEFAULT_WARNING_SETTINGS, 0.99, 1000, facts)).toBeNull();
    expect(
      customerWarningLevel(DEFAULT_WARNING_SETTINGS, 0.99, 1000, {
        ...facts,
        subscriptionActive: true,
      }),
    ).toBe('red');
  });

  test('thresholds out of order are refused', () => {
    expect(() =>
      validateWarningSettings({
        kind: 'probability',
        red: 0.3,
        orange: 0.5,
        yellow: 0.2,
        lostAfterDays: 365,
      }),
    ).toThrow('warning thresholds red: expected red ≥ orange ≥ yellow');
  });
});

describe('alert episodes (issue 6 §4: once per episode, resolved by outcome)', () => {
  type Obs = { day: number; level: WarningLevel | null; lastPurchaseDay: number | null };
  function run(observations: Obs[], windowDays = 90) {
    let state: EpisodeState | null = null;
    const log: string[] = [];
    for (const o of observations) {
      const r = stepEpisode(state, { ...o, windowDays });
      state = r.state;
      for (const e of r.events)
        log.push(e.kind === 'raise' ? `d${o.day} raise ${e.level}` : `d${o.day} ${e.outcome}`);
    }
    return { log, state };
  }

  test('a level that holds raises one alert; climbing raises one more; falling back raises none', () => {
    const { log } = run([
      { day: 0, level: 'yellow', lastPurchaseDay: -50 },
      { day: 10, level: 'yellow', lastPurchaseDay: -50 },
      { day: 20, level: 'orange', lastPurchaseDay: -50 },
      { day: 30, level: 'yellow', lastPurchaseDay: -50 },
      { day: 40, level: 'orange', lastPurchaseDay: -50 },
      { day: 50, level: 'red', lastPurchaseDay: -50 },
    ]);
    expect(log).toEqual(['d0 raise yellow', 'd20 raise orange', 'd50 raise red']);
  });

  test('a purchase after the alert resolves the episode as retained; a later slip is a new episode', () => {
    const { log } = run([
      { day: 0, level: 'orange', lastPurchaseDay: -60 },
      { day: 30, level: null, lastPurchaseDay: 25 },
      { day: 200, level: 'yellow', lastPurchaseDay: 25 },
    ]);
    expect(log).toEqual(['d0 raise orange', 'd30 retained', 'd200 raise yellow']);
  });

  test('no purchase within the window after the alert resolves it as lost, and the same silence raises nothing again', () => {
    const { log, state } = run([
      { day: 0, level: 'red', lastPurchaseDay: -60 },
      { day: 60, level: 'red', lastPurchaseDay: -60 },
      { day: 90, level: 'red', lastPurchaseDay: -60 },
      { day: 120, level: 'red', lastPurchaseDay: -60 },
    ]);
    expect(log).toEqual(['d0 raise red', 'd90 lost']);
    expect(state).toEqual({ kind: 'lost', startedDay: 0 });
  });

  test('a lost customer who buys again can raise a new episode later', () => {
    const { log } = run([
      { day: 0, level: 'red', lastPurchaseDay: -60 },
      { day: 90, level: 'red', lastPurchaseDay: -60 },
      { day: 120, level: null, lastPurchaseDay: 110 },
      { day: 300, level: 'orange', lastPurchaseDay: 110 },
    ]);
    expect(log).toEqual(['d0 raise red', 'd90 lost', 'd300 raise orange']);
  });

  test('a level that falls to none without a purchase clears the episode', () => {
    const { log } = run([
      { day: 0, level: 'yellow', lastPurchaseDay: -10 },
      { day: 30, level: null, lastPurchaseDay: -10 },
    ]);
    expect(log).toEqual(['d0 raise yellow', 'd30 cleared']);
  });
});
