/**
 * Seeded pseudo-random generator (mulberry32): the only source of randomness in lib/.
 *
 * Every function that samples takes an `Rng` argument, so a result depends only on the seed
 * it was given. mulberry32 has a 2^32 period, passes gjrand/PractRand up to moderate sizes,
 * and is more than enough for bootstrap resampling and demonstration sampling; it is not
 * cryptographic.
 *
 * Complexity: O(1) time and memory per draw.
 *
 * @example
 * const a = createRng(42), b = createRng(42);
 * a.next() === b.next(); // true: same seed, same stream
 * const u = createRng(7).next(); // 0 <= u < 1
 */
export interface Rng {
  /** A uniform draw on [0, 1). */
  next(): number;
}

/** A mulberry32 generator seeded with the 32-bit integer part of `seed`. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be a finite number, got ${String(seed)}`);
  let state = Math.trunc(seed) >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`randomInt: n must be a positive integer, got ${n}`);
  return Math.floor(rng.next() * n);
}
