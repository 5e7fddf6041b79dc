import { describe, expect, test } from 'vitest';
import {
  parseBoolean,
  parseCalendarDate,
  parseDirection,
  parseEmails,
  parseGender,
  parseInstant,
  parseInteractionType,
  parseMoney,
  parseNumber,
  parsePhones,
  parseSatisfaction,
  parseStatus,
} from './values.js';

describe('dates and times', () => {
  test.each([
    {
      title: 'ISO date is midnight in Shanghai',
      input: '2024-01-31',
      expected: '2024-01-30T16:00:00.000Z',
    },
    {
      title: 'ISO date-time with T',
      input: '2024-01-31T13:05:07',
      expected: '2024-01-31T05:05:07.000Z',
    },
    {
      title: 'ISO date-time with a space',
      input: '2024-01-31 13:05',
      expected: '2024-01-31T05:05:00.000Z',
    },
    {
      title: 'ISO with Z is taken as UTC',
      input: '2024-01-31T13:05:07Z',
      expected: '2024-01-31T13:05:07.000Z',
    },
    {
      title: 'ISO with an offset',
      input: '2024-01-31T13:05:07+09:00',
      expected: '2024-01-31T04:05:07.000Z',
    },
    {
      title: 'ISO with a compact offset',
      input: '2024-01-31T13:05:07-0500',
      expected: '2024-01-31T18:05:07.000Z',
    },
    {
      title: 'ISO with milliseconds',
      input: '2024-01-31T13:05:07.250Z',
      expected: '2024-01-31T13:05:07.250Z',
    },
    { title: 'slashes without padding', input: '2024/1/31', expected: '2024-01-30T16:00:00.000Z' },
    {
      title: 'slashes with a time',
      input: '2024/1/31 9:05:30',
      expected: '2024-01-31T01:05:30.000Z',
    },
    {
      title: 'dashes without padding, with a time',
      input: '2024-1-31 13:05',
      expected: '2024-01-31T05:05:00.000Z',
    },
    { title: 'Chinese date', input: '2024年1月31日', expected: '2024-01-30T16:00:00.000Z' },
    {
      title: 'Chinese date with a time',
      input: '2024年1月31日 13:05',
      expected: '2024-01-31T05:05:00.000Z',
    },
    {
      title: 'Chinese date with 时分',
      input: '2024年1月31日13时5分',
      expected: '2024-01-31T05:05:00.000Z',
    },
    { title: 'compact digits', input: '20240131', expected: '2024-01-30T16:00:00.000Z' },
    {
      title: 'compact digits with a time',
      input: '20240131130507',
      expected: '2024-01-31T05:05:07.000Z',
    },
    {
      title: 'full-width digits',
      input: '２０２４-０１-３１',
      expected: '2024-01-30T16:00:00.000Z',
    },
    { title: 'Excel serial number as text', input: '45322', expected: '2024-01-30T16:00:00.000Z' },
    {
      title: 'Excel serial number with a time of day',
      input: 45322.5,
      expected: '2024-01-31T04:00:00.000Z',
    },
    { title: 'leap day', input: '2024-02-29', expected: '2024-02-28T16:00:00.000Z' },
    {
      title: 'XLSX date cell is wall-clock time in Shanghai',
      input: new Date(Date.UTC(2024, 0, 31, 13, 5)),
      expected: '2024-01-31T05:05:00.000Z',
    },
  ])('$title: $input', ({ input, expected }) => {
    expect(parseInstant(input)).toEqual({ ok: true, value: new Date(expected) });
  });

  test.each([
    {
      title: 'New York in winter is UTC−5',
      zone: 'America/New_York',
      input: '2024-01-31 13:05',
      expected: '2024-01-31T18:05:00.000Z',
    },
    {
      title: 'New York in summer is UTC−4',
      zone: 'America/New_York',
      input: '2024-07-01 13:05',
      expected: '2024-07-01T17:05:00.000Z',
    },
    { title: 'UTC', zone: 'UTC', input: '2024-01-31', expected: '2024-01-31T00:00:00.000Z' },
  ])(
    'the time zone option applies to times without a zone: $title',
    ({ zone, input, expected }) => {
      expect(parseInstant(input, zone)).toEqual({ ok: true, value: new Date(expected) });
    },
  );

  test.each([
    { title: 'February 30th', input: '2024-02-30' },
    { title: 'month 13', input: '2024/13/1' },
    { title: 'hour 25', input: '2024-01-31 25:00' },
    { title: 'words', input: 'yesterday' },
    { title: 'a year alone', input: '2024' },
    { title: 'day first', input: '31/01/2024' },
    { title: 'not a leap year', input: '2023-02-29' },
  ])('rejects $title with the expected forms', ({ input }) => {
    expect(parseInstant(input)).toEqual({
      ok: false,
      reason: `expected a date such as 2024-01-31, 2024/1/31 13:05 or 2024年1月31日, got ${JSON.stringify(input)}`,
    });
  });

  test.each([
    { input: '1990-05-17', expected: '1990-05-17' },
    { input: '1990/5/7', expected: '1990-05-07' },
    { input: '1990年5月7日', expected: '1990-05-07' },
    { input: '19900507', expected: '1990-05-07' },
    { input: new Date(Date.UTC(1990, 4, 7)), expected: '1990-05-07' },
  ])('birthday $input is the calendar date $expected', ({ input, expected }) => {
    expect(parseCalendarDate(input)).toEqual({ ok: true, value: expected });
  });
});

