import { describe, expect, test } from 'vitest';
import {
  bindColumns,
  detectKind,
  kindFromFileName,
  normalizeHeader,
  parseColumnMap,
} from './headers.js';

describe('header matching', () => {
  test.each([
    { input: 'Customer ID', expected: 'customerid' },
    { input: 'customer_id', expected: 'customerid' },
    { input: '*客户编号', expected: '客户编号' },
    { input: '金额(元)', expected: '金额' },
    { input: '实付金额（元）', expected: '实付金额' },
    { input: 'ＳＫＵ', expected: 'sku' },
  ])('$input matches as $expected', ({ input, expected }) => {
    expect(normalizeHeader(input)).toBe(expected);
  });

  test('Chinese transaction headers map to fields, 实付金额 winning over 订单金额', () => {
    const headers = [
      '订单号',
      '客户ID',
      '下单时间',
      '订单金额',
      '实付金额',
      '商品',
      '数量',
      '单价',
      '状态',
      '备注',
    ];
    expect(bindColumns('transactions', headers, {}, 'x.csv').map((b) => b.field)).toEqual([
      'transactionId',
      'customerId',
      'occurredAt',
      null,
      'amount',
      'sku',
      'quantity',
      'unitPrice',
      'status',
      null,
    ]);
  });

  test('a Taobao-style order export maps the buyer, creation time and paid amount', () => {
    const headers = [
      '订单编号',
      '买家会员名',
      '买家实际支付金额',
      '订单状态',
      '订单创建时间',
      '订单付款时间',
    ];
    expect(bindColumns('transactions', headers, {}, 'x.csv').map((b) => b.field)).toEqual([
      'transactionId',
      'customerId',
      'amount',
      'status',
      'occurredAt',
      null,
    ]);
  });

  test('Chinese customer headers map to fields; 手机 and 电话 both fill phones', () => {
    const headers = [
      '客户编号',
      '客户名称',
      '手机',
      '电话',
      '地区',
      '性别',
      '生日',
      '行业',
      '渠道',
      '会员等级',
    ];
    expect(bindColumns('customers', headers, {}, 'x.csv').map((b) => b.field)).toEqual([
      'customerId',
      'name',
      'phones',
      'phones',
      'region',
      'gender',
      'birthday',
      'industry',
      'channel',
      null,
    ]);
  });

  test('--map overrides a synonym and can ignore a column', () => {
    const bindings = bindColumns(
      'transactions',
      ['customer_id', 'date', 'amount', 'dollar_value'],
      { dollar_value: 'amount', amount: '-' },
      'x.csv',
    );
    expect(bindings.map((b) => b.field)).toEqual(['customerId', 'occurredAt', null, 'amount']);
  });

  test('--map accepts a field name in snake case', () => {
    const bindings = bindColumns('transactions', ['when'], { when: 'occurred_at' }, 'x.csv');
    expect(bindings[0].field).toBe('occurredAt');
  });

  test.each([
    {
      title: 'a column the file does not have',
      map: { 客户号: 'customerId' } as Record<string, string>,
      message:
        'x.csv: --map names the column "客户号", which the file does not have; its columns are "id", "日期"',
    },
    {
      title: 'a field the kind does not have',
      map: { 日期: 'birthday' } as Record<string, string>,
      message:
        'x.csv: --map 日期=birthday: transactions have no field "birthday"; the fields are transactionId, customerId, occurredAt, amount, currency, cost, margin, channel, status, sku, quantity, unitPrice',
    },
    {
      title: 'one field for two columns',
      map: { id: 'customerId', 日期: 'customerId' } as Record<string, string>,
      message:
        'x.csv: --map gives two columns the field customerId; a transactions row has one customerId',
    },
  ])('--map naming $title is an input error', ({ map, message }) => {
    expect(() => bindColumns('transactions', ['id', '日期'], map, 'x.csv')).toThrow(
      expect.objectContaining({ code: 'invalid_input', message }),
    );
  });
});

describe('--map arguments', () => {
  test('column=field pairs become a map; the split is at the last =', () => {
    expect(parseColumnMap(['客户号=customerId', 'a=b=amount', ' 备注 = '])).toEqual({
      客户号: 'customerId',
      'a=b': 'amount',
      备注: '',
    });
  });

  test.each([{ entry: 'customerId' }, { entry: '=amount' }])(
    '$entry without a column is an input error',
    ({ entry }) => {
      expect(() => parseColumnMap([entry])).toThrow(
        expect.objectContaining({
          code: 'invalid_input',
          message: `--map ${entry}: expected column=field, such as 客户号=customerId`,
        }),
      );
    },
  );
});

describe('kind detection', () => {
  test.each([
    {
      title: 'orders',
      headers: ['客户编号', '下单时间', '实付金额'],
      file: 'a.csv',
      expected: 'transactions',
    },
    {
      title: 'customers',
      headers: ['客户编号', '姓名', '手机', '性别', '生日'],
      file: 'a.csv',
      expected: 'customers',
    },
    {
      title: 'products',
      headers: ['SKU', '商品名称', '单价', '成本'],
      file: 'a.csv',
      expected: 'products',
    },
    {
      title: 'interactions',
      headers: ['customer_id', 'time', 'type', 'note'],
      file: 'a.csv',
      expected: 'interactions',
    },
    {
      title: 'subscriptions',
      headers: ['客户编号', '套餐', '开通日期', '离网时间', '月租'],
      file: 'a.csv',
      expected: 'subscriptions',
    },
    {
      title: 'a tie broken by the file name 订单.csv',
      headers: ['客户编号', '日期', '金额', '类型'],
      file: '订单.csv',
      expected: 'transactions',
    },
    {
      title: 'a tie broken by the file name interactions.csv',
      headers: ['客户编号', '日期', '金额', '类型'],
      file: 'data/interactions.csv',
      expected: 'interactions',
    },
  ])('$title', ({ headers, file, expected }) => {
    expect(detectKind(headers, {}, file)).toBe(expected);
  });

  test('a tie without a file-name hint asks for --kind', () => {
    expect(() => detectKind(['客户编号', '日期', '金额', '类型'], {}, 'data.csv')).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message:
          'data.csv: the columns fit transactions and interactions equally well; pass --kind',
      }),
    );
  });

  test('columns that fit no kind name the closest one and what it lacks', () => {
    expect(() => detectKind(['编码', '金额'], {}, 'data.csv')).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message:
          'data.csv: cannot tell what the file holds from its columns ("编码", "金额"); closest is transactions, which needs a column for customerId, occurredAt; pass --kind and --map column=field',
      }),
    );
  });

  test.each([
    { file: 'transactions.csv', expected: 'transactions' },
    { file: '2024年订单.xlsx', expected: 'transactions' },
    { file: '客户名单.csv', expected: 'customers' },
    { file: 'products.jsonl', expected: 'products' },
    { file: '通话记录.csv', expected: 'interactions' },
    { file: 'data.csv', expected: null },
  ])('file name $file hints $expected', ({ file, expected }) => {
    expect(kindFromFileName(file)).toBe(expected);
  });
});
