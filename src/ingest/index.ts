/**
 * Public surface of ingest: open a file as a stream of validated records.
 *
 *   const source = await openRecordSource(file, { kind, map: parseColumnMap(mapArgs) });
 *   for await (const row of source.rows()) {
 *     if (row.ok) stage(row.item);            // AnyRecord: { kind, record }
 *     else report(row.problems.map(formatProblem));
 *     progress(source.bytesRead(), source.bytesTotal);
 *   }
 *
 * Whole-file problems (unreadable, empty, kind not detectable, bad --map) throw InputError.
 */
export {
  type ByteCounter,
  type CsvDelimiter,
  type CsvLayout,
  type CsvRecord,
  readCsv,
  sniffCsv,
} from './csv-reader.js';
export {
  type ColumnBinding,
  type ColumnMap,
  FIELDS,
  fieldNames,
  kindFromFileName,
  normalizeHeader,
  parseColumnMap,
} from './headers.js';
export {
  type FileReport,
  type ImportFilesOptions,
  type ImportProgress,
  type ImportReport,
  importFiles,
  openSources,
} from './import-files.js';
export { type JsonLine, readJsonLines } from './jsonl-reader.js';
export {
  type FileFormat,
  type OpenOptions,
  openRecordSource,
  type RecordSource,
} from './source.js';
export {
  type Cell,
  type TableFormat,
  writeTableTo,
  XLSX_SHEET_ROWS,
} from './table-writer.js';
export {
  openUpload,
  type Upload,
  type UploadCheck,
  type UploadFormat,
  type UploadImport,
  type UploadOptions,
  type UploadProblem,
  type UploadProgress,
} from './upload.js';
export { formatProblem, type RowProblem, type RowResult } from './validate.js';
export {
  DEFAULT_TIME_ZONE,
  type Money,
  type Parsed,
  parseBoolean,
  parseCalendarDate,
  parseGender,
  parseInstant,
  parseInteractionType,
  parseMoney,
  parsePhones,
  parseStatus,
} from './values.js';
export { readXlsxRows, type SheetRow } from './xlsx-reader.js';
