/**
 * Model fitting and scoring speed. Run: npm run bench:models
 *
 * Prints BG/NBD and Pareto/NBD fit times on the CDNOW summary (after warm-up, median of
 * several runs), with ratios against baselines measured in the same run: BG/NBD fitted with
 * finite-difference gradients, and BG/NBD fitted on one row per customer instead of unique
 * rows with counts. Then the full CDNOW cohort (23,570 customers) from its transactions through
 * the streaming summary, fit and scoring; then simulates 1M and 10M BG/NBD and 1M Pareto/NBD
 * customers (weeks, times rounded to whole days) and times compression, the fit and scoring
 * (12-month expected purchases, P(alive), spend, discounted CLV).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  bgNbdLogLik,
  compressRfm,
  createRng,
  createSummaryAccumulator,
  fitBgNbd,
  fitLogParams,
  fitParetoNbd,
  type PurchaseModel,
  type RfmRows,
  rfmTotals,
  sampleGamma,
  scoreCustomers,
  simulateBgNbd,
  simulateParetoNbd,
} from '../src/engine/index.js';

const CDNOW = path.resolve(import.meta.dirname, '../../shared/datasets/cdnow');

function loadSummary() {
  const text = readFileSync(path.join(CDNOW, 'cdnow_customers_summary.csv'), 'utf8');
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  for (const line of text.trim().split(/\r?\n/).slice(1)) {
    const f = line.split(',');
    x.push(Number(f[1]));
    tx.push(Number(f[2]));
    T.push(Number(f[3]));
  }
  return { x, tx, T };
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

function median(fn: () => unknown, runs: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(time(fn).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** BG/NBD fitted the same way but with finite-difference gradients (the baseline). */
function fitBgNbdFiniteDifferences(rows: RfmRows) {
  const { n, sumX, meanT } = rfmTotals(rows);
  const scaled = { ...rows, tx: rows.tx.map((v) => v / meanT), T: rows.T.map((v) => v / meanT) };
  const rate = sumX / n;
  const fromLog = (t: Float64Array) => ({
    r: Math.exp(t[0]),
    alpha: Math.exp(t[1]),
    a: Math.exp(t[2]),
    b: Math.exp(t[3]),
  });
  return fitLogParams({
    names: ['r', 'alpha', 'a', 'b'],
    scale: [1, meanT, 1, 1],
    nObs: n,
    starts: [
      [0, Math.log(1 / rate), 0, 0],
      [Math.log(0.3), Math.log(0.3 / rate), Math.log(0.7), Math.log(2.5)],
      [Math.log(3), Math.log(3 / rate), Math.log(2), Math.log(8)],
    ],
    nll: (t) => -bgNbdLogLik(fromLog(t), scaled),
    logLik: (p) => bgNbdLogLik(p, rows),
  });
}

const fmt = (ms: number) => `${ms.toFixed(1).padStart(9)} ms`;

const cdnow = loadSummary();
const rows = compressRfm(cdnow.x, cdnow.tx, cdnow.T).rows;
const perCustomer = {
  x: Float64Array.from(cdnow.x),
  tx: Float64Array.from(cdnow.tx),
  T: Float64Array.from(cdnow.T),
  weight: new Float64Array(cdnow.x.length).fill(1),
};

console.log(`CDNOW summary: ${cdnow.x.length} customers, ${rows.x.length} unique (x, tx, T) rows`);
const bg = median(() => fitBgNbd(rows), 7);
const bgFd = median(() => fitBgNbdFiniteDifferences(rows), 5);
const bgFlat = median(() => fitBgNbd(perCustomer), 5);
const pnbd = median(() => fitParetoNbd(rows), 3, 1);
console.log(`BG/NBD fit (analytic gradient, unique rows)    ${fmt(bg)}   1.00×`);
console.log(
  `  baseline: finite-difference gradient         ${fmt(bgFd)}   ${(bgFd / bg).toFixed(2)}× slower`,
);
console.log(
  `  baseline: one row per customer               ${fmt(bgFlat)}   ${(bgFlat / bg).toFixed(2)}× slower`,
);
console.log(
  `Pareto/NBD fit (analytic gradient via 2F1)     ${fmt(pnbd)}   ${(pnbd / bg).toFixed(2)}× BG/NBD`,
);

