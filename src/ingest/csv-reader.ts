/**
 * A streaming CSV reader after RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180 §2), relaxed
 * the way spreadsheets write files: any one-character delimiter (`,` `;` `\t` `|`) or runs of
 * spaces and tabs (fixed-width-looking exports such as CDNOW_master.txt); LF, CRLF or lone CR
 * line ends; a BOM; UTF-8, UTF-16 or GB18030 (see text-encoding.ts).
 *
 * Each record carries the physical line it starts on, counting the newlines inside quoted
 * fields, so a problem can be reported at the line an editor shows.
 */
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { createDecoder, detectEncoding, type TextEncodingName } from './text-encoding.js';

export interface CsvRecord {
  /** 1-based physical line the record starts on */
  line: number;
  fields: string[];
}

/** `' '` stands for runs of spaces and tabs, with leading and trailing ones ignored. */
export type CsvDelimiter = ',' | ';' | '\t' | '|' | ' ';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** A record longer than this is almost surely an unclosed quote swallowing the file. */
const MAX_RECORD_CHARS = 16 * 1024 * 1024;

/**
 * The parser proper, fed decoded text in pieces. Records that end inside a piece are returned;
 * an unfinished one waits for the next piece (it is re-scanned then, which costs little because
 * pieces are large and records small).
 */
export class CsvParser {
  private rest = '';
  private line = 1;
  private readonly delimiter: number;

  constructor(
    delimiter: CsvDelimiter,
    private readonly file = '',
  ) {
    this.delimiter = delimiter === ' ' ? -1 : delimiter.charCodeAt(0);
  }

  /** Parses what `text` completes; records go to `out`. */
  push(text: string, out: CsvRecord[]): void {
    const all = this.rest === '' ? text : this.rest + text;
    const used = this.parse(all, false, out);
    this.rest = used === all.length ? '' : all.slice(used);
    if (this.rest.length > MAX_RECORD_CHARS) {
      throw new InputError(
        `${this.file}:${this.line}: a record longer than ${MAX_RECORD_CHARS} characters starts here; is a quote (") left open?`,
        { file: this.file, line: this.line },
      );
    }
  }

  /** Parses the rest; the input has ended. */
  end(text: string, out: CsvRecord[]): void {
    const all = this.rest + text;
    this.rest = '';
    this.parse(all, true, out);
  }

