/**
 * Encoding rows for COPY … FROM STDIN in PostgreSQL's text format
 * (PostgreSQL docs, "COPY", section "Text Format"): columns separated by tab, rows by newline,
 * NULL as \N, and backslash, tab, newline and carriage return escaped with a backslash.
 */
import type { CopyValue } from './db.js';

function escapeText(s: string): string {
  // Fast path: most values need no escaping.
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** An array literal for text[] (PostgreSQL docs, "Arrays", §8.15.2): every element quoted. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function encodeValue(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'string') return escapeText(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot COPY a non-finite number (${v})`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return escapeText(textArrayLiteral(v as readonly string[]));
  return escapeText(JSON.stringify(v));
}

/** The COPY text for a batch of rows. */
export function encodeCopyRows(rows: readonly CopyValue[][]): string {
  let out = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) {
      if (i > 0) line += '\t';
      line += encodeValue(row[i]);
    }
    out += `${line}\n`;
  }
  return out;
}

/** `"name"` — identifiers in COPY statements come from code, never from input; quote anyway. */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier ${name}`);
  return `"${name}"`;
}

export function copyStatement(table: string, columns: readonly string[]): string {
  return `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`;
}
