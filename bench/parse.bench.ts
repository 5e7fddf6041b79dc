/**
 * Throughput of the ingest layer on a generated 10-column transaction file (default 1,000,000
 * rows): the CSV reader alone, and the whole path to validated records (openRecordSource).
 * Baseline in the same run: reading and UTF-8-decoding the file and splitting it into lines,
 * which no CSV reader can beat. Each phase runs 3 times; the best is shown, as wall-clock time
 * and as CPU time (user + system, all threads), since shared machines make wall time noisy.
 *
 * Run: node --import tsx bench/parse.bench.ts [rows]
 */
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { readCsv, sniffCsv } from '../src/ingest/csv-reader.js';
import { openRecordSource } from '../src/ingest/source.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(path.join(tmpdir(), 'tenure-bench-'));
const file = path.join(dir, 'transactions.csv');

function generate(): void {
  const fd = openSync(file, 'w');
  let parts: string[] = [
    'order_id,customer_id,order_date,amount,cost,sku,quantity,unit_price,channel,status\n',
  ];
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

interface Timing {
  wall: number;
  cpu: number;
}

async function best(run: () => Promise<number>): Promise<Timing & { count: number }> {
  let result = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY, count: 0 };
  for (let i = 0; i < 3; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const count = await run();
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const used = process.cpuUsage(cpu0);
    const cpu = (used.user + used.system) / 1e6;
    result = { wall: Math.min(result.wall, wall), cpu: Math.min(result.cpu, cpu), count };
  }
  return result;
}

function report(label: string, t: Timing & { count: number }, baseline: Timing | null): void {
  const perSecond = (s: number): string =>
    Math.round(t.count / s)
      .toLocaleString('en')
      .padStart(10);
  const ratio = baseline ? `  ${(t.cpu / baseline.cpu).toFixed(1)}× baseline CPU` : '';
  console.log(
    `${label.padEnd(30)} wall ${t.wall.toFixed(2)} s ${perSecond(t.wall)} rows/s | cpu ${t.cpu.toFixed(2)} s ${perSecond(t.cpu)} rows/s${ratio}`,
  );
}

try {
  generate();
  console.log(`${rows.toLocaleString('en')} rows, ${(statSync(file).size / 1e6).toFixed(0)} MB`);
  const baseline = await best(async () => {
    const decoder = new StringDecoder('utf8');
    let count = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
      count += decoder.write(chunk as Buffer).split('\n').length - 1;
    }
    return count - 1;
  });
  report('baseline: read, decode, lines', baseline, null);
  report(
    'csv-reader (parse only)',
    await best(async () => {
      const layout = await sniffCsv(file);
      let count = 0;
      for await (const batch of readCsv(file, layout)) count += batch.length;
      return count - 1;
    }),
    baseline,
  );
  report(
    'openRecordSource (validated)',
    await best(async () => {
      const source = await openRecordSource(file);
      let count = 0;
      for await (const row of source.rows()) {
        if (!row.ok) throw new Error(JSON.stringify(row.problems));
        count++;
      }
      return count;
    }),
    baseline,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
