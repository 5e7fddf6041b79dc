/**
 * Cross-sell (issue 9 §2): baskets are built in SQL — one basket per completed order, or per
 * customer and window of `windowDays` days counted from the customer's first completed order
 * (tumbling windows: days 0…W−1 are window 0, W…2W−1 window 1, …) — with skus compressed to
 * integers in the same query (the position of the sku in the list of frequent skus), so only
 * int arrays of baskets with two or more frequent items leave the database. FP-Growth and the
 * rule measures run in the engine; the rules of the latest run are kept in `crosssell_rules`.
 */
import {
  type AssociationRule,
  associationRules,
  type CatalogueItem,
  type CrossSellSuggestion,
  crossSellSuggestions,
  type FrequentItemset,
  fpGrowth,
  type SkuRule,
  type UpSellSuggestion,
  upSellSuggestions,
} from '../engine/index.js';
import { InputError, NotFoundError } from '../errors.js';
import type { Db } from './db.js';

export type BasketKind = 'order' | 'window';

export interface MineOptions {
  kind?: BasketKind;
  /** window length for kind 'window' (default 30) */
  windowDays?: number;
  /** minimum support, a share of baskets (default 0.001) */
  minSupport?: number;
  /** minimum confidence (default 0.1) */
  minConfidence?: number;
  /** minimum lift (default 1: only positive association) */
  minLift?: number;
  /** longest itemset (default 3) */
  maxLength?: number;
  /** rules kept in the table, best lift first (default 10,000) */
  keep?: number;
}

export interface SkuAssociationRule extends Omit<AssociationRule<string>, 'count'> {
  baskets: number;
}

export interface MineResult {
  kind: BasketKind;
  windowDays: number | null;
  baskets: number;
  /** baskets with two or more frequent items (the ones FP-Growth reads) */
  multiItemBaskets: number;
  lineItems: number;
  items: number;
  frequentItems: number;
  frequentItemsets: number;
  rules: SkuAssociationRule[];
  params: Required<Omit<MineOptions, 'kind' | 'windowDays' | 'keep'>>;
  ms: { count: number; baskets: number; mine: number; store: number };
}

/** The (customer_id, basket, sku) rows of completed orders; `$w` is the window parameter. */
function basketLines(kind: BasketKind, w: string): string {
  const base = `FROM transaction_lines l
    JOIN transactions t ON t.customer_id = l.customer_id AND t.transaction_id = l.transaction_id
    WHERE t.status = 'completed' AND l.sku IS NOT NULL`;
  if (kind === 'order') return `SELECT l.customer_id, l.transaction_id AS basket, l.sku ${base}`;
  return `SELECT l.customer_id,
      floor(extract(epoch FROM t.occurred_at - f.first_at) / (${w}::int * 86400))::int::text AS basket,
      l.sku
    FROM transaction_lines l
    JOIN transactions t ON t.customer_id = l.customer_id AND t.transaction_id = l.transaction_id
    JOIN (SELECT customer_id, min(occurred_at) AS first_at FROM transactions
          WHERE status = 'completed' GROUP BY customer_id) f ON f.customer_id = t.customer_id
    WHERE t.status = 'completed' AND l.sku IS NOT NULL`;
}

function checkShare(name: string, v: number, allowZero: boolean): void {
  if (!Number.isFinite(v) || v > 1 || v < 0 || (!allowZero && v === 0)) {
    throw new InputError(
      `${name} must be a number in ${allowZero ? '[0, 1]' : '(0, 1]'}, got ${v}`,
      {
        field: name,
        value: v,
      },
    );
  }
}

/**
 * Mines association rules from the baskets and replaces the stored rules of that basket kind
 * (one transaction). Rules are sorted by lift, then confidence, then support.
 */
