/**
 * `openRecordSource`: what `tenure import` calls for each file. It finds the format (CSV, XLSX,
 * JSON Lines), the encoding and delimiter, reads the header, decides the record kind and how
 * columns map to fields, and then streams validated rows. Problems with the file as a whole
 * throw an InputError at open; problems with a row come back as that row's RowResult.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RecordKind } from '../engine/records.js';
import { RECORD_KINDS } from '../engine/records.js';
import { InputError } from '../errors.js';
import {
  type ByteCounter,
  type CsvLayout,
  describeFsError,
  isBlankRecord,
  readCsv,
  sniffCsv,
} from './csv-reader.js';
import { bindColumns, type ColumnBinding, detectKind, missingFields } from './headers.js';
import { readJsonLines } from './jsonl-reader.js';
import { createRowValidator, type RowPlan, type RowResult, type RowValidator } from './validate.js';
import { type CellValue, checkTimeZone, DEFAULT_TIME_ZONE } from './values.js';
import { readXlsxRows } from './xlsx-reader.js';

export interface OpenOptions {
  kind?: RecordKind;
  /** `--map column=field`; a field of '' or '-' ignores the column */
  map?: Record<string, string>;
  /** IANA zone for dates and times written without one; default Asia/Shanghai */
  timeZone?: string;
  /** XLSX: the sheet to read; default the first */
  sheet?: string;
  /** ISO 4217 code for amounts that name no currency; default CNY */
  currency?: string;
}

export type FileFormat = 'csv' | 'xlsx' | 'jsonl';

export interface RecordSource {
  file: string;
  format: FileFormat;
  kind: RecordKind;
  /** 'utf-8', 'gb18030', 'utf-16le', 'utf-16be'; XLSX and JSON Lines are always 'utf-8' */
  encoding: string;
  /** CSV only; ' ' means runs of spaces and tabs */
  delimiter: string | null;
  /** how headers were understood; field null: not imported (customers keep it in attributes) */
  columns: { source: string; field: string | null }[];
  bytesTotal: number;
  /** bytes of the file read so far by the current `rows()` */
  bytesRead(): number;
  /** streams the rows from the start of the file, each time it is called */
  rows(): AsyncIterable<RowResult>;
}

const JSONL_SAMPLE_LINES = 1000;

async function detectFormat(file: string): Promise<FileFormat> {
  const ext = path.extname(file).toLowerCase();
  const head = Buffer.alloc(256);
  try {
    const handle = await open(file, 'r');
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new InputError(
      `${file}: cannot read the file (${describeFsError(cause)})`,
      { file },
      cause,
    );
  }
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new InputError(
      `${file}: this is an old Excel .xls workbook or a password-protected one; save it as .xlsx without a password, or as CSV, and import that`,
      { file },
    );
  }
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') {
    const first = head
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart()[0];
    if (first === '[') {
      throw new InputError(
        `${file}: this is one JSON array, not JSON Lines; write one object per line (jq -c '.[]' does it)`,
        { file },
      );
    }
    return 'jsonl';
  }
  return 'csv';
}

interface Header {
  cells: string[];
  /** physical line (CSV) or sheet row (XLSX) of the header; 0 for JSON Lines */
  line: number;
}

/** How many leading rows may be a title ("2024年销售明细") above the header. */
const TITLE_ROWS = 10;

/**
 * The header is the first row naming at least two columns; a report's title rows above it
 * (one filled cell) are skipped. A file of one column has its first row as the header.
 */
function pickHeader(rows: readonly Header[]): Header | null {
  const named = (h: Header): number => h.cells.filter((c) => c !== '').length;
  return rows.find((h) => named(h) >= 2) ?? rows[0] ?? null;
}

async function csvHeader(file: string, layout: CsvLayout): Promise<Header | null> {
  const preamble = layout.preambleLines ?? 0;
  const rows: Header[] = [];
  scan: for await (const batch of readCsv(file, layout)) {
    for (const r of batch) {
      if (r.line <= preamble || isBlankRecord(r.fields)) continue;
      rows.push({ cells: r.fields.map((f) => f.trim()), line: r.line });
      if (rows.length >= TITLE_ROWS) break scan;
    }
  }
  return pickHeader(rows);
}

