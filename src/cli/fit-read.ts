/**
 * Inputs of `tenure fit`: a transactions file (one row per purchase), a per-customer summary
 * file (x, t_x, T[, monetary]) or an sBG survivor series. Every bad value is reported as
 * `file:line:column field: reason` (an InputError, exit 2).
 *
 * Dates are calendar days as written in the file: a value without a zone is read as UTC wall
 * clock, so `19970101` and `1997-01-01 23:30` both fall on 1997-01-01; a value with an offset is
 * converted to UTC first. The summary definitions (repeat purchase days, t_x, T) are those of
 * the engine's `createSummaryAccumulator`.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  type CustomerSummary,
  createSummaryAccumulator,
  daysPerUnit,
  type TimeUnit,
  validateRfm,
} from '../engine/index.js';
import { InputError } from '../errors.js';
import {
  type ByteCounter,
  type CsvLayout,
  type CsvRecord,
  FIELDS,
  normalizeHeader,
  parseInstant,
  parseMoney,
  readCsv,
  sniffCsv,
} from '../ingest/index.js';

const MS_PER_DAY = 86_400_000;

/** A date option or cell as a UTC calendar day (see file header). */
export function parseDay(value: string, where: string): Date {
  const parsed = parseInstant(value.trim(), 'UTC');
  if (!parsed.ok) throw new InputError(`${where}: ${parsed.reason}`, { field: where, value });
  return new Date(Math.floor(parsed.value.getTime() / MS_PER_DAY) * MS_PER_DAY);
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function located(
  file: string,
  record: CsvRecord,
  index: number,
  field: string,
  reason: string,
  value?: string,
): InputError {
  const line = record.line;
  const column = index + 1;
  return new InputError(`${file}:${line}:${column} ${field}: ${reason}`, {
    file,
    line,
    column,
    field,
    value,
  });
}

function isBlank(record: CsvRecord): boolean {
  return record.fields.every((f) => f.trim() === '');
}

/** Streams the non-blank records of a CSV (or whitespace-separated) file. */
async function* records(
  file: string,
  layout: CsvLayout,
  counter?: ByteCounter,
): AsyncGenerator<CsvRecord> {
  for await (const batch of readCsv(file, layout, counter)) {
    for (const r of batch) if (!isBlank(r)) yield r;
  }
}

async function firstRecord(file: string, layout: CsvLayout): Promise<CsvRecord> {
  for await (const r of records(file, layout)) return r;
  throw new InputError(`${file}: the file is empty`, { file });
}

// ---------------------------------------------------------------------------------------------
// Column choice

export interface ColumnOptions {
  customer?: string;
  date?: string;
  amount?: string;
}

export interface ResolvedColumns {
  header: boolean;
  customer: number;
  date: number;
  /** null when the file has no amount column (spend cannot be modelled) */
  amount: number | null;
  /** how each column was found, for the report: the header or "column N" */
  names: { customer: string; date: string; amount: string | null };
}

function synonymsOf(field: string): string[] {
  return FIELDS.transactions.find((f) => f.name === field)?.synonyms.slice() ?? [];
}

/** Header words per role; ingest's transaction synonyms first, then a few found in CLV data sets. */
const ROLE_SYNONYMS = {
  customer: ['customer_id', ...synonymsOf('customerId'), 'id', 'cust', 'customer_no'],
  date: [...synonymsOf('occurredAt'), 'day', 'invoice_date', 'invoicedate'],
  amount: [
    ...synonymsOf('amount'),
    'dollar_value',
    'dollars',
    'value',
    'spend',
    'monetary',
    'price_paid',
  ],
} as const;

type Role = keyof typeof ROLE_SYNONYMS;

function findByName(headers: readonly string[], name: string): number {
  const exact = headers.indexOf(name);
  if (exact !== -1) return exact;
  const key = normalizeHeader(name);
  return headers.findIndex((h) => normalizeHeader(h) === key);
}

function detect(headers: readonly string[], role: Role, taken: Set<number>): number {
  const keys = headers.map(normalizeHeader);
  for (const word of ROLE_SYNONYMS[role]) {
    const k = keys.findIndex((h, i) => h === normalizeHeader(word) && !taken.has(i));
    if (k !== -1) return k;
  }
  return -1;
}

const POSITION = /^\d+$/;

/**
 * Which columns hold the customer, the date and the amount. `--*-col` takes a header name or a
 * 1-based position; with positions only, the file has a header unless its first row's date
 * column already parses as a date (CDNOW_sample.txt has none, CDNOW_master.txt has one).
 * Without options the columns are found from the header's English or Chinese names.
 */
export function resolveColumns(
  file: string,
  first: CsvRecord,
  options: ColumnOptions,
): ResolvedColumns {
  const given = (['customer', 'date', 'amount'] as const).filter((r) => options[r] !== undefined);
  const positional = given.length > 0 && given.every((r) => POSITION.test(String(options[r])));
  const width = first.fields.length;
  const index = (role: Role): number | undefined => {
    const spec = options[role];
    if (spec === undefined || !POSITION.test(spec)) return undefined;
    const k = Number(spec) - 1;
    if (k < 0 || k >= width) {
      throw new InputError(
        `--${role}-col ${spec}: the file has ${width} columns (positions count from 1)`,
        { field: `--${role}-col`, value: spec },
      );
    }
    return k;
  };
  const dateAt = index('date');
  const header =
    !positional ||
    options.customer === undefined ||
    dateAt === undefined ||
    !parseInstant(first.fields[dateAt]?.trim() ?? '', 'UTC').ok;
  const headers = header ? first.fields.map((h) => h.trim()) : [];
  const taken = new Set<number>();
  const pick = (role: Role, required: boolean): number | null => {
    const spec = options[role];
    let k = index(role);
    if (k === undefined && spec !== undefined) {
      k = findByName(headers, spec);
      if (k === -1) {
        throw new InputError(
          `${file}: --${role}-col names the column "${spec}", which the file does not have; its columns are ${headers.map((h) => `"${h}"`).join(', ')}`,
          { file, value: spec },
        );
      }
    }
    if (k === undefined && header) k = detect(headers, role, taken);
    if (k === undefined || k === -1) {
      if (!required) return null;
      const looksLikeData = first.fields.some((f) => parseInstant(f.trim(), 'UTC').ok);
      throw new InputError(
        looksLikeData
          ? `${file}: the file has no header row; name the columns by position, e.g. --customer-col 1 --date-col 2 --amount-col 4`
          : `${file}: cannot tell which column holds the ${role} from the header (${headers.map((h) => `"${h}"`).join(', ')}); pass --${role}-col NAME or a 1-based position`,
        { file },
      );
    }
    taken.add(k);
    return k;
  };
  const customer = pick('customer', true) as number;
  const date = pick('date', true) as number;
  const amount = pick('amount', false);
  const name = (k: number) => (header ? `"${headers[k]}" (column ${k + 1})` : `column ${k + 1}`);
  return {
    header,
    customer,
    date,
    amount,
    names: {
      customer: name(customer),
      date: name(date),
      amount: amount === null ? null : name(amount),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Transactions

export interface PeriodOptions {
  calibrationEnd?: Date;
  holdoutEnd?: Date;
  asOf?: Date;
  unit: TimeUnit;
}

export interface TransactionsInput {
  kind: 'transactions';
  file: string;
  columns: ResolvedColumns;
  rows: number;
  /** ISO currency code named by the amounts' symbols, when they all named the same one */
  currency: string | null;
  calibrationEnd: Date;
  holdoutEnd: Date | null;
  /** customers kept for fitting, in ascending id order */
  customerIds: string[];
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** mean repeat spend per customer in currency units (not minor); 0 when x = 0 */
  zbar: Float64Array | null;
  holdoutPurchases: Float64Array;
  /** first purchase, in units after the cohort's earliest first purchase */
  firstPurchaseAt: Float64Array;
  /** calibration end and holdout end in units after the cohort's earliest first purchase */
  calibrationEndAt: number;
  holdoutEndAt: number;
  /** holdout length in units (0 without a holdout) */
  holdoutLength: number;
  /** customers whose first purchase is on the calibration end day (T = 0 cannot be fitted) */
  droppedAtCalibrationEnd: number;
  customersAfterCalibration: number;
  /** rows dated after the holdout end (or the calibration end without a holdout) */
  ignoredAfterEnd: number;
}

interface Row {
  id: string;
  day: Date;
  minor: number;
  currency: string | null;
}

type RowReader = (record: CsvRecord) => Row;

function rowReader(file: string, columns: ResolvedColumns): RowReader {
  const { customer, date, amount } = columns;
  const need = Math.max(customer, date, amount ?? 0);
  return (record) => {
    const f = record.fields;
    if (f.length <= need) {
      throw located(
        file,
        record,
        need,
        need === customer ? 'customer' : need === date ? 'date' : 'amount',
        `the row has ${f.length} columns, expected at least ${need + 1}`,
      );
    }
    const id = f[customer].trim();
    if (id === '')
      throw located(file, record, customer, 'customer', 'expected a customer id, got ""');
    const raw = f[date].trim();
    const parsed = parseInstant(raw, 'UTC');
    if (!parsed.ok) throw located(file, record, date, 'date', parsed.reason, raw);
    let minor = 0;
    let currency: string | null = null;
    if (amount !== null) {
      const text = f[amount].trim();
      const money = parseMoney(text);
      if (!money.ok) throw located(file, record, amount, 'amount', money.reason, text);
      if (money.value.minor < 0) {
        throw located(
          file,
          record,
          amount,
          'amount',
          `negative amounts (refunds) are not purchases; net them out first, got "${text}"`,
          text,
        );
      }
      minor = money.value.minor;
      currency = money.value.currency;
    }
    return { id, day: parsed.value, minor, currency };
  };
}

/**
 * Reads a transactions file into the calibration summary. The calibration period ends at
 * `calibrationEnd`, else `asOf`, else the last purchase day in the file (found by a first pass);
 * the holdout ends at `holdoutEnd`, else at `asOf` when that is later than the calibration end.
 */
export async function readTransactions(
  file: string,
  columnOptions: ColumnOptions,
  period: PeriodOptions,
  onProgress: (fraction: number, rows: number) => void = () => {},
): Promise<TransactionsInput> {
  const layout = await sniffCsv(file);
  const columns = resolveColumns(file, await firstRecord(file, layout), columnOptions);
  const read = rowReader(file, columns);
  const size = Math.max(statSync(file).size, 1);

  async function pass(each: (r: Row) => void, share: number, base: number) {
    const counter: ByteCounter = { bytes: 0 };
    let rows = 0;
    let skipHeader = columns.header;
    for await (const record of records(file, layout, counter)) {
      if (skipHeader) {
        skipHeader = false;
        continue;
      }
      each(read(record));
      rows++;
      if (rows % 10_000 === 0) onProgress(base + (share * counter.bytes) / size, rows);
    }
    return rows;
  }

  let calibrationEnd = period.calibrationEnd ?? period.asOf;
  const twoPasses = calibrationEnd === undefined;
  if (calibrationEnd === undefined) {
    let last = Number.NEGATIVE_INFINITY;
    await pass(
      (r) => {
        last = Math.max(last, r.day.getTime());
      },
      0.5,
      0,
    );
    if (!Number.isFinite(last))
      throw new InputError(`${file}: the file has no transactions`, { file });
    calibrationEnd = new Date(Math.floor(last / MS_PER_DAY) * MS_PER_DAY);
  }
  let holdoutEnd: Date | null = period.holdoutEnd ?? null;
  if (holdoutEnd === null && period.asOf !== undefined && period.asOf > calibrationEnd) {
    holdoutEnd = period.asOf;
  }
  if (holdoutEnd !== null && holdoutEnd <= calibrationEnd) {
    throw new InputError(
      `--holdout-end ${isoDay(holdoutEnd)} must be after the calibration end ${isoDay(calibrationEnd)}`,
      { field: '--holdout-end', value: isoDay(holdoutEnd) },
    );
  }
  const acc = createSummaryAccumulator({
    calibrationEnd,
    holdoutEnd: holdoutEnd ?? undefined,
    unit: period.unit,
  });
  const currencies = new Set<string | null>();
  const lastDay = (holdoutEnd ?? calibrationEnd).getTime();
  let ignored = 0;
  const rows = await pass(
    (r) => {
      if (r.day.getTime() >= lastDay + MS_PER_DAY) ignored++;
      acc.add(r.id, r.day, r.minor);
      currencies.add(r.currency);
    },
    twoPasses ? 0.5 : 1,
    twoPasses ? 0.5 : 0,
  );
  if (rows === 0) throw new InputError(`${file}: the file has no transactions`, { file });
  const summary = acc.finish();
  return {
    ...toInput(file, columns, rows, currencies, calibrationEnd, holdoutEnd, summary),
    ignoredAfterEnd: ignored,
  };
}

function toInput(
  file: string,
  columns: ResolvedColumns,
  rows: number,
  currencies: Set<string | null>,
  calibrationEnd: Date,
  holdoutEnd: Date | null,
  s: CustomerSummary,
): Omit<TransactionsInput, 'ignoredAfterEnd'> {
  const keep: number[] = [];
  for (let i = 0; i < s.T.length; i++) if (s.T[i] > 0) keep.push(i);
  const pickArray = (a: Float64Array, scale = 1) => Float64Array.from(keep, (i) => a[i] * scale);
  if (keep.length === 0) {
    throw new InputError(
      `${file}: no customer made a first purchase before the calibration end ${isoDay(calibrationEnd)}`,
      { file },
    );
  }
  const days = (d: Date) => Math.floor(d.getTime() / MS_PER_DAY);
  const unitDays = daysPerUnit(s.unit);
  const calibrationEndAt = (days(calibrationEnd) - s.originDay) / unitDays;
  const currency = currencies.size === 1 ? [...currencies][0] : null;
  return {
    kind: 'transactions',
    file,
    columns,
    rows,
    currency,
    calibrationEnd,
    holdoutEnd,
    customerIds: keep.map((i) => s.customerIds[i]),
    x: pickArray(s.x),
    tx: pickArray(s.tx),
    T: pickArray(s.T),
    zbar: columns.amount === null ? null : pickArray(s.meanRepeatSpendMinor, 0.01),
    holdoutPurchases: pickArray(s.holdoutPurchases),
    firstPurchaseAt: pickArray(s.firstPurchaseAt),
    calibrationEndAt,
    holdoutEndAt:
      holdoutEnd === null ? calibrationEndAt : (days(holdoutEnd) - s.originDay) / unitDays,
    holdoutLength: holdoutEnd === null ? 0 : (days(holdoutEnd) - days(calibrationEnd)) / unitDays,
    droppedAtCalibrationEnd: s.T.length - keep.length,
    customersAfterCalibration: s.customersAfterCalibration,
  };
}

// ---------------------------------------------------------------------------------------------
// Summary files

export interface SummaryInput {
  kind: 'summary';
  file: string;
  customerIds: string[];
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** mean repeat spend (currency units), null when the file has no monetary column */
  zbar: Float64Array | null;
  /** the headers that were read as x, t_x, T, monetary */
  columns: Record<'id' | 'x' | 'tx' | 'T' | 'monetary', string | null>;
}

const SUMMARY_COLUMNS = {
  id: ['id', 'customer_id', 'customer', 'cust_id', 'customerid', '客户编号', '客户ID'],
  x: ['x', 'frequency'],
  tx: ['t_x', 'tx', 'recency'],
  T: ['T', 'age'],
  monetary: ['zbar', 'monetary_value', 'monetary', 'm_x', 'mean_spend'],
} as const;

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * Reads `x,t_x,T[,monetary]` per customer (also lifetimes' `frequency,recency,T,monetary_value`
 * and `zbar`); times in the unit the caller names, monetary in currency units.
 */
export async function readSummary(file: string): Promise<SummaryInput> {
  const layout = await sniffCsv(file);
  const ids: string[] = [];
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const m: number[] = [];
  let cols: Record<keyof typeof SUMMARY_COLUMNS, number> | null = null;
  let headers: string[] = [];
  for await (const record of records(file, layout)) {
    if (cols === null) {
      headers = record.fields.map((h) => h.trim());
      const keys = headers.map(normalizeHeader);
      const find = (words: readonly string[]) => {
        for (const w of words) {
          const k = keys.indexOf(normalizeHeader(w));
          if (k !== -1) return k;
        }
        return -1;
      };
      cols = {
        id: find(SUMMARY_COLUMNS.id),
        x: find(SUMMARY_COLUMNS.x),
        tx: find(SUMMARY_COLUMNS.tx),
        T: find(SUMMARY_COLUMNS.T),
        monetary: find(SUMMARY_COLUMNS.monetary),
      };
      const missing = (['x', 'tx', 'T'] as const).filter((k) => cols?.[k] === -1);
      if (missing.length > 0) {
        throw new InputError(
          `${file}: a summary file needs columns x (or frequency), t_x (or recency) and T; missing ${missing.map((k) => (k === 'tx' ? 't_x' : k)).join(', ')} among ${headers.map((h) => `"${h}"`).join(', ')}`,
          { file },
        );
      }
      continue;
    }
    const num = (k: number, field: string): number => {
      const text = (record.fields[k] ?? '').trim();
      if (!DECIMAL.test(text)) {
        throw located(
          file,
          record,
          k,
          field,
          `expected a number, got ${JSON.stringify(text)}`,
          text,
        );
      }
      return Number(text);
    };
    const xi = num(cols.x, 'x');
    const txi = num(cols.tx, 't_x');
    const Ti = num(cols.T, 'T');
    try {
      validateRfm(xi, txi, Ti, ids.length);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const field = String(error.details.field);
      const k = field === 'x' ? cols.x : field === 'T' ? cols.T : cols.tx;
      const reason = error.message.replace(/^customer \d+ \w+: /, '');
      throw located(file, record, k, field === 'tx' ? 't_x' : field, reason);
    }
    const monetary = cols.monetary === -1 ? 0 : num(cols.monetary, 'monetary');
    if (monetary < 0) {
      throw located(
        file,
        record,
        cols.monetary,
        'monetary',
        `expected an amount ≥ 0, got ${monetary}`,
      );
    }
    ids.push(cols.id === -1 ? String(ids.length + 1) : (record.fields[cols.id] ?? '').trim());
    x.push(xi);
    tx.push(txi);
    T.push(Ti);
    m.push(monetary);
  }
  if (cols === null || ids.length === 0) {
    throw new InputError(`${file}: the file has no customers`, { file });
  }
  const name = (k: number) => (k === -1 ? null : headers[k]);
  return {
    kind: 'summary',
    file,
    customerIds: ids,
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    zbar: cols.monetary === -1 ? null : Float64Array.from(m),
    columns: {
      id: name(cols.id),
      x: name(cols.x),
      tx: name(cols.tx),
      T: name(cols.T),
      monetary: name(cols.monetary),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// sBG survivors

const INLINE = /^[\d\s,;]+$/;

/**
 * `--survivors 1000,631,468` inline, or a file with one count per line (a header line is
 * skipped; with several columns the last one is read): customers still active after
 * 0, 1, 2, … periods, the first being the cohort size.
 */
export async function readSurvivors(
  spec: string,
): Promise<{ source: string; survivors: number[] }> {
  if (INLINE.test(spec)) {
    const parts = spec.split(/[\s,;]+/).filter((p) => p !== '');
    return { source: 'inline', survivors: parts.map(Number) };
  }
  let text: string;
  try {
    text = await readFile(spec, 'utf8');
  } catch (cause) {
    throw new InputError(`${spec}: cannot read the survivors file`, { file: spec }, cause);
  }
  const survivors: number[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(/[\s,;\t]+/);
    const value = fields[fields.length - 1];
    if (!/^\d+$/.test(value)) {
      if (survivors.length === 0 && i === 0) return; // header
      throw new InputError(
        `${spec}:${i + 1}:${fields.length} survivors: expected a whole number of customers, got ${JSON.stringify(value)}`,
        { file: spec, line: i + 1, column: fields.length, field: 'survivors', value },
      );
    }
    survivors.push(Number(value));
  });
  return { source: spec, survivors };
}
