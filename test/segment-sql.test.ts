/**
 * Segment rules compiled to SQL, run on every backend against a probe table of our own
 * (issue 5.4): every operator matches the expected rows, and values that try SQL injection
 * match literally and harm nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkSegmentRule, matchesSegmentRule, parseSegmentRule } from '../src/engine/index.js';
import type { Db } from '../src/store/db.js';
import { compileSegmentRule, type SegmentColumn } from '../src/store/segment-sql.js';
import { BACKENDS } from './backends.js';

const COLUMNS: Record<string, SegmentColumn> = {
  stage: { sql: 'p.stage', type: 'text' },
  tier: { sql: 'p.tier', type: 'text' },
  days_since_complaint: { sql: 'p.days', type: 'number' },
  spend: { sql: 'p.spend', type: 'number' },
  tags: { sql: 'p.tags', type: 'tags' },
  vip: { sql: 'p.vip', type: 'boolean' },
  joined: { sql: 'p.joined', type: 'date' },
};

const DROP = "'; DROP TABLE customers; --";
const OR_TRUE = "' OR '1'='1";
/** a value written as a rule literal: quotes doubled */
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

const ROWS: unknown[][] = [
  ['a', '退化期', 'platinum', 10, '1000.50', ['vip', 'north'], true, '2024-01-15'],
  ['b', '成长期', 'gold', 45, '200', ['south'], false, '2024-06-01'],
  ['c', '退化期', 'iron', null, '0', [], false, '2023-12-31'],
  ['d', null, 'lead', 5, null, null, null, null],
  ['e', DROP, OR_TRUE, 30, '-20', [DROP], true, '2025-03-01'],
];

const CASES: { rule: string; expected: string[] }[] = [
  { rule: "stage = '退化期'", expected: ['a', 'c'] },
  { rule: "stage != '退化期'", expected: ['b', 'e'] },
  { rule: 'days_since_complaint < 30', expected: ['a', 'd'] },
  { rule: 'days_since_complaint <= 30', expected: ['a', 'd', 'e'] },
  { rule: 'days_since_complaint > 30', expected: ['b'] },
  { rule: 'days_since_complaint >= 30', expected: ['b', 'e'] },
  { rule: 'spend > 100.25', expected: ['a', 'b'] },
  { rule: 'spend < 0', expected: ['e'] },
  { rule: "tier IN ('platinum', 'gold')", expected: ['a', 'b'] },
  { rule: "tier NOT IN ('platinum', 'gold')", expected: ['c', 'd', 'e'] },
  { rule: 'days_since_complaint BETWEEN 10 AND 30', expected: ['a', 'e'] },
  { rule: 'days_since_complaint NOT BETWEEN 10 AND 30', expected: ['b', 'd'] },
  { rule: "joined BETWEEN '2024-01-01' AND '2024-12-31'", expected: ['a', 'b'] },
  { rule: "joined >= '2024-01-01'", expected: ['a', 'b', 'e'] },
  { rule: "tags CONTAINS 'vip'", expected: ['a'] },
  { rule: 'stage IS NULL', expected: ['d'] },
  { rule: 'days_since_complaint IS NOT NULL', expected: ['a', 'b', 'd', 'e'] },
  { rule: 'vip = true', expected: ['a', 'e'] },
  { rule: 'vip != true', expected: ['b', 'c'] },
  { rule: "NOT stage = '退化期'", expected: ['b', 'e'] },
  { rule: "stage = '退化期' OR tier = 'lead'", expected: ['a', 'c', 'd'] },
  {
    rule: "stage = '退化期' AND tier IN ('platinum', 'gold') AND days_since_complaint <= 30",
    expected: ['a'],
  },
  {
    rule: "(stage = '退化期' OR vip = true) AND NOT days_since_complaint > 20",
    expected: ['a'],
  },
  // hostile values are data: they match the one row that holds them, literally
  { rule: `stage = ${lit(DROP)}`, expected: ['e'] },
  { rule: `tier = ${lit(OR_TRUE)}`, expected: ['e'] },
  { rule: `tier IN (${lit(OR_TRUE)}, ${lit(DROP)})`, expected: ['e'] },
  { rule: `tags CONTAINS ${lit(DROP)}`, expected: ['e'] },
  { rule: `stage != ${lit(OR_TRUE)}`, expected: ['a', 'b', 'c', 'e'] },
];

