import { describe, expect, test } from 'vitest';
import {
  chineseHolidays,
  holidaysBetween,
  lunarToSolar,
  nextBirthday,
  nextLunarBirthday,
  parseLunarMonthDay,
  qingmingDay,
} from './calendar.js';

// Spring Festival, Qingming, Dragon Boat and Mid-Autumn as published in the State Council's
// holiday notices (国务院办公厅关于…部分节假日安排的通知) for 2020–2030.
const PUBLISHED: [number, string, string, string, string][] = [
  [2020, '2020-01-25', '2020-04-04', '2020-06-25', '2020-10-01'],
  [2021, '2021-02-12', '2021-04-04', '2021-06-14', '2021-09-21'],
  [2022, '2022-02-01', '2022-04-05', '2022-06-03', '2022-09-10'],
  [2023, '2023-01-22', '2023-04-05', '2023-06-22', '2023-09-29'],
  [2024, '2024-02-10', '2024-04-04', '2024-06-10', '2024-09-17'],
  [2025, '2025-01-29', '2025-04-04', '2025-05-31', '2025-10-06'],
  [2026, '2026-02-17', '2026-04-05', '2026-06-19', '2026-09-25'],
  [2027, '2027-02-06', '2027-04-05', '2027-06-09', '2027-09-15'],
  [2028, '2028-01-26', '2028-04-04', '2028-05-28', '2028-10-03'],
  [2029, '2029-02-13', '2029-04-04', '2029-06-16', '2029-09-22'],
  [2030, '2030-02-03', '2030-04-05', '2030-06-05', '2030-09-12'],
];

describe('Chinese holiday calendar (issue 9 §3)', () => {
  test.each(PUBLISHED)(
    '%i: Spring Festival, Qingming, Dragon Boat and Mid-Autumn as published',
    (year, sf, qm, db, ma) => {
      const byKey = new Map(chineseHolidays(year).map((h) => [h.key, h.date]));
      expect(byKey.get('spring-festival')).toBe(sf);
      expect(byKey.get('qingming')).toBe(qm);
      expect(byKey.get('dragon-boat')).toBe(db);
      expect(byKey.get('mid-autumn')).toBe(ma);
      expect(byKey.get('labour-day')).toBe(`${year}-05-01`);
      expect(byKey.get('national-day')).toBe(`${year}-10-01`);
    },
  );

  test('a leap month shifts later festivals: 2023 has a leap 2nd month, so 端午 is 22 June', () => {
    expect(lunarToSolar(2023, 2, 1, true)).toBe('2023-03-22');
    expect(lunarToSolar(2023, 5, 5)).toBe('2023-06-22');
    expect(() => lunarToSolar(2024, 2, 1, true)).toThrow(/no leap month 2/);
  });

  test('New Year’s Eve is the day before Spring Festival, across a month end', () => {
    const h = chineseHolidays(2022);
    expect(h.find((x) => x.key === 'new-years-eve')!.date).toBe('2022-01-31');
    expect(h.find((x) => x.key === 'new-years-eve')!.publicHoliday).toBe(false);
    expect(chineseHolidays(2025).find((x) => x.key === 'new-years-eve')!.publicHoliday).toBe(true);
  });

  test('years outside 2000–2049 are refused, naming the range', () => {
    expect(() => chineseHolidays(2050)).toThrow('the holiday calendar covers 2000–2049, got 2050');
    expect(() => qingmingDay(1999)).toThrow(/2000–2049/);
  });

  test('holidaysBetween crosses the year end and is in date order', () => {
    const h = holidaysBetween('2026-12-15', '2027-02-10');
    expect(h.map((x) => `${x.key} ${x.date}`)).toEqual([
      'new-year 2027-01-01',
      'new-years-eve 2027-02-05',
      'spring-festival 2027-02-06',
    ]);
  });

  test('next birthday: this year if not past, else next year; 29 Feb on 28 Feb in common years', () => {
    expect(nextBirthday('1990-12-20', '2026-12-01')).toBe('2026-12-20');
    expect(nextBirthday('1990-03-05', '2026-12-01')).toBe('2027-03-05');
    expect(nextBirthday('1992-02-29', '2026-12-01')).toBe('2027-02-28');
    expect(nextBirthday('1992-02-29', '2027-12-01')).toBe('2028-02-29');
    expect(nextBirthday('1990-12-01', '2026-12-01')).toBe('2026-12-01');
  });
});

describe('lunar birthdays', () => {
  const festival = (year: number, key: string) =>
    chineseHolidays(year).find((h) => h.key === key)?.date;

  test('written the ways people write them', () => {
    for (const text of ['8-15', '08/15', '8月15日', '农历八月十五', '八月十五', '闰八月十五']) {
      expect(parseLunarMonthDay(text), text).toEqual({ month: 8, day: 15 });
    }
    expect(parseLunarMonthDay('腊月初八')).toEqual({ month: 12, day: 8 });
    expect(parseLunarMonthDay('正月廿三')).toEqual({ month: 1, day: 23 });
    expect(parseLunarMonthDay('冬月三十')).toEqual({ month: 11, day: 30 });
    for (const bad of ['13-01', '八月卅五', '2026-09-25', 'soon', '']) {
      expect(parseLunarMonthDay(bad), bad).toBeNull();
    }
  });

  test('fall on the solar day of that lunar date, this lunar year or the next', () => {
    // 八月十五 is Mid-Autumn, 正月初一 Spring Festival (pinned to the State Council's dates)
    expect(nextLunarBirthday({ month: 8, day: 15 }, '2026-01-01')).toBe(
      festival(2026, 'mid-autumn'),
    );
    expect(
      nextLunarBirthday({ month: 8, day: 15 }, addDays(festival(2026, 'mid-autumn') as string, 1)),
    ).toBe(festival(2027, 'mid-autumn'));
    expect(nextLunarBirthday({ month: 1, day: 1 }, '2026-12-01')).toBe(
      festival(2027, 'spring-festival'),
    );
    // a 腊月 birthday in January belongs to the lunar year that began the February before
    const laba = nextLunarBirthday({ month: 12, day: 8 }, '2027-01-01') as string;
    expect(laba < (festival(2027, 'spring-festival') as string)).toBe(true);
    expect(laba >= '2027-01-01').toBe(true);
    // day 30 in a month of 29 days falls on day 29
    const d30 = nextLunarBirthday({ month: 1, day: 30 }, '2026-01-01') as string;
    const d29 = nextLunarBirthday({ month: 1, day: 29 }, '2026-01-01') as string;
    expect([d29, addDays(d29, 1)]).toContain(d30);
    expect(nextLunarBirthday({ month: 8, day: 15 }, '2050-01-01')).toBeNull();
  });
});

function addDays(iso: string, n: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
