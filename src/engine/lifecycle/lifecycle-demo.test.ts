/**
 * Issue 4 acceptance on the demo business: stages from observable data only (transactions,
 * interactions, a BG/NBD fit) agree with the simulation's truth. Recall: truly dead customers
 * placed in churned or decline; precision: customers placed in churned who are truly dead.
 */
import { describe, expect, test } from 'vitest';
import {
  bgNbdConditionalExpectedPurchases,
  bgNbdProbabilityAlive,
  fitBgNbd,
} from '../clv/bg-nbd.js';
import { compressRfm } from '../clv/rfm-rows.js';
import { createSummaryAccumulator } from '../clv/transaction-summary.js';
import { type DemoCustomer, generateDemo } from '../demo/index.js';
import { type CustomerState, evaluateStages } from './evaluate.js';
import { DEFAULT_STAGE_MODEL, PRESET_MODELS, type StageModel } from './model.js';

const AS_OF = new Date('2026-06-30T16:00:00Z');
const DAY = 86_400_000;

/** What the store would compute in SQL for one customer; no ground truth is read. */
function stateOf(
  c: DemoCustomer,
  model: StageModel,
  asOf: Date,
  value: { pAlive: number; expected: number } | undefined,
): CustomerState {
  const t = asOf.getTime();
  const byDay = new Map<number, number>();
  for (const row of c.transactions) {
    if (row.status !== 'completed' || row.occurredAt.getTime() > t) continue;
    const day = Math.floor(row.occurredAt.getTime() / DAY);
    byDay.set(day, (byDay.get(day) ?? 0) + row.amountMinor);
  }
  const purchaseDays = [...byDay.keys()].sort((a, b) => a - b);
  const n = purchaseDays.length;
  const w = model.thresholds.valueWindowDays * DAY;
  let last = 0;
  let previous = 0;
  for (const row of c.transactions) {
    if (row.status !== 'completed') continue;
    const age = t - row.occurredAt.getTime();
    if (age < 0) continue;
    if (age < w) last += row.amountMinor;
    else if (age < 2 * w) previous += row.amountMinor;
  }
  const firstAt =
    n === 0
      ? null
      : c.transactions
          .filter((r) => r.status === 'completed')
          .reduce((a, r) => Math.min(a, r.occurredAt.getTime()), Number.POSITIVE_INFINITY);
  const lastAt =
    n === 0
      ? null
      : c.transactions
          .filter((r) => r.status === 'completed' && r.occurredAt.getTime() <= t)
          .reduce((a, r) => Math.max(a, r.occurredAt.getTime()), 0);
  const complaintFrom = t - model.thresholds.complaintWindowDays * DAY;
  return {
    customerId: c.customer.customerId,
    firstPurchaseAt: firstAt === null ? null : new Date(firstAt),
    lastPurchaseAt: lastAt === null ? null : new Date(lastAt),
    purchaseDays: n,
    meanGapDays: n < 2 ? null : (purchaseDays[n - 1] - purchaseDays[0]) / (n - 1),
    revenueLastWindowMinor: last,
    revenuePreviousWindowMinor: previous,
    pAlive: value?.pAlive ?? null,
    expectedPurchases: value?.expected ?? null,
    ...subscriptionOf(c, t),
    recentComplaints: c.interactions.filter(
      (x) =>
        x.type === 'complaint' &&
        x.occurredAt.getTime() > complaintFrom &&
        x.occurredAt.getTime() <= t,
    ).length,
    interactions: c.interactions.length,
  };
}

/** Subscription status at `t` as the store reads it from the subscription rows. */
function subscriptionOf(
  c: DemoCustomer,
  t: number,
): Pick<CustomerState, 'subscription' | 'subscriptionStartedAt'> {
  const held = c.subscriptions.filter((x) => x.startedAt.getTime() <= t);
  if (held.length === 0) return { subscription: 'none', subscriptionStartedAt: null };
  const active = held.some((x) => x.endedAt === null || x.endedAt.getTime() > t);
  return {
    subscription: active ? 'active' : 'ended',
    subscriptionStartedAt: new Date(Math.min(...held.map((x) => x.startedAt.getTime()))),
  };
}

