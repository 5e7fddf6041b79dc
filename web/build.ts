/**
 * Production build of the web app (`npm run build:web`): Vite into web/dist, then the size of
 * every JavaScript and CSS file, raw and gzipped, against the budget of issue 8 (JS ≤ 600 kB
 * gzipped in total). Exits 1 when the budget is exceeded. The map of China's provinces
 * (`china-map-*.js`, web/src/components/china-map.ts) is fetched only when the dashboard draws
 * it, so it is printed but not counted.
 *
 * `--if-stale` builds only when a source file is newer than web/dist/index.html, so `npm test`
 * and the browser tests can call it cheaply.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const WEB = import.meta.dirname;
const DIST = path.join(WEB, 'dist');
export const JS_BUDGET_GZIP_BYTES = 600 * 1000;
/** Lazily loaded map outlines: outside the budget (see the header). */
export const MAP_ASSET = /^assets\/china-map-[\w-]+\.js$/;

function newestMtime(entry: string): number {
  const s = statSync(entry);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(entry))
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** True when web/dist is missing or older than any source of the app. */
export function webBuildIsStale(): boolean {
  const index = path.join(DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = [
    path.join(WEB, 'src'),
    path.join(WEB, 'index.html'),
    path.join(WEB, 'vite.config.ts'),
    path.join(WEB, '..', 'package-lock.json'),
  ];
  return sources.some((s) => existsSync(s) && newestMtime(s) > built);
}

export interface AssetSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** Sizes of the built JS and CSS files (raw and gzip level 9, as a server would send them). */
export function assetSizes(): AssetSize[] {
  const assets = path.join(DIST, 'assets');
  return readdirSync(assets)
    .filter((f) => /\.(js|css)$/.test(f))
    .map((f) => {
      const data = readFileSync(path.join(assets, f));
      return {
        file: `assets/${f}`,
        bytes: data.length,
        gzipBytes: gzipSync(data, { level: 9 }).length,
      };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
}

const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;

/** Builds web/dist (quietly) and returns the asset sizes. */
export async function buildWeb({ quiet = false } = {}): Promise<AssetSize[]> {
  const { build } = await import('vite');
  await build({
    configFile: path.join(WEB, 'vite.config.ts'),
    logLevel: quiet ? 'error' : 'warn',
  });
  return assetSizes();
}

/** Builds when stale; used by the browser tests and `npm test`. */
export async function ensureWebBuild(): Promise<void> {
  if (webBuildIsStale()) await buildWeb({ quiet: true });
}

function printSizes(sizes: AssetSize[]): boolean {
  const js = sizes.filter((s) => s.file.endsWith('.js') && !MAP_ASSET.test(s.file));
  const map = sizes.filter((s) => MAP_ASSET.test(s.file));
  const totalJs = js.reduce((a, s) => a + s.bytes, 0);
  const totalJsGz = js.reduce((a, s) => a + s.gzipBytes, 0);
  const width = Math.max(...sizes.map((s) => s.file.length), 10);
  console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}`);
  for (const s of sizes) {
    console.log(
      `${s.file.padEnd(width)}  ${kB(s.bytes).padStart(10)}  ${kB(s.gzipBytes).padStart(10)}`,
    );
  }
  const ok = totalJsGz <= JS_BUDGET_GZIP_BYTES;
  console.log(
    `JavaScript total: ${kB(totalJs)} raw, ${kB(totalJsGz)} gzipped; budget ${kB(JS_BUDGET_GZIP_BYTES)} gzipped: ${ok ? 'met' : 'EXCEEDED'}`,
  );
  for (const m of map) {
    console.log(
      `not counted: ${m.file} (map of China, loaded on demand) ${kB(m.gzipBytes)} gzipped`,
    );
  }
  return ok;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !webBuildIsStale()) {
    console.log('web/dist is up to date');
  } else {
    const started = performance.now();
    const sizes = await buildWeb();
    console.log(`built web/dist in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (!printSizes(sizes)) process.exitCode = 1;
  }
}
