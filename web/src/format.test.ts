import { describe, expect, test } from 'vitest';
import { formatChange, formatMoney, formatNumber, formatPercent } from './format.js';

describe('money, numbers and shares in the user language (issue 8)', () => {
  test.each([
    { title: 'fen shown as yuan', minor: 12345, lang: 'zh-CN', expected: '¥123.45' },
    { title: 'whole yuan without decimals', minor: 9900, lang: 'zh-CN', expected: '¥99' },
    { title: 'thousands grouped, no fen', minor: 123456, lang: 'zh-CN', expected: '¥1,235' },
    { title: '万 from ¥10,000 in Chinese', minor: 123_456_78, lang: 'zh-CN', expected: '¥12.3万' },
    {
      title: '亿 from ¥100,000,000 in Chinese',
      minor: 25_000_000_000,
      lang: 'zh-CN',
      expected: '¥2.5亿',
    },
    { title: 'K in English', minor: 123_456_78, lang: 'en', expected: '¥123.5K' },
    { title: 'M in English', minor: 250_000_000, lang: 'en', expected: '¥2.5M' },
    { title: 'a loss keeps its sign', minor: -2_000_000, lang: 'zh-CN', expected: '-¥2万' },
    { title: 'no value is a dash, not ¥0', minor: null, lang: 'zh-CN', expected: '—' },
  ] as const)('$title', ({ minor, lang, expected }) => {
    expect(formatMoney(minor, {}, lang)).toBe(expected);
  });

  test('exact money keeps every yuan', () => {
    expect(formatMoney(123_456_78, { exact: true }, 'zh-CN')).toBe('¥123,457');
  });

  test('counts: 万 in Chinese when compact, grouped otherwise', () => {
    expect(formatNumber(23_456, { compact: true }, 'zh-CN')).toBe('2.3万');
    expect(formatNumber(23_456, {}, 'en')).toBe('23,456');
    expect(formatNumber(Number.NaN)).toBe('—');
  });

  test('shares and period-over-period change', () => {
    expect(formatPercent(0.1234, 1, 'en')).toBe('12.3%');
    expect(formatChange(110, 100, 'en')).toBe('+10%');
    expect(formatChange(90, 100, 'en')).toBe('−10%');
    expect(formatChange(90, 0, 'en')).toBeNull();
    expect(formatChange(90, null, 'en')).toBeNull();
  });
});
