/**
 * Trajectory patterns of a customer relationship (issue 4 part 4; seed 000 fig. 2-4, SPEC §3):
 * 早期夭折 early termination (ended while still in exploration), 中途夭折 mid-way termination
 * (ended in formation), 提前衰退 premature decline (declined within `prematureDeclineDays` of
 * reaching stability), 长久保持 long-term retention (in stability for `longTermDays` or more),
 * and 发展中 still developing (none of these yet).
 *
 * Stages are read through their roles, so every preset works. The latest relationship cycle is
 * classified: a won-back customer (a churned-role row followed by another row) starts a new one.
 * "Ended in exploration" looks at the last active stage before decline/churn, so exploration →
 * decline → churned is still early termination.
 */
import { InputError } from '../../errors.js';
import type { StageHistoryRow } from './analysis.js';
import { historyByCustomer } from './analysis.js';
import type { Bilingual, StageModel, StageRole } from './model.js';

const MS_PER_DAY = 86_400_000;

export type TrajectoryPattern =
  | 'early_termination'
  | 'midway_termination'
  | 'premature_decline'
  | 'long_term_retention'
  | 'developing';

export const TRAJECTORY_NAMES: Readonly<Record<TrajectoryPattern, Bilingual>> = Object.freeze({
  early_termination: { zh: '早期夭折', en: 'Early termination' },
  midway_termination: { zh: '中途夭折', en: 'Mid-way termination' },
  premature_decline: { zh: '提前衰退', en: 'Premature decline' },
  long_term_retention: { zh: '长久保持', en: 'Long-term retention' },
  developing: { zh: '发展中', en: 'Still developing' },
});

export interface TrajectorySettings {
  /** a decline this soon after reaching stability is premature */
  readonly prematureDeclineDays: number;
  /** stability held this long is long-term retention */
  readonly longTermDays: number;
}

export const DEFAULT_TRAJECTORY_SETTINGS: TrajectorySettings = Object.freeze({
  prematureDeclineDays: 365,
  longTermDays: 365,
});

export interface Trajectory {
  readonly customerId: string;
  readonly pattern: TrajectoryPattern;
  readonly name: Bilingual;
  readonly reason: Bilingual;
  /** the stage at the classification date */
  readonly currentStage: string;
  /** when the latest cycle began (first row, or the row after the last churn) */
  readonly cycleStartedAt: Date;
  readonly stabilityReachedAt: Date | null;
}

function checkSettings(s: TrajectorySettings): void {
  for (const k of ['prematureDeclineDays', 'longTermDays'] as const) {
    if (!(Number.isFinite(s[k]) && s[k] > 0)) {
      throw new InputError(`trajectory.${k}: expected a number of days > 0, got ${s[k]}`, {
        field: `trajectory.${k}`,
        value: s[k],
      });
    }
  }
}

function classifyRows(
  roleOf: Map<string, StageRole>,
  customerId: string,
  list: readonly StageHistoryRow[],
  asOfMs: number,
  s: TrajectorySettings,
): Trajectory {
  let start = 0;
  for (let i = list.length - 2; i >= 0; i--) {
    if (roleOf.get(list[i].stage) === 'churned' && roleOf.get(list[i + 1].stage) !== 'churned') {
      start = i + 1;
      break;
    }
  }
  const cycle = list.slice(start);
  const role = (r: StageHistoryRow) => roleOf.get(r.stage) as StageRole;
  const at = (r: StageHistoryRow) => r.enteredAt.getTime();
  const days = (ms: number) => Math.round(ms / MS_PER_DAY);
  const current = cycle[cycle.length - 1];
  const base = {
    customerId,
    currentStage: current.stage,
    cycleStartedAt: cycle[0].enteredAt,
  };
  const make = (
    pattern: TrajectoryPattern,
    reason: Bilingual,
    stabilityAt: Date | null,
  ): Trajectory =>
    Object.freeze({
      ...base,
      pattern,
      name: TRAJECTORY_NAMES[pattern],
      reason,
      stabilityReachedAt: stabilityAt,
    });

  const si = cycle.findIndex((r) => role(r) === 'stability');
  if (si >= 0) {
    const stable = cycle[si];
    const fall = cycle.slice(si + 1).find((r) => role(r) === 'decline' || role(r) === 'churned');
    if (fall !== undefined && at(fall) - at(stable) <= s.prematureDeclineDays * MS_PER_DAY) {
      const d = days(at(fall) - at(stable));
      return make(
        'premature_decline',
        {
          zh: `进入稳定期 ${d} 天后即衰退（${s.prematureDeclineDays} 天内）`,
          en: `declined ${d} days after reaching stability (within ${s.prematureDeclineDays})`,
        },
        stable.enteredAt,
      );
    }
    const held = (fall === undefined ? asOfMs : at(fall)) - at(stable);
    if (held >= s.longTermDays * MS_PER_DAY) {
      return make(
        'long_term_retention',
        {
          zh: `稳定期保持 ${days(held)} 天（至少 ${s.longTermDays} 天）`,
          en: `in stability for ${days(held)} days (at least ${s.longTermDays})`,
        },
        stable.enteredAt,
      );
    }
    return make(
      'developing',
      {
        zh: `稳定期 ${days(held)} 天，尚未达到 ${s.longTermDays} 天`,
        en: `in stability for ${days(held)} days, not yet ${s.longTermDays}`,
      },
      stable.enteredAt,
    );
  }
  const ci = cycle.findIndex((r) => role(r) === 'churned');
  if (ci >= 0) {
    let last: StageRole = 'exploration';
    for (const r of cycle.slice(0, ci)) {
      const x = role(r);
      if (x === 'exploration' || x === 'formation') last = x;
    }
    return last === 'formation'
      ? make(
          'midway_termination',
          { zh: '在形成期结束关系', en: 'the relationship ended in formation' },
          null,
        )
      : make(
          'early_termination',
          { zh: '在考察期结束关系', en: 'the relationship ended in exploration' },
          null,
        );
  }
  return make(
    'developing',
    { zh: '尚未到达稳定期，也未流失', en: 'not yet in stability and not churned' },
    null,
  );
}

/** The trajectory pattern of one customer's stage history (any order) as of `asOf`. */
export function classifyTrajectory(
  model: StageModel,
  history: readonly StageHistoryRow[],
  asOf: Date,
  settings: TrajectorySettings = DEFAULT_TRAJECTORY_SETTINGS,
): Trajectory {
  const all = classifyTrajectories(model, history, asOf, settings);
  if (all.length !== 1) {
    throw new InputError(
      `history: expected the rows of one customer up to ${asOf.toISOString()}, got ${all.length} customers`,
      { field: 'history', value: all.length },
    );
  }
  return all[0];
}

/** Trajectory patterns of every customer in the history rows, in customer id order. */
export function classifyTrajectories(
  model: StageModel,
  history: readonly StageHistoryRow[],
  asOf: Date,
  settings: TrajectorySettings = DEFAULT_TRAJECTORY_SETTINGS,
): Trajectory[] {
  checkSettings(settings);
  const roleOf = new Map(model.stages.map((s) => [s.code, s.role]));
  const by = historyByCustomer(model, history, asOf);
  return [...by.keys()]
    .sort()
    .map((id) =>
      classifyRows(roleOf, id, by.get(id) as StageHistoryRow[], asOf.getTime(), settings),
    );
}
