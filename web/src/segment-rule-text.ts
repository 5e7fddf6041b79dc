/**
 * The rule builder's conditions as text in the segment rule language
 * (src/engine/segments/segment-rule.ts): strings quoted with '' for a quote, numbers bare.
 */
import type { SegmentField } from './api/hooks.js';

export interface Condition {
  field: string;
  op: string;
  value: string;
}

function quote(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

function literal(field: SegmentField | undefined, v: string): string {
  const s = v.trim();
  if (field?.type === 'number' && s !== '' && Number.isFinite(Number(s))) return s;
  if (field?.type === 'boolean') return s === 'true' ? 'TRUE' : 'FALSE';
  return quote(s);
}

/** Groups are ORed, conditions in a group ANDed: (a AND b) OR (c). Rule language: src/engine/segments/segment-rule.ts. */
export function ruleText(groups: Condition[][], fields: SegmentField[]): string {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const parts = groups
    .map((g) =>
      g
        .filter((c) => c.field && c.value.trim() !== '')
        .map((c) => {
          const f = byName.get(c.field);
          if (c.op === 'IN') {
            const vals = c.value
              .split(/[,，]/)
              .map((x) => x.trim())
              .filter(Boolean);
            return `${c.field} IN (${vals.map((x) => literal(f, x)).join(', ')})`;
          }
          return `${c.field} ${c.op} ${literal(f, c.value)}`;
        }),
    )
    .filter((g) => g.length > 0)
    .map((g) => (g.length > 1 ? `(${g.join(' AND ')})` : g[0]));
  return parts.join(' OR ');
}
