/**
 * The first rows of a CSV file, read in the browser before anything is uploaded, so the import
 * page can show the columns at once. RFC 4180 quoting; the delimiter is the one of , ; tab |
 * that splits the header into the most columns; bytes that are not UTF-8 are read as GB18030
 * (what Chinese Excel writes). The server's import does the real parsing and validation.
 */

export interface CsvPreview {
  encoding: 'utf-8' | 'gb18030';
  delimiter: string;
  header: string[];
  rows: string[][];
}

export function decodeBytes(bytes: Uint8Array): { text: string; encoding: CsvPreview['encoding'] } {
  try {
    // stream: a character cut at the end of a slice of the file is not an error
    return {
      text: new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true }),
      encoding: 'utf-8',
    };
  } catch {
    return {
      text: new TextDecoder('gb18030').decode(bytes, { stream: true }),
      encoding: 'gb18030',
    };
  }
}

/** Splits CSV text into records (RFC 4180 §2: quotes, doubled quotes, line breaks inside quotes). */
export function parseCsv(text: string, delimiter: string, maxRecords: number): string[][] {
  const out: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length && out.length < maxRecords; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      out.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if ((field !== '' || record.length) && out.length < maxRecords) {
    record.push(field);
    out.push(record);
  }
  return out;
}

export function previewCsv(bytes: Uint8Array, maxRows = 5): CsvPreview {
  const { text, encoding } = decodeBytes(bytes);
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [',', ';', '\t', '|'].reduce((best, d) =>
    firstLine.split(d).length > firstLine.split(best).length ? d : best,
  );
  const [header = [], ...rows] = parseCsv(text, delimiter, maxRows + 1);
  return { encoding, delimiter, header, rows };
}
