import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { type DemoCustomer, generateDemo, TRUE_STAGES } from './generate.js';
import type { DemoOptions } from './params.js';

const AS_OF = new Date('2026-06-30T16:00:00Z');
const DAY = 86_400_000;
const WEEK = 7 * DAY;

function options(over: Partial<DemoOptions> = {}): DemoOptions {
  return { customers: 3000, years: 3, seed: 7, industry: 'retail', asOf: AS_OF, ...over };
}

const cache = new Map<string, DemoCustomer[]>();
function run(over: Partial<DemoOptions> = {}): DemoCustomer[] {
  const key = JSON.stringify(over);
  let list = cache.get(key);
  if (!list) {
    list = [...generateDemo(options(over)).customers()];
    cache.set(key, list);
  }
  return list;
}

function orders(c: DemoCustomer) {
  const byId = new Map<string, DemoCustomer['transactions']>();
  for (const row of c.transactions) {
    const id = row.transactionId as string;
    byId.set(id, [...(byId.get(id) ?? []), row]);
  }
  return [...byId.values()];
}

describe('generateDemo: determinism', () => {
  test('the same options give byte-identical customers, twice over and across instances', () => {
    const a = JSON.stringify([...generateDemo(options({ customers: 300 })).customers()]);
    const demo = generateDemo(options({ customers: 300 }));
    expect(JSON.stringify([...demo.customers()])).toBe(a);
    expect(JSON.stringify([...demo.customers()])).toBe(a);
  });

  test('a different seed gives a different business', () => {
    const a = JSON.stringify([...generateDemo(options({ customers: 50 })).customers()]);
    const b = JSON.stringify([...generateDemo(options({ customers: 50, seed: 8 })).customers()]);
    expect(b).not.toBe(a);
  });

  test('customer i is the same whatever the number of customers after it', () => {
    const small = [...generateDemo(options({ customers: 20 })).customers()];
    const big = run().slice(0, 20);
    expect(JSON.stringify(big)).toBe(JSON.stringify(small));
  });
});

describe('generateDemo: options', () => {
  test.each([
    {
      title: 'zero customers',
      input: { customers: 0 },
      message: 'demo customers: expected a whole number from 1 to 100000000, got 0',
    },
    {
      title: 'negative years',
      input: { years: -1 },
      message: 'demo years: expected a number of years above 0 and at most 50, got -1',
    },
    {
      title: 'fractional seed',
      input: { seed: 1.5 },
      message: 'demo seed: expected a whole number ≥ 0, got 1.5',
    },
    {
      title: 'unknown industry',
      input: { industry: 'bank' as 'retail' },
      message: 'demo industry: expected one of retail, telecom, got "bank"',
    },
    {
      title: 'invalid as-of date',
      input: { asOf: new Date('nope') },
      message: 'demo asOf: expected a valid date, got null',
    },
  ])('$title is refused with an InputError naming the field', ({ input, message }) => {
    const call = () => generateDemo(options(input));
    expect(call).toThrow(InputError);
    expect(call).toThrow(message);
  });
});

