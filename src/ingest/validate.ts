/**
 * One raw row → one record of `engine/records.ts`, or the list of what is wrong with it.
 * A problem names where (file, line, 1-based column of the source field; null for JSON Lines)
 * and why, and `formatProblem` writes it the house way:
 * `transactions.csv:1204:7 amount: expected a number, got "12,3x"`.
 */
import type {
  AnyRecord,
  CustomerRecord,
  InteractionRecord,
  ProductRecord,
  RecordKind,
  SubscriptionRecord,
  TransactionRow,
} from '../engine/records.js';
import { assertNever, formatLocation } from '../errors.js';
import type { ColumnBinding } from './headers.js';
import {
  type CellValue,
  isBlank,
  isExcelScientific,
  type Parsed,
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
  parseText,
  scientificReason,
  splitList,
} from './values.js';

export interface RowProblem {
  file: string;
  line: number;
  /** 1-based column of the source field; null where the format has none (JSON Lines) */
  column: number | null;
  /** the record field, or null for a problem with the row as a whole */
  field: string | null;
  /** the offending value as text; null when it is missing */
  value: string | null;
  reason: string;
}

export type RowResult =
  | { ok: true; line: number; item: AnyRecord }
  | { ok: false; line: number; problems: RowProblem[]; raw: Record<string, string> };

/** `file:line:column field: reason` */
export function formatProblem(p: RowProblem): string {
  const where = formatLocation({
    file: p.file,
    line: p.line,
    ...(p.column === null ? {} : { column: p.column }),
    ...(p.field === null ? {} : { field: p.field }),
  });
  return `${where}: ${p.reason}`;
}

export interface RowPlan {
  file: string;
  kind: RecordKind;
  bindings: readonly ColumnBinding[];
  timeZone: string;
  /** ISO 4217 code for amounts that name no currency */
  currency: string;
  /** whether problems carry column numbers (false for JSON Lines) */
  columnNumbers: boolean;
}

/** Text of a cell for reports and for `raw`. */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A row being read: fetches fields by name, parses them and collects problems. */
class RowReader {
  problems: RowProblem[] = [];
  cells: readonly CellValue[] = [];
  line = 0;
  /** parses an instant in the plan's time zone; made once, not per row */
  readonly instant: (v: CellValue) => Parsed<Date>;

  constructor(
    private readonly plan: RowPlan,
    private readonly fieldIndexes: ReadonlyMap<string, readonly number[]>,
  ) {
    this.instant = (v) => parseInstant(v, plan.timeZone);
  }

  /** the next row; the reader is reused so that a row costs no allocation of its own */
  reset(cells: readonly CellValue[], line: number): void {
    this.cells = cells;
    this.line = line;
    if (this.problems.length > 0) this.problems = [];
  }

  /** index of the first column of `field` holding a value, or -1 */
  private find(field: string): number {
    const indexes = this.fieldIndexes.get(field);
    if (indexes === undefined) return -1;
    for (let k = 0; k < indexes.length; k++) {
      if (!isBlank(this.cells[indexes[k]])) return indexes[k];
    }
    return -1;
  }

  problem(field: string | null, index: number, reason: string): void {
    this.problems.push({
      file: this.plan.file,
      line: this.line,
      column: this.plan.columnNumbers && index >= 0 ? index + 1 : null,
      field,
      value: index >= 0 ? cellText(this.cells[index]) : null,
      reason,
    });
  }

  /** the parsed value, or null when blank or bad (a bad one is recorded) */
  optional<T>(field: string, parse: (v: CellValue) => Parsed<T>): T | null {
    const i = this.find(field);
    if (i === -1) return null;
    const r = parse(this.cells[i]);
    if (r.ok) return r.value;
    this.problem(field, i, r.reason);
    return null;
  }

  /** like `optional`, but a blank is a problem too */
  required<T>(field: string, parse: (v: CellValue) => Parsed<T>): T | null {
    const i = this.find(field);
    if (i === -1) {
      const first = this.fieldIndexes.get(field)?.[0] ?? -1;
      this.problems.push({
        file: this.plan.file,
        line: this.line,
        column: this.plan.columnNumbers && first >= 0 ? first + 1 : null,
        field,
        value: null,
        reason: 'required, but empty',
      });
      return null;
    }
    return this.optional(field, parse);
  }

  text(field: string): string | null {
    return this.optional(field, parseText);
  }

  /** every non-blank column of a multi-column field (phones, emails, tags), parsed and merged */
  all<T>(field: string, parse: (v: CellValue) => Parsed<T[]>): T[] {
    const indexes = this.fieldIndexes.get(field);
    if (indexes === undefined) return [];
    const out: T[] = [];
    for (const i of indexes) {
      if (isBlank(this.cells[i])) continue;
      const r = parse(this.cells[i]);
      if (r.ok) out.push(...r.value);
      else this.problem(field, i, r.reason);
    }
    return out;
  }
}

