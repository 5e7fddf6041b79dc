/**
 * Issue 9 §1 and §4 in a real browser (Debian's chromium, headless) against the server with
 * demo data: a manager creates a campaign from a saved segment, its responses are simulated and
 * recorded through the API, and the results page draws the API's numbers — the uplift shown is
 * the API's; an agent sees their work queue and makes a task from it in one click.
 * Screenshots go to test-artifacts/.
 */
import { readFile } from 'node:fs/promises';
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

/** POST an API path with the page's session cookie and its CSRF token. */
async function apiPost<T>(
  w: World,
  p: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const r = await w.page.evaluate(
    async ([url, payload]) => {
      const doc = globalThis as unknown as { document: { cookie: string } };
      const csrf = /(?:^|;\s*)tenure_csrf=([^;]+)/.exec(doc.document.cookie)?.[1] ?? '';
      const res = await fetch(url as string, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'x-csrf-token': decodeURIComponent(csrf),
        },
        body: JSON.stringify(payload),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    },
    [p, body] as const,
  );
  return r as { status: number; body: T };
}

/** Series data of a chart the page exposes as __charts[name]. */
async function chartSeries(w: World, name: string): Promise<{ name?: string; data: unknown[] }[]> {
  await w.page.locator(`[data-chart="${name}"]`).scrollIntoViewIfNeeded();
  await w.page.waitForFunction(
    (n) => Boolean((globalThis as unknown as PageGlobals).__charts?.[n]),
    name,
    { timeout: 15_000 },
  );
  return w.page.evaluate((n) => {
    const option = (globalThis as unknown as PageGlobals).__charts?.[n]?.getOption() as {
      series?: { name?: string; data?: unknown[] }[];
    };
    return (option.series ?? []).map((s) => ({ name: s.name, data: s.data ?? [] }));
  }, name);
}

interface Report {
  treatment: { members: number; conversionRate: number; revenuePerCustomerMinor: number };
  control: { members: number; conversionRate: number; revenuePerCustomerMinor: number };
  uplift: { conversion: { difference: number; low: number; high: number } };
}

