/**
 * Small server-side SVG charts for the HTML report (issue 9 §5): bar, grouped/stacked bar,
 * line and horizontal (pyramid) bar charts, as strings with no script and no external
 * resources, so a saved report opens offline. Text is XML-escaped (XML 1.0 §2.4).
 */

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function esc(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const W = 640;
const H = 300;
const M = { top: 24, right: 16, bottom: 56, left: 64 };
const FONT =
  'font-family="system-ui,-apple-system,Segoe UI,PingFang SC,Microsoft YaHei,sans-serif"';

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function frame(body: string, title: string, legend = ''): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px" role="img" aria-label="${esc(title)}" ${FONT} font-size="11"><title>${esc(title)}</title>${body}${legend}</svg>`;
}

function axes(max: number, min: number, fmt: (v: number) => string): string {
  const ih = H - M.top - M.bottom;
  let s = '';
  for (let k = 0; k <= 4; k++) {
    const v = min + ((max - min) * k) / 4;
    const y = M.top + ih - (ih * k) / 4;
    s += `<line x1="${M.left}" x2="${W - M.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e5e5"/>`;
    s += `<text x="${M.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" fill="#555">${esc(fmt(v))}</text>`;
  }
  return s;
}

function legendOf(names: readonly string[]): string {
  let x = M.left;
  let s = '';
  names.forEach((n, i) => {
    s += `<rect x="${x}" y="${H - 16}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 14}" y="${H - 7}" fill="#333">${esc(n)}</text>`;
    x += 24 + n.length * 7;
  });
  return s;
}

const shortLabel = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface SeriesInput {
  readonly name: string;
  readonly values: readonly number[];
}

/**
 * Vertical bars per category; several series side by side, or stacked with `stacked`.
 * `fmt` formats the value axis.
 */
export function barChart(opts: {
  title: string;
  categories: readonly string[];
  series: readonly SeriesInput[];
  stacked?: boolean;
  fmt?: (v: number) => string;
}): string {
  const fmt = opts.fmt ?? ((v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 1 }));
  const n = opts.categories.length;
  if (n === 0 || opts.series.length === 0) return '';
  const totals = opts.categories.map((_, i) =>
    opts.stacked
      ? opts.series.reduce((s, x) => s + Math.max(0, x.values[i] ?? 0), 0)
      : Math.max(...opts.series.map((x) => x.values[i] ?? 0)),
  );
  const max = niceMax(Math.max(...totals));
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const band = iw / n;
  const groups = opts.stacked ? 1 : opts.series.length;
  const bw = Math.max(1, (band * 0.75) / groups);
  let body = axes(max, 0, fmt);
  opts.categories.forEach((c, i) => {
    let base = 0;
    opts.series.forEach((s, k) => {
      const v = Math.max(0, s.values[i] ?? 0);
      const h = (v / max) * ih;
      const x = M.left + band * i + band * 0.125 + (opts.stacked ? 0 : k * bw);
      const y = M.top + ih - base - h;
      body += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[k % PALETTE.length]}"><title>${esc(`${c} · ${s.name}: ${fmt(s.values[i] ?? 0)}`)}</title></rect>`;
      if (opts.stacked) base += h;
    });
    const lx = M.left + band * i + band / 2;
    body += `<text x="${lx.toFixed(1)}" y="${H - M.bottom + 14}" text-anchor="middle" fill="#333">${esc(shortLabel(c, Math.max(4, Math.floor(band / 7))))}</text>`;
  });
  return frame(
    body,
    opts.title,
    opts.series.length > 1 ? legendOf(opts.series.map((s) => s.name)) : '',
  );
}

/** Lines over a numeric x axis (e.g. cumulative share curves, tracking over weeks). */
export function lineChart(opts: {
  title: string;
  series: readonly { name: string; points: readonly (readonly [number, number])[] }[];
  xLabel?: string;
  fmtX?: (v: number) => string;
  fmtY?: (v: number) => string;
  yMin?: number;
}): string {
  const all = opts.series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const fmtX = opts.fmtX ?? ((v: number) => String(Math.round(v * 100) / 100));
  const fmtY = opts.fmtY ?? ((v: number) => String(Math.round(v * 100) / 100));
  const xMin = Math.min(...all.map((p) => p[0]));
  const xMax = Math.max(...all.map((p) => p[0]));
  const yMin = opts.yMin ?? Math.min(0, ...all.map((p) => p[1]));
  const yMax = niceMax(Math.max(...all.map((p) => p[1])));
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (xMax === xMin ? 0 : ((x - xMin) / (xMax - xMin)) * iw);
  const sy = (y: number) => M.top + ih - ((y - yMin) / (yMax - yMin || 1)) * ih;
  let body = axes(yMax, yMin, fmtY);
  for (let k = 0; k <= 4; k++) {
    const x = xMin + ((xMax - xMin) * k) / 4;
    body += `<text x="${sx(x).toFixed(1)}" y="${H - M.bottom + 14}" text-anchor="middle" fill="#333">${esc(fmtX(x))}</text>`;
  }
  if (opts.xLabel) {
    body += `<text x="${M.left + iw / 2}" y="${H - M.bottom + 30}" text-anchor="middle" fill="#555">${esc(opts.xLabel)}</text>`;
  }
  opts.series.forEach((s, k) => {
    const d = s.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
      .join('');
    body += `<path d="${d}" fill="none" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="2"><title>${esc(s.name)}</title></path>`;
  });
  return frame(
    body,
    opts.title,
    opts.series.length > 1 ? legendOf(opts.series.map((s) => s.name)) : '',
  );
}

/** Centred horizontal bars, widest at the bottom: the customer pyramid. */
export function pyramidChart(opts: {
  title: string;
  levels: readonly { label: string; value: number; note: string }[];
}): string {
  if (opts.levels.length === 0) return '';
  const max = Math.max(...opts.levels.map((l) => l.value), 1);
  const rowH = (H - M.top - 16) / opts.levels.length;
  const cx = W / 2;
  let body = '';
  opts.levels.forEach((l, i) => {
    const w = Math.max(24, (l.value / max) * (W - 260));
    const y = M.top + i * rowH;
    body += `<rect x="${(cx - w / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${(rowH - 6).toFixed(1)}" fill="${PALETTE[i % PALETTE.length]}"/>`;
    body += `<text x="${cx}" y="${(y + rowH / 2).toFixed(1)}" text-anchor="middle" fill="#fff" font-weight="600">${esc(l.label)}</text>`;
    body += `<text x="${W - 8}" y="${(y + rowH / 2).toFixed(1)}" text-anchor="end" fill="#333">${esc(l.note)}</text>`;
  });
  return frame(body, opts.title);
}
