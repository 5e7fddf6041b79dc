/**
 * Association rules X → Y from frequent itemsets (交叉销售, SPEC §7), with the four usual
 * measures over N baskets, where n(S) is the number of baskets containing itemset S:
 *   support(X→Y)    = n(X∪Y) / N                       Agrawal, Imieliński & Swami (1993) §2
 *   confidence(X→Y) = n(X∪Y) / n(X)                    ibid.
 *   lift(X→Y)       = confidence / (n(Y) / N)          Brin, Motwani, Ullman & Tsur (1997),
 *                                                      "Dynamic itemset counting…", SIGMOD '97 ("interest")
 *   conviction(X→Y) = (1 − n(Y)/N) / (1 − confidence)  ibid. §3 (∞ when confidence = 1; null here)
 * Lift > 1 means X and Y are bought together more often than if independent.
 *
 * Every subset of a frequent itemset is frequent (downward closure), so n(X) and n(Y) are
 * always among the mined itemsets.
 */
import { InputError } from '../../errors.js';
import type { FrequentItemset } from './fp-growth.js';

export interface AssociationRule<T = number> {
  readonly antecedent: readonly T[];
  readonly consequent: readonly T[];
  /** baskets holding antecedent and consequent */
  readonly count: number;
  readonly support: number;
  readonly confidence: number;
  readonly lift: number;
  /** null when the confidence is 1 (infinite conviction) */
  readonly conviction: number | null;
}

export interface RuleOptions {
  /** number of baskets N */
  readonly baskets: number;
  readonly minConfidence?: number;
  readonly minLift?: number;
}

const keyOf = (items: readonly number[]): string => items.join(',');

/**
 * Every rule X → Y with X ∪ Y a frequent itemset of two or more items, X and Y non-empty and
 * disjoint, confidence ≥ minConfidence (default 0) and lift ≥ minLift (default 0); sorted by
 * lift, then confidence, then support, descending (then by items, so the order is stable).
 */
export function associationRules(
  itemsets: readonly FrequentItemset[],
  options: RuleOptions,
): AssociationRule[] {
  const N = options.baskets;
  const minConfidence = options.minConfidence ?? 0;
  const minLift = options.minLift ?? 0;
  if (!(N > 0)) {
    throw new InputError(`baskets: expected a positive count, got ${N}`, {
      field: 'baskets',
      value: N,
    });
  }
  if (!(minConfidence >= 0 && minConfidence <= 1)) {
    throw new InputError(`minConfidence: expected a number from 0 to 1, got ${minConfidence}`, {
      field: 'minConfidence',
      value: minConfidence,
    });
  }
  const countOf = new Map<string, number>();
  for (const s of itemsets) countOf.set(keyOf(s.items), s.count);
  const lookup = (items: readonly number[]): number => {
    const c = countOf.get(keyOf(items));
    if (c === undefined) {
      throw new InputError(
        `itemset {${items.join(', ')}} is missing although a superset is frequent`,
        { field: 'itemsets' },
      );
    }
    return c;
  };
  const rules: AssociationRule[] = [];
  for (const s of itemsets) {
    const k = s.items.length;
    if (k < 2) continue;
    // every non-empty proper subset as the antecedent (bit mask over the itemset)
    for (let mask = 1; mask < (1 << k) - 1; mask++) {
      const X: number[] = [];
      const Y: number[] = [];
      for (let j = 0; j < k; j++) (mask & (1 << j) ? X : Y).push(s.items[j]);
      const confidence = s.count / lookup(X);
      if (confidence < minConfidence) continue;
      const pY = lookup(Y) / N;
      const lift = confidence / pY;
      if (lift < minLift) continue;
      rules.push(
        Object.freeze({
          antecedent: Object.freeze(X),
          consequent: Object.freeze(Y),
          count: s.count,
          support: s.count / N,
          confidence,
          lift,
          conviction: confidence >= 1 ? null : (1 - pY) / (1 - confidence),
        }),
      );
    }
  }
  rules.sort(
    (a, b) =>
      b.lift - a.lift ||
      b.confidence - a.confidence ||
      b.support - a.support ||
      keyOf(a.antecedent).localeCompare(keyOf(b.antecedent)) ||
      keyOf(a.consequent).localeCompare(keyOf(b.consequent)),
  );
  return rules;
}
