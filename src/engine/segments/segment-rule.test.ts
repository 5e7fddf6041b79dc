import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import {
  checkSegmentRule,
  evaluateSegmentRule,
  formatSegmentRule,
  parseSegmentRule,
  type SegmentFieldType,
} from './segment-rule.js';

const FIELDS: Record<string, SegmentFieldType> = {
  stage: 'text',
  tier: 'text',
  days_since_complaint: 'number',
  tags: 'tags',
  vip: 'boolean',
  joined: 'date',
};

describe('segment rules parse into a syntax tree (issue 5.4)', () => {
  test('the example rule from the issue parses, AND binding left to right', () => {
    const rule = checkSegmentRule(
      "stage = '退化期' AND tier IN ('platinum', 'gold') AND days_since_complaint <= 30",
      FIELDS,
    );
    expect(rule).toEqual({
      kind: 'and',
      left: {
        kind: 'and',
        left: {
          kind: 'compare',
          field: 'stage',
          at: { line: 1, column: 1 },
          op: '=',
          value: '退化期',
          valuesAt: [{ line: 1, column: 9 }],
        },
        right: {
          kind: 'in',
          field: 'tier',
          at: { line: 1, column: 19 },
          negated: false,
          values: ['platinum', 'gold'],
          valuesAt: [
            { line: 1, column: 28 },
            { line: 1, column: 40 },
          ],
        },
      },
      right: {
        kind: 'compare',
        field: 'days_since_complaint',
        at: { line: 1, column: 52 },
        op: '<=',
        value: 30,
        valuesAt: [{ line: 1, column: 76 }],
      },
    });
    expect(Object.isFrozen(rule)).toBe(true);
  });

  test.each([
    {
      title: 'NOT binds tighter than AND, AND tighter than OR',
      rule: "NOT vip = true AND stage = 'a' OR tier = 'b'",
      expected: '((NOT vip = true AND stage = a) OR tier = b)',
    },
    {
      title: 'parentheses override precedence',
      rule: "stage = 'a' AND (tier = 'b' OR tier = 'c')",
      expected: '(stage = a AND (tier = b OR tier = c))',
    },
    {
      title: 'keywords are case-insensitive and <> means !=',
      rule: "stage <> 'x' and tier not in ('a') or joined not between '2024-01-01' and '2024-12-31'",
      expected:
        '((stage != x AND tier NOT IN [a]) OR joined NOT BETWEEN 2024-01-01 AND 2024-12-31)',
    },
    {
      title: 'a doubled quote inside a string is one quote, and negative numbers parse',
      rule: "stage = 'O''Brien' AND days_since_complaint > -1.5",
      expected: "(stage = O'Brien AND days_since_complaint > -1.5)",
    },
    {
      title: 'CONTAINS and IS [NOT] NULL',
      rule: "tags CONTAINS 'vip' AND joined IS NOT NULL AND stage IS NULL",
      expected: '((tags CONTAINS vip AND joined IS NOT NULL) AND stage IS NULL)',
    },
  ])('$title', ({ rule, expected }) => {
    expect(show(checkSegmentRule(rule, FIELDS))).toBe(expected);
  });
});

type Rule = ReturnType<typeof parseSegmentRule>;
function show(r: Rule): string {
  switch (r.kind) {
    case 'and':
    case 'or':
      return `(${show(r.left)} ${r.kind.toUpperCase()} ${show(r.right)})`;
    case 'not':
      return `NOT ${show(r.operand)}`;
    case 'compare':
      return `${r.field} ${r.op} ${r.value}`;
    case 'in':
      return `${r.field} ${r.negated ? 'NOT IN' : 'IN'} [${r.values.join(', ')}]`;
    case 'between':
      return `${r.field} ${r.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${r.low} AND ${r.high}`;
    case 'contains':
      return `${r.field} CONTAINS ${r.value}`;
    case 'is-null':
      return `${r.field} IS ${r.negated ? 'NOT NULL' : 'NULL'}`;
  }
}