  /** Returns how much of `text` was consumed; `this.line` follows. */
  private parse(text: string, final: boolean, out: CsvRecord[]): number {
    const n = text.length;
    const d = this.delimiter;
    const ws = d === -1;
    const delimiter = ws ? ' ' : String.fromCharCode(d);
    let pos = 0;
    let line = this.line;
    // Next quote, CR, LF and delimiter at or after pos (n when none), found lazily.
    let nextQuote = -1;
    let nextCr = -1;
    let nextLf = -1;
    let nextDelimiter = -1;
    records: while (pos < n) {
      const recordStart = pos;
      const recordLine = line;
      if (!ws) {
        // Fast path: a whole line without quotes or stray CRs is split natively.
        if (nextLf < pos) nextLf = indexOrEnd(text, '\n', pos);
        const lf = nextLf;
        if (lf < n) {
          if (nextQuote < pos) nextQuote = indexOrEnd(text, '"', pos);
          if (nextCr < pos) nextCr = indexOrEnd(text, '\r', pos);
          if (nextQuote > lf && (nextCr > lf || nextCr === lf - 1)) {
            const end = nextCr === lf - 1 ? lf - 1 : lf;
            out.push({ line, fields: text.slice(pos, end).split(delimiter) });
            line++;
            pos = lf + 1;
            continue;
          }
        }
      }
      const fields: string[] = [];
      if (ws) {
        while (pos < n && (text.charCodeAt(pos) === SPACE || text.charCodeAt(pos) === TAB)) pos++;
      }
      for (;;) {
        // One field starts at pos.
        let field: string;
        if (pos < n && text.charCodeAt(pos) === QUOTE) {
          const open = pos;
          let value = '';
          let from = pos + 1;
          for (;;) {
            const q = text.indexOf('"', from);
            if (q === -1 || (q + 1 === n && !final)) {
              if (!final) return this.rollback(recordStart, recordLine);
              throw this.unclosed(text, recordStart, open, recordLine);
            }
            if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
              // RFC 4180 §2.7: "" inside a quoted field is one "
              value += text.slice(from, q + 1);
              from = q + 2;
              continue;
            }
            value += text.slice(from, q);
            pos = q + 1;
            break;
          }
          line += countLineBreaks(text, open, pos);
          // Not RFC 4180, but what spreadsheets do: text after the closing quote is kept.
          const after = pos;
          while (pos < n) {
            const c = text.charCodeAt(pos);
            if (c === d || c === LF || c === CR || (ws && (c === SPACE || c === TAB))) break;
            pos++;
          }
          field = after === pos ? value : value + text.slice(after, pos);
        } else {
          const start = pos;
          if (ws) {
            while (pos < n) {
              const c = text.charCodeAt(pos);
              if (c === SPACE || c === TAB || c === LF || c === CR) break;
              pos++;
            }
          } else {
            // The field ends at the next delimiter, LF or CR, found natively and remembered.
            if (nextDelimiter < pos) nextDelimiter = indexOrEnd(text, delimiter, pos);
            if (nextLf < pos) nextLf = indexOrEnd(text, '\n', pos);
            if (nextCr < pos) nextCr = indexOrEnd(text, '\r', pos);
            pos = Math.min(nextDelimiter, nextLf, nextCr);
          }
          field = text.slice(start, pos);
        }
        fields.push(field);
        if (ws && pos < n) {
          // Trailing whitespace ends the record rather than adding an empty field.
          let next = pos;
          while (next < n && (text.charCodeAt(next) === SPACE || text.charCodeAt(next) === TAB)) {
            next++;
          }
          const e = next < n ? text.charCodeAt(next) : LF;
          if (e === LF || e === CR) pos = next;
        }
        if (pos >= n) {
          if (!final) return this.rollback(recordStart, recordLine);
          out.push({ line: recordLine, fields });
          break records;
        }
        const c = text.charCodeAt(pos);
        if (c === LF) {
          pos++;
          line++;
          out.push({ line: recordLine, fields });
          continue records;
        }
        if (c === CR) {
          if (pos + 1 < n) {
            pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
          } else if (!final) {
            return this.rollback(recordStart, recordLine); // an LF may follow in the next piece
          } else {
            pos++;
          }
          line++;
          out.push({ line: recordLine, fields });
          continue records;
        }
        // A delimiter.
        pos++;
        if (ws) {
          while (pos < n && (text.charCodeAt(pos) === SPACE || text.charCodeAt(pos) === TAB)) pos++;
        }
      }
    }
    this.line = line;
    return n;
  }

  /** An unfinished record waits for more text: consumption stops at its start. */
  private rollback(recordStart: number, recordLine: number): number {
    this.line = recordLine;
    return recordStart;
  }

  private unclosed(text: string, recordStart: number, open: number, line: number): InputError {
    const column = countFieldsBefore(text, recordStart, open, this.delimiter) + 1;
    return new InputError(
      `${this.file}:${line}:${column}: a quoted field starts here but its closing quote (") never comes`,
      { file: this.file, line, column },
    );
  }
}

function indexOrEnd(text: string, search: string, from: number): number {
  const i = text.indexOf(search, from);
  return i === -1 ? text.length : i;
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}

function countFieldsBefore(text: string, from: number, to: number, d: number): number {
  let count = 0;
  let quoted = false;
  let inGap = true; // whitespace mode: leading blanks separate nothing
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    if (quoted) continue;
    if (d === -1) {
      const blank = c === SPACE || c === TAB;
      if (blank && !inGap) count++;
      inGap = blank;
    } else if (c === d) count++;
  }
  return count;
}

/** How a CSV file is written: found by `sniffCsv`, or given. */
export interface CsvLayout {
  encoding: TextEncodingName;
  delimiter: CsvDelimiter;
  /** lines before the header that are not data (Excel's `sep=;`) */
  preambleLines?: number;
}

const SAMPLE_BYTES = 256 * 1024;
const SNIFF_RECORDS = 200;
const ASCII_SCAN_LIMIT = 64 * 1024 * 1024;
const CANDIDATES: readonly CsvDelimiter[] = [',', '\t', ';', '|'];

/** True for a record that is an empty line (or, with whitespace delimiting, only blanks). */
export function isBlankRecord(fields: readonly string[]): boolean {
  return fields.length === 1 && fields[0].trim() === '';
}

