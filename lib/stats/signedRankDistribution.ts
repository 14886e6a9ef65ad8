/**
 * Exact null distribution of the Wilcoxon signed-rank statistic W+ (sum of the ranks that get
 * a plus sign, each of n signs independently ± with probability ½), as exact integer counts.
 *
 * Two variants:
 * - untied ranks 1..n (`signedRankCdf`, `signedRankSf`): cumulative counts
 *   #{subsets of {1..n} with sum ≤ k} for the lower half k ≤ n(n+1)/4, in exact multi-limb
 *   (base 2^32) integer arithmetic, cached per n; the upper half by symmetry.
 *   `signedRankCounts(n)` gives the plain BigInt counts (reference, tests).
 * - `signedRankTailProbabilities(ranks2, observed2)`: arbitrary (tied) ranks given doubled as
 *   integers (average ranks are multiples of ½); the exact sign-flip (permutation) distribution
 *   conditional on the ties, as used by scipy's permutation fallback.
 *
 * Counts are exact integers, so a tail probability is count / 2^n computed from the tail
 * itself, never as 1 − (a number near 1): P(W+ ≥ 1275) at n = 50 is 2^-50 to the last bit.
 * Building the table is about n⁴/500 float additions (n = 200: a few ms), n³/64 doubles of
 * memory (n = 200: 0.6 MB); each lookup after that is O(n/32).
 *
 * @example
 * signedRankCdf(3, 0); // 0.125
 * signedRankSf(3, 5); // 0.25
 * signedRankSf(30, 465) === 2 ** -30; // true
 * signedRankSf(30, 463) === 3 * 2 ** -30; // true
 */

/** Largest n accepted by the exact tables (time grows as n⁴/100 limb additions; n = 1000 takes minutes). */
export const MAX_EXACT_SIGNED_RANK_N = 1000;

const LIMB = 4294967296; // 2^32: a limb sum plus carry stays below 2^53, exact in float64

/** Cumulative counts C[k] = #{W+ ≤ k} for k = 0..⌊N/2⌋, as base-2^32 limbs (limb-major: data[j·(half+1) + k]). */
interface CumulativeTable {
  n: number;
  half: number;
  limbs: number;
  data: Float64Array;
}

const tableCache = new Map<number, CumulativeTable>();

/**
 * counts[k] = number of sign patterns of ranks 1..n with W+ = k, k = 0..n(n+1)/2, as BigInt
 * (a simple O(n³) BigInt reference; the p-value functions use the faster limb table).
 */
export function signedRankCounts(n: number): bigint[] {
  checkN(n);
  const total = (n * (n + 1)) / 2;
  const counts = new Array<bigint>(total + 1).fill(0n);
  counts[0] = 1n;
  let top = 0;
  for (let k = 1; k <= n; k++) {
    for (let s = top; s >= 0; s--) {
      const c = counts[s] as bigint;
      if (c !== 0n) counts[s + k] = (counts[s + k] as bigint) + c;
    }
    top += k;
  }
  return counts;
}

/**
 * Builds the cumulative table for sums 0..⌊N/2⌋ only (sums never decrease as ranks are added,
 * so the lower half is self-contained; the upper half follows by symmetry). Exact multi-limb
 * integer arithmetic in a Float64Array, limb-major: each step adds limb arrays without carrying
 * (a limb at most doubles per step, so 20 steps stay below 2^53, exact in float64), and carries
 * are propagated every 20 steps; at step k only ⌊k/32⌋ + 1 limbs are live.
 */
function table(n: number): CumulativeTable {
  let t = tableCache.get(n);
  if (t !== undefined) return t;
  const total = (n * (n + 1)) / 2;
  const half = Math.floor(total / 2);
  const H = half + 1;
  const L = Math.floor(n / 32) + 1; // counts ≤ 2^n need n + 1 bits
  const data = new Float64Array(H * L);
  data[0] = 1;
  const normalize = () => {
    for (let s = 0; s < H; s++) {
      let carry = 0;
      for (let j = 0; j < L; j++) {
        const v = (data[j * H + s] as number) + carry;
        carry = Math.floor(v / LIMB);
        data[j * H + s] = v - carry * LIMB;
      }
    }
  };
  let top = 0;
  for (let k = 1; k <= n; k++) {
    top = Math.min(half, top + k);
    const live = Math.min(L, Math.floor(k / 32) + 1);
    for (let j = 0; j < live; j++) {
      const base = j * H;
      for (let s = base + top - k; s >= base; s--) data[s + k] = (data[s + k] as number) + (data[s] as number);
    }
    if (k % 20 === 0) normalize();
  }
  normalize();
  // prefix sums per limb (at most H·2^32 < 2^53 for n ≤ 1000), then carry
  for (let j = 0; j < L; j++) {
    const base = j * H;
    for (let s = base + 1; s < base + H; s++) data[s] = (data[s] as number) + (data[s - 1] as number);
  }
  normalize();
  t = { n, half, limbs: L, data };
  tableCache.set(n, t);
  return t;
}