/** the probe rows as the in-memory evaluator sees them */
const RECORDS = ROWS.map((r) => ({
  id: r[0] as string,
  record: {
    stage: r[1] as string | null,
    tier: r[2] as string,
    days_since_complaint: r[3] as number | null,
    spend: r[4] === null ? null : Number(r[4]),
    tags: r[5] as string[] | null,
    vip: r[6] as boolean | null,
    joined: r[7] as string | null,
  },
}));

describe('segment rules compile to parameterised SQL (issue 5.4)', () => {
  test.each(CASES)('in memory, $rule matches $expected, as the SQL does', ({ rule, expected }) => {
    const parsed = parseSegmentRule(rule);
    expect(RECORDS.filter((r) => matchesSegmentRule(parsed, r.record)).map((r) => r.id)).toEqual(
      expected,
    );
  });

  test('values become typed $n parameters and fields become whitelisted columns', () => {
    const rule = checkSegmentRule(
      "stage = '退化期' AND tier IN ('platinum', 'gold') AND days_since_complaint <= 30",
      Object.fromEntries(Object.entries(COLUMNS).map(([k, c]) => [k, c.type])),
    );
    expect(compileSegmentRule(rule, COLUMNS)).toEqual({
      where:
        '(((p.stage = $1::text) AND (p.tier IN ($2::text, $3::text))) AND (p.days <= $4::numeric))',
      params: ['退化期', 'platinum', 'gold', 30],
    });
  });

  test('placeholders can start after the parameters of a larger statement', () => {
    const compiled = compileSegmentRule(
      parseSegmentRule("tags CONTAINS 'x' OR vip IS NULL"),
      COLUMNS,
      3,
    );
    expect(compiled).toEqual({
      where: '(($3::text = ANY(p.tags)) OR (p.vip IS NULL))',
      params: ['x'],
    });
  });

  test('a field outside the whitelist is rejected before any SQL is written', () => {
    expect(() => compileSegmentRule(parseSegmentRule('p = 1 OR stage = 1'), COLUMNS)).toThrow(
      "at 1:1: unknown field 'p'",
    );
    expect(() => compileSegmentRule(parseSegmentRule('__proto__ IS NULL'), COLUMNS)).toThrow(
      "at 1:1: unknown field '__proto__'",
    );
    expect(() => parseSegmentRule('stage; DROP TABLE customers; -- = 1')).toThrow(
      "at 1:6: unexpected character ';'",
    );
  });
});

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`segment rules on ${backend.name} (issue 5.4)`, () => {
    let db: Db;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ({ db, drop } = await backend.fresh());
      await db.exec(`CREATE TABLE segment_probe (
        id text PRIMARY KEY, stage text, tier text, days integer, spend numeric,
        tags text[], vip boolean, joined date)`);
      for (const row of ROWS) {
        await db.query(
          'INSERT INTO segment_probe (id, stage, tier, days, spend, tags, vip, joined) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          row,
        );
      }
    });
    afterAll(async () => drop?.());

    test.each(CASES)('$rule matches $expected', async ({ rule, expected }) => {
      const { where, params } = compileSegmentRule(parseSegmentRule(rule), COLUMNS);
      const { rows } = await db.query<{ id: string }>(
        `SELECT p.id FROM segment_probe p WHERE ${where} ORDER BY p.id`,
        params,
      );
      expect(rows.map((r) => r.id)).toEqual(expected);
    });

    test('after the hostile rules the customers table still exists and no row changed', async () => {
      const customers = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
      expect(customers.rows[0].n).toBe(0);
      const probe = await db.query<{ id: string; stage: string | null; tier: string }>(
        'SELECT id, stage, tier FROM segment_probe ORDER BY id',
      );
      expect(probe.rows.map((r) => [r.id, r.stage, r.tier])).toEqual(
        ROWS.map((r) => [r[0], r[1], r[2]]),
      );
    });
  });
}
