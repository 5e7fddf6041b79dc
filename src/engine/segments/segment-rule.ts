/**
 * The segment rule language: readable conditions for saved (dynamic) segments, e.g.
 *
 *   stage = '退化期' AND tier IN ('platinum', 'gold') AND days_since_complaint <= 30
 *
 * Grammar (keywords case-insensitive; NOT binds tighter than AND, AND tighter than OR):
 *   rule       := or
 *   or         := and ('OR' and)*
 *   and        := not ('AND' not)*
 *   not        := 'NOT' not | '(' or ')' | condition
 *   condition  := field ( ('=' | '!=' | '<>' | '<' | '<=' | '>' | '>=') value
 *                       | ['NOT'] 'IN' '(' value (',' value)* ')'
 *                       | ['NOT'] 'BETWEEN' value 'AND' value
 *                       | 'CONTAINS' value                        -- a tag list holds value
 *                       | 'IS' ['NOT'] 'NULL' )
 *   value      := 'string' ('' inside is one quote) | number | TRUE | FALSE
 *   field      := letter or _ (any script), then letters, digits or _
 *
 * Limits: at most 10,000 characters, 200 conditions and 32 levels of NOT / parentheses, so a
 * hostile rule cannot exhaust the stack or the database.
 *
 * Errors point at the line and column of the problem: "at 1:17: expected a value after '=',
 * got end of rule"; an unknown field or an operator that does not suit the field points at the
 * field, a value of the wrong type at the value (each condition keeps its values' positions). Field names are checked against a whitelist (field → type) passed in; the
 * store compiles a checked rule to parameterised SQL (src/store/segment-sql.ts).
 */
import { InputError } from '../../errors.js';

export interface RulePosition {
  readonly line: number;
  readonly column: number;
}

export type RuleValue = string | number | boolean;
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type SegmentRule =
  | { readonly kind: 'and'; readonly left: SegmentRule; readonly right: SegmentRule }
  | { readonly kind: 'or'; readonly left: SegmentRule; readonly right: SegmentRule }
  | { readonly kind: 'not'; readonly operand: SegmentRule }
  | {
      readonly kind: 'compare';
      readonly field: string;
      readonly at: RulePosition;
      readonly op: CompareOp;
      readonly value: RuleValue;
      readonly valuesAt: readonly RulePosition[];
    }
  | {
      readonly kind: 'in';
      readonly field: string;
      readonly at: RulePosition;
      readonly negated: boolean;
      readonly values: readonly RuleValue[];
      readonly valuesAt: readonly RulePosition[];
    }
  | {
      readonly kind: 'between';
      readonly field: string;
      readonly at: RulePosition;
      readonly negated: boolean;
      readonly low: RuleValue;
      readonly high: RuleValue;
      readonly valuesAt: readonly RulePosition[];
    }
  | {
      readonly kind: 'contains';
      readonly field: string;
      readonly at: RulePosition;
      readonly value: RuleValue;
      readonly valuesAt: readonly RulePosition[];
    }
  | {
      readonly kind: 'is-null';
      readonly field: string;
      readonly at: RulePosition;
      readonly negated: boolean;
    };

export type SegmentFieldType = 'text' | 'number' | 'date' | 'boolean' | 'tags';

type Token =
  | { kind: 'ident'; text: string; at: RulePosition }
  | { kind: 'keyword'; text: Keyword; at: RulePosition }
  | { kind: 'string'; value: string; at: RulePosition }
  | { kind: 'number'; value: number; text: string; at: RulePosition }
  | { kind: 'symbol'; text: string; at: RulePosition }
  | { kind: 'end'; at: RulePosition };

const KEYWORDS = [
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'CONTAINS',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
] as const;
type Keyword = (typeof KEYWORDS)[number];

function fail(at: RulePosition, message: string, value?: unknown): never {
  throw new InputError(`at ${at.line}:${at.column}: ${message}`, {
    field: 'rule',
    line: at.line,
    column: at.column,
    value,
  });
}

function describeToken(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'end of rule';
    case 'ident':
      return `'${t.text}'`;
    case 'keyword':
      return t.text;
    case 'string':
      return `'${t.value.replaceAll("'", "''")}'`;
    case 'number':
      return t.text;
    case 'symbol':
      return `'${t.text}'`;
  }
}

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;

/** Limits that keep a hostile rule from exhausting the stack or the database. */
const MAX_LENGTH = 10_000;
const MAX_DEPTH = 32;
const MAX_CONDITIONS = 200;