const money = (v: CellValue): Parsed<number> => {
  const m = parseMoney(v);
  return m.ok ? { ok: true, value: m.value.minor } : m;
};

const identifier = (v: CellValue): Parsed<string | null> => {
  // An id keeps its text exactly (leading zeros: "00001"); only surrounding blanks go.
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    return { ok: false, reason: `expected an id, got the number ${v}; format the column as text` };
  }
  if (typeof v === 'string' && v.length > 5 && isExcelScientific(v)) {
    return { ok: false, reason: scientificReason(v) };
  }
  return parseText(v);
};

function splitRegion(region: string): { province: string; city: string | null } {
  const parts = region.split(/[\s/\-·,，]+/).filter((p) => p !== '');
  if (parts.length >= 2) return { province: parts[0], city: parts[1] };
  const m = /^(.+?(?:省|自治区|特别行政区))(.+)$/.exec(region);
  if (m) return { province: m[1], city: m[2] };
  return { province: region, city: null };
}

function objectCell(v: CellValue): Parsed<Record<string, unknown>[]> {
  if (typeof v === 'object' && v !== null && !(v instanceof Date) && !Array.isArray(v)) {
    return { ok: true, value: [v as Record<string, unknown>] };
  }
  if (typeof v === 'string' && v.trim().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return { ok: true, value: [parsed as Record<string, unknown>] };
      }
    } catch {
      // falls through to the reason below
    }
  }
  return { ok: false, reason: `expected a JSON object, got ${JSON.stringify(cellText(v))}` };
}

function attributeValue(v: CellValue): unknown {
  if (typeof v === 'string') return v.trim();
  if (v instanceof Date) return v.toISOString();
  return v;
}

const tagList = (v: CellValue): Parsed<string[]> => ({ ok: true, value: splitList(v) });

function customer(row: RowReader, plan: RowPlan, extras: Record<string, unknown>): CustomerRecord {
  const customerId = row.required('customerId', identifier);
  const region = row.text('region');
  let province = row.text('province');
  let city = row.text('city');
  if (region !== null && province === null) {
    const split = splitRegion(region);
    province = split.province;
    city ??= split.city;
  }
  const attributes: Record<string, unknown> = {};
  for (const o of row.all('attributes', objectCell)) Object.assign(attributes, o);
  const consent: Record<string, boolean> = {};
  for (const o of row.all('consent', objectCell)) {
    for (const [k, v] of Object.entries(o)) {
      const b = parseBoolean(v as CellValue);
      if (b.ok) consent[k] = b.value;
      else row.problem(`consent.${k}`, -1, b.reason);
    }
  }
  for (const b of plan.bindings) {
    const v = row.cells[b.index];
    if (isBlank(v)) continue;
    if (b.field === null) {
      if (b.source.trim() !== '') attributes[b.source.trim()] = attributeValue(v);
    } else if (b.field.startsWith('attributes.')) {
      attributes[b.field.slice('attributes.'.length)] = attributeValue(v);
    } else if (b.field.startsWith('consent.')) {
      const parsed = parseBoolean(v);
      if (parsed.ok) consent[b.field.slice('consent.'.length)] = parsed.value;
      else row.problem(b.field, b.index, parsed.reason);
    }
  }
  Object.assign(attributes, extras);
  return {
    customerId: customerId ?? '',
    name: row.text('name'),
    phones: [...new Set(row.all('phones', parsePhones))],
    emails: [...new Set(row.all('emails', parseEmails))],
    address: row.text('address'),
    province,
    city,
    gender: row.optional('gender', parseGender),
    birthday: row.optional('birthday', parseCalendarDate),
    industry: row.text('industry'),
    channel: row.text('channel'),
    acquiredAt: row.optional('acquiredAt', row.instant),
    ownerId: row.optional('ownerId', identifier),
    tags: [...new Set(row.all('tags', tagList))],
    attributes,
    consent,
  };
}

function product(row: RowReader): ProductRecord {
  return {
    sku: row.required('sku', identifier) ?? '',
    name: row.text('name'),
    category: row.text('category'),
    listPriceMinor: row.optional('listPrice', money),
    unitCostMinor: row.optional('unitCost', money),
  };
}

const CURRENCY_WORDS: Readonly<Record<string, string>> = {
  人民币: 'CNY',
  元: 'CNY',
  RMB: 'CNY',
  '¥': 'CNY',
  '￥': 'CNY',
  美元: 'USD',
  $: 'USD',
  港币: 'HKD',
  港元: 'HKD',
  欧元: 'EUR',
  日元: 'JPY',
};

/** An ISO 4217 code (`cny`), or a name or symbol a Chinese file uses for one (人民币, ¥). */
function currencyCode(v: CellValue): Parsed<string> {
  const text = typeof v === 'string' ? v.trim() : '';
  const word = CURRENCY_WORDS[text.toUpperCase()];
  if (word !== undefined) return { ok: true, value: word };
  if (/^[A-Za-z]{3}$/.test(text)) return { ok: true, value: text.toUpperCase() };
  return {
    ok: false,
    reason: `expected a currency code such as CNY, got ${JSON.stringify(cellText(v))}`,
  };
}

