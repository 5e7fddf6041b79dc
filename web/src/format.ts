/**
 * Numbers, money, percentages and dates in the user's language. Money arrives from the API in
 * integer minor units (fen); zh-CN writes large amounts in 万 / 亿 (¥12.3万), English in
 * thousands and millions (¥123.4K).
 */
import i18n from './i18n/index.js';

export type Lang = 'zh-CN' | 'en';

export function currentLang(): Lang {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

function locale(lang: Lang): string {
  return lang === 'en' ? 'en-US' : 'zh-CN';
}

// Building an Intl formatter costs far more than using one; chart axes format hundreds of labels.
const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(loc: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${loc}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(loc, options);
    numberFormats.set(key, f);
  }
  return f;
}

/** A count: 12,345 or, compact, 1.2万 / 12.3K. */
export function formatNumber(
  n: number | null | undefined,
  opts: { compact?: boolean; digits?: number } = {},
  lang = currentLang(),
): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const { compact = false, digits } = opts;
  if (compact) return compactNumber(n, lang, digits ?? 1);
  return nf(locale(lang), {
    maximumFractionDigits: digits ?? (Number.isInteger(n) ? 0 : 2),
  }).format(n);
}

function compactNumber(n: number, lang: Lang, digits: number): string {
  const abs = Math.abs(n);
  const fmt = (v: number) => nf(locale(lang), { maximumFractionDigits: digits }).format(v);
  if (lang === 'zh-CN') {
    if (abs >= 1e8) return `${fmt(n / 1e8)}亿`;
    if (abs >= 1e4) return `${fmt(n / 1e4)}万`;
    return fmt(n);
  }
  if (abs >= 1e9) return `${fmt(n / 1e9)}B`;
  if (abs >= 1e6) return `${fmt(n / 1e6)}M`;
  if (abs >= 1e4) return `${fmt(n / 1e3)}K`;
  return fmt(n);
}

/** Money from fen. Amounts of ¥10,000 and more are written compactly unless `exact`. */
export function formatMoney(
  minor: number | string | null | undefined,
  opts: { exact?: boolean } = {},
  lang = currentLang(),
): string {
  if (minor === null || minor === undefined || minor === '') return '—';
  const yuan = Number(minor) / 100;
  if (!Number.isFinite(yuan)) return '—';
  const sign = yuan < 0 ? '-' : '';
  const abs = Math.abs(yuan);
  if (!opts.exact && abs >= 1e4) return `${sign}¥${compactNumber(abs, lang, 1)}`;
  return `${sign}¥${nf(locale(lang), {
    minimumFractionDigits: abs >= 1000 || Number.isInteger(abs) ? 0 : 2,
    maximumFractionDigits: abs >= 1000 ? 0 : 2,
  }).format(abs)}`;
}

/** A share 0..1 as a percentage: 12.3%. */
export function formatPercent(
  share: number | null | undefined,
  digits = 1,
  lang = currentLang(),
): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return nf(locale(lang), {
    style: 'percent',
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  }).format(share);
}

/** A date (YYYY-MM-DD or an ISO instant): 2026年6月30日 / Jun 30, 2026. */
export function formatDate(value: string | null | undefined, lang = currentLang()): string {
  if (!value) return '—';
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale(lang), {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: value.length === 10 ? 'UTC' : undefined,
  }).format(d);
}

export function formatDateTime(value: string | null | undefined, lang = currentLang()): string {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return new Intl.DateTimeFormat(locale(lang), {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);
}

/** A change between periods: +3.2% / −1.0%, null when there is no earlier value. */
export function formatChange(
  current: number | null | undefined,
  previous: number | null | undefined,
  lang = currentLang(),
): string | null {
  if (
    current == null ||
    previous == null ||
    !Number.isFinite(current) ||
    !Number.isFinite(previous) ||
    previous === 0
  )
    return null;
  const ch = (current - previous) / Math.abs(previous);
  const s = formatPercent(Math.abs(ch), 1, lang);
  return `${ch >= 0 ? '+' : '−'}${s}`;
}
