/**
 * Issue 9 on the command line, in-process against an analysed demo: crosssell rules and
 * suggestions, tasks due / done, the work queue, a campaign from creation to report with its
 * contact list exported, and the HTML report — which must open offline with every section, and
 * render in a headless browser (Chromium, when installed; the screenshot is saved).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import { runLifecycleAnalysis } from '../src/store/lifecycle-analysis.js';
import { openDb } from '../src/store/open.js';
import { runSegmentAnalysis } from '../src/store/segment-analysis.js';
import { createSegment } from '../src/store/segment-repo.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';
import { BACKENDS, createServerDatabase } from './backends.js';
import { runTenure } from './cli-harness.js';

const asOf = new Date('2026-06-30T00:00:00Z');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
  (p) => existsSync(p),
);

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`issue 9 commands on ${backend.name}`, () => {
    let env: Record<string, string>;
    let cleanup: () => Promise<void>;
    let segmentId: string;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tenure-act-cli-'));

    const tenure = (...args: string[]) => runTenure(env, args);

    beforeAll(async () => {
      let target: { databaseUrl: string | null; dataDir: string | null };
      if (backend.name === 'pglite') {
        target = { databaseUrl: null, dataDir: path.join(dir, 'data') };
        env = { TENURE_DATA_DIR: target.dataDir as string };
        cleanup = async () => {};
      } else {
        const created = await createServerDatabase();
        target = { databaseUrl: created.url, dataDir: null };
        env = { DATABASE_URL: created.url };
        cleanup = () => created.drop();
      }
      const db = await openDb(target);
      try {
        await loadDemo(db, { customers: 600, years: 3, seed: 21, industry: 'retail', asOf });
        await runValueAnalysis(db, { asOf });
        await runLifecycleAnalysis(db, { asOf });
        await runSegmentAnalysis(db, { asOf: '2026-06-30' });
        segmentId = (await createSegment(db, { name: '非铅客户', rule: "tier <> 'lead'" })).segment
          .segmentId;
      } finally {
        await db.close();
      }
    }, 180_000);
    afterAll(async () => {
      await cleanup?.();
      rmSync(dir, { recursive: true, force: true });
    });

    test('tenure crosssell rules --json lists rules with their four measures; for <customer> excludes owned products', async () => {
      const r = await tenure(
        'crosssell',
        'rules',
        '--min-support',
        '0.002',
        '--limit',
        '5',
        '--json',
      );
      expect(r.code).toBe(0);
      const body = JSON.parse(r.out);
      expect(body.rules.length).toBeLessThanOrEqual(5);
      expect(body.totalRules).toBeGreaterThan(0);
      for (const rule of body.rules) {
        expect(Object.keys(rule).sort()).toEqual(
          [
            'antecedent',
            'baskets',
            'confidence',
            'consequent',
            'conviction',
            'lift',
            'support',
          ].sort(),
        );
      }
      const f = await tenure('crosssell', 'for', 'C000001', '--json');
      expect(f.code).toBe(0);
      const s = JSON.parse(f.out);
      for (const x of [...s.crossSell, ...s.upSell]) expect(s.owned).not.toContain(x.sku);
      expect((await tenure('crosssell', 'rules', '--min-support', '2')).code).toBe(2);
      expect((await tenure('crosssell', 'for', 'nobody')).code).toBe(1);
    });

    test('tenure tasks due schedules once and lists; tasks done closes with the outcome', async () => {
      const a = JSON.parse((await tenure('tasks', 'due', '--as-of', '2026-07-01', '--json')).out);
      expect(a.scheduled.total).toBeGreaterThan(0);
      expect(a.tasks.length).toBeGreaterThan(0);
      const b = JSON.parse((await tenure('tasks', 'due', '--as-of', '2026-07-01', '--json')).out);
      expect(b.scheduled.total).toBe(0);
      expect(b.tasks.length).toBe(a.tasks.length);
      for (const t of a.tasks) expect(t.dueAt <= '2026-07-31T23:59:59.999Z').toBe(true);
      const first = a.tasks[0];
      const done = await tenure('tasks', 'done', first.taskId, '--outcome', '已电话联系', '--json');
      expect(done.code).toBe(0);
      expect(JSON.parse(done.out).status).toBe('done');
      expect((await tenure('tasks', 'done', first.taskId, '--outcome', 'again')).code).toBe(1);
      expect((await tenure('tasks', 'due', '--days', 'x')).code).toBe(2);
    });

    test('tenure queue --owner lists next best actions by expected value with reasons', async () => {
      const r = await tenure(
        'queue',
        '--owner',
        'AM002',
        '--as-of',
        '2026-06-30',
        '--limit',
        '10',
        '--json',
      );
      expect(r.code).toBe(0);
      const q = JSON.parse(r.out);
      expect(q.actions.length).toBeGreaterThan(0);
      for (const a of q.actions) {
        expect(a.ownerId).toBe('AM002');
        expect(a.reason.en.length).toBeGreaterThan(0);
      }
      const one = JSON.parse(
        (
          await tenure(
            'queue',
            '--customer',
            q.actions[0].customerId,
            '--as-of',
            '2026-06-30',
            '--json',
          )
        ).out,
      );
      expect(one.actions[0]).toEqual(q.actions[0]);
    });

    test('tenure campaign: create on a customer list, export CSV and XLSX, simulate, report the uplift with a CI', async () => {
      const ids = Array.from({ length: 600 }, (_, i) => `C${String(i + 1).padStart(6, '0')}`).join(
        ',',
      );
      const created = await tenure(
        'campaign',
        'create',
        '--name',
        '回购提醒',
        '--customers',
        ids,
        '--start',
        '2026-07-01',
        '--end',
        '2026-08-01',
        '--holdout',
        '0.5',
        '--seed',
        '4',
        '--channel',
        'sms',
        '--message',
        '夏季回购优惠',
        '--cost',
        '100',
        '--id',
        'k1',
        '--json',
      );
      expect(created.code, created.err).toBe(0);
      const c = JSON.parse(created.out);
      expect(c.members.treatment + c.members.control).toBe(600);
      const csv = path.join(dir, `${backend.name}-contacts.csv`);
      expect(
        (await tenure('campaign', 'export', 'k1', '--out', csv, '--mark-contacted')).code,
      ).toBe(0);
      const raw = readFileSync(csv, 'utf8');
      expect(raw.startsWith('\uFEFF客户编号')).toBe(true);
      const lines = raw.trim().split('\r\n');
      expect(lines.length).toBe(c.members.treatment + 1);
      const xlsx = path.join(dir, `${backend.name}-contacts.xlsx`);
      expect((await tenure('campaign', 'export', 'k1', '--out', xlsx)).code).toBe(0);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(xlsx);
      expect(book.getWorksheet('contacts')?.rowCount).toBe(c.members.treatment + 1);
      expect(
        (await tenure('campaign', 'simulate', 'k1', '--base-rate', '0.1', '--uplift', '0.1')).code,
      ).toBe(0);
      const report = JSON.parse((await tenure('campaign', 'report', 'k1', '--json')).out);
      expect(report.treatment.contacted).toBe(c.members.treatment);
      expect(report.uplift.conversion.low).toBeLessThan(0.1);
      expect(report.uplift.conversion.high).toBeGreaterThan(0.1);
      expect((await tenure('campaign', 'respond', 'k1', '--customers', 'ghost')).code).toBe(2);
      expect((await tenure('campaign', 'report', 'nope')).code).toBe(1);
      // a saved segment's current members, split within each tier
      const seg = JSON.parse(
        (
          await tenure(
            'campaign',
            'create',
            '--name',
            '关怀',
            '--segment',
            'seg_missing',
            '--start',
            '2026-07-01',
            '--end',
            '2026-08-01',
            '--json',
          )
        ).out || '{}',
      );
      expect(seg.campaignId).toBeUndefined();
      const bySeg = await tenure(
        'campaign',
        'create',
        '--name',
        '关怀',
        '--segment',
        segmentId,
        '--start',
        '2026-07-01',
        '--end',
        '2026-08-01',
        '--holdout',
        '0.2',
        '--json',
      );
      expect(bySeg.code, bySeg.err).toBe(0);
      const k = JSON.parse(bySeg.out);
      expect(k.members.treatment + k.members.control).toBeGreaterThan(0);
      expect(k.byTier.every((t: { tier: string }) => t.tier !== 'lead')).toBe(true);
      expect((await tenure('campaign', 'export', 'k1', '--out', 'x.pdf')).code).toBe(2);
    });

    test('issue 9: tenure report writes one HTML file with every section, no network reference, in both languages', async () => {
      const out = path.join(dir, `${backend.name}-report.html`);
      const r = await tenure('report', '--as-of', '2026-08-15', '--out', out, '--json');
      expect(r.code, r.err).toBe(0);
      const summary = JSON.parse(r.out);
      const html = readFileSync(out, 'utf8');
      for (const id of [
        'headline',
        'stages',
        'value',
        'fits',
        'segments',
        'churn',
        'cohorts',
        'campaigns',
        'crosssell',
        'tasks',
      ]) {
        expect(html).toContain(`<section id="${id}">`);
      }
      // every section with data here has it; segments have no data until issue 5 stores them
      expect(summary.sections).toMatchObject({
        headline: true,
        stages: true,
        value: true,
        fits: true,
        churn: true,
        cohorts: true,
        campaigns: true,
        crosssell: true,
      });
      expect(html.match(/<svg /g)?.length ?? 0).toBeGreaterThanOrEqual(6);
      expect(html).not.toMatch(/<script|<link |src="http|href="http|@import/);
      expect(html).toContain('lang="zh-CN"');
      const en = path.join(dir, `${backend.name}-report-en.html`);
      expect(
        (await tenure('report', '--as-of', '2026-08-15', '--out', en, '--lang', 'en')).code,
      ).toBe(0);
      expect(readFileSync(en, 'utf8')).toContain('Campaign results');
      expect((await tenure('report', '--out', en, '--lang', 'fr')).code).toBe(2);
      const noOut = await tenure('report');
      expect(noOut.code).toBe(2);
      expect(noOut.err).toBe('tenure: --out is required: the HTML file to write\n');
      // the weekly report the server writes: off until turned on, settings validated
      const sched = JSON.parse(
        (await tenure('report', 'schedule', '--on', '--langs', 'zh-CN,en', '--hour', '7', '--json'))
          .out,
      );
      expect(sched.schedule).toMatchObject({ enabled: true, hour: 7, langs: ['zh-CN', 'en'] });
      const badDay = await tenure('report', 'schedule', '--weekday', '9');
      expect(badDay.code).toBe(2);
      expect(badDay.err).toBe('tenure: weekday must be 1 (Monday) to 7 (Sunday), got 9\n');
      expect(JSON.parse((await tenure('report', 'schedule', '--json')).out).schedule.weekday).toBe(
        1,
      );

      if (CHROMIUM && backend.name === 'pglite') {
        // renders in a browser, offline: the DOM after load has every section and the charts
        const flags = [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
        ];
        const dom = execFileSync(CHROMIUM, [...flags, '--dump-dom', `file://${out}`], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          timeout: 60_000,
        });
        expect(dom.match(/<section id=/g)?.length).toBe(10);
        expect(dom.match(/<svg /g)?.length ?? 0).toBeGreaterThanOrEqual(6);
        const shots = path.resolve('.tmp');
        mkdirSync(shots, { recursive: true });
        const png = path.join(shots, 'report-screenshot.png');
        execFileSync(
          CHROMIUM,
          [...flags, '--window-size=1000,5000', `--screenshot=${png}`, `file://${out}`],
          { stdio: 'ignore', timeout: 60_000 },
        );
        expect(statSync(png).size).toBeGreaterThan(20_000);
      }
    }, 120_000);
  });
}