describe('segment rule errors point at the line and column of the problem (issue 5.4)', () => {
  test.each([
    {
      input: 'days_since_complaint =',
      message: "at 1:23: expected a value after '=', got end of rule",
    },
    { input: "stage = '退化期' AND", message: 'at 1:18: expected a field name, got end of rule' },
    {
      input: "(stage = 'a' OR tier = 'b'",
      message: "at 1:27: expected ')' to close the '(' at 1:1, got end of rule",
    },
    { input: "stage == 'a'", message: "at 1:8: expected a value after '=', got '='" },
    { input: "stage = 'abc", message: "at 1:9: unterminated string: expected a closing '" },
    {
      input: "stage IN ('a' 'b')",
      message: "at 1:15: expected ',' or ')' in the IN list, got 'b'",
    },
    {
      input: 'stage = a',
      message: "at 1:9: expected a value after '=', got 'a' (quote text values: 'like this')",
    },
    { input: 'stage # 1', message: "at 1:7: unexpected character '#'" },
    {
      input: 'days_since_complaint BETWEEN 1 5',
      message: 'at 1:32: expected AND between the two bounds of BETWEEN, got 5',
    },
    {
      input: "stage = 'a' tier = 'b'",
      message: "at 1:13: expected AND, OR or the end of the rule, got 'tier'",
    },
    {
      input: 'stage = NULL',
      message:
        'at 1:9: NULL is not a value here: use IS NULL or IS NOT NULL to test for a missing value',
    },
    { input: '', message: 'at 1:1: expected a condition, got an empty rule' },
    {
      input: 'stage\n  AND x = 1',
      message:
        "at 2:3: expected an operator after 'stage' (=, !=, <, <=, >, >=, IN, NOT IN, BETWEEN, CONTAINS or IS NULL), got AND",
    },
    { input: 'stage IS NOT 1', message: 'at 1:14: expected NULL after IS NOT, got 1' },
    {
      input: "stage NOT LIKE 'a'",
      message: "at 1:11: expected IN or BETWEEN after NOT, got 'LIKE'",
    },
  ])('syntax: $input', ({ input, message }) => {
    expect(() => parseSegmentRule(input)).toThrow(message);
  });

  test.each([
    {
      input: "stage = 'a' OR foo = 1",
      message:
        "at 1:16: unknown field 'foo'; known fields: days_since_complaint, joined, stage, tags, tier, vip",
    },
    {
      input: 'constructor = 1',
      message:
        "at 1:1: unknown field 'constructor'; known fields: days_since_complaint, joined, stage, tags, tier, vip",
    },
    {
      input: "days_since_complaint = '5'",
      message: "at 1:24: days_since_complaint is a number, got '5'",
    },
    { input: "tier CONTAINS 'x'", message: 'at 1:1: CONTAINS needs a tag list, but tier is text' },
    {
      input: "joined > '2024-02-30'",
      message: "at 1:10: joined is a date: expected 'YYYY-MM-DD', got '2024-02-30'",
    },
    { input: 'vip > true', message: "at 1:1: vip is true or false: only = and != apply, got '>'" },
    { input: "tags = 'x'", message: 'at 1:1: tags is a tag list: use CONTAINS' },
    { input: "stage IN ('a', 2)", message: 'at 1:16: stage is text: quote the value, got 2' },
    {
      input: "days_since_complaint BETWEEN 1 AND 'x'",
      message: "at 1:36: days_since_complaint is a number, got 'x'",
    },
  ])('fields and types: $input', ({ input, message }) => {
    expect(() => checkSegmentRule(input, FIELDS)).toThrow(message);
  });

  test.each([
    {
      title: 'nesting deeper than 32 levels',
      input: `${'('.repeat(33)}stage = 'a'${')'.repeat(33)}`,
      message: 'at 1:33: the rule nests NOT and parentheses deeper than 32 levels',
    },
    {
      title: 'more than 200 conditions',
      input: Array.from({ length: 201 }, () => 'vip = true').join(' OR '),
      message: 'at 1:2801: the rule has more than 200 conditions',
    },
    {
      title: 'more than 10,000 characters',
      input: `stage = '${'x'.repeat(10_000)}'`,
      message: 'at 1:1: the rule is 10010 characters long; at most 10000',
    },
    {
      title: 'a number too large to represent',
      input: 'days_since_complaint > 1e999',
      message: 'at 1:24: number 1e999 is out of range',
    },
  ])('a hostile rule is refused cleanly: $title', ({ input, message }) => {
    expect(() => parseSegmentRule(input)).toThrow(message);
  });

  test('the error carries the line and column for the caller', () => {
    try {
      parseSegmentRule('stage =\n  ');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).details).toMatchObject({ field: 'rule', line: 2, column: 3 });
    }
  });
});

describe('segment rules evaluate in memory with SQL three-valued logic (issue 5.4)', () => {
  const customer = { stage: '退化期', days_since_complaint: null, tags: ['vip'], vip: true };
  test.each([
    { rule: "stage = '退化期'", expected: true },
    { rule: 'days_since_complaint > 20', expected: null },
    { rule: 'NOT days_since_complaint > 20', expected: null },
    { rule: 'days_since_complaint > 20 OR vip = true', expected: true },
    { rule: 'days_since_complaint > 20 AND vip = false', expected: false },
    { rule: "days_since_complaint NOT IN (1, 2) OR tier IN ('gold')", expected: null },
    { rule: 'days_since_complaint IS NULL AND tier IS NULL', expected: true },
    { rule: "tags CONTAINS 'vip' AND NOT tags CONTAINS 'blocked'", expected: true },
    { rule: "joined BETWEEN '2024-01-01' AND '2024-12-31'", expected: null },
  ])('$rule is $expected', ({ rule, expected }) => {
    expect(evaluateSegmentRule(parseSegmentRule(rule), customer)).toBe(expected);
  });
});

describe('segment rules are written back in canonical form (issue 5.4)', () => {
  test.each([
    {
      rule: "stage='退化期' and tier in ('platinum','gold') AND days_since_complaint<=30",
      expected: "stage = '退化期' AND tier IN ('platinum', 'gold') AND days_since_complaint <= 30",
    },
    {
      rule: "(stage = 'a' OR vip = true) AND NOT (tier = 'b' OR tier = 'c')",
      expected: "(stage = 'a' OR vip = TRUE) AND NOT (tier = 'b' OR tier = 'c')",
    },
    {
      rule: "stage = 'a' AND vip = true OR stage = 'b' AND (tier = 'x' AND joined IS NULL)",
      expected: "stage = 'a' AND vip = TRUE OR stage = 'b' AND (tier = 'x' AND joined IS NULL)",
    },
    {
      rule: "stage <> 'O''Brien' or days_since_complaint not between -1.5 and 1e21",
      expected: "stage != 'O''Brien' OR days_since_complaint NOT BETWEEN -1.5 AND 1e+21",
    },
    { rule: "NOT tags contains 'vip'", expected: "NOT tags CONTAINS 'vip'" },
  ])('$rule', ({ rule, expected }) => {
    const parsed = parseSegmentRule(rule);
    const text = formatSegmentRule(parsed);
    expect(text).toBe(expected);
    expect(show(parseSegmentRule(text))).toBe(show(parsed));
  });
});
