import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import {
  conversionFunnel,
  dwellTimes,
  kaplanMeier,
  kaplanMeierQuantile,
  type StageHistoryRow,
  stageMix,
  stageMixSeries,
  transitionMatrix,
} from './analysis.js';
import { DEFAULT_STAGE_MODEL } from './model.js';

const model = DEFAULT_STAGE_MODEL;
const D0 = Date.UTC(2026, 0, 1);
const day = (d: number) => new Date(D0 + d * 86_400_000);
const row = (customerId: string, stage: string, d: number): StageHistoryRow => ({
  customerId,
  stage,
  enteredAt: day(d),
});

// A: exploration → formation at day 10; B: stays in exploration; C: formation → decline at 15;
// D: first seen at day 12; E: first seen after the report window.
const HISTORY = [
  row('A', 'formation', 10),
  row('A', 'exploration', 0),
  row('B', 'exploration', 0),
  row('C', 'formation', 0),
  row('C', 'decline', 15),
  row('D', 'exploration', 12),
  row('E', 'exploration', 25),
];

describe('stage mix', () => {
  test('counts each customer in their latest stage at the date, in model order', () => {
    const mix = stageMix(model, HISTORY, day(20));
    expect(mix.total).toBe(4);
    expect(mix.stages.map((s) => [s.stage, s.count])).toEqual([
      ['prospect', 0],
      ['exploration', 2],
      ['formation', 1],
      ['stability', 0],
      ['decline', 1],
      ['churned', 0],
    ]);
    expect(mix.stages[1].share).toBe(0.5);
  });

  test('rows after the date do not change an earlier mix', () => {
    const early = stageMix(model, HISTORY, day(5));
    expect(early.stages.map((s) => s.count)).toEqual([0, 2, 1, 0, 0, 0]);
  });

  test('a series gives one mix per date, showing customers moving over time', () => {
    const series = stageMixSeries(model, HISTORY, [day(5), day(20), day(30)]);
    expect(series.map((m) => m.total)).toEqual([3, 4, 5]);
    expect(series.map((m) => m.stages.find((s) => s.stage === 'decline')?.count)).toEqual([
      0, 1, 1,
    ]);
  });

  test('an unknown stage code in the history is rejected with its row', () => {
    expect(() => stageMix(model, [row('A', 'vip', 0)], day(1))).toThrow(InputError);
    expect(() => stageMix(model, [row('A', 'vip', 0)], day(1))).toThrow(
      'history.0.stage: expected one of prospect, exploration, formation, stability, decline, churned, got "vip"',
    );
  });
});

describe('transition matrix', () => {
  const m = transitionMatrix(model, HISTORY, day(5), day(20));

  test('counts customers by stage at the start and at the end', () => {
    // rows/columns: prospect, exploration, formation, stability, decline, churned
    expect(m.counts).toEqual([
      [0, 0, 0, 0, 0, 0],
      [0, 1, 1, 0, 0, 0],
      [0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ]);
    expect(m.entered).toEqual([0, 1, 0, 0, 0, 0]);
  });

  test('rates are shares of each starting stage', () => {
    expect(m.rates[1]).toEqual([0, 0.5, 0.5, 0, 0, 0]);
    expect(m.rates[2]).toEqual([0, 0, 0, 0, 1, 0]);
    expect(m.rates[0]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('gives Sankey nodes and the non-zero links, new customers included', () => {
    expect(m.links).toEqual([
      { source: 'from:(new)', target: 'to:exploration', value: 1 },
      { source: 'from:exploration', target: 'to:exploration', value: 1 },
      { source: 'from:exploration', target: 'to:formation', value: 1 },
      { source: 'from:formation', target: 'to:decline', value: 1 },
    ]);
    const ids = new Set(m.nodes.map((n) => n.id));
    for (const l of m.links) {
      expect(ids.has(l.source)).toBe(true);
      expect(ids.has(l.target)).toBe(true);
    }
    expect(m.nodes.find((n) => n.id === 'to:decline')).toMatchObject({
      name: { zh: '退化期', en: 'Decline' },
      colour: '#f59e0b',
    });
  });

  test('a start after the end is rejected', () => {
    expect(() => transitionMatrix(model, HISTORY, day(20), day(5))).toThrow(
      'from: expected a date not after to',
    );
  });
});

describe('dwell time: Kaplan–Meier (Kaplan & Meier 1958)', () => {
  // Durations 2, 3+, 4, 5, 5+, 8 (+ = still in the stage). By hand:
  // S(2) = 5/6, S(4) = 5/6 · 3/4 = 0.625, S(5) = 0.625 · 2/3 = 0.4167, S(8) = 0.
  const durations = [2, 3, 4, 5, 5, 8];
  const ended = [true, false, true, true, false, true];

  test('the product-limit curve matches the hand calculation', () => {
    const curve = kaplanMeier(durations, ended);
    expect(curve.map((s) => [s.t, s.atRisk, s.events])).toEqual([
      [2, 6, 1],
      [4, 4, 1],
      [5, 3, 1],
      [8, 1, 1],
    ]);
    expect(curve.map((s) => s.survival)).toEqual([5 / 6, 0.625, expect.closeTo(0.41667, 4), 0]);
    expect(kaplanMeierQuantile(curve, 0.25)).toBe(4);
    expect(kaplanMeierQuantile(curve, 0.5)).toBe(5);
    expect(kaplanMeierQuantile(curve, 0.75)).toBe(8);
  });

  test('customers still in a stage count as censored stays, not as finished ones', () => {
    const asOf = day(100);
    const rows: StageHistoryRow[] = [];
    durations.forEach((d, i) => {
      const id = `C${i}`;
      if (ended[i]) {
        rows.push(row(id, 'exploration', 0), row(id, 'formation', d));
      } else {
        rows.push(row(id, 'exploration', 100 - d));
      }
    });
    const exploration = dwellTimes(model, rows, asOf).find((x) => x.stage === 'exploration');
    expect(exploration).toMatchObject({
      stays: 6,
      ended: 4,
      ongoing: 2,
      q1Days: 4,
      medianDays: 5,
      q3Days: 8,
    });
  });

  test('a median the curve never reaches is null, not a guess', () => {
    const curve = kaplanMeier([10, 20, 30], [true, false, false]);
    expect(kaplanMeierQuantile(curve, 0.5)).toBeNull();
  });

  test('repeated rows of the same stage are one stay', () => {
    const rows = [row('A', 'stability', 0), row('A', 'stability', 30), row('A', 'decline', 50)];
    const s = dwellTimes(model, rows, day(60)).find((x) => x.stage === 'stability');
    expect(s).toMatchObject({ stays: 1, ended: 1, medianDays: 50 });
  });
});

describe('conversion funnel prospect → stability', () => {
  test('counts customers who reached each step or a later one; a churned customer had bought', () => {
    const rows = [
      row('P', 'prospect', 0),
      row('Q', 'prospect', 0),
      row('Q', 'exploration', 5),
      row('R', 'exploration', 0),
      row('R', 'formation', 30),
      row('R', 'stability', 90),
      row('R', 'decline', 200),
      row('S', 'exploration', 0),
      row('S', 'churned', 100),
      row('T', 'churned', 0),
    ];
    const f = conversionFunnel(model, rows, day(365));
    expect(f.map((s) => [s.stage, s.reached])).toEqual([
      ['prospect', 5],
      ['exploration', 4],
      ['formation', 1],
      ['stability', 1],
    ]);
    expect(f[1].conversion).toBe(0.8);
    expect(f[2].conversion).toBe(0.25);
    expect(f[3].cumulative).toBe(0.2);
  });
});
