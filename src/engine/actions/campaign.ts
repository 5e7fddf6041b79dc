/**
 * Campaigns with a hold-out control group (issue 9 §4; SPEC §7): random assignment stratified by
 * value tier, and the measurement of the effect.
 *
 * Assignment: within each tier (customers without one form their own stratum) members are put
 * in id order, shuffled by Fisher–Yates (Knuth, TAOCP vol. 2, 3.4.2, algorithm P) with the
 * campaign's seed, and the first round(n × holdout share) become the control group — so each
 * tier is split in the same proportion (stratified randomisation) and the same seed gives the
 * same groups.
 *
 * Effect, treatment (1) vs control (0):
 * - difference of proportions (conversion, retention) p1 − p0 with Newcombe's hybrid score
 *   interval: Newcombe (1998), "Interval estimation for the difference between independent
 *   proportions: comparison of eleven methods", Statistics in Medicine 17, 873–890, method 10,
 *   built from the Wilson (1927) score interval of each proportion;
 * - difference of means (revenue per customer) with Welch's interval: Welch (1947), "The
 *   generalization of 'Student's' problem when several different population variances are
 *   involved", Biometrika 34, 28–35, degrees of freedom by Satterthwaite (1946); the t quantile
 *   by the Cornish–Fisher expansion of Abramowitz & Stegun (1964) 26.7.5 (error < 1e-4 from 5
 *   degrees of freedom on; ≥ 3 is accepted, with a wider error).
 */
import { InputError } from '../../errors.js';
import { createRng, sampleBernoulli, sampleGamma } from '../random.js';

export type Arm = 'treatment' | 'control';

export interface ArmAssignment {
  readonly customerId: string;
  readonly tier: string | null;
  readonly arm: Arm;
}

/** Stratified random split into treatment and control (see the header). */
export function assignArms(
  members: readonly { customerId: string; tier: string | null }[],
  holdoutShare: number,
  seed: number,
): ArmAssignment[] {
  if (!(holdoutShare > 0 && holdoutShare < 1)) {
    throw new InputError(`hold-out share: expected a number between 0 and 1, got ${holdoutShare}`, {
      field: 'holdoutShare',
      value: holdoutShare,
    });
  }
  const rng = createRng(seed);
  const strata = new Map<string, { customerId: string; tier: string | null }[]>();
  for (const m of members) {
    const key = m.tier ?? '';
    const list = strata.get(key) ?? [];
    list.push(m);
    strata.set(key, list);
  }
  const out: ArmAssignment[] = [];
  for (const key of [...strata.keys()].sort()) {
    const list = (strata.get(key) as { customerId: string; tier: string | null }[])
      .slice()
      .sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    const control = Math.round(list.length * holdoutShare);
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      out.push(
        Object.freeze({
          customerId: m.customerId,
          tier: m.tier,
          arm: i < control ? 'control' : 'treatment',
        }),
      );
    }
  }
  return out;
}

const Z: Record<string, number> = {
  '0.9': 1.6448536269514722,
  '0.95': 1.959963984540054,
  '0.99': 2.5758293035489004,
};

function zFor(confidence: number): number {
  const z = Z[String(confidence)];
  if (z === undefined) {
    throw new InputError(`confidence: expected 0.9, 0.95 or 0.99, got ${confidence}`, {
      field: 'confidence',
      value: confidence,
    });
  }
  return z;
}

/** Wilson (1927) score interval of a proportion x / n. */
export function wilsonInterval(x: number, n: number, confidence = 0.95): [number, number] {
  if (n === 0) return [0, 1];
  const z = zFor(confidence);
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export interface Difference {
  readonly treatment: number;
  readonly control: number;
  /** treatment − control */
  readonly difference: number;
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  readonly method: string;
}

/** p1 − p0 with Newcombe's (1998) hybrid score interval (method 10). */
export function differenceOfProportions(
  x1: number,
  n1: number,
  x0: number,
  n0: number,
  confidence = 0.95,
): Difference | null {
  if (n1 === 0 || n0 === 0) return null;
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const [l1, u1] = wilsonInterval(x1, n1, confidence);
  const [l0, u0] = wilsonInterval(x0, n0, confidence);
  const d = p1 - p0;
  return Object.freeze({
    treatment: p1,
    control: p0,
    difference: d,
    low: d - Math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
    high: d + Math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2),
    confidence,
    method: 'Newcombe (1998) hybrid score interval, method 10',
  });
}

