/**
 * Files uploaded through the API (issue 8 §9). The bytes go to a private temporary folder and
 * are opened exactly as `tenure import` opens a file (format, encoding, delimiter, header
 * mapping, kind); `check` validates every row without touching the database (the dry run), and
 * `import` loads the file with the CLI's own `importFiles` (staged COPY, one set-based merge in
 * one transaction, idempotent). The folder is removed by `close` whatever happened.
 *
 * Messages name the upload by its own name, not the temporary path, and say `kind` and
 * `map=column=field` (the query parameters) where the CLI says `--kind` and `--map`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RecordKind } from '../engine/records.js';
import { InputError, TenureError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { ImportCounts } from '../store/import-repo.js';
import { bindColumns, fieldNames, kindFromFileName, missingFields } from './headers.js';
import { importFiles } from './import-files.js';
import { openRecordSource, type RecordSource, readHeaderCells } from './source.js';
import type { RowProblem } from './validate.js';

/** What the API accepts as a body: CSV in any encoding the CLI reads, or an XLSX workbook. */
export type UploadFormat = 'csv' | 'xlsx';

export interface UploadOptions {
  /** the file's name as the user had it (helps detect the kind: 订单.csv → transactions) */
  name: string;
  format: UploadFormat;
  kind?: RecordKind;
  /** source column → Tenure field, as `--map`; a field of '-' ignores the column */
  map?: Record<string, string>;
  timeZone?: string;
}

/** A row problem as the API reports it: where (line, 1-based column, field), what and why. */
export interface UploadProblem {
  line: number;
  column: number | null;
  field: string | null;
  value: string | null;
  reason: string;
}

interface UploadDescription {
  kind: RecordKind;
  format: string;
  encoding: string;
  delimiter: string | null;
  /** how each source column was understood; field null: not imported as a field */
  mapping: { column: string; field: string | null }[];
  /** the fields of `kind` a column may be mapped to */
  fields: string[];
}

export interface UploadCheck extends UploadDescription {
  dryRun: true;
  rows: number;
  valid: number;
  rejected: number;
  /** the first `maxProblems` problems */
  problems: UploadProblem[];
  problemCount: number;
}

export interface UploadImport extends UploadDescription {
  dryRun: false;
  rows: number;
  valid: number;
  rejected: number;
  counts: ImportCounts;
  /** with skipInvalid: the rejected rows' problems (the first `maxProblems`) */
  problems: UploadProblem[];
  problemCount: number;
  ms: number;
}

export interface UploadProgress {
  /** reading and staging rows, then merging them into the tables */
  phase: 'reading' | 'merging';
  rows: number;
}

export interface Upload {
  readonly name: string;
  readonly source: RecordSource;
  check(maxProblems?: number): Promise<UploadCheck>;
  /**
   * Imports the file through `importFiles` in one transaction. Throws InputError (nothing
   * written) with `details.problems` when a row is bad, unless `skipInvalid`.
   */
  import(
    db: Db,
    options?: {
      skipInvalid?: boolean;
      maxProblems?: number;
      onProgress?: (p: UploadProgress) => void;
      beforeCommit?: (tx: Db, counts: ImportCounts) => Promise<void>;
    },
  ): Promise<UploadImport>;
  close(): Promise<void>;
}

/** The upload's own name, safe as a file name, with the extension of its format. */
function fileNameOf(name: string, format: UploadFormat): string {
  const base =
    path
      .basename(name)
      .replace(/[^\p{L}\p{N}._-]+/gu, '_')
      .slice(0, 100) || 'upload';
  if (format === 'xlsx') return /\.xlsx$/i.test(base) ? base : `${base}.xlsx`;
  return /\.(csv|txt|tsv)$/i.test(base) ? base : `${base}.csv`;
}

function stripFile(p: RowProblem): UploadProblem {
  const { file: _file, ...rest } = p;
  return rest;
}

/** The CLI's wording and the temporary path, rewritten for someone calling the API. */
function forApi(message: string, file: string, name: string): string {
  return message
    .split(file)
    .join(name)
    .replace(/--map column=field/g, 'map=column=field')
    .replace(/--map /g, 'map=')
    .replace(/--kind/g, 'kind');
}

