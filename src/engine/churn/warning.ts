/**
 * Warning levels (预警阈值, SPEC §6) and the alert episode (issue 6 §4).
 *
 * Levels: 红 red > 橙 orange > 黄 yellow > none, by the churn probability or by the expected
 * value at risk (probability × CLV), with configurable thresholds. Customers silent for longer
 * than `lostAfterDays` are already lost, not at risk: they get no level (win-back is another play).
 *
 * An episode begins when a customer enters a level from none. An alert is raised at entry and
 * again only when the level climbs above the highest level already alerted in the episode, so a
 * level that holds, or falls and comes back, raises nothing new. The episode ends by what
 * happened: 'retained' when the customer buys after the episode's first alert; 'lost' when the
 * window passes after that alert without a purchase; 'cleared' when the level falls back to none
 * without either. A new episode may start at the same evaluation.
 */
import { InputError } from '../../errors.js';
import type { ChurnFacts } from './features.js';

export type WarningLevel = 'red' | 'orange' | 'yellow';

export const WARNING_LEVELS: readonly WarningLevel[] = Object.freeze(['yellow', 'orange', 'red']);

export const WARNING_NAMES: Readonly<Record<WarningLevel, { zh: string; en: string }>> =
  Object.freeze({
    red: { zh: '红色预警', en: 'red' },
    orange: { zh: '橙色预警', en: 'orange' },
    yellow: { zh: '黄色预警', en: 'yellow' },
  });

export type WarningSettings =
  | {
      readonly kind: 'probability';
      readonly red: number;
      readonly orange: number;
      readonly yellow: number;
      readonly lostAfterDays: number;
    }
  | {
      readonly kind: 'value';
      /** value at risk thresholds, minor units */
      readonly redMinor: number;
      readonly orangeMinor: number;
      readonly yellowMinor: number;
      readonly lostAfterDays: number;
    };

export const DEFAULT_WARNING_SETTINGS: WarningSettings = Object.freeze({
  kind: 'probability',
  // calibrated probabilities of no purchase in the window; where most customers buy less often
  // than the window (the demo: 74 % base rate) lower levels would flag a third of the base
  red: 0.9,
  orange: 0.8,
  yellow: 0.7,
  // a retail customer silent for half a year is lapsed: win-back, not early warning
  lostAfterDays: 180,
});

/** Days an owner gets to act on an alert, by level. */
export const TASK_DUE_DAYS: Readonly<Record<WarningLevel, number>> = Object.freeze({
  red: 2,
  orange: 5,
  yellow: 10,
});

export function levelRank(level: WarningLevel | null): number {
  return level === null ? 0 : WARNING_LEVELS.indexOf(level) + 1;
}

/** Checks thresholds are ordered red ≥ orange ≥ yellow and in range; throws InputError. */
export function validateWarningSettings(s: WarningSettings): WarningSettings {
  const bad = (field: string, why: string): never => {
    throw new InputError(`warning thresholds ${field}: ${why}`, { field });
  };
  if (!(s.lostAfterDays > 0)) bad('lostAfterDays', 'expected a number of days > 0');
  if (s.kind === 'probability') {
    for (const k of ['red', 'orange', 'yellow'] as const) {
      if (!(s[k] > 0 && s[k] < 1)) bad(k, `expected a probability between 0 and 1, got ${s[k]}`);
    }
    if (!(s.red >= s.orange && s.orange >= s.yellow)) bad('red', 'expected red ≥ orange ≥ yellow');
  } else {
    for (const k of ['redMinor', 'orangeMinor', 'yellowMinor'] as const) {
      if (!(s[k] > 0)) bad(k, `expected an amount > 0, got ${s[k]}`);
    }
    if (!(s.redMinor >= s.orangeMinor && s.orangeMinor >= s.yellowMinor)) {
      bad('redMinor', 'expected red ≥ orange ≥ yellow');
    }
  }
  return s;
}

