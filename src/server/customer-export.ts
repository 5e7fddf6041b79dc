/**
 * The customer list as a file (issue 8 §2): the columns the web page's column chooser offers,
 * each turned into one or more spreadsheet columns with a header in the reader's language, and
 * the rows streamed from the store (already scoped and masked there) through the table writer.
 */
import { PassThrough } from 'node:stream';
import { type Cell, type TableFormat, writeTableTo } from '../ingest/index.js';
import type { Customer } from '../store/customer-repo.js';

export type ExportLanguage = 'zh-CN' | 'en';

interface ExportColumn {
  headers: Record<ExportLanguage, readonly string[]>;
  cells: (c: Customer) => Cell[];
}

/** Fen to yuan as a number (exact for whole fen: 1234567 → 12345.67). */
const yuan = (fen: number | null): number | null => (fen === null ? null : fen / 100);
const list = (xs: readonly string[]): string | null => (xs.length ? xs.join(' ') : null);

/**
 * The page's columns (web/src/pages/customers.tsx), in its order. Values are the list API's
 * (codes for stage, tier, RFM segment and warning level) so a file can be checked against it.
 */
export const EXPORT_COLUMNS = {
  id: { headers: { 'zh-CN': ['客户编号'], en: ['Customer ID'] }, cells: (c) => [c.customerId] },
  name: { headers: { 'zh-CN': ['姓名'], en: ['Name'] }, cells: (c) => [c.name] },
  phone: { headers: { 'zh-CN': ['手机'], en: ['Phone'] }, cells: (c) => [list(c.phones)] },
  email: { headers: { 'zh-CN': ['邮箱'], en: ['E-mail'] }, cells: (c) => [list(c.emails)] },
  region: {
    headers: { 'zh-CN': ['省份', '城市'], en: ['Province', 'City'] },
    cells: (c) => [c.province, c.city],
  },
  stage: { headers: { 'zh-CN': ['阶段'], en: ['Stage'] }, cells: (c) => [c.current.stage] },
  tier: { headers: { 'zh-CN': ['等级'], en: ['Tier'] }, cells: (c) => [c.current.tier] },
  rfm: {
    headers: { 'zh-CN': ['RFM 细分'], en: ['RFM segment'] },
    cells: (c) => [c.current.rfmSegment],
  },
  clv: {
    headers: { 'zh-CN': ['CLV (¥)'], en: ['CLV (¥)'] },
    cells: (c) => [yuan(c.current.clvMinor)],
  },
  risk: {
    headers: { 'zh-CN': ['流失概率', '预警等级'], en: ['Churn risk', 'Warning level'] },
    cells: (c) => [c.current.churnRisk, c.current.warningLevel],
  },
  owner: { headers: { 'zh-CN': ['客户经理'], en: ['Owner'] }, cells: (c) => [c.ownerId] },
} satisfies Record<string, ExportColumn>;

export type ExportColumnKey = keyof typeof EXPORT_COLUMNS;
export const EXPORT_COLUMN_KEYS = Object.keys(EXPORT_COLUMNS) as [
  ExportColumnKey,
  ...ExportColumnKey[],
];

export const CONTENT_TYPES: Record<TableFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Starts writing the customers of `batches` as a `format` table and returns the stream to send.
 * A failure part-way (the database, the audit row) destroys the stream, so the client sees an
 * aborted download rather than a file that looks complete.
 */
export function customerTable(
  format: TableFormat,
  columns: readonly ExportColumnKey[],
  lang: ExportLanguage,
  batches: AsyncIterable<Customer[]>,
  onError: (error: unknown) => void,
): PassThrough {
  const chosen = columns.map((k) => EXPORT_COLUMNS[k] as ExportColumn);
  const headers = chosen.flatMap((c) => c.headers[lang]);
  async function* rows(): AsyncGenerator<Cell[][]> {
    for await (const batch of batches)
      yield batch.map((c) => chosen.flatMap((col) => col.cells(c)));
  }
  const out = new PassThrough();
  writeTableTo(out, format, headers, rows()).catch((error: unknown) => {
    onError(error);
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return out;
}
