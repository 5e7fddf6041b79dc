/**
 * Options and generating parameters of the demo business, with the defaults per industry.
 *
 * The latent processes and their symbols (time unit: weeks for purchases, months for contracts,
 * yuan for spend):
 * - Purchases, BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", §2):
 *   while alive a customer buys at Poisson rate λ per week, λ ~ Gamma(r, α) (shape r, rate α),
 *   so E[λ] = r/α. Retail: after every repeat purchase the customer drops out with probability
 *   p ~ Beta(a, b); the first (trial) purchase never ends the relationship.
 * - Contracts, shifted-beta-geometric (Fader & Hardie 2007, "How to project customer retention",
 *   §2): telecom customers hold a plan and cancel at each monthly renewal with probability
 *   θ ~ Beta(γ, δ); add-on purchases run at rate λ until the contract ends (no per-purchase p).
 * - Spend, gamma-gamma (Fader, Hardie & Lee 2005, "RFM and CLV", §3): the target amount of each
 *   order is z ~ Gamma(p, ν) yuan with ν ~ Gamma(q, γ), so E[z | ν] = p/ν. Baskets are priced to
 *   hit z to the fen whenever a line has quantity 1 (otherwise within a few fen).
 * - Complaints raise the drop-out hazard: each customer has a complaint propensity c ~ Beta(a, b)
 *   (per order in retail, per month in telecom); every complaint multiplies the odds of all
 *   later drop-out decisions (p or θ) by `oddsRatio` — in retail including the decision at the
 *   order complained about, and a customer who drops out there leaves at the complaint's time.
 *   With `oddsRatio: 1` the processes are exactly BG/NBD and sBG.
 * - Acquisition: registrations arrive over [start, asOf] with a density that grows exponentially
 *   to `acquisitionGrowth` times its initial value; the first purchase follows registration
 *   after an exponential delay; a share `prospectShare` of registrations never buys.
 */
import { InputError } from '../../errors.js';
import { DEMO_INDUSTRIES, type DemoIndustry } from './business.js';
import { PLANTED_RULES, type PlantedRule } from './catalogue.js';
import { deepFreeze } from './freeze.js';

export interface DemoOptions {
  customers: number;
  years: number;
  seed: number;
  industry: DemoIndustry;
  /** the end of the simulated history; nothing happens after it */
  asOf: Date;
  /** override parts of the generating model (tests use `complaints.oddsRatio: 1`, etc.) */
  model?: Partial<DemoModel>;
}

export interface DemoModel {
  /** BG/NBD purchase rate heterogeneity: λ ~ Gamma(r, α), per week */
  purchases: { r: number; alpha: number };
  /** BG/NBD drop-out: p ~ Beta(a, b) after each repeat purchase; null when contractual */
  dropout: { a: number; b: number } | null;
  /** sBG contract churn: θ ~ Beta(gamma, delta) per monthly renewal; null when non-contractual */
  contract: { gamma: number; delta: number; planChangePerMonth: number } | null;
  /** gamma-gamma spend: z ~ Gamma(p, ν) yuan, ν ~ Gamma(q, gamma) */
  spend: { p: number; q: number; gamma: number };
  /** complaint propensity ~ Beta(a, b) per order (retail) or per month (telecom) */
  complaints: { a: number; b: number; oddsRatio: number };
  /** share of registrations that never buy */
  prospectShare: number;
  /** mean days from registration to first purchase */
  firstPurchaseDelayDays: number;
  /** acquisition density at as-of ÷ at start */
  acquisitionGrowth: number;
  /** extra refunded / cancelled orders per completed order (noise outside the latent process) */
  refundRate: number;
  cancelRate: number;
}

/**
 * How the true lifecycle stage at as-of is read off the latent process (SPEC §3), in order:
 * 1. prospect — no completed purchase at or before as-of;
 * 2. churned — dead at as-of (retail: dropped out; telecom: contract cancelled);
 * 3. decline — alive, and a complaint in the last `recentComplaintDays`, or (retail) the time
 *    since the last purchase exceeds what the customer's own rate λ makes less likely than
 *    `declineGapProbability` (gap > −ln(prob)/λ weeks);
 * 4. exploration — retail: fewer than `explorationOrders` purchases or first purchase less than
 *    `explorationDays` ago; telecom: contract younger than `explorationDays`;
 * 5. formation — retail: fewer than `stabilityOrders` purchases or tenure under `stabilityDays`;
 *    telecom: contract younger than `stabilityDays`;
 * 6. stability — everyone else.
 */
