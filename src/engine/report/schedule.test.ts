import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { isoWeek, latestSlot, parseReportSchedule } from './schedule.js';

const MONDAY_8_SHANGHAI = parseReportSchedule({ enabled: true, weekday: 1, hour: 8 });

describe('weekly report schedule', () => {
  test('ISO 8601 weeks, including years whose first days belong to the year before', () => {
    expect(isoWeek(2026, 12, 1)).toBe('2026-W49');
    expect(isoWeek(2021, 1, 3)).toBe('2020-W53');
    expect(isoWeek(2024, 12, 30)).toBe('2025-W01');
    expect(isoWeek(2026, 1, 1)).toBe('2026-W01');
  });

  test('the latest Monday 08:00 in Shanghai, read in Shanghai time', () => {
    // Wednesday 03:26 in Shanghai → Monday 30 November 08:00 CST = 00:00 UTC
    expect(latestSlot(MONDAY_8_SHANGHAI, new Date('2026-12-01T19:26:00Z'))).toEqual({
      period: '2026-W49',
      at: new Date('2026-11-30T00:00:00Z'),
      asOf: '2026-11-30',
    });
    // exactly at the slot: that slot
    expect(latestSlot(MONDAY_8_SHANGHAI, new Date('2026-11-30T00:00:00Z')).period).toBe('2026-W49');
    // Monday 07:59 in Shanghai (Sunday 23:59 UTC): still last week's
    expect(latestSlot(MONDAY_8_SHANGHAI, new Date('2026-11-29T23:59:00Z'))).toMatchObject({
      period: '2026-W48',
      asOf: '2026-11-23',
    });
  });

  test('a time zone with daylight saving: the slot is 08:00 on the wall clock either side of the change', () => {
    const sunday = parseReportSchedule({
      enabled: true,
      weekday: 7,
      hour: 8,
      timeZone: 'America/New_York',
    });
    // 8 March 2026: clocks go forward at 02:00; 08:00 EDT is 12:00 UTC (the week before: 13:00)
    expect(latestSlot(sunday, new Date('2026-03-08T15:00:00Z')).at).toEqual(
      new Date('2026-03-08T12:00:00Z'),
    );
    expect(latestSlot(sunday, new Date('2026-03-08T11:00:00Z')).at).toEqual(
      new Date('2026-03-01T13:00:00Z'),
    );
  });

  test('bad settings are refused with the field and value', () => {
    expect(() => parseReportSchedule({ weekday: 0 })).toThrow(InputError);
    expect(() => parseReportSchedule({ weekday: 0 })).toThrow(/weekday must be 1 \(Monday\) to 7/);
    expect(() => parseReportSchedule({ timeZone: 'Mars/Olympus' })).toThrow(/timeZone/);
    expect(() => parseReportSchedule({ langs: ['fr'] })).toThrow(/langs/);
    expect(() => parseReportSchedule({ colour: 'red' })).toThrow(/colour is not a setting/);
    expect(parseReportSchedule(null)).toMatchObject({ enabled: false, timeZone: 'Asia/Shanghai' });
  });
});