// The full CDNOW cohort (23,570 customers) from its transactions, the `tenure fit` path:
// streaming summary, fit on unique rows, score everyone.
{
  const text = readFileSync(path.join(CDNOW, 'CDNOW_master.txt'), 'utf8');
  const t0 = performance.now();
  const acc = createSummaryAccumulator({
    calibrationEnd: new Date('1997-09-30T00:00:00Z'),
    unit: 'week',
  });
  for (const line of text.split(/\r?\n/).slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const d = f[1];
    acc.add(
      f[0],
      new Date(Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8))),
      Math.round(Number(f[3]) * 100),
    );
  }
  const summary = acc.finish();
  const tSummary = performance.now() - t0;
  const keep = [...summary.T.keys()].filter((i) => summary.T[i] > 0);
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
  const data = {
    x: pick(summary.x),
    tx: pick(summary.tx),
    T: pick(summary.T),
    zbar: pick(summary.meanRepeatSpendMinor),
  };
  const fit = time(() => fitBgNbd(compressRfm(data.x, data.tx, data.T).rows));
  const scores = time(() =>
    scoreCustomers({ kind: 'bg-nbd', params: fit.value.params }, null, data, { unit: 'week' }),
  );
  console.log(`\nCDNOW full cohort from CDNOW_master.txt: ${summary.customerIds.length} customers`);
  console.log(`  summarise 69,659 transactions                ${fmt(tSummary)}`);
  console.log(
    `  BG/NBD fit                                   ${fmt(fit.ms)}   converged=${fit.value.converged}`,
  );
  console.log(`  score                                        ${fmt(scores.ms)}`);
  void scores.value;
}

const rng = createRng(20261123);
const spend = { p: 6.25, q: 3.74, gamma: 15.44 };

function largeRun(kind: 'bg-nbd' | 'pareto-nbd', N: number) {
  const T = Float64Array.from({ length: N }, () => Math.round(7 + 358 * rng.next()) / 7);
  const sim = time(() =>
    kind === 'bg-nbd'
      ? simulateBgNbd(rng, { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, T)
      : simulateParetoNbd(rng, { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 }, T),
  );
  const data = sim.value;
  for (let i = 0; i < N; i++) data.tx[i] = Math.min(Math.round(data.tx[i] * 7) / 7, T[i]);
  const zbar = Float64Array.from(data.x, (x) => (x > 0 ? sampleGamma(rng, 6, 0.2) : 0));
  const compressed = time(() => compressRfm(data.x, data.tx, data.T));
  const fit = time(() =>
    kind === 'bg-nbd' ? fitBgNbd(compressed.value.rows) : fitParetoNbd(compressed.value.rows),
  );
  const model = { kind, params: fit.value.params } as PurchaseModel;
  const scores = time(() =>
    scoreCustomers(model, spend, { x: data.x, tx: data.tx, T: data.T, zbar }, { unit: 'week' }),
  );
  const truth = kind === 'bg-nbd' ? '0.243, 4.414, 0.793, 2.426' : '0.553, 10.578, 0.606, 11.669';
  const got = Object.values(fit.value.params)
    .map((v) => v.toFixed(3))
    .join(', ');
  console.log(`\n${N / 1e6}M simulated ${kind} customers (T up to 52 weeks, day resolution)`);
  console.log(`  simulate                                     ${fmt(sim.ms)}`);
  console.log(
    `  compress to ${compressed.value.rows.x.length} unique rows`.padEnd(48) + fmt(compressed.ms),
  );
  console.log(
    `  fit                                          ${fmt(fit.ms)}   converged=${fit.value.converged}`,
  );
  console.log(`    estimates ${got} (truth ${truth})`);
  console.log(
    `  score (12 monthly steps, P(alive), spend, CLV) ${fmt(scores.ms).trimStart().padStart(11)}`,
  );
  console.log(
    `  fit + score per customer                     ${(((fit.ms + scores.ms) / N) * 1e3).toFixed(2).padStart(9)} µs`,
  );
}

// `npm run bench:models -- 1000000 10000000` picks the BG/NBD sizes; Pareto/NBD runs at 1M.
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
for (const n of sizes.length ? sizes : [1_000_000, 10_000_000]) largeRun('bg-nbd', n);
largeRun('pareto-nbd', 1_000_000);
