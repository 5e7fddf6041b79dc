/**
 * `tenure import`: read files, validate every row, and load them in one transaction.
 * By default one bad row rejects the whole import (nothing is written) and the report names
 * file, line, column, field, value and reason; with `skipInvalid` the valid rows are loaded and
 * the rejected ones written, with their reasons, to a rejects file.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import {
  type CustomerRecord,
  type ProductRecord,
  RECORD_KINDS,
  type RecordKind,
} from '../engine/records.js';
import { InputError } from '../errors.js';
import type { Db } from '../store/db.js';
import { ImportBatch, type ImportCounts } from '../store/import-repo.js';
import { openRecordSource, type RecordSource } from './source.js';
import { formatProblem, type RowProblem } from './validate.js';

export interface ImportFilesOptions {
  kind?: RecordKind;
  /** source column → Tenure field */
  map?: Record<string, string>;
  skipInvalid?: boolean;
  /** where rejected rows go with `skipInvalid` (default: `<first file>.rejects.csv`) */
  rejectsFile?: string;
  strict?: boolean;
  timeZone?: string;
  /** problems listed in the report; the rest are counted */
  maxProblems?: number;
  onProgress?: (p: ImportProgress) => void;
  /**
   * runs inside the import's transaction after the merge, before the commit (the API writes its
   * audit row here, so the row exists exactly when the import does)
   */
  beforeCommit?: (tx: Db, counts: ImportCounts) => Promise<void>;
}

export interface ImportProgress {
  /** reading and staging rows, then merging them into the tables */
  phase: 'reading' | 'merging';
  file: string;
  fileIndex: number;
  files: number;
  rows: number;
  bytesRead: number;
  bytesTotal: number;
}

export interface FileReport {
  file: string;
  kind: RecordKind;
  format: string;
  encoding: string;
  delimiter: string | null;
  columns: { source: string; field: string | null }[];
  rows: number;
  valid: number;
  rejected: number;
}

export interface ImportReport {
  files: FileReport[];
  counts: ImportCounts;
  /** the first `maxProblems` problems */
  problems: RowProblem[];
  problemCount: number;
  rejectsFile: string | null;
  ms: number;
}

const KIND_ORDER = new Map(RECORD_KINDS.map((k, i) => [k, i]));

/** The record fields a source column fills (header fields are named for what users write). */
const RECORD_FIELDS: Record<string, readonly string[]> = {
  region: ['province', 'city'],
  listPrice: ['listPriceMinor'],
  unitCost: ['unitCostMinor'],
};

const PROGRESS_EVERY = 5_000;

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

class RejectsWriter {
  private readonly out;
  constructor(readonly path: string) {
    this.out = createWriteStream(path, { encoding: 'utf8' });
    this.out.write('\uFEFFfile,line,column,field,value,reason,row\n');
  }
  async write(problems: RowProblem[], raw: Record<string, string>) {
    const p = problems[0];
    const line = [
      p.file,
      String(p.line),
      p.column === null ? '' : String(p.column),
      p.field ?? '',
      p.value ?? '',
      problems.map((q) => `${q.field}: ${q.reason}`).join('; '),
      JSON.stringify(raw),
    ]
      .map(csvCell)
      .join(',');
    if (!this.out.write(`${line}\n`)) await once(this.out, 'drain');
  }
  async close() {
    this.out.end();
    await once(this.out, 'finish');
  }
}

/**
 * Opens every file and understands its headers, without touching the database: a file-level
 * problem (unreadable, unknown headers, a bad --map) fails before any work.
 */
export async function openSources(
  files: readonly string[],
  options: Pick<ImportFilesOptions, 'kind' | 'map' | 'timeZone'> = {},
): Promise<RecordSource[]> {
  if (files.length === 0) throw new InputError('no files to import');
  const sources: RecordSource[] = [];
  for (const file of files) {
    sources.push(
      await openRecordSource(file, {
        kind: options.kind,
        map: options.map,
        timeZone: options.timeZone,
      }),
    );
  }
  return sources;
}

