import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, test } from 'vitest';
import type { AnyRecord, TransactionRow } from '../engine/records.js';
import { type OpenOptions, openRecordSource, type RecordSource } from './source.js';
import { formatProblem, type RowResult } from './validate.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tenure-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

async function collect(source: RecordSource): Promise<RowResult[]> {
  const rows: RowResult[] = [];
  for await (const row of source.rows()) rows.push(row);
  return rows;
}

function records(rows: RowResult[]): AnyRecord['record'][] {
  return rows.map((r) => {
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    return r.item.record;
  });
}

describe('CSV files', () => {
  test('a GBK file from Chinese Excel with Chinese headers imports as transactions', async () => {
    const text = [
      '订单号,客户编号,下单时间,实付金额,商品,数量,单价,状态,渠道',
      'D001,C001,2024/1/31 13:05,"￥1,234.50",SKU-1,2,617.25,已完成,天猫',
      'D002,C002,2024年2月1日,(88.00),SKU-2,1,88,退款,门店',
      '',
    ].join('\r\n');
    const file = fixture('订单.csv', iconv.encode(text, 'gbk'));
    const source = await openRecordSource(file);
    expect({
      format: source.format,
      kind: source.kind,
      encoding: source.encoding,
      delimiter: source.delimiter,
    }).toEqual({ format: 'csv', kind: 'transactions', encoding: 'gb18030', delimiter: ',' });
    expect(source.columns.map((c) => c.field)).toEqual([
      'transactionId',
      'customerId',
      'occurredAt',
      'amount',
      'sku',
      'quantity',
      'unitPrice',
      'status',
      'channel',
    ]);
    const rows = await collect(source);
    expect(records(rows)).toEqual([
      {
        transactionId: 'D001',
        customerId: 'C001',
        occurredAt: new Date('2024-01-31T05:05:00Z'),
        amountMinor: 123450,
        currency: 'CNY',
        costMinor: null,
        channel: '天猫',
        status: 'completed',
        sku: 'SKU-1',
        quantity: 2,
        unitPriceMinor: 61725,
      },
      {
        transactionId: 'D002',
        customerId: 'C002',
        occurredAt: new Date('2024-01-31T16:00:00Z'),
        amountMinor: -8800,
        currency: 'CNY',
        costMinor: null,
        channel: '门店',
        status: 'refunded',
        sku: 'SKU-2',
        quantity: 1,
        unitPriceMinor: 8800,
      },
    ]);
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(source.bytesRead()).toBe(source.bytesTotal);
  });

  test('a semicolon file with a BOM and a quoted multi-line address imports customers', async () => {
    const text = [
      'Customer ID;Name;Mobile;Email;Address;Region;Gender;Birthday;会员等级;Tags',
      'C1;Li Lei;"+86 138 0013 8000; 010-12345678";li@Example.com;"朝阳区',
      '建国路 88 号";广东省深圳市;男;1990/5/7;金卡;vip,老客户',
      'C2;;;;;;;;;',
    ].join('\n');
    const file = fixture('members.csv', `\uFEFF${text}\n`);
    const source = await openRecordSource(file);
    expect([source.kind, source.delimiter, source.encoding]).toEqual(['customers', ';', 'utf-8']);
    const rows = await collect(source);
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
    expect(records(rows)[0]).toEqual({
      customerId: 'C1',
      name: 'Li Lei',
      phones: ['13800138000', '010-12345678'],
      emails: ['li@example.com'],
      address: '朝阳区\n建国路 88 号',
      province: '广东省',
      city: '深圳市',
      gender: 'male',
      birthday: '1990-05-07',
      industry: null,
      channel: null,
      acquiredAt: null,
      ownerId: null,
      tags: ['vip', '老客户'],
      attributes: { 会员等级: '金卡' },
      consent: {},
    });
    expect(records(rows)[1]).toMatchObject({ customerId: 'C2', phones: [], attributes: {} });
  });

  test("a file starting with Excel's sep= line reads its header from the next line", async () => {
    const file = fixture('sep/orders.csv', 'sep=;\ncustomer_id;date;amount\nC1;2024-01-01;1,5\n');
    const rows = await collect(await openRecordSource(file));
    expect(rows.map((r) => r.ok || r.problems.map(formatProblem))).toEqual([
      [`${file}:3:3 amount: expected a number, got "1,5"`],
    ]);
  });

  test('each bad value is reported with file, line, column, field, value and reason', async () => {
    const file = fixture(
      'bad/transactions.csv',
      [
        'customer_id,date,amount,status',
        'C1,2024-02-30,12.3x,done',
        ',2024-01-01,5,unknown',
        'C3,2024-01-01,5,done,extra',
      ].join('\n'),
    );
    const rows = await collect(await openRecordSource(file));
    expect(rows.flatMap((r) => (r.ok ? [] : r.problems.map(formatProblem)))).toEqual([
      `${file}:2:2 occurredAt: expected a date such as 2024-01-31, 2024/1/31 13:05 or 2024年1月31日, got "2024-02-30"`,
      `${file}:2:3 amount: expected a number, got "12.3x"`,
      `${file}:3:1 customerId: required, but empty`,
      `${file}:3:4 status: expected a status (completed, refunded, cancelled, or 完成/退款/取消), got "unknown"`,
      `${file}:4:5: the row has 5 fields but the header names 4; is a delimiter or quote out of place?`,
    ]);
    const first = rows[0];
    expect(first.ok ? null : first.raw).toEqual({
      customer_id: 'C1',
      date: '2024-02-30',
      amount: '12.3x',
      status: 'done',
    });
    expect(first.ok ? null : first.problems[1]).toEqual({
      file,
      line: 2,
      column: 3,
      field: 'amount',
      value: '12.3x',
      reason: 'expected a number, got "12.3x"',
    });
  });

  test('a 100,000-row file with one bad row reports exactly that row and streams the rest', async () => {
    const lines = ['order_id,customer_id,order_date,channel,status,sku,amount,quantity,cost,note'];
    for (let i = 1; i < 100_000; i++) {
      const amount =
        i === 1203 ? '"12,3x"' : `${(i % 1000) + 1}.${String(i % 100).padStart(2, '0')}`;
      lines.push(
        `T${i},C${i % 977},2024-03-01 10:00:00,web,completed,S${i % 50},${amount},1,1.00,"n ${i}"`,
      );
    }
    const file = fixture('big/transactions.csv', `${lines.join('\n')}\n`);
    const source = await openRecordSource(file);
    let ok = 0;
    let total = 0;
    const bad: string[] = [];
    const progress: number[] = [];
    for await (const row of source.rows()) {
      if (row.line % 20_000 === 0) progress.push(source.bytesRead());
      if (row.ok) {
        ok++;
        total += (row.item.record as TransactionRow).amountMinor;
      } else bad.push(...row.problems.map(formatProblem));
    }
    expect(bad).toEqual([`${file}:1204:7 amount: expected a number, got "12,3x"`]);
    // Progress grows as the file is read, from part of the file to all of it.
    expect(progress).toHaveLength(5);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress[0]).toBeGreaterThan(0);
    expect(progress[0]).toBeLessThan(source.bytesTotal);
    expect(progress[4]).toBe(source.bytesTotal);
    expect(ok).toBe(99_998);
    let expected = 0;
    for (let i = 1; i < 100_000; i++)
      if (i !== 1203) expected += ((i % 1000) + 1) * 100 + (i % 100);
    expect(total).toBe(expected);
    expect(source.bytesRead()).toBe(source.bytesTotal);
  });

  test('CDNOW_master.txt (runs of spaces) yields 69,659 transactions totalling 250,031,563 fen', async () => {
    const file = path.resolve(
      import.meta.dirname,
      '../../../shared/datasets/cdnow/CDNOW_master.txt',
    );
    const source = await openRecordSource(file, {
      kind: 'transactions',
      map: { customer_id: 'customerId', date: 'occurredAt', dollar_value: 'amount' },
    });
    expect(source.delimiter).toBe(' ');
    let count = 0;
    let total = 0;
    let first: TransactionRow | null = null;
    for await (const row of source.rows()) {
      if (!row.ok) throw new Error(row.problems.map(formatProblem).join('\n'));
      const r = row.item.record as TransactionRow;
      first ??= r;
      count++;
      total += r.amountMinor;
    }
    expect({ count, total }).toEqual({ count: 69_659, total: 250_031_563 });
    expect(first).toMatchObject({
      customerId: '00001',
      occurredAt: new Date('1996-12-31T16:00:00Z'),
      amountMinor: 1177,
    });
  });
});

