/**
 * Writes a table as CSV or XLSX to a stream, batch by batch, so memory stays flat for a million
 * rows: the CLI's `--out` files (src/cli/table-export.ts) and the API's downloads
 * (GET /api/customers/export) both go through here. It sits in ingest, the layer below both
 * that knows the file formats (its readers are beside it).
 *
 * CSV is UTF-8 with a byte-order mark (Excel then opens Chinese text correctly), CRLF line ends,
 * fields quoted as RFC 4180 §2 where needed. XLSX uses exceljs's streaming workbook writer; a
 * sheet holds at most 1,048,576 rows (Excel specifications and limits), so longer tables go on
 * to a second sheet "data 2" with the header repeated.
 */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';

export type Cell = string | number | null;
export type TableFormat = 'csv' | 'xlsx';

/** Rows per XLSX sheet, the header included (Excel's limit). */
export const XLSX_SHEET_ROWS = 1_048_576;

function csvField(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Waits while `out` holds more than its high-water mark (back-pressure from a slow reader).
 * Throws when `out` is closed first (a download cancelled): waiting for 'drain' would never end.
 */
async function drained(out: Writable): Promise<void> {
  if (out.destroyed) throw new Error('the output was closed before the table was written');
  if (!out.writableNeedDrain) return;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the output was closed before the table was written'));
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}

/**
 * Writes `headers` then every row of `batches` to `out` and ends it; returns the number of rows
 * written (the header not counted). On an error `out` is left for the caller to destroy.
 */
export async function writeTableTo(
  out: Writable,
  format: TableFormat,
  headers: readonly string[],
  batches: AsyncIterable<Cell[][]>,
): Promise<number> {
  let rows = 0;
  if (format === 'csv') {
    const write = async (s: string) => {
      out.write(s, 'utf8');
      await drained(out);
    };
    await write(`\ufeff${headers.map(csvField).join(',')}\r\n`);
    for await (const batch of batches) {
      await write(batch.map((r) => `${r.map(csvField).join(',')}\r\n`).join(''));
      rows += batch.length;
    }
    out.end();
    await finished(out, { readable: false });
    return rows;
  }
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: false,
  });
  let sheetNo = 1;
  let sheet = workbook.addWorksheet('data');
  sheet.addRow([...headers]).commit();
  let inSheet = 1;
  for await (const batch of batches) {
    for (const r of batch) {
      if (inSheet === XLSX_SHEET_ROWS) {
        sheet.commit();
        sheet = workbook.addWorksheet(`data ${++sheetNo}`);
        sheet.addRow([...headers]).commit();
        inSheet = 1;
      }
      sheet.addRow(r).commit();
      inSheet++;
    }
    rows += batch.length;
    await drained(out);
  }
  sheet.commit();
  // commit() waits for 'finish', which a closed stream never emits: race it against closing.
  await Promise.all([workbook.commit(), finished(out, { readable: false })]);
  return rows;
}
