/**
 * The synthetic demo business with its ground truth (issue: `tenure demo`).
 *
 * Each customer is simulated on its own random stream `Random.from(seed, industry, index)`, so the
 * output is the same for the same options, customers can be generated lazily one at a time
 * (memory stays flat for millions), and customer i does not depend on customers before it.
 *
 * The latent model (symbols, units and references) is described in `params.ts`; the true
 * lifecycle stage at as-of follows `STAGE_RULES` there. What the records carry:
 * - completed orders are exactly the latent purchases (first purchase at "birth", then the
 *   BG/NBD or contract process); refunded and cancelled orders are extra noise orders that lie
 *   between the first purchase and the next completed one, never after death or as-of;
 * - one `TransactionRow` per line item, sharing the order id; line amount = quantity × unit price;
 * - interactions: outbound calls, visits, sms and email over the whole registration period (also
 *   after churn: win-back), and inbound complaints, service requests, surveys (satisfaction 1–5)
 *   and referrals while the customer is a buyer;
 * - telecom: subscriptions (plan, start, end, monthly fee), one per plan held.
 * All instants are whole seconds, UTC; times of day follow Asia/Shanghai business hours.
 */
import type {
  CustomerRecord,
  Gender,
  InteractionRecord,
  InteractionType,
  ProductRecord,
  SubscriptionRecord,
  TransactionRow,
  TransactionStatus,
} from '../records.js';
import { BasketMaker } from './basket.js';
import {
  ACCOUNT_MANAGERS,
  ACQUISITION_CHANNELS,
  CALL_OUTCOMES,
  COMPLAINT_NOTES,
  CUSTOMER_INDUSTRIES,
  type DemoIndustry,
  ORDER_CHANNELS,
  SERVICE_AGENTS,
  SERVICE_NOTES,
  TELECOM_PLANS,
} from './business.js';
import { CATALOGUE } from './catalogue.js';
import { FEMALE_GIVEN, MALE_GIVEN, NEUTRAL_GIVEN, SURNAMES } from './names.js';
import { type DemoOptions, type DemoParams, resolveParams } from './params.js';
import { Random, WeightedChoice, WeightedPicker } from './random.js';
import { CITY_RANK_WEIGHTS, PROVINCES, type Province, ROADS } from './regions.js';

export type TrueStage =
  | 'prospect'
  | 'exploration'
  | 'formation'
  | 'stability'
  | 'decline'
  | 'churned';

export const TRUE_STAGES: readonly TrueStage[] = Object.freeze([
  'prospect',
  'exploration',
  'formation',
  'stability',
  'decline',
  'churned',
]);

/** What actually drives a customer, known only to the simulation. */
export interface DemoTruth {
  customerId: string;
  /** λ: purchases per week while alive (BG/NBD) */
  lambda: number;
  /** p: drop-out probability after each repeat purchase (BG/NBD, retail); null for telecom */
  p: number | null;
  /** θ: probability of cancelling at each monthly renewal (sBG, telecom); null for retail */
  theta: number | null;
  /** ν: gamma-gamma rate (per yuan); an order's target amount z ~ Gamma(spend.p, ν) yuan */
  nu: number;
  /** E[z | ν] = spend.p / ν, in fen */
  meanSpendMinor: number;
  /** complaints per order (retail) or per month (telecom) */
  complaintPropensity: number;
  /** latent satisfaction on the survey's 1–5 scale, before complaints */
  satisfaction: number;
  firstPurchaseAt: Date | null;
  lastPurchaseAt: Date | null;
  /** completed orders up to as-of (= latent purchases) */
  completedOrders: number;
  /** complaints recorded up to as-of */
  complaints: number;
  /** when the customer dropped out or cancelled, if at or before as-of; otherwise null */
  deathAt: Date | null;
  aliveAtAsOf: boolean;
  stage: TrueStage;
  /** which of `STAGE_RULES` decided the stage, in words */
  stageReason: string;
}

export interface DemoCustomer {
  customer: CustomerRecord;
  transactions: TransactionRow[];
  interactions: InteractionRecord[];
  subscriptions: SubscriptionRecord[];
  truth: DemoTruth;
}

