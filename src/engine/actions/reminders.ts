/**
 * What the task scheduler creates (issue 9 §3; SPEC §7 "Reminders and tasks"), as editable
 * settings with defaults, and the holiday reminders of a period.
 *
 * - holidays: a greeting task per customer of the listed tiers, `leadDays` before each holiday;
 * - birthdays: a greeting task per customer with a birthday, `leadDays` before (solar, or the
 *   lunar date of a customer with a lunar birthday: src/store/task-repo.ts `lunarBirthdays`);
 * - revisit cadence by tier (seed 003: the most valuable are visited most often): platinum
 *   monthly, gold quarterly, iron half-yearly, lead none — counted from the last outbound
 *   contact or completed task;
 * - complaint follow-up `complaintFollowUpDays` after a complaint with no outbound contact since;
 * - onboarding steps for customers in the exploration stage (seed 000: build trust early),
 *   each `days` after the first order.
 * A task's `source_key` names the occasion (e.g. `holiday:mid-autumn:2026`), so the scheduler
 * never creates the same reminder twice.
 */
import { InputError } from '../../errors.js';
import { HOLIDAY_KEYS, type HolidayKey, holidaysBetween } from './calendar.js';

export type TierName = 'platinum' | 'gold' | 'iron' | 'lead';
const TIERS: readonly TierName[] = ['platinum', 'gold', 'iron', 'lead'];

export interface OnboardingStep {
  readonly key: string;
  readonly days: number;
  readonly title: { readonly zh: string; readonly en: string };
}

export interface SchedulerSettings {
  /** tasks due from today to today + horizonDays are created */
  readonly horizonDays: number;
  readonly holidays: {
    readonly enabled: boolean;
    readonly leadDays: number;
    readonly tiers: readonly TierName[];
    readonly keys: readonly HolidayKey[];
  };
  readonly birthdays: { readonly enabled: boolean; readonly leadDays: number };
  /** days between visits per tier; null = no revisit task */
  readonly revisitDays: Readonly<Record<TierName, number | null>>;
  readonly complaintFollowUpDays: number | null;
  /** complaints older than this are not followed up by the scheduler */
  readonly complaintLookbackDays: number;
  readonly onboarding: readonly OnboardingStep[];
}

export const DEFAULT_SCHEDULER_SETTINGS: SchedulerSettings = Object.freeze({
  horizonDays: 30,
  holidays: Object.freeze({
    enabled: true,
    leadDays: 3,
    tiers: Object.freeze(['platinum', 'gold'] as TierName[]),
    keys: Object.freeze([
      'spring-festival',
      'qingming',
      'labour-day',
      'dragon-boat',
      'mid-autumn',
      'national-day',
    ] as HolidayKey[]),
  }),
  birthdays: Object.freeze({ enabled: true, leadDays: 1 }),
  revisitDays: Object.freeze({ platinum: 30, gold: 91, iron: 182, lead: null }),
  complaintFollowUpDays: 3,
  complaintLookbackDays: 30,
  onboarding: Object.freeze([
    {
      key: 'welcome',
      days: 1,
      title: { zh: '发送使用指南与服务承诺', en: 'Send the how-to guide and service promise' },
    },
    {
      key: 'check-in',
      days: 7,
      title: { zh: '首单回访，确认使用体验', en: 'Check in on the first order' },
    },
    {
      key: 'second-order',
      days: 30,
      title: { zh: '邀请第二次购买', en: 'Invite a second purchase' },
    },
  ]),
});

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, want: string, got: unknown): never {
  throw new InputError(`${path}: expected ${want}, got ${JSON.stringify(got)}`, {
    field: path,
    value: got,
  });
}

function days(v: unknown, path: string, max = 3650): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    fail(path, `a whole number of days 0–${max}`, v);
  return v;
}