export async function mineCrossSellRules(db: Db, options: MineOptions = {}): Promise<MineResult> {
  const kind = options.kind ?? 'order';
  const windowDays = options.windowDays ?? 30;
  const params = {
    minSupport: options.minSupport ?? 0.001,
    minConfidence: options.minConfidence ?? 0.1,
    minLift: options.minLift ?? 1,
    maxLength: options.maxLength ?? 3,
  };
  const keep = options.keep ?? 10_000;
  if (kind !== 'order' && kind !== 'window') {
    throw new InputError(`basket kind must be order or window, got "${kind}"`, {
      field: 'kind',
      value: kind,
    });
  }
  if (!Number.isInteger(windowDays) || windowDays < 1) {
    throw new InputError(`window days must be a whole number ≥ 1, got ${windowDays}`, {
      field: 'windowDays',
      value: windowDays,
    });
  }
  checkShare('min support', params.minSupport, false);
  checkShare('min confidence', params.minConfidence, true);
  if (!Number.isInteger(params.maxLength) || params.maxLength < 2 || params.maxLength > 5) {
    throw new InputError(`max length must be 2 to 5, got ${params.maxLength}`, {
      field: 'maxLength',
      value: params.maxLength,
    });
  }
  const wParams = kind === 'window' ? [windowDays] : [];
  const lines = basketLines(kind, '$1');
  const t0 = performance.now();
  const totals = await db.query<{ baskets: string; lines: string }>(
    `SELECT count(*)::bigint AS baskets, COALESCE(sum(n), 0)::bigint AS lines
     FROM (SELECT count(*) AS n FROM (${lines}) b GROUP BY customer_id, basket) g`,
    wParams,
  );
  const N = Number(totals.rows[0].baskets);
  const lineItems = Number(totals.rows[0].lines);
  const counted = await db.query<{ sku: string; n: string }>(
    `SELECT sku, count(*)::bigint AS n
     FROM (SELECT customer_id, basket, sku FROM (${lines}) b GROUP BY customer_id, basket, sku) d
     GROUP BY sku ORDER BY sku`,
    wParams,
  );
  const t1 = performance.now();
  const minCount = Math.max(1, Math.ceil(params.minSupport * N));
  const frequentSkus = counted.rows.filter((r) => Number(r.n) >= minCount).map((r) => r.sku);
  const fullCount = new Map(counted.rows.map((r) => [r.sku, Number(r.n)]));

  // Baskets of ≥ 2 frequent items, as int arrays (the sku's position in frequentSkus).
  const chunks: Int32Array[] = [];
  const sizes: number[] = [];
  let total = 0;
  if (frequentSkus.length >= 2) {
    const streamLines = basketLines(kind, '$2');
    const sql = `SELECT array_agg(DISTINCT (f.ord - 1)::int) AS items
      FROM (${streamLines}) l
      JOIN unnest($1::text[]) WITH ORDINALITY AS f(sku, ord) ON f.sku = l.sku
      GROUP BY l.customer_id, l.basket
      HAVING count(DISTINCT f.ord) >= 2`;
    // A cursor is planned for its first 10 % of rows by default (cursor_tuple_fraction), which
    // chose nested loops here; we read every row, so plan for all of them (PostgreSQL docs,
    // "Planner Cost Constants"). SET LOCAL lasts until the transaction ends.
    await db.transaction(async (tx) => {
      await tx.query('SET LOCAL cursor_tuple_fraction = 1.0');
      for await (const batch of tx.stream<{ items: number[] }>(
        sql,
        [frequentSkus, ...wParams],
        20_000,
      )) {
        let size = 0;
        for (const r of batch) size += r.items.length;
        const chunk = new Int32Array(size);
        let k = 0;
        for (const r of batch) {
          for (const i of r.items) chunk[k++] = i;
          sizes.push(r.items.length);
        }
        chunks.push(chunk);
        total += size;
      }
    });
  }
  const items = new Int32Array(total);
  let at = 0;
  for (const c of chunks) {
    items.set(c, at);
    at += c.length;
  }
  const offsets = new Int32Array(sizes.length + 1);
  for (let b = 0; b < sizes.length; b++) offsets[b + 1] = offsets[b] + sizes[b];
  const t2 = performance.now();

  const mined = fpGrowth(
    { items, offsets, itemCount: frequentSkus.length },
    { minCount, maxLength: params.maxLength },
  );
  // Singletons over all baskets (the stream left out one-item baskets); larger sets are exact.
  const itemsets: FrequentItemset[] = [
    ...frequentSkus.map((sku, i) => ({ items: [i], count: fullCount.get(sku) as number })),
    ...mined.filter((s) => s.items.length >= 2),
  ];
  const rules =
    N === 0
      ? []
      : associationRules(itemsets, {
          baskets: N,
          minConfidence: params.minConfidence,
          minLift: params.minLift,
        });
  const skuRules: SkuAssociationRule[] = rules.map((r) => ({
    antecedent: r.antecedent.map((i) => frequentSkus[i]),
    consequent: r.consequent.map((i) => frequentSkus[i]),
    baskets: r.count,
    support: r.support,
    confidence: r.confidence,
    lift: r.lift,
    conviction: r.conviction,
  }));
  const t3 = performance.now();

  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM crosssell_rules WHERE basket_kind = $1', [kind]);
    const paramsJson = { ...params, windowDays: kind === 'window' ? windowDays : null, baskets: N };
    const rows = skuRules
      .slice(0, keep)
      .map((r, rank) => [
        kind,
        rank + 1,
        r.antecedent,
        r.consequent,
        r.baskets,
        r.support,
        r.confidence,
        r.lift,
        r.conviction,
        paramsJson,
      ]);
    for (let k = 0; k < rows.length; k += 5000) {
      await tx.copyIn(
        'crosssell_rules',
        [
          'basket_kind',
          'rank',
          'antecedent',
          'consequent',
          'baskets',
          'support',
          'confidence',
          'lift',
          'conviction',
          'params',
        ],
        rows.slice(k, k + 5000),
      );
    }
  });
  const t4 = performance.now();
  return {
    kind,
    windowDays: kind === 'window' ? windowDays : null,
    baskets: N,
    multiItemBaskets: sizes.length,
    lineItems,
    items: counted.rows.length,
    frequentItems: frequentSkus.length,
    frequentItemsets: itemsets.length,
    rules: skuRules,
    params,
    ms: { count: t1 - t0, baskets: t2 - t1, mine: t3 - t2, store: t4 - t3 },
  };
}

