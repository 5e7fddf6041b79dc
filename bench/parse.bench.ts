/**
 * Throughput of the ingest layer on a generated 10-column transaction file:
 * the CSV reader alone, and the whole path to validated records (openRecordSource).
 * Run: node --import tsx bench/parse.bench.ts [rows]
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCsv, sniffCsv } from '../src/ingest/csv-reader.js';
import { openRecordSource } from '../src/ingest/source.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(path.join(tmpdir(), 'tenure-bench-'));
const file = path.join(dir, 'transactions.csv');

function generate(): void {
  const header =
    'order_id,customer_id,order_date,amount,cost,sku,quantity,unit_price,channel,status\n';
  const fd = openSync(file, 'w');
  let parts: string[] = [header];
  for (let i = 0; i < rows; i++) {
    if (parts.length === 10_000) {
      writeSync(fd, parts.join(''));
      parts = [];
    }
    const day = 1 + (i % 28);
    const qty = 1 + (i % 5);
    const price = 1000 + (i % 997);
    parts.push(
      `T${i},C${i % 50_000},2024-03-${day < 10 ? `0${day}` : day} ${10 + (i % 12)}:${10 + (i % 50)}:00,${((qty * price) / 100).toFixed(2)},${((qty * price * 0.6) / 100).toFixed(2)},SKU-${i % 2000},${qty},${(price / 100).toFixed(2)},${i % 3 === 0 ? '"web, app"' : 'store'},completed\n`,
    );
  }
  writeSync(fd, parts.join(''));
  closeSync(fd);
}

async function timeIt(label: string, run: () => Promise<number>): Promise<void> {
  const start = process.hrtime.bigint();
  const count = await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const mb = statSync(file).size / 1e6;
  console.log(
    `${label.padEnd(28)} ${count} rows in ${seconds.toFixed(2)} s: ${Math.round(count / seconds).toLocaleString('en')} rows/s, ${(mb / seconds).toFixed(0)} MB/s`,
  );
}

try {
  generate();
  console.log(`file: ${rows} rows, ${(statSync(file).size / 1e6).toFixed(0)} MB`);
  await timeIt('csv-reader (parse only)', async () => {
    const layout = await sniffCsv(file);
    let count = 0;
    for await (const batch of readCsv(file, layout)) count += batch.length;
    return count - 1;
  });
  await timeIt('openRecordSource (validated)', async () => {
    const source = await openRecordSource(file);
    let count = 0;
    for await (const row of source.rows()) {
      if (!row.ok) throw new Error(JSON.stringify(row.problems));
      count++;
    }
    return count;
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