describe('money to minor units', () => {
  test.each([
    { input: '12.30', minor: 1230, currency: null },
    { input: '12.3', minor: 1230, currency: null },
    { input: '12', minor: 1200, currency: null },
    { input: '0.07', minor: 7, currency: null },
    { input: '.5', minor: 50, currency: null },
    { input: '-12.30', minor: -1230, currency: null },
    { input: '(12.30)', minor: -1230, currency: null },
    { input: '¥1,234.56', minor: 123456, currency: 'CNY' },
    { input: '￥1,234.56', minor: 123456, currency: 'CNY' },
    { input: '$12.00', minor: 1200, currency: 'USD' },
    { input: '-$12.00', minor: -1200, currency: 'USD' },
    { input: '(¥1,000)', minor: -100000, currency: 'CNY' },
    { input: '1,234,567.89元', minor: 123456789, currency: 'CNY' },
    { input: ' 88 元 ', minor: 8800, currency: 'CNY' },
    { input: 'RMB 99.90', minor: 9990, currency: 'CNY' },
    { input: '１２.５０', minor: 1250, currency: null },
    { input: '12.300', minor: 1230, currency: null },
    { input: '0.1', minor: 10, currency: null },
    { input: '1234567890123.45', minor: 123456789012345, currency: null },
    { input: 12.3, minor: 1230, currency: null },
    { input: 35.699999999999996, minor: 3570, currency: null },
    { input: -0.29, minor: -29, currency: null },
  ])('$input is $minor minor units', ({ input, minor, currency }) => {
    expect(parseMoney(input)).toEqual({ ok: true, value: { minor, currency } });
  });

  test.each([
    { input: '12,3x', reason: 'expected a number, got "12,3x"' },
    { input: '12,30', reason: 'expected a number, got "12,30"' },
    { input: 'abc', reason: 'expected a number, got "abc"' },
    { input: '1.2.3', reason: 'expected a number, got "1.2.3"' },
    { input: '--5', reason: 'expected a number, got "--5"' },
    { input: '12.345', reason: 'expected at most 2 decimal places, got "12.345"' },
    { input: 12.345, reason: 'expected at most 2 decimal places, got 12.345' },
    { input: '99999999999999999', reason: 'amount is too large: "99999999999999999"' },
  ])('rejects $input', ({ input, reason }) => {
    expect(parseMoney(input)).toEqual({ ok: false, reason });
  });
});

describe('numbers', () => {
  test.each([
    { input: '3', expected: 3 },
    { input: '1.5', expected: 1.5 },
    { input: '1,000', expected: 1000 },
    { input: 7, expected: 7 },
  ])('quantity $input is $expected', ({ input, expected }) => {
    expect(parseNumber(input)).toEqual({ ok: true, value: expected });
  });

  test('a quantity with letters is refused', () => {
    expect(parseNumber('3件')).toEqual({ ok: false, reason: 'expected a number, got "3件"' });
  });

  test.each([
    { input: '5', expected: 5 },
    { input: '满意', expected: 4 },
    { input: '非常不满意', expected: 1 },
  ])('satisfaction $input is $expected', ({ input, expected }) => {
    expect(parseSatisfaction(input)).toEqual({ ok: true, value: expected });
  });

  test('satisfaction 6 is out of range', () => {
    expect(parseSatisfaction('6')).toEqual({
      ok: false,
      reason: 'expected a satisfaction score from 1 to 5, got "6"',
    });
  });
});

