/**
 * Per-customer cross-sell and up-sell suggestions (交叉销售 / 增量销售, SPEC §7; seed 003).
 *
 * Cross-sell follows the mined rules from what the customer owns: a rule X → Y applies when the
 * customer has bought every product of X; each product of Y the customer does not own becomes a
 * candidate, valued at the rule's confidence × the product's unit margin (list price − unit
 * cost), the expected margin of offering it. A product reached by several rules keeps its best.
 *
 * Up-sell: within each category the customer buys from, products are ordered by list price
 * (the category's price tiers); the suggestion is the next dearer product the customer does not
 * own above the dearest one they do — one step up, not the top of the range.
 */

export interface CatalogueItem {
  readonly sku: string;
  readonly name: string | null;
  readonly category: string | null;
  readonly listPriceMinor: number | null;
  readonly unitCostMinor: number | null;
}

export interface SkuRule {
  readonly antecedent: readonly string[];
  readonly consequent: readonly string[];
  readonly confidence: number;
  readonly lift: number;
  readonly support: number;
}

export interface CrossSellSuggestion {
  readonly kind: 'cross-sell';
  readonly sku: string;
  readonly name: string | null;
  readonly because: readonly string[];
  readonly confidence: number;
  readonly lift: number;
  /** confidence × unit margin, fen (0 when the product has no price or cost) */
  readonly expectedMarginMinor: number;
}

export interface UpSellSuggestion {
  readonly kind: 'up-sell';
  readonly sku: string;
  readonly name: string | null;
  readonly category: string;
  /** the dearest product the customer owns in the category */
  readonly from: string;
  readonly fromPriceMinor: number;
  readonly priceMinor: number;
  /** unit margin of the suggested product, fen */
  readonly unitMarginMinor: number;
}

const marginOf = (p: CatalogueItem | undefined): number =>
  p?.listPriceMinor != null && p.unitCostMinor != null
    ? Math.max(0, p.listPriceMinor - p.unitCostMinor)
    : 0;

/**
 * Cross-sell suggestions for one customer, best expected margin first (then lift, then sku),
 * excluding everything the customer owns; at most `limit`.
 */
export function crossSellSuggestions(
  owned: ReadonlySet<string>,
  rules: readonly SkuRule[],
  catalogue: ReadonlyMap<string, CatalogueItem>,
  limit = 5,
): CrossSellSuggestion[] {
  const best = new Map<string, CrossSellSuggestion>();
  for (const rule of rules) {
    if (!rule.antecedent.every((s) => owned.has(s))) continue;
    for (const sku of rule.consequent) {
      if (owned.has(sku)) continue;
      const product = catalogue.get(sku);
      const expectedMarginMinor = Math.round(rule.confidence * marginOf(product));
      const prev = best.get(sku);
      if (
        prev === undefined ||
        expectedMarginMinor > prev.expectedMarginMinor ||
        (expectedMarginMinor === prev.expectedMarginMinor && rule.lift > prev.lift)
      ) {
        best.set(
          sku,
          Object.freeze({
            kind: 'cross-sell',
            sku,
            name: product?.name ?? null,
            because: rule.antecedent,
            confidence: rule.confidence,
            lift: rule.lift,
            expectedMarginMinor,
          }),
        );
      }
    }
  }
  return [...best.values()]
    .sort(
      (a, b) =>
        b.expectedMarginMinor - a.expectedMarginMinor ||
        b.lift - a.lift ||
        (a.sku < b.sku ? -1 : 1),
    )
    .slice(0, limit);
}

/** One up-sell per category the customer buys from where a dearer product exists. */
export function upSellSuggestions(
  owned: ReadonlySet<string>,
  catalogue: ReadonlyMap<string, CatalogueItem>,
): UpSellSuggestion[] {
  const byCategory = new Map<string, CatalogueItem[]>();
  for (const p of catalogue.values()) {
    if (p.category === null || p.listPriceMinor === null) continue;
    const list = byCategory.get(p.category) ?? [];
    list.push(p);
    byCategory.set(p.category, list);
  }
  const out: UpSellSuggestion[] = [];
  for (const [category, products] of byCategory) {
    products.sort(
      (a, b) =>
        (a.listPriceMinor as number) - (b.listPriceMinor as number) || (a.sku < b.sku ? -1 : 1),
    );
    let top: CatalogueItem | undefined;
    for (const p of products) if (owned.has(p.sku)) top = p;
    if (top === undefined) continue;
    const topPrice = top.listPriceMinor as number;
    const next = products.find((p) => (p.listPriceMinor as number) > topPrice && !owned.has(p.sku));
    if (next === undefined) continue;
    out.push(
      Object.freeze({
        kind: 'up-sell',
        sku: next.sku,
        name: next.name,
        category,
        from: top.sku,
        fromPriceMinor: topPrice,
        priceMinor: next.listPriceMinor as number,
        unitMarginMinor: marginOf(next),
      }),
    );
  }
  return out.sort((a, b) => b.unitMarginMinor - a.unitMarginMinor || (a.sku < b.sku ? -1 : 1));
}