export interface Demo {
  params: DemoParams;
  products: ProductRecord[];
  /** A fresh pass over the customers, in id order; each call yields the same customers. */
  customers(): Generator<DemoCustomer>;
}

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const SHANGHAI_OFFSET = 8 * HOUR;
const YEAR = 365.25 * DAY;

/** Relative activity by hour of day in Asia/Shanghai (0–23): shopping peaks late morning and evening. */
const HOUR_WEIGHTS = [
  0.3, 0.15, 0.05, 0.03, 0.03, 0.05, 0.2, 0.6, 1.4, 2.4, 3.4, 3.6, 3.0, 2.6, 2.8, 3.0, 3.1, 3.2,
  3.4, 3.9, 4.4, 4.2, 3.0, 1.2,
];
const OFFICE_HOUR_WEIGHTS = HOUR_WEIGHTS.map((w, h) => (h >= 9 && h <= 18 ? w : 0));

const PHONE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '155',
  '156',
  '158',
  '159',
  '166',
  '170',
  '176',
  '177',
  '180',
  '181',
  '182',
  '185',
  '186',
  '187',
  '188',
  '189',
  '191',
  '199',
];

const INDUSTRY_STREAM: Record<DemoIndustry, number> = { retail: 1, telecom: 2 };

/** Everything shared by all customers of one run, built once. */
interface Context {
  params: DemoParams;
  width: number;
  asOfMs: number;
  startMs: number;
  basket: BasketMaker;
  surnames: WeightedPicker<readonly [string, number]>;
  provinces: WeightedPicker<Province>;
  cityChoice: Map<Province, WeightedChoice>;
  industries: WeightedPicker<readonly [string, number]>;
  channels: WeightedPicker<readonly [string, number]>;
  plans: WeightedChoice;
  hours: WeightedChoice;
  officeHours: WeightedChoice;
}

/**
 * A synthetic business drawn from the models the engine fits, with each customer's ground truth.
 * Pure: the same options give byte-identical output. Throws `InputError` on invalid options.
 */
