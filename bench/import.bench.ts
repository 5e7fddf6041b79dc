/**
 * `npm run bench:import [-- 1000000 10000000]`: import throughput of `tenure import` on a
 * generated transactions CSV, into the embedded database and (when reachable) a PostgreSQL
 * server, with peak memory. A benchmark prints figures; it asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { importFiles } from '../src/ingest/import-files.js';
import { openDb } from '../src/store/open.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
if (sizes.length === 0) sizes.push(1_000_000);
const dir = path.join(os.tmpdir(), 'tenure-bench-import');
mkdirSync(dir, { recursive: true });

async function writeCsv(file: string, rows: number) {
  const out = createWriteStream(file);
  out.write('order_id,customer_id,order_time,amount,channel\n');
  const base = Date.UTC(2022, 0, 1);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const t = new Date(base + i * 37_000).toISOString().slice(0, 19).replace('T', ' ');
    chunk += `O${i},C${(i * 7919) % Math.max(1, Math.floor(rows / 8))},${t},${5 + (i % 9973)}.${String(i % 100).padStart(2, '0')},${i % 3 ? 'online' : 'store'}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  out.end();
  await once(out, 'finish');
}

function serverUrl(): string | null {
  if (process.env.TENURE_TEST_DATABASE_URL) return process.env.TENURE_TEST_DATABASE_URL;
  try {
    execFileSync('pg_isready', ['-h', '127.0.0.1', '-q'], { stdio: 'ignore' });
    return 'postgres://postgres@127.0.0.1:5432/test';
  } catch {
    return null;
  }
}

async function run(label: string, file: string, rows: number, url: string | null) {
  let target = url;
  let dropName: string | null = null;
  const dataDir = path.join(dir, `data-${rows}`);
  if (url) {
    dropName = `tenure_bench_${rows}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dropName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dropName}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${dropName}`;
    target = u.toString();
  } else {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const db = await openDb({ databaseUrl: target, dataDir: url ? null : dataDir });
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 200);
  const t0 = performance.now();
  const report = await importFiles(db, [file], { kind: 'transactions' });
  const s = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  await db.close();
  console.log(
    `${label.padEnd(10)} ${String(rows).padStart(9)} rows  ${s.toFixed(1).padStart(6)} s  ${String(Math.round(rows / s)).padStart(7)} rows/s  peak RSS ${Math.round(peak / 2 ** 20)} MiB (${Math.round((peak - rssBefore) / 2 ** 20)} MiB above start)  orders ${report.counts.transactions.inserted}`,
  );
  if (dropName && url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dropName} WITH (FORCE)`);
    await admin.end();
  } else {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const url = serverUrl();
console.log(
  `tenure bench:import on ${os.cpus().length} cores; PostgreSQL: ${url ?? 'not reachable, skipped'}`,
);
for (const rows of sizes) {
  const file = path.join(dir, `transactions-${rows}.csv`);
  await writeCsv(file, rows);
  console.log(`generated ${file} (${Math.round(statSync(file).size / 2 ** 20)} MiB)`);
  await run('pglite', file, rows, null);
  if (url) await run('postgres', file, rows, url);
  rmSync(file, { force: true });
}
