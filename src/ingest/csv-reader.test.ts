import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, test } from 'vitest';
import {
  type CsvDelimiter,
  CsvParser,
  type CsvRecord,
  readCsv,
  sniffCsv,
  sniffDelimiter,
} from './csv-reader.js';

/** Parses `text` fed in pieces of `piece` characters, as a stream would deliver it. */
function parse(text: string, delimiter: CsvDelimiter, piece = text.length): CsvRecord[] {
  const parser = new CsvParser(delimiter, 'x.csv');
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += piece) parser.push(text.slice(i, i + piece), out);
  parser.end('', out);
  return out;
}

const PARSE_CASES = [
  {
    title: 'LF line ends',
    input: 'a,b\n1,2\n',
    delimiter: ',' as const,
    expected: [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
    ],
  },
  {
    title: 'CRLF line ends and no newline at the end (RFC 4180 §2.1–2.2)',
    input: 'a,b\r\n1,2',
    delimiter: ',' as const,
    expected: [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
    ],
  },
  {
    title: 'quoted delimiters and escaped quotes (RFC 4180 §2.5–2.7)',
    input: '"x, y","say ""hi""",3\n',
    delimiter: ',' as const,
    expected: [{ line: 1, fields: ['x, y', 'say "hi"', '3'] }],
  },
  {
    title: 'newlines inside quotes count toward the next record’s line (RFC 4180 §2.6)',
    input: 'a,b\r\n1,"two\r\nlines"\r\n3,4\r\n',
    delimiter: ',' as const,
    expected: [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'two\r\nlines'] },
      { line: 4, fields: ['3', '4'] },
    ],
  },
  {
    title: 'empty fields and an empty quoted field',
    input: ',,""\n',
    delimiter: ',' as const,
    expected: [{ line: 1, fields: ['', '', ''] }],
  },
  {
    title: 'blank lines stay blank records, keeping line numbers true',
    input: 'a\n\nb\n',
    delimiter: ',' as const,
    expected: [
      { line: 1, fields: ['a'] },
      { line: 2, fields: [''] },
      { line: 3, fields: ['b'] },
    ],
  },
  {
    title: 'lone CR line ends (old Mac)',
    input: 'a;b\r1;2\r',
    delimiter: ';' as const,
    expected: [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
    ],
  },
  {
    title: 'tab delimiter',
    input: '客户编号\t金额\nC1\t12.30\n',
    delimiter: '\t' as const,
    expected: [
      { line: 1, fields: ['客户编号', '金额'] },
      { line: 2, fields: ['C1', '12.30'] },
    ],
  },
  {
    title: 'runs of whitespace, leading and trailing ones ignored (CDNOW)',
    input: ' customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n',
    delimiter: ' ' as const,
    expected: [
      { line: 1, fields: ['customer_id', 'date', 'number_of_cds', 'dollar_value'] },
      { line: 2, fields: ['00001', '19970101', '1', '11.77'] },
    ],
  },
  {
    title: 'text after a closing quote is kept, as spreadsheets do',
    input: '"12"3,x\n',
    delimiter: ',' as const,
    expected: [{ line: 1, fields: ['123', 'x'] }],
  },
];

describe('CSV parser', () => {
  test.each(PARSE_CASES)('$title', ({ input, delimiter, expected }) => {
    expect(parse(input, delimiter)).toEqual(expected);
  });

  test.each(PARSE_CASES)(
    '$title, fed one character at a time',
    ({ input, delimiter, expected }) => {
      expect(parse(input, delimiter, 1)).toEqual(expected);
    },
  );

  test('an unclosed quote is reported where it opens', () => {
    expect(() => parse('a,b\n1,"oops\n2,3\n', ',')).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message: 'x.csv:2:2: a quoted field starts here but its closing quote (") never comes',
        details: { file: 'x.csv', line: 2, column: 2 },
      }),
    );
  });
});

