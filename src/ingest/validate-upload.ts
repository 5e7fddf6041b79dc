/**
 * Checking an uploaded file before anything is written (issue 8 §9 "validation report (line,
 * column, reason) before anything is written"): the bytes go to a private temporary folder, are
 * opened exactly as `tenure import` opens a file (format, encoding, delimiter, header mapping,
 * kind), and every row is validated; the database is never touched. The folder is removed
 * afterwards whatever happens.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RecordKind } from '../engine/records.js';
import { openRecordSource } from './source.js';
import type { RowProblem } from './validate.js';

export interface UploadCheck {
  dryRun: true;
  kind: RecordKind;
  format: string;
  encoding: string;
  delimiter: string | null;
  /** how each source column was understood; field null: not imported as a field */
  mapping: { column: string; field: string | null }[];
  rows: number;
  valid: number;
  rejected: number;
  /** the first `maxProblems` problems, each with its line and 1-based column */
  problems: {
    line: number;
    column: number | null;
    field: string | null;
    value: string | null;
    reason: string;
  }[];
  problemCount: number;
}

/**
 * Validates `bytes` as an import file named `name` (its extension and name help detect the
 * format and the kind). Whole-file problems (no header, kind not detectable) throw InputError.
 */
export async function checkUpload(
  bytes: Uint8Array,
  options: { name: string; kind?: RecordKind; maxProblems?: number },
): Promise<UploadCheck> {
  const maxProblems = options.maxProblems ?? 200;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tenure-upload-'));
  try {
    const file = path.join(dir, path.basename(options.name));
    await writeFile(file, bytes, { mode: 0o600 });
    const source = await openRecordSource(file, { kind: options.kind });
    const problems: RowProblem[] = [];
    let problemCount = 0;
    let rows = 0;
    let valid = 0;
    for await (const row of source.rows()) {
      rows++;
      if (row.ok) {
        valid++;
        continue;
      }
      problemCount += row.problems.length;
      for (const p of row.problems) if (problems.length < maxProblems) problems.push(p);
    }
    return {
      dryRun: true,
      kind: source.kind,
      format: source.format,
      encoding: source.encoding,
      delimiter: source.delimiter,
      mapping: source.columns.map((c) => ({ column: c.source, field: c.field })),
      rows,
      valid,
      rejected: rows - valid,
      // The temporary file's name means nothing to the caller: problems carry line and column.
      problems: problems.map(({ file: _f, ...p }) => p),
      problemCount,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
