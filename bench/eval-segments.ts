/**
 * `npm run eval:segments [-- CUSTOMERS [SEED]]`: segments the demo business and checks the
 * clusters' archetype labels against the demo's ground truth, which the clustering never reads
 * (issue 5 "Done means"):
 *   - the cluster with the highest true rate of future value (alive × λ × mean spend) is
 *     labelled value elite, and the value-elite clusters together have the highest such rate
 *     of all archetype groups;
 *   - the churn-risk clusters have the lowest share of truly alive customers;
 *   - the one-off clusters have the fewest true orders.
 * Exits 1 when a check fails (a check on an archetype no cluster carries is reported, not failed).
 */
import { loadDemo } from '../src/cli/demo.js';
import { clusterTruth } from '../src/store/demo-repo.js';
import { runLifecycleAnalysis } from '../src/store/lifecycle-analysis.js';
import { openDb } from '../src/store/open.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';

const customers = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? 42);
const asOf = '2026-06-30';
const db = await openDb({ databaseUrl: null, dataDir: null });
try {
  const t0 = performance.now();
  await loadDemo(db, {
    customers,
    years: 3,
    seed,
    industry: 'retail',
    asOf: new Date(`${asOf}T00:00:00Z`),
  });
  // the value analysis segments the customers with the snapshot (as `tenure analyze` does)
  const value = await runValueAnalysis(db, { asOf: new Date(`${asOf}T00:00:00Z`) });
  await runLifecycleAnalysis(db, { asOf: new Date(`${asOf}T00:00:00Z`) });
  const run = value.segmentation;
  if (!run) throw new Error('the value analysis made no segmentation');
  console.log(
    `demo: ${customers} retail customers, seed ${seed}, as of ${asOf}; segmented ${run.customers} buyers (${((performance.now() - t0) / 1000).toFixed(1)} s in all)`,
  );
  console.log(`clusters: k = ${run.clusters?.k} (${run.clusters?.chosenBy})`);
  const truth = await clusterTruth(db, asOf);
  console.log(
    'cluster  archetype          customers  alive   λ/week  spend ¥  value ¥/week  orders  complaints',
  );
  for (const c of truth) {
    console.log(
      `${c.cluster.padEnd(8)} ${c.archetype.padEnd(18)} ${String(c.customers).padStart(9)}  ${c.aliveShare.toFixed(2)}  ${c.meanLambda.toFixed(3).padStart(7)}  ${(c.meanSpendMinor / 100).toFixed(0).padStart(7)}  ${(c.valueRateMinor / 100).toFixed(2).padStart(12)}  ${c.meanOrders.toFixed(1).padStart(6)}  ${c.meanComplaints.toFixed(2).padStart(10)}`,
    );
  }
  // per archetype group: customer-weighted means
  const groups = new Map<string, { n: number; alive: number; value: number; orders: number }>();
  for (const c of truth) {
    const g = groups.get(c.archetype) ?? { n: 0, alive: 0, value: 0, orders: 0 };
    g.n += c.customers;
    g.alive += c.aliveShare * c.customers;
    g.value += c.valueRateMinor * c.customers;
    g.orders += c.meanOrders * c.customers;
    groups.set(c.archetype, g);
  }
  const mean = (key: 'alive' | 'value' | 'orders') =>
    [...groups.entries()].map(([a, g]) => ({ archetype: a, v: g[key] / g.n }));
  let failed = false;
  const check = (
    label: string,
    archetype: string,
    values: { archetype: string; v: number }[],
    best: 'max' | 'min',
  ) => {
    if (!groups.has(archetype)) {
      console.log(`-    ${label}: no cluster is labelled ${archetype}`);
      return;
    }
    const sorted = [...values].sort((a, b) => (best === 'max' ? b.v - a.v : a.v - b.v));
    const ok = sorted[0].archetype === archetype;
    if (!ok) failed = true;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${label}: ${sorted
        .map((s) => `${s.archetype} ${s.v.toFixed(2)}`)
        .join(' > ')
        .replaceAll(' > ', best === 'max' ? ' > ' : ' < ')}`,
    );
  };
  const top = [...truth].sort((a, b) => b.valueRateMinor - a.valueRateMinor)[0];
  const topOk = top.archetype === 'value-elite';
  if (!topOk) failed = true;
  console.log(
    `${topOk ? 'ok  ' : 'FAIL'} the cluster with the highest true value rate (${top.cluster}, ¥${(top.valueRateMinor / 100).toFixed(2)}/week) is labelled ${top.archetype}`,
  );
  check(
    'value elite has the highest true value rate (fen/week)',
    'value-elite',
    mean('value'),
    'max',
  );
  check('churn risk has the lowest truly-alive share', 'churn-risk', mean('alive'), 'min');
  check('one-off transactors have the fewest true orders', 'one-off', mean('orders'), 'min');
  if (failed) process.exitCode = 1;
} finally {
  await db.close();
}