describe('CSV parser round trip', () => {
  // A seeded generator (mulberry32) so a failure replays exactly.
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const ALPHABET = ['a', 'Z', '9', ' ', '客', '"', ',', ';', '\n', '\r\n', '\r', '.'];

  test.each([
    { seed: 1, delimiter: ',' as const },
    { seed: 2, delimiter: ';' as const },
    { seed: 3, delimiter: '\t' as const },
    { seed: 4, delimiter: '|' as const },
  ])(
    'RFC 4180 output of random fields parses back to them, in any piece size (seed $seed)',
    ({ seed, delimiter }) => {
      const next = random(seed);
      const rows: string[][] = [];
      const expectedLines: number[] = [];
      let line = 1;
      const text: string[] = [];
      for (let r = 0; r < 300; r++) {
        const width = 1 + Math.floor(next() * 5);
        const row: string[] = [];
        for (let c = 0; c < width; c++) {
          let field = '';
          const length = Math.floor(next() * 6);
          for (let k = 0; k < length; k++) field += ALPHABET[Math.floor(next() * ALPHABET.length)];
          row.push(field);
        }
        if (row.length === 1 && row[0] === '') row[0] = 'x';
        const cells = row.map((f) =>
          /[",;|\t\r\n]/.test(f) || next() < 0.1 ? `"${f.replaceAll('"', '""')}"` : f,
        );
        rows.push(row);
        expectedLines.push(line);
        for (const f of row) line += (f.match(/\r\n|\r|\n/g) ?? []).length;
        line++;
        text.push(cells.join(delimiter), next() < 0.5 ? '\r\n' : '\n');
      }
      const input = text.join('');
      for (const piece of [1, 7, 64, 1000, input.length]) {
        const parsed = parse(input, delimiter, piece);
        expect(parsed.map((p) => p.fields)).toEqual(rows);
        expect(parsed.map((p) => p.line)).toEqual(expectedLines);
      }
    },
  );
});

describe('delimiter sniffing', () => {
  test.each([
    { title: 'comma', input: 'a,b,c\n1,2,3\n', expected: ',' },
    { title: 'semicolon (European Excel)', input: 'a;b;c\n1,5;2;3\n', expected: ';' },
    { title: 'tab', input: 'a\tb\n1 2\t3\n', expected: '\t' },
    { title: 'pipe', input: 'a|b\n1|2\n', expected: '|' },
    {
      title: 'commas inside quotes do not count',
      input: 'a;b\n"1,2,3";4\n"5,6";7\n',
      expected: ';',
    },
    { title: 'runs of spaces', input: 'id  date  amount\n1  2024  3.00\n', expected: ' ' },
    { title: 'single column falls back to comma', input: 'id\n1\n2\n', expected: ',' },
  ])('$title', ({ input, expected }) => {
    expect(sniffDelimiter(input, true)).toBe(expected);
  });
});

describe('reading files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tenure-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function readAll(file: string): Promise<{ encoding: string; records: CsvRecord[] }> {
    const layout = await sniffCsv(file);
    const records: CsvRecord[] = [];
    for await (const batch of readCsv(file, layout)) records.push(...batch);
    return { encoding: layout.encoding, records };
  }

  const TEXT = '客户编号,姓名,城市\r\nC001,张三,北京\r\nC002,"李四, 王五",上海\r\n';
  const EXPECTED = [
    { line: 1, fields: ['客户编号', '姓名', '城市'] },
    { line: 2, fields: ['C001', '张三', '北京'] },
    { line: 3, fields: ['C002', '李四, 王五', '上海'] },
  ];

  test.each([
    { title: 'UTF-8 without BOM', bytes: Buffer.from(TEXT, 'utf8'), encoding: 'utf-8' },
    {
      title: 'UTF-8 with BOM',
      bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]),
      encoding: 'utf-8',
    },
    {
      title: 'GBK as Chinese Excel saves it',
      bytes: iconv.encode(TEXT, 'gbk'),
      encoding: 'gb18030',
    },
    { title: 'GB18030', bytes: iconv.encode(TEXT, 'gb18030'), encoding: 'gb18030' },
    {
      title: 'UTF-16LE with BOM',
      bytes: iconv.encode(TEXT, 'utf-16le', { addBOM: true }),
      encoding: 'utf-16le',
    },
    {
      title: 'UTF-16BE with BOM',
      bytes: iconv.encode(TEXT, 'utf-16be', { addBOM: true }),
      encoding: 'utf-16be',
    },
  ])('$title is detected and decoded', async ({ title, bytes, encoding }) => {
    const file = path.join(dir, `${title}.csv`);
    writeFileSync(file, bytes);
    expect(await readAll(file)).toEqual({ encoding, records: EXPECTED });
  });

  test('a GBK file whose first 256 KiB are ASCII is still read as GB18030', async () => {
    const file = path.join(dir, 'late-chinese.csv');
    const ascii = 'id,name\n'.concat('C1,Li Lei\n'.repeat(40_000));
    writeFileSync(file, Buffer.concat([Buffer.from(ascii), iconv.encode('C2,张三\n', 'gbk')]));
    const { encoding, records } = await readAll(file);
    expect({ encoding, last: records.at(-1) }).toEqual({
      encoding: 'gb18030',
      last: { line: 40_002, fields: ['C2', '张三'] },
    });
  });

  test("Excel's sep=; first line names the delimiter", async () => {
    const file = path.join(dir, 'sep.csv');
    writeFileSync(file, 'sep=;\r\na;b,c\r\n1;2,5\r\n');
    expect(await sniffCsv(file)).toEqual({ encoding: 'utf-8', delimiter: ';', preambleLines: 1 });
  });

  test('a record split across read chunks keeps its fields and line', async () => {
    const file = path.join(dir, 'long.csv');
    const line = `${'x'.repeat(40_000)},"${'y'.repeat(30_000)}\n${'z'.repeat(30_000)}"\n`;
    writeFileSync(file, `a,b\n${line.repeat(3)}end,1\n`);
    const { records } = await readAll(file);
    expect(records.map((r) => [r.line, r.fields.length, r.fields[0].length])).toEqual([
      [1, 2, 1],
      [2, 2, 40_000],
      [4, 2, 40_000],
      [6, 2, 40_000],
      [8, 2, 3],
    ]);
  });

  test('a missing file is an input error naming it', async () => {
    const file = path.join(dir, 'missing.csv');
    await expect(sniffCsv(file)).rejects.toMatchObject({
      code: 'invalid_input',
      message: `${file}: cannot read the file (no such file)`,
      details: { file },
    });
  });
});
