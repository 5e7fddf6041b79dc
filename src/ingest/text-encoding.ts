/**
 * Which character encoding a text file is in, and a streaming decoder for it.
 *
 * Rule (after the WHATWG Encoding Standard's BOM sniffing, §6 "decode"): a byte order mark
 * decides (EF BB BF → UTF-8, FF FE → UTF-16LE, FE FF → UTF-16BE); otherwise the file is UTF-8
 * when its first bytes are valid UTF-8, else GB18030 — the superset of GBK and GB2312 that
 * Chinese Excel writes when it saves "CSV (逗号分隔)". Pure ASCII reports as UTF-8.
 */
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import iconv from 'iconv-lite';
import { InputError } from '../errors.js';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export function detectEncoding(sample: Uint8Array): TextEncodingName {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  return isUtf8(completeUtf8Prefix(sample)) ? 'utf-8' : 'gb18030';
}

/** The sample without a multi-byte sequence cut off at its end by the sample's size. */
function completeUtf8Prefix(sample: Uint8Array): Uint8Array {
  const n = sample.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = sample[n - back];
    if ((b & 0xc0) !== 0x80) {
      // b starts a sequence: how long should it be?
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return need > back ? sample.subarray(0, n - back) : sample;
    }
  }
  return sample;
}

export interface StreamDecoder {
  /** decodes a chunk; bytes of a character split across chunks wait for the next one */
  write(chunk: Buffer): string;
  end(): string;
}

/**
 * A streaming decoder that drops a leading BOM. UTF-8 is decoded strictly: an invalid byte
 * after the sniffed sample throws an InputError naming the byte offset instead of silently
 * turning into U+FFFD.
 */
export function createDecoder(encoding: TextEncodingName, file: string): StreamDecoder {
  if (encoding === 'utf-8') {
    // StringDecoder gives one-byte strings for ASCII text, which parse faster than
    // TextDecoder's; invalid bytes become U+FFFD, which is checked for below.
    const decoder = new StringDecoder('utf8');
    let offset = 0;
    let first = true;
    const check = (text: string, chunk: Buffer | null): string => {
      const bad = text.indexOf('\uFFFD');
      if (bad !== -1 && (chunk === null || !isUtf8(chunk))) {
        throw new InputError(
          `${file}: the file is not valid UTF-8 near byte ${offset}; save it as UTF-8 or GB18030`,
          { file },
        );
      }
      return text;
    };
    return {
      write: (chunk) => {
        let text = check(decoder.write(chunk), chunk);
        offset += chunk.length;
        if (first && text.length > 0) {
          first = false;
          if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        }
        return text;
      },
      end: () => check(decoder.end(), null),
    };
  }
  const decoder = iconv.getDecoder(encoding === 'gb18030' ? 'gb18030' : encoding, {
    stripBOM: true,
  });
  return { write: (chunk) => decoder.write(chunk), end: () => decoder.end() ?? '' };
}
