/**
 * XLSX (Office Open XML spreadsheets) read row by row with exceljs' streaming WorkbookReader, so
 * a large workbook never sits in memory whole. Cells come as the sheet holds them: numbers,
 * strings, booleans, and `Date` for date-formatted cells (whose UTC fields are Excel's
 * wall-clock time; values.ts reads them in the import's time zone).
 */
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import ExcelJS from 'exceljs';
import { InputError } from '../errors.js';
import type { ByteCounter } from './csv-reader.js';
import { describeFsError } from './csv-reader.js';
import type { CellValue } from './values.js';

export interface SheetRow {
  /** 1-based row number in the sheet */
  line: number;
  /** cells[i] is column i + 1 (A = 0) */
  cells: CellValue[];
}

/** A cell's value without exceljs' wrappers: rich text, formulas, hyperlinks, errors. */
function plainCell(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || value instanceof Date) return value as CellValue;
  const v = value as {
    richText?: { text: string }[];
    result?: unknown;
    formula?: unknown;
    sharedFormula?: unknown;
    text?: unknown;
    error?: unknown;
  };
  if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
  if ('formula' in v || 'sharedFormula' in v || 'result' in v) return plainCell(v.result);
  if (typeof v.text === 'string') return v.text;
  if (typeof v.error === 'string') return v.error;
  return JSON.stringify(value);
}

/**
 * Streams the rows of the named sheet (or the first) in batches of up to 1,000. Empty rows are
 * not returned. A sheet name that does not exist is an InputError listing the sheets there are.
 */
export async function* readXlsxRows(
  file: string,
  options: { sheet?: string } = {},
  counter: ByteCounter = { bytes: 0 },
): AsyncGenerator<SheetRow[]> {
  const input = createReadStream(file, { highWaterMark: 256 * 1024 });
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      done(null, chunk);
    },
  });
  input.on('error', (error) => counting.destroy(error));
  input.pipe(counting);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(counting, {
    entries: 'ignore',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
  });
  const seen: string[] = [];
  let found = false;
  try {
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name?: string }).name ?? `Sheet${seen.length + 1}`;
      seen.push(name);
      const wanted =
        options.sheet === undefined
          ? !found
          : name === options.sheet || name.toLowerCase() === options.sheet.toLowerCase();
      if (!wanted || found) {
        // The zip is read in order: an unwanted sheet must still be read through.
        for await (const _row of sheet) {
          // skipped
        }
        continue;
      }
      found = true;
      let batch: SheetRow[] = [];
      for await (const row of sheet) {
        const values = row.values as unknown[];
        const cells: CellValue[] = [];
        let blank = true;
        for (let c = 1; c < values.length; c++) {
          const v = plainCell(values[c]);
          cells.push(v);
          if (v !== null && !(typeof v === 'string' && v.trim() === '')) blank = false;
        }
        if (blank) continue;
        batch.push({ line: row.number, cells });
        if (batch.length >= 1000) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      if (options.sheet === undefined) break;
    }
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new InputError(
      `${file}: cannot read the workbook (${describeFsError(cause)})`,
      { file },
      cause,
    );
  } finally {
    input.destroy();
    counting.destroy();
  }
  if (!found && options.sheet !== undefined) {
    throw new InputError(
      `${file}: there is no sheet "${options.sheet}"; the sheets are ${seen.map((s) => `"${s}"`).join(', ')}`,
      { file, field: 'sheet', value: options.sheet },
    );
  }
}