/**
 * Picks the delimiter under which the first records agree best on the header's field count;
 * ties go to more fields. Runs of whitespace win only where no single character does better.
 */
export function sniffDelimiter(text: string, complete: boolean): CsvDelimiter {
  let best: CsvDelimiter = ',';
  let bestScore = -1;
  let bestWidth = 1;
  for (const candidate of [...CANDIDATES, ' ' as const]) {
    const records: CsvRecord[] = [];
    try {
      const parser = new CsvParser(candidate);
      if (complete) parser.end(text, records);
      else parser.push(text, records);
    } catch {
      continue;
    }
    const rows = records.filter((r) => !isBlankRecord(r.fields)).slice(0, SNIFF_RECORDS);
    if (rows.length === 0) continue;
    const width = rows[0].fields.length;
    if (width < 2) continue;
    const agree = rows.filter((r) => r.fields.length === width).length / rows.length;
    if (agree > bestScore || (agree === bestScore && width > bestWidth && candidate !== ' ')) {
      best = candidate;
      bestScore = agree;
      bestWidth = width;
    }
  }
  return best;
}

/**
 * Reads the file's first 256 KiB to find its encoding and delimiter. When those bytes are all
 * ASCII, reading goes on (up to 64 MiB) to the first non-ASCII byte, which tells UTF-8 from
 * GB18030.
 * An Excel `sep=;` first line names the delimiter and is skipped.
 */
export async function sniffCsv(file: string): Promise<CsvLayout> {
  const handle = await openFile(file);
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    const sample = buffer.subarray(0, bytesRead);
    const complete = bytesRead < SAMPLE_BYTES;
    let encoding = detectEncoding(sample);
    if (!complete && isAscii(sample)) encoding = await encodingAfterAscii(handle, bytesRead);
    const decoder = createDecoder(encoding, file);
    let text = decoder.write(sample);
    if (complete) text += decoder.end();
    const sep = /^sep=([,;\t|])\r?\n/.exec(text);
    if (sep) return { encoding, delimiter: sep[1] as CsvDelimiter, preambleLines: 1 };
    return { encoding, delimiter: sniffDelimiter(text, complete) };
  } finally {
    await handle.close();
  }
}

/** Scans on from `offset` to the first chunk with a non-ASCII byte and judges that chunk. */
async function encodingAfterAscii(
  handle: Awaited<ReturnType<typeof open>>,
  offset: number,
): Promise<TextEncodingName> {
  const buffer = Buffer.alloc(4 * SAMPLE_BYTES);
  let position = offset;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    // Past 64 MiB of ASCII, UTF-8 is assumed; a GBK byte later is then reported where it is.
    if (bytesRead === 0 || position > ASCII_SCAN_LIMIT) return 'utf-8';
    const chunk = buffer.subarray(0, bytesRead);
    // The previous chunk was ASCII, so this one starts on a character boundary.
    if (!isAscii(chunk)) return detectEncoding(chunk);
    position += bytesRead;
  }
}

async function openFile(file: string) {
  try {
    return await open(file, 'r');
  } catch (cause) {
    throw new InputError(
      `${file}: cannot read the file (${describeFsError(cause)})`,
      { file },
      cause,
    );
  }
}

export function describeFsError(cause: unknown): string {
  const code = (cause as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return cause instanceof Error ? cause.message : String(cause);
}

/** Bytes consumed so far, for a progress bar. */
export interface ByteCounter {
  bytes: number;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Streams a CSV file's records (the header included) in batches, one batch per 1 MiB chunk, so
 * memory stays flat however long the file is. `counter.bytes` grows as chunks are parsed.
 */
export async function* readCsv(
  file: string,
  layout: CsvLayout,
  counter: ByteCounter = { bytes: 0 },
): AsyncGenerator<CsvRecord[]> {
  const decoder = createDecoder(layout.encoding, file);
  const parser = new CsvParser(layout.delimiter, file);
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      counter.bytes += chunk.length;
      const out: CsvRecord[] = [];
      parser.push(decoder.write(chunk), out);
      if (out.length > 0) yield out;
    }
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw new InputError(
      `${file}: cannot read the file (${describeFsError(cause)})`,
      { file },
      cause,
    );
  } finally {
    stream.destroy();
  }
  const out: CsvRecord[] = [];
  parser.end(decoder.end(), out);
  if (out.length > 0) yield out;
}
