/**
 * Issue 8 §3 and §2 in a real browser: the virtualised customer table keeps a bounded number of
 * rows in the page while scrolling through more than 10,000 loaded ones (infinite scroll over
 * the server's cursor), is usable from the keyboard, resets its scroll on a new sort; the page's
 * Excel export of a filtered list holds as many rows as the list API; the dashboard's map of
 * China shows the customers by province. Screenshots go to test-artifacts/.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readXlsxRows } from '../../src/ingest/index.js';
import { countsByMapName } from '../../web/src/province-names.js';
import {
  ARTIFACTS,
  apiGet,
  CHROMIUM,
  type PageGlobals,
  ROOT,
  screenshot,
  signIn,
  startWorld,
  type World,
} from './harness.js';

/** Rows the table may hold in the page at once: a screenful (about 17) plus overscan. */
const MAX_RENDERED_ROWS = 60;
const EXTRA_CUSTOMERS = 10_000;

/** The little of the DOM the tests read inside the page (the test program has no DOM types). */
interface El {
  scrollTop: number;
  scrollHeight: number;
  textContent: string | null;
  getAttribute(name: string): string | null;
}
interface Doc {
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El>;
  activeElement: El | null;
}

interface ListPage {
  items: { customerId: string }[];
  nextCursor: string | null;
}

async function countAll(w: World, qs: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const c: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const r = await apiGet<ListPage>(w, `/api/customers?${qs}&limit=500${c}`);
    expect(r.status).toBe(200);
    n += r.body.items.length;
    cursor = r.body.nextCursor;
  } while (cursor);
  return n;
}

/** What the table holds now: rows in the DOM, rows loaded (from the status line), scroll. */
async function tableState(w: World) {
  return w.page.evaluate(() => {
    const doc = (globalThis as unknown as { document: Doc }).document;
    const wrap = doc.querySelector('.vtable-wrap') as El;
    const rows = [...doc.querySelectorAll('[data-testid="customer-table"] tbody tr')];
    const status = doc.querySelector('[data-testid="table-status"]')?.textContent ?? '';
    return {
      rendered: rows.length,
      lastRowIndex: Math.max(0, ...rows.map((r) => Number(r.getAttribute('aria-rowindex')))),
      loaded: Number(/([\d,]+)/.exec(status)?.[1].replaceAll(',', '') ?? 0),
      done: status.includes('已全部加载'),
      scrollTop: wrap.scrollTop,
    };
  });
}