async function xlsxHeader(file: string, sheet: string | undefined): Promise<Header | null> {
  const rows: Header[] = [];
  scan: for await (const batch of readXlsxRows(file, sheet === undefined ? {} : { sheet })) {
    for (const r of batch) {
      rows.push({
        cells: r.cells.map((c) => (c === null || c === undefined ? '' : String(c).trim())),
        line: r.line,
      });
      if (rows.length >= TITLE_ROWS) break scan;
    }
  }
  return pickHeader(rows);
}

/** JSON Lines have no header: the keys of the first objects stand in for one. */
async function jsonlKeys(file: string): Promise<Header | null> {
  const keys = new Set<string>();
  let seen = 0;
  scan: for await (const batch of readJsonLines(file)) {
    for (const l of batch) {
      if (l.ok && typeof l.value === 'object' && l.value !== null && !Array.isArray(l.value)) {
        for (const k of Object.keys(l.value)) keys.add(k);
      }
      if (++seen >= JSONL_SAMPLE_LINES) break scan;
    }
  }
  return keys.size === 0 ? null : { cells: [...keys], line: 0 };
}

/**
 * The header row's cells as written, or null for an empty file. For showing a file's columns
 * when it cannot be opened as a kind yet (a required column missing, the kind not detectable),
 * so a person can map them.
 */
export async function readHeaderCells(
  file: string,
  options: Pick<OpenOptions, 'sheet'> = {},
): Promise<string[] | null> {
  const format = await detectFormat(file);
  const header =
    format === 'csv'
      ? await csvHeader(file, await sniffCsv(file))
      : format === 'xlsx'
        ? await xlsxHeader(file, options.sheet)
        : await jsonlKeys(file);
  return header?.cells ?? null;
}

export async function openRecordSource(
  file: string,
  options: OpenOptions = {},
): Promise<RecordSource> {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  try {
    checkTimeZone(timeZone);
  } catch (cause) {
    throw new InputError(
      `unknown time zone "${timeZone}"; use an IANA name such as Asia/Shanghai`,
      { file, field: 'timeZone', value: timeZone },
      cause,
    );
  }
  if (options.kind !== undefined && !RECORD_KINDS.includes(options.kind)) {
    throw new InputError(`unknown kind "${options.kind}"; use one of ${RECORD_KINDS.join(', ')}`, {
      file,
      field: 'kind',
      value: options.kind,
    });
  }
  let bytesTotal: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    bytesTotal = info.size;
  } catch (cause) {
    throw new InputError(
      `${file}: cannot read the file (${describeFsError(cause)})`,
      { file },
      cause,
    );
  }
  const format = await detectFormat(file);
  let layout: CsvLayout | null = null;
  let header: Header | null;
  if (format === 'csv') {
    layout = await sniffCsv(file);
    header = await csvHeader(file, layout);
  } else if (format === 'xlsx') {
    header = await xlsxHeader(file, options.sheet);
  } else {
    header = await jsonlKeys(file);
  }
  if (header === null) {
    throw new InputError(
      format === 'jsonl'
        ? `${file}: no line holds a JSON object, so there are no fields to import`
        : `${file}: the file is empty; the first row should name the columns`,
      { file },
    );
  }
  const map = options.map ?? {};
  const kind = options.kind ?? detectKind(header.cells, map, file);
  const bindings = bindColumns(kind, header.cells, map, file);
  const missing = missingFields(kind, bindings);
  if (missing.length > 0) {
    throw new InputError(
      `${file}: importing ${kind} needs a column for ${missing.join(', ')}; the columns are ${header.cells.map((h) => `"${h}"`).join(', ')}; name one with --map column=field`,
      { file, field: missing[0] },
    );
  }
  const plan: RowPlan = {
    file,
    kind,
    bindings,
    timeZone,
    currency: options.currency ?? 'CNY',
    columnNumbers: format !== 'jsonl',
  };
  const validate = createRowValidator(plan);
  let counter: ByteCounter = { bytes: 0 };
  const headerCells = header.cells;
  const headerLine = header.line;
  return {
    file,
    format,
    kind,
    encoding: layout?.encoding ?? 'utf-8',
    delimiter: layout?.delimiter ?? null,
    columns: bindings.map((b) => ({ source: b.source, field: b.field })),
    bytesTotal,
    bytesRead: () => counter.bytes,
    rows: () =>
      oneByOne(() => {
        counter = { bytes: 0 };
        if (format === 'csv') {
          return csvRows(file, layout!, headerLine, headerCells.length, validate, counter);
        }
        if (format === 'xlsx') {
          return xlsxRows(file, options.sheet, headerLine, validate, counter);
        }
        return jsonlRows(file, bindings, validate, counter);
      }),
  };
}

