/**
 * Segmentation speed on 1M synthetic customers. Run: npm run bench:segments
 *
 * Times RFM scoring, value tiers (customer pyramid), Pareto analysis, and clustering on 9
 * standardised features with k chosen by silhouette (k = 2 … 8), each after one warm-up on a
 * 50k slice. Baseline measured in the same run: k-means for the chosen k fitted on all 1M points
 * (one start) instead of a 20k sample; printed with the ratio of the times and of the
 * within-cluster sums of squares (sampled / full: near 1 means the sample lost nothing).
 */
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
console.log(`total ${((performance.now() - t0) / 1000).toFixed(2)} s`);
