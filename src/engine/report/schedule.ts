/**
 * The weekly report's schedule (issue 9 §5 "scheduled weekly report option in the server"):
 * which weekday and hour, in which time zone, in which languages, and how many weeks to keep.
 * Pure: given the schedule and an instant, `latestSlot` says which week's report is due.
 */
import { InputError } from '../../errors.js';
import { checkTimeZone, utcToWallClock, wallClockToUtc } from '../time-zone.js';
import type { ReportLang } from './html.js';

export interface ReportSchedule {
  enabled: boolean;
  /** ISO weekday: 1 Monday … 7 Sunday */
  weekday: number;
  /** local hour 0–23 */
  hour: number;
  /** IANA time zone of the business (weekday and hour are read there) */
  timeZone: string;
  langs: ReportLang[];
  /** reports kept per language (older ones are deleted) */
  keepWeeks: number;
}

export const DEFAULT_REPORT_SCHEDULE: Readonly<ReportSchedule> = Object.freeze({
  enabled: false,
  weekday: 1,
  hour: 8,
  timeZone: 'Asia/Shanghai',
  langs: ['zh-CN'] as ReportLang[],
  keepWeeks: 26,
});

function fail(field: string, value: unknown, why: string): never {
  throw new InputError(`${field} ${why}, got ${JSON.stringify(value)}`, {
    field,
    value,
  });
}

/** Validates a stored or submitted schedule (missing fields take the defaults). */
export function parseReportSchedule(input: unknown): ReportSchedule {
  if (input === null || input === undefined)
    return { ...DEFAULT_REPORT_SCHEDULE, langs: ['zh-CN'] };
  if (typeof input !== 'object' || Array.isArray(input)) {
    fail('schedule', input, 'must be an object');
  }
  const known = new Set(Object.keys(DEFAULT_REPORT_SCHEDULE));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) fail(key, (input as Record<string, unknown>)[key], 'is not a setting');
  }
  const s = { ...DEFAULT_REPORT_SCHEDULE, ...(input as Partial<ReportSchedule>) };
  if (typeof s.enabled !== 'boolean') fail('enabled', s.enabled, 'must be true or false');
  if (!Number.isInteger(s.weekday) || s.weekday < 1 || s.weekday > 7) {
    fail('weekday', s.weekday, 'must be 1 (Monday) to 7 (Sunday)');
  }
  if (!Number.isInteger(s.hour) || s.hour < 0 || s.hour > 23) {
    fail('hour', s.hour, 'must be a whole hour 0–23');
  }
  try {
    checkTimeZone(s.timeZone);
  } catch {
    fail('timeZone', s.timeZone, 'must be an IANA time zone such as Asia/Shanghai');
  }
  if (
    !Array.isArray(s.langs) ||
    s.langs.length === 0 ||
    s.langs.some((l) => l !== 'zh-CN' && l !== 'en') ||
    new Set(s.langs).size !== s.langs.length
  ) {
    fail('langs', s.langs, 'must list zh-CN and/or en');
  }
  if (!Number.isInteger(s.keepWeeks) || s.keepWeeks < 1 || s.keepWeeks > 520) {
    fail('keepWeeks', s.keepWeeks, 'must be a whole number of weeks 1–520');
  }
  return { ...s, langs: [...s.langs] };
}

/** ISO 8601 week of a calendar date: "2026-W49" (weeks start on Monday; week 1 holds a Thursday). */
export function isoWeek(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export interface ReportSlot {
  /** the ISO week the report belongs to, e.g. "2026-W49" */
  period: string;
  /** when it fell due */
  at: Date;
  /** the local calendar day of the slot, the report's as-of date (YYYY-MM-DD) */
  asOf: string;
}

/** The most recent slot at or before `now` (this week's if its hour has come, else last week's). */
export function latestSlot(schedule: ReportSchedule, now: Date): ReportSlot {
  // the wall clock in the business's zone, read with the UTC getters
  const wall = new Date(utcToWallClock(now.getTime(), schedule.timeZone));
  const today = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate());
  const weekday = wall.getUTCDay() || 7;
  let back = (weekday - schedule.weekday + 7) % 7;
  if (back === 0 && wall.getUTCHours() < schedule.hour) back = 7;
  const day = new Date(today - back * 86_400_000);
  return {
    period: isoWeek(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()),
    at: new Date(wallClockToUtc(day.getTime() + schedule.hour * 3_600_000, schedule.timeZone)),
    asOf: day.toISOString().slice(0, 10),
  };
}