function tokenize(text: string): Token[] {
  if (text.length > MAX_LENGTH) {
    fail(
      { line: 1, column: 1 },
      `the rule is ${text.length} characters long; at most ${MAX_LENGTH}`,
    );
  }
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): RulePosition => ({ line, column: i - lineStart + 1 });
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = here();
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) fail(at, "unterminated string: expected a closing '");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        value += text[i++];
      }
      tokens.push({ kind: 'string', value, at });
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (num && (c !== '-' || /\d/.test(text[i + 1] ?? ''))) {
      const value = Number(num[0]);
      if (!Number.isFinite(value)) fail(at, `number ${num[0]} is out of range`, num[0]);
      tokens.push({ kind: 'number', value, text: num[0], at });
      i += num[0].length;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < text.length && IDENT_PART.test(text[j])) j++;
      const word = text.slice(i, j);
      const upper = word.toUpperCase() as Keyword;
      if ((KEYWORDS as readonly string[]).includes(upper)) {
        tokens.push({ kind: 'keyword', text: upper, at });
      } else {
        tokens.push({ kind: 'ident', text: word, at });
      }
      i = j;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'symbol', text: two === '<>' ? '!=' : two, at });
      i += 2;
      continue;
    }
    if ('=<>(),'.includes(c)) {
      tokens.push({ kind: 'symbol', text: c, at });
      i++;
      continue;
    }
    fail(at, `unexpected character '${c}'`, c);
  }
  tokens.push({ kind: 'end', at: here() });
  return tokens;
}

const OPERATORS_HINT = '=, !=, <, <=, >, >=, IN, NOT IN, BETWEEN, CONTAINS or IS NULL';

class Parser {
  private pos = 0;
  private depth = 0;
  private conditions = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private isKeyword(word: Keyword): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === word;
  }

  private isSymbol(s: string): boolean {
    const t = this.peek();
    return t.kind === 'symbol' && t.text === s;
  }

  parseRule(): SegmentRule {
    if (this.peek().kind === 'end') fail(this.peek().at, 'expected a condition, got an empty rule');
    const rule = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'end')
      fail(t.at, `expected AND, OR or the end of the rule, got ${describeToken(t)}`);
    return rule;
  }

  private parseOr(): SegmentRule {
    let left = this.parseAnd();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): SegmentRule {
    let left = this.parseNot();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): SegmentRule {
    if (this.isKeyword('NOT') || this.isSymbol('(')) {
      if (++this.depth > MAX_DEPTH) {
        fail(this.peek().at, `the rule nests NOT and parentheses deeper than ${MAX_DEPTH} levels`);
      }
      try {
        return this.parseNested();
      } finally {
        this.depth--;
      }
    }
    return this.parseCondition();
  }

  private parseNested(): SegmentRule {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', operand: this.parseNot() };
    }
    if (this.isSymbol('(')) {
      const open = this.next();
      const inner = this.parseOr();
      const t = this.next();
      if (!(t.kind === 'symbol' && t.text === ')')) {
        fail(
          t.at,
          `expected ')' to close the '(' at ${open.at.line}:${open.at.column}, got ${describeToken(t)}`,
        );
      }
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): SegmentRule {
    const f = this.next();
    if (f.kind !== 'ident') {
      const hint =
        f.kind === 'keyword' && f.text !== 'NOT' ? ' (a keyword cannot be a field name)' : '';
      fail(f.at, `expected a field name, got ${describeToken(f)}${hint}`);
    }
    const field = f.text;
    const at = f.at;
    if (++this.conditions > MAX_CONDITIONS) {
      fail(at, `the rule has more than ${MAX_CONDITIONS} conditions`);
    }
    const t = this.next();
    if (t.kind === 'symbol' && ['=', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      const v = this.parseValue(`after '${t.text}'`);
      const op = t.text as CompareOp;
      return { kind: 'compare', field, at, op, value: v.value, valuesAt: [v.at] };
    }
    if (t.kind === 'keyword') {
      let negated = false;
      let op: Token = t;
      if (t.text === 'NOT') {
        negated = true;
        op = this.next();
        if (!(op.kind === 'keyword' && (op.text === 'IN' || op.text === 'BETWEEN'))) {
          fail(op.at, `expected IN or BETWEEN after NOT, got ${describeToken(op)}`);
        }
      }
      if (op.kind === 'keyword' && op.text === 'IN') {
        const open = this.next();
        if (!(open.kind === 'symbol' && open.text === '(')) {
          fail(open.at, `expected '(' after IN, got ${describeToken(open)}`);
        }
        const values = [this.parseValue('in the IN list')];
        for (;;) {
          const sep = this.next();
          if (sep.kind === 'symbol' && sep.text === ')') break;
          if (!(sep.kind === 'symbol' && sep.text === ',')) {
            fail(sep.at, `expected ',' or ')' in the IN list, got ${describeToken(sep)}`);
          }
          values.push(this.parseValue("after ','"));
        }
        return {
          kind: 'in',
          field,
          at,
          negated,
          values: values.map((v) => v.value),
          valuesAt: values.map((v) => v.at),
        };
      }
      if (op.kind === 'keyword' && op.text === 'BETWEEN') {
        const low = this.parseValue('after BETWEEN');
        const and = this.next();
        if (!(and.kind === 'keyword' && and.text === 'AND')) {
          fail(and.at, `expected AND between the two bounds of BETWEEN, got ${describeToken(and)}`);
        }
        const high = this.parseValue('after BETWEEN … AND');
        return {
          kind: 'between',
          field,
          at,
          negated,
          low: low.value,
          high: high.value,
          valuesAt: [low.at, high.at],
        };
      }
      if (t.text === 'CONTAINS') {
        const v = this.parseValue('after CONTAINS');
        return { kind: 'contains', field, at, value: v.value, valuesAt: [v.at] };
      }
      if (t.text === 'IS') {
        let isNegated = false;
        if (this.isKeyword('NOT')) {
          this.next();
          isNegated = true;
        }
        const n = this.next();
        if (!(n.kind === 'keyword' && n.text === 'NULL')) {
          fail(n.at, `expected NULL after IS${isNegated ? ' NOT' : ''}, got ${describeToken(n)}`);
        }
        return { kind: 'is-null', field, at, negated: isNegated };
      }
    }
    fail(
      t.at,
      `expected an operator after '${field}' (${OPERATORS_HINT}), got ${describeToken(t)}`,
    );
  }

  private parseValue(where: string): { value: RuleValue; at: RulePosition } {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number') return { value: t.value, at: t.at };
    if (t.kind === 'keyword' && t.text === 'TRUE') return { value: true, at: t.at };
    if (t.kind === 'keyword' && t.text === 'FALSE') return { value: false, at: t.at };
    if (t.kind === 'keyword' && t.text === 'NULL') {
      fail(
        t.at,
        'NULL is not a value here: use IS NULL or IS NOT NULL to test for a missing value',
      );
    }
    const hint = t.kind === 'ident' ? " (quote text values: 'like this')" : '';
    fail(t.at, `expected a value ${where}, got ${describeToken(t)}${hint}`);
  }
}

