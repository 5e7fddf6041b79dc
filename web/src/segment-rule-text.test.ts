import { describe, expect, test } from 'vitest';
import { parseSegmentRule } from '../../src/engine/segments/segment-rule.js';
import type { SegmentField } from './api/hooks.js';
import { ruleText } from './segment-rule-text.js';

const FIELDS: SegmentField[] = [
  { name: 'stage', type: 'text' },
  { name: 'clv', type: 'number' },
  { name: 'province', type: 'text' },
];

describe('the rule builder writes the segment rule language (issue 8 segments)', () => {
  test('conditions in a group are ANDed, groups ORed, and the engine parses the result', () => {
    const text = ruleText(
      [
        [
          { field: 'stage', op: '=', value: 'decline' },
          { field: 'clv', op: '>=', value: '500' },
        ],
        [{ field: 'province', op: 'IN', value: '广东省，浙江省, 江苏省' }],
      ],
      FIELDS,
    );
    expect(text).toBe(
      "(stage = 'decline' AND clv >= 500) OR province IN ('广东省', '浙江省', '江苏省')",
    );
    const rule = parseSegmentRule(text);
    expect(rule.kind).toBe('or');
  });

  test("a quote in a value is doubled, so the value cannot end the string ('' inside)", () => {
    const text = ruleText([[{ field: 'province', op: '=', value: "O'Brien' OR 1=1 --" }]], FIELDS);
    expect(text).toBe("province = 'O''Brien'' OR 1=1 --'");
    const rule = parseSegmentRule(text);
    expect(rule).toMatchObject({ kind: 'compare', field: 'province', value: "O'Brien' OR 1=1 --" });
  });

  test('empty values are left out; a number field with text is quoted and left for the server to reject', () => {
    expect(ruleText([[{ field: 'stage', op: '=', value: ' ' }]], FIELDS)).toBe('');
    expect(ruleText([[{ field: 'clv', op: '>', value: 'abc' }]], FIELDS)).toBe("clv > 'abc'");
  });
});
