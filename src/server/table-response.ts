/**
 * A table as a downloadable file: CSV as RFC 4180 §2 (fields with quotes, commas or line breaks
 * quoted, quotes doubled; CRLF line ends) in UTF-8 with a byte-order mark, so Excel opens Chinese
 * text correctly; or XLSX written by exceljs. Built in memory: the tables served (a campaign's
 * contact list) are a segment's size, not the whole base.
 */
import ExcelJS from 'exceljs';

export type Cell = string | number | null;

function csvField(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function tableCsv(headers: readonly string[], rows: readonly Cell[][]): string {
  return `\ufeff${[headers, ...rows].map((r) => `${r.map(csvField).join(',')}\r\n`).join('')}`;
}

export async function tableXlsx(
  sheetName: string,
  headers: readonly string[],
  rows: readonly Cell[][],
): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(sheetName);
  sheet.addRow([...headers]);
  for (const r of rows) sheet.addRow(r.map((v) => v ?? ''));
  return Buffer.from(await book.xlsx.writeBuffer());
}