interface RuleRow {
  antecedent: string[];
  consequent: string[];
  baskets: string;
  support: number;
  confidence: number;
  lift: number;
  conviction: number | null;
}

/** The stored rules of a basket kind, best lift first; null when none were mined yet. */
export async function storedCrossSellRules(
  db: Db,
  kind: BasketKind = 'order',
): Promise<SkuAssociationRule[] | null> {
  const mined = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM crosssell_rules WHERE basket_kind = $1',
    [kind],
  );
  if (mined.rows[0].n === 0) return null;
  const { rows } = await db.query<RuleRow>(
    `SELECT antecedent, consequent, baskets, support, confidence, lift, conviction
     FROM crosssell_rules WHERE basket_kind = $1 ORDER BY rank`,
    [kind],
  );
  return rows.map((r) => ({
    antecedent: r.antecedent,
    consequent: r.consequent,
    baskets: Number(r.baskets),
    support: r.support,
    confidence: r.confidence,
    lift: r.lift,
    conviction: r.conviction,
  }));
}

/** Every product with its category, list price and unit cost, keyed by sku. */
export async function productCatalogue(db: Db): Promise<Map<string, CatalogueItem>> {
  const { rows } = await db.query<{
    sku: string;
    name: string | null;
    category: string | null;
    list_price_minor: string | null;
    unit_cost_minor: string | null;
  }>('SELECT sku, name, category, list_price_minor, unit_cost_minor FROM products ORDER BY sku');
  return new Map(
    rows.map((r) => [
      r.sku,
      {
        sku: r.sku,
        name: r.name,
        category: r.category,
        listPriceMinor: r.list_price_minor === null ? null : Number(r.list_price_minor),
        unitCostMinor: r.unit_cost_minor === null ? null : Number(r.unit_cost_minor),
      },
    ]),
  );
}

/** The skus a customer has bought in completed orders. */
export async function ownedProducts(db: Db, customerId: string): Promise<Set<string>> {
  const { rows } = await db.query<{ sku: string }>(
    `SELECT DISTINCT l.sku FROM transaction_lines l
     JOIN transactions t ON t.customer_id = l.customer_id AND t.transaction_id = l.transaction_id
     WHERE l.customer_id = $1 AND t.status = 'completed' AND l.sku IS NOT NULL`,
    [customerId],
  );
  return new Set(rows.map((r) => r.sku));
}

/** Owned skus of every customer (or of one owner's customers), streamed. */
export async function* ownedProductsByCustomer(
  db: Db,
  ownerId?: string,
): AsyncGenerator<{ customerId: string; skus: string[] }[]> {
  const sql = `SELECT l.customer_id, array_agg(DISTINCT l.sku) AS skus
     FROM transaction_lines l
     JOIN transactions t ON t.customer_id = l.customer_id AND t.transaction_id = l.transaction_id
     ${ownerId === undefined ? '' : 'JOIN customers c ON c.customer_id = l.customer_id AND c.owner_id = $1'}
     WHERE t.status = 'completed' AND l.sku IS NOT NULL
     GROUP BY l.customer_id`;
  for await (const batch of db.stream<{ customer_id: string; skus: string[] }>(
    sql,
    ownerId === undefined ? [] : [ownerId],
    10_000,
  )) {
    yield batch.map((r) => ({ customerId: r.customer_id, skus: r.skus }));
  }
}

export interface CustomerCrossSell {
  customerId: string;
  owned: string[];
  crossSell: CrossSellSuggestion[];
  upSell: UpSellSuggestion[];
  /** when the rules used were mined */
  rulesMined: boolean;
}

/**
 * Cross-sell and up-sell suggestions for one customer from the stored order-basket rules
 * (mined first with the defaults when there are none). Unknown customer: NotFoundError.
 */
export async function crossSellFor(
  db: Db,
  customerId: string,
  { limit = 5, kind = 'order' as BasketKind } = {},
): Promise<CustomerCrossSell> {
  const exists = await db.query('SELECT 1 FROM customers WHERE customer_id = $1', [customerId]);
  if (exists.rows.length === 0) {
    throw new NotFoundError(`customer "${customerId}" does not exist`, {
      field: 'customer',
      value: customerId,
    });
  }
  let rules = await storedCrossSellRules(db, kind);
  let rulesMined = false;
  if (rules === null) {
    rules = (await mineCrossSellRules(db, { kind })).rules;
    rulesMined = true;
  }
  const owned = await ownedProducts(db, customerId);
  const catalogue = await productCatalogue(db);
  return {
    customerId,
    owned: [...owned].sort(),
    crossSell: crossSellSuggestions(owned, rules as SkuRule[], catalogue, limit),
    upSell: upSellSuggestions(owned, catalogue),
    rulesMined,
  };
}
