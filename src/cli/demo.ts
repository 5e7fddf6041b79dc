/** `tenure demo`: generate the synthetic business (with ground truth) and load it, or export it as CSV. */
import type { Command } from 'commander';
import { type DemoOptions, generateDemo } from '../engine/demo/index.js';
import { InputError } from '../errors.js';
import { generatePassword, hashPassword } from '../server/auth.js';
import { ROLES } from '../store/access.js';
import { runChurnAnalysis } from '../store/churn-analysis.js';
import { topOwners } from '../store/customer-repo.js';
import type { Db } from '../store/db.js';
import {
  clearBusinessData,
  describeContents,
  mergeTruth,
  saveDemoMeta,
  saveTruth,
} from '../store/demo-repo.js';
import { ImportBatch, type ImportCounts, tableCounts } from '../store/import-repo.js';
import { replayLifecycle, runLifecycleAnalysis } from '../store/lifecycle-analysis.js';
import { refreshSegments } from '../store/segment-repo.js';
import { upsertUser } from '../store/user-repo.js';
import { runValueAnalysis } from '../store/value-analysis.js';
import { describeAnalysis, describeChurn, describeLifecycle } from './analyze.js';
import { type CliContext, printJson } from './context.js';
import { parseIsoDate, todayUtc } from './dates.js';
import { exportDemoCsv } from './demo-export.js';
import { type Progress, startProgress } from './progress.js';
import { describeSegmentRun } from './segments.js';
import { serve } from './serve.js';
import { describeTarget, withDb } from './with-db.js';

function positiveInt(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0 || n > max) {
      throw new InputError(`${name} must be a whole number from 1 to ${max}, got "${value}"`, {
        field: name,
        value,
      });
    }
    return n;
  };
}

export interface DemoLoadReport {
  options: Record<string, unknown>;
  counts: ImportCounts;
  truthRows: number;
  tables: Record<string, number>;
  replacedPrevious: boolean;
  ms: number;
}

