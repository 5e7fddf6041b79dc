/**
 * Issue 3 "Done means": on the demo business, the fits recover the generating parameters within
 * their standard errors, and the holdout's aggregate predicted purchases are within 5 % of
 * actual. The demo here is pure BG/NBD (complaints do not change drop-out), so the truth is
 * exactly the model's parameters.
 */
import { describe, expect, test } from 'vitest';
import { generateDemo } from '../src/engine/demo/index.js';
import {
  compressRfm,
  createSummaryAccumulator,
  expectedPurchasesAhead,
  fitBgNbd,
  fitGammaGamma,
} from '../src/engine/index.js';

const asOf = new Date('2026-06-30T00:00:00Z');
const demo = generateDemo({
  customers: 20_000,
  years: 3,
  seed: 11,
  industry: 'retail',
  asOf,
  model: { complaints: { a: 0.6, b: 15, oddsRatio: 1 } },
});
const truth = demo.params;
const HOLDOUT_DAYS = 182;
const calibrationEnd = new Date(asOf.getTime() - HOLDOUT_DAYS * 86_400_000);

const full = createSummaryAccumulator({ calibrationEnd: asOf, unit: 'week' });
const split = createSummaryAccumulator({ calibrationEnd, holdoutEnd: asOf, unit: 'week' });
for (const c of demo.customers()) {
  for (const t of c.transactions) {
    if (t.status !== 'completed') continue;
    full.add(t.customerId, t.occurredAt, t.amountMinor);
    split.add(t.customerId, t.occurredAt, t.amountMinor);
  }
}

function fitOn(s: ReturnType<typeof full.finish>) {
  const keep = [...s.T.keys()].filter((i) => s.T[i] > 0);
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]);
  return { keep, fit: fitBgNbd(compressRfm(pick(s.x), pick(s.tx), pick(s.T)).rows) };
}

describe('value models on the demo business (20,000 customers)', () => {
  test('issue 3: BG/NBD recovers the generating r, alpha, a, b within 2.5 standard errors', () => {
    // Summarised at the purchases' exact times, so that each generated purchase is one
    // occasion: this checks the model and the fit against the process that made the data.
    const W = 7 * 86_400_000;
    const xs: number[] = [];
    const txs: number[] = [];
    const Ts: number[] = [];
    for (const c of demo.customers()) {
      const times = [
        ...new Set(
          c.transactions.filter((t) => t.status === 'completed').map((t) => t.occurredAt.getTime()),
        ),
      ].sort((a, b) => a - b);
      if (times.length === 0 || times[0] >= asOf.getTime()) continue;
      xs.push(times.length - 1);
      txs.push((times[times.length - 1] - times[0]) / W);
      Ts.push((asOf.getTime() - times[0]) / W);
    }
    const fit = fitBgNbd(
      compressRfm(Float64Array.from(xs), Float64Array.from(txs), Float64Array.from(Ts)).rows,
    );
    expect(fit.converged).toBe(true);
    const want = { ...truth.purchases, ...truth.dropout! } as Record<string, number>;
    const off = (['r', 'alpha', 'a', 'b'] as const)
      .map((k) => ({ k, got: fit.params[k], se: fit.stdErr[k], want: want[k] }))
      .filter(({ got, se, want }) => !(Math.abs(got - want) / se < 2.5));
    expect(off).toEqual([]);
  });

  // The papers' summary (and Tenure's) counts purchase *days*: a second order on the same day is
  // not a repeat purchase. In this demo that merges about 1.3 % of orders (measured), nearly all
  // of the heaviest buyers, so on the day summary r and alpha each come out a few per cent high
  // and the mean purchase rate r/alpha a few per cent low (2.5 % and 3.8 % on two streams).
  test('issue 3: on the day summary the drop-out a, b stay within 2.5 standard errors and the mean rate within 5 %', () => {
    const { fit } = fitOn(full.finish());
    expect(fit.converged).toBe(true);
    const want = { ...truth.purchases, ...truth.dropout! } as Record<string, number>;
    const off = (['a', 'b'] as const)
      .map((k) => ({ k, z: (fit.params[k] - want[k]) / fit.stdErr[k] }))
      .filter(({ z }) => !(Math.abs(z) < 2.5));
    expect(off).toEqual([]);
    const rate = fit.params.r / fit.params.alpha;
    expect(Math.abs(rate / (want.r / want.alpha) - 1)).toBeLessThan(0.05);
  });

  test('issue 3: predicted holdout purchases in aggregate are within 5 % of actual', () => {
    const s = split.finish();
    const { keep, fit } = fitOn(s);
    const t = HOLDOUT_DAYS / 7;
    let predicted = 0;
    let actual = 0;
    for (const i of keep) {
      predicted += expectedPurchasesAhead(
        { kind: 'bg-nbd', params: fit.params },
        t,
        s.x[i],
        s.tx[i],
        s.T[i],
      );
      actual += s.holdoutPurchases[i];
    }
    expect(actual).toBeGreaterThan(1000);
    expect(Math.abs(predicted - actual) / actual).toBeLessThan(0.05);
  });

  test('issue 3: gamma-gamma recovers the spend parameters within 2.5 standard errors', () => {
    const s = full.finish();
    const idx = [...s.x.keys()].filter((i) => s.x[i] > 0 && s.meanRepeatSpendMinor[i] > 0);
    const fit = fitGammaGamma(
      Float64Array.from(idx, (i) => s.x[i]),
      // the generator's gamma is in yuan; amounts are fen
      Float64Array.from(idx, (i) => s.meanRepeatSpendMinor[i] / 100),
    );
    expect(fit.converged).toBe(true);
    for (const k of ['p', 'q', 'gamma'] as const) {
      const want = (truth.spend as Record<string, number>)[k];
      expect(
        Math.abs(fit.params[k] - want) / fit.stdErr[k],
        `${k} = ${fit.params[k]} ± ${fit.stdErr[k]}, truth ${want}`,
      ).toBeLessThan(2.5);
    }
  });
});