export const STAGE_RULES = Object.freeze({
  recentComplaintDays: 90,
  declineGapProbability: 0.05,
  explorationOrders: 3,
  explorationDays: 90,
  stabilityOrders: 6,
  stabilityDays: 365,
});

export interface DemoParams extends DemoModel {
  industry: DemoIndustry;
  customers: number;
  years: number;
  seed: number;
  start: Date;
  asOf: Date;
  plantedRules: readonly PlantedRule[];
  stageRules: typeof STAGE_RULES;
}

export const DEFAULT_MODELS: Readonly<Record<DemoIndustry, DemoModel>> = deepFreeze({
  retail: {
    purchases: { r: 0.75, alpha: 6 },
    dropout: { a: 0.8, b: 4.2 },
    contract: null,
    spend: { p: 4, q: 4, gamma: 187.5 },
    complaints: { a: 0.6, b: 15, oddsRatio: 3 },
    prospectShare: 0.06,
    firstPurchaseDelayDays: 10,
    acquisitionGrowth: 1.6,
    refundRate: 0.03,
    cancelRate: 0.02,
  },
  telecom: {
    purchases: { r: 0.5, alpha: 8 },
    dropout: null,
    contract: { gamma: 1.2, delta: 30, planChangePerMonth: 0.012 },
    spend: { p: 2.5, q: 4, gamma: 144 },
    complaints: { a: 0.6, b: 30, oddsRatio: 3 },
    prospectShare: 0.04,
    firstPurchaseDelayDays: 2,
    acquisitionGrowth: 1.6,
    refundRate: 0.02,
    cancelRate: 0.02,
  },
});

export const DEFAULT_OPTIONS = Object.freeze({
  customers: 20_000,
  years: 3,
  seed: 1,
  industry: 'retail' as DemoIndustry,
});

const MS_PER_YEAR = 365.25 * 24 * 3600 * 1000;

function fail(field: string, value: unknown, expected: string): never {
  throw new InputError(`demo ${field}: expected ${expected}, got ${JSON.stringify(value)}`, {
    field,
    value,
  });
}

/** Checks the options and resolves them into the full, frozen parameter set. */
export function resolveParams(options: DemoOptions): DemoParams {
  const { customers, years, seed, industry, asOf } = options;
  if (!Number.isSafeInteger(customers) || customers < 1 || customers > 100_000_000)
    fail('customers', customers, 'a whole number from 1 to 100000000');
  if (!Number.isFinite(years) || years <= 0 || years > 50)
    fail('years', years, 'a number of years above 0 and at most 50');
  if (!Number.isSafeInteger(seed) || seed < 0) fail('seed', seed, 'a whole number ≥ 0');
  if (!DEMO_INDUSTRIES.includes(industry))
    fail('industry', industry, `one of ${DEMO_INDUSTRIES.join(', ')}`);
  if (!(asOf instanceof Date) || Number.isNaN(asOf.getTime())) fail('asOf', asOf, 'a valid date');
  // A copy, so the caller's override objects stay theirs and the frozen result stays exact.
  const model: DemoModel = structuredClone({ ...DEFAULT_MODELS[industry], ...options.model });
  if ((model.dropout === null) === (model.contract === null))
    fail('model', 'dropout/contract', 'exactly one of dropout (retail) or contract (telecom)');
  // Whole seconds, so the CSV export (which has second resolution) round-trips every instant.
  const asOfMs = Math.floor(asOf.getTime() / 1000) * 1000;
  const startMs = asOfMs - Math.round((years * MS_PER_YEAR) / 1000) * 1000;
  return deepFreeze({
    ...model,
    industry,
    customers,
    years,
    seed,
    start: new Date(startMs),
    asOf: new Date(asOfMs),
    plantedRules: PLANTED_RULES[industry],
    stageRules: STAGE_RULES,
  });
}
