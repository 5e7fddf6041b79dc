/**
 * JSON Lines (https://jsonlines.org): one JSON value per line, UTF-8 (a BOM is dropped, invalid
 * bytes are an InputError). Blank lines are skipped.
 * A line that is not valid JSON is reported with its line and the column where it goes wrong
 * (RFC 8259 grammar), found by a small checker because V8's messages do not always say where.
 */
import { createReadStream } from 'node:fs';
import { InputError } from '../errors.js';
import type { ByteCounter } from './csv-reader.js';
import { describeFsError } from './csv-reader.js';
import { createDecoder } from './text-encoding.js';

export type JsonLine =
  | { line: number; ok: true; value: unknown }
  | { line: number; ok: false; column: number; reason: string; text: string };

function parseLine(text: string, line: number): JsonLine {
  try {
    return { line, ok: true, value: JSON.parse(text) };
  } catch {
    const { offset, reason } = locateJsonError(text);
    return { line, ok: false, column: offset + 1, reason, text };
  }
}

/** A longer line is not a record but a whole JSON document, which would not stream. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** Streams a JSON Lines file in batches of parsed lines; `counter.bytes` follows. */
export async function* readJsonLines(
  file: string,
  counter: ByteCounter = { bytes: 0 },
): AsyncGenerator<JsonLine[]> {
  const decoder = createDecoder('utf-8', file);
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  let rest = '';
  let line = 0;
  const take = (text: string, out: JsonLine[]): void => {
    line++;
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() !== '') out.push(parseLine(trimmed, line));
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      counter.bytes += chunk.length;
      const text = rest + decoder.write(chunk);
      const out: JsonLine[] = [];
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        take(text.slice(start, nl), out);
        start = nl + 1;
      }
      rest = text.slice(start);
      if (rest.length > MAX_LINE_CHARS) {
        throw new InputError(
          `${file}:${line + 1}: the line is longer than ${MAX_LINE_CHARS} characters; is this JSON Lines (one object per line)?`,
          { file, line: line + 1 },
        );
      }
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
  rest += decoder.end();
  const out: JsonLine[] = [];
  if (rest !== '') take(rest, out);
  if (out.length > 0) yield out;
}

class JsonStop {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Where and why `text` is not one JSON value (RFC 8259 §2–7). */
export function locateJsonError(text: string): { offset: number; reason: string } {
  let i = 0;
  const fail = (reason: string): never => {
    throw new JsonStop(i, reason);
  };
  const space = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('bad escape in a string');
        continue;
      }
      if (c < 0x20) fail('control character in a string');
      i++;
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        string();
        space();
        if (text[i] !== ':') fail("expected ':' after a property name");
        i++;
        value();
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') {
      string();
      return;
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail(c === undefined ? 'unexpected end of line' : `unexpected ${JSON.stringify(c)}`);
  };
  try {
    value();
    space();
    if (i < text.length) fail('unexpected text after the value');
    return { offset: text.length, reason: 'invalid JSON' };
  } catch (stop) {
    if (stop instanceof JsonStop) return { offset: stop.offset, reason: stop.reason };
    throw stop;
  }
}
