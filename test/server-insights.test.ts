/**
 * The endpoints the web app reads its analyses from (issues 7 and 8), over real HTTP on both
 * backends with an analysed demo business: the lifecycle report, the CLV histogram, the
 * segmentation run, the rule builder's live count and fields, tasks from the 360 page, churn
 * alerts with assign/resolve, the backtest figures, the threshold preview, and the scheduler
 * running inside the server without duplicates.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import { PRESET_MODELS } from '../src/engine/index.js';
import { type Actor, SYSTEM_ACTOR } from '../src/store/access.js';
import { runChurnAnalysis } from '../src/store/churn-analysis.js';
import type { Db } from '../src/store/db.js';
import { runLifecycleAnalysis } from '../src/store/lifecycle-analysis.js';
import { runSegmentAnalysis } from '../src/store/segment-analysis.js';
import { countRuleMatches } from '../src/store/segment-repo.js';
import { buildStagesReport } from '../src/store/stages-report.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';
import { BACKENDS } from './backends.js';
import { type Harness, startHarness } from './server-helpers.js';

const asOf = new Date('2026-06-30T00:00:00Z');
const NOW = () => new Date('2026-07-01T08:00:00Z');

async function prepare(db: Db) {
  await loadDemo(db, { customers: 400, years: 3, seed: 11, industry: 'retail', asOf });
  // The harness's agent is staff S1: give them the customers of the first account manager.
  await db.query(
    `UPDATE customers SET owner_id = 'S1' WHERE owner_id = (SELECT min(owner_id) FROM customers)`,
  );
  await runValueAnalysis(db, { asOf });
  await runLifecycleAnalysis(db, { asOf });
  await runSegmentAnalysis(db, { asOf: '2026-06-30' });
  await runChurnAnalysis(db, { asOf });
}

async function count(h: Harness, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await h.db.query<{ n: number }>(sql, params);
  return rows[0].n;
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`analysis endpoints on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, prepare, now: NOW });
    }, 240_000);
    afterAll(async () => {
      await h?.close();
    });

    test('GET /api/stages is the `tenure stages --json` report, from the same store function', async () => {
      const res = await h.call('GET', '/api/stages', { as: 'manager' });
      expect(res.status).toBe(200);
      const direct = await buildStagesReport(h.db, PRESET_MODELS.relationship);
      expect(res.body).toEqual(JSON.parse(JSON.stringify(direct)));
      expect(res.body.asOf).toBe('2026-06-30');
      expect(res.body.customers).toBe(await count(h, 'SELECT count(*)::int AS n FROM customers'));
      expect(res.body.funnel.length).toBeGreaterThan(0);
      const bad = await h.call('GET', '/api/stages?model=nothing', { as: 'manager' });
      expect(bad.status).toBe(404);
      const early = await h.call('GET', '/api/stages?asOf=2020-01-01', { as: 'manager' });
      expect(early.status).toBe(404);
      expect(early.body.error.details).toMatchObject({ value: '2020-01-01' });
      // The API's errors name the API's parameters, not the CLI's flags.
      const reversed = await h.call('GET', '/api/stages?asOf=2026-06-30&from=2026-09-30', {
        as: 'manager',
      });
      expect(reversed.status).toBe(400);
      expect(reversed.body.error.details).toMatchObject({ field: 'from', value: '2026-09-30' });
      expect(reversed.body.error.message).not.toMatch(/--/);
      expect((await h.call('GET', '/api/stages', { as: 'agent' })).status).toBe(403);
    });

    test('the dashboard’s CLV histogram counts every scored customer once, in the bin holding their CLV', async () => {
      const res = await h.call('GET', '/api/dashboard', { as: 'analyst' });
      expect(res.status).toBe(200);
      const bins: { fromMinor: number; toMinor: number; customers: number }[] =
        res.body.clvHistogram;
      expect(bins.length).toBeGreaterThan(2);
      for (let i = 1; i < bins.length; i++) expect(bins[i].fromMinor).toBe(bins[i - 1].toMinor);
      const { rows } = await h.db.query<{ clv: number }>(
        `SELECT s.clv_minor AS clv FROM score_snapshots s JOIN customers c USING (customer_id)
         WHERE s.as_of = $1 AND s.clv_minor IS NOT NULL AND c.erased_at IS NULL`,
        [res.body.asOf],
      );
      const expected = bins.map(() => 0);
      for (const { clv } of rows) {
        const x = Math.max(clv, 0);
        const i = bins.findIndex((b) => x >= b.fromMinor && x < b.toMinor);
        expect(i, `clv ${clv}`).toBeGreaterThanOrEqual(0);
        expected[i]++;
      }
      expect(bins.map((b) => b.customers)).toEqual(expected);
      // 1-2-5 edges
      expect(bins.every((b) => b.fromMinor === 0 || /^[125]0*$/.test(String(b.fromMinor)))).toBe(
        true,
      );
    });

    test('GET /api/segment-analysis returns the stored run without the re-scoring bands and cluster model', async () => {
      const res = await h.call('GET', '/api/segment-analysis', { as: 'analyst' });
      expect(res.status).toBe(200);
      expect(res.body.asOf).toBe('2026-06-30');
      expect(res.body.rfm.rf).toHaveLength(5);
      const inGrid = res.body.rfm.rf.flat().reduce((s: number, n: number) => s + n, 0);
      expect(inGrid).toBe(res.body.rfm.customers);
      expect(res.body.rfm.bands).toBeUndefined();
      expect(res.body.clusters.model).toBeUndefined();
      expect(res.body.clusters.clusters.length).toBe(res.body.clusters.k);
      expect(res.body.tiers.tiers.length).toBeGreaterThan(0);
      expect(
        (await h.call('GET', '/api/segment-analysis?asOf=2020-01-01', { as: 'analyst' })).status,
      ).toBe(404);
    });

    test('the rule builder: fields with coded values, a live count equal to the saved members, rule errors at line and column', async () => {
      const fields = await h.call('GET', '/api/segments/fields', { as: 'analyst' });
      expect(fields.status).toBe(200);
      const stage = fields.body.items.find((f: { name: string }) => f.name === 'stage');
      expect(stage.values).toEqual(PRESET_MODELS.relationship.stages.map((s) => s.code));
      const rule = "tier IN ('platinum', 'gold') AND orders >= 2";
      const before = await count(h, 'SELECT count(*)::int AS n FROM segments');
      const preview = await h.call('POST', '/api/segments/preview', {
        as: 'analyst',
        body: { rule },
      });
      expect(preview.status).toBe(200);
      expect(preview.body.asOf).toBe('2026-06-30');
      expect(preview.body.total).toBe(await count(h, 'SELECT count(*)::int AS n FROM customers'));
      expect(await count(h, 'SELECT count(*)::int AS n FROM segments')).toBe(before);
      const saved = await h.call('POST', '/api/segments', {
        as: 'manager',
        body: { name: '高价值复购', rule },
      });
      expect(saved.status).toBe(201);
      expect(preview.body.count).toBe(saved.body.members);
      expect(preview.body.count).toBeGreaterThan(0);
      const bad = await h.call('POST', '/api/segments/preview', {
        as: 'analyst',
        body: { rule: "tier = 'gold' AND\n  orders >" },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_input');
      expect(bad.body.error.details).toMatchObject({ line: 2 });
      expect(typeof bad.body.error.details.column).toBe('number');
      const unknown = await h.call('POST', '/api/segments/preview', {
        as: 'analyst',
        body: { rule: 'colour = 1' },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.details.line).toBe(1);
      // In the store, an agent's count is over their own customers only.
      const agent: Actor = {
        ...SYSTEM_ACTOR,
        userId: 'u-agent',
        username: 'agent',
        role: 'agent',
        staffId: 'S1',
      };
      const mine = await countRuleMatches(h.db, agent, 'orders >= 1');
      expect(mine.total).toBe(
        await count(h, `SELECT count(*)::int AS n FROM customers WHERE owner_id = 'S1'`),
      );
      expect(mine.total).toBeLessThan(preview.body.total);
      const nobody = await countRuleMatches(h.db, { ...agent, staffId: null }, 'orders >= 1');
      expect(nobody).toMatchObject({ customers: 0, total: 0 });
    });

    test('a task from the 360 page: the agent on their own customer gets it, on another’s a 404 and nothing written', async () => {
      const { rows } = await h.db.query<{ own: string; other: string }>(
        `SELECT (SELECT min(customer_id) FROM customers WHERE owner_id = 'S1') AS own,
                (SELECT min(customer_id) FROM customers WHERE owner_id <> 'S1') AS other`,
      );
      const { own, other } = rows[0];
      const tasks = () => count(h, 'SELECT count(*)::int AS n FROM tasks');
      const before = await tasks();
      const made = await h.call('POST', `/api/customers/${own}/tasks`, {
        as: 'agent',
        body: { type: 'follow-up', title: '回访', dueAt: '2026-07-04T00:00:00Z' },
      });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({
        customerId: own,
        ownerId: 'S1',
        type: 'follow-up',
        status: 'open',
      });
      expect(await tasks()).toBe(before + 1);
      const mine = await h.call('GET', '/api/tasks?limit=500', { as: 'agent' });
      expect(mine.body.items.map((t: { taskId: string }) => t.taskId)).toContain(made.body.taskId);
      const steal = await h.call('POST', `/api/customers/${other}/tasks`, {
        as: 'agent',
        body: { type: 'call', dueAt: '2026-07-04T00:00:00Z' },
      });
      expect(steal.status).toBe(404);
      expect(await tasks()).toBe(before + 1);
      const analyst = await h.call('POST', `/api/customers/${own}/tasks`, {
        as: 'analyst',
        body: { type: 'call' },
      });
      expect(analyst.status).toBe(403);
      const wrong = await h.call('POST', `/api/customers/${own}/tasks`, {
        as: 'manager',
        body: { type: 'party' },
      });
      expect(wrong.status).toBe(400);
      expect(await tasks()).toBe(before + 1);
    });

    test('alerts: scoped to the agent, names masked for the analyst, by value at risk; resolve and assign change the alert and its task', async () => {
      const all = await h.call('GET', '/api/alerts?status=open&limit=500', { as: 'manager' });
      expect(all.status).toBe(200);
      const stored = await count(h, "SELECT count(*)::int AS n FROM alerts WHERE status = 'open'");
      expect(stored).toBeGreaterThan(0);
      expect(all.body.items).toHaveLength(Math.min(stored, 500));
      const values = all.body.items.map((a: { valueAtRiskMinor: number }) => a.valueAtRiskMinor);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      const agent = await h.call('GET', '/api/alerts?limit=500', { as: 'agent' });
      expect(agent.body.items.length).toBeGreaterThan(0);
      expect(agent.body.items.every((a: { ownerId: string }) => a.ownerId === 'S1')).toBe(true);
      const analyst = await h.call('GET', '/api/alerts?limit=5', { as: 'analyst' });
      for (const a of analyst.body.items) expect(a.customerName).toMatch(/^.\*+$/u);
      const red = await h.call('GET', '/api/alerts?level=high&limit=500', { as: 'manager' });
      expect(red.body.items.every((a: { level: string }) => a.level === 'red')).toBe(true);
      expect(red.body.items.length).toBe(
        await count(h, "SELECT count(*)::int AS n FROM alerts WHERE level = 'red'"),
      );

      const own = agent.body.items.find((a: { status: string }) => a.status === 'open');
      const other = all.body.items.find((a: { ownerId: string }) => a.ownerId !== 'S1');
      const path = (a: { customerId: string; alertId: string }) =>
        `/api/alerts/${encodeURIComponent(a.customerId)}/${encodeURIComponent(a.alertId)}`;
      const stealing = await h.call('PATCH', path(other), {
        as: 'agent',
        body: { status: 'resolved' },
      });
      expect(stealing.status).toBe(404);
      expect(
        await count(
          h,
          'SELECT count(*)::int AS n FROM alerts WHERE customer_id = $1 AND alert_id = $2 AND status = $3',
          [other.customerId, other.alertId, 'open'],
        ),
      ).toBe(1);
      const noAssign = await h.call('PATCH', path(own), {
        as: 'agent',
        body: { assignedTo: 'S9' },
      });
      expect(noAssign.status).toBe(403);
      const resolved = await h.call('PATCH', path(own), {
        as: 'agent',
        body: { status: 'resolved', note: '已电话回访' },
      });
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'agent' });
      const task = await h.db.query<{ status: string; outcome: string }>(
        `SELECT status, outcome FROM tasks WHERE customer_id = $1 AND source = 'alert' AND source_key = $2`,
        [own.customerId, own.alertId],
      );
      expect(task.rows).toEqual([{ status: 'done', outcome: '已电话回访' }]);
      const assigned = await h.call('PATCH', path(other), {
        as: 'manager',
        body: { assignedTo: 'S7' },
      });
      expect(assigned.status).toBe(200);
      expect(assigned.body.assignedTo).toBe('S7');
      expect(
        await count(
          h,
          `SELECT count(*)::int AS n FROM tasks WHERE customer_id = $1 AND source_key = $2 AND owner_id = 'S7'`,
          [other.customerId, other.alertId],
        ),
      ).toBe(1);
      const empty = await h.call('PATCH', path(other), { as: 'manager', body: {} });
      expect(empty.status).toBe(400);
    });

    test('the backtest figures are the stored model’s held-out metrics: ROC from (0,0) to (1,1), lift and calibration by decile', async () => {
      const res = await h.call('GET', '/api/churn/backtest', { as: 'analyst' });
      expect(res.status).toBe(200);
      const { rows } = await h.db.query<{
        training: { holdoutMetrics: { rocAuc: number; deciles: unknown[] } };
      }>('SELECT training FROM churn_models ORDER BY as_of DESC LIMIT 1');
      const m = rows[0].training.holdoutMetrics;
      expect(res.body.auc).toBe(m.rocAuc);
      expect(res.body.liftByDecile).toHaveLength(m.deciles.length);
      expect(res.body.roc[0]).toEqual({ fpr: 0, tpr: 0 });
      const end = res.body.roc[res.body.roc.length - 1];
      expect(end.fpr).toBeCloseTo(1, 12);
      expect(end.tpr).toBeCloseTo(1, 12);
      for (let i = 1; i < res.body.roc.length; i++) {
        expect(res.body.roc[i].fpr).toBeGreaterThanOrEqual(res.body.roc[i - 1].fpr);
        expect(res.body.roc[i].tpr).toBeGreaterThanOrEqual(res.body.roc[i - 1].tpr);
      }
      expect(res.body.calibration[0].predicted).toBeGreaterThanOrEqual(
        res.body.calibration[res.body.calibration.length - 1].predicted,
      );
      expect((await h.call('GET', '/api/churn/backtest', { as: 'agent' })).status).toBe(403);
    });

    test('issue 8 §9: a CSV sent as text/csv is validated with dryRun: mapping and each problem’s line and column, nothing written', async () => {
      const tables = () =>
        count(
          h,
          `SELECT ((SELECT count(*) FROM transactions) + (SELECT count(*) FROM customers))::int AS n`,
        );
      const before = await tables();
      const csv = [
        '订单号,客户编号,下单时间,金额',
        'X1,C-NEW-1,2026-06-01 10:00,128.50',
        'X2,C-NEW-1,2026-06-02 10:00,"12,3x"',
        'X3,C-NEW-2,not a date,99',
      ].join('\n');
      const res = await h.call('POST', '/api/imports?dryRun=true&name=orders.csv', {
        as: 'admin',
        raw: csv,
        headers: { 'content-type': 'text/csv; charset=utf-8' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.kind).toBe('transactions');
      expect(res.body.mapping).toEqual([
        { column: '订单号', field: 'transactionId' },
        { column: '客户编号', field: 'customerId' },
        { column: '下单时间', field: 'occurredAt' },
        { column: '金额', field: 'amount' },
      ]);
      expect(res.body).toMatchObject({ rows: 3, valid: 1, rejected: 2 });
      expect(
        res.body.problems.map(
          (p: { line: number; column: number; field: string }) =>
            `${p.line}:${p.column} ${p.field}`,
        ),
      ).toEqual(['3:4 amount', '4:3 occurredAt']);
      expect(res.body.problems[0].value).toBe('12,3x');
      expect(await tables()).toBe(before);
      const json = await h.call('POST', '/api/customers', {
        as: 'admin',
        raw: 'a,b',
        headers: { 'content-type': 'text/csv' },
      });
      expect(json.status).toBe(415);
      const form = new FormData();
      form.append('file', new Blob([csv]), 'orders.xlsx');
      const multipart = await fetch(`${h.base}/api/imports?dryRun=true`, {
        method: 'POST',
        headers: { cookie: h.sessions.admin.cookie, 'x-csrf-token': h.sessions.admin.csrf },
        body: form,
      });
      expect(multipart.status).toBe(415);
      expect(((await multipart.json()) as { error: { message: string } }).error.message).toMatch(
        /text\/csv/,
      );
      const notDry = await h.call('POST', '/api/imports?dryRun=false', {
        as: 'admin',
        raw: csv,
        headers: { 'content-type': 'text/csv' },
      });
      // importing for real is all or nothing: the bad rows reject the file (test/server-imports.test.ts)
      expect(notDry.status).toBe(422);
      expect(notDry.body.error.code).toBe('invalid_rows');
      expect(
        (
          await h.call('POST', '/api/imports?dryRun=true', {
            as: 'analyst',
            raw: csv,
            headers: { 'content-type': 'text/csv' },
          })
        ).status,
      ).toBe(403);
      expect(await tables()).toBe(before);
    });

    test('the threshold preview says how many would move, by stage, and writes nothing', async () => {
      const state = async () => ({
        history: await count(h, 'SELECT count(*)::int AS n FROM stage_history'),
        version: await count(
          h,
          "SELECT coalesce(max(version), 0)::int AS n FROM stage_models WHERE model_id = 'relationship'",
        ),
      });
      const before = await state();
      const same = await h.call('POST', '/api/stage-models/relationship/preview', {
        as: 'admin',
        body: { thresholds: {} },
      });
      expect(same.status).toBe(200);
      expect(same.body.wouldMove).toBe(0);
      expect(same.body.asOf).toBe('2026-06-30');
      const current = PRESET_MODELS.relationship.thresholds;
      const names = Object.keys(current) as (keyof typeof current)[];
      let moved = 0;
      for (const name of names) {
        const res = await h.call('POST', '/api/stage-models/relationship/preview', {
          as: 'admin',
          body: { thresholds: { [name]: current[name] * 3 } },
        });
        if (res.status !== 200) continue; // a tripled value some thresholds do not allow
        const sum = (k: 'before' | 'after') =>
          res.body.byStage.reduce((s: number, x: Record<string, number>) => s + x[k], 0);
        expect(sum('before')).toBe(res.body.customers);
        expect(sum('after')).toBe(res.body.customers);
        const fromMoves = res.body.moves.reduce(
          (s: number, m: { customers: number }) => s + m.customers,
          0,
        );
        expect(fromMoves).toBe(res.body.wouldMove);
        moved += res.body.wouldMove;
      }
      expect(moved).toBeGreaterThan(0);
      expect(await state()).toEqual(before);
      const bad = await h.call('POST', '/api/stage-models/relationship/preview', {
        as: 'admin',
        body: { thresholds: { nonsense: 1 } },
      });
      expect(bad.status).toBe(422);
      const none = await h.call('POST', '/api/stage-models/nothing/preview', {
        as: 'admin',
        body: { thresholds: {} },
      });
      expect(none.status).toBe(404);
      const manager = await h.call('POST', '/api/stage-models/relationship/preview', {
        as: 'manager',
        body: { thresholds: {} },
      });
      expect(manager.status).toBe(403);
    });
  });

  describe.skipIf(!backend.available)(
    `the reminder scheduler in the server on ${backend.name}`,
    () => {
      test('it runs on start and on each tick; a second run and a restarted server create no duplicate task', async () => {
        const now = () => new Date('2026-03-20T09:00:00Z');
        const h = await startHarness(backend, {
          worker: false,
          now,
          scheduler: { intervalMs: 3_600_000 },
          prepare: async (db) => {
            await db.query(
              `INSERT INTO customers (customer_id, name, owner_id, birthday) VALUES
               ('B1', '生日客户', 'S1', '1990-03-25'), ('B2', '另一位', 'S2', '1985-04-02'),
               ('B3', '远期', 'S2', '1985-09-02')`,
            );
          },
        });
        try {
          const scheduler = h.app.tenure.scheduler!;
          expect(scheduler).not.toBeNull();
          // the run started with the server; joining it (or running anew) gives its result
          await scheduler.runOnce();
          const tasks = () =>
            h.db.query<{ customer_id: string; source_key: string }>(
              `SELECT customer_id, source_key FROM tasks WHERE source = 'scheduler' ORDER BY 1, 2`,
            );
          const first = (await tasks()).rows;
          expect(first).toEqual([
            { customer_id: 'B1', source_key: 'birthday:2026' },
            { customer_id: 'B2', source_key: 'birthday:2026' },
          ]);
          const again = await scheduler.runOnce();
          expect(again?.total).toBe(0);
          const both = await Promise.all([scheduler.runOnce(), scheduler.runOnce()]);
          expect(both.map((r) => r?.total)).toEqual([0, 0]);
          expect((await tasks()).rows).toEqual(first);
          // the agent sees the reminder for their customer through the API
          const mine = await h.call('GET', '/api/tasks', { as: 'agent' });
          expect(mine.body.items.map((t: { customerId: string }) => t.customerId)).toEqual(['B1']);
          // with what to do and for whom, as the Tasks page shows it
          expect(mine.body.items[0]).toMatchObject({
            type: 'birthday',
            title: { zh: '生日祝福', en: 'Birthday greeting' },
            customerName: '生日客户',
          });
          await h.app.close();
          // A restarted server on the same database runs again on start: nothing new.
          const { buildServer } = await import('../src/server/app.js');
          const { loadConfig } = await import('../src/config.js');
          const restarted = await buildServer({
            db: h.db,
            config: loadConfig({}),
            logger: false,
            now,
            worker: false,
            scheduler: { intervalMs: 3_600_000 },
          });
          await restarted.ready();
          const run = await restarted.tenure.scheduler!.runOnce();
          expect(run?.total).toBe(0);
          expect((await tasks()).rows).toEqual(first);
          await restarted.close();
        } finally {
          await h.close().catch(() => {});
        }
      });

      test('issue 9 §5: the weekly report is written once per week and language when its slot comes, announced by webhook, and old weeks are dropped', async () => {
        // Monday 30 November 2026, 09:00 in Shanghai
        let clock = new Date('2026-11-30T01:00:00Z');
        const h = await startHarness(backend, {
          worker: false,
          now: () => clock,
          scheduler: { intervalMs: 3_600_000 },
          prepare: async (db) => {
            await db.query(`INSERT INTO customers (customer_id, name) VALUES ('W1', '周报客户')`);
          },
        });
        try {
          const scheduler = h.app.tenure.scheduler!;
          await scheduler.runOnce();
          // off by default
          expect(scheduler.lastReports).toEqual([]);
          const reports = async () =>
            (
              await h.db.query<{ period: string; lang: string; as_of: string }>(
                `SELECT period, lang, to_char(as_of, 'YYYY-MM-DD') AS as_of FROM weekly_reports ORDER BY 1, 2`,
              )
            ).rows;
          expect(await reports()).toEqual([]);
          const hook = await h.call('POST', '/api/webhooks', {
            as: 'admin',
            body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['report.generated'] },
          });
          expect(hook.status).toBe(201);
          const bad = await h.call('PUT', '/api/reports/schedule', {
            as: 'admin',
            body: { weekday: 8 },
          });
          expect(bad.status).toBe(400);
          const set = await h.call('PUT', '/api/reports/schedule', {
            as: 'admin',
            body: { enabled: true, weekday: 1, hour: 8, langs: ['zh-CN', 'en'], keepWeeks: 2 },
          });
          expect(set.status).toBe(200);
          expect(set.body).toMatchObject({ enabled: true, timeZone: 'Asia/Shanghai' });
          expect(
            (await h.call('PUT', '/api/reports/schedule', { as: 'manager', body: { hour: 7 } }))
              .status,
          ).toBe(403);

          await scheduler.runOnce();
          expect(scheduler.lastReports.map((r) => `${r.period} ${r.lang}`)).toEqual([
            '2026-W49 zh-CN',
            '2026-W49 en',
          ]);
          // again, and two at once: nothing new
          await scheduler.runOnce();
          await Promise.all([scheduler.runOnce(), scheduler.runOnce()]);
          expect(await reports()).toEqual([
            { period: '2026-W49', lang: 'en', as_of: '2026-11-30' },
            { period: '2026-W49', lang: 'zh-CN', as_of: '2026-11-30' },
          ]);
          const events = await h.db.query<{ n: number; d: number }>(
            `SELECT count(*)::int AS n,
                    (SELECT count(*)::int FROM webhook_deliveries d JOIN webhook_outbox o USING (event_id)
                     WHERE o.event_type = 'report.generated') AS d
             FROM webhook_outbox WHERE event_type = 'report.generated'`,
          );
          expect(events.rows[0]).toEqual({ n: 2, d: 2 });

          const list = await h.call('GET', '/api/reports/weekly', { as: 'analyst' });
          expect(list.status).toBe(200);
          const zh = list.body.items.find((r: { lang: string }) => r.lang === 'zh-CN');
          const page = await fetch(`${h.base}/api/reports/weekly/${zh.reportId}`, {
            headers: { cookie: h.sessions.analyst.cookie },
          });
          expect(page.status).toBe(200);
          expect(page.headers.get('content-type')).toMatch(/^text\/html/);
          const html = await page.text();
          expect(html).toMatch(/^<!doctype html>/i);
          expect(html).toContain('lang="zh-CN"');
          expect(html).toContain('2026-11-30');
          expect(Buffer.byteLength(html)).toBe(zh.bytes);

          // A week later the next one; with keepWeeks 2, the week after drops the first.
          clock = new Date('2026-12-07T00:30:00Z');
          await scheduler.runOnce();
          clock = new Date('2026-12-14T03:00:00Z');
          await scheduler.runOnce();
          expect((await reports()).map((r) => `${r.period} ${r.lang}`)).toEqual([
            '2026-W50 en',
            '2026-W50 zh-CN',
            '2026-W51 en',
            '2026-W51 zh-CN',
          ]);
          // a restarted server in the same week writes nothing
          await h.app.close();
          const { buildServer } = await import('../src/server/app.js');
          const { loadConfig } = await import('../src/config.js');
          const restarted = await buildServer({
            db: h.db,
            config: loadConfig({}),
            logger: false,
            now: () => clock,
            worker: false,
            scheduler: { intervalMs: 3_600_000 },
          });
          await restarted.ready();
          await restarted.tenure.scheduler!.runOnce();
          expect(restarted.tenure.scheduler!.lastReports).toEqual([]);
          await restarted.close();
        } finally {
          await h.close().catch(() => {});
        }
      });
    },
  );
}