/** Student t quantile by Cornish–Fisher (Abramowitz & Stegun 26.7.5). */
export function tQuantile(confidence: number, df: number): number {
  const z = zFor(confidence);
  if (!(df >= 3)) {
    throw new InputError(`degrees of freedom: expected at least 3, got ${df}`, {
      field: 'df',
      value: df,
    });
  }
  if (!Number.isFinite(df)) return z;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
  );
}

export interface SampleMoments {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/** mean1 − mean0 with Welch's interval (Welch 1947; Satterthwaite 1946 degrees of freedom). */
export function welchDifference(
  t: SampleMoments,
  c: SampleMoments,
  confidence = 0.95,
): (Difference & { readonly df: number; readonly standardError: number }) | null {
  if (t.n < 2 || c.n < 2) return null;
  const m1 = t.sum / t.n;
  const m0 = c.sum / c.n;
  const v1 = Math.max(0, (t.sumSquares - t.n * m1 * m1) / (t.n - 1));
  const v0 = Math.max(0, (c.sumSquares - c.n * m0 * m0) / (c.n - 1));
  const a = v1 / t.n;
  const b = v0 / c.n;
  const se = Math.sqrt(a + b);
  const df =
    se === 0
      ? Number.POSITIVE_INFINITY
      : (a + b) ** 2 / ((a * a) / (t.n - 1) + (b * b) / (c.n - 1));
  const q = tQuantile(confidence, Math.max(df, 3));
  const d = m1 - m0;
  return Object.freeze({
    treatment: m1,
    control: m0,
    difference: d,
    low: d - q * se,
    high: d + q * se,
    confidence,
    df,
    standardError: se,
    method: 'Welch (1947) interval, Satterthwaite degrees of freedom',
  });
}

export interface SimulatedResponse {
  readonly customerId: string;
  readonly arm: Arm;
  /** ms since the epoch, inside the window */
  readonly at: number;
  readonly amountMinor: number;
}

/**
 * Demo responses with a planted true effect: each control member converts with probability
 * `baseRate`, each treatment member with `baseRate + uplift`; a converter places one order at
 * a uniform time in the window, of a gamma(2, mean `meanOrderMinor`) amount.
 */
export function simulateCampaignResponses(
  members: readonly { customerId: string; arm: Arm }[],
  options: {
    baseRate: number;
    uplift: number;
    seed: number;
    windowStart: number;
    windowEnd: number;
    meanOrderMinor: number;
  },
): SimulatedResponse[] {
  const { baseRate, uplift } = options;
  if (!(baseRate >= 0 && baseRate + uplift <= 1 && baseRate + uplift >= 0)) {
    throw new InputError(
      `base rate ${baseRate} and uplift ${uplift}: both conversion rates must lie in [0, 1]`,
      { field: 'uplift', value: uplift },
    );
  }
  const rng = createRng(options.seed);
  const out: SimulatedResponse[] = [];
  const sorted = members
    .slice()
    .sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  for (const m of sorted) {
    const p = m.arm === 'treatment' ? baseRate + uplift : baseRate;
    if (!sampleBernoulli(rng, p)) continue;
    const at = options.windowStart + rng.next() * (options.windowEnd - options.windowStart);
    const amountMinor = Math.max(100, Math.round(sampleGamma(rng, 2, 2 / options.meanOrderMinor)));
    out.push(
      Object.freeze({ customerId: m.customerId, arm: m.arm, at: Math.floor(at), amountMinor }),
    );
  }
  return out;
}
