/**
 * Issue 5 end to end on every backend: a demo business analysed on 2026-06-30 is segmented
 * (RFM, pyramid, Pareto, clusters stored with the snapshot), saved rule segments keep their
 * membership history across a second analysis, hostile rule values match literally, members
 * export to CSV and XLSX, breakdowns add up, and `tenure segments --json` has the documented shape.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import { runLifecycleAnalysis } from '../src/store/lifecycle-analysis.js';
import { rescoreCustomerSegments, runSegmentAnalysis } from '../src/store/segment-analysis.js';
import { createSegment } from '../src/store/segment-repo.js';
import { updateSegmentSettings } from '../src/store/settings-repo.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';
import { BACKENDS } from './backends.js';
import { type CliTarget, makeCliTarget, querySql, runTenure } from './cli-harness.js';

const N = 1200;
const first = new Date('2026-06-30T00:00:00Z');

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(
    `segmentation on ${backend.name}`,
    { timeout: 240_000 },
    () => {
      let target: CliTarget;

      const tenure = (...args: string[]) => runTenure(target.env, args);

      const sql = <R>(text: string, params: unknown[] = []) => querySql<R>(target, text, params);

      beforeAll(async () => {
        target = await makeCliTarget(backend.name, 'segments');
        const db = await target.open();
        try {
          await loadDemo(db, { customers: N, years: 3, seed: 7, industry: 'retail', asOf: first });
          await runValueAnalysis(db, { asOf: first });
          await runLifecycleAnalysis(db, { asOf: first });
          await runSegmentAnalysis(db, { asOf: '2026-06-30' });
        } finally {
          await db.close();
        }
      }, 180_000);
      afterAll(async () => target?.cleanup());

      test('every buyer has RFM scores, a named segment, a tier and a cluster; prospects have none', async () => {
        const [r] = await sql<{ buyers: number; scored: number; prospects_scored: number }>(
          `SELECT count(*) FILTER (WHERE (historical->>'orders')::int > 0)::int AS buyers,
                count(*) FILTER (WHERE (historical->>'orders')::int > 0 AND rfm_r BETWEEN 1 AND 5
                                   AND rfm_f BETWEEN 1 AND 5 AND rfm_m BETWEEN 1 AND 5
                                   AND rfm_segment IS NOT NULL AND tier IS NOT NULL
                                   AND cluster IS NOT NULL AND archetype IS NOT NULL)::int AS scored,
                count(*) FILTER (WHERE (historical->>'orders')::int = 0
                                   AND (rfm_r IS NOT NULL OR tier IS NOT NULL))::int AS prospects_scored
         FROM score_snapshots WHERE as_of = '2026-06-30'`,
        );
        expect(r.buyers).toBeGreaterThan(N * 0.8);
        expect(r.scored).toBe(r.buyers);
        expect(r.prospects_scored).toBe(0);
        // the default pyramid: top 1 %, next 4 %, next 15 %, rest (by predicted CLV)
        const tiers = await sql<{ tier: string; n: number }>(
          `SELECT tier, count(*)::int AS n FROM score_snapshots
         WHERE as_of = '2026-06-30' AND tier IS NOT NULL GROUP BY tier`,
        );
        const count = Object.fromEntries(tiers.map((t) => [t.tier, t.n]));
        expect(count.platinum).toBe(Math.round(r.buyers * 0.01));
        expect(count.platinum + count.gold).toBe(Math.round(r.buyers * 0.05));
        expect(count.platinum + count.gold + count.iron).toBe(Math.round(r.buyers * 0.2));
        // platinum customers are worth more than any lead customer
        const [order] = await sql<{ min_platinum: number; max_lead: number }>(
          `SELECT min(clv_minor) FILTER (WHERE tier = 'platinum')::bigint AS min_platinum,
                max(clv_minor) FILTER (WHERE tier = 'lead')::bigint AS max_lead
         FROM score_snapshots WHERE as_of = '2026-06-30'`,
        );
        expect(Number(order.min_platinum)).toBeGreaterThanOrEqual(Number(order.max_lead));
      });

      test('tenure segments --json has the documented shape and agrees with the snapshot', async () => {
        const r = await tenure('segments', '--json');
        expect(r.code, r.err).toBe(0);
        const s = JSON.parse(r.out);
        expect(s.asOf).toBe('2026-06-30');
        expect(s.rfm.segments).toHaveLength(11);
        const rfmTotal = s.rfm.segments.reduce(
          (a: number, x: { customers: number }) => a + x.customers,
          0,
        );
        expect(rfmTotal).toBe(s.rfm.customers);
        expect(s.rfm.grid.flat().reduce((a: number, b: number) => a + b, 0)).toBe(s.rfm.customers);
        expect(s.rfm.segments.map((x: { zh: string }) => x.zh)).toContain('冠军客户');
        expect(s.tiers.tiers.map((t: { key: string }) => t.key)).toEqual([
          'platinum',
          'gold',
          'iron',
          'lead',
        ]);
        expect(s.tiers.tiers[0].treatment.zh).toBe('屈从型');
        expect(s.pareto.revenue.customersFor80).toBeGreaterThan(0);
        expect(s.pareto.revenue.customersFor80).toBeLessThan(0.8);
        expect(s.clusters.k).toBeGreaterThanOrEqual(3);
        const sizes = s.clusters.clusters.reduce((a: number, c: { size: number }) => a + c.size, 0);
        expect(sizes).toBe(s.rfm.customers);
        for (const c of s.clusters.clusters) {
          expect(c.id).toMatch(/^C\d+$/);
          expect(typeof c.reason.zh).toBe('string');
        }
        const [champions] = await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM score_snapshots WHERE as_of = '2026-06-30' AND rfm_segment = 'champions'`,
        );
        expect(s.rfm.segments.find((x: { key: string }) => x.key === 'champions').customers).toBe(
          champions.n,
        );
        expect(s.saved).toEqual([]);
      });

      test('a saved rule segment takes Chinese names for coded values and matches a direct count', async () => {
        const rule = "stage = '退化期' AND tier IN ('platinum', '黄金', 'iron')";
        const r = await tenure(
          'segment',
          'create',
          '--name',
          '高价值衰退',
          '--rule',
          rule,
          '--json',
        );
        expect(r.code, r.err).toBe(0);
        const created = JSON.parse(r.out);
        const [direct] = await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM score_snapshots s
         JOIN (SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
               WHERE model_id = 'relationship' ORDER BY customer_id, changed_at DESC) st
           ON st.customer_id = s.customer_id
         WHERE s.as_of = '2026-06-30' AND st.to_stage = 'decline' AND s.tier IN ('platinum', 'gold', 'iron')`,
        );
        expect(direct.n).toBeGreaterThan(0);
        expect(created.segment.members).toBe(direct.n);
        // creating it again with the same rule is the same segment; another rule is a conflict
        const again = JSON.parse(
          (await tenure('segment', 'create', '--name', '高价值衰退', '--rule', rule, '--json')).out,
        );
        expect(again.created).toBe(false);
        expect(again.segment.segmentId).toBe(created.segment.segmentId);
        const clash = await tenure(
          'segment',
          'create',
          '--name',
          '高价值衰退',
          '--rule',
          'orders > 1',
        );
        expect(clash.code).toBe(1);
        expect(clash.err).toContain('already exists');
      });

      test('hostile values in a rule match literally and harm nothing; bad rules say where', async () => {
        const before = await sql<{ n: number }>('SELECT count(*)::int AS n FROM customers');
        const hostile = [
          "province = '''; DROP TABLE customers; --'",
          "city IN (''' OR ''1''=''1', 'x')",
          "tags CONTAINS '''); DELETE FROM segments; --'",
        ];
        for (const rule of hostile) {
          const r = await tenure('segment', 'count', '--rule', rule, '--json');
          expect(r.code, r.err).toBe(0);
          expect(JSON.parse(r.out).customers).toBe(0);
        }
        const after = await sql<{ n: number }>('SELECT count(*)::int AS n FROM customers');
        expect(after[0].n).toBe(before[0].n);
        const bad = await tenure('segment', 'count', '--rule', "stage = 'x' AND salary > 1");
        expect(bad.code).toBe(2);
        expect(bad.err).toContain("rule at 1:17: unknown field 'salary'");
        const typed = await tenure('segment', 'count', '--rule', "orders > 'many'");
        expect(typed.code).toBe(2);
        expect(typed.err).toContain('1:10');
      });

      test('membership history: leavers and joiners are recorded on refresh, counts kept per date', async () => {
        const name = '近期投诉';
        const r = await tenure(
          'segment',
          'create',
          '--name',
          name,
          '--rule',
          'complaints_90d >= 1 OR (rfm_r = 5 AND orders >= 2)',
          '--json',
        );
        expect(r.code, r.err).toBe(0);
        const members = JSON.parse(r.out).segment.members;
        expect(members).toBeGreaterThan(0);
        // narrow the rule: some leave, nobody joins; the history keeps who left and when
        const edit = await tenure(
          'segment',
          'edit',
          name,
          '--rule',
          'complaints_90d >= 1',
          '--json',
        );
        expect(edit.code, edit.err).toBe(0);
        const narrowed = JSON.parse(edit.out).members;
        expect(narrowed).toBeLessThan(members);
        const shown = JSON.parse((await tenure('segment', 'show', name, '--json')).out);
        expect(shown.history).toEqual([
          { asOf: '2026-06-30', members: narrowed, joined: members, left: members - narrowed },
        ]);
        const [rows] = await sql<{ open: number; closed: number }>(
          `SELECT count(*) FILTER (WHERE left_at IS NULL)::int AS open,
                count(*) FILTER (WHERE left_at IS NOT NULL)::int AS closed
         FROM segment_memberships WHERE segment_id = $1`,
          [shown.segmentId],
        );
        expect(rows).toEqual({ open: narrowed, closed: members - narrowed });
        // a refresh with nothing changed changes nothing
        const refresh = JSON.parse((await tenure('segment', 'refresh', name, '--json')).out);
        expect(refresh[0]).toMatchObject({ members: narrowed, joined: 0, left: 0 });
      });

      test('members export to CSV (UTF-8 with BOM) and XLSX with the same rows', async () => {
        const csv = path.join(target.dir, 'members.csv');
        const xlsx = path.join(target.dir, 'members.xlsx');
        const a = await tenure('segment', 'members', '高价值衰退', '--out', csv);
        expect(a.code, a.err).toBe(0);
        const b = await tenure('segment', 'members', '高价值衰退', '--out', xlsx);
        expect(b.code, b.err).toBe(0);
        const lines = readFileSync(csv, 'utf8').split('\r\n').filter(Boolean);
        expect(lines[0].startsWith('\ufeff客户编号,客户名称')).toBe(true);
        const book = new ExcelJS.Workbook();
        await book.xlsx.readFile(xlsx);
        const sheet = book.worksheets[0];
        expect(sheet.rowCount).toBe(lines.length);
        expect(String(sheet.getRow(2).getCell(1).value)).toBe(lines[1].split(',')[0]);
        const bad = await tenure(
          'segment',
          'members',
          '高价值衰退',
          '--out',
          path.join(target.dir, 'x.pdf'),
        );
        expect(bad.code).toBe(2);
      });

      test('breakdowns by province and category add up to the customer base', async () => {
        for (const by of ['province', 'age_band', 'category']) {
          const r = await tenure('breakdown', '--by', by, '--json');
          expect(r.code, r.err).toBe(0);
          const b = JSON.parse(r.out);
          const total = b.rows.reduce((a: number, x: { customers: number }) => a + x.customers, 0);
          expect(total, by).toBe(N);
          const stages = b.rows.reduce(
            (a: number, x: { stages: Record<string, number> }) =>
              a + Object.values(x.stages).reduce((p, q) => p + q, 0),
            0,
          );
          expect(stages, by).toBe(N);
        }
        const bad = await tenure('breakdown', '--by', 'salary');
        expect(bad.code).toBe(2);
      });

      test('settings: a bad cut-off is refused with its path and changes nothing; a good one re-tiers', async () => {
        const bad = await tenure('segment', 'config', '--tier-shares', '0.01,0.5,0.2');
        expect(bad.code).toBe(2);
        expect(bad.err).toContain('cumulativeShares[2]');
        const ok = await tenure(
          'segment',
          'config',
          '--tier-shares',
          '0.02,0.1,0.3',
          '--k',
          '4',
          '--json',
        );
        expect(ok.code, ok.err).toBe(0);
        const db = await target.open();
        try {
          const run = await runSegmentAnalysis(db, { asOf: '2026-06-30' });
          expect(run.clusters?.k).toBe(4);
          expect(run.tiers?.tiers[0].customers).toBe(Math.round(run.customers * 0.02));
        } finally {
          await db.close();
        }
      });

      test('incremental: customers re-segmented alone get what the run gave them; a changed one moves, and only its memberships change', async () => {
        const db = await target.open();
        try {
          // a fresh run with the default settings (the settings test changed them)
          await updateSegmentSettings(db, {
            tiers: {
              basis: 'predicted-clv',
              cutoffs: { kind: 'share', cumulativeShares: [0.01, 0.05, 0.2] },
            },
            clusters: { k: null, kMin: 3, kMax: 8, seed: 2026 },
          });
          await runSegmentAnalysis(db, { asOf: '2026-06-30' });
          const { rows: before } = await db.query<Record<string, unknown>>(
            `SELECT customer_id, rfm_r, rfm_f, rfm_m, rfm_segment, tier, cluster, archetype
           FROM score_snapshots WHERE as_of = '2026-06-30' AND rfm_r IS NOT NULL
           ORDER BY customer_id`,
          );
          const sample = before.filter((_, i) => i % 7 === 0);
          const ids = sample.map((r) => r.customer_id as string);
          const again = await rescoreCustomerSegments(db, ids, '2026-06-30');
          expect(again.rescored).toBe(ids.length);
          const { rows: after } = await db.query<Record<string, unknown>>(
            `SELECT customer_id, rfm_r, rfm_f, rfm_m, rfm_segment, tier, cluster, archetype
           FROM score_snapshots WHERE as_of = '2026-06-30' AND customer_id = ANY($1::text[])
           ORDER BY customer_id`,
            [ids],
          );
          expect(after).toEqual(sample);

          // a lead customer whose value jumps (as the event path rescores value first)
          const lead = before.find((r) => r.tier === 'lead' && r.rfm_r === 1) as {
            customer_id: string;
          };
          await createSegment(db, { name: '铂金客户', rule: "tier = '铂金'" });
          const membersBefore = await db.query<{ customer_id: string }>(
            `SELECT customer_id FROM segment_memberships m JOIN segments s USING (segment_id)
           WHERE s.name = '铂金客户' AND left_at IS NULL ORDER BY customer_id`,
          );
          await db.query(
            `UPDATE score_snapshots SET clv_minor = 1e12,
             historical = historical || '{"orders": 500, "revenueMinor": 100000000000, "daysSinceLastPurchase": 0}'::jsonb
           WHERE as_of = '2026-06-30' AND customer_id = $1`,
            [lead.customer_id],
          );
          const moved = await rescoreCustomerSegments(db, [lead.customer_id], '2026-06-30');
          expect(moved.rescored).toBe(1);
          const { rows: now } = await db.query<Record<string, unknown>>(
            `SELECT rfm_r, rfm_f, rfm_m, rfm_segment, tier FROM score_snapshots
           WHERE as_of = '2026-06-30' AND customer_id = $1`,
            [lead.customer_id],
          );
          expect(now[0]).toEqual({
            rfm_r: 5,
            rfm_f: 5,
            rfm_m: 5,
            rfm_segment: 'champions',
            tier: 'platinum',
          });
          const membersAfter = await db.query<{ customer_id: string }>(
            `SELECT customer_id FROM segment_memberships m JOIN segments s USING (segment_id)
           WHERE s.name = '铂金客户' AND left_at IS NULL ORDER BY customer_id`,
          );
          expect(membersAfter.rows.map((r) => r.customer_id)).toEqual(
            [...membersBefore.rows.map((r) => r.customer_id), lead.customer_id].sort(),
          );
          const refreshed = moved.segments.find((x) => x.name === '铂金客户');
          expect(refreshed).toMatchObject({
            joined: 1,
            left: 0,
            members: membersBefore.rows.length + 1,
          });
        } finally {
          await db.close();
        }
      });
    },
  );
}
