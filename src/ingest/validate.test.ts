import { describe, expect, test } from 'vitest';
import type { RecordKind } from '../engine/records.js';
import { bindColumns, type ColumnMap } from './headers.js';
import { createRowValidator, formatProblem, type RowResult } from './validate.js';
import type { CellValue } from './values.js';

function validateOne(
  kind: RecordKind,
  headers: string[],
  cells: CellValue[],
  map: ColumnMap = {},
): RowResult {
  const validate = createRowValidator({
    file: 'f.csv',
    kind,
    bindings: bindColumns(kind, headers, map, 'f.csv'),
    timeZone: 'Asia/Shanghai',
    currency: 'CNY',
    columnNumbers: true,
  });
  return validate(cells, 2);
}

function recordOf(result: RowResult): unknown {
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.item.record;
}

describe('records from rows', () => {
  test.each([
    {
      title: 'a product with prices in yuan',
      kind: 'products' as const,
      headers: ['商品编码', '商品名称', '类别', '零售价', '成本价'],
      cells: ['SKU-1', '绿茶', '饮料', '¥3.50', '1.2'],
      expected: {
        sku: 'SKU-1',
        name: '绿茶',
        category: '饮料',
        listPriceMinor: 350,
        unitCostMinor: 120,
      },
    },
    {
      title: 'a subscription without an id gets one from customer, plan and start',
      kind: 'subscriptions' as const,
      headers: ['客户编号', '套餐', '开通日期', '离网时间', '月租'],
      cells: ['C1', '畅享58', '2023-05-01', '', '58元'],
      expected: {
        subscriptionId: 'C1:畅享58:2023-04-30T16:00:00.000Z',
        customerId: 'C1',
        plan: '畅享58',
        startedAt: new Date('2023-04-30T16:00:00Z'),
        endedAt: null,
        monthlyFeeMinor: 5800,
      },
    },
    {
      title: 'a line item without an amount is priced as quantity × unit price',
      kind: 'transactions' as const,
      headers: ['客户编号', '下单时间', '商品', '数量', '单价'],
      cells: ['C1', '2024-01-31 10:00', 'SKU-1', '3', '19.90'],
      expected: expect.objectContaining({ amountMinor: 5970, quantity: 3, unitPriceMinor: 1990 }),
    },
    {
      title: 'margin without cost gives cost = amount − margin',
      kind: 'transactions' as const,
      headers: ['客户编号', '下单时间', '金额', '毛利'],
      cells: ['C1', '2024-01-31', '100.00', '35.50'],
      expected: expect.objectContaining({ amountMinor: 10000, costMinor: 6450 }),
    },
    {
      title: 'a dollar sign sets the currency',
      kind: 'transactions' as const,
      headers: ['customer_id', 'date', 'amount'],
      cells: ['C1', '2024-01-31', '$5.00'],
      expected: expect.objectContaining({ amountMinor: 500, currency: 'USD' }),
    },
    {
      title: 'a currency column wins over the symbol',
      kind: 'transactions' as const,
      headers: ['customer_id', 'date', 'amount', 'currency'],
      cells: ['C1', '2024-01-31', '5.00', 'hkd'],
      expected: expect.objectContaining({ amountMinor: 500, currency: 'HKD' }),
    },
    {
      title: 'a currency column in Chinese',
      kind: 'transactions' as const,
      headers: ['客户编号', '日期', '金额', '币种'],
      cells: ['C1', '2024-01-31', '5.00', '港币'],
      expected: expect.objectContaining({ amountMinor: 500, currency: 'HKD' }),
    },
    {
      title: 'a customer with --map to attributes and consent, and an unmapped column kept',
      kind: 'customers' as const,
      headers: ['会员号', '地区', '等级', '短信营销', '备注'],
      cells: ['M9', '浙江 杭州', '金卡', '是', '老客户介绍'],
      map: { 等级: 'attributes.level', 短信营销: 'consent.sms' },
      expected: expect.objectContaining({
        customerId: 'M9',
        province: '浙江',
        city: '杭州',
        attributes: { level: '金卡', 备注: '老客户介绍' },
        consent: { sms: true },
      }),
    },
    {
      title: 'an interaction with a Chinese rating and direction',
      kind: 'interactions' as const,
      headers: ['客户编号', '联系时间', '方式', '呼叫方向', '满意度', '客服', '处理结果'],
      cells: ['C1', '2024/3/1 9:30', '投诉', '呼入', '不满意', 'A07', '已补偿'],
      expected: {
        interactionId: null,
        customerId: 'C1',
        occurredAt: new Date('2024-03-01T01:30:00Z'),
        type: 'complaint',
        direction: 'inbound',
        outcome: '已补偿',
        satisfaction: 2,
        staff: 'A07',
        note: null,
      },
    },
  ])('$title', ({ kind, headers, cells, map, expected }) => {
    expect(recordOf(validateOne(kind, headers, cells, map))).toEqual(expected);
  });

  test.each([
    {
      title: 'a subscription ending before it starts',
      kind: 'subscriptions' as const,
      headers: ['customer_id', 'start_date', 'end_date'],
      cells: ['C1', '2024-02-01', '2024-01-01'],
      expected: ['f.csv:2:3 endedAt: ends before it starts (2024-01-31T16:00:00.000Z)'],
    },
    {
      title: 'a line item with neither amount nor price',
      kind: 'transactions' as const,
      headers: ['customer_id', 'date', 'amount', 'quantity', 'unit_price'],
      cells: ['C1', '2024-02-01', '', '2', ''],
      expected: ['f.csv:2:3 amount: required, but empty'],
    },
    {
      title: 'an interaction of an unknown type and a score out of range',
      kind: 'interactions' as const,
      headers: ['customer_id', 'time', 'type', 'satisfaction'],
      cells: ['C1', '2024-02-01', '聊天', '9'],
      expected: [
        'f.csv:2:3 type: expected an interaction type (call, visit, email, sms, complaint, service, survey, referral, or 电话/拜访/邮件/短信/投诉/服务/调查/推荐), got "聊天"',
        'f.csv:2:4 satisfaction: expected a satisfaction score from 1 to 5, got "9"',
      ],
    },
    {
      title: 'ids and phones that Excel turned into scientific notation',
      kind: 'customers' as const,
      headers: ['客户编号', '手机'],
      cells: ['1.23457E+17', '1.38001E+10'],
      expected: [
        'f.csv:2:1 customerId: Excel wrote this long number in scientific notation and its digits are lost; format the column as text and export again: "1.23457E+17"',
        'f.csv:2:2 phones: Excel wrote this long number in scientific notation and its digits are lost; format the column as text and export again: "1.38001E+10"',
      ],
    },
    {
      title: 'a customer with a bad phone, email and birthday',
      kind: 'customers' as const,
      headers: ['客户编号', '手机', '邮箱', '生日'],
      cells: ['C1', '138-abc', 'nobody', '1990-02-30'],
      expected: [
        'f.csv:2:2 phones: expected a phone number, got "138-abc"',
        'f.csv:2:3 emails: expected an email address, got "nobody"',
        'f.csv:2:4 birthday: expected a date such as 2024-01-31, 2024/1/31 13:05 or 2024年1月31日, got "1990-02-30"',
      ],
    },
  ])('reports $title', ({ kind, headers, cells, expected }) => {
    const result = validateOne(kind, headers, cells);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(expected);
  });
});
