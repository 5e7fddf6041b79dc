/** Public surface of ingest: open a file as a stream of validated records. */
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
export { type JsonLine, readJsonLines } from './jsonl-reader.js';
export {
  type FileFormat,
  type OpenOptions,
  openRecordSource,
  type RecordSource,
} from './source.js';
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
