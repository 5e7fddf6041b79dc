/**
 * The demo generator's random streams: the engine's one seeded generator and samplers
 * (`../random.ts`: xoshiro128**, Marsaglia–Tsang gamma, PTRS Poisson …) behind a small class
 * with the conveniences the simulation needs. Seeding folds several words through splitmix32,
 * so `Random.from(seed)` is the run's stream and `Random.from(seed, i)` customer i's own,
 * independent of how many customers there are.
 */
import {
  createRng,
  type Rng,
  sampleBernoulli,
  sampleBeta,
  sampleExponential,
  sampleGamma,
  sampleNormal,
  samplePoisson,
} from '../random.js';

const TWO_POW_32 = 4294967296;

function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** A seeded stream of random numbers. Same seed words → same sequence, on every platform. */
export class Random implements Rng {
  private readonly rng: Rng;

  /**
   * A stream for the given seed words (integers; each is folded in as two 32-bit halves), e.g.
   * `Random.from(seed)` for the whole run and `Random.from(seed, customerIndex)` per customer.
   */
  static from(...words: number[]): Random {
    let h = 0x6a09e667;
    for (const w of words) {
      const lo = w >>> 0;
      const hi = Math.floor(w / TWO_POW_32) >>> 0;
      h = splitmix32(h ^ lo);
      h = splitmix32(h ^ hi);
    }
    return new Random(h | 0);
  }

  private constructor(seed: number) {
    this.rng = createRng(seed);
  }

  nextUint32(): number {
    return this.rng.nextUint32();
  }

  next(): number {
    return this.rng.next();
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return this.rng.next();
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rng.next();
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng.next() * (hi - lo + 1));
  }

  bernoulli(p: number): boolean {
    return sampleBernoulli(this.rng, p);
  }

  normal(mean = 0, sd = 1): number {
    return sampleNormal(this.rng, mean, sd);
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return sampleExponential(this.rng, rate);
  }

  /** Gamma with shape k and rate θ (mean k/θ). */
  gamma(shape: number, rate = 1): number {
    return sampleGamma(this.rng, shape, rate);
  }

  beta(a: number, b: number): number {
    return sampleBeta(this.rng, a, b);
  }

  poisson(mean: number): number {
    return mean <= 0 ? 0 : samplePoisson(this.rng, mean);
  }

  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng.next() * items.length)];
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/** Draws indices 0..n−1 with probability proportional to fixed weights (binary search, O(log n)). */
export class WeightedChoice {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(weights: readonly number[]) {
    this.cumulative = new Float64Array(weights.length);
    let s = 0;
    for (let i = 0; i < weights.length; i++) {
      if (!(weights[i] >= 0)) throw new RangeError(`weight ${i} must be ≥ 0, got ${weights[i]}`);
      s += weights[i];
      this.cumulative[i] = s;
    }
    if (!(s > 0)) throw new RangeError('weights must not all be zero');
    this.total = s;
  }

  index(rng: Random): number {
    const x = rng.uniform() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** `WeightedChoice` over items that carry their own weight. */
export class WeightedPicker<T> {
  private readonly choice: WeightedChoice;

  constructor(
    readonly items: readonly T[],
    weight: (item: T) => number,
  ) {
    this.choice = new WeightedChoice(items.map(weight));
  }

  pick(rng: Random): T {
    return this.items[this.choice.index(rng)];
  }
}
