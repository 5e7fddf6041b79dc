/**
 * `tenure demo --export DIR`: writes the demo business as the CSV files an analyst would get
 * from a Chinese business system — UTF-8 with a byte-order mark (so Excel opens it as UTF-8),
 * Chinese headers, CRLF line ends and quoting as RFC 4180 §2, amounts in yuan with two decimals,
 * times as `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai (UTC+8, no daylight saving).
 *
 * Files are streamed: rows go out in 64 KiB chunks with back-pressure, so memory stays flat
 * whatever the number of customers. The demo's ground truth is not exported.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Demo } from '../engine/demo/index.js';
import type { Direction, Gender, InteractionType, TransactionStatus } from '../engine/records.js';

export const DEMO_CSV_HEADERS = Object.freeze({
  customers: [
    '客户编号',
    '客户名称',
    '手机',
    '邮箱',
    '省份',
    '城市',
    '地址',
    '性别',
    '生日',
    '行业',
    '渠道',
    '注册时间',
    '客户经理',
  ],
  products: ['商品编码', '商品名称', '品类', '单价', '成本'],
  transactions: [
    '订单号',
    '客户编号',
    '下单时间',
    '商品编码',
    '数量',
    '单价',
    '金额',
    '成本',
    '状态',
    '渠道',
  ],
  interactions: [
    '互动编号',
    '客户编号',
    '互动时间',
    '类型',
    '方向',
    '结果',
    '满意度',
    '员工',
    '备注',
  ],
  subscriptions: ['订阅编号', '客户编号', '套餐', '开始时间', '结束时间', '月费'],
} as const);

export const GENDER_LABELS: Readonly<Record<Gender, string>> = Object.freeze({
  male: '男',
  female: '女',
  other: '其他',
});

export const STATUS_LABELS: Readonly<Record<TransactionStatus, string>> = Object.freeze({
  completed: '已完成',
  refunded: '已退款',
  cancelled: '已取消',
});

export const INTERACTION_LABELS: Readonly<Record<InteractionType, string>> = Object.freeze({
  call: '电话',
  visit: '拜访',
  email: '邮件',
  sms: '短信',
  complaint: '投诉',
  service: '服务',
  survey: '调查',
  referral: '推荐',
});

export const DIRECTION_LABELS: Readonly<Record<Direction, string>> = Object.freeze({
  inbound: '呼入',
  outbound: '呼出',
});

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const CHUNK = 64 * 1024;

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai; '' for null. */
export function shanghaiTime(d: Date | null): string {
  if (d === null) return '';
  const t = new Date(d.getTime() + SHANGHAI_OFFSET_MS);
  return `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
}

/** Fen to yuan with two decimals, exactly (integer arithmetic, no float rounding); '' for null. */
export function yuan(minor: number | null): string {
  if (minor === null) return '';
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${two(abs % 100)}`;
}

/** RFC 4180 §2.6–2.7: quote a field holding a comma, quote or line break; double inner quotes. */
function field(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

class CsvFile {
  private readonly stream: WriteStream;
  private buffer = '';
  rows = 0;

  constructor(
    readonly file: string,
    header: readonly string[],
  ) {
    this.stream = createWriteStream(file, { encoding: 'utf8' });
    this.buffer = `\uFEFF${header.map(field).join(',')}\r\n`;
  }

  row(values: readonly (string | number | null)[]): void {
    this.buffer += `${values.map(field).join(',')}\r\n`;
    this.rows++;
  }

  /** Hands a full buffer to the stream, waiting while the stream's own buffer is full. */
  async spill(): Promise<void> {
    if (this.buffer.length >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<{ file: string; rows: number }> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    return { file: this.file, rows: this.rows };
  }

  destroy(): void {
    this.stream.destroy();
  }
}

/**
 * Writes customers.csv, products.csv, transactions.csv (one row per line item), interactions.csv
 * and, for the telecom business, subscriptions.csv into `dir` (created if missing). Returns each
 * file's path and number of data rows.
 */
export async function exportDemoCsv(
  demo: Demo,
  dir: string,
): Promise<{ file: string; rows: number }[]> {
  await mkdir(dir, { recursive: true });
  const open = (name: keyof typeof DEMO_CSV_HEADERS) =>
    new CsvFile(path.join(dir, `${name}.csv`), DEMO_CSV_HEADERS[name]);
  const files = [open('customers'), open('products'), open('transactions'), open('interactions')];
  const [customers, products, transactions, interactions] = files;
  const subscriptions = demo.params.contract ? open('subscriptions') : null;
  if (subscriptions) files.push(subscriptions);

  try {
    for (const p of demo.products) {
      products.row([p.sku, p.name, p.category, yuan(p.listPriceMinor), yuan(p.unitCostMinor)]);
    }
    await products.spill();
    for (const c of demo.customers()) {
      const k = c.customer;
      customers.row([
        k.customerId,
        k.name,
        k.phones.join(';'),
        k.emails.join(';'),
        k.province,
        k.city,
        k.address,
        k.gender === null ? null : GENDER_LABELS[k.gender],
        k.birthday,
        k.industry,
        k.channel,
        shanghaiTime(k.acquiredAt),
        k.ownerId,
      ]);
      for (const t of c.transactions) {
        transactions.row([
          t.transactionId,
          t.customerId,
          shanghaiTime(t.occurredAt),
          t.sku,
          t.quantity,
          yuan(t.unitPriceMinor),
          yuan(t.amountMinor),
          yuan(t.costMinor),
          STATUS_LABELS[t.status],
          t.channel,
        ]);
      }
      for (const i of c.interactions) {
        interactions.row([
          i.interactionId,
          i.customerId,
          shanghaiTime(i.occurredAt),
          INTERACTION_LABELS[i.type],
          i.direction === null ? null : DIRECTION_LABELS[i.direction],
          i.outcome,
          i.satisfaction,
          i.staff,
          i.note,
        ]);
      }
      if (subscriptions) {
        for (const s of c.subscriptions) {
          subscriptions.row([
            s.subscriptionId,
            s.customerId,
            s.plan,
            shanghaiTime(s.startedAt),
            shanghaiTime(s.endedAt),
            yuan(s.monthlyFeeMinor),
          ]);
        }
      }
      for (const f of files) await f.spill();
    }
    const done: { file: string; rows: number }[] = [];
    for (const f of files) done.push(await f.close());
    return done;
  } catch (error) {
    for (const f of files) f.destroy();
    throw error;
  }
}
