/**
 * `npm run eval:lifecycle [-- CUSTOMERS [SEED]]`: places the demo business's customers in
 * lifecycle stages with the default retail settings and scores the placement against the
 * demo's ground truth: recall (truly dead customers placed in decline or churned) and
 * precision (customers placed in churned who are truly dead). Issue 4 asks for both ≥ 0.8.
 */
import { loadDemo } from '../src/cli/demo.js';
import { lifecycleAccuracy } from '../src/store/demo-repo.js';
import { runLifecycleAnalysis } from '../src/store/lifecycle-analysis.js';
import { openDb } from '../src/store/open.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';

const customers = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? 42);
const asOf = new Date('2026-06-30T00:00:00Z');
const db = await openDb({ databaseUrl: null, dataDir: null });
try {
  const t0 = performance.now();
  await loadDemo(db, { customers, years: 3, seed, industry: 'retail', asOf });
  await runValueAnalysis(db, { asOf });
  const stages = await runLifecycleAnalysis(db, { asOf });
  const a = await lifecycleAccuracy(db, '2026-06-30');
  console.log(
    `demo: ${customers} retail customers, seed ${seed}, as of 2026-06-30 (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  console.log(`stage mix: ${stages.models[0].mix.map((s) => `${s.en} ${s.customers}`).join(', ')}`);
  console.log(
    `recall     ${a.recall.toFixed(3)}  (${a.deadFlagged} of ${a.dead} truly lost customers placed in decline or churned)`,
  );
  console.log(
    `precision  ${a.precision.toFixed(3)}  (${a.churnedDead} of ${a.churned} placed in churned are truly lost)`,
  );
  console.log(
    `agreement  ${(a.agree / a.customers).toFixed(3)}  (${a.agree} of ${a.customers} in their true stage)`,
  );
  if (!(a.recall >= 0.8 && a.precision >= 0.8)) process.exitCode = 1;
} finally {
  await db.close();
}