export function generateDemo(options: DemoOptions): Demo {
  const params = resolveParams(options);
  const catalogue = CATALOGUE[params.industry];
  const ctx: Context = {
    params,
    width: Math.max(6, String(params.customers).length),
    asOfMs: params.asOf.getTime(),
    startMs: params.start.getTime(),
    basket: new BasketMaker(catalogue, params.plantedRules),
    surnames: new WeightedPicker(SURNAMES, ([, w]) => w),
    provinces: new WeightedPicker(PROVINCES, (p) => p.population),
    cityChoice: new Map(
      PROVINCES.map((p) => [p, new WeightedChoice(p.cities.map((_, i) => CITY_RANK_WEIGHTS[i]))]),
    ),
    industries: new WeightedPicker(CUSTOMER_INDUSTRIES, ([, w]) => w),
    channels: new WeightedPicker(ACQUISITION_CHANNELS[params.industry], ([, w]) => w),
    plans: new WeightedChoice(TELECOM_PLANS.map((p) => p.weight)),
    hours: new WeightedChoice(HOUR_WEIGHTS),
    officeHours: new WeightedChoice(OFFICE_HOUR_WEIGHTS),
  };
  const products: ProductRecord[] = catalogue.map((p) => ({
    sku: p.sku,
    name: p.name,
    category: p.category,
    listPriceMinor: p.listPriceMinor,
    unitCostMinor: p.unitCostMinor,
  }));
  return Object.freeze({
    params,
    products,
    *customers(): Generator<DemoCustomer> {
      for (let i = 0; i < params.customers; i++) yield simulateCustomer(ctx, i);
    },
  });
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * The same Shanghai calendar day as `t`, at an hour drawn from `hours`, within [lo, hi]. An hour
 * before `lo` (an earlier event that day) moves to a random moment up to three hours after `lo`,
 * so two events rarely share a second.
 */
function atLocalHour(
  rng: Random,
  hours: WeightedChoice,
  t: number,
  lo: number,
  hi: number,
): number {
  const day = Math.floor((t + SHANGHAI_OFFSET) / DAY) * DAY - SHANGHAI_OFFSET;
  let x = day + hours.index(rng) * HOUR + Math.floor(rng.uniform() * 3600) * SECOND;
  if (x < lo) x = lo + Math.floor(rng.uniform() * 3 * 3600) * SECOND;
  return Math.min(x, hi);
}

/** Odds of `prob` multiplied by `ratio`: p·m / (1 − p + p·m). */
function raiseOdds(prob: number, ratio: number): number {
  return (prob * ratio) / (1 - prob + prob * ratio);
}

/** `count` event times uniformly in [lo, hi], sorted (a Poisson process given its count). */
function uniformTimes(rng: Random, count: number, lo: number, hi: number): number[] {
  const times: number[] = [];
  for (let k = 0; k < count; k++) times.push(lo + rng.uniform() * (hi - lo));
  return times.sort((x, y) => x - y);
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

interface PendingOrder {
  at: number;
  status: TransactionStatus;
  targetMinor: number;
  /** a fixed bundle at list price instead of a basket priced to `targetMinor` */
  bundle: readonly string[] | null;
}

interface PendingInteraction {
  at: number;
  type: InteractionType;
  direction: 'inbound' | 'outbound';
  outcome: string;
  satisfaction: number | null;
  staff: string | null;
  note: string | null;
}

function simulateCustomer(ctx: Context, index: number): DemoCustomer {
  const { params, asOfMs } = ctx;
  const industry = params.industry;
  const rng = Random.from(params.seed, INDUSTRY_STREAM[industry], index);
  const customerId = `C${pad(index + 1, ctx.width)}`;

  // ---- profile
  const customer = drawProfile(ctx, rng, index, customerId);
  const ownerId = customer.ownerId as string;

  // ---- latent parameters, drawn for everyone (prospects included) so the population is whole
  const lambda = rng.gamma(params.purchases.r, params.purchases.alpha);
  const p = params.dropout ? rng.beta(params.dropout.a, params.dropout.b) : null;
  const theta = params.contract ? rng.beta(params.contract.gamma, params.contract.delta) : null;
  const nu = rng.gamma(params.spend.q, params.spend.gamma);
  const complaintPropensity = rng.beta(params.complaints.a, params.complaints.b);
  const satisfaction = Math.min(5, Math.max(1, rng.normal(4.1, 0.5)));
  /** Some days after `at`, at an office hour of that Shanghai day (never before `at`). */
  const later = (at: number, minDays: number, maxDays: number): number =>
    atLocalHour(rng, ctx.officeHours, at + rng.between(minDays, maxDays) * DAY, at, Infinity);
  const drawSpend = (): number => Math.max(100, Math.round(rng.gamma(params.spend.p, nu) * 100));

  // ---- acquisition (registration) and first purchase
  const acquiredAt = customer.acquiredAt?.getTime() as number;
  const neverBuys = rng.bernoulli(params.prospectShare);
  const firstAtRaw = acquiredAt + rng.exponential(1 / params.firstPurchaseDelayDays) * DAY;
  const firstAt = neverBuys
    ? null
    : atLocalHour(rng, ctx.hours, firstAtRaw, acquiredAt, Number.POSITIVE_INFINITY);
  const buyer = firstAt !== null && firstAt <= asOfMs;

  const orders: PendingOrder[] = [];
  const interactions: PendingInteraction[] = [];
  const subscriptions: SubscriptionRecord[] = [];
  const completedTimes: number[] = [];
  const complaintTimes: number[] = [];
  let complaintsSoFar = 0;
  let deathAt: number | null = null;

  const complaint = (at: number): void => {
    complaintsSoFar++;
    if (at > asOfMs) return;
    complaintTimes.push(at);
    const r = rng.uniform();
    interactions.push({
      at,
      type: 'complaint',
      direction: 'inbound',
      outcome: r < 0.7 ? '已解决' : r < 0.9 ? '未解决' : '处理中',
      satisfaction: null,
      staff: rng.pick(SERVICE_AGENTS),
      note: rng.pick(COMPLAINT_NOTES[industry]),
    });
  };

  /** A completed order at `at`, with what follows an order: maybe a survey or a service call. */
  const completed = (at: number, bundle: readonly string[] | null = null): void => {
    orders.push({ at, status: 'completed', targetMinor: drawSpend(), bundle });
    completedTimes.push(at);
    if (rng.bernoulli(0.08)) {
      const surveyAt = later(at, 1, 3);
      if (surveyAt <= asOfMs) {
        const penalty = complaintsSoFar > 0 ? 1.5 : 0;
        const score = Math.round(satisfaction - penalty + rng.normal(0, 0.7));
        interactions.push({
          at: surveyAt,
          type: 'survey',
          direction: 'outbound',
          outcome: '已回复',
          satisfaction: Math.min(5, Math.max(1, score)),
          staff: null,
          note: '订单满意度调查',
        });
      }
    }
    if (industry === 'retail' && rng.bernoulli(0.06)) {
      const serviceAt = later(at, 0.1, 7);
      if (serviceAt <= asOfMs) pushService(serviceAt);
    }
  };

  const pushService = (at: number): void => {
    interactions.push({
      at,
      type: 'service',
      direction: 'inbound',
      outcome: rng.bernoulli(0.9) ? '已解决' : '处理中',
      satisfaction: null,
      staff: rng.pick(SERVICE_AGENTS),
      note: rng.pick(SERVICE_NOTES[industry]),
    });
  };

  if (buyer && firstAt !== null) {
    if (p !== null) {
      // Retail, BG/NBD (Fader, Hardie & Lee 2005 §2): trial purchase, then Poisson(λ) repeat
      // purchases, each followed by drop-out with probability p (odds raised by complaints).
      completed(firstAt);
      if (rng.bernoulli(complaintPropensity)) complaint(later(firstAt, 0.5, 10));
      let t = firstAt;
      let prev = firstAt;
      for (;;) {
        t += rng.exponential(lambda) * WEEK;
        if (t > asOfMs) break;
        const at = atLocalHour(rng, ctx.hours, t, prev, asOfMs);
        prev = at;
        completed(at);
        let diesAt = at;
        if (rng.bernoulli(complaintPropensity)) {
          const complaintAt = later(at, 0.5, 10);
          complaint(complaintAt);
          diesAt = complaintAt;
        }
        const pEff = raiseOdds(p, params.complaints.oddsRatio ** complaintsSoFar);
        if (rng.bernoulli(pEff)) {
          if (diesAt <= asOfMs) deathAt = diesAt;
          break;
        }
      }
    } else if (theta !== null && params.contract) {
      // Telecom, sBG (Fader & Hardie 2007 §2): a plan from the first purchase, cancelled at each
      // monthly renewal with probability θ (odds raised by complaints); add-ons at rate λ.
      let planIndex = ctx.plans.index(rng);
      const signupPlan = TELECOM_PLANS[planIndex].plan;
      let subStart = firstAt;
      let subSeq = 0;
      const openSub = (endedAt: number | null): void => {
        const plan = TELECOM_PLANS[planIndex];
        subSeq++;
        subscriptions.push({
          subscriptionId: `S${pad(index + 1, ctx.width)}-${pad(subSeq, 2)}`,
          customerId,
          plan: plan.plan,
          startedAt: new Date(subStart),
          endedAt: endedAt === null ? null : new Date(endedAt),
          monthlyFeeMinor: plan.monthlyFeeYuan * 100,
        });
      };
      let prevRenewal = firstAt;
      for (let k = 1; ; k++) {
        const renewal = addMonths(firstAt, k);
        const monthEnd = Math.min(renewal, asOfMs);
        const n = rng.poisson(
          complaintPropensity * ((monthEnd - prevRenewal) / (renewal - prevRenewal)),
        );
        for (const at of uniformTimes(rng, n, prevRenewal, monthEnd)) {
          complaint(atLocalHour(rng, ctx.officeHours, at, prevRenewal, monthEnd));
        }
        if (rng.bernoulli(0.05)) {
          const at = rng.between(prevRenewal, monthEnd);
          pushService(atLocalHour(rng, ctx.officeHours, at, prevRenewal, monthEnd));
        }
        if (renewal > asOfMs) break;
        if (rng.bernoulli(raiseOdds(theta, params.complaints.oddsRatio ** complaintsSoFar))) {
          deathAt = renewal;
          break;
        }
        if (rng.bernoulli(params.contract.planChangePerMonth)) {
          openSub(renewal);
          subStart = renewal;
          const next = ctx.plans.index(rng);
          planIndex = next === planIndex ? (next + 1) % TELECOM_PLANS.length : next;
        }
        prevRenewal = renewal;
      }
      openSub(deathAt);
      // The signup order is a bundle at list price (outside the spend model, which describes
      // repeat purchases): broadband installation with a broadband plan, often a contract phone
      // (合约机), sometimes a chosen number; then add-ons, a Poisson(λ) process up to as-of.
      completed(firstAt, signupBundle(rng, signupPlan));
      const end = deathAt ?? asOfMs;
      const weeks = (end - firstAt) / WEEK;
      let prev = firstAt;
      for (const t of uniformTimes(rng, rng.poisson(lambda * weeks), firstAt, end)) {
        const at = atLocalHour(rng, ctx.hours, t, prev, Math.min(end - SECOND, asOfMs));
        prev = at;
        completed(at);
      }
    }

    // Noise orders outside the latent process: a refund or a cancelled order shortly before a
    // completed one, never before the first purchase.
    for (const at of completedTimes) {
      if (rng.bernoulli(params.refundRate))
        orders.push({
          at: noiseTime(rng, at, firstAt, 7),
          status: 'refunded',
          targetMinor: drawSpend(),
          bundle: null,
        });
      if (rng.bernoulli(params.cancelRate))
        orders.push({
          at: noiseTime(rng, at, firstAt, 2),
          status: 'cancelled',
          targetMinor: drawSpend(),
          bundle: null,
        });
    }

    // Referrals while a buyer: satisfied customers recommend others.
    const activeEnd = deathAt ?? asOfMs;
    const referralRate = satisfaction >= 4.2 ? 0.3 : 0.03;
    const nRef = rng.poisson((referralRate * (activeEnd - firstAt)) / YEAR);
    for (const at of uniformTimes(rng, nRef, firstAt, activeEnd)) {
      interactions.push({
        at: atLocalHour(rng, ctx.officeHours, at, firstAt, activeEnd),
        type: 'referral',
        direction: 'inbound',
        outcome: rng.bernoulli(0.4) ? '推荐成功' : '已登记',
        satisfaction: null,
        staff: ownerId,
        note: '推荐亲友注册',
      });
    }
  }

  // Outbound touches over the whole registration period, after churn too (win-back).
  const years = (asOfMs - acquiredAt) / YEAR;
  const outbound = (
    type: InteractionType,
    ratePerYear: number,
    make: (at: number) => Omit<PendingInteraction, 'at' | 'type' | 'direction'>,
  ): void => {
    for (const t of uniformTimes(rng, rng.poisson(ratePerYear * years), acquiredAt, asOfMs)) {
      const at = atLocalHour(rng, ctx.officeHours, t, acquiredAt, asOfMs);
      interactions.push({ at, type, direction: 'outbound', ...make(at) });
    }
  };
  outbound('call', 1.5, (at) => ({
    outcome: rng.pick(CALL_OUTCOMES),
    satisfaction: null,
    staff: ownerId,
    note:
      deathAt !== null && at > deathAt
        ? '流失挽回'
        : rng.pick(['例行回访', '新品推荐', '生日关怀']),
  }));
  const visitRate = customer.channel === '集团客户' ? 1 : 0.1;
  outbound('visit', visitRate, () => ({
    outcome: '已拜访',
    satisfaction: null,
    staff: ownerId,
    note: '上门拜访',
  }));
  if (customer.consent.sms) {
    outbound('sms', 3, () => ({
      outcome: '已送达',
      satisfaction: null,
      staff: null,
      note: rng.pick(['会员日促销', '节日问候', '积分到期提醒', '新品上市']),
    }));
  }
  if (customer.emails.length > 0 && customer.consent.email) {
    outbound('email', 1.5, () => ({
      outcome: '已发送',
      satisfaction: null,
      staff: null,
      note: rng.pick(['月度账单', '会员权益', '促销活动']),
    }));
  }

  // ---- records
  orders.sort((x, y) => x.at - y.at);
  const channels = ORDER_CHANNELS[industry];
  const usualChannel = rng.pick(channels);
  const transactions: TransactionRow[] = [];
  orders.forEach((order, k) => {
    const transactionId = `O${pad(index + 1, ctx.width)}-${pad(k + 1, 4)}`;
    const channel = rng.bernoulli(0.75) ? usualChannel : rng.pick(channels);
    const occurredAt = new Date(order.at);
    const lines = order.bundle
      ? ctx.basket.bundle(rng, order.bundle)
      : ctx.basket.make(rng, order.targetMinor);
    for (const line of lines) {
      transactions.push({
        transactionId,
        customerId,
        occurredAt,
        amountMinor: line.amountMinor,
        currency: 'CNY',
        costMinor: line.costMinor,
        channel,
        status: order.status,
        sku: line.product.sku,
        quantity: line.quantity,
        unitPriceMinor: line.unitPriceMinor,
      });
    }
  });

  interactions.sort((x, y) => x.at - y.at);
  const interactionRecords: InteractionRecord[] = interactions.map((x, k) => ({
    interactionId: `I${pad(index + 1, ctx.width)}-${pad(k + 1, 4)}`,
    customerId,
    occurredAt: new Date(x.at),
    type: x.type,
    direction: x.direction,
    outcome: x.outcome,
    satisfaction: x.satisfaction,
    staff: x.staff,
    note: x.note,
  }));

  // ---- truth
  const lastPurchase = completedTimes.length > 0 ? completedTimes[completedTimes.length - 1] : null;
  const [stage, stageReason] = trueStage(ctx, {
    buyer,
    dead: deathAt !== null,
    lambda,
    completed: completedTimes.length,
    firstAt,
    lastPurchase,
    lastComplaint: complaintTimes.length > 0 ? Math.max(...complaintTimes) : null,
  });
  const truth: DemoTruth = {
    customerId,
    lambda,
    p,
    theta,
    nu,
    meanSpendMinor: Math.round((params.spend.p / nu) * 100),
    complaintPropensity,
    satisfaction,
    firstPurchaseAt: buyer && firstAt !== null ? new Date(firstAt) : null,
    lastPurchaseAt: lastPurchase === null ? null : new Date(lastPurchase),
    completedOrders: completedTimes.length,
    complaints: complaintTimes.length,
    deathAt: deathAt === null ? null : new Date(deathAt),
    aliveAtAsOf: deathAt === null,
    stage,
    stageReason,
  };
  return { customer, transactions, interactions: interactionRecords, subscriptions, truth };
}

function signupBundle(rng: Random, plan: string): string[] {
  const skus: string[] = [];
  if (plan.includes('宽带')) skus.push('W001');
  if (rng.bernoulli(0.4)) skus.push(rng.bernoulli(0.25) ? 'T001' : 'T002');
  if (rng.bernoulli(0.2)) skus.push('K001');
  if (skus.length === 0) skus.push(rng.bernoulli(0.5) ? 'K002' : 'V001');
  return skus;
}

function noiseTime(rng: Random, at: number, firstAt: number, maxDays: number): number {
  return Math.max(firstAt, Math.floor((at - rng.between(0.05, maxDays) * DAY) / SECOND) * SECOND);
}

function trueStage(
  ctx: Context,
  s: {
    buyer: boolean;
    dead: boolean;
    lambda: number;
    completed: number;
    firstAt: number | null;
    lastPurchase: number | null;
    lastComplaint: number | null;
  },
): [TrueStage, string] {
  const rules = ctx.params.stageRules;
  const asOf = ctx.asOfMs;
  if (!s.buyer || s.firstAt === null || s.lastPurchase === null)
    return ['prospect', 'no purchase yet'];
  if (s.dead)
    return ['churned', ctx.params.contract ? 'contract cancelled' : 'dropped out after a purchase'];
  if (s.lastComplaint !== null && asOf - s.lastComplaint <= rules.recentComplaintDays * DAY)
    return ['decline', `complaint in the last ${rules.recentComplaintDays} days`];
  const tenureDays = (asOf - s.firstAt) / DAY;
  if (ctx.params.contract) {
    if (tenureDays < rules.explorationDays)
      return ['exploration', `contract younger than ${rules.explorationDays} days`];
    if (tenureDays < rules.stabilityDays)
      return ['formation', `contract younger than ${rules.stabilityDays} days`];
    return ['stability', `contract older than ${rules.stabilityDays} days`];
  }
  const gapWeeks = (asOf - s.lastPurchase) / WEEK;
  if (gapWeeks > -Math.log(rules.declineGapProbability) / s.lambda)
    return [
      'decline',
      `no purchase for longer than the own rhythm makes ${rules.declineGapProbability} likely`,
    ];
  if (s.completed < rules.explorationOrders || tenureDays < rules.explorationDays)
    return [
      'exploration',
      `fewer than ${rules.explorationOrders} purchases or tenure under ${rules.explorationDays} days`,
    ];
  if (s.completed < rules.stabilityOrders || tenureDays < rules.stabilityDays)
    return [
      'formation',
      `fewer than ${rules.stabilityOrders} purchases or tenure under ${rules.stabilityDays} days`,
    ];
  return ['stability', `${rules.stabilityOrders}+ purchases over ${rules.stabilityDays}+ days`];
}

function drawProfile(ctx: Context, rng: Random, index: number, customerId: string): CustomerRecord {
  const { params, asOfMs, startMs } = ctx;
  const femaleShare = params.industry === 'retail' ? 0.58 : 0.48;
  const g = rng.uniform();
  const gender: Gender | null = g < 0.03 ? null : g < 0.03 + femaleShare ? 'female' : 'male';
  const given = gender === 'female' ? FEMALE_GIVEN : gender === 'male' ? MALE_GIVEN : NEUTRAL_GIVEN;
  const surname = ctx.surnames.pick(rng)[0];
  const name = rng.bernoulli(0.3)
    ? surname + rng.pick(given)
    : surname + (rng.bernoulli(0.3) ? rng.pick(NEUTRAL_GIVEN) : rng.pick(given)) + rng.pick(given);

  const province = ctx.provinces.pick(rng);
  const city = province.cities[(ctx.cityChoice.get(province) as WeightedChoice).index(rng)];
  const address = rng.bernoulli(0.7)
    ? `${province.name === city ? '' : province.name}${city}${rng.pick(ROADS)}${rng.int(1, 999)}号${rng.int(1, 30)}栋${rng.int(1, 6)}单元${rng.int(1, 33)}0${rng.int(1, 4)}室`
    : null;

  // Unique per customer: the 8 digits are a bijection of the index (48271 is prime to 10^8).
  const digits = pad((index * 48271 + 37_192_845) % 100_000_000, 8);
  const phone = rng.pick(PHONE_PREFIXES) + digits;
  const e = rng.uniform();
  const emails =
    e < 0.2
      ? [`${rng.int(10_000_000, 2_999_999_999)}@qq.com`]
      : e < 0.35
        ? [`${phone}@163.com`]
        : [];

  const asOfYear = new Date(asOfMs).getUTCFullYear();
  let birthday: string | null = null;
  if (rng.bernoulli(0.9)) {
    const age = Math.round(Math.min(75, Math.max(18, rng.normal(36, 11))));
    const month = rng.int(1, 12);
    const day = rng.int(1, new Date(Date.UTC(asOfYear - age, month, 0)).getUTCDate());
    birthday = `${asOfYear - age}-${pad(month, 2)}-${pad(day, 2)}`;
  }

  // Registrations over [start, asOf], density growing exponentially to acquisitionGrowth × (inverse CDF).
  const span = asOfMs - startMs;
  const gr = Math.log(params.acquisitionGrowth);
  const u = rng.uniform();
  const frac = gr === 0 ? u : Math.log(1 + u * (params.acquisitionGrowth - 1)) / gr;
  const acquiredAt = atLocalHour(rng, ctx.hours, startMs + frac * span, startMs, asOfMs);

  return {
    customerId,
    name,
    phones: [phone],
    emails,
    address,
    province: province.name,
    city,
    gender,
    birthday,
    industry: rng.bernoulli(0.8) ? ctx.industries.pick(rng)[0] : null,
    channel: ctx.channels.pick(rng)[0],
    acquiredAt: new Date(acquiredAt),
    ownerId: rng.pick(ACCOUNT_MANAGERS),
    tags: [],
    attributes: {},
    consent: {
      sms: rng.bernoulli(0.8),
      email: emails.length > 0 && rng.bernoulli(0.6),
      call: rng.bernoulli(0.9),
    },
  };
}
