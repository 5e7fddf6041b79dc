/**
 * Compile a checked segment rule (src/engine/segments/segment-rule.ts) to a parameterised SQL
 * condition. Values only ever travel as $n parameters, cast to the field's SQL type; field names
 * only ever become the column expressions of the whitelist passed in, so a rule cannot name a
 * column or inject SQL. NOT IN and NOT BETWEEN follow SQL's three-valued logic: a NULL field
 * matches neither the condition nor its negation (use IS NULL to find those customers).
 */

import {
  type RuleValue,
  type SegmentFieldType,
  type SegmentRule,
  validateSegmentRule,
} from '../engine/index.js';
import { assertNever } from '../errors.js';

export interface SegmentColumn {
  /** a trusted SQL expression for the field, e.g. `c.stage` or `s.days_since_complaint` */
  readonly sql: string;
  readonly type: SegmentFieldType;
}

export interface CompiledSegment {
  /** a condition for WHERE, with $n placeholders */
  readonly where: string;
  readonly params: readonly unknown[];
}

const CAST: Record<SegmentFieldType, string> = {
  text: 'text',
  tags: 'text',
  number: 'numeric',
  date: 'date',
  boolean: 'boolean',
};

const SQL_OP = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

/**
 * Compile a segment rule to `{ where, params }`. The rule is validated against the columns'
 * types first; placeholders are numbered from `firstParam` so the condition can join a larger
 * statement.
 */
export function compileSegmentRule(
  rule: SegmentRule,
  columns: Readonly<Record<string, SegmentColumn>>,
  firstParam = 1,
): CompiledSegment {
  const types: Record<string, SegmentFieldType> = {};
  for (const [name, col] of Object.entries(columns)) types[name] = col.type;
  validateSegmentRule(rule, types);
  const params: unknown[] = [];
  const param = (v: RuleValue, type: SegmentFieldType): string => {
    params.push(v);
    return `$${firstParam + params.length - 1}::${CAST[type]}`;
  };
  const walk = (r: SegmentRule): string => {
    switch (r.kind) {
      case 'and':
        return `(${walk(r.left)} AND ${walk(r.right)})`;
      case 'or':
        return `(${walk(r.left)} OR ${walk(r.right)})`;
      case 'not':
        return `(NOT ${walk(r.operand)})`;
      default:
        break;
    }
    // validateSegmentRule has checked that the field is an own key of `columns`
    const col = columns[r.field];
    switch (r.kind) {
      case 'compare':
        return `(${col.sql} ${SQL_OP[r.op]} ${param(r.value, col.type)})`;
      case 'in':
        return `(${col.sql} ${r.negated ? 'NOT IN' : 'IN'} (${r.values.map((v) => param(v, col.type)).join(', ')}))`;
      case 'between':
        return `(${col.sql} ${r.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${param(r.low, col.type)} AND ${param(r.high, col.type)})`;
      case 'contains':
        return `(${param(r.value, col.type)} = ANY(${col.sql}))`;
      case 'is-null':
        return `(${col.sql} IS ${r.negated ? 'NOT NULL' : 'NULL'})`;
      default:
        return assertNever(r, 'segment rule');
    }
  };
  const where = walk(rule);
  return Object.freeze({ where, params: Object.freeze(params) });
}
