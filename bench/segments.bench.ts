/**
 * Segmentation speed on 1M synthetic customers. Run: npm run bench:segments
 *
 * Times RFM scoring, value tiers (customer pyramid), Pareto analysis, and clustering on 9
 * standardised features with k chosen by silhouette (k = 2 … 8), each after one warm-up on a
 * 50k slice. Baseline measured in the same run: k-means for the chosen k fitted on all 1M points
 * (one start) instead of a 20k sample; printed with the ratio of the times and of the
 * within-cluster sums of squares (sampled / full: near 1 means the sample lost nothing).
 * Then the whole segmentation run end to end on PostgreSQL (see `endToEnd`).
 */

import pg from 'pg';
import {
  assignValueTiers,
  type ClusterFeature,
  clusterCustomers,
  createRng,
  kmeans,
  paretoAnalysis,
  sampleGamma,
  sampleNormal,
  scoreRfm,
  standardizeFeatures,
} from '../src/engine/index.js';
import type { CopyValue } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';
import {
  computeSegments,
  loadSnapshotBase,
  runSegmentAnalysis,
  withActivity,
} from '../src/store/segment-analysis.js';
import { createSegment, refreshSegments } from '../src/store/segment-repo.js';
import { loadSegmentSettings } from '../src/store/settings-repo.js';

const N = Number(process.argv[2] ?? 1_000_000);