/** Loads a generated demo into `db` in one transaction; re-running with the same options changes nothing. */
export async function loadDemo(
  db: Db,
  options: DemoOptions,
  { replace = false, progress }: { replace?: boolean; progress?: Progress } = {},
): Promise<DemoLoadReport> {
  const started = performance.now();
  const demo = generateDemo(options);
  const optionsJson = { ...options, asOf: options.asOf.toISOString().slice(0, 10) };
  const contents = await describeContents(db);
  if (contents.kind === 'data' && !replace) {
    throw new InputError(
      `${describeTarget0(db)} already holds a business's own data (${contents.customers} customers); ` +
        'use an empty data folder (TENURE_DATA_DIR) or pass --replace to delete it',
    );
  }
  // jsonb does not keep key order, so compare with sorted keys.
  const sameDemo =
    contents.kind === 'demo' && stableJson(contents.meta.options) === stableJson(optionsJson);
  const replacedPrevious = contents.kind !== 'empty' && !sameDemo;
  let truthRows = 0;
  const counts = await db.transaction(async (tx) => {
    if (replacedPrevious) await clearBusinessData(tx);
    const batch = new ImportBatch(tx);
    let line = 0;
    for (const record of demo.products)
      await batch.add({ kind: 'products', record }, 'demo', ++line);
    let truth: [string, object][] = [];
    let n = 0;
    for (const c of demo.customers()) {
      await batch.add({ kind: 'customers', record: c.customer }, 'demo', ++line);
      for (const record of c.transactions)
        await batch.add({ kind: 'transactions', record }, 'demo', ++line);
      for (const record of c.interactions)
        await batch.add({ kind: 'interactions', record }, 'demo', ++line);
      for (const record of c.subscriptions)
        await batch.add({ kind: 'subscriptions', record }, 'demo', ++line);
      truth.push([c.customer.customerId, c.truth]);
      if (truth.length >= 5000) {
        await saveTruth(tx, truth);
        truthRows += truth.length;
        truth = [];
      }
      if (++n % 500 === 0) progress?.update(n);
    }
    await saveTruth(tx, truth);
    truthRows += truth.length;
    progress?.update(n);
    const merged = await batch.finish({ strict: true });
    await mergeTruth(tx);
    await saveDemoMeta(tx, {
      options: optionsJson,
      params: demo.params as unknown as Record<string, unknown>,
    });
    return merged;
  });
  return {
    options: optionsJson,
    counts,
    truthRows,
    tables: await tableCounts(db),
    replacedPrevious,
    ms: performance.now() - started,
  };
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function describeTarget0(db: Db): string {
  return db.backend === 'pglite' ? 'the data folder' : 'the database';
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('generate a realistic synthetic business (with ground truth) and load it')
    .option(
      '--customers <n>',
      'number of customers',
      positiveInt('--customers', 10_000_000),
      20_000,
    )
    .option('--years <y>', 'years of history', positiveInt('--years', 20), 3)
    .option(
      '--seed <s>',
      'random seed (same seed, same business)',
      positiveInt('--seed', 2 ** 31),
      42,
    )
    .option('--industry <kind>', 'retail or telecom', 'retail')
    .option('--as-of <date>', 'the last day of the history, YYYY-MM-DD (default: today)', (v) =>
      parseIsoDate(v, '--as-of'),
    )
    .option('--export <dir>', 'write the business as CSV files to DIR instead of loading it')
    .option('--replace', 'delete whatever the database holds first')
    .option(
      '--history-months <n>',
      'replay the stage history month by month over the last N months (0: none)',
      (v) => Number(v),
      3,
    )
    .option('--no-serve', 'stop after loading and analysing')
    .option('--port <n>', 'port to serve on afterwards', (v) => Number(v), 8080)
    .option('--host <host>', 'address to serve on afterwards', '127.0.0.1')
    .option('--json', 'print the report as JSON')
    .action(async (opts) => {
      if (opts.industry !== 'retail' && opts.industry !== 'telecom') {
        throw new InputError(`--industry must be retail or telecom, got "${opts.industry}"`, {
          field: '--industry',
          value: opts.industry,
        });
      }
      const options: DemoOptions = {
        customers: opts.customers,
        years: opts.years,
        seed: opts.seed,
        industry: opts.industry,
        asOf: opts.asOf ?? todayUtc(),
      };
      if (opts.export) {
        const files = await exportDemoCsv(generateDemo(options), opts.export);
        if (opts.json) printJson(ctx, { exported: files });
        else {
          ctx.out.write(
            `wrote the demo business (${options.customers} customers) to ${opts.export}:\n`,
          );
          for (const f of files) ctx.out.write(`  ${f.file}: ${f.rows} rows\n`);
        }
        return;
      }
      const progress = startProgress(
        ctx,
        'generating and loading',
        options.customers,
        'customers',
        opts.json,
      );
      const { report, analysis, lifecycle, segments, churn, logins } = await withDb(
        ctx,
        async (db) => {
          const report = await loadDemo(db, options, {
            replace: Boolean(opts.replace),
            progress,
          }).finally(() => progress.stop());
          // A past for the stage reports and the dashboard's trends: the month ends of the last
          // N months replayed as `tenure analyze --replay` would (BG/NBD at each step).
          const months = Number.isInteger(opts.historyMonths) ? Math.max(0, opts.historyMonths) : 0;
          if (months > 0) {
            const asOf = options.asOf;
            const to = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), 0));
            const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - months + 1, 0));
            await replayLifecycle(db, {
              from,
              to,
              step: 'month',
              onStep: (day, i, n) => {
                if (ctx.interactive && !opts.json)
                  ctx.err.write(`  stage history ${day} (${i + 1}/${n})…\n`);
              },
            });
          }
          const analysis = await runValueAnalysis(db, {
            asOf: options.asOf,
            onProgress: (step) => {
              if (ctx.interactive && !opts.json) ctx.err.write(`  ${step}…\n`);
            },
          });
          const lifecycle = await runLifecycleAnalysis(db, { asOf: options.asOf });
          if (ctx.interactive && !opts.json) ctx.err.write('  churn risk and alerts…\n');
          const churn = await runChurnAnalysis(db, { asOf: options.asOf });
          // saved segments last: their rules may read anything the analysis wrote (churn risk too)
          const segments = await refreshSegments(db, { asOf: analysis.asOf });
          const logins = await createDemoUsers(db);
          return { report, analysis, lifecycle, segments, churn, logins };
        },
      );
      if (opts.json) {
        printJson(ctx, {
          target: describeTarget(ctx),
          ...report,
          analysis,
          lifecycle,
          segments,
          churn,
          logins,
        });
        return;
      }
      const t = report.tables;
      ctx.out.write(
        `demo business (${options.industry}, seed ${options.seed}, ${options.years} years to ${report.options.asOf}) loaded into ${describeTarget(ctx)} in ${(report.ms / 1000).toFixed(1)} s\n` +
          `  ${t.customers} customers, ${t.products} products, ${t.transactions} orders (${t.transaction_lines} order lines), ` +
          `${t.interactions} interactions, ${t.subscriptions} subscriptions; ground truth for ${report.truthRows} customers\n` +
          (report.replacedPrevious ? '  (the previous demo business was replaced)\n' : '') +
          (report.counts.customers.inserted === 0 && report.counts.transactions.inserted === 0
            ? '  (already loaded: nothing changed)\n'
            : ''),
      );
      ctx.out.write(
        describeAnalysis(analysis) +
          describeLifecycle(lifecycle) +
          describeSegmentRun(analysis.segmentation, segments) +
          describeChurn(churn),
      );
      const banner = describeLogins(logins);
      if (opts.serve === false) {
        ctx.out.write(banner);
        return;
      }
      await serve(ctx, { port: opts.port, host: opts.host, banner });
    });
}

export interface DemoLogin {
  username: string;
  role: string;
  password: string;
  staffId: string | null;
}

/**
 * One user per role with a fresh password each run (issue 7 §2); the agent owns the demo's
 * largest book of customers.
 */
export async function createDemoUsers(db: Db): Promise<DemoLogin[]> {
  const owner = (await topOwners(db, 1))[0]?.ownerId ?? 'demo-agent';
  const out: DemoLogin[] = [];
  for (const role of ROLES) {
    const password = generatePassword();
    const staffId = role === 'agent' ? owner : null;
    await upsertUser(db, {
      username: role,
      role,
      staffId,
      displayName: `demo ${role}`,
      passwordHash: await hashPassword(password),
    });
    out.push({ username: role, role, password, staffId });
  }
  return out;
}

function describeLogins(logins: DemoLogin[]): string {
  return (
    'sign in with (passwords are new on every run):\n' +
    logins
      .map(
        (l) =>
          `  ${l.role.padEnd(8)} user ${l.username.padEnd(8)} password ${l.password}${l.staffId ? `  (owns customers of ${l.staffId})` : ''}\n`,
      )
      .join('')
  );
}
