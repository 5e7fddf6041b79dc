/**
 * Parsers for the values a cell can hold: instants, calendar dates, money, numbers, and the
 * closed vocabularies of the records (gender, interaction type, status, direction, booleans).
 *
 * Every parser takes what a reader gives (a CSV string, an XLSX cell's string, number, boolean
 * or Date, a JSON value) and returns `{ok: true, value}` or `{ok: false, reason}`; the reason is
 * written for a person and quotes the value: `expected a number, got "12,3x"`.
 *
 * Time zone rule: a date or date-time written without a zone (`2024-01-31 13:05`, `2024年1月31日`,
 * an Excel serial number or an XLSX date cell) is wall-clock time in the import's time zone,
 * `Asia/Shanghai` unless the caller passes another IANA zone. A value with `Z` or an offset
 * (`+08:00`, `+0800`) is taken as written.
 */
import type { Direction, Gender, InteractionType, TransactionStatus } from '../engine/records.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** A cell as readers give it; `null` is an empty cell. */
export type CellValue = string | number | boolean | Date | null | undefined | object;

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function fail<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}

/** How a value is quoted in a reason: strings in double quotes (JSON style), others as JSON. */
export function showValue(value: CellValue): string {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 60)}…` : json;
}

/** True for an empty cell: null, undefined, or a string of only whitespace. */
export function isBlank(value: CellValue): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') {
    // Most cells start with a visible character: no need to trim them.
    return value.length === 0 || (value.charCodeAt(0) <= 0x20 && value.trim() === '');
  }
  return false;
}

/** Full-width digits, letters and punctuation (common in Chinese input) to their ASCII forms. */
function halfWidth(text: string): string {
  // Fast path: pure ASCII needs no normalisation.
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7e) return text.normalize('NFKC');
  }
  return text;
}

// Time zones: the engine's (src/engine/time-zone.ts), re-exported for the importers.
export { checkTimeZone, wallClockToUtc } from '../engine/time-zone.js';

import { wallClockToUtc } from '../engine/time-zone.js';

// ---------------------------------------------------------------------------------------------
// Dates and instants

interface WallTime {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
  /** offset from UTC in minutes when the text carried a zone */
  zone: number | null;
}

const DATE_EXAMPLE = 'expected a date such as 2024-01-31, 2024/1/31 13:05 or 2024年1月31日';

// 2024-01-31, 2024/1/31, 2024.1.31, optional time 13:05[:07[.123]], optional zone.
const SEPARATED =
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
// 2024年1月31日, optionally 13:05[:07] or 13时5分[7秒]
const CHINESE =
  /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?:\s*(\d{1,2})\s*[:时點点]\s*(\d{1,2})\s*(?:[:分]\s*(?:(\d{1,2})\s*秒?)?)?)?$/;
// 20240131, 202401311305, 20240131130507
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:[T\s]?(\d{2})(\d{2})(\d{2})?)?$/;
// Excel serial day number, e.g. 45322 or 45322.5416
const SERIAL = /^\d{5}(?:\.\d+)?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, mo: number): number {
  if (mo === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0)) return 29;
  return MONTH_DAYS[mo - 1];
}

/** Digits at text[from, from + count) as a number, or -1 if any is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The common shapes without a regular expression: `2024-01-31`, `2024-01-31 13:05`,
 * `2024-01-31T13:05:07` (any of `-` `/`), and `20240131`. Anything else returns undefined and
 * takes the general path.
 */
function fastWall(text: string): WallTime | null | undefined {
  const n = text.length;
  if (n === 8) {
    const y = digitsAt(text, 0, 4);
    const mo = digitsAt(text, 4, 2);
    const d = digitsAt(text, 6, 2);
    if (y < 0 || mo < 0 || d < 0) return undefined;
    return checkWall({ y, mo, d, h: 0, mi: 0, s: 0, ms: 0, zone: null });
  }
  if (n !== 10 && n !== 16 && n !== 19) return undefined;
  const sep = text.charCodeAt(4);
  if ((sep !== 0x2d && sep !== 0x2f) || text.charCodeAt(7) !== sep) return undefined;
  const y = digitsAt(text, 0, 4);
  const mo = digitsAt(text, 5, 2);
  const d = digitsAt(text, 8, 2);
  if (y < 0 || mo < 0 || d < 0) return undefined;
  let h = 0;
  let mi = 0;
  let sec = 0;
  if (n > 10) {
    const t = text.charCodeAt(10);
    if ((t !== 0x20 && t !== 0x54) || text.charCodeAt(13) !== 0x3a) return undefined;
    h = digitsAt(text, 11, 2);
    mi = digitsAt(text, 14, 2);
    if (n === 19) {
      if (text.charCodeAt(16) !== 0x3a) return undefined;
      sec = digitsAt(text, 17, 2);
    }
    if (h < 0 || mi < 0 || sec < 0) return undefined;
  }
  return checkWall({ y, mo, d, h, mi, s: sec, ms: 0, zone: null });
}

function checkWall(w: WallTime): WallTime | null {
  if (w.y < 1000 || w.mo < 1 || w.mo > 12 || w.d < 1 || w.d > daysInMonth(w.y, w.mo)) return null;
  if (w.h > 23 || w.mi > 59 || w.s > 59) return null;
  return w;
}

function zoneMinutes(z: string | undefined): number | null {
  if (z === undefined) return null;
  if (z === 'Z' || z === 'z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (h * 60 + m);
}

function fraction(text: string | undefined): number {
  if (!text) return 0;
  return Number(`0.${text}`) * 1000;
}

/** Excel's day 0 is 1899-12-30 once its phantom 1900-02-29 (serial 60) is accounted for. */
function fromSerial(serial: number): WallTime | null {
  if (!(serial >= 1 && serial < 2_958_466)) return null;
  const base = serial < 61 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const ms = base + Math.round(serial * 86_400_000);
  const t = new Date(ms);
  return {
    y: t.getUTCFullYear(),
    mo: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    h: t.getUTCHours(),
    mi: t.getUTCMinutes(),
    s: t.getUTCSeconds(),
    ms: t.getUTCMilliseconds(),
    zone: null,
  };
}

function wallFromText(raw: string): WallTime | null {
  const fast = fastWall(raw);
  if (fast !== undefined) return fast;
  const text = halfWidth(raw.trim());
  let m = SEPARATED.exec(text);
  if (m) {
    return checkWall({
      y: Number(m[1]),
      mo: Number(m[3]),
      d: Number(m[4]),
      h: m[5] ? Number(m[5]) : 0,
      mi: m[6] ? Number(m[6]) : 0,
      s: m[7] ? Number(m[7]) : 0,
      ms: fraction(m[8]),
      zone: zoneMinutes(m[9]),
    });
  }
  m = COMPACT.exec(text);
  if (m) {
    return checkWall({
      y: Number(m[1]),
      mo: Number(m[2]),
      d: Number(m[3]),
      h: m[4] ? Number(m[4]) : 0,
      mi: m[5] ? Number(m[5]) : 0,
      s: m[6] ? Number(m[6]) : 0,
      ms: 0,
      zone: null,
    });
  }
  m = CHINESE.exec(text);
  if (m) {
    return checkWall({
      y: Number(m[1]),
      mo: Number(m[2]),
      d: Number(m[3]),
      h: m[4] ? Number(m[4]) : 0,
      mi: m[5] ? Number(m[5]) : 0,
      s: m[6] ? Number(m[6]) : 0,
      ms: 0,
      zone: null,
    });
  }
  if (SERIAL.test(text)) return fromSerial(Number(text));
  return null;
}

/**
 * Wall-clock fields of a cell. XLSX date cells arrive as a `Date` whose UTC fields are the
 * wall-clock time shown in Excel (Excel stores no zone), so they are read back that way.
 */
function wallFromCell(value: CellValue): WallTime | null {
  if (typeof value === 'string') return wallFromText(value);
  if (typeof value === 'number') return fromSerial(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    return {
      y: value.getUTCFullYear(),
      mo: value.getUTCMonth() + 1,
      d: value.getUTCDate(),
      h: value.getUTCHours(),
      mi: value.getUTCMinutes(),
      s: value.getUTCSeconds(),
      ms: value.getUTCMilliseconds(),
      zone: null,
    };
  }
  return null;
}

/** A point in time: a date (midnight) or date-time, in `timeZone` when the value has no zone. */
export function parseInstant(value: CellValue, timeZone: string = DEFAULT_TIME_ZONE): Parsed<Date> {
  if (typeof value === 'string') {
    // The common shapes skip building a WallTime: this runs once per row.
    const fast = fastWall(value);
    if (fast !== undefined && fast !== null && fast.zone === null) {
      const wallMs = Date.UTC(fast.y, fast.mo - 1, fast.d, fast.h, fast.mi, fast.s);
      return ok(new Date(wallClockToUtc(wallMs, timeZone)));
    }
  }
  const w = wallFromCell(value);
  if (!w) return fail(`${DATE_EXAMPLE}, got ${showValue(value)}`);
  const wallMs = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s, w.ms);
  const utc = w.zone === null ? wallClockToUtc(wallMs, timeZone) : wallMs - w.zone * 60_000;
  return ok(new Date(utc));
}

/** A calendar date (a birthday) as `YYYY-MM-DD`; a time of day, if any, is ignored. */
export function parseCalendarDate(value: CellValue): Parsed<string> {
  const w = wallFromCell(value);
  if (!w) return fail(`${DATE_EXAMPLE}, got ${showValue(value)}`);
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  return ok(`${pad(w.y, 4)}-${pad(w.mo, 2)}-${pad(w.d, 2)}`);
}

// ---------------------------------------------------------------------------------------------
// Money and numbers

export interface Money {
  /** integer minor units (fen for CNY, cents for USD) */
  minor: number;
  /** the currency the value's symbol named, if it named one */
  currency: string | null;
}

const MONEY_DIGITS = /^(\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d*))?$|^\.(\d+)$/;
const PREFIXES: readonly [string, string][] = [
  ['US$', 'USD'],
  ['RMB', 'CNY'],
  ['CNY', 'CNY'],
  ['USD', 'USD'],
  ['¥', 'CNY'],
  ['$', 'USD'],
  ['€', 'EUR'],
  ['£', 'GBP'],
];
const SUFFIXES: readonly [string, string][] = [
  ['人民币', 'CNY'],
  ['元', 'CNY'],
  ['RMB', 'CNY'],
  ['CNY', 'CNY'],
  ['USD', 'USD'],
];

/**
 * Money to integer minor units, exactly: the decimal string is split at the point and the
 * digits are shifted, so "0.1" + "0.2" never meets binary floating point. Accepts `¥`/`￥`/`$`,
 * `元`, thousands separators (`1,234.50`), a leading minus or parentheses for a negative.
 * More than 2 decimal places is refused unless the extra digits are zeros.
 */
export function parseMoney(value: CellValue): Parsed<Money> {
  if (typeof value === 'number') return moneyFromNumber(value);
  if (typeof value === 'string') {
    const fast = plainMinor(value);
    if (fast !== null) return ok({ minor: fast, currency: null });
  }
  return parseMoneyText(value);
}

/** The common shape `-?digits(.d{0,2})?` without a regular expression; null otherwise. */
function plainMinor(text: string): number | null {
  const n = text.length;
  if (n === 0 || n > 15) return null;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 0x2d) {
    negative = true;
    i = 1;
  }
  let whole = 0;
  let digits = 0;
  for (; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    whole = whole * 10 + d;
    digits++;
  }
  if (digits === 0) return null;
  let fraction = 0;
  if (i < n) {
    if (text.charCodeAt(i) !== 0x2e || n - i - 1 > 2) return null;
    i++;
    let places = 0;
    for (; i < n; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      fraction = fraction * 10 + d;
      places++;
    }
    if (places === 1) fraction *= 10;
  }
  const minor = whole * 100 + fraction;
  return negative && minor !== 0 ? -minor : minor;
}

function parseMoneyText(value: CellValue): Parsed<Money> {
  if (typeof value !== 'string')
    return fail(`expected an amount such as 12.30, got ${showValue(value)}`);
  let text = halfWidth(value).trim();
  const original = value;
  let negative = false;
  if (text.startsWith('(') && text.endsWith(')')) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  if (text.startsWith('-') || text.startsWith('−')) {
    negative = !negative;
    text = text.slice(1).trim();
  } else if (text.startsWith('+')) {
    text = text.slice(1).trim();
  }
  let currency: string | null = null;
  for (const [symbol, code] of PREFIXES) {
    if (text.slice(0, symbol.length).toUpperCase() === symbol) {
      currency = code;
      text = text.slice(symbol.length).trim();
      break;
    }
  }
  for (const [symbol, code] of SUFFIXES) {
    if (text.slice(-symbol.length).toUpperCase() === symbol) {
      currency ??= code;
      text = text.slice(0, -symbol.length).trim();
      break;
    }
  }
  if (text.startsWith('-') && !negative) {
    // ¥-12.30
    negative = true;
    text = text.slice(1);
  }
  const m = MONEY_DIGITS.exec(text);
  if (!m) return fail(`expected a number, got ${showValue(original)}`);
  const whole = m[3] !== undefined ? '0' : m[1].replaceAll(',', '');
  const decimals = (m[3] ?? m[2] ?? '').replace(/0+$/, '');
  if (decimals.length > 2) {
    return fail(`expected at most 2 decimal places, got ${showValue(original)}`);
  }
  const minor = Number(whole) * 100 + Number(decimals.padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) return fail(`amount is too large: ${showValue(original)}`);
  return ok({ minor: negative && minor !== 0 ? -minor : minor, currency });
}

function moneyFromNumber(n: number): Parsed<Money> {
  if (!Number.isFinite(n)) return fail(`expected a number, got ${showValue(n)}`);
  const scaled = n * 100;
  const minor = Math.round(scaled);
  // A spreadsheet cell holds a binary double: 12.3 is stored as 12.300000000000000711, and a
  // formula may leave 35.699999999999996; both are whole fen within a tolerance of 1e-6 fen.
  if (Math.abs(scaled - minor) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    return fail(`expected at most 2 decimal places, got ${showValue(n)}`);
  }
  if (!Number.isSafeInteger(minor)) return fail(`amount is too large: ${showValue(n)}`);
  return ok({ minor: minor === 0 ? 0 : minor, currency: null });
}

const DECIMAL = /^[-+]?(\d+|\d{1,3}(?:,\d{3})+)(\.\d*)?$|^[-+]?\.\d+$/;

/** A decimal quantity (pieces, kilograms): thousands separators allowed. */
export function parseNumber(value: CellValue): Parsed<number> {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? ok(value) : fail(`expected a number, got ${showValue(value)}`);
  }
  if (typeof value !== 'string') return fail(`expected a number, got ${showValue(value)}`);
  if (isPlainDecimal(value)) return ok(Number(value));
  const text = halfWidth(value).trim();
  if (!DECIMAL.test(text)) return fail(`expected a number, got ${showValue(value)}`);
  return ok(Number(text.replaceAll(',', '')));
}

/** `digits` or `digits.digits`: what Number() reads exactly as written. */
function isPlainDecimal(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 15) return false;
  let dot = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (dot || i === 0 || i === n - 1) return false;
      dot = true;
    } else if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** A whole number. */
export function parseInteger(value: CellValue): Parsed<number> {
  const n = parseNumber(value);
  if (!n.ok) return fail(`expected a whole number, got ${showValue(value)}`);
  if (!Number.isSafeInteger(n.value))
    return fail(`expected a whole number, got ${showValue(value)}`);
  return n;
}

const SATISFACTION_WORDS: Record<string, number> = {
  非常满意: 5,
  很满意: 5,
  满意: 4,
  比较满意: 4,
  一般: 3,
  不满意: 2,
  非常不满意: 1,
  很不满意: 1,
};

/** A satisfaction score 1..5, as a digit or a Chinese rating word (满意 = 4). */
export function parseSatisfaction(value: CellValue): Parsed<number> {
  if (typeof value === 'string') {
    const word = SATISFACTION_WORDS[value.trim()];
    if (word !== undefined) return ok(word);
  }
  const n = parseInteger(value);
  if (!n.ok || n.value < 1 || n.value > 5) {
    return fail(`expected a satisfaction score from 1 to 5, got ${showValue(value)}`);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Vocabularies

function vocabulary<T extends string>(entries: Record<T, readonly string[]>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [value, words] of Object.entries(entries) as [T, readonly string[]][]) {
    map.set(value, value);
    // Keys are normalised as lookups are: full-width forms to ASCII, lower case.
    for (const w of words) map.set(w.normalize('NFKC').toLowerCase(), value);
  }
  return map;
}

function lookup<T extends string>(
  map: Map<string, T>,
  value: CellValue,
  expected: string,
): Parsed<T> {
  const key =
    typeof value === 'string'
      ? halfWidth(value).trim().toLowerCase()
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : null;
  const hit = key === null ? undefined : map.get(key);
  return hit === undefined ? fail(`expected ${expected}, got ${showValue(value)}`) : ok(hit);
}

const GENDERS = vocabulary<Gender | 'unknown'>({
  male: ['m', '男', '男性', '先生', '1', 'man', '男士'],
  female: ['f', '女', '女性', '女士', '小姐', '2', 'woman'],
  other: ['o', '其他', '其它'],
  unknown: ['u', '未知', '保密', '不详', '0', 'n/a', '-'],
});

/** 男/女/M/F/male/female/1/2; 未知/保密/0 mean "not known" (null). */
export function parseGender(value: CellValue): Parsed<Gender | null> {
  const g = lookup(GENDERS, value, 'a gender (男/女, M/F, male/female, 1/2)');
  if (!g.ok) return g;
  return ok(g.value === 'unknown' ? null : g.value);
}

const INTERACTION_WORDS = vocabulary<InteractionType>({
  call: ['phone', 'phone call', 'telephone', '电话', '来电', '去电', '致电', '通话', '电话回访'],
  visit: ['meeting', '拜访', '上门', '面访', '走访', '到访', '面谈', '来访'],
  email: ['e-mail', 'mail', '邮件', '电子邮件', '邮箱'],
  sms: ['text', 'message', '短信', '短讯', '消息'],
  complaint: ['投诉', '抱怨', '客诉'],
  service: ['support', '服务', '售后', '维修', '客服', '咨询'],
  survey: ['questionnaire', '调查', '问卷', '调研', '满意度调查'],
  referral: ['推荐', '转介绍', '介绍'],
});

export function parseInteractionType(value: CellValue): Parsed<InteractionType> {
  return lookup(
    INTERACTION_WORDS,
    value,
    'an interaction type (call, visit, email, sms, complaint, service, survey, referral, or 电话/拜访/邮件/短信/投诉/服务/调查/推荐)',
  );
}

const DIRECTIONS = vocabulary<Direction>({
  inbound: ['in', 'incoming', '呼入', '来电', '来访', '客户发起', '入'],
  outbound: ['out', 'outgoing', '呼出', '去电', '外呼', '主动', '出'],
});

export function parseDirection(value: CellValue): Parsed<Direction> {
  return lookup(DIRECTIONS, value, 'a direction (inbound/outbound, 呼入/呼出)');
}

const STATUSES = vocabulary<TransactionStatus>({
  completed: [
    'complete',
    'done',
    'paid',
    'success',
    'succeeded',
    'shipped',
    'delivered',
    'closed-won',
    '完成',
    '已完成',
    '成功',
    '交易成功',
    '已支付',
    '已付款',
    '已发货',
    '已签收',
    '已收货',
    '待发货',
    '待收货',
    '买家已付款，等待卖家发货',
    '卖家已发货，等待买家确认',
    '正常',
  ],
  refunded: ['refund', 'returned', 'return', '退款', '已退款', '退货', '已退货', '退款成功'],
  cancelled: ['canceled', 'cancel', 'void', '取消', '已取消', '关闭', '交易关闭', '已关闭', '作废'],
});

export function parseStatus(value: CellValue): Parsed<TransactionStatus> {
  return lookup(STATUSES, value, 'a status (completed, refunded, cancelled, or 完成/退款/取消)');
}

const BOOLEANS = vocabulary<'true' | 'false'>({
  true: ['yes', 'y', 't', '1', '是', '有', '对', '同意', '允许', '√', '✓'],
  false: ['no', 'n', 'f', '0', '否', '无', '不', '不同意', '拒绝', '不允许', '×', '✗'],
});

export function parseBoolean(value: CellValue): Parsed<boolean> {
  if (typeof value === 'boolean') return ok(value);
  const b = lookup(BOOLEANS, value, 'yes or no (true/false, 1/0, 是/否)');
  return b.ok ? ok(b.value === 'true') : b;
}

// ---------------------------------------------------------------------------------------------
// Contact details and lists

const LIST_SEPARATORS = /[;；/,，、|\n]+/;

/** Splits a cell holding several values (`a;b`, `a / b`, `a，b`) and drops blanks. */
export function splitList(value: CellValue): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => splitList(v as CellValue));
  if (isBlank(value)) return [];
  return String(value)
    .split(LIST_SEPARATORS)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const SCIENTIFIC = /^\d(?:\.\d+)?e\+\d+$/i;
const SCIENTIFIC_REASON =
  'Excel wrote this long number in scientific notation and its digits are lost; format the column as text and export again';

/** True for a long number Excel exported as `1.38001E+10`. */
export function isExcelScientific(text: string): boolean {
  return SCIENTIFIC.test(text.trim());
}

export function scientificReason(value: CellValue): string {
  return `${SCIENTIFIC_REASON}: ${showValue(value)}`;
}

const MOBILE = /^(?:\+?86|0086)?(1[3-9]\d{9})$/;
const PHONE_CHARS = /^\+?[\d\-() ]+(?:(?:ext\.?|x|转|分机)\s*\d+)?$/i;

/**
 * Phone numbers, several per cell. A Chinese mobile (1[3-9] and 9 more digits, with or without
 * +86 and spaces or dashes) becomes its 11 digits; other numbers keep their digits, `+`, `-`,
 * parentheses and extension, with spaces collapsed.
 */
export function parsePhones(value: CellValue): Parsed<string[]> {
  const out: string[] = [];
  for (const part of splitList(typeof value === 'number' ? String(value) : value)) {
    const text = halfWidth(part).trim();
    if (isExcelScientific(text)) return fail(scientificReason(part));
    const compact = text.replace(/[\s\-().]/g, '');
    const mobile = MOBILE.exec(compact);
    if (mobile) {
      out.push(mobile[1]);
      continue;
    }
    const digits = compact.replace(/\D/g, '');
    if (!PHONE_CHARS.test(text) || digits.length < 5 || digits.length > 20) {
      return fail(`expected a phone number, got ${showValue(part)}`);
    }
    out.push(text.replace(/\s+/g, ' '));
  }
  return ok(out);
}

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;

/** Email addresses, several per cell; the domain is lower-cased. */
export function parseEmails(value: CellValue): Parsed<string[]> {
  const out: string[] = [];
  for (const part of splitList(value)) {
    const text = halfWidth(part).trim();
    if (!EMAIL.test(text)) return fail(`expected an email address, got ${showValue(part)}`);
    const at = text.lastIndexOf('@');
    out.push(text.slice(0, at + 1) + text.slice(at + 1).toLowerCase());
  }
  return ok(out);
}

/** Trimmed text, or null when blank. Numbers and booleans become their text. */
export function parseText(value: CellValue): Parsed<string | null> {
  if (value === null || value === undefined) return ok(null);
  if (typeof value === 'string') {
    const n = value.length;
    if (n > 0 && value.charCodeAt(0) > 0x20 && value.charCodeAt(n - 1) > 0x20) return ok(value);
    const t = value.trim();
    return ok(t === '' ? null : t);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return ok(String(value));
  if (value instanceof Date) return ok(value.toISOString());
  return fail(`expected text, got ${showValue(value)}`);
}