/** Settings from stored JSON over the defaults (a missing field keeps its default). */
export function validateSchedulerSettings(input: unknown, path = 'scheduler'): SchedulerSettings {
  const d = DEFAULT_SCHEDULER_SETTINGS;
  if (input === null || input === undefined) return d;
  if (!isRecord(input)) fail(path, 'an object', input);
  const h = input.holidays ?? {};
  if (!isRecord(h)) fail(`${path}.holidays`, 'an object', h);
  const tiers = h.tiers ?? d.holidays.tiers;
  if (!Array.isArray(tiers) || tiers.some((t) => !TIERS.includes(t)))
    fail(`${path}.holidays.tiers`, `a list of ${TIERS.join(', ')}`, tiers);
  const keys = h.keys ?? d.holidays.keys;
  if (!Array.isArray(keys) || keys.some((k) => !HOLIDAY_KEYS.includes(k)))
    fail(`${path}.holidays.keys`, `a list of ${HOLIDAY_KEYS.join(', ')}`, keys);
  const b = input.birthdays ?? {};
  if (!isRecord(b)) fail(`${path}.birthdays`, 'an object', b);
  const r = input.revisitDays ?? {};
  if (!isRecord(r)) fail(`${path}.revisitDays`, 'an object keyed by tier', r);
  const revisitDays = Object.fromEntries(
    TIERS.map((t) => {
      const v = t in r ? r[t] : d.revisitDays[t];
      return [t, v === null ? null : days(v, `${path}.revisitDays.${t}`)];
    }),
  ) as Record<TierName, number | null>;
  const steps = input.onboarding ?? d.onboarding;
  if (!Array.isArray(steps)) fail(`${path}.onboarding`, 'a list of steps', steps);
  const onboarding = steps.map((s: unknown, i: number) => {
    const p = `${path}.onboarding.${i}`;
    if (!isRecord(s)) fail(p, 'a step {key, days, title}', s);
    if (typeof s.key !== 'string' || !/^[a-z0-9-]{1,40}$/.test(s.key))
      fail(`${p}.key`, 'a short key (a-z, 0-9, -)', s.key);
    const t = s.title;
    if (!isRecord(t) || typeof t.zh !== 'string' || typeof t.en !== 'string')
      fail(`${p}.title`, '{zh, en}', t);
    return { key: s.key, days: days(s.days, `${p}.days`), title: { zh: t.zh, en: t.en } };
  });
  const enabled = (v: unknown, def: boolean, p: string): boolean => {
    if (v === undefined) return def;
    if (typeof v !== 'boolean') fail(p, 'true or false', v);
    return v;
  };
  const cf = input.complaintFollowUpDays;
  return Object.freeze({
    horizonDays:
      input.horizonDays === undefined
        ? d.horizonDays
        : days(input.horizonDays, `${path}.horizonDays`, 366),
    holidays: Object.freeze({
      enabled: enabled(h.enabled, d.holidays.enabled, `${path}.holidays.enabled`),
      leadDays:
        h.leadDays === undefined
          ? d.holidays.leadDays
          : days(h.leadDays, `${path}.holidays.leadDays`, 60),
      tiers: Object.freeze([...tiers] as TierName[]),
      keys: Object.freeze([...keys] as HolidayKey[]),
    }),
    birthdays: Object.freeze({
      enabled: enabled(b.enabled, d.birthdays.enabled, `${path}.birthdays.enabled`),
      leadDays:
        b.leadDays === undefined
          ? d.birthdays.leadDays
          : days(b.leadDays, `${path}.birthdays.leadDays`, 60),
    }),
    revisitDays: Object.freeze(revisitDays),
    complaintFollowUpDays:
      cf === undefined
        ? d.complaintFollowUpDays
        : cf === null
          ? null
          : days(cf, `${path}.complaintFollowUpDays`, 365),
    complaintLookbackDays:
      input.complaintLookbackDays === undefined
        ? d.complaintLookbackDays
        : days(input.complaintLookbackDays, `${path}.complaintLookbackDays`),
    onboarding: Object.freeze(onboarding),
  });
}

const DAY_MS = 86_400_000;
const addDays = (iso: string, n: number): string =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

export interface HolidayReminder {
  readonly key: HolidayKey;
  readonly zh: string;
  readonly en: string;
  readonly date: string;
  /** the day the greeting task is due: leadDays before the holiday */
  readonly due: string;
  /** the occasion's idempotency key, e.g. holiday:mid-autumn:2026 */
  readonly sourceKey: string;
}

/**
 * Holiday greeting reminders due from `today` to `today + horizonDays` (YYYY-MM-DD), for
 * holidays from today on; one closer than `leadDays` is due today.
 */
export function holidayReminders(today: string, settings: SchedulerSettings): HolidayReminder[] {
  if (!settings.holidays.enabled) return [];
  const lead = settings.holidays.leadDays;
  const last = addDays(today, settings.horizonDays);
  return (
    holidaysBetween(today, addDays(last, lead))
      .filter((h) => settings.holidays.keys.includes(h.key))
      // a holiday closer than leadDays is still greeted: the task is due today
      .map((h) => {
        const due = addDays(h.date, -lead);
        return { ...h, due: due < today ? today : due };
      })
      .filter((h) => h.due <= last)
      .map((h) =>
        Object.freeze({
          key: h.key,
          zh: h.zh,
          en: h.en,
          date: h.date,
          due: h.due,
          sourceKey: `holiday:${h.key}:${h.date.slice(0, 4)}`,
        }),
      )
  );
}
