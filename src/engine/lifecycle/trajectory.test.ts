import { describe, expect, test } from 'vitest';
import type { StageHistoryRow } from './analysis.js';
import { DEFAULT_STAGE_MODEL, PRESET_MODELS } from './model.js';
import { classifyTrajectories, classifyTrajectory } from './trajectory.js';

const D0 = Date.UTC(2024, 0, 1);
const day = (d: number) => new Date(D0 + d * 86_400_000);
const AS_OF = day(1000);

/** "exploration@0 formation@60" → history rows of customer X */
function path(spec: string, customerId = 'X'): StageHistoryRow[] {
  return spec.split(' ').map((p) => {
    const [stage, d] = p.split('@');
    return { customerId, stage, enteredAt: day(Number(d)) };
  });
}

describe('trajectory patterns (seed 000 fig. 2-4)', () => {
  test.each([
    {
      title: 'churned straight from exploration is early termination (早期夭折)',
      spec: 'prospect@0 exploration@10 churned@200',
      pattern: 'early_termination',
      en: 'the relationship ended in exploration',
    },
    {
      title: 'exploration → decline → churned is still early termination',
      spec: 'exploration@0 decline@100 churned@300',
      pattern: 'early_termination',
      en: 'the relationship ended in exploration',
    },
    {
      title: 'churned from formation is mid-way termination (中途夭折)',
      spec: 'exploration@0 formation@60 decline@200 churned@400',
      pattern: 'midway_termination',
      en: 'the relationship ended in formation',
    },
    {
      title: 'decline 90 days after reaching stability is premature decline (提前衰退)',
      spec: 'exploration@0 formation@60 stability@300 decline@390',
      pattern: 'premature_decline',
      en: 'declined 90 days after reaching stability (within 365)',
    },
    {
      title: 'stability held for 600 days is long-term retention (长久保持)',
      spec: 'exploration@0 formation@60 stability@400',
      pattern: 'long_term_retention',
      en: 'in stability for 600 days (at least 365)',
    },
    {
      title: 'a late decline after long stability still counts as long-term retention',
      spec: 'exploration@0 stability@100 decline@700 churned@800',
      pattern: 'long_term_retention',
      en: 'in stability for 600 days (at least 365)',
    },
    {
      title: 'recently stable is still developing',
      spec: 'exploration@0 formation@300 stability@900',
      pattern: 'developing',
      en: 'in stability for 100 days, not yet 365',
    },
    {
      title: 'in formation and not churned is still developing',
      spec: 'exploration@0 formation@300',
      pattern: 'developing',
      en: 'not yet in stability and not churned',
    },
    {
      title: 'a won-back customer is classified on the new cycle',
      spec: 'exploration@0 churned@100 exploration@500 formation@560',
      pattern: 'developing',
      en: 'not yet in stability and not churned',
    },
  ])('$title', ({ spec, pattern, en }) => {
    const t = classifyTrajectory(DEFAULT_STAGE_MODEL, path(spec), AS_OF);
    expect(t.pattern).toBe(pattern);
    expect(t.reason.en).toBe(en);
  });

  test('rows after the classification date are ignored', () => {
    const t = classifyTrajectory(DEFAULT_STAGE_MODEL, path('exploration@0 churned@100'), day(50));
    expect(t).toMatchObject({ pattern: 'developing', currentStage: 'exploration' });
  });

  test('the settings decide what premature and long-term mean', () => {
    const rows = path('exploration@0 stability@100 decline@250');
    const strict = { prematureDeclineDays: 100, longTermDays: 120 };
    expect(classifyTrajectory(DEFAULT_STAGE_MODEL, rows, AS_OF).pattern).toBe('premature_decline');
    expect(classifyTrajectory(DEFAULT_STAGE_MODEL, rows, AS_OF, strict).pattern).toBe(
      'long_term_retention',
    );
    expect(() =>
      classifyTrajectory(DEFAULT_STAGE_MODEL, rows, AS_OF, { ...strict, longTermDays: 0 }),
    ).toThrow('trajectory.longTermDays: expected a number of days > 0, got 0');
  });

  test('the six-stage model is read through its roles (开发 → 终止 is early termination)', () => {
    const t = classifyTrajectory(
      PRESET_MODELS['six-stage'],
      path('potential@0 development@5 termination@90'),
      AS_OF,
    );
    expect(t.name).toEqual({ zh: '早期夭折', en: 'Early termination' });
  });

  test('many customers are classified in id order', () => {
    const rows = [
      ...path('exploration@0 churned@100', 'B'),
      ...path('exploration@0 stability@100', 'A'),
    ];
    expect(
      classifyTrajectories(DEFAULT_STAGE_MODEL, rows, AS_OF).map((t) => [t.customerId, t.pattern]),
    ).toEqual([
      ['A', 'long_term_retention'],
      ['B', 'early_termination'],
    ]);
  });
});
