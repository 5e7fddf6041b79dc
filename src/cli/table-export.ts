/**
 * Writes a table to a CSV or XLSX file, chosen by the file's extension, streamed batch by batch
 * so memory stays flat for a million rows. CSV is UTF-8 with a byte-order mark (Excel then
 * opens Chinese text correctly), CRLF line ends, fields quoted as RFC 4180 §2 where needed.
 * XLSX uses exceljs's streaming workbook writer. The file appears only when complete: rows go
 * to `<file>.partial` and are renamed at the end.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { InputError } from '../errors.js';

export type Cell = string | number | null;

export function exportFormat(file: string): 'csv' | 'xlsx' {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.xlsx')) return 'xlsx';
  throw new InputError(`--out ${file}: expected a file name ending in .csv or .xlsx`, {
    field: '--out',
    value: file,
  });
}

function csvField(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Writes `headers` then every row of `batches`; returns the number of rows written. */
export async function writeTable(
  file: string,
  headers: readonly string[],
  batches: AsyncIterable<Cell[][]>,
): Promise<number> {
  const format = exportFormat(file);
  const partial = `${file}.partial`;
  let rows = 0;
  try {
    if (format === 'csv') {
      const out = createWriteStream(partial, { encoding: 'utf8' });
      const write = async (s: string) => {
        if (!out.write(s)) await once(out, 'drain');
      };
      await write(`\ufeff${headers.map(csvField).join(',')}\r\n`);
      for await (const batch of batches) {
        await write(batch.map((r) => `${r.map(csvField).join(',')}\r\n`).join(''));
        rows += batch.length;
      }
      out.end();
      await once(out, 'finish');
    } else {
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
        filename: partial,
        useSharedStrings: false,
        useStyles: false,
      });
      const sheet = workbook.addWorksheet('data');
      sheet.addRow([...headers]).commit();
      for await (const batch of batches) {
        for (const r of batch) sheet.addRow(r).commit();
        rows += batch.length;
      }
      sheet.commit();
      await workbook.commit();
    }
    await rename(partial, file);
    return rows;
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
}
