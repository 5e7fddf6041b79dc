/**
 * Seeded pseudo-random numbers for the demo generator: one small generator, the distributions
 * the simulation needs, and nothing that reads a clock or `Math.random`.
 *
 * Generator: xoshiro128** 1.0 (Blackman & Vigna 2018, "Scrambled linear pseudorandom number
 * generators", https://prng.di.unimi.it/xoshiro128starstar.c), 128-bit state, period 2^128 − 1,
 * in 32-bit integer arithmetic (`Math.imul`, `>>>`), so results are identical on every platform.
 * Seeding: splitmix32 over the seed words, so nearby seeds (1, 2, 3 …) give unrelated streams and
 * `Random.from(seed, i)` gives customer i its own independent stream.
 *
 * Distributions, all parametrised as the papers write them:
 * - gamma(shape, rate): Marsaglia & Tsang (2000), "A simple method for generating gamma
 *   variables", ACM TOMS 26(3) §6; shape < 1 by the boost X·U^(1/shape) (ibid. §6, note).
 * - beta(a, b): X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).
 * - poisson(mean): multiplication of uniforms (Knuth, TAOCP vol. 2 §3.4.1) below mean 10,
 *   transformed rejection PTRS (Hörmann 1993, "The transformed rejection method for generating
 *   Poisson random variables", Insurance: Math. & Econ. 12) above.
 * - normal: Box–Muller; exponential: inversion.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** ln Γ(x) for x > 0, Lanczos (g = 7, n = 9), relative error below 1e-13; used by PTRS only. */
function lgamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const z = x - 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** A seeded stream of random numbers. Same seed words → same sequence, on every platform. */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

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
    return new Random(h);
  }

  private constructor(seed: number) {
    let x = seed;
    x = splitmix32(x);
    this.s0 = x;
    x = splitmix32(x);
    this.s1 = x;
    x = splitmix32(x);
    this.s2 = x;
    x = splitmix32(x);
    this.s3 = x;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / TWO_POW_53;
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal by Box–Muller (one of the pair is discarded, which keeps the state simple). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given rate (mean 1/rate), by inversion. */
  exponential(rate: number): number {
    return -Math.log(1 - this.uniform()) / rate;
  }

  /** Gamma with shape k and rate θ (mean k/θ): Marsaglia & Tsang (2000). */
  gamma(shape: number, rate = 1): number {
    if (shape < 1) {
      // Marsaglia & Tsang (2000) §6: Gamma(k) = Gamma(k+1) · U^(1/k).
      const u = 1 - this.uniform();
      return (this.gamma(shape + 1, 1) * u ** (1 / shape)) / rate;
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return (d * v) / rate;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
    }
  }

  /** Beta(a, b) as X/(X+Y) of two gammas. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    const s = x + y;
    // Both gammas underflow only for tiny shapes; fall back to the limit, a Bernoulli(a/(a+b)).
    if (s === 0) return this.uniform() < a / (a + b) ? 1 : 0;
    return x / s;
  }

  /** Poisson with the given mean. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean < 10) {
      const limit = Math.exp(-mean);
      let k = 0;
      let prod = this.uniform();
      while (prod > limit) {
        k++;
        prod *= this.uniform();
      }
      return k;
    }
    // PTRS, Hörmann (1993) §3, with his constants.
    const slam = Math.sqrt(mean);
    const loglam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
        -mean + k * loglam - lgamma(k + 1)
      )
        return k;
    }
  }

  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.uniform() * items.length)];
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
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