describe('XLSX files', () => {
  async function workbook(name: string): Promise<string> {
    const wb = new ExcelJS.Workbook();
    const notes = wb.addWorksheet('说明');
    notes.addRow(['this sheet explains the data']);
    const sheet = wb.addWorksheet('订单');
    sheet.addRow(['2024年1月订单明细']);
    sheet.addRow(['订单编号', '客户ID', '下单日期', '金额', '数量', '备注']);
    sheet.addRow([
      'A1',
      'C001',
      new Date(Date.UTC(2024, 0, 31, 13, 5)),
      1234.5,
      2,
      'first',
      null,
      'a note beside the table',
    ]);
    sheet.addRow(['A2', 1002, 45322, { formula: 'E4*30.1', result: 30.1 }, 1, null]);
    sheet.addRow([]);
    sheet.addRow(['A3', 'C003', 'not a date', 'abc', 1, null]);
    const file = path.join(dir, name);
    await wb.xlsx.writeFile(file);
    return file;
  }

  test('a named sheet is read below its title row, with dates, numbers and formula results as the cells give them', async () => {
    const file = await workbook('orders.xlsx');
    const source = await openRecordSource(file, { sheet: '订单' });
    expect([source.format, source.kind, source.delimiter]).toEqual(['xlsx', 'transactions', null]);
    const rows = await collect(source);
    expect(rows.map((r) => r.line)).toEqual([3, 4, 6]);
    expect(rows[0].ok && rows[0].item.record).toMatchObject({
      transactionId: 'A1',
      customerId: 'C001',
      occurredAt: new Date('2024-01-31T05:05:00Z'),
      amountMinor: 123450,
      quantity: 2,
    });
    expect(rows[1].ok && rows[1].item.record).toMatchObject({
      transactionId: 'A2',
      customerId: '1002',
      occurredAt: new Date('2024-01-30T16:00:00Z'),
      amountMinor: 3010,
    });
    expect(rows.slice(2).flatMap((r) => (r.ok ? [] : r.problems.map(formatProblem)))).toEqual([
      `${file}:6:3 occurredAt: expected a date such as 2024-01-31, 2024/1/31 13:05 or 2024年1月31日, got "not a date"`,
      `${file}:6:4 amount: expected a number, got "abc"`,
    ]);
    expect(source.bytesRead()).toBe(source.bytesTotal);
  });

  test('without a sheet name the first sheet is read', async () => {
    const file = await workbook('first.xlsx');
    await expect(openRecordSource(file)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(
        'cannot tell what the file holds from its columns ("this sheet explains the data")',
      ),
    });
  });

  test('a sheet that does not exist is an input error listing the sheets', async () => {
    const file = await workbook('named.xlsx');
    await expect(openRecordSource(file, { sheet: 'Orders' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: `${file}: there is no sheet "Orders"; the sheets are "说明", "订单"`,
    });
  });
});

