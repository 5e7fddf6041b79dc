import { describe, expect, test } from 'vitest';
import { dwellTimes, stageMix } from './analysis.js';
import type { CustomerState } from './evaluate.js';
import { replayStages, stageChanges } from './history.js';
import { DEFAULT_STAGE_MODEL } from './model.js';
import { classifyTrajectory } from './trajectory.js';

const D0 = Date.UTC(2025, 0, 1);
const day = (d: number) => new Date(D0 + d * 86_400_000);

/** A customer buying every 30 days from day 0 up to `lastDay` . */
function buyer(lastDay: number, firstDay = 0, pAlive: number | null = null): CustomerState {
  const n = Math.floor((lastDay - firstDay) / 30) + 1;
  return {
    customerId: 'W',
    firstPurchaseAt: day(firstDay),
    lastPurchaseAt: day(lastDay),
    purchaseDays: n,
    meanGapDays: n < 2 ? null : (lastDay - firstDay) / (n - 1),
    revenueLastWindowMinor: 0,
    revenuePreviousWindowMinor: 0,
    pAlive,
    expectedPurchases: null,
    subscription: 'none',
    subscriptionStartedAt: null,
    recentComplaints: 0,
    interactions: 0,
  };
}

describe('replaying a model over snapshots', () => {
  // Buys monthly for 120 days, goes silent, churns, and buys again on day 400.
  const snapshots = [
    { asOf: day(10), states: [buyer(0)] },
    { asOf: day(100), states: [buyer(90)] },
    { asOf: day(200), states: [buyer(120)] },
    { asOf: day(300), states: [buyer(120)] },
    { asOf: day(330), states: [buyer(120)] },
    { asOf: day(410), states: [{ ...buyer(400), purchaseDays: 6, meanGapDays: 80 }] },
  ];
  const replay = replayStages(DEFAULT_STAGE_MODEL, snapshots);

  test('writes a row only when the stage changes, won-back re-entry included', () => {
    expect(
      replay.changes.map((c) => [
        c.enteredAt.getTime() === day(0).getTime() ? 0 : (c.enteredAt.getTime() - D0) / 86_400_000,
        c.previousStage,
        c.stage,
        c.ruleId,
      ]),
    ).toEqual([
      [10, null, 'exploration', 'exploration'],
      [100, 'exploration', 'formation', 'formation'],
      [200, 'formation', 'decline', 'decline'],
      [300, 'decline', 'churned', 'churn'],
      [410, 'churned', 'exploration', 'won-back'],
    ]);
    expect(replay.changes[4].wonBack).toBe(true);
    expect(replay.current.get('W')).toBe('exploration');
  });

  test('each row keeps its reason and the model version that decided it', () => {
    expect(replay.changes[3].reason.en).toBe(
      "Churned: 5 purchase days (at least 2); no purchase for 180 days, 6× this customer's usual gap of 30 days (threshold 4×)",
    );
    expect(replay.changes[3]).toMatchObject({ modelKey: 'relationship', modelVersion: 1 });
  });

  test('the replayed history feeds the reports and the trajectory', () => {
    const mix = stageMix(DEFAULT_STAGE_MODEL, replay.changes, day(350));
    expect(mix.stages.find((s) => s.stage === 'churned')?.count).toBe(1);
    const decline = dwellTimes(DEFAULT_STAGE_MODEL, replay.changes, day(410)).find(
      (d) => d.stage === 'decline',
    );
    expect(decline?.medianDays).toBe(100);
    expect(
      classifyTrajectory(DEFAULT_STAGE_MODEL, replay.changes.slice(0, 4), day(350)).pattern,
    ).toBe('midway_termination');
  });

  test('a churned customer who does not buy again stays churned, whatever the model says later', () => {
    const held = replayStages(DEFAULT_STAGE_MODEL, [
      snapshots[3],
      { asOf: day(320), states: [{ ...buyer(120), meanGapDays: 100, pAlive: 0.9 }] },
    ]);
    expect(held.changes.map((c) => c.stage)).toEqual(['churned']);
    expect(held.current.get('W')).toBe('churned');
  });

  test('snapshots out of date order are rejected', () => {
    expect(() => replayStages(DEFAULT_STAGE_MODEL, [snapshots[1], snapshots[0]])).toThrow(
      'snapshots.1.asOf: expected a valid date after the snapshot before',
    );
  });

  test('a customer whose stage did not change gets no row', () => {
    expect(stageChanges([], day(1))).toEqual([]);
    const again = replayStages(DEFAULT_STAGE_MODEL, [snapshots[1]], new Map([['W', 'formation']]));
    expect(again.changes).toEqual([]);
  });
});
