/**
 * The reminder calendar (SPEC §7 "birthdays and holidays"): Chinese public holidays and
 * traditional festivals dated per Gregorian year, and birthdays.
 *
 * Years covered: 2000–2049 (`CALENDAR_YEARS`); other years are refused.
 *
 * Lunar festivals (春节 Spring Festival 正月初一, 元宵 Lantern 正月十五, 端午 Dragon Boat 五月初五,
 * 七夕 Qixi 七月初七, 中秋 Mid-Autumn 八月十五, 重阳 Double Ninth 九月初九, 除夕 New Year's Eve = the
 * day before Spring Festival) are derived from a lunar month table: for each lunar year, which
 * of months 1–12 have 30 days (else 29), which month (if any) is followed by a leap month, and
 * whether that leap month has 30 days. Source: the Hong Kong Observatory's "Gregorian-Lunar
 * Calendar Conversion Table" (https://www.hko.gov.hk/en/gts/time/conversion.htm), in the
 * widely used 17-bit encoding per year (bits 15…4: months 1…12 long; bits 3…0: the leap month;
 * bit 16: the leap month is long). Day 0 is 2000-02-05, 正月初一 of lunar year 2000 (HKO table);
 * every later date is counted from it. Tests pin Spring Festival, Dragon Boat and Mid-Autumn of
 * 2020–2030 to the State Council's published holiday notices.
 *
 * 清明 Qingming is a solar term (the sun at ecliptic longitude 15°), not a lunar date: its day in
 * April is ⌊Y·0.2422 + 4.81⌋ − ⌊Y/4⌋ with Y the year's last two digits, the "寿星通式" for the
 * 21st century (C = 4.81 for 清明); it agrees with the astronomical dates for 2000–2099.
 *
 * Public holidays (法定节假日, 《全国年节及纪念日放假办法》): 元旦 New Year's Day (1 Jan), 春节,
 * 清明, 劳动节 Labour Day (1 May), 端午, 中秋, 国庆节 National Day (1 Oct); 除夕 is one since 2025.
 * The days off around them (调休) are announced each year by the State Council and are not
 * modelled: a reminder is for the festival day itself.
 */
import { InputError } from '../../errors.js';

export const CALENDAR_YEARS = Object.freeze({ first: 2000, last: 2049 });

// Lunar years 2000–2049 (HKO table, encoding above).
const LUNAR_INFO: readonly number[] = [
  0x0c960, 0x0d954, 0x0d4a0, 0x0da50, 0x07552, 0x056a0, 0x0abb7, 0x025d0, 0x092d0, 0x0cab5, 0x0a950,
  0x0b4a0, 0x0baa4, 0x0ad50, 0x055d9, 0x04ba0, 0x0a5b0, 0x15176, 0x052b0, 0x0a930, 0x07954, 0x06aa0,
  0x0ad50, 0x05b52, 0x04b60, 0x0a6e6, 0x0a4e0, 0x0d260, 0x0ea65, 0x0d530, 0x05aa0, 0x076a3, 0x096d0,
  0x04afb, 0x04ad0, 0x0a4d0, 0x1d0b6, 0x0d250, 0x0d520, 0x0dd45, 0x0b5a0, 0x056d0, 0x055b2, 0x049b0,
  0x0a577, 0x0a4b0, 0x0aa50, 0x1b255, 0x06d20, 0x0ada0,
];
const DAY_MS = 86_400_000;
/** 正月初一 of lunar year 2000 (HKO) */
const EPOCH = Date.UTC(2000, 1, 5);

const info = (year: number): number => LUNAR_INFO[year - CALENDAR_YEARS.first];
const leapMonth = (year: number): number => info(year) & 0xf;
const monthDays = (year: number, month: number): number =>
  info(year) & (0x10000 >> month) ? 30 : 29;
const leapDays = (year: number): number =>
  leapMonth(year) === 0 ? 0 : info(year) & 0x10000 ? 30 : 29;

function yearDays(year: number): number {
  let days = leapDays(year);
  for (let m = 1; m <= 12; m++) days += monthDays(year, m);
  return days;
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < CALENDAR_YEARS.first || year > CALENDAR_YEARS.last) {
    throw new InputError(
      `year: the holiday calendar covers ${CALENDAR_YEARS.first}–${CALENDAR_YEARS.last}, got ${year}`,
      { field: 'year', value: year },
    );
  }
}

const isoOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The Gregorian date (YYYY-MM-DD) of lunar `month`/`day` in lunar `year` (the leap month when
 * `leap`), 2000–2049.
 */
export function lunarToSolar(year: number, month: number, day: number, leap = false): string {
  checkYear(year);
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new InputError(`lunar month: expected 1–12, got ${month}`, {
      field: 'month',
      value: month,
    });
  }
  if (leap && leapMonth(year) !== month) {
    throw new InputError(`lunar year ${year} has no leap month ${month}`, {
      field: 'month',
      value: month,
    });
  }
  const length = leap ? leapDays(year) : monthDays(year, month);
  if (!Number.isInteger(day) || day < 1 || day > length) {
    throw new InputError(`lunar day: month ${month} of ${year} has ${length} days, got ${day}`, {
      field: 'day',
      value: day,
    });
  }
  let offset = 0;
  for (let y = CALENDAR_YEARS.first; y < year; y++) offset += yearDays(y);
  for (let m = 1; m < month; m++) {
    offset += monthDays(year, m);
    if (leapMonth(year) === m) offset += leapDays(year);
  }
  if (leap) offset += monthDays(year, month);
  return isoOf(EPOCH + (offset + day - 1) * DAY_MS);
}

/** 清明: the April day by the 寿星通式 (C = 4.81, 21st century). */
export function qingmingDay(year: number): string {
  checkYear(year);
  const Y = year % 100;
  const day = Math.floor(Y * 0.2422 + 4.81) - Math.floor(Y / 4);
  return `${year}-04-${String(day).padStart(2, '0')}`;
}

export type HolidayKey =
  | 'new-year'
  | 'new-years-eve'
  | 'spring-festival'
  | 'lantern'
  | 'qingming'
  | 'labour-day'
  | 'dragon-boat'
  | 'qixi'
  | 'mid-autumn'
  | 'national-day'
  | 'double-ninth';

export const HOLIDAY_KEYS: readonly HolidayKey[] = Object.freeze([
  'new-year',
  'new-years-eve',
  'spring-festival',
  'lantern',
  'qingming',
  'labour-day',
  'dragon-boat',
  'qixi',
  'mid-autumn',
  'national-day',
  'double-ninth',
]);

export interface Holiday {
  readonly key: HolidayKey;
  readonly zh: string;
  readonly en: string;
  /** YYYY-MM-DD */
  readonly date: string;
  /** a statutory public holiday, or a traditional festival only */
  readonly publicHoliday: boolean;
}

/** Every holiday and festival of a Gregorian year, in date order. */
export function chineseHolidays(year: number): Holiday[] {
  checkYear(year);
  const springFestival = lunarToSolar(year, 1, 1);
  const eve = isoOf(Date.parse(`${springFestival}T00:00:00Z`) - DAY_MS);
  const list: Holiday[] = [
    {
      key: 'new-year',
      zh: '元旦',
      en: "New Year's Day",
      date: `${year}-01-01`,
      publicHoliday: true,
    },
    {
      key: 'new-years-eve',
      zh: '除夕',
      en: "Chinese New Year's Eve",
      date: eve,
      publicHoliday: year >= 2025,
    },
    {
      key: 'spring-festival',
      zh: '春节',
      en: 'Spring Festival',
      date: springFestival,
      publicHoliday: true,
    },
    {
      key: 'lantern',
      zh: '元宵节',
      en: 'Lantern Festival',
      date: lunarToSolar(year, 1, 15),
      publicHoliday: false,
    },
    {
      key: 'qingming',
      zh: '清明节',
      en: 'Qingming Festival',
      date: qingmingDay(year),
      publicHoliday: year >= 2008,
    },
    {
      key: 'labour-day',
      zh: '劳动节',
      en: 'Labour Day',
      date: `${year}-05-01`,
      publicHoliday: true,
    },
    {
      key: 'dragon-boat',
      zh: '端午节',
      en: 'Dragon Boat Festival',
      date: lunarToSolar(year, 5, 5),
      publicHoliday: year >= 2008,
    },
    {
      key: 'qixi',
      zh: '七夕',
      en: 'Qixi Festival',
      date: lunarToSolar(year, 7, 7),
      publicHoliday: false,
    },
    {
      key: 'mid-autumn',
      zh: '中秋节',
      en: 'Mid-Autumn Festival',
      date: lunarToSolar(year, 8, 15),
      publicHoliday: year >= 2008,
    },
    {
      key: 'national-day',
      zh: '国庆节',
      en: 'National Day',
      date: `${year}-10-01`,
      publicHoliday: true,
    },
    {
      key: 'double-ninth',
      zh: '重阳节',
      en: 'Double Ninth Festival',
      date: lunarToSolar(year, 9, 9),
      publicHoliday: false,
    },
  ];
  return list
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
    .map((h) => Object.freeze(h));
}

