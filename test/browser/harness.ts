/**
 * The browser tests' world: a small demo business in an in-memory PGlite, the HTTP server on
 * 127.0.0.1:0 serving the production build of web/, and Debian's chromium driven headless by
 * playwright-core (never a downloaded browser).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { createDemoUsers, type DemoLogin, loadDemo } from '../../src/cli/demo.js';
import { loadConfig } from '../../src/config.js';
import { buildServer, type TenureServer } from '../../src/server/app.js';
import type { Db } from '../../src/store/db.js';
import { replayLifecycle } from '../../src/store/lifecycle-analysis.js';
import { openDb } from '../../src/store/open.js';
import { runSegmentAnalysis } from '../../src/store/segment-analysis.js';
import { runValueAnalysis } from '../../src/store/value-analysis.js';
import { ensureWebBuild } from '../../web/build.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

function findChromium(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && existsSync(p)) return p;
  }
  try {
    return (
      execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
        encoding: 'utf8',
      }).trim() || null
    );
  } catch {
    return null;
  }
}

export const CHROMIUM = findChromium();
if (!CHROMIUM) {
  console.warn(
    'browser tests skipped: no chromium found (/usr/bin/chromium). Install it with `apt-get install -y chromium`; .ci/run does.',
  );
}

export const AS_OF = new Date('2026-06-30T00:00:00Z');

export interface World {
  db: Db;
  server: TenureServer;
  base: string;
  logins: Record<string, DemoLogin>;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function startWorld(customers = 2000): Promise<World> {
  await ensureWebBuild();
  const db = await openDb({ databaseUrl: null, dataDir: null });
  await loadDemo(db, { customers, years: 3, seed: 7, industry: 'retail', asOf: AS_OF });
  const value = await runValueAnalysis(db, { asOf: AS_OF });
  // a year of month-end stage history, so the dashboard has a stage mix over time
  await replayLifecycle(db, { from: new Date('2025-06-30T00:00:00Z'), to: AS_OF, step: 'month' });
  await runSegmentAnalysis(db, { asOf: value.asOf });
  const logins = Object.fromEntries((await createDemoUsers(db)).map((l) => [l.role, l]));
  const server = await buildServer({
    db,
    config: loadConfig({}, { dataDir: 'unused', databaseUrl: null }),
    webDist: path.join(ROOT, 'web', 'dist'),
    logger: false,
    worker: false,
    now: () => new Date(AS_OF.getTime() + 12 * 3_600_000),
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no TCP address');
  const base = `http://127.0.0.1:${address.port}`;
  const profile = mkdtempSync(path.join(tmpdir(), 'tenure-chromium-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM as string,
    headless: true,
    viewport: { width: 1366, height: 900 },
    locale: 'zh-CN',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    db,
    server,
    base,
    logins,
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      await server.close();
      await db.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form (after dropping any earlier session). */
export async function signIn(w: World, role: string): Promise<void> {
  await w.context.clearCookies();
  await w.page.goto(`${w.base}/`);
  await w.page.getByLabel(/用户名|Username/).fill(w.logins[role].username);
  await w.page.getByLabel(/密码|Password/).fill(w.logins[role].password);
  await w.page.getByRole('button', { name: /登录|Sign in/ }).click();
  await w.page.getByTestId('whoami').waitFor();
}

/** What the tests read inside the page (the test program has no DOM types). */
export interface PageGlobals {
  __charts?: Record<string, { getOption(): unknown }>;
  document: { documentElement: { lang: string }; querySelector(selector: string): unknown };
  localStorage: { getItem(key: string): string | null };
}

/** GET an API path with the page's session cookie. */
export async function apiGet<T>(w: World, p: string): Promise<{ status: number; body: T }> {
  const r = await w.page.evaluate(async (url) => {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    return { status: res.status, body: (await res.json()) as unknown };
  }, p);
  return r as { status: number; body: T };
}

/** A full-page screenshot; charts are drawn when scrolled near, so the page is scrolled through first. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const charts = page.locator('[data-chart]');
  for (let i = 0, n = await charts.count(); i < n; i++)
    await charts.nth(i).scrollIntoViewIfNeeded();
  await page.evaluate(() =>
    (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
  );
  await page.waitForTimeout(400); // the charts' 300 ms entry animation
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