/**
 * Rows one by one from batches of rows. Readers work in batches so that the cost of an async
 * step is paid per batch; this hands the rows out without an async generator's per-item cost.
 */
function oneByOne<T>(batches: () => AsyncIterator<T[]>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const source = batches();
      let buffer: T[] = [];
      let i = 0;
      const fill = async (): Promise<IteratorResult<T>> => {
        while (i >= buffer.length) {
          const next = await source.next();
          if (next.done) return { done: true, value: undefined };
          buffer = next.value;
          i = 0;
        }
        return { done: false, value: buffer[i++] };
      };
      return {
        next: () =>
          i < buffer.length ? Promise.resolve({ done: false, value: buffer[i++] }) : fill(),
        return: async () => {
          await source.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

function extraCellsProblem(
  file: string,
  line: number,
  cells: readonly CellValue[],
  width: number,
): RowResult | null {
  for (let i = width; i < cells.length; i++) {
    const v = cells[i];
    if (v !== null && v !== undefined && String(v).trim() !== '') {
      return {
        ok: false,
        line,
        problems: [
          {
            file,
            line,
            column: i + 1,
            field: null,
            value: String(v),
            reason: `the row has ${cells.length} fields but the header names ${width}; is a delimiter or quote out of place?`,
          },
        ],
        raw: Object.fromEntries(
          cells.map((c, j) => [String(j + 1), c === null || c === undefined ? '' : String(c)]),
        ),
      };
    }
  }
  return null;
}

async function* csvRows(
  file: string,
  layout: CsvLayout,
  headerLine: number,
  width: number,
  validate: RowValidator,
  counter: ByteCounter,
): AsyncGenerator<RowResult[]> {
  for await (const batch of readCsv(file, layout, counter)) {
    const out: RowResult[] = [];
    for (const record of batch) {
      if (record.line <= headerLine || isBlankRecord(record.fields)) continue;
      const extra =
        record.fields.length > width
          ? extraCellsProblem(file, record.line, record.fields, width)
          : null;
      out.push(extra ?? validate(record.fields, record.line));
    }
    yield out;
  }
}

/** Cells right of the header's last column are notes people keep beside a table: ignored. */
async function* xlsxRows(
  file: string,
  sheet: string | undefined,
  headerLine: number,
  validate: RowValidator,
  counter: ByteCounter,
): AsyncGenerator<RowResult[]> {
  for await (const batch of readXlsxRows(file, sheet === undefined ? {} : { sheet }, counter)) {
    const out: RowResult[] = [];
    for (const row of batch) {
      if (row.line > headerLine) out.push(validate(row.cells, row.line));
    }
    yield out;
  }
}

async function* jsonlRows(
  file: string,
  bindings: readonly ColumnBinding[],
  validate: RowValidator,
  counter: ByteCounter,
): AsyncGenerator<RowResult[]> {
  const known = new Set(bindings.map((b) => b.source));
  for await (const batch of readJsonLines(file, counter)) {
    const out: RowResult[] = [];
    for (const l of batch) {
      if (!l.ok) {
        out.push({
          ok: false,
          line: l.line,
          problems: [
            {
              file,
              line: l.line,
              column: l.column,
              field: null,
              value: l.text.length > 80 ? `${l.text.slice(0, 80)}…` : l.text,
              reason: `invalid JSON: ${l.reason}`,
            },
          ],
          raw: {},
        });
        continue;
      }
      const value = l.value;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        out.push({
          ok: false,
          line: l.line,
          problems: [
            {
              file,
              line: l.line,
              column: null,
              field: null,
              value: JSON.stringify(value),
              reason: 'expected a JSON object on each line',
            },
          ],
          raw: {},
        });
        continue;
      }
      const object = value as Record<string, unknown>;
      const cells = bindings.map((b) => object[b.source] as CellValue);
      // Keys first seen after the sampled lines: customers keep them as attributes.
      let extras: Record<string, unknown> | undefined;
      for (const key of Object.keys(object)) {
        if (!known.has(key)) {
          extras ??= {};
          extras[key] = object[key];
        }
      }
      out.push(validate(cells, l.line, extras));
    }
    yield out;
  }
}