/** Holidays dated from `from` to `to` inclusive (YYYY-MM-DD), across year ends. */
export function holidaysBetween(from: string, to: string): Holiday[] {
  const y0 = Number(from.slice(0, 4));
  const y1 = Number(to.slice(0, 4));
  const out: Holiday[] = [];
  for (let y = y0; y <= y1; y++) {
    for (const h of chineseHolidays(y)) if (h.date >= from && h.date <= to) out.push(h);
  }
  return out;
}

/**
 * The next occurrence of a birthday (YYYY-MM-DD, any birth year) on or after `from`
 * (YYYY-MM-DD); 29 February falls on 28 February in common years.
 */
export function nextBirthday(birthday: string, from: string): string {
  const month = Number(birthday.slice(5, 7));
  const day = Number(birthday.slice(8, 10));
  const at = (year: number): string => {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const d = month === 2 && day === 29 && !leap ? 28 : day;
    return `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  };
  const year = Number(from.slice(0, 4));
  const thisYear = at(year);
  return thisYear >= from ? thisYear : at(year + 1);
}

// ---- lunar birthdays (农历生日) ----

const LUNAR_MONTH_NAMES: Readonly<Record<string, number>> = {
  正: 1,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
  十: 10,
  十一: 11,
  冬: 11,
  十二: 12,
  腊: 12,
  臘: 12,
};
const DIGITS: Readonly<Record<string, number>> = {
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 初一…初十, 十一…十九, 二十, 廿一…廿九, 三十 → 1…30 (null if not a lunar day name). */
function lunarDayOf(name: string): number | null {
  if (name.startsWith('初')) {
    const rest = name.slice(1);
    return rest === '十' ? 10 : (DIGITS[rest] ?? null);
  }
  if (name === '二十') return 20;
  if (name === '三十') return 30;
  if (name.length === 2 && name[0] === '十') return DIGITS[name[1]] ? 10 + DIGITS[name[1]] : null;
  if (name.length === 2 && (name[0] === '廿' || name[0] === '念')) {
    return DIGITS[name[1]] ? 20 + DIGITS[name[1]] : null;
  }
  return null;
}

/**
 * A lunar birthday as people write it — "8-15", "08/15", "8月15日", "农历八月十五", "腊月初八",
 * "闰四月初二" (a leap-month birthday is kept in the ordinary month, as it is usually
 * celebrated) — as lunar month and day; null when it is none of these.
 */
export function parseLunarMonthDay(text: string): { month: number; day: number } | null {
  const t = text
    .trim()
    .replace(/^(农历|農曆|阴历|陰曆)/, '')
    .replace(/^闰|^閏/, '');
  let month: number | null = null;
  let day: number | null = null;
  const digits = /^(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$/.exec(t);
  if (digits) {
    month = Number(digits[1]);
    day = Number(digits[2]);
  } else {
    const named = /^(.{1,2})月(.{2})$/.exec(t);
    if (named) {
      month = LUNAR_MONTH_NAMES[named[1]] ?? null;
      day = lunarDayOf(named[2]);
    }
  }
  if (month === null || day === null || month < 1 || month > 12 || day < 1 || day > 30) return null;
  return { month, day };
}

/**
 * The next solar date on or after `from` (YYYY-MM-DD) of a lunar birthday: the lunar month and
 * day in the lunar year that has it next; day 30 of a month with 29 days that year falls on
 * day 29. Null outside the calendar's years.
 */
export function nextLunarBirthday(
  lunar: { month: number; day: number },
  from: string,
): string | null {
  const year = Number(from.slice(0, 4));
  // the lunar year starting in the previous Gregorian year still runs in January/February
  for (const y of [year - 1, year, year + 1]) {
    if (y < CALENDAR_YEARS.first || y > CALENDAR_YEARS.last) continue;
    const date = lunarToSolar(y, lunar.month, Math.min(lunar.day, monthDays(y, lunar.month)));
    if (date >= from) return date;
  }
  return null;
}