const isAmountProblem = (p: RowProblem): boolean => p.field === 'amount';

function transaction(row: RowReader, plan: RowPlan): TransactionRow {
  const transactionId = row.optional('transactionId', identifier);
  const customerId = row.required('customerId', identifier);
  const occurredAt = row.required('occurredAt', row.instant);
  const quantity = row.optional('quantity', parseNumber);
  const unitPriceMinor = row.optional('unitPrice', money);
  let amount = row.optional('amount', parseMoney);
  if (amount === null && !row.problems.some(isAmountProblem)) {
    if (quantity !== null && unitPriceMinor !== null) {
      // No amount column (or a blank one): the line total is quantity × unit price.
      amount = { minor: Math.round(quantity * unitPriceMinor), currency: null };
    } else {
      row.required('amount', parseMoney);
    }
  }
  const currency = row.optional('currency', currencyCode) ?? amount?.currency ?? plan.currency;
  let costMinor = row.optional('cost', money);
  const margin = row.optional('margin', money);
  if (costMinor === null && margin !== null && amount !== null) costMinor = amount.minor - margin;
  return {
    transactionId,
    customerId: customerId ?? '',
    occurredAt: occurredAt ?? new Date(Number.NaN),
    amountMinor: amount?.minor ?? 0,
    currency,
    costMinor,
    channel: row.text('channel'),
    status: row.optional('status', parseStatus) ?? 'completed',
    sku: row.optional('sku', identifier),
    quantity,
    unitPriceMinor,
  };
}

function interaction(row: RowReader): InteractionRecord {
  return {
    interactionId: row.optional('interactionId', identifier),
    customerId: row.required('customerId', identifier) ?? '',
    occurredAt: row.required('occurredAt', row.instant) ?? new Date(Number.NaN),
    type: row.required('type', parseInteractionType) ?? 'call',
    direction: row.optional('direction', parseDirection),
    outcome: row.text('outcome'),
    satisfaction: row.optional('satisfaction', parseSatisfaction),
    staff: row.optional('staff', identifier),
    note: row.text('note'),
  };
}

function subscription(row: RowReader, plan: RowPlan): SubscriptionRecord {
  const customerId = row.required('customerId', identifier) ?? '';
  const planName = row.text('plan');
  const startedAt = row.required('startedAt', row.instant);
  const endedAt = row.optional('endedAt', row.instant);
  if (startedAt !== null && endedAt !== null && endedAt < startedAt) {
    const i = plan.bindings.find((b) => b.field === 'endedAt')?.index ?? -1;
    row.problem('endedAt', i, `ends before it starts (${startedAt.toISOString()})`);
  }
  // Without an id column a subscription is named by what identifies it, so re-imports match.
  const subscriptionId =
    row.optional('subscriptionId', identifier) ??
    `${customerId}:${planName ?? ''}:${startedAt?.toISOString() ?? ''}`;
  return {
    subscriptionId,
    customerId,
    plan: planName,
    startedAt: startedAt ?? new Date(Number.NaN),
    endedAt,
    monthlyFeeMinor: row.optional('monthlyFee', money),
  };
}

export type RowValidator = (
  cells: readonly CellValue[],
  line: number,
  extras?: Record<string, unknown>,
) => RowResult;

/** A validator for one file's rows: cells are aligned with `plan.bindings`. */
export function createRowValidator(plan: RowPlan): RowValidator {
  const fieldIndexes = new Map<string, number[]>();
  for (const b of plan.bindings) {
    if (b.field === null) continue;
    const list = fieldIndexes.get(b.field);
    if (list) list.push(b.index);
    else fieldIndexes.set(b.field, [b.index]);
  }
  const row = new RowReader(plan, fieldIndexes);
  const noExtras: Record<string, unknown> = {};
  return (cells, line, extras = noExtras) => {
    row.reset(cells, line);
    const item = build(row, plan, extras);
    if (row.problems.length === 0) return { ok: true, line, item };
    const raw: Record<string, string> = {};
    for (const b of plan.bindings) raw[b.source] = cellText(cells[b.index]);
    return { ok: false, line, problems: row.problems, raw };
  };
}

function build(row: RowReader, plan: RowPlan, extras: Record<string, unknown>): AnyRecord {
  const kind = plan.kind;
  switch (kind) {
    case 'customers':
      return { kind, record: customer(row, plan, extras) };
    case 'products':
      return { kind, record: product(row) };
    case 'transactions':
      return { kind, record: transaction(row, plan) };
    case 'interactions':
      return { kind, record: interaction(row) };
    case 'subscriptions':
      return { kind, record: subscription(row, plan) };
    default:
      return assertNever(kind, 'record kind');
  }
}
