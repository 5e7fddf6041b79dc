/**
 * `tenure crosssell`: association rules from baskets and per-customer suggestions (issue 9 §2).
 *
 *   tenure crosssell rules [--basket order|window] [--window-days 30] [--min-support 0.001]
 *                          [--min-confidence 0.1] [--min-lift 1] [--max-length 3] [--limit 20] [--json]
 *     mines the rules (FP-Growth) and stores them for `crosssell for`, `tenure queue`.
 *     --json: { kind, windowDays, baskets, multiItemBaskets, lineItems, items, frequentItems,
 *               frequentItemsets, params, ms, rules: [{antecedent: [sku], consequent: [sku],
 *               baskets, support, confidence, lift, conviction (null = ∞)}] }   (first --limit rules)
 *   tenure crosssell for <customer> [--limit 5] [--json]
 *     --json: { customerId, owned: [sku], crossSell: [{sku, name, because: [sku], confidence,
 *               lift, expectedMarginMinor}], upSell: [{sku, name, category, from, fromPriceMinor,
 *               priceMinor, unitMarginMinor}], rulesMined }
 */
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { type BasketKind, crossSellFor, mineCrossSellRules } from '../store/crosssell-repo.js';
import { type CliContext, printJson } from './context.js';
import { withDb } from './with-db.js';

export function numberIn(name: string, lo: number, hi: number, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (
      value.trim() === '' ||
      !Number.isFinite(n) ||
      n < lo ||
      n > hi ||
      (integer && !Number.isInteger(n))
    ) {
      throw new InputError(
        `${name} must be ${integer ? 'a whole number' : 'a number'} from ${lo} to ${hi}, got "${value}"`,
        { field: name, value },
      );
    }
    return n;
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const yuan = (minor: number): string => `¥${(minor / 100).toFixed(2)}`;

export function registerCrossSell(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('crosssell')
    .description(
      'cross-sell and up-sell: association rules from baskets, suggestions per customer',
    );

  cmd
    .command('rules')
    .description('mine association rules (FP-Growth) from the order baskets and store them')
    .option(
      '--basket <kind>',
      'order (one basket per order) or window (per customer and window)',
      'order',
    )
    .option(
      '--window-days <d>',
      'window length for --basket window',
      numberIn('--window-days', 1, 3650, true),
      30,
    )
    .option(
      '--min-support <s>',
      'minimum support, share of baskets',
      numberIn('--min-support', 1e-7, 1),
      0.001,
    )
    .option('--min-confidence <c>', 'minimum confidence', numberIn('--min-confidence', 0, 1), 0.1)
    .option('--min-lift <l>', 'minimum lift', numberIn('--min-lift', 0, 1e9), 1)
    .option('--max-length <k>', 'longest itemset', numberIn('--max-length', 2, 5, true), 3)
    .option('--limit <n>', 'rules printed', numberIn('--limit', 1, 1e6, true), 20)
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      if (opts.basket !== 'order' && opts.basket !== 'window') {
        throw new InputError(`--basket must be order or window, got "${opts.basket}"`, {
          field: '--basket',
          value: opts.basket,
        });
      }
      const result = await withDb(ctx, (db) =>
        mineCrossSellRules(db, {
          kind: opts.basket as BasketKind,
          windowDays: opts.windowDays,
          minSupport: opts.minSupport,
          minConfidence: opts.minConfidence,
          minLift: opts.minLift,
          maxLength: opts.maxLength,
        }),
      );
      const shown = result.rules.slice(0, opts.limit);
      if (opts.json) {
        printJson(ctx, { ...result, totalRules: result.rules.length, rules: shown });
        return;
      }
      ctx.out.write(
        `${result.rules.length} rules from ${result.baskets} ${result.kind === 'order' ? 'order baskets' : `${result.windowDays}-day customer baskets`} ` +
          `(${result.lineItems} line items, ${result.frequentItems} of ${result.items} products frequent, ` +
          `min support ${result.params.minSupport}, min confidence ${result.params.minConfidence}); stored\n`,
      );
      if (shown.length === 0) {
        ctx.out.write(
          '  no rule reaches the thresholds; try a lower --min-support or --min-confidence\n',
        );
        return;
      }
      ctx.out.write(
        '  rule                                   support  confidence   lift  conviction\n',
      );
      for (const r of shown) {
        const text = `${r.antecedent.join('+')} → ${r.consequent.join('+')}`;
        ctx.out.write(
          `  ${text.padEnd(38)} ${pct(r.support).padStart(7)}  ${pct(r.confidence).padStart(10)} ${r.lift.toFixed(2).padStart(6)}  ${r.conviction === null ? '∞' : r.conviction.toFixed(2)}\n`,
        );
      }
    });

  cmd
    .command('for')
    .description("a customer's cross-sell and up-sell suggestions (excluding what they own)")
    .argument('<customer>', 'customer id')
    .option('--limit <n>', 'cross-sell suggestions', numberIn('--limit', 1, 100, true), 5)
    .option('--json', 'print as JSON')
    .action(async (customer: string, opts) => {
      const r = await withDb(ctx, (db) => crossSellFor(db, customer, { limit: opts.limit }));
      if (opts.json) {
        printJson(ctx, r);
        return;
      }
      ctx.out.write(
        `customer ${r.customerId} owns ${r.owned.length} products: ${r.owned.join(', ') || '—'}\n`,
      );
      if (r.rulesMined) ctx.out.write('  (no stored rules: mined them now with the defaults)\n');
      ctx.out.write('交叉销售 cross-sell:\n');
      if (r.crossSell.length === 0) ctx.out.write('  none: no rule applies to what they own\n');
      for (const s of r.crossSell) {
        ctx.out.write(
          `  ${s.sku} ${s.name ?? ''} — because of ${s.because.join('+')}: confidence ${pct(s.confidence)}, lift ${s.lift.toFixed(2)}, expected margin ${yuan(s.expectedMarginMinor)}\n`,
        );
      }
      ctx.out.write('增量销售 up-sell:\n');
      if (r.upSell.length === 0) ctx.out.write('  none: nothing dearer in their categories\n');
      for (const s of r.upSell) {
        ctx.out.write(
          `  ${s.category}: ${s.from} (${yuan(s.fromPriceMinor)}) → ${s.sku} ${s.name ?? ''} (${yuan(s.priceMinor)}, margin ${yuan(s.unitMarginMinor)})\n`,
        );
      }
    });
}