function time<T>(label: string, fn: () => T): { s: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(44)} ${s.toFixed(2)} s`);
  return { s, value };
}

function synthesize(n: number, seed: number) {
  const rng = createRng(seed);
  const f = () => new Float64Array(n);
  const cols = {
    recency: f(),
    frequency: f(),
    monetary: f(),
    clv: f(),
    tenure: f(),
    trend: f(),
    pAlive: f(),
    complaints: f(),
    engagement: f(),
    profit: f(),
  };
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    ids[i] = `c${String(i).padStart(7, '0')}`;
    const rate = sampleGamma(rng, 0.8, 1);
    const orders = 1 + Math.floor(sampleGamma(rng, 0.6, 0.15) * rate);
    const spend = orders * sampleGamma(rng, 2, 1 / 150);
    cols.frequency[i] = orders;
    cols.monetary[i] = Math.round(spend);
    cols.recency[i] = Math.floor(sampleGamma(rng, 1, 1 / (120 / (0.5 + rate))));
    cols.tenure[i] = cols.recency[i] + Math.floor(sampleGamma(rng, 2, 1 / 200));
    cols.pAlive[i] = 1 / (1 + cols.recency[i] / 180);
    cols.clv[i] = spend * cols.pAlive[i] * (0.5 + rng.next());
    cols.trend[i] = sampleNormal(rng, 0, 0.4);
    cols.complaints[i] = rng.next() < 0.05 ? 1 + Math.floor(rng.next() * 4) : 0;
    cols.engagement[i] = sampleGamma(rng, 1.5, 1 / 3);
    cols.profit[i] = spend * 0.25 - 40 - 30 * cols.complaints[i];
  }
  return { ids, ...cols };
}

function run(n: number, quiet: boolean) {
  const log = quiet ? () => {} : console.log;
  const c = synthesize(n, 2026);
  const t = (label: string, fn: () => unknown) => (quiet ? { s: 0, value: fn() } : time(label, fn));
  const features: ClusterFeature[] = [
    { name: 'recency_days', role: 'recency', values: c.recency },
    { name: 'orders', role: 'frequency', values: c.frequency, skewed: true },
    { name: 'spend', role: 'monetary', values: c.monetary, skewed: true },
    { name: 'clv', role: 'clv', values: c.clv, skewed: true },
    { name: 'tenure_days', role: 'tenure', values: c.tenure },
    { name: 'trend', role: 'trend', values: c.trend },
    { name: 'p_alive', role: 'p-alive', values: c.pAlive },
    { name: 'complaints', role: 'complaints', values: c.complaints, skewed: true },
    { name: 'engagement', role: 'engagement', values: c.engagement, skewed: true },
  ];
  const rfm = t('RFM scores and segments', () =>
    scoreRfm({ recencyDays: c.recency, frequency: c.frequency, monetary: c.monetary }),
  );
  const tiers = t('value tiers (customer pyramid, CLV)', () => assignValueTiers(c.clv, c.ids));
  const pareto = t('Pareto revenue + profit', () => paretoAnalysis(c.ids, c.monetary, c.profit));
  const clusters = t('clusters: standardise, choose k 2…8, fit, profile', () =>
    clusterCustomers(features, { seed: 1 }),
  );
  if (quiet) return;
  const cl = clusters.value as ReturnType<typeof clusterCustomers>;
  const pr = pareto.value as ReturnType<typeof paretoAnalysis>;
  const ti = tiers.value as ReturnType<typeof assignValueTiers>;
  const rf = rfm.value as ReturnType<typeof scoreRfm>;
  log(`  RFM segments: ${rf.segments.map((s, i) => `${s.en} ${rf.counts[i]}`).join(', ')}`);
  log(`  tiers: ${ti.summary.map((s) => `${s.key} ${s.customers}`).join(', ')}`);
  log(
    `  Pareto: top 20 % make ${(pr.revenue.top20Share! * 100).toFixed(1)} % of revenue, ${(pr.profit!.top20Share! * 100).toFixed(1)} % of profit; profit peaks at ${(pr.profit!.peak.customers * 100).toFixed(1)} % of customers`,
  );
  log(
    `  silhouette by k: ${cl.selection!.scores.map((s) => `${s.k}:${s.silhouette.toFixed(3)}`).join(' ')} → k = ${cl.selection!.k}`,
  );
  for (const p of cl.clusters) log(`  cluster ${p.cluster} (${p.size}): ${p.reason.en}`);
  const std = standardizeFeatures(features);
  const k = cl.selection!.k;
  const sampled = time(`k-means k=${k}, 20k sample, 4 starts, assign all`, () =>
    kmeans(std.data, std.n, std.d, k, { seed: 1 }),
  );
  const full = time(`baseline: k-means k=${k} on all ${n}, 1 start`, () =>
    kmeans(std.data, std.n, std.d, k, { seed: 1, restarts: 1, sampleSize: n }),
  );
  log(
    `  sampled/full: time ${(sampled.s / full.s).toFixed(3)}, within-cluster SS ${(sampled.value.inertia / full.value.inertia).toFixed(4)}`,
  );
}

run(50_000, true);
console.log(`segments bench: ${N} synthetic customers, 9 features`);
const t0 = performance.now();
run(N, false);
console.log(`engine total ${((performance.now() - t0) / 1000).toFixed(2)} s`);

await endToEnd(N);

/**
 * End to end on a PostgreSQL server (skipped with a message when none answers): N customers with
 * a score snapshot, a year of orders and some interactions and stage rows are bulk-loaded into a
 * fresh database, two saved segments are created, then `runSegmentAnalysis` runs as `tenure
 * analyze` would — features aggregated in SQL, RFM + tiers + Pareto + clusters, the snapshot
 * updated, the saved segments refreshed — with the time of each step.
 */
async function endToEnd(n: number): Promise<void> {
  const base =
    process.env.TENURE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `tenure_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`PostgreSQL end to end skipped: ${base} not reachable (${(e as Error).message})`);
    return;
  }
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString(), dataDir: null });
  try {
    const asOf = '2026-06-30';
    const end = Date.parse(`${asOf}T00:00:00Z`) + 86_400_000;
    const rng = createRng(7);
    const provinces = ['广东省', '山东省', '江苏省', '浙江省', '河南省', '四川省'];
    const tl = performance.now();
    const batch = 50_000;
    for (let start = 0; start < n; start += batch) {
      const customers: CopyValue[][] = [];
      const snaps: CopyValue[][] = [];
      const orders: CopyValue[][] = [];
      const touches: CopyValue[][] = [];
      const stages: CopyValue[][] = [];
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const id = `C${String(i).padStart(7, '0')}`;
        customers.push([
          id,
          provinces[i % provinces.length],
          i % 2 ? 'male' : 'female',
          `AM${i % 50}`,
        ]);
        const rate = sampleGamma(rng, 0.8, 1);
        const count = 1 + Math.floor(sampleGamma(rng, 0.6, 0.15) * rate);
        const recency = Math.floor(sampleGamma(rng, 1, 1 / (120 / (0.5 + rate))));
        const tenure = recency + Math.floor(sampleGamma(rng, 2, 1 / 200));
        const revenue = Math.round(count * sampleGamma(rng, 2, 1 / 150) * 100);
        const pAlive = 1 / (1 + recency / 180);
        snaps.push([
          id,
          asOf,
          'bg-nbd',
          pAlive,
          pAlive * rate,
          365,
          Math.round(revenue / count),
          Math.round(revenue * pAlive * 0.3),
          {
            orders: count,
            revenueMinor: revenue,
            marginMinor: Math.round(revenue * 0.3),
            tenureDays: tenure,
            daysSinceLastPurchase: recency,
            lastPurchase: new Date(end - (recency + 1) * 86_400_000).toISOString().slice(0, 10),
          },
        ]);
        for (let k = 0; k < Math.min(count, 3); k++) {
          const day = recency + k * 60;
          if (day > 360) break;
          orders.push([
            id,
            `T${i}-${k}`,
            new Date(end - (day + 1) * 86_400_000),
            Math.round(revenue / count),
          ]);
        }
        if (rng.next() < 0.3) {
          touches.push([
            id,
            `I${i}`,
            new Date(end - Math.floor(rng.next() * 300 + 1) * 86_400_000),
            rng.next() < 0.2 ? 'complaint' : 'call',
          ]);
        }
        stages.push([
          id,
          'relationship',
          new Date(`${asOf}T00:00:00Z`),
          null,
          recency > 180 ? 'decline' : 'stability',
          '',
        ]);
      }
      await db.copyIn('customers', ['customer_id', 'province', 'gender', 'owner_id'], customers);
      await db.copyIn(
        'score_snapshots',
        [
          'customer_id',
          'as_of',
          'model',
          'p_alive',
          'expected_purchases',
          'horizon_days',
          'expected_spend_minor',
          'clv_minor',
          'historical',
        ],
        snaps,
      );
      await db.copyIn(
        'transactions',
        ['customer_id', 'transaction_id', 'occurred_at', 'amount_minor'],
        orders,
      );
      await db.copyIn(
        'interactions',
        ['customer_id', 'interaction_id', 'occurred_at', 'type'],
        touches,
      );
      await db.copyIn(
        'stage_history',
        ['customer_id', 'model_id', 'changed_at', 'from_stage', 'to_stage', 'reason'],
        stages,
      );
    }
    await db.exec('ANALYZE');
    console.log(
      `PostgreSQL end to end: ${n} customers loaded in ${((performance.now() - tl) / 1000).toFixed(1)} s (setup, not timed below)`,
    );
    for (const [segName, rule] of [
      ['衰退高价值', "stage = '退化期' AND clv > 100"],
      ['近期投诉', 'complaints_90d >= 1 OR days_since_purchase > 300'],
    ]) {
      const tc = performance.now();
      const r = await createSegment(db, { name: segName, rule });
      console.log(
        `  segment create "${segName}" (+ first refresh): ${r.segment.members} members in ${((performance.now() - tc) / 1000).toFixed(2)} s`,
      );
    }
    // 1. what `tenure analyze` adds to the value analysis: the activity features in SQL and the
    //    engine's RFM + tiers + Pareto + clusters (the scores then go out with the snapshot COPY)
    const settings = await loadSegmentSettings(db);
    const tb = performance.now();
    const base = await loadSnapshotBase(db, asOf);
    const tf = performance.now();
    const features = await withActivity(db, asOf, base, null);
    const ta = performance.now();
    const computed = computeSegments(features, settings, () => {}, asOf);
    const tc = performance.now();
    console.log(
      `  in tenure analyze: activity features (SQL) ${((ta - tf) / 1000).toFixed(2)} s, RFM + tiers + Pareto + clusters (k = ${computed.clusters?.k}) ${((tc - ta) / 1000).toFixed(2)} s (reading the base features back ${((tf - tb) / 1000).toFixed(2)} s, which analyze has in memory)`,
    );
    // 2. the saved segments' refresh that follows the analysis
    const tr = performance.now();
    const refreshed = await refreshSegments(db, { asOf });
    const trd = performance.now();
    console.log(
      `  saved segment refresh (${refreshed.length} segments): ${((trd - tr) / 1000).toFixed(2)} s`,
    );
    console.log(
      `  segmentation + refresh in analyze: ${((ta - tf + tc - ta + trd - tr) / 1000).toFixed(2)} s for ${features.ids.length} customers (aim ≤ 30 s)`,
    );
    // 3. re-segmenting alone (after a settings change): reads, computes and updates the snapshot
    let last = performance.now();
    let lastStep = 'start';
    const steps: string[] = [];
    const ts = performance.now();
    await runSegmentAnalysis(db, {
      asOf,
      progress: (step) => {
        const now = performance.now();
        if (lastStep !== 'start') steps.push(`${lastStep} ${((now - last) / 1000).toFixed(2)} s`);
        last = now;
        lastStep = step;
      },
    });
    steps.push(`${lastStep} ${((performance.now() - last) / 1000).toFixed(2)} s`);
    console.log(
      `  standalone re-segmentation (tenure segment config, then runSegmentAnalysis): ${((performance.now() - ts) / 1000).toFixed(2)} s — ${steps.join(', ')}`,
    );
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