describe.skipIf(!CHROMIUM)('campaigns and the work queue in chromium (issue 9)', () => {
  let w: World;

  beforeAll(async () => {
    w = await startWorld(1200);
  }, 600_000);

  afterAll(async () => {
    await w?.close();
  });

  test('issue 9 §4: a manager creates a campaign from a segment; its results page draws the API’s numbers and shows the API’s uplift', async () => {
    await signIn(w, 'manager');
    const segmentName = `买过的客户 ${Date.now()}`;
    const seg = await apiPost<{ segmentId: string; members: number }>(w, '/api/segments', {
      name: segmentName,
      rule: 'orders >= 1',
    });
    expect(seg.status).toBe(201);
    expect(seg.body.members).toBeGreaterThan(300);

    await w.page.getByRole('navigation').getByRole('link', { name: '营销活动' }).click();
    const form = w.page.getByTestId('new-campaign');
    await form.waitFor();
    await screenshot(w.page, 'campaigns-empty');
    await form.getByLabel('活动名称').fill('七月回购');
    await form.getByLabel('目标细分').selectOption(seg.body.segmentId);
    await form.getByLabel('对照组比例（%）').fill('30');
    await form.getByLabel('开始日期').fill('2026-07-01');
    await form.getByLabel('结束日期（不含）').fill('2026-08-01');
    await form.getByLabel('话术').fill('七月会员回购礼券');
    await form.getByLabel('每次触达成本（元）').fill('0.2');
    await form.getByRole('button', { name: '创建活动' }).click();
    await w.page.waitForURL(/\/campaigns\/K[0-9a-f]+$/);
    const id = decodeURIComponent(new URL(w.page.url()).pathname.split('/').pop() as string);
    await w.page.getByTestId('campaign-name').waitFor();
    expect(await w.page.getByTestId('campaign-name').textContent()).toContain('七月回购');

    const made = await apiGet<{
      segmentId: string;
      holdoutShare: number;
      costPerContactMinor: number;
      members: { treatment: number; control: number };
    }>(w, `/api/campaigns/${id}`);
    expect(made.body.segmentId).toBe(seg.body.segmentId);
    expect(made.body.holdoutShare).toBeCloseTo(0.3, 10);
    expect(made.body.costPerContactMinor).toBe(20);
    expect(made.body.members.treatment + made.body.members.control).toBe(seg.body.members);

    // responses through the API: the demo's planted uplift, and contacts recorded
    const sim = await apiPost<{ orders: number }>(w, `/api/campaigns/${id}/simulate`, {
      baseRate: 0.1,
      uplift: 0.1,
      seed: 3,
    });
    expect(sim.status).toBe(200);
    expect(sim.body.orders).toBeGreaterThan(0);
    const recorded = await apiPost<{ contacted: number }>(w, `/api/campaigns/${id}/responses`, {
      contacts: { at: '2026-07-01T09:00:00+08:00' },
    });
    expect(recorded.body.contacted).toBe(made.body.members.treatment);

    await w.page.reload();
    const report = (await apiGet<Report>(w, `/api/campaigns/${id}/report`)).body;
    const u = report.uplift.conversion;
    expect(u.low).toBeLessThan(0.1);
    expect(u.high).toBeGreaterThan(0.1);

    const uplift = await chartSeries(w, 'campaignUplift');
    expect(uplift[0].data).toEqual([
      [u.low, '转化提升'],
      [u.high, '转化提升'],
    ]);
    expect(uplift[1].data).toEqual([[u.difference, '转化提升']]);
    const arms = await chartSeries(w, 'campaignArms');
    expect(arms.map((s) => s.name)).toEqual(['实验组', '对照组']);
    expect(arms[0].data[0]).toBe(report.treatment.conversionRate);
    expect(arms[1].data[0]).toBe(report.control.conversionRate);
    const revenue = await chartSeries(w, 'campaignRevenue');
    expect(revenue[0].data.map((d) => (d as { value: number }).value)).toEqual([
      report.treatment.revenuePerCustomerMinor,
      report.control.revenuePerCustomerMinor,
    ]);

    // the uplift shown is the API's, in percentage points to one decimal
    const shown = w.page.getByTestId('campaign-uplift');
    expect(Number(await shown.getAttribute('data-value'))).toBe(u.difference);
    const text = (await shown.locator('.kpi-value').textContent()) as string;
    const m = /^([+−])([\d.]+) 个百分点$/.exec(text);
    expect(m, text).not.toBeNull();
    const pts = (m?.[1] === '−' ? -1 : 1) * Number(m?.[2]);
    expect(pts).toBe(Math.round(u.difference * 1000) / 10);
    const kpis = await w.page.getByTestId('campaign-kpis').locator('.kpi-value').allTextContents();
    expect(kpis[2]).toMatch(/^¥/); // cost in yuan

    // export the contact list (CSV) and send through webhooks
    const [download] = await Promise.all([
      w.page.waitForEvent('download'),
      w.page.getByRole('link', { name: '导出 CSV' }).click(),
    ]);
    const csv = await readFile((await download.path()) as string, 'utf8');
    expect(csv.trimEnd().split('\r\n')).toHaveLength(made.body.members.treatment + 1);
    await w.page.getByRole('button', { name: '通过 Webhook 发送' }).click();
    await expect
      .poll(() => w.page.getByTestId('send-result').textContent())
      .toContain(`已为 ${made.body.members.treatment} 位客户加入发送队列`);
    await screenshot(w.page, 'campaign-results');

    await w.page.getByRole('link', { name: '← 返回活动列表' }).click();
    const row = w.page.getByTestId('campaign-table').locator('tr', { hasText: '七月回购' });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('个百分点');
    await screenshot(w.page, 'campaigns');
  });

  test('issue 9 §1: an agent sees the work queue of their own customers and makes a task from it in one click', async () => {
    await signIn(w, 'agent');
    await w.page.getByRole('navigation').getByRole('link', { name: '任务', exact: true }).click();
    const queue = w.page.getByTestId('work-queue');
    await queue.waitFor({ timeout: 30_000 });
    const api = await apiGet<{ owner: string; items: { customerId: string; ownerId: string }[] }>(
      w,
      '/api/queue?limit=20',
    );
    expect(api.body.owner).toBe(w.logins.agent.staffId);
    expect(api.body.items.length).toBeGreaterThan(0);
    expect(api.body.items.every((a) => a.ownerId === w.logins.agent.staffId)).toBe(true);
    const rows = queue.locator('tbody tr');
    expect(await rows.count()).toBe(api.body.items.length);
    expect(await rows.first().getAttribute('data-customer')).toBe(api.body.items[0].customerId);

    const first = api.body.items[0].customerId;
    await rows.first().getByRole('button', { name: '创建任务' }).click();
    await rows.first().getByText('已创建任务').waitFor();
    const tasks = await apiGet<{ items: { customerId: string; type: string }[] }>(
      w,
      '/api/tasks?limit=500',
    );
    expect(
      tasks.body.items.filter((t) => t.customerId === first && t.type === 'next-action'),
    ).toHaveLength(1);
    await screenshot(w.page, 'work-queue-agent');
  });
});