describe('generateDemo: shape of the business', () => {
  test('it has exactly N customers with readable, sequential ids', () => {
    const list = run();
    expect(list).toHaveLength(3000);
    expect(list[0].customer.customerId).toBe('C000001');
    expect(list[2999].customer.customerId).toBe('C003000');
  });

  test('registrations span the whole period and nothing happens after as-of', () => {
    const demo = generateDemo(options());
    const start = demo.params.start.getTime();
    const asOf = AS_OF.getTime();
    expect(asOf - start).toBeGreaterThan(3 * 365 * DAY);
    const acquired = run().map((c) => c.customer.acquiredAt?.getTime() as number);
    expect(Math.min(...acquired)).toBeGreaterThanOrEqual(start);
    expect(Math.min(...acquired)).toBeLessThan(start + 30 * DAY);
    expect(Math.max(...acquired)).toBeLessThanOrEqual(asOf);
    expect(Math.max(...acquired)).toBeGreaterThan(asOf - 30 * DAY);
    let latest = 0;
    for (const c of run()) {
      for (const t of c.transactions) latest = Math.max(latest, t.occurredAt.getTime());
      for (const i of c.interactions) latest = Math.max(latest, i.occurredAt.getTime());
      for (const s of c.subscriptions) latest = Math.max(latest, s.startedAt.getTime());
    }
    expect(latest).toBeLessThanOrEqual(asOf);
    expect(latest).toBeGreaterThan(asOf - DAY);
  });

  test('every instant is a whole second, so a CSV with seconds round-trips it', () => {
    const fractional: string[] = [];
    const check = (what: string, d: Date | null) => {
      if (d !== null && d.getTime() % 1000 !== 0) fractional.push(what);
    };
    for (const t of ['retail', 'telecom'] as const) {
      for (const c of run({ industry: t })) {
        check(c.customer.customerId, c.customer.acquiredAt);
        check(`${c.customer.customerId} death`, c.truth.deathAt);
        for (const x of c.transactions) check(x.transactionId as string, x.occurredAt);
        for (const x of c.interactions) check(x.interactionId as string, x.occurredAt);
        for (const x of c.subscriptions) {
          check(x.subscriptionId, x.startedAt);
          check(x.subscriptionId, x.endedAt);
        }
      }
    }
    expect(fractional).toEqual([]);
  });

  test('profiles look like Chinese customers: names, mobiles, provinces, birthdays, owners', () => {
    const phones = new Set<string>();
    for (const { customer } of run()) {
      expect(customer.name).toMatch(/^[\u4e00-\u9fa5]{2,4}$/);
      expect(customer.phones[0]).toMatch(/^1[3-9]\d{9}$/);
      phones.add(customer.phones[0].slice(3));
      expect(customer.province).toMatch(/(省|市|自治区)$/);
      if (customer.birthday !== null) expect(customer.birthday).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(customer.ownerId).toMatch(/^AM\d{3}$/);
    }
    expect(phones.size).toBe(3000);
  });

  test('line items are quantity × unit price, and the lines of one order share time, status and channel', () => {
    for (const c of run().slice(0, 500)) {
      for (const t of c.transactions) {
        expect(Number.isInteger(t.amountMinor)).toBe(true);
        expect(t.amountMinor).toBe((t.quantity as number) * (t.unitPriceMinor as number));
        expect(t.amountMinor).toBeGreaterThan(0);
      }
      for (const lines of orders(c)) {
        // one order: one time, status and channel on every line
        expect(
          new Set(lines.map((l) => `${l.occurredAt.getTime()}|${l.status}|${l.channel}`)).size,
        ).toBe(1);
        expect(new Set(lines.map((l) => l.sku)).size).toBe(lines.length);
      }
    }
  });

  test('every transaction belongs to its customer and lies between first purchase and death', () => {
    const bad: string[] = [];
    for (const c of run()) {
      const id = c.customer.customerId;
      const acquired = c.customer.acquiredAt?.getTime() as number;
      const first = c.truth.firstPurchaseAt?.getTime() ?? Number.POSITIVE_INFINITY;
      const death = c.truth.deathAt?.getTime() ?? Number.POSITIVE_INFINITY;
      for (const t of c.transactions) {
        const at = t.occurredAt.getTime();
        if (t.customerId !== id) bad.push(`${t.transactionId} belongs to ${t.customerId}`);
        if (at < acquired || at < first) bad.push(`${t.transactionId} before the first purchase`);
        if (at > death) bad.push(`${t.transactionId} after death`);
      }
      const completed = orders(c).filter((o) => o[0].status === 'completed');
      if (completed.length !== c.truth.completedOrders) bad.push(`${id} completed orders differ`);
      for (const i of c.interactions) {
        if (i.customerId !== id) bad.push(`${i.interactionId} belongs to ${i.customerId}`);
        if (i.occurredAt.getTime() < acquired) bad.push(`${i.interactionId} before registration`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('most orders are completed, a few refunded or cancelled', () => {
    const status = { completed: 0, refunded: 0, cancelled: 0 };
    for (const c of run()) for (const o of orders(c)) status[o[0].status]++;
    const total = status.completed + status.refunded + status.cancelled;
    expect(status.completed / total).toBeGreaterThan(0.93);
    expect(status.refunded).toBeGreaterThan(0);
    expect(status.cancelled).toBeGreaterThan(0);
  });

  test('prospects exist and have no orders', () => {
    const prospects = run().filter((c) => c.truth.stage === 'prospect');
    expect(prospects.length).toBeGreaterThan(100);
    for (const c of prospects) expect(c.transactions).toEqual([]);
  });

  test('every interaction type occurs, surveys carry a 1–5 score', () => {
    const types = new Set(run().flatMap((c) => c.interactions.map((i) => i.type)));
    expect([...types].sort()).toEqual(
      ['call', 'complaint', 'email', 'referral', 'service', 'sms', 'survey', 'visit'].sort(),
    );
    for (const c of run())
      for (const i of c.interactions.filter((x) => x.type === 'survey'))
        expect([1, 2, 3, 4, 5]).toContain(i.satisfaction);
  });
});

describe('generateDemo: the population follows the generating parameters', () => {
  const demo = generateDemo(options());
  const { r, alpha } = demo.params.purchases;
  const { a, b } = demo.params.dropout as { a: number; b: number };
  const { p, q, gamma } = demo.params.spend;

  test('latent λ, p and ν have the means of their mixing distributions', () => {
    const list = run();
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(list.map((c) => c.truth.lambda)) / (r / alpha)).toBeCloseTo(1, 1);
    expect(mean(list.map((c) => c.truth.p as number))).toBeCloseTo(a / (a + b), 1);
    expect(mean(list.map((c) => c.truth.nu)) / (q / gamma)).toBeCloseTo(1, 1);
  });

  test('repeat purchases while alive match λ × time alive (Poisson purchasing)', () => {
    let observed = 0;
    let expected = 0;
    for (const c of run()) {
      if (!c.truth.firstPurchaseAt) continue;
      const first = c.truth.firstPurchaseAt.getTime();
      const end = c.truth.deathAt?.getTime() ?? AS_OF.getTime();
      observed += c.truth.completedOrders - 1;
      expected += (c.truth.lambda * (end - first)) / WEEK;
    }
    expect(observed / expected).toBeGreaterThan(0.95);
    expect(observed / expected).toBeLessThan(1.05);
  });

  test('order amounts follow the gamma-gamma spend: mean order ≈ p/ν per customer', () => {
    let observed = 0;
    let expected = 0;
    for (const c of run()) {
      for (const lines of orders(c).filter((o) => o[0].status === 'completed')) {
        observed += lines.reduce((s, l) => s + l.amountMinor, 0);
        expected += (p / c.truth.nu) * 100;
      }
    }
    expect(observed / expected).toBeGreaterThan(0.97);
    expect(observed / expected).toBeLessThan(1.03);
  });

  test('customers with a higher drop-out probability are more often dead', () => {
    const buyers = run().filter((c) => c.truth.completedOrders > 0);
    const low = buyers.filter((c) => (c.truth.p as number) < 0.1);
    const high = buyers.filter((c) => (c.truth.p as number) > 0.3);
    const deadShare = (xs: DemoCustomer[]) =>
      xs.filter((c) => !c.truth.aliveAtAsOf).length / xs.length;
    expect(deadShare(high)).toBeGreaterThan(deadShare(low) + 0.15);
  });

  test('complaints raise the drop-out hazard: complainers die more, and less so without the effect', () => {
    const deadShare = (xs: DemoCustomer[]) =>
      xs.filter((c) => !c.truth.aliveAtAsOf).length / xs.length;
    const complainers = run().filter((c) => c.truth.complaints > 0);
    const others = run().filter((c) => c.truth.complaints === 0 && c.truth.completedOrders > 1);
    expect(complainers.length).toBeGreaterThan(100);
    expect(deadShare(complainers)).toBeGreaterThan(deadShare(others) + 0.1);
    const neutral = run({
      model: { complaints: { ...demo.params.complaints, oddsRatio: 1 } },
    }).filter((c) => c.truth.complaints > 0);
    expect(deadShare(complainers)).toBeGreaterThan(deadShare(neutral) + 0.1);
  });
});

describe('generateDemo: planted co-purchase rules', () => {
  test.each(['retail', 'telecom'] as const)('every %s rule has lift well above 1', (industry) => {
    const demo = generateDemo(options({ industry }));
    const baskets: Set<string>[] = [];
    for (const c of run({ industry }))
      for (const o of orders(c)) baskets.push(new Set(o.map((l) => l.sku as string)));
    const support = (skus: readonly string[]) =>
      baskets.filter((s) => skus.every((x) => s.has(x))).length / baskets.length;
    for (const rule of demo.params.plantedRules) {
      const both = support([rule.antecedent, ...rule.consequents]);
      const lift = both / (support([rule.antecedent]) * support(rule.consequents));
      const confidence = both / support([rule.antecedent]);
      expect(support([rule.antecedent]) * baskets.length, rule.name).toBeGreaterThan(100);
      expect(lift, rule.name).toBeGreaterThan(4);
      expect(confidence, rule.name).toBeGreaterThan(rule.confidence - 0.08);
    }
  });
});

describe('generateDemo: telecom', () => {
  test('every buyer holds back-to-back plan subscriptions ending when the customer churned', () => {
    const list = run({ industry: 'telecom' });
    let withSubs = 0;
    for (const c of list) {
      const subs = c.subscriptions;
      if (c.truth.completedOrders === 0) {
        expect(subs).toEqual([]);
        continue;
      }
      withSubs++;
      expect(subs[0].startedAt.getTime()).toBe(c.truth.firstPurchaseAt?.getTime());
      for (let k = 1; k < subs.length; k++)
        expect(subs[k].startedAt.getTime()).toBe(subs[k - 1].endedAt?.getTime());
      expect(subs[subs.length - 1].endedAt?.getTime() ?? null).toBe(
        c.truth.deathAt?.getTime() ?? null,
      );
      for (const s of subs) {
        expect(s.subscriptionId).toMatch(/^S\d{6}-\d{2}$/);
        expect(s.monthlyFeeMinor).toBeGreaterThan(0);
      }
      expect(c.truth.theta).not.toBeNull();
      expect(c.truth.p).toBeNull();
    }
    expect(withSubs).toBeGreaterThan(2500);
  });

  test('the signup order installs broadband exactly for customers who start on a broadband plan', () => {
    const mismatched: string[] = [];
    let broadband = 0;
    for (const c of run({ industry: 'telecom' })) {
      if (c.subscriptions.length === 0) continue;
      const first = c.transactions.filter(
        (t) => t.transactionId === c.transactions[0].transactionId,
      );
      const installs = first.some((t) => t.sku === 'W001');
      const onBroadband = (c.subscriptions[0].plan as string).includes('宽带');
      if (onBroadband) broadband++;
      if (installs !== onBroadband) mismatched.push(c.customer.customerId);
    }
    expect(broadband).toBeGreaterThan(100);
    expect(mismatched).toEqual([]);
  });

  test('retail customers hold no subscriptions', () => {
    expect(run().every((c) => c.subscriptions.length === 0)).toBe(true);
  });

  test('the monthly churn probability θ has the mean of its beta mixing distribution', () => {
    const demo = generateDemo(options({ industry: 'telecom' }));
    const { gamma, delta } = demo.params.contract as { gamma: number; delta: number };
    const list = run({ industry: 'telecom' });
    const mean = list.reduce((s, c) => s + (c.truth.theta as number), 0) / list.length;
    expect(mean / (gamma / (gamma + delta))).toBeCloseTo(1, 1);
  });
});

describe('generateDemo: true lifecycle stages', () => {
  test.each(['retail', 'telecom'] as const)(
    'the default %s business (20,000 customers) has every stage',
    (industry) => {
      const counts = new Map<string, number>();
      const inconsistent: string[] = [];
      for (const c of generateDemo(options({ industry, customers: 20_000, seed: 1 })).customers()) {
        counts.set(c.truth.stage, (counts.get(c.truth.stage) ?? 0) + 1);
        // the stage agrees with the latent facts it is read from
        if ((c.truth.stage === 'churned') !== !c.truth.aliveAtAsOf)
          inconsistent.push(c.customer.customerId);
        if ((c.truth.stage === 'prospect') !== (c.truth.completedOrders === 0))
          inconsistent.push(c.customer.customerId);
      }
      expect(inconsistent).toEqual([]);
      for (const stage of TRUE_STAGES) expect(counts.get(stage) ?? 0, stage).toBeGreaterThan(100);
    },
  );
});

describe('generateDemo: parameters', () => {
  test('the generating parameters are returned whole and frozen, defaults untouched by overrides', () => {
    const complaints = { a: 1, b: 9, oddsRatio: 1 };
    const demo = generateDemo(options({ model: { complaints } }));
    expect(demo.params.complaints).toEqual(complaints);
    expect(demo.params.complaints).not.toBe(complaints);
    expect(Object.isFrozen(demo.params.purchases)).toBe(true);
    expect(Object.isFrozen(demo.params.plantedRules[0])).toBe(true);
    expect(generateDemo(options()).params.complaints.oddsRatio).toBe(3);
    expect(demo.params.stageRules.stabilityOrders).toBe(6);
  });
});
