/**
 * Segmentation commands (issue 5):
 *
 *   tenure segments [--as-of DATE] [--json]           RFM, pyramid, Pareto, clusters, saved segments
 *   tenure segment create --name N --rule '<rule>' [--description D] [--json]
 *   tenure segment show <name|id> [--json]            rule, members, counts over time
 *   tenure segment members <name|id> [--out FILE.csv|FILE.xlsx] [--json]
 *   tenure segment count --rule '<rule>' [--json]     live count, nothing saved
 *   tenure segment refresh [name|id…] [--as-of DATE] [--json]
 *   tenure segment edit <name|id> [--rule R] [--name N] [--description D]
 *   tenure segment delete <name|id>
 *   tenure segment fields [--json]                    the fields a rule may use
 *   tenure segment config [--tier-basis B] [--tier-shares a,b,c | --tier-minimums a,b,c]
 *                         [--k N|auto] [--k-range MIN-MAX] [--seed N] [--cost-per-order YUAN]
 *                         [--cost-per-interaction YUAN] [--rfm-map FILE.json] [--json]
 *   tenure breakdown --by province|city|age_band|gender|industry|channel|category [--as-of] [--json]
 *
 * `tenure segments --json` prints one object:
 *   { asOf: 'YYYY-MM-DD',                       // the segmentation run shown (latest ≤ --as-of)
 *     rfm: { customers, method,
 *            segments: [{key, zh, en, customers, share}],   // 11 named segments
 *            grid: number[5][5],                 // customers by R (rows 5…1) × FM (cols 1…5)
 *            rf: number[5][5] },                 // customers by R (rows 5…1) × F (cols 1…5)
 *     tiers: { basis: 'predicted-clv'|'historical-profit', cutoffs,
 *              tiers: [{key, zh, en, customers, shareOfCustomers, totalValue, shareOfValue,
 *                       minValue, maxValue, treatment: {kind, zh, en, serviceLevel, contactCadence}}] },
 *                                                 // values in fen
 *     pareto: { revenue: {total, top20Share, customersFor80, peak, points: [{customers, value}]},
 *               profit: same | null },           // profit = margin − cost to serve
 *     clusters: { k, chosenBy, silhouettes, features: [{name, role}], populationMeans,
 *                 clusters: [{id, size, share, means, z, archetype, label: {zh, en},
 *                             reason: {zh, en}}] } | null,
 *     saved: [{segmentId, name, rule, description, members, refreshedAt, createdAt}] }
 * rfm, tiers, pareto and clusters are null before the first `tenure analyze`.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { SegmentSettings } from '../engine/index.js';
import { InputError } from '../errors.js';
import { SYSTEM_ACTOR } from '../store/access.js';
import { attributeBreakdown, BREAKDOWN_DIMENSIONS } from '../store/breakdown-repo.js';
import { loadSegmentRuns } from '../store/segment-analysis.js';
import {
  countRuleMatches,
  createSegment,
  deleteSegment,
  getSegment,
  latestSnapshotDate,
  listSegments,
  type RefreshResult,
  refreshSegments,
  SEGMENT_FIELDS,
  segmentHistory,
  segmentMembers,
  updateSegment,
} from '../store/segment-repo.js';
import { loadSegmentSettings, updateSegmentSettings } from '../store/settings-repo.js';
import type { ValueAnalysisReport } from '../store/value-analysis.js';
import { type CliContext, printJson } from './context.js';
import { parseIsoDate, todayUtc } from './dates.js';
import { writeTable } from './table-export.js';
import { describeTarget, withDb } from './with-db.js';

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`;
const yuan = (fen: number) =>
  Math.abs(fen) >= 1e8
    ? `¥${(fen / 1e6).toFixed(1)} 万`
    : `¥${Math.round(fen / 100).toLocaleString('en-US')}`;

function numberList(v: string, flag: string): number[] {
  return v.split(',').map((s) => {
    const x = Number(s.trim());
    if (s.trim() === '' || !Number.isFinite(x)) {
      throw new InputError(`${flag}: expected numbers separated by commas, got "${v}"`, {
        field: flag,
        value: v,
      });
    }
    return x;
  });
}

function describeSettings(s: SegmentSettings): string {
  const c = s.tiers.cutoffs;
  return [
    `tiers: by ${s.tiers.basis}, ${c.kind === 'share' ? `cumulative shares ${c.cumulativeShares.join(', ')}` : `minimums (yuan) ${c.minimums.map((m) => m / 100).join(', ')}`}`,
    `clusters: ${s.clusters.k === null ? `k chosen in ${s.clusters.kMin}–${s.clusters.kMax} by silhouette` : `k = ${s.clusters.k}`}, seed ${s.clusters.seed}`,
    `cost to serve: ¥${s.costToServe.perOrderMinor / 100} per order, ¥${s.costToServe.perInteractionMinor / 100} per interaction`,
    `RFM map (rows R = 5…1, columns FM = 1…5):`,
    ...s.rfmMap.map((row, i) => `  R=${5 - i}  ${row.join('  ')}`),
  ].join('\n');
}

/** The summary `tenure analyze` prints after the segmentation and the segment refresh. */
export function describeSegmentRun(
  r: ValueAnalysisReport['segmentation'],
  refreshed: readonly RefreshResult[],
): string {
  const lines: string[] = [];
  if (r) {
    lines.push(`segments: ${r.customers} customers with purchases`);
    if (r.tiers) {
      lines.push(
        `  pyramid: ${r.tiers.tiers.map((t) => `${t.zh} ${t.en} ${t.customers}`).join(' · ')}`,
      );
    }
    if (r.pareto) {
      lines.push(
        `  Pareto: ${pct(r.pareto.revenue.customersFor80)} of customers make 80 % of revenue`,
      );
    }
    if (r.clusters) {
      lines.push(
        `  clusters: ${r.clusters.clusters.map((c) => `${c.id} ${c.label.zh} ${c.size}`).join(' · ')}`,
      );
    }
  }
  for (const s of refreshed) {
    lines.push(
      s.skipped
        ? `  ${s.name}: ${s.skipped}`
        : `  ${s.name}: ${s.members} members (+${s.joined} / −${s.left})`,
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function registerSegments(program: Command, ctx: CliContext): void {
  program
    .command('segments')
    .description('RFM segments, value pyramid, Pareto, clusters and saved segments')
    .option('--as-of <date>', 'the segmentation run of this date or the latest before it', (v) =>
      parseIsoDate(v, '--as-of'),
    )
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { runs, saved } = await withDb(ctx, async (db) => ({
        runs: await loadSegmentRuns(db, opts.asOf),
        saved: await listSegments(db),
      }));
      if (opts.json) {
        printJson(ctx, {
          asOf: runs?.asOf ?? null,
          rfm: runs?.rfm ?? null,
          tiers: runs?.tiers ?? null,
          pareto: runs?.pareto ?? null,
          clusters: runs?.clusters ?? null,
          saved,
        });
        return;
      }
      const lines: string[] = [];
      if (!runs) {
        lines.push(`no segmentation yet in ${describeTarget(ctx)}: run \`tenure analyze\` first`);
      } else {
        lines.push(`segments as of ${runs.asOf}`);
        if (runs.rfm) {
          lines.push(`RFM (${runs.rfm.customers} customers with purchases):`);
          for (const s of runs.rfm.segments) {
            lines.push(
              `  ${`${s.zh} ${s.en}`.padEnd(34)} ${String(s.customers).padStart(8)}  ${pct(s.share)}`,
            );
          }
          lines.push('  R×FM grid (rows R = 5…1, columns FM = 1…5):');
          for (const [i, row] of runs.rfm.grid.entries()) {
            lines.push(`    R=${5 - i} ${row.map((v) => String(v).padStart(8)).join('')}`);
          }
        }
        if (runs.tiers) {
          lines.push(`value pyramid (by ${runs.tiers.basis}):`);
          for (const t of runs.tiers.tiers) {
            lines.push(
              `  ${`${t.zh} ${t.en}`.padEnd(16)} ${String(t.customers).padStart(8)} customers (${pct(t.shareOfCustomers)}), ${pct(t.shareOfValue)} of value — ${t.treatment.zh} ${t.treatment.en}: ${t.treatment.serviceLevel.zh}; ${t.treatment.contactCadence.zh}`,
            );
          }
        }
        if (runs.pareto) {
          const r = runs.pareto.revenue;
          lines.push(
            `Pareto: top 20 % of customers make ${pct(r.top20Share)} of revenue; ${pct(r.customersFor80)} of customers make 80 %`,
          );
          const p = runs.pareto.profit;
          if (p) {
            lines.push(
              `  profit: top 20 % make ${pct(p.top20Share)}; cumulative profit peaks at ${pct(p.peak.value)} with the top ${pct(p.peak.customers)} of customers`,
            );
          }
        }
        if (runs.clusters) {
          lines.push(`clusters (k = ${runs.clusters.k}, ${runs.clusters.chosenBy}):`);
          for (const c of runs.clusters.clusters) {
            lines.push(
              `  ${c.id} ${`${c.label.zh} ${c.label.en}`.padEnd(28)} ${String(c.size).padStart(8)} (${pct(c.share)})  ${c.reason.zh}`,
            );
          }
        }
      }
      lines.push(saved.length ? 'saved segments:' : 'no saved segments (tenure segment create)');
      for (const s of saved) lines.push(`  ${s.name}: ${s.members} members — ${s.rule}`);
      ctx.out.write(`${lines.join('\n')}\n`);
    });

  const segment = program.command('segment').description('saved rule segments');

  segment
    .command('create')
    .description('save a segment defined by a rule (see `tenure segment fields`)')
    .requiredOption('--name <name>', 'segment name')
    .requiredOption('--rule <rule>', "e.g. \"stage = '退化期' AND tier IN ('platinum', 'gold')\"")
    .option('--description <text>', 'what the segment is for')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const r = await withDb(ctx, (db) =>
        createSegment(db, { name: opts.name, rule: opts.rule, description: opts.description }),
      );
      if (opts.json) printJson(ctx, r);
      else
        ctx.out.write(
          r.created
            ? `segment "${r.segment.name}" saved (${r.segment.segmentId}): ${r.segment.members} members\n`
            : `segment "${r.segment.name}" already exists with this rule: ${r.segment.members} members\n`,
        );
    });

  segment
    .command('show <segment>')
    .description('a saved segment: rule, members, counts over time')
    .option('--json', 'print JSON')
    .action(async (name: string, opts) => {
      const r = await withDb(ctx, async (db) => {
        const seg = await getSegment(db, name);
        return { ...seg, history: await segmentHistory(db, seg.segmentId) };
      });
      if (opts.json) {
        printJson(ctx, r);
        return;
      }
      const lines = [
        `${r.name} (${r.segmentId}): ${r.members} members`,
        `  rule: ${r.rule}`,
        ...(r.description ? [`  ${r.description}`] : []),
        ...r.history.map((h) => `  ${h.asOf}  ${h.members} members (+${h.joined} / −${h.left})`),
      ];
      ctx.out.write(`${lines.join('\n')}\n`);
    });

  segment
    .command('members <segment>')
    .description('the current members; --out writes CSV or XLSX')
    .option('--out <file>', 'write to FILE.csv or FILE.xlsx')
    .option('--json', 'print JSON')
    .action(async (name: string, opts) => {
      const headers = [
        '客户编号',
        '客户名称',
        '手机',
        '邮箱',
        '省份',
        '城市',
        '客户经理',
        '加入时间',
      ];
      const r = await withDb(ctx, async (db) => {
        const seg = await getSegment(db, name);
        if (opts.out) {
          async function* rows() {
            for await (const batch of segmentMembers(db, seg.segmentId)) {
              yield batch.map((m) => [
                m.customerId,
                m.name,
                m.phone,
                m.email,
                m.province,
                m.city,
                m.owner,
                m.joinedAt,
              ]);
            }
          }
          const n = await writeTable(opts.out, headers, rows());
          return { segment: seg, written: n, file: opts.out as string, members: null };
        }
        const members = [];
        for await (const batch of segmentMembers(db, seg.segmentId)) members.push(...batch);
        return { segment: seg, written: null, file: null, members };
      });
      if (opts.json) printJson(ctx, r);
      else if (r.file)
        ctx.out.write(`${r.written} members of "${r.segment.name}" written to ${r.file}\n`);
      else {
        ctx.out.write(`${headers.join('\t')}\n`);
        for (const m of r.members ?? []) {
          ctx.out.write(
            `${[m.customerId, m.name, m.phone, m.email, m.province, m.city, m.owner, m.joinedAt].map((v) => v ?? '').join('\t')}\n`,
          );
        }
      }
    });

  segment
    .command('count')
    .description('how many customers a rule selects now, without saving it')
    .requiredOption('--rule <rule>', 'the rule')
    .option('--as-of <date>', 'snapshot date (default: the latest)', (v) =>
      parseIsoDate(v, '--as-of'),
    )
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const r = await withDb(ctx, (db) => countRuleMatches(db, SYSTEM_ACTOR, opts.rule, opts.asOf));
      if (opts.json) printJson(ctx, r);
      else ctx.out.write(`${r.customers} of ${r.total} customers as of ${r.asOf}\n`);
    });

  segment
    .command('refresh [segments...]')
    .description('recompute members (all saved segments, or the named ones)')
    .option('--as-of <date>', 'snapshot date (default: the latest)', (v) =>
      parseIsoDate(v, '--as-of'),
    )
    .option('--json', 'print JSON')
    .action(async (names: string[], opts) => {
      const r = await withDb(ctx, async (db) => {
        const ids = names.length
          ? await Promise.all(names.map(async (n) => (await getSegment(db, n)).segmentId))
          : undefined;
        const asOf = opts.asOf ?? (await latestSnapshotDate(db)) ?? todayUtc();
        return refreshSegments(db, { asOf, segmentIds: ids });
      });
      if (opts.json) printJson(ctx, r);
      else
        for (const s of r) {
          ctx.out.write(
            s.skipped
              ? `${s.name}: not refreshed, ${s.skipped}\n`
              : `${s.name}: ${s.members} members as of ${s.asOf} (+${s.joined} / −${s.left})\n`,
          );
        }
    });

  segment
    .command('edit <segment>')
    .description('change a segment’s rule, name or description')
    .option('--rule <rule>', 'new rule')
    .option('--name <name>', 'new name')
    .option('--description <text>', 'new description')
    .option('--json', 'print JSON')
    .action(async (name: string, opts) => {
      const patch: { rule?: string; name?: string; description?: string } = {};
      if (opts.rule !== undefined) patch.rule = opts.rule;
      if (opts.name !== undefined) patch.name = opts.name;
      if (opts.description !== undefined) patch.description = opts.description;
      const r = await withDb(ctx, (db) => updateSegment(db, name, patch));
      if (opts.json) printJson(ctx, r);
      else ctx.out.write(`segment "${r.name}": ${r.members} members — ${r.rule}\n`);
    });

  segment
    .command('delete <segment>')
    .description('delete a saved segment and its membership history')
    .option('--json', 'print JSON')
    .action(async (name: string, opts) => {
      await withDb(ctx, (db) => deleteSegment(db, name));
      if (opts.json) printJson(ctx, { deleted: name });
      else ctx.out.write(`segment "${name}" deleted\n`);
    });

  segment
    .command('fields')
    .description('the fields a segment rule may use')
    .option('--json', 'print JSON')
    .action((opts) => {
      const fields = Object.entries(SEGMENT_FIELDS).map(([name, f]) => ({
        name,
        type: f.type,
        zh: f.zh,
        en: f.en,
      }));
      if (opts.json) printJson(ctx, fields);
      else
        for (const f of fields) {
          ctx.out.write(`${f.name.padEnd(22)} ${f.type.padEnd(8)} ${f.zh} — ${f.en}\n`);
        }
    });

  segment
    .command('config')
    .description('show or change the segmentation settings (used from the next analysis)')
    .option('--tier-basis <basis>', 'predicted-clv | historical-profit')
    .option(
      '--tier-shares <list>',
      'cumulative customer shares of the top tiers, e.g. 0.01,0.05,0.2',
    )
    .option('--tier-minimums <list>', 'minimum value (yuan) of each top tier, e.g. 10000,3000,500')
    .option('--k <k>', 'number of clusters, or auto')
    .option('--k-range <range>', 'with --k auto: MIN-MAX, e.g. 3-8')
    .option('--seed <n>', 'clustering seed', (v) => Number(v))
    .option('--cost-per-order <yuan>', 'cost to serve one order', (v) => Number(v))
    .option('--cost-per-interaction <yuan>', 'cost to serve one interaction', (v) => Number(v))
    .option('--rfm-map <file>', 'JSON file: 5 rows (R = 5…1) of 5 segment keys (FM = 1…5)')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const patch: Record<string, unknown> = {};
      const current = await withDb(ctx, (db) => loadSegmentSettings(db));
      if (opts.tierBasis || opts.tierShares || opts.tierMinimums) {
        if (opts.tierShares && opts.tierMinimums) {
          throw new InputError('give --tier-shares or --tier-minimums, not both', {
            field: '--tier-shares',
          });
        }
        patch.tiers = {
          basis: opts.tierBasis ?? current.tiers.basis,
          cutoffs: opts.tierShares
            ? { kind: 'share', cumulativeShares: numberList(opts.tierShares, '--tier-shares') }
            : opts.tierMinimums
              ? {
                  kind: 'threshold',
                  minimums: numberList(opts.tierMinimums, '--tier-minimums').map((y) =>
                    Math.round(y * 100),
                  ),
                }
              : current.tiers.cutoffs,
        };
      }
      if (opts.k !== undefined || opts.kRange !== undefined || opts.seed !== undefined) {
        const clusters: Record<string, unknown> = { ...current.clusters };
        if (opts.k !== undefined) clusters.k = opts.k === 'auto' ? null : Number(opts.k);
        if (opts.kRange !== undefined) {
          const m = /^(\d+)-(\d+)$/.exec(opts.kRange);
          if (!m) {
            throw new InputError(`--k-range: expected MIN-MAX such as 3-8, got "${opts.kRange}"`, {
              field: '--k-range',
              value: opts.kRange,
            });
          }
          clusters.kMin = Number(m[1]);
          clusters.kMax = Number(m[2]);
        }
        if (opts.seed !== undefined) clusters.seed = opts.seed;
        patch.clusters = clusters;
      }
      if (opts.costPerOrder !== undefined || opts.costPerInteraction !== undefined) {
        patch.costToServe = {
          perOrderMinor: Math.round(
            (opts.costPerOrder ?? current.costToServe.perOrderMinor / 100) * 100,
          ),
          perInteractionMinor: Math.round(
            (opts.costPerInteraction ?? current.costToServe.perInteractionMinor / 100) * 100,
          ),
        };
      }
      if (opts.rfmMap) {
        let doc: unknown;
        try {
          doc = JSON.parse(await readFile(opts.rfmMap, 'utf8'));
        } catch (e) {
          throw new InputError(`--rfm-map ${opts.rfmMap}: ${(e as Error).message}`, {
            field: '--rfm-map',
            value: opts.rfmMap,
          });
        }
        patch.rfmMap = doc;
      }
      const settings =
        Object.keys(patch).length === 0
          ? current
          : await withDb(ctx, (db) => updateSegmentSettings(db, patch));
      if (opts.json) printJson(ctx, settings);
      else ctx.out.write(`${describeSettings(settings)}\n`);
    });

  program
    .command('breakdown')
    .description('customers, revenue, CLV, stage mix and churn risk by an attribute')
    .requiredOption('--by <dimension>', BREAKDOWN_DIMENSIONS.join(' | '))
    .option('--as-of <date>', 'snapshot date (default: the latest)', (v) =>
      parseIsoDate(v, '--as-of'),
    )
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const r = await withDb(ctx, async (db) => {
        const asOf = opts.asOf ?? (await latestSnapshotDate(db)) ?? todayUtc();
        return attributeBreakdown(db, opts.by, asOf);
      });
      if (opts.json) {
        printJson(ctx, r);
        return;
      }
      const lines = [`customers by ${r.dimension} as of ${r.asOf} (${r.customers} customers)`];
      for (const row of r.rows) {
        const stages = Object.entries(row.stages)
          .sort((a, b) => b[1] - a[1])
          .map(([s, n]) => `${s} ${n}`)
          .join(', ');
        lines.push(
          `  ${(row.value ?? '(unknown)').padEnd(16)} ${String(row.customers).padStart(8)} (${pct(row.share)})  revenue ${yuan(row.revenueYuan * 100)}  CLV ${yuan(row.clvYuan * 100)}  risk ${row.churnRisk === null ? '–' : pct(row.churnRisk)}  ${stages}`,
        );
      }
      ctx.out.write(`${lines.join('\n')}\n`);
    });
}
