/**
 * Turns an order's target amount z (from the gamma-gamma spend model) into line items from the
 * catalogue: an anchor product whose price fits the budget, a few extras, quantities that fill
 * the budget, then the planted co-purchase rules; prices are discounted pro rata so the lines
 * add up to z exactly (the remainder of the rounding goes to a quantity-1 line).
 */
import type { CatalogueProduct, PlantedRule } from './catalogue.js';
import type { Random } from './random.js';

export interface BasketLine {
  product: CatalogueProduct;
  quantity: number;
  unitPriceMinor: number;
  amountMinor: number;
  costMinor: number;
}

interface IndexedRule {
  antecedent: number;
  consequents: readonly number[];
  confidence: number;
}

/**
 * Width of the price fit on the log scale, asymmetric: products cheaper than the budget stay
 * likely down to a third of it, dearer ones fall off fast (baskets fill up rather than overshoot,
 * which keeps the implied discount small).
 */
const SIGMA_BELOW = 1.0;
const SIGMA_ABOVE = 0.25;
const LOG_BIN = 0.025;
const CHEAP_ITEM_MINOR = 5000;
const MAX_FILL_STEPS = 8;

export class BasketMaker {
  private readonly logPrice: Float64Array;
  private readonly fitCache = new Map<number, Float64Array>();
  private readonly rulesByAntecedent: Map<number, IndexedRule[]>;
  private readonly index: Map<string, number>;

  constructor(
    private readonly products: readonly CatalogueProduct[],
    rules: readonly PlantedRule[],
  ) {
    this.logPrice = Float64Array.from(products, (p) => Math.log(p.listPriceMinor));
    this.index = new Map(products.map((p, i) => [p.sku, i]));
    const at = (sku: string): number => this.indexOf(sku);
    this.rulesByAntecedent = new Map();
    for (const rule of rules) {
      const indexed = {
        antecedent: at(rule.antecedent),
        consequents: rule.consequents.map(at),
        confidence: rule.confidence,
      };
      const list = this.rulesByAntecedent.get(indexed.antecedent) ?? [];
      list.push(indexed);
      this.rulesByAntecedent.set(indexed.antecedent, list);
    }
  }

  private indexOf(sku: string): number {
    const i = this.index.get(sku);
    if (i === undefined) throw new RangeError(`unknown sku ${sku}`);
    return i;
  }

  /**
   * A product drawn by popularity × closeness of its price to `budgetMinor` (log scale). The
   * budget is binned to steps of 2.5 % on the log scale and each bin's cumulative weights are
   * computed once (the fit was a third of the generator's time).
   */
  private pickFit(rng: Random, budgetMinor: number): number {
    const bin = Math.round(Math.log(Math.max(budgetMinor, 1)) / LOG_BIN);
    let cumulative = this.fitCache.get(bin);
    if (!cumulative) {
      cumulative = this.fitWeights(bin * LOG_BIN);
      this.fitCache.set(bin, cumulative);
    }
    const total = cumulative[cumulative.length - 1];
    // Budgets far outside the price range make every weight underflow: take the nearest price.
    if (!(total > 0)) return this.nearest(bin * LOG_BIN);
    const x = rng.uniform() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private fitWeights(lb: number): Float64Array {
    const cumulative = new Float64Array(this.products.length);
    let total = 0;
    for (let i = 0; i < this.products.length; i++) {
      const diff = this.logPrice[i] - lb;
      const d = diff / (diff > 0 ? SIGMA_ABOVE : SIGMA_BELOW);
      total += this.products[i].popularity * Math.exp(-0.5 * d * d);
      cumulative[i] = total;
    }
    return cumulative;
  }

  private nearest(lb: number): number {
    let best = 0;
    for (let i = 1; i < this.products.length; i++)
      if (Math.abs(this.logPrice[i] - lb) < Math.abs(this.logPrice[best] - lb)) best = i;
    return best;
  }

  private applyRules(rng: Random, qty: Map<number, number>, add: (i: number, q: number) => void) {
    for (const i of [...qty.keys()]) {
      for (const rule of this.rulesByAntecedent.get(i) ?? []) {
        if (rng.uniform() < rule.confidence) {
          for (const c of rule.consequents) if (!qty.has(c)) add(c, 1);
        }
      }
    }
  }

  /** The given products, one of each at list price, plus what the planted rules add. */
  bundle(rng: Random, skus: readonly string[]): BasketLine[] {
    const qty = new Map<number, number>();
    const add = (i: number, q: number): void => {
      qty.set(i, (qty.get(i) ?? 0) + q);
    };
    for (const sku of skus) add(this.indexOf(sku), 1);
    this.applyRules(rng, qty, add);
    return [...qty].map(([i, q]) => {
      const product = this.products[i];
      return {
        product,
        quantity: q,
        unitPriceMinor: product.listPriceMinor,
        amountMinor: q * product.listPriceMinor,
        costMinor: q * product.unitCostMinor,
      };
    });
  }

  /** Line items whose amounts sum to `targetMinor` (exactly when any line has quantity 1). */
  make(rng: Random, targetMinor: number): BasketLine[] {
    const qty = new Map<number, number>();
    let listTotal = 0;
    const add = (i: number, q: number): void => {
      qty.set(i, (qty.get(i) ?? 0) + q);
      listTotal += q * this.products[i].listPriceMinor;
    };
    const quantityFor = (i: number): number =>
      this.products[i].listPriceMinor < CHEAP_ITEM_MINOR ? 1 + rng.poisson(0.4) : 1;

    const anchor = this.pickFit(rng, targetMinor);
    add(anchor, quantityFor(anchor));
    const extras = rng.poisson(0.5);
    for (let k = 0; k < extras; k++) {
      const i = this.pickFit(rng, Math.max(targetMinor - listTotal, targetMinor / 3));
      if (!qty.has(i)) add(i, quantityFor(i));
    }
    for (let step = 0; step < MAX_FILL_STEPS && listTotal < targetMinor; step++) {
      add(this.pickFit(rng, targetMinor - listTotal), 1);
    }
    // Planted rules last, so P(consequents | antecedent) is at least the rule's confidence.
    this.applyRules(rng, qty, add);

    const factor = targetMinor / listTotal;
    const lines: BasketLine[] = [];
    let sum = 0;
    for (const [i, q] of qty) {
      const product = this.products[i];
      const unitPriceMinor = Math.max(1, Math.round(product.listPriceMinor * factor));
      lines.push({
        product,
        quantity: q,
        unitPriceMinor,
        amountMinor: q * unitPriceMinor,
        costMinor: q * product.unitCostMinor,
      });
      sum += q * unitPriceMinor;
    }
    const residual = targetMinor - sum;
    if (residual !== 0) {
      const line = lines.find((l) => l.quantity === 1 && l.unitPriceMinor + residual >= 1);
      if (line) {
        line.unitPriceMinor += residual;
        line.amountMinor += residual;
      }
    }
    return lines;
  }
}