/** Imports `files` into `db` in one transaction. Throws InputError (nothing written) on bad rows unless `skipInvalid`. */
export async function importFiles(
  db: Db,
  files: readonly string[] | readonly RecordSource[],
  options: ImportFilesOptions = {},
): Promise<ImportReport> {
  const started = performance.now();
  const maxProblems = options.maxProblems ?? 100;
  const sources =
    files.length > 0 && typeof files[0] !== 'string'
      ? (files as readonly RecordSource[])
      : await openSources(files as readonly string[], options);
  // Customers and products first, so orders find their customers.
  const ordered = sources
    .map((s, i) => ({ s, i }))
    .sort((a, b) => KIND_ORDER.get(a.s.kind)! - KIND_ORDER.get(b.s.kind)! || a.i - b.i)
    .map((x) => x.s);

  const problems: RowProblem[] = [];
  let problemCount = 0;
  const rejects = options.skipInvalid
    ? new RejectsWriter(options.rejectsFile ?? `${sources[0].file}.rejects.csv`)
    : null;
  const reports: FileReport[] = [];
  const customerFields = new Map<string, Set<keyof CustomerRecord>>();
  const productFields = new Map<string, Set<keyof ProductRecord>>();

  try {
    const counts = await db.transaction(async (tx) => {
      const batch = new ImportBatch(tx);
      for (const [fileIndex, source] of ordered.entries()) {
        const report: FileReport = {
          file: source.file,
          kind: source.kind,
          format: source.format,
          encoding: source.encoding,
          delimiter: source.delimiter,
          columns: source.columns,
          rows: 0,
          valid: 0,
          rejected: 0,
        };
        reports.push(report);
        // Each file overwrites only the fields it has (a file without a city column keeps the
        // cities already known).
        const present = new Set<string>();
        for (const c of source.columns) {
          if (!c.field) continue;
          for (const f of RECORD_FIELDS[c.field] ?? [c.field]) present.add(f.split('.')[0]);
        }
        if (source.kind === 'customers') {
          if (source.columns.some((c) => c.field === null)) present.add('attributes');
          customerFields.set(source.file, present as Set<keyof CustomerRecord>);
        }
        if (source.kind === 'products') {
          productFields.set(source.file, present as Set<keyof ProductRecord>);
        }
        const progress = () =>
          options.onProgress?.({
            phase: 'reading',
            file: source.file,
            fileIndex,
            files: ordered.length,
            rows: report.rows,
            bytesRead: source.bytesRead(),
            bytesTotal: source.bytesTotal,
          });
        for await (const row of source.rows()) {
          report.rows++;
          if (row.ok) {
            report.valid++;
            // Once the import is doomed, stop loading: only keep reading to report problems.
            if (problemCount === 0 || options.skipInvalid) {
              await batch.add(row.item, source.file, row.line);
            }
          } else {
            report.rejected++;
            problemCount += row.problems.length;
            for (const p of row.problems) if (problems.length < maxProblems) problems.push(p);
            await rejects?.write(row.problems, row.raw);
          }
          if (report.rows % PROGRESS_EVERY === 0) progress();
        }
        progress();
      }
      if (problemCount > 0 && !options.skipInvalid) {
        const rows = reports.reduce((n, r) => n + r.rejected, 0);
        throw new InputError(
          `${formatProblem(problems[0])}; ${problemCount} problem${problemCount === 1 ? '' : 's'} in ${rows} row${rows === 1 ? '' : 's'}: nothing was imported`,
          {
            file: problems[0].file,
            line: problems[0].line,
            ...(problems[0].column === null ? {} : { column: problems[0].column }),
            ...(problems[0].field === null ? {} : { field: problems[0].field }),
            value: problems[0].value,
            problems,
            problemCount,
          },
        );
      }
      const last = reports[reports.length - 1];
      options.onProgress?.({
        phase: 'merging',
        file: last.file,
        fileIndex: reports.length - 1,
        files: reports.length,
        rows: last.rows,
        bytesRead: 0,
        bytesTotal: 0,
      });
      const merged = await batch.finish({
        strict: options.strict ?? false,
        customerFields,
        productFields,
      });
      await options.beforeCommit?.(tx, merged);
      return merged;
    });
    return {
      files: reports,
      counts,
      problems,
      problemCount,
      rejectsFile: rejects?.path ?? null,
      ms: performance.now() - started,
    };
  } finally {
    await rejects?.close();
  }
}
