/**
 * Seeded pseudo-random numbers for simulations, tests and demo data. The engine never uses
 * unseeded randomness: the same seed always gives the same stream on every platform.
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018, "Scrambled linear pseudorandom number
 * generators", prng.di.unimi.it), 128-bit state, period 2^128 - 1, seeded from a 32-bit seed
 * through the splitmix32 mixer so that nearby seeds give unrelated streams. Floats use 53 bits.
 *
 * Samplers: normal by the Marsaglia polar method; gamma by Marsaglia & Tsang (2000), "A simple
 * method for generating gamma variables", ACM TOMS 26(3), with the U^(1/k) boost for shape < 1;
 * beta as G1/(G1+G2); Poisson by multiplication of uniforms (Knuth, TAOCP vol. 2, 3.4.1) below
 * mean 10 and by Hörmann's PTRS transformed rejection (1993, Insurance: Mathematics and
 * Economics 12, 39–45) above.
 */
import { InputError } from '../errors.js';
import { lgamma } from './special/lgamma.js';

export interface Rng {
  /** uniform 32-bit unsigned integer */
  nextUint32(): number;
  /** uniform double in [0, 1) with 53 random bits */
  next(): number;
}

function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** A xoshiro128** generator seeded from a 32-bit integer seed. */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) {
    throw new InputError(`seed: expected an integer, got ${seed}`, { field: 'seed', value: seed });
  }
  const mix = splitmix32(seed);
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  return {
    nextUint32,
    next: () => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992,
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform on [lo, hi). */
export function sampleUniform(rng: Rng, lo = 0, hi = 1): number {
  return lo + (hi - lo) * rng.next();
}

/** Standard normal (Marsaglia polar method). */
export function sampleNormal(rng: Rng, mean = 0, sd = 1): number {
  for (;;) {
    const u = 2 * rng.next() - 1;
    const v = 2 * rng.next() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return mean + sd * u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** Exponential with the given rate (mean 1/rate). */
export function sampleExponential(rng: Rng, rate: number): number {
  return -Math.log1p(-rng.next()) / rate;
}

/** Gamma with shape `shape` and rate `rate` (mean shape/rate), Marsaglia & Tsang (2000). */
export function sampleGamma(rng: Rng, shape: number, rate = 1): number {
  if (!(shape > 0 && rate > 0)) {
    throw new InputError(`gamma needs shape > 0 and rate > 0, got ${shape} and ${rate}`, {
      field: 'shape',
    });
  }
  if (shape < 1) {
    const u = rng.next();
    return sampleGamma(rng, shape + 1, rate) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4) return (d * v) / rate;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
  }
}

/** Beta(a, b) as G1 / (G1 + G2). */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const g1 = sampleGamma(rng, a);
  const g2 = sampleGamma(rng, b);
  return g1 / (g1 + g2);
}

/** Poisson with the given mean (Knuth below 10, Hörmann's PTRS above). */
export function samplePoisson(rng: Rng, mean: number): number {
  if (!(mean >= 0)) {
    throw new InputError(`Poisson mean must be ≥ 0, got ${mean}`, { field: 'mean', value: mean });
  }
  if (mean < 10) {
    const limit = Math.exp(-mean);
    let k = 0;
    let prod = rng.next();
    while (prod > limit) {
      k++;
      prod *= rng.next();
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -mean + k * loglam - lgamma(k + 1)
    ) {
      return k;
    }
  }
}

/** true with probability p. */
export function sampleBernoulli(rng: Rng, p: number): boolean {
  return rng.next() < p;
}