describe('vocabularies', () => {
  test.each([
    { input: '男', expected: 'male' },
    { input: '女', expected: 'female' },
    { input: 'M', expected: 'male' },
    { input: 'f', expected: 'female' },
    { input: 'Male', expected: 'male' },
    { input: 'FEMALE', expected: 'female' },
    { input: '1', expected: 'male' },
    { input: 2, expected: 'female' },
    { input: '男性', expected: 'male' },
    { input: '女士', expected: 'female' },
    { input: '其他', expected: 'other' },
    { input: '未知', expected: null },
    { input: '保密', expected: null },
  ])('gender $input is $expected', ({ input, expected }) => {
    expect(parseGender(input)).toEqual({ ok: true, value: expected });
  });

  test('an unknown gender word is refused with the accepted forms', () => {
    expect(parseGender('X')).toEqual({
      ok: false,
      reason: 'expected a gender (男/女, M/F, male/female, 1/2), got "X"',
    });
  });

  test.each([
    { input: '电话', expected: 'call' },
    { input: '拜访', expected: 'visit' },
    { input: '投诉', expected: 'complaint' },
    { input: '短信', expected: 'sms' },
    { input: '邮件', expected: 'email' },
    { input: '服务', expected: 'service' },
    { input: '调查', expected: 'survey' },
    { input: '问卷', expected: 'survey' },
    { input: '推荐', expected: 'referral' },
    { input: 'Call', expected: 'call' },
    { input: 'e-mail', expected: 'email' },
  ])('interaction type $input is $expected', ({ input, expected }) => {
    expect(parseInteractionType(input)).toEqual({ ok: true, value: expected });
  });

  test('an unknown interaction type is refused', () => {
    const r = parseInteractionType('聊天');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/^expected an interaction type .* got "聊天"$/);
  });

  test.each([
    { input: '完成', expected: 'completed' },
    { input: '已完成', expected: 'completed' },
    { input: '交易成功', expected: 'completed' },
    { input: 'paid', expected: 'completed' },
    { input: '退款', expected: 'refunded' },
    { input: '已退款', expected: 'refunded' },
    { input: 'Refunded', expected: 'refunded' },
    { input: '取消', expected: 'cancelled' },
    { input: '已取消', expected: 'cancelled' },
    { input: 'canceled', expected: 'cancelled' },
    { input: '交易关闭', expected: 'cancelled' },
    { input: '卖家已发货，等待买家确认', expected: 'completed' },
  ])('status $input is $expected', ({ input, expected }) => {
    expect(parseStatus(input)).toEqual({ ok: true, value: expected });
  });

  test.each([
    { input: '呼入', expected: 'inbound' },
    { input: 'outbound', expected: 'outbound' },
  ])('direction $input is $expected', ({ input, expected }) => {
    expect(parseDirection(input)).toEqual({ ok: true, value: expected });
  });

  test.each([
    { input: '是', expected: true },
    { input: '否', expected: false },
    { input: 'Yes', expected: true },
    { input: '0', expected: false },
    { input: true, expected: true },
    { input: '同意', expected: true },
  ])('boolean $input is $expected', ({ input, expected }) => {
    expect(parseBoolean(input)).toEqual({ ok: true, value: expected });
  });
});

describe('contact details', () => {
  test.each([
    { title: 'a mobile stays 11 digits', input: '13800138000', expected: ['13800138000'] },
    { title: '+86 and spaces are dropped', input: '+86 138 0013 8000', expected: ['13800138000'] },
    { title: 'dashes are dropped', input: '138-0013-8000', expected: ['13800138000'] },
    { title: 'a number cell', input: 13800138000, expected: ['13800138000'] },
    {
      title: 'several, separated by ; / ,',
      input: '13800138000; 13900139000/010-12345678, 021 5555 6666',
      expected: ['13800138000', '13900139000', '010-12345678', '021 5555 6666'],
    },
    {
      title: 'full-width separators',
      input: '13800138000，13900139000',
      expected: ['13800138000', '13900139000'],
    },
    { title: 'blank is none', input: '  ', expected: [] },
  ])('phones: $title', ({ input, expected }) => {
    expect(parsePhones(input)).toEqual({ ok: true, value: expected });
  });

  test('a phone with letters is refused', () => {
    expect(parsePhones('13800138000;call me')).toEqual({
      ok: false,
      reason: 'expected a phone number, got "call me"',
    });
  });

  test('emails are split and their domains lower-cased', () => {
    expect(parseEmails('Li.Lei@Example.COM; han@qq.com')).toEqual({
      ok: true,
      value: ['Li.Lei@example.com', 'han@qq.com'],
    });
  });

  test('an address without @ is refused', () => {
    expect(parseEmails('li.lei.example.com')).toEqual({
      ok: false,
      reason: 'expected an email address, got "li.lei.example.com"',
    });
  });
});
