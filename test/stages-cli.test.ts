/**
 * Issue 4 part 3 on the command line: `tenure stages` (mix, transitions, dwell, funnel) and
 * `tenure customer <id>` (profile, score, stages with reasons, next best action), run
 * in-process against a demo database analysed on 2026-06-30 and again on 2026-09-30.
 */
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import { runLifecycleAnalysis } from '../src/store/lifecycle-analysis.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';
import { BACKENDS } from './backends.js';
import { type CliTarget, makeCliTarget, querySql, runTenure } from './cli-harness.js';

const N = 800;
const first = new Date('2026-06-30T00:00:00Z');
const second = new Date('2026-09-30T00:00:00Z');

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(
    `tenure stages and tenure customer on ${backend.name}`,
    () => {
      let target: CliTarget;

      const tenure = (...args: string[]) => runTenure(target.env, args);

      const sql = <R>(text: string, params: unknown[] = []) => querySql<R>(target, text, params);

      beforeAll(async () => {
        target = await makeCliTarget(backend.name, 'stages');
        const db = await target.open();
        try {
          await loadDemo(db, { customers: N, years: 3, seed: 4, industry: 'retail', asOf: first });
          await runValueAnalysis(db, { asOf: first });
          await runLifecycleAnalysis(db, { asOf: first });
          await runLifecycleAnalysis(db, { asOf: second });
        } finally {
          await db.close();
        }
      }, 120_000);
      afterAll(async () => target?.cleanup());

      test('issue 4: the stage mix sums to the customer count and matches a direct count of the latest stage', async () => {
        const r = await tenure('stages', '--json');
        expect(r.code).toBe(0);
        const report = JSON.parse(r.out);
        expect(report.model).toBe('relationship');
        expect(report.asOf).toBe('2026-09-30');
        expect(report.from).toBe('2026-06-30');
        expect(report.customers).toBe(N);
        expect(report.mix.reduce((s: number, m: { customers: number }) => s + m.customers, 0)).toBe(
          N,
        );
        const direct = await sql<{ stage: string; n: number }>(
          `SELECT to_stage AS stage, count(*)::int AS n
         FROM (SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
               WHERE model_id = 'relationship' ORDER BY customer_id, changed_at DESC) x
         GROUP BY 1`,
        );
        const expected = Object.fromEntries(direct.map((d) => [d.stage, d.n]));
        for (const m of report.mix) expect(m.customers, m.stage).toBe(expected[m.stage] ?? 0);
        expect(report.mix.map((m: { zh: string }) => m.zh)).toContain('稳定期');
      });

      test('issue 4: revenue and CLV by stage add up to the snapshot, and the trajectory mix covers every customer', async () => {
        const report = JSON.parse((await tenure('stages', '--json', '--as-of', '2026-06-30')).out);
        expect(report.valueSnapshot).toBe('2026-06-30');
        const [totals] = await sql<{ clv: number; revenue: number }>(
          `SELECT coalesce(sum(clv_minor), 0)::bigint AS clv,
                  coalesce(sum((historical->>'revenueMinor')::bigint), 0)::bigint AS revenue
           FROM score_snapshots WHERE as_of = '2026-06-30'`,
        );
        const sum = (k: string) =>
          report.mix.reduce((s: number, m: Record<string, number>) => s + m[k], 0);
        expect(sum('clvYuan')).toBeCloseTo(Number(totals.clv) / 100, 2);
        expect(sum('revenueYuan')).toBeCloseTo(Number(totals.revenue) / 100, 2);
        expect(
          report.trajectories.reduce((s: number, t: { customers: number }) => s + t.customers, 0),
        ).toBe(report.customers);
      });

      test('issue 4: transitions from 06-30 to 09-30 add up to the customers present on both dates, each row of rates summing to 1', async () => {
        const r = await tenure('stages', '--json', '--as-of', '2026-09-30', '--from', '2026-06-30');
        const report = JSON.parse(r.out);
        const counts: { from: string | null; to: string; customers: number; rate: number }[] =
          report.transitions.counts;
        const [{ n }] = await sql<{ n: number }>(
          `SELECT count(DISTINCT customer_id)::int AS n FROM stage_history
         WHERE model_id = 'relationship' AND changed_at <= '2026-06-30T00:00:00Z'`,
        );
        expect(counts.filter((c) => c.from !== null).reduce((s, c) => s + c.customers, 0)).toBe(n);
        const byFrom = new Map<string | null, number>();
        for (const c of counts) byFrom.set(c.from, (byFrom.get(c.from) ?? 0) + c.rate);
        for (const total of byFrom.values()) expect(total).toBeCloseTo(1, 9);
        const linked = report.transitions.sankey.links.reduce(
          (s: number, l: { value: number }) => s + l.value,
          0,
        );
        expect(linked).toBe(counts.reduce((s, c) => s + c.customers, 0));
        expect(report.dwell.length).toBe(report.mix.length);
        expect(report.funnel[0].reached).toBeGreaterThan(0);
      });

      test('issue 4: at the first history date every customer enters from no stage', async () => {
        const report = JSON.parse((await tenure('stages', '--json', '--as-of', '2026-06-30')).out);
        expect(report.from).toBeNull();
        expect(
          report.transitions.counts.every((c: { from: string | null }) => c.from === null),
        ).toBe(true);
        expect(
          report.transitions.counts.reduce(
            (s: number, c: { customers: number }) => s + c.customers,
            0,
          ),
        ).toBe(N);
      });

      test('issue 4: the human report shows the Chinese stage names first', async () => {
        const r = await tenure('stages');
        expect(r.code).toBe(0);
        expect(r.out).toContain('考察期 Exploration');
        expect(r.out).toContain('稳定期');
        expect(r.out).toContain('transitions 2026-06-30 → 2026-09-30');
      });

      test.each([
        {
          title: 'an unknown model',
          args: ['stages', '--model', 'nosuch'],
          code: 2,
          message: '--model must be one of relationship, telecom, contact, six-stage, got "nosuch"',
        },
        {
          title: 'a date before all history',
          args: ['stages', '--as-of', '2020-01-01'],
          code: 1,
          message:
            'no stage history of model relationship at or before 2020-01-01; it starts on 2026-06-30',
        },
        {
          title: '--from after --as-of',
          args: ['stages', '--as-of', '2026-06-30', '--from', '2026-09-30'],
          code: 2,
          message: '--from (2026-09-30) must not be after --as-of (2026-06-30)',
        },
        {
          title: 'a model without history',
          args: ['stages', '--model', 'telecom'],
          code: 1,
          message:
            'no stage history for model telecom yet: run an analysis first (`tenure analyze`, or Analysis in the web app)',
        },
      ])('tenure stages refuses $title in one sentence', async ({ args, code, message }) => {
        const r = await tenure(...args);
        expect(r.code).toBe(code);
        expect(r.err).toBe(`tenure: ${message}\n`);
      });

      test('issue 4 §5: an edited playbook is what `tenure customer` recommends; a malformed one is refused with its path', async () => {
        const [{ id, stage }] = await sql<{ id: string; stage: string }>(
          `SELECT customer_id AS id, to_stage AS stage FROM (
             SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
             WHERE model_id = 'relationship' ORDER BY customer_id, changed_at DESC) x
           WHERE to_stage = 'decline' ORDER BY customer_id LIMIT 1`,
        );
        const shown = await tenure('stage-model', 'playbook', 'relationship');
        expect(shown.code).toBe(0);
        const playbook = JSON.parse(shown.out);
        playbook.stages[stage].goal = {
          zh: '三天内回访并找出原因',
          en: 'call back within three days and find the cause',
        };
        const file = path.join(os.tmpdir(), `playbook-${process.pid}-${Date.now()}.json`);
        writeFileSync(file, JSON.stringify(playbook));
        expect((await tenure('stage-model', 'playbook', 'relationship', '--file', file)).code).toBe(
          0,
        );
        const report = JSON.parse((await tenure('customer', id, '--json')).out);
        const rel = report.stages.find((m: { model: string }) => m.model === 'relationship');
        expect(rel.nextAction.goal.zh).toBe('三天内回访并找出原因');

        playbook.stages[stage].actions[0].channel = 'carrier-pigeon';
        writeFileSync(file, JSON.stringify(playbook));
        const bad = await tenure('stage-model', 'playbook', 'relationship', '--file', file);
        expect(bad.code).toBe(2);
        expect(bad.err).toContain(`playbooks.relationship.stages.${stage}.actions.0.channel`);
        const again = JSON.parse((await tenure('customer', id, '--json')).out);
        expect(
          again.stages.find((m: { model: string }) => m.model === 'relationship').nextAction.goal
            .zh,
        ).toBe('三天内回访并找出原因');
        rmSync(file, { force: true });
      });

      test('issue 4: `tenure customer <id> --json` gives the profile, scores, the stage history in date order with reasons, and a next action', async () => {
        const [{ id }] = await sql<{ id: string }>(
          `SELECT customer_id AS id FROM stage_history WHERE model_id = 'relationship'
         GROUP BY customer_id HAVING count(*) = 2 ORDER BY customer_id LIMIT 1`,
        );
        const [c] = await sql<{
          name: string | null;
          owner_id: string | null;
          province: string | null;
        }>('SELECT name, owner_id, province FROM customers WHERE customer_id = $1', [id]);
        const r = await tenure('customer', id, '--json');
        expect(r.code).toBe(0);
        const report = JSON.parse(r.out);
        expect(report.customerId).toBe(id);
        expect(report.profile).toMatchObject({
          name: c.name,
          ownerId: c.owner_id,
          province: c.province,
        });
        expect(report.score.asOf).toBe('2026-06-30');
        expect(report.score.pAlive).toBeGreaterThanOrEqual(0);
        expect(report.score.clv.currency).toBe('CNY');
        expect(report.score.clv.yuan).toBe(report.score.clv.minor / 100);
        const [rel] = report.stages;
        expect(rel.model).toBe('relationship');
        expect(rel.history.map((h: { at: string }) => h.at)).toEqual([
          '2026-06-30T00:00:00.000Z',
          '2026-09-30T00:00:00.000Z',
        ]);
        expect(rel.history[1].from).toBe(rel.history[0].to);
        for (const h of rel.history) {
          expect(h.reason.zh).not.toBe('');
          expect(h.reason.en).not.toBe('');
          expect(h.zh).not.toBe(h.to);
        }
        expect(rel.current).toMatchObject({
          stage: rel.history[1].to,
          reason: rel.history[1].reason,
        });
        expect(rel.nextAction.action.title.zh).not.toBe('');
        expect(rel.nextAction.goal.en).not.toBe('');
      });

      test('issue 4: `tenure customer <id>` prints the stage in Chinese first, its reason and the next action', async () => {
        const [{ id, reason }] = await sql<{ id: string; reason: string }>(
          `SELECT customer_id AS id, reason FROM stage_history
         WHERE model_id = 'relationship' ORDER BY customer_id, changed_at DESC LIMIT 1`,
        );
        const r = await tenure('customer', id);
        expect(r.code).toBe(0);
        expect(r.out).toContain(`客户 customer ${id}`);
        expect(r.out).toContain('四阶段关系模型');
        expect(r.out).toContain(reason);
        expect(r.out).toContain('下一步 next action:');
      });

      test('issue 4: an unknown customer id exits 1 with one sentence', async () => {
        const r = await tenure('customer', 'no-such-customer');
        expect(r.code).toBe(1);
        expect(r.err).toBe('tenure: customer "no-such-customer" does not exist\n');
        expect(r.out).toBe('');
      });

      test('issue 4: a date between analyses reports the stages of the analysis before it', async () => {
        const report = JSON.parse((await tenure('stages', '--json', '--as-of', '2026-08-15')).out);
        const earlier = JSON.parse((await tenure('stages', '--json', '--as-of', '2026-06-30')).out);
        expect(report.from).toBe('2026-06-30');
        expect(report.mix).toEqual(earlier.mix);
        expect(
          report.transitions.counts.every((c: { from: string; to: string }) => c.from === c.to),
        ).toBe(true);
      });

      test.each(['stages', 'customer'])(
        '`tenure %s --help` explains the command and exits 0',
        async (cmd) => {
          const r = await tenure(cmd, '--help');
          expect(r.code).toBe(0);
          expect(r.out).toContain(`Usage: tenure ${cmd}`);
          expect(r.out).toContain('--json');
        },
      );

      test('issue 4 part 5: the next action follows the value tier once a snapshot carries one', async () => {
        const [{ id }] = await sql<{ id: string }>(
          `SELECT id FROM (SELECT DISTINCT ON (customer_id) customer_id AS id, to_stage
                         FROM stage_history WHERE model_id = 'relationship'
                         ORDER BY customer_id, changed_at DESC) latest
         WHERE to_stage = 'churned' ORDER BY id LIMIT 1`,
        );
        // the snapshot holds the pyramid tier: gold reads as the playbook's high value, lead as low
        await sql(`UPDATE score_snapshots SET tier = 'gold' WHERE customer_id = $1`, [id]);
        const before = JSON.parse((await tenure('customer', id, '--json')).out);
        expect(before.stages[0].nextAction.action.id).toBe('churned-win-back-call');
        await sql(`UPDATE score_snapshots SET tier = 'lead' WHERE customer_id = $1`, [id]);
        const after = JSON.parse((await tenure('customer', id, '--json')).out);
        expect(after.score.tier).toBe('lead');
        expect(after.stages[0].nextAction.action.id).toBe('churned-let-go');
        expect(after.stages[0].nextAction.reason.zh).toContain('适用于低价值客户');
      });
    },
  );
}
