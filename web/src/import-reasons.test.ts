import { describe, expect, test } from 'vitest';
import { parseInstant, parseMoney, parseSatisfaction } from '../../src/ingest/values.js';
import { importReason } from './import-reasons.js';

describe('import problems in Chinese', () => {
  test('the ingest layer’s own reasons are said in Chinese with the value kept', () => {
    const reasons = [
      parseMoney('12.3x'),
      parseInstant('明天', 'Asia/Shanghai'),
      parseSatisfaction(7),
    ]
      .map((r) => (r.ok ? 'parsed' : r.reason))
      .map((r) => importReason(r, 'zh-CN'));
    expect(reasons[0]).toMatch(/^应为(金额|数字).*实际为 "12\.3x"$/);
    expect(reasons[1]).toMatch(/^应为日期.*实际为 "明天"$/);
    expect(reasons[2]).toBe('满意度应为 1 到 5，实际为 7');
    expect(importReason('required, but empty', 'zh-CN')).toBe('必填，但为空');
  });

  test('English stays English; an unknown reason is shown as it came', () => {
    expect(importReason('required, but empty', 'en')).toBe('required, but empty');
    expect(importReason('something new', 'zh-CN')).toBe('something new');
  });
});