/** BG/NBD fitted on the completed orders (weeks), P(alive) and 26-week expectation per customer. */
function valueModel(customers: readonly DemoCustomer[], asOf: Date) {
  const acc = createSummaryAccumulator({ calibrationEnd: asOf, unit: 'week' });
  for (const c of customers) {
    for (const row of c.transactions) {
      if (row.status === 'completed') acc.add(row.customerId, row.occurredAt, row.amountMinor);
    }
  }
  const s = acc.finish();
  const keep: number[] = [];
  for (let i = 0; i < s.customerIds.length; i++) if (s.T[i] > 0) keep.push(i);
  const x = keep.map((i) => s.x[i]);
  const tx = keep.map((i) => s.tx[i]);
  const T = keep.map((i) => s.T[i]);
  const fit = fitBgNbd(compressRfm(x, tx, T).rows);
  const out = new Map<string, { pAlive: number; expected: number }>();
  keep.forEach((i, k) => {
    out.set(s.customerIds[i], {
      pAlive: bgNbdProbabilityAlive(fit.params, x[k], tx[k], T[k]),
      expected: bgNbdConditionalExpectedPurchases(fit.params, 26, x[k], tx[k], T[k]),
    });
  });
  return { fit, out };
}

describe('lifecycle stages on the demo retail business (issue 4 acceptance)', () => {
  const customers = [
    ...generateDemo({
      customers: 5000,
      years: 3,
      seed: 11,
      industry: 'retail',
      asOf: AS_OF,
    }).customers(),
  ];
  const { fit, out } = valueModel(customers, AS_OF);
  const model = DEFAULT_STAGE_MODEL;
  const states = customers.map((c) => stateOf(c, model, AS_OF, out.get(c.customer.customerId)));
  const results = evaluateStages(model, states, AS_OF);

  test('BG/NBD fits the demo history', () => {
    expect(fit.converged).toBe(true);
  });

  test('at least 80% of truly dead customers are placed in churned or decline, and at least 80% of those placed in churned are truly dead', () => {
    let dead = 0;
    let deadCaught = 0;
    let churned = 0;
    let churnedDead = 0;
    customers.forEach((c, i) => {
      const stage = results[i].stage;
      const isDead = !c.truth.aliveAtAsOf;
      if (isDead) {
        dead++;
        if (stage === 'churned' || stage === 'decline') deadCaught++;
      }
      if (stage === 'churned') {
        churned++;
        if (isDead) churnedDead++;
      }
    });
    const recall = deadCaught / dead;
    const precision = churnedDead / churned;
    const mix = new Map<string, number>();
    for (const r of results) mix.set(r.stage, (mix.get(r.stage) ?? 0) + 1);
    console.log(
      `lifecycle demo: dead ${dead}, recall ${recall.toFixed(3)}; churned ${churned}, precision ${precision.toFixed(3)}; mix ${JSON.stringify(Object.fromEntries(mix))}`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.8);
    expect(precision).toBeGreaterThanOrEqual(0.8);
  });

  test('most customers are placed in the stage the simulation says they are in', () => {
    const agree = customers.filter((c, i) => results[i].stage === c.truth.stage).length;
    console.log(`lifecycle demo: stage agreement ${(agree / customers.length).toFixed(3)}`);
    expect(agree / customers.length).toBeGreaterThanOrEqual(0.65);
  });

  test('every prospect in the simulation is a prospect here: no purchase is seen the same way', () => {
    customers.forEach((c, i) => {
      expect(results[i].stage === 'prospect').toBe(c.truth.stage === 'prospect');
    });
  });
});

describe('lifecycle stages on the demo telecom business', () => {
  const customers = [
    ...generateDemo({
      customers: 3000,
      years: 3,
      seed: 11,
      industry: 'telecom',
      asOf: AS_OF,
    }).customers(),
  ];
  const model = PRESET_MODELS.telecom;
  const states = customers.map((c) => stateOf(c, model, AS_OF, undefined));
  const results = evaluateStages(model, states, AS_OF);

  test('a cancelled contract is 流失 churn and only a cancelled contract is', () => {
    customers.forEach((c, i) => {
      const dead = !c.truth.aliveAtAsOf && c.truth.stage !== 'prospect';
      expect([c.customer.customerId, results[i].stage === 'churn']).toEqual([
        c.customer.customerId,
        dead,
      ]);
    });
  });

  test('most subscribers are in the stage with the role the simulation gives them', () => {
    const role = new Map(model.stages.map((s) => [s.code, s.role]));
    const buyers = customers.filter((c) => c.truth.stage !== 'prospect');
    const agree = customers.filter(
      (c, i) => c.truth.stage !== 'prospect' && role.get(results[i].stage) === c.truth.stage,
    ).length;
    console.log(`lifecycle demo telecom: stage agreement ${(agree / buyers.length).toFixed(3)}`);
    expect(agree / buyers.length).toBeGreaterThanOrEqual(0.8);
  });
});
