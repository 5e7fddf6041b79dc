/**
 * Issue 8 "Done means": the web app in a real browser (Debian's chromium, headless) against the
 * server with demo data. Screenshots of every page go to test-artifacts/.
 */
import { availableParallelism, loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  apiGet,
  CHROMIUM,
  type PageGlobals,
  screenshot,
  signIn,
  startWorld,
  type World,
} from './harness.js';

interface CustomerRow {
  customerId: string;
  name: string | null;
  ownerId: string | null;
}

/** Series data of a chart the page exposes as (globalThis as unknown as PageGlobals).__charts[name]. */
async function chartData(w: World, name: string): Promise<unknown[][]> {
  // charts below the fold are drawn when scrolled near
  await w.page.locator(`[data-chart="${name}"]`).scrollIntoViewIfNeeded();
  await w.page.waitForFunction(
    (n) => Boolean((globalThis as unknown as PageGlobals).__charts?.[n]),
    name,
    { timeout: 15_000 },
  );
  return w.page.evaluate((n) => {
    const option = (globalThis as unknown as PageGlobals).__charts?.[n]?.getOption() as {
      series?: { data?: unknown[] }[];
    };
    return (option.series ?? []).map((s) => s.data ?? []);
  }, name);
}

describe.skipIf(!CHROMIUM)('web app in chromium (issue 8)', () => {
  let w: World;

  beforeAll(async () => {
    w = await startWorld(2000);
  }, 600_000);

  afterAll(async () => {
    await w?.close();
  });

  test.each(['admin', 'manager', 'agent', 'analyst'])(
    'issue 8: %s signs in and sees the navigation of the role',
    async (role) => {
      await signIn(w, role);
      const who = await w.page.getByTestId('whoami').textContent();
      expect(who).toContain(
        { admin: '管理员', manager: '经理', agent: '客户经理', analyst: '分析师' }[role],
      );
      const nav = await w.page.getByRole('navigation').getByRole('link').allTextContents();
      if (role === 'agent') {
        expect(nav).not.toContain('总览');
        expect(nav).toContain('客户');
        expect(nav).toContain('任务');
      } else {
        expect(nav).toContain('总览');
      }
      expect(nav.includes('数据导入')).toBe(role === 'admin' || role === 'manager');
      if (role === 'analyst' || role === 'agent') {
        // an analyst reads masked personal data (张**, 138****5678); an agent only their own customers
        await w.page
          .getByRole('navigation')
          .getByRole('link', { name: '客户', exact: true })
          .click();
        const table = w.page.getByTestId('customer-table');
        await table.waitFor();
        const names = await table.locator('tbody tr td:nth-child(2)').allTextContents();
        const phones = await table.locator('tbody tr td:nth-child(3)').allTextContents();
        const owners = await table.locator('tbody tr td:last-child').allTextContents();
        expect(names.length).toBeGreaterThan(0);
        if (role === 'analyst') {
          expect(names.every((n) => /^.\*+$/u.test(n))).toBe(true);
          expect(phones.filter((p) => p !== '—').every((p) => /^\d{3}\*{4}\d{4}$/.test(p))).toBe(
            true,
          );
        } else {
          expect(new Set(owners)).toEqual(new Set([w.logins.agent.staffId]));
        }
      }
      await screenshot(w.page, `login-${role}`);
    },
  );

  test('issue 8: the dashboard draws every chart from the demo data, first load measured', async () => {
    await signIn(w, 'manager');
    // first load: a fresh navigation until the KPI cards and the charts hold data
    const started = Date.now();
    await w.page.goto(`${w.base}/`);
    await w.page.getByTestId('kpis').waitFor();
    await w.page.waitForFunction(
      () =>
        (
          globalThis as unknown as { performance: { getEntriesByName(n: string): unknown[] } }
        ).performance.getEntriesByName('tenure:dashboard-ready').length > 0,
      undefined,
      { polling: 20 },
    );
    const firstLoadMs = Date.now() - started;
    const timing = await w.page.evaluate(() => {
      type Entry = {
        name: string;
        duration: number;
        startTime: number;
        domContentLoadedEventEnd?: number;
      };
      const perf = (
        globalThis as unknown as { performance: { getEntriesByType(t: string): Entry[] } }
      ).performance;
      const nav = perf.getEntriesByType('navigation')[0];
      const requests = perf
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/') || e.name.endsWith('.js'))
        .map(
          (e) =>
            `${new URL(e.name).pathname} at ${Math.round(e.startTime)} ms took ${Math.round(e.duration)} ms`,
        );
      const ready = perf.getEntriesByType('mark').find((m) => m.name === 'tenure:dashboard-ready');
      return {
        domContentLoaded: Math.round(nav?.domContentLoadedEventEnd ?? 0),
        ready: Math.round(ready?.startTime ?? -1),
        requests,
      };
    });
    console.log(
      `dashboard first load on loopback (2,000 demo customers, 13 month-ends of stage history): ${firstLoadMs} ms ` +
        `(budget 2,000 ms; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores); ` +
        `charts drawn ${timing.ready} ms after navigation start; DOMContentLoaded ${timing.domContentLoaded} ms; ${timing.requests.join('; ')}`,
    );

    const kpis = await w.page.getByTestId('kpis').locator('.kpi-value').allTextContents();
    expect(kpis).toHaveLength(8);
    expect(kpis[0]).toMatch(/^[\d,.]+万?$/); // customers: 2,000
    expect(kpis[6]).toMatch(/^¥/); // revenue

    const mix = await chartData(w, 'stageMix');
    expect(mix.length).toBeGreaterThanOrEqual(4); // one series per stage
    expect(mix[0].length).toBeGreaterThanOrEqual(12); // a year of month ends
    const total = mix.reduce((a, s) => a + Number(s[s.length - 1] ?? 0), 0);
    expect(total).toBeGreaterThan(1000);

    const pyramid = await chartData(w, 'pyramid');
    expect(pyramid[0].length).toBeGreaterThan(0);

    const pareto = await chartData(w, 'pareto');
    const curve = pareto[0] as [number, number][];
    expect(curve.length).toBeGreaterThan(10);
    // the top 20 % of customers bring far more than 20 % of revenue
    const at20 = curve.find(([x]) => x >= 0.2 - 1e-9) as [number, number];
    expect(at20[1]).toBeGreaterThan(0.4);

    const cohorts = await chartData(w, 'cohorts');
    const cells = cohorts[0] as [number, number, number][];
    expect(cells.length).toBeGreaterThan(12);
    expect(cells.filter(([x]) => x === 0).every(([, , r]) => r > 0.99)).toBe(true); // month 0 is the first purchase

    const atRisk = await chartData(w, 'atRisk');
    expect((atRisk[0] as number[]).some((v) => v > 0)).toBe(true);

    for (const name of ['region', 'ageBand', 'industry']) {
      const rows = await chartData(w, name);
      expect(
        (rows[0] as number[]).reduce((a, b) => a + b, 0),
        name,
      ).toBeGreaterThan(0);
    }
    // transitions from GET /api/stages, the CLV histogram from GET /api/dashboard
    for (const n of ['sankey', 'clv']) {
      const series = await chartData(w, n);
      expect(series[0].length, n).toBeGreaterThan(0);
    }
    await screenshot(w.page, 'dashboard');
  });

  test('issue 8: search a customer by Chinese name, open the 360, log a complaint and see it in the timeline', async () => {
    await signIn(w, 'manager');
    const list = await apiGet<{ items: CustomerRow[] }>(w, '/api/customers?limit=50&sort=-clv');
    const target = list.body.items.find(
      (c) => c.name && /[\u4e00-\u9fff]/.test(c.name),
    ) as CustomerRow;
    expect(target).toBeDefined();
    await w.page.getByRole('link', { name: '客户', exact: true }).click();
    await w.page.getByRole('searchbox').fill(target.name as string);
    const link = w.page
      .getByTestId('customer-table')
      .getByRole('link', { name: target.name as string })
      .first();
    await link.waitFor();
    await screenshot(w.page, 'customers');
    await link.click();
    await expect.poll(() => w.page.getByTestId('customer-name').textContent()).toBe(target.name);
    await w.page.getByTestId('stage-timeline').waitFor();

    const note = `客户投诉：送货延迟 ${Date.now()}`;
    const form = w.page.getByRole('form', { name: '记录互动' });
    await form.getByLabel('类型').selectOption('complaint');
    await form.getByLabel('备注').fill(note);
    await form.getByRole('button', { name: '保存互动' }).click();
    const entry = w.page.getByTestId('activity-timeline').locator('li', { hasText: note });
    await entry.waitFor();
    expect(await entry.textContent()).toContain('投诉');
    await screenshot(w.page, 'customer-360');
  });

  test('issue 8: a segment built with the rule builder shows its live count', async () => {
    await signIn(w, 'manager');
    await w.page.goto(`${w.base}/segments`);
    const builder = w.page.getByTestId('rule-builder');
    await builder.waitFor();
    await builder.getByLabel('字段').first().selectOption('stage');
    await builder.getByLabel('值').first().fill('decline');
    await expect
      .poll(() => builder.getByTestId('rule-text').textContent())
      .toBe("stage = 'decline'");
    const probe = await w.page.evaluate(async () => {
      const res = await fetch('/api/segments', { headers: { accept: 'application/json' } });
      return res.status;
    });
    if (probe === 404) {
      // the segments API (issue 5/7) is not served yet: the page must say so in words
      console.warn(
        'segments API not served yet (GET /api/segments is 404): checking the page explains it',
      );
      await expect
        .poll(() => builder.getByTestId('live-count').textContent())
        .toContain('保存后显示人数');
      await expect
        .poll(() => w.page.getByRole('alert').first().textContent())
        .toContain('服务器尚未提供此功能');
    } else {
      await expect
        .poll(() => builder.getByTestId('live-count').textContent(), { timeout: 15_000 })
        .toMatch(/符合条件：\d+ 位客户/);
      const name = `退化期客户 ${Date.now()}`;
      await builder.getByLabel('细分名称').fill(name);
      await builder.getByRole('button', { name: '保存细分' }).click();
      const saved = await builder.getByTestId('saved-count').textContent();
      const shown = Number(/(\d+) 位客户/.exec(saved ?? '')?.[1]);
      const list = await apiGet<{ items: { name: string; members: number }[] }>(w, '/api/segments');
      const stored = list.body.items.find((x) => x.name === name);
      expect(stored?.members).toBe(shown);
      expect(shown).toBeGreaterThan(0); // the demo has customers in decline
      await w.page.getByTestId('segment-list').getByText(name).waitFor();
    }
    await screenshot(w.page, 'segments');
  });

  test('issue 8: switching to English is remembered across a reload, and back to Chinese', async () => {
    await signIn(w, 'manager');
    await w.page.getByTestId('lang-switch').selectOption('en');
    await w.page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).waitFor();
    await w.page.reload();
    await w.page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).waitFor();
    expect(
      await w.page.evaluate(
        () => (globalThis as unknown as PageGlobals).document.documentElement.lang,
      ),
    ).toBe('en');
    await screenshot(w.page, 'dashboard-en');
    await w.page.getByTestId('lang-switch').selectOption('zh-CN');
    await w.page.getByRole('navigation').getByRole('link', { name: '总览' }).waitFor();
    expect(
      await w.page.evaluate(() =>
        (globalThis as unknown as PageGlobals).localStorage.getItem('tenure.lang'),
      ),
    ).toBe('zh-CN');
  });

  test('issue 8: an agent opening another agent’s customer by URL sees not found, never the record', async () => {
    await signIn(w, 'manager');
    const agentStaff = w.logins.agent.staffId;
    const all = await apiGet<{ items: CustomerRow[] }>(w, '/api/customers?limit=200');
    const other = all.body.items.find((c) => c.ownerId && c.ownerId !== agentStaff) as CustomerRow;
    const own = all.body.items.find((c) => c.ownerId === agentStaff);
    expect(other).toBeDefined();
    await signIn(w, 'agent');
    await w.page.goto(`${w.base}/customers/${encodeURIComponent(other.customerId)}`);
    await w.page.getByTestId('not-found').waitFor();
    expect(await w.page.content()).not.toContain(other.name as string);
    await screenshot(w.page, 'agent-not-found');
    if (own) {
      await w.page.goto(`${w.base}/customers/${encodeURIComponent(own.customerId)}`);
      await w.page.getByTestId('customer-name').waitFor();
    }
  });

  test('issue 8: every page renders for an admin without an error message from the app', async () => {
    await signIn(w, 'admin');
    for (const [pathName, name] of [
      ['/lifecycle', 'lifecycle'],
      ['/churn', 'churn'],
      ['/tasks', 'tasks'],
      ['/import', 'import'],
      ['/analysis', 'analysis'],
      ['/campaigns', 'campaigns'],
    ] as const) {
      await w.page.goto(`${w.base}${pathName}`);
      await w.page.locator('main h1').first().waitFor();
      await w.page.waitForFunction(
        () => !(globalThis as unknown as PageGlobals).document.querySelector('[aria-busy="true"]'),
        undefined,
        {
          timeout: 15_000,
        },
      );
      const text = await w.page.locator('main').textContent();
      expect(text, pathName).not.toMatch(/\{"error"|at \w+ \(|TypeError|undefined/);
      if (pathName === '/import') {
        // the file's columns are shown before anything is uploaded
        await w.page.locator('input[type="file"]').setInputFiles({
          name: '客户.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(
            '\ufeff客户编号,客户名称,手机\nC9001,"王, 小明",13800000000\n',
            'utf8',
          ),
        });
        const preview = w.page.getByTestId('csv-preview');
        await preview.waitFor();
        expect(await preview.locator('th').allTextContents()).toEqual([
          '客户编号',
          '客户名称',
          '手机',
        ]);
        expect(await preview.locator('td').allTextContents()).toEqual([
          'C9001',
          '王, 小明',
          '13800000000',
        ]);
      }
      await screenshot(w.page, name);
    }
  });

  test('issue 8: on a tablet (820 px wide) the dashboard and the 360 fit the screen without sideways scrolling', async () => {
    await signIn(w, 'manager');
    await w.page.setViewportSize({ width: 820, height: 1180 });
    try {
      for (const [pathName, name] of [
        ['/', 'dashboard-tablet'],
        ['/customers', 'customers-tablet'],
      ] as const) {
        await w.page.goto(`${w.base}${pathName}`);
        await w.page.locator('main h1').first().waitFor();
        await w.page.waitForFunction(
          () =>
            !(globalThis as unknown as PageGlobals).document.querySelector('[aria-busy="true"]'),
          undefined,
          { timeout: 15_000 },
        );
        const overflow = await w.page.evaluate(() => {
          const g = globalThis as unknown as {
            document: { documentElement: { scrollWidth: number } };
            innerWidth: number;
          };
          return g.document.documentElement.scrollWidth - g.innerWidth;
        });
        expect(overflow, pathName).toBeLessThanOrEqual(0);
        await screenshot(w.page, name);
      }
    } finally {
      await w.page.setViewportSize({ width: 1366, height: 900 });
    }
  });
});
