/**
 * Export of the filtered customer list as CSV, built in the browser from the paged list API
 * (500 rows a request) so it needs no export endpoint. RFC 4180 quoting; a UTF-8 BOM so Excel
 * opens Chinese text correctly.
 */
import { api, itemsOf, type Query } from './api/client.js';
import type { Customer, Page } from './api/types.js';

export const EXPORT_LIMIT = 100_000;

function cell(v: unknown): string {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return `\ufeff${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

export async function fetchAllCustomers(
  query: Query,
  onProgress?: (n: number) => void,
): Promise<Customer[]> {
  const out: Customer[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<Page<Customer>>('/api/customers', {
      query: { ...query, limit: 500, cursor },
    });
    out.push(...itemsOf<Customer>(page));
    onProgress?.(out.length);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < EXPORT_LIMIT);
  return out;
}

export function customersCsv(rows: Customer[], header: string[]): string {
  return toCsv(
    header,
    rows.map((c) => [
      c.customerId,
      c.name,
      (c.phones ?? []).join(' '),
      (c.emails ?? []).join(' '),
      c.province,
      c.city,
      c.current?.stage,
      c.current?.tier,
      c.current?.rfmSegment,
      c.current?.clvMinor == null ? '' : (Number(c.current.clvMinor) / 100).toFixed(2),
      c.current?.churnRisk,
      c.current?.warningLevel,
      c.ownerId,
    ]),
  );
}

export function download(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
