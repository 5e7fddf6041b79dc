/**
 * Writes a table to a CSV or XLSX file, chosen by the file's extension (the format itself is
 * src/ingest/table-writer.ts, shared with the API's downloads). The file appears only when
 * complete: rows go to `<file>.partial` and are renamed at the end.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { type Cell, writeTableTo } from '../ingest/index.js';

export function exportFormat(file: string): 'csv' | 'xlsx' {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.xlsx')) return 'xlsx';
  throw new InputError(`--out ${file}: expected a file name ending in .csv or .xlsx`, {
    field: '--out',
    value: file,
  });
}

/** Writes `headers` then every row of `batches`; returns the number of rows written. */
export async function writeTable(
  file: string,
  headers: readonly string[],
  batches: AsyncIterable<Cell[][]>,
): Promise<number> {
  const format = exportFormat(file);
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  try {
    const rows = await writeTableTo(out, format, headers, batches);
    await rename(partial, file);
    return rows;
  } catch (e) {
    out.destroy();
    await rm(partial, { force: true });
    throw e;
  }
}