/** C[k] / 2^n for k ≤ half, summed from the top limb down (≤ 1 ulp). */
function lowerFraction(t: CumulativeTable, k: number): number {
  let v = 0;
  for (let j = t.limbs - 1; j >= 0; j--) {
    const limb = t.data[j * (t.half + 1) + k] as number;
    if (limb !== 0) v += limb * 2 ** (32 * j - t.n);
  }
  return v;
}

/** P(W+ ≤ k) under the null for untied ranks 1..n (k is floored to an integer). */
export function signedRankCdf(n: number, k: number): number {
  checkN(n);
  const total = (n * (n + 1)) / 2;
  const kk = Math.floor(k);
  if (kk < 0) return 0;
  if (kk >= total) return 1;
  const t = table(n);
  if (kk <= t.half) return lowerFraction(t, kk);
  // P(W+ ≤ k) = 1 − P(W+ ≥ k + 1) = 1 − P(W+ ≤ N − k − 1), and that tail is below ½: no digits lost.
  return 1 - lowerFraction(t, total - kk - 1);
}

/** P(W+ ≥ k) under the null for untied ranks 1..n (k is ceiled), = P(W+ ≤ N − k) by symmetry. */
export function signedRankSf(n: number, k: number): number {
  checkN(n);
  const total = (n * (n + 1)) / 2;
  return signedRankCdf(n, total - Math.ceil(k));
}

/**
 * Exact sign-flip tail probabilities of W+ for arbitrary ranks given doubled (2·rank, an
 * integer; zero ranks are allowed and never move W+): P(W+ ≤ observed) and P(W+ ≥ observed)
 * with `observed2` = 2·W+ (an integer).
 */
export function signedRankTailProbabilities(ranks2: readonly number[], observed2: number): { less: number; greater: number } {
  let total = 0;
  for (const r of ranks2) {
    if (!Number.isInteger(r) || r < 0) throw new RangeError(`signedRankTailProbabilities: doubled ranks must be non-negative integers, got ${r}`);
    total += r;
  }
  if (ranks2.length > MAX_EXACT_SIGNED_RANK_N) throw new RangeError(`signedRankTailProbabilities: at most ${MAX_EXACT_SIGNED_RANK_N} ranks, got ${ranks2.length}`);
  const counts = new Array<bigint>(total + 1).fill(0n);
  counts[0] = 1n;
  let top = 0;
  for (const r of ranks2) {
    if (r > 0) {
      for (let s = top; s >= 0; s--) {
        const c = counts[s] as bigint;
        if (c !== 0n) counts[s + r] = (counts[s + r] as bigint) + c;
      }
    } else {
      for (let s = top; s >= 0; s--) counts[s] = (counts[s] as bigint) * 2n;
    }
    top += r;
  }
  let le = 0n;
  let ge = 0n;
  for (let s = 0; s <= total; s++) {
    const c = counts[s] as bigint;
    if (s <= observed2) le += c;
    if (s >= observed2) ge += c;
  }
  return { less: ratioPow2(le, ranks2.length), greater: ratioPow2(ge, ranks2.length) };
}

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`signed-rank distribution: n must be a non-negative integer, got ${n}`);
  if (n > MAX_EXACT_SIGNED_RANK_N) throw new RangeError(`signed-rank distribution: exact tables stop at n = ${MAX_EXACT_SIGNED_RANK_N}, got ${n}; use the normal approximation`);
}

/** c / 2^n correctly rounded-ish (one rounding of c to 53 bits, then an exact power-of-two scale). */
function ratioPow2(c: bigint, n: number): number {
  if (c === 0n) return 0;
  const bits = c.toString(2).length;
  let mantissa: number;
  let exp: number;
  if (bits <= 1000) {
    mantissa = Number(c); // one rounding
    exp = -n;
  } else {
    const shift = bits - 64;
    mantissa = Number(c >> BigInt(shift));
    exp = shift - n;
  }
  // Scale in two steps so neither factor overflows or underflows prematurely.
  const half = Math.trunc(exp / 2);
  return mantissa * 2 ** half * 2 ** (exp - half);
}