function rewrite(error: unknown, file: string, name: string): unknown {
  if (!(error instanceof TenureError) || error.code !== 'invalid_input') return error;
  const details = { ...error.details };
  if (details.file === file) details.file = name;
  if (Array.isArray(details.problems)) {
    details.problems = (details.problems as RowProblem[]).map(stripFile);
  }
  return new InputError(forApi(error.message, file, name), details, error);
}

/**
 * Writes `bytes` to a private temporary folder and opens it as `tenure import` would. A file
 * that cannot be opened (empty, the kind not detectable, a required column missing, a bad
 * `map`) is an InputError whose details carry the file's `columns` and, when a kind is known,
 * the `mapping`, `fields` and `missing` fields, so a person can map the columns and retry.
 */
export async function openUpload(bytes: Uint8Array, options: UploadOptions): Promise<Upload> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tenure-upload-'));
  const name = fileNameOf(options.name, options.format);
  const file = path.join(dir, name);
  const close = () => rm(dir, { recursive: true, force: true });
  let source: RecordSource;
  try {
    await writeFile(file, bytes, { mode: 0o600 });
    try {
      source = await openRecordSource(file, {
        kind: options.kind,
        map: options.map,
        timeZone: options.timeZone,
      });
    } catch (error) {
      throw await explainOpenError(rewrite(error, file, name), file, name, options);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const described = (): UploadDescription => ({
    kind: source.kind,
    format: source.format,
    encoding: source.encoding,
    delimiter: source.delimiter,
    mapping: source.columns.map((c) => ({ column: c.source, field: c.field })),
    fields: fieldNames(source.kind),
  });
  return {
    name,
    source,
    async check(maxProblems = 1000) {
      const problems: UploadProblem[] = [];
      let problemCount = 0;
      let rows = 0;
      let valid = 0;
      try {
        for await (const row of source.rows()) {
          rows++;
          if (row.ok) {
            valid++;
            continue;
          }
          problemCount += row.problems.length;
          for (const p of row.problems) {
            if (problems.length < maxProblems) problems.push(stripFile(p));
          }
        }
      } catch (error) {
        throw rewrite(error, file, name);
      }
      return {
        dryRun: true,
        ...described(),
        rows,
        valid,
        rejected: rows - valid,
        problems,
        problemCount,
      };
    },
    async import(db, opts = {}) {
      try {
        const report = await importFiles(db, [source], {
          skipInvalid: opts.skipInvalid ?? false,
          rejectsFile: path.join(dir, 'rejects.csv'),
          maxProblems: opts.maxProblems ?? 1000,
          timeZone: options.timeZone,
          beforeCommit: opts.beforeCommit,
          onProgress: (p) => opts.onProgress?.({ phase: p.phase, rows: p.rows }),
        });
        const f = report.files[0];
        return {
          dryRun: false,
          ...described(),
          rows: f.rows,
          valid: f.valid,
          rejected: f.rejected,
          counts: report.counts,
          problems: report.problems.map(stripFile),
          problemCount: report.problemCount,
          ms: Math.round(report.ms),
        };
      } catch (error) {
        throw rewrite(error, file, name);
      }
    },
    close,
  };
}

/** Adds the file's columns (and a mapping, when a kind is known) to a file-level InputError. */
async function explainOpenError(
  error: unknown,
  file: string,
  name: string,
  options: UploadOptions,
): Promise<unknown> {
  if (!(error instanceof InputError)) return error;
  let columns: string[] | null = null;
  try {
    columns = await readHeaderCells(file);
  } catch {
    return error; // unreadable: the message already says why
  }
  if (!columns) return error;
  const kind = options.kind ?? kindFromFileName(name);
  const details: Record<string, unknown> = { ...error.details, columns };
  if (kind) {
    let bindings: ReturnType<typeof bindColumns>;
    try {
      bindings = bindColumns(kind, columns, options.map ?? {}, file);
    } catch {
      bindings = bindColumns(kind, columns, {}, file);
    }
    details.kind = kind;
    details.mapping = bindings.map((b) => ({ column: b.source, field: b.field }));
    details.fields = fieldNames(kind);
    details.missing = missingFields(kind, bindings);
  }
  return new InputError(error.message, details, error.cause ?? error);
}
