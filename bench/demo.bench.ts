/**
 * Demo generator throughput: customers/s and transaction rows/s for 20k and 200k customers of
 * each industry, plus the CSV export of the 20k retail business. The 20k retail run is the
 * baseline the other rows are compared with (ratios measured in the same run; STYLE.md "Tests").
 *
 *   node --import tsx bench/demo.bench.ts [--sizes 20000,200000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exportDemoCsv } from '../src/cli/demo-export.js';
import { type DemoIndustry, generateDemo } from '../src/engine/demo/index.js';

const AS_OF = new Date('2026-06-30T16:00:00Z');
const sizesArg = process.argv.indexOf('--sizes');
const sizes = sizesArg > 0 ? process.argv[sizesArg + 1].split(',').map(Number) : [20_000, 200_000];

interface Result {
  label: string;
  customers: number;
  rows: number;
  interactions: number;
  seconds: number;
  heapMb: number;
}

function generate(industry: DemoIndustry, customers: number): Result {
  const demo = generateDemo({ customers, years: 3, seed: 1, industry, asOf: AS_OF });
  let rows = 0;
  let interactions = 0;
  let heap = 0;
  const t0 = performance.now();
  let n = 0;
  for (const c of demo.customers()) {
    rows += c.transactions.length;
    interactions += c.interactions.length;
    if (++n % 50_000 === 0) heap = Math.max(heap, process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - t0) / 1000;
  heap = Math.max(heap, process.memoryUsage().heapUsed);
  return {
    label: `generate ${industry}`,
    customers,
    rows,
    interactions,
    seconds,
    heapMb: heap / 2 ** 20,
  };
}

// warm-up so the first measured run is not the JIT's
generate('retail', 2_000);

const results: Result[] = [];
for (const industry of ['retail', 'telecom'] as const)
  for (const size of sizes) results.push(generate(industry, size));

const dir = await mkdtemp(path.join(os.tmpdir(), 'tenure-demo-bench-'));
try {
  const demo = generateDemo({
    customers: sizes[0],
    years: 3,
    seed: 1,
    industry: 'retail',
    asOf: AS_OF,
  });
  const t0 = performance.now();
  const files = await exportDemoCsv(demo, dir);
  const seconds = (performance.now() - t0) / 1000;
  const rows = files.find((f) => f.file.endsWith('transactions.csv'))?.rows ?? 0;
  results.push({
    label: 'export retail csv',
    customers: sizes[0],
    rows,
    interactions: files.find((f) => f.file.endsWith('interactions.csv'))?.rows ?? 0,
    seconds,
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}

const base = results[0].customers / results[0].seconds;
console.log(
  [
    'what',
    'customers',
    'tx rows',
    'interactions',
    'seconds',
    'customers/s',
    'tx rows/s',
    'vs baseline',
    'heap MB',
  ]
    .map((h) => h.padStart(14))
    .join(''),
);
for (const r of results) {
  const cps = r.customers / r.seconds;
  console.log(
    [
      r.label,
      r.customers,
      r.rows,
      r.interactions,
      r.seconds.toFixed(2),
      Math.round(cps),
      Math.round(r.rows / r.seconds),
      `${(cps / base).toFixed(2)}×`,
      Math.round(r.heapMb),
    ]
      .map((v) => String(v).padStart(14))
      .join(''),
  );
}