describe.skipIf(!CHROMIUM)('customer table, export and map in chromium (issue 8 §2–3)', () => {
  let w: World;
  let total = 0;

  beforeAll(async () => {
    w = await startWorld(500);
    // tens of thousands of rows are the point: plain customers after the demo's
    await w.db.query(
      `INSERT INTO customers (customer_id, name, phones, province, city, owner_id)
       SELECT 'Z' || lpad(i::text, 6, '0'), '滚动客户' || i, ARRAY['137' || lpad(i::text, 8, '0')],
              '浙江省', '杭州市', 'S' || (i % 7)
       FROM generate_series(1, $1::int) i`,
      [EXTRA_CUSTOMERS],
    );
    const { rows } = await w.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM customers WHERE erased_at IS NULL',
    );
    total = rows[0].n;
  }, 600_000);

  afterAll(async () => {
    await w?.close();
  });

  test('issue 8 §3: scrolling through 10,000+ rows loads page after page while the page holds a bounded number of rows', async () => {
    await signIn(w, 'manager');
    await w.page.goto(`${w.base}/customers`);
    await w.page.getByTestId('customer-table').locator('tbody tr').first().waitFor();
    const seen: { loaded: number; rendered: number }[] = [];
    for (let step = 0; step < 400; step++) {
      const before = await tableState(w);
      seen.push({ loaded: before.loaded, rendered: before.rendered });
      if (before.done) break;
      await w.page.evaluate(() => {
        const wrap = (globalThis as unknown as { document: Doc }).document.querySelector(
          '.vtable-wrap',
        ) as El;
        wrap.scrollTop = wrap.scrollHeight;
      });
      await w.page.waitForFunction(
        (n) => {
          const s = (globalThis as unknown as { document: Doc }).document.querySelector(
            '[data-testid="table-status"]',
          )?.textContent;
          return Boolean(s && (s.includes('已全部加载') || !s.includes(`已加载 ${n} `)));
        },
        String(before.loaded),
        { timeout: 15_000 },
      );
    }
    // the last page arrived below the view: go to the very end once more
    await w.page.locator('.vtable-wrap').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await w.page.waitForFunction(
      (last) =>
        Boolean(
          (globalThis as unknown as { document: Doc }).document.querySelector(
            `[data-testid="customer-table"] tbody tr[aria-rowindex="${last}"]`,
          ),
        ),
      total + 1,
    );
    const end = await tableState(w);
    await screenshot(w.page, 'customers-table-scrolled');
    console.log(
      `customer table: ${end.loaded} rows loaded in ${seen.length} steps; at most ${Math.max(...seen.map((s) => s.rendered))} rows in the DOM`,
    );
    expect(end.done).toBe(true);
    expect(end.loaded).toBe(total);
    expect(end.loaded).toBeGreaterThan(EXTRA_CUSTOMERS);
    // the last rows are the ones in view, and only a screenful or so is rendered at any time
    expect(end.lastRowIndex).toBe(total + 1);
    expect(Math.max(...seen.map((s) => s.rendered), end.rendered)).toBeLessThanOrEqual(
      MAX_RENDERED_ROWS,
    );
    expect(new Set(seen.map((s) => s.loaded)).size).toBeGreaterThan(10); // page after page
  });

  test('issue 8 §3: a new sort starts at the top; rows are reached with the keyboard and Enter opens the 360', async () => {
    await signIn(w, 'manager');
    await w.page.goto(`${w.base}/customers`);
    const table = w.page.getByTestId('customer-table');
    await table.locator('tbody tr').first().waitFor();
    await w.page.locator('.vtable-wrap').evaluate((el) => {
      el.scrollTop = 3000;
    });
    await expect.poll(async () => (await tableState(w)).scrollTop).toBeGreaterThan(0);
    await table.getByRole('button', { name: /CLV/ }).click();
    await expect.poll(async () => (await tableState(w)).scrollTop).toBe(0);
    // the rows of the new order have arrived (the old ones are shown until then)
    await w.page.waitForFunction(
      () => !(globalThis as unknown as PageGlobals).document.querySelector('[aria-busy="true"]'),
      undefined,
      { timeout: 15_000 },
    );
    await expect
      .poll(() => table.locator('thead th[aria-sort="descending"]').textContent())
      .toContain('CLV');

    // one row is in the tab order; arrows move between rows
    await table.locator('tbody tr[data-index="0"]').focus();
    await w.page.keyboard.press('ArrowDown');
    await w.page.keyboard.press('ArrowDown');
    const focused = await w.page.evaluate(
      () =>
        (globalThis as unknown as { document: Doc }).document.activeElement?.getAttribute(
          'data-index',
        ) ?? null,
    );
    expect(focused).toBe('2');
    const id = await table.locator('tbody tr[data-index="2"] td').first().textContent();
    await w.page.keyboard.press('Enter');
    await w.page.waitForURL(`**/customers/${encodeURIComponent(id as string)}`);
    await w.page.getByTestId('customer-name').waitFor();
  });

  test('issue 8 §2: the page exports the filtered list as Excel with as many rows as the list API and the visible columns', async () => {
    await signIn(w, 'manager');
    await w.page.goto(`${w.base}/customers`);
    const table = w.page.getByTestId('customer-table');
    await table.locator('tbody tr').first().waitFor();
    await w.page.getByRole('combobox', { name: '等级', exact: true }).selectOption('gold');
    await w.page.waitForFunction(
      () => !(globalThis as unknown as PageGlobals).document.querySelector('[aria-busy="true"]'),
      undefined,
      { timeout: 15_000 },
    );
    const expected = await countAll(w, 'tier=gold');
    expect(expected).toBeGreaterThan(0);
    const headers = await table.locator('thead th').allTextContents();

    await w.page.getByTestId('export-menu').locator('summary').click();
    await screenshot(w.page, 'customers-export-menu');
    const [download] = await Promise.all([
      w.page.waitForEvent('download'),
      w.page.getByRole('link', { name: /\.xlsx/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^customers-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const file = path.join(ARTIFACTS, 'customers-gold.xlsx');
    await download.saveAs(file);
    try {
      const rows: unknown[][] = [];
      for await (const batch of readXlsxRows(file)) for (const r of batch) rows.push(r.cells);
      expect(rows.length - 1).toBe(expected);
      // the visible columns, region and risk as two columns each (province, city; risk, level)
      const want = headers.flatMap((h) =>
        h === '地区'
          ? ['省份', '城市']
          : /^风险/.test(h)
            ? ['流失概率', '预警等级']
            : [h.replace(/ [↑↓]$/, '')],
      );
      expect(rows[0].map((h) => String(h).replace(' (¥)', ''))).toEqual(want);
      expect(new Set(rows.slice(1).map((r) => r[want.indexOf('等级')]))).toEqual(new Set(['gold']));
    } finally {
      rmSync(file, { force: true });
    }
  });

  test('issue 8 §2: the dashboard draws customers by province on a map of China, the bar chart kept beside it', async () => {
    await signIn(w, 'manager');
    await w.page.goto(`${w.base}/`);
    // the outlines are fetched when the panel comes near the viewport
    await w.page.getByRole('heading', { name: '客户分布地图' }).scrollIntoViewIfNeeded();
    const map = w.page.locator('[data-chart="regionMap"]');
    await map.scrollIntoViewIfNeeded();
    await w.page.waitForFunction(
      () => Boolean((globalThis as unknown as PageGlobals).__charts?.regionMap),
      undefined,
      { timeout: 15_000 },
    );
    const option = (await w.page.evaluate(
      () => (globalThis as unknown as PageGlobals).__charts?.regionMap?.getOption() as unknown,
    )) as { series: { type: string; map: string; data: { name: string; value: number }[] }[] };
    const dashboard = await apiGet<{
      breakdowns: { region: { key: string; customers: number }[] };
    }>(w, '/api/dashboard');
    const names = (
      JSON.parse(readFileSync(path.join(ROOT, 'web/src/maps/china-provinces.json'), 'utf8')) as {
        features: { properties: { name: string } }[];
      }
    ).features.map((f) => f.properties.name);
    const want = countsByMapName(dashboard.body.breakdowns.region, names);
    expect(option.series[0].type).toBe('map');
    expect(option.series[0].map).toBe('china');
    // ECharts lists the outlines without data too (value undefined)
    const drawn = option.series[0].data.filter((d) => d.value !== undefined);
    expect(drawn.map((d) => ({ name: d.name, value: d.value }))).toEqual(want.data);
    expect(want.unmatched).toEqual([]); // every demo province is on the map
    expect(option.series[0].data.find((d) => d.name === '广东')?.value).toBe(
      dashboard.body.breakdowns.region.find((r) => r.key === '广东省')?.customers,
    );
    // the bar chart by province stays (the accessible, exact view)
    await w.page.locator('[data-chart="region"]').waitFor();
    await map.scrollIntoViewIfNeeded();
    await w.page.waitForTimeout(400);
    await map.screenshot({ path: path.join(ARTIFACTS, 'dashboard-region-map.png') });
  });
});