/** Parse a rule into its syntax tree; throws an InputError at the line and column of a problem. */
export function parseSegmentRule(text: string): SegmentRule {
  return deepFreeze(new Parser(tokenize(text)).parseRule());
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

function checkValue(v: RuleValue, type: SegmentFieldType, field: string, at: RulePosition): void {
  const shown = typeof v === 'string' ? `'${v}'` : String(v);
  switch (type) {
    case 'number':
      if (typeof v !== 'number') fail(at, `${field} is a number, got ${shown}`, v);
      return;
    case 'text':
    case 'tags':
      if (typeof v !== 'string') fail(at, `${field} is text: quote the value, got ${shown}`, v);
      return;
    case 'date':
      if (typeof v !== 'string' || !isDate(v)) {
        fail(at, `${field} is a date: expected 'YYYY-MM-DD', got ${shown}`, v);
      }
      return;
    case 'boolean':
      if (typeof v !== 'boolean') fail(at, `${field} is true or false, got ${shown}`, v);
      return;
  }
}

/**
 * Check a parsed rule against the fields a segment may use (field → type): every field is known,
 * every operator suits its field and every value has the field's type. Throws at the position of
 * the offending condition.
 */
export function validateSegmentRule(
  rule: SegmentRule,
  fields: Readonly<Record<string, SegmentFieldType>>,
): void {
  switch (rule.kind) {
    case 'and':
    case 'or':
      validateSegmentRule(rule.left, fields);
      validateSegmentRule(rule.right, fields);
      return;
    case 'not':
      validateSegmentRule(rule.operand, fields);
      return;
    default:
      break;
  }
  const { field, at } = rule;
  if (!Object.hasOwn(fields, field)) {
    fail(
      at,
      `unknown field '${field}'; known fields: ${Object.keys(fields).sort().join(', ')}`,
      field,
    );
  }
  const type = fields[field];
  switch (rule.kind) {
    case 'is-null':
      return;
    case 'contains':
      if (type !== 'tags') fail(at, `CONTAINS needs a tag list, but ${field} is ${type}`);
      checkValue(rule.value, type, field, rule.valuesAt[0]);
      return;
    case 'compare':
      if (type === 'tags') fail(at, `${field} is a tag list: use CONTAINS`);
      if (type === 'boolean' && rule.op !== '=' && rule.op !== '!=') {
        fail(at, `${field} is true or false: only = and != apply, got '${rule.op}'`);
      }
      checkValue(rule.value, type, field, rule.valuesAt[0]);
      return;
    case 'in':
      if (type === 'tags') fail(at, `${field} is a tag list: use CONTAINS`);
      rule.values.forEach((v, j) => {
        checkValue(v, type, field, rule.valuesAt[j]);
      });
      return;
    case 'between':
      if (type === 'tags' || type === 'boolean')
        fail(at, `BETWEEN does not apply to ${field} (${type})`);
      checkValue(rule.low, type, field, rule.valuesAt[0]);
      checkValue(rule.high, type, field, rule.valuesAt[1]);
      return;
  }
}

/** Parse and validate in one step. */
export function checkSegmentRule(
  text: string,
  fields: Readonly<Record<string, SegmentFieldType>>,
): SegmentRule {
  const rule = parseSegmentRule(text);
  validateSegmentRule(rule, fields);
  return rule;
}

/** A customer's fields as a rule sees them; a missing key is NULL. */
export type RuleRecord = Readonly<Record<string, RuleValue | readonly string[] | null | undefined>>;

type Truth = boolean | null;

const not3 = (a: Truth): Truth => (a === null ? null : !a);

function compareValues(a: RuleValue, b: RuleValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Evaluate a rule on one record with SQL's three-valued logic (a comparison with NULL is
 * unknown; NOT unknown is unknown; a record matches only when the rule is true), so it agrees
 * with the compiled SQL. Text is ordered by code unit here; in SQL by the database's collation.
 */
export function evaluateSegmentRule(rule: SegmentRule, record: RuleRecord): boolean | null {
  switch (rule.kind) {
    case 'and': {
      const a = evaluateSegmentRule(rule.left, record);
      if (a === false) return false;
      const b = evaluateSegmentRule(rule.right, record);
      if (b === false) return false;
      return a === null || b === null ? null : true;
    }
    case 'or': {
      const a = evaluateSegmentRule(rule.left, record);
      if (a === true) return true;
      const b = evaluateSegmentRule(rule.right, record);
      if (b === true) return true;
      return a === null || b === null ? null : false;
    }
    case 'not':
      return not3(evaluateSegmentRule(rule.operand, record));
    default:
      break;
  }
  const v = Object.hasOwn(record, rule.field) ? record[rule.field] : null;
  if (rule.kind === 'is-null') return (v === null || v === undefined) !== rule.negated;
  if (v === null || v === undefined) return null;
  if (rule.kind === 'contains') return Array.isArray(v) && v.includes(rule.value as string);
  if (Array.isArray(v)) return null;
  const x = v as RuleValue;
  switch (rule.kind) {
    case 'compare': {
      const c = compareValues(x, rule.value);
      switch (rule.op) {
        case '=':
          return c === 0;
        case '!=':
          return c !== 0;
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '>=':
          return c >= 0;
      }
      break;
    }
    case 'in': {
      const hit = rule.values.some((w) => compareValues(x, w) === 0);
      return hit !== rule.negated;
    }
    case 'between': {
      const inside = compareValues(x, rule.low) >= 0 && compareValues(x, rule.high) <= 0;
      return inside !== rule.negated;
    }
  }
  return null;
}

/** True when the record is in the segment (the rule evaluates to true, not unknown). */
export function matchesSegmentRule(rule: SegmentRule, record: RuleRecord): boolean {
  return evaluateSegmentRule(rule, record) === true;
}

function formatValue(v: RuleValue): string {
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/**
 * The rule written back in canonical form (keywords upper-case, one space between tokens,
 * parentheses only where the tree needs them); parsing the result gives the same tree.
 */
export function formatSegmentRule(rule: SegmentRule): string {
  // OR binds loosest, then AND; AND and OR group to the left, so an equal right operand needs ()
  const prec = (r: SegmentRule) => (r.kind === 'or' ? 1 : r.kind === 'and' ? 2 : 3);
  const child = (parent: 'and' | 'or', r: SegmentRule, right: boolean): string => {
    const text = formatSegmentRule(r);
    const p = parent === 'or' ? 1 : 2;
    return prec(r) < p || (prec(r) === p && right) ? `(${text})` : text;
  };
  switch (rule.kind) {
    case 'and':
    case 'or':
      return `${child(rule.kind, rule.left, false)} ${rule.kind.toUpperCase()} ${child(rule.kind, rule.right, true)}`;
    case 'not': {
      const inner = formatSegmentRule(rule.operand);
      return rule.operand.kind === 'and' || rule.operand.kind === 'or'
        ? `NOT (${inner})`
        : `NOT ${inner}`;
    }
    case 'compare':
      return `${rule.field} ${rule.op} ${formatValue(rule.value)}`;
    case 'in':
      return `${rule.field} ${rule.negated ? 'NOT IN' : 'IN'} (${rule.values.map(formatValue).join(', ')})`;
    case 'between':
      return `${rule.field} ${rule.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${formatValue(rule.low)} AND ${formatValue(rule.high)}`;
    case 'contains':
      return `${rule.field} CONTAINS ${formatValue(rule.value)}`;
    case 'is-null':
      return `${rule.field} IS ${rule.negated ? 'NOT NULL' : 'NULL'}`;
  }
}