/** The warning level of one customer. */
export function warningLevel(
  s: WarningSettings,
  risk: number,
  clvMinor: number | null,
  recencyDays: number,
): WarningLevel | null {
  if (!Number.isFinite(risk) || recencyDays > s.lostAfterDays) return null;
  if (s.kind === 'probability') {
    if (risk >= s.red) return 'red';
    if (risk >= s.orange) return 'orange';
    if (risk >= s.yellow) return 'yellow';
    return null;
  }
  const atRisk = risk * Math.max(0, clvMinor ?? 0);
  if (atRisk >= s.redMinor) return 'red';
  if (atRisk >= s.orangeMinor) return 'orange';
  if (atRisk >= s.yellowMinor) return 'yellow';
  return null;
}

/**
 * The warning level of a customer from their facts: none for a customer already gone — silent
 * longer than `lostAfterDays`, or whose plans have all ended (a cancelled subscriber has churned;
 * win-back is another play).
 */
export function customerWarningLevel(
  s: WarningSettings,
  risk: number,
  clvMinor: number | null,
  facts: ChurnFacts,
): WarningLevel | null {
  if (facts.subscriptionMonths > 0 && !facts.subscriptionActive) return null;
  return warningLevel(s, risk, clvMinor, facts.recencyDays);
}

export type EpisodeOutcome = 'retained' | 'lost' | 'cleared';

/**
 * Where a customer's alerts stand: an open episode, or the last episode ended lost (no new
 * episode from the same silence until the customer buys again), or nothing.
 */
export type EpisodeState =
  | {
      readonly kind: 'open';
      /** day number (UTC days since 1970-01-01) of the episode's first alert */
      readonly startedDay: number;
      /** highest level alerted in the episode */
      readonly maxLevel: WarningLevel;
    }
  | { readonly kind: 'lost'; readonly startedDay: number };

export interface EpisodeObservation {
  /** the evaluation day (UTC day number) */
  readonly day: number;
  readonly level: WarningLevel | null;
  /** UTC day number of the last completed purchase up to the evaluation day, or null */
  readonly lastPurchaseDay: number | null;
  /** the churn window in days: an alert unanswered this long is lost */
  readonly windowDays: number;
}

export type EpisodeEvent =
  | { readonly kind: 'resolve'; readonly outcome: EpisodeOutcome; readonly day: number }
  | { readonly kind: 'raise'; readonly level: WarningLevel; readonly newEpisode: boolean };

/** One evaluation of the alert state machine: what to record, and the state after it. */
export function stepEpisode(
  state: EpisodeState | null,
  obs: EpisodeObservation,
): { state: EpisodeState | null; events: EpisodeEvent[] } {
  const events: EpisodeEvent[] = [];
  let cur = state;
  const boughtSince = (day: number) => obs.lastPurchaseDay !== null && obs.lastPurchaseDay >= day;
  if (cur?.kind === 'open') {
    if (boughtSince(cur.startedDay)) {
      events.push({ kind: 'resolve', outcome: 'retained', day: obs.lastPurchaseDay as number });
      cur = null;
    } else if (obs.day >= cur.startedDay + obs.windowDays) {
      events.push({ kind: 'resolve', outcome: 'lost', day: cur.startedDay + obs.windowDays });
      cur = { kind: 'lost', startedDay: cur.startedDay };
    } else if (obs.level === null) {
      events.push({ kind: 'resolve', outcome: 'cleared', day: obs.day });
      cur = null;
    }
  } else if (cur?.kind === 'lost' && boughtSince(cur.startedDay)) {
    // Won back after the loss: a later slip is a new episode.
    cur = null;
  }
  if (obs.level !== null && cur?.kind !== 'lost') {
    if (!cur) {
      events.push({ kind: 'raise', level: obs.level, newEpisode: true });
      cur = { kind: 'open', startedDay: obs.day, maxLevel: obs.level };
    } else if (levelRank(obs.level) > levelRank(cur.maxLevel)) {
      events.push({ kind: 'raise', level: obs.level, newEpisode: false });
      cur = { kind: 'open', startedDay: cur.startedDay, maxLevel: obs.level };
    }
  }
  return { state: cur, events };
}