describe('JSON Lines files', () => {
  test('interactions import from JSON Lines; a syntax error names its line and column', async () => {
    const file = fixture(
      'touch.jsonl',
      [
        '{"customer_id":"C1","time":"2024-01-31 09:00","type":"电话","direction":"呼入","satisfaction":5,"note":"问价"}',
        '',
        '{"customer_id":"C2","time":"2024-01-31","type":"拜访",}',
        '{"customer_id":"C3","time":"2024-02-01","type":"投诉","satisfaction":"7"}',
        '[1,2]',
      ].join('\n'),
    );
    const source = await openRecordSource(file);
    expect([source.format, source.kind]).toEqual(['jsonl', 'interactions']);
    const rows = await collect(source);
    expect(rows[0]).toEqual({
      ok: true,
      line: 1,
      item: {
        kind: 'interactions',
        record: {
          interactionId: null,
          customerId: 'C1',
          occurredAt: new Date('2024-01-31T01:00:00Z'),
          type: 'call',
          direction: 'inbound',
          outcome: null,
          satisfaction: 5,
          staff: null,
          note: '问价',
        },
      },
    });
    expect(rows.slice(1).flatMap((r) => (r.ok ? [] : r.problems.map(formatProblem)))).toEqual([
      `${file}:3:53: invalid JSON: expected a property name in double quotes`,
      `${file}:4 satisfaction: expected a satisfaction score from 1 to 5, got "7"`,
      `${file}:5: expected a JSON object on each line`,
    ]);
  });
});

describe('problems with the file as a whole', () => {
  test.each([
    {
      title: 'an empty file',
      name: 'empty.csv',
      content: '',
      options: {},
      message: 'empty.csv: the file is empty; the first row should name the columns',
    },
    {
      title: 'a required column missing for the given kind',
      name: 'no-amount.csv',
      content: 'customer_id,date\nC1,2024-01-01\n',
      options: { kind: 'transactions' },
      message:
        'no-amount.csv: importing transactions needs a column for amount or unitPrice; the columns are "customer_id", "date"; name one with --map column=field',
    },
    {
      title: 'an old .xls workbook',
      name: 'old.xls',
      content: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      options: {},
      message:
        'old.xls: this is an old Excel .xls workbook or a password-protected one; save it as .xlsx without a password, or as CSV, and import that',
    },
    {
      title: 'a JSON array instead of JSON Lines',
      name: 'array.json',
      content: '[\n  {"customer_id": "C1"}\n]\n',
      options: {},
      message:
        "array.json: this is one JSON array, not JSON Lines; write one object per line (jq -c '.[]' does it)",
    },
    {
      title: 'an unknown time zone',
      name: 'tz.csv',
      content: 'customer_id\nC1\n',
      options: { timeZone: 'Mars/Olympus' },
      message: 'unknown time zone "Mars/Olympus"; use an IANA name such as Asia/Shanghai',
    },
  ])('$title is an input error', async ({ name, content, options, message }) => {
    const file = fixture(name, content);
    await expect(openRecordSource(file, options as OpenOptions)).rejects.toMatchObject({
      code: 'invalid_input',
      message: message.startsWith('unknown')
        ? message
        : `${path.join(dir, name)}${message.slice(name.length)}`,
      details: expect.objectContaining({ file }),
    });
  });

  test('a file that does not exist is an input error naming it', async () => {
    const file = path.join(dir, 'nope.csv');
    await expect(openRecordSource(file)).rejects.toMatchObject({
      code: 'invalid_input',
      message: `${file}: cannot read the file (no such file)`,
      details: { file },
    });
  });
});
