/**
 * Issue 8 §9 in a real browser: an admin uploads a CSV with a new customer (a Chinese name) on
 * the import page, sees the detected mapping and a problem in a bad row before anything is
 * written, changes a column's field and sees the file checked again, imports the valid rows
 * with skip-invalid, sees the counts, and finds the new customer on the Customers page.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM, screenshot, signIn, startWorld, type World } from './harness.js';

const CSV = [
  '客户编号,客户名称,手机,城市,生日',
  'WEB-001,诸葛青云,13900000001,成都,1992-02-29',
  'WEB-002,李四,13900000002,北京,1990-13-45',
].join('\n');

describe.skipIf(!CHROMIUM)('the import page in chromium (issue 8 §9)', () => {
  let w: World;

  beforeAll(async () => {
    w = await startWorld(300);
  }, 600_000);

  afterAll(async () => {
    await w?.close();
  });

  async function customers(ids: string[]): Promise<string[]> {
    const { rows } = await w.db.query<{ customer_id: string }>(
      'SELECT customer_id FROM customers WHERE customer_id = ANY($1) ORDER BY customer_id',
      [ids],
    );
    return rows.map((r) => r.customer_id);
  }

  test('issue 8 §9: an admin checks a CSV, fixes the mapping or skips the bad row, imports, and finds the new customer', async () => {
    const page = w.page;
    await signIn(w, 'admin');
    await page.getByRole('navigation').getByRole('link', { name: '数据导入' }).click();
    await page.locator('main h1').first().waitFor();

    await page.locator('input[type="file"]').setInputFiles({
      name: '新客户.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\ufeff${CSV}\n`, 'utf8'),
    });

    // the detected mapping, before anything is written
    const mapping = page.getByTestId('import-mapping');
    await mapping.waitFor();
    const targets = async () =>
      mapping
        .locator('select')
        .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(await mapping.locator('tbody td:first-child').allTextContents()).toEqual([
      '客户编号',
      '客户名称',
      '手机',
      '城市',
      '生日',
    ]);
    expect(await targets()).toEqual(['customerId', 'name', 'phones', 'city', 'birthday']);

    // the bad row's problem: line, column and reason; nothing written yet
    const summary = page.getByTestId('check-summary');
    await expect.poll(() => summary.textContent()).toContain('1 行有问题');
    const problems = page.getByTestId('import-problems');
    const cells = await problems.locator('tbody tr').first().locator('td').allTextContents();
    expect(cells[0]).toBe('3');
    expect(cells[1]).toBe('5 · 生日');
    expect(cells[3]).toBe('1990-13-45');
    // the reason in the page's language (zh-CN), the value as it was
    expect(cells[4]).toMatch(/^应为日期.*1990-13-45/);
    expect(await page.getByRole('button', { name: '导入', exact: true }).isDisabled()).toBe(true);
    expect(await customers(['WEB-001', 'WEB-002'])).toEqual([]);
    await screenshot(page, 'import-check');

    // changing a column's field checks the file again with the new mapping
    await page.getByLabel('“生日”列导入为').selectOption('-');
    await expect.poll(() => summary.textContent()).toContain('校验通过');
    expect(await problems.count()).toBe(0);
    await page.getByRole('button', { name: '恢复自动识别的映射' }).click();
    await expect.poll(() => summary.textContent()).toContain('1 行有问题');

    // import only the valid row
    await page.getByLabel(/跳过 1 行无效数据/).check();
    await page.getByRole('button', { name: '导入', exact: true }).click();
    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 60_000 });
    const counts = await result
      .getByTestId('import-counts')
      .locator('tbody tr')
      .first()
      .locator('th, td')
      .allTextContents();
    expect(counts).toEqual(['客户', '1', '0', '0']);
    expect(await result.getByTestId('import-problems').locator('tbody tr').count()).toBe(1);
    await result.getByRole('link', { name: '前往分析运行' }).waitFor();
    expect(await result.textContent()).toContain('不会自动重新计算');
    expect(await page.locator('main').textContent()).not.toMatch(
      /\{"error"|at \w+ \(|TypeError|undefined/,
    );
    await screenshot(page, 'import-done');
    expect(await customers(['WEB-001', 'WEB-002'])).toEqual(['WEB-001']);

    // the new customer on the Customers page, by name
    await page.getByRole('navigation').getByRole('link', { name: '客户', exact: true }).click();
    await page.getByRole('searchbox').fill('诸葛青云');
    const link = page.getByTestId('customer-table').getByRole('link', { name: '诸葛青云' }).first();
    await link.waitFor();
    await screenshot(page, 'import-customer-found');
  });

  test('issue 8 §9: the API docs page renders the import route with both body types', async () => {
    await w.page.goto(`${w.base}/api/docs`);
    const op = w.page.locator('details.op', { hasText: '/api/imports' });
    await op.locator('summary').click();
    const text = await op.textContent();
    expect(text).toContain('text/csv');
    expect(text).toContain('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(text).toContain('application/x-ndjson');
    // the page's inline script is part of body's text: look at what it rendered
    expect(await w.page.locator('#main').textContent()).not.toMatch(/^Could not load/);
  });
});
