/**
 * Seeded deterministic pseudo-random numbers for the synthetic capture (mulberry32). Pure: no wall
 * clock, no global state, the same seed always yields the same sequence.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform in [min, max). */
  float(min: number, max: number): number
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number
  /** True with probability p. */
  chance(p: number): boolean
  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number
}

/** Folds any safe integer into a 32-bit state so that seeds above 2^32 still differ. */
function seedState(seed: number): number {
  return (seed ^ Math.floor(seed / 4294967296)) >>> 0
}

/** Creates a mulberry32 generator for an integer seed. */
export function createRng(seed: number): Rng {
  let a = seedState(seed)
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    float: (min, max) => min + next() * (max - min),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    exponential: (mean) => -Math.log(1 - next()) * mean,
  }
}
