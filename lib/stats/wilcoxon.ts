/**
 * Wilcoxon signed-rank test, paired (x, y → differences x − y) or one-sample (differences
 * given directly), matching `scipy.stats.wilcoxon` (scipy 1.17) option for option.
 *
 * Variants, named as in scipy:
 * - `alternative`: "two-sided" (default), "greater" (differences tend to be positive, i.e.
 *   x > y), "less".
 * - `zeroMethod`: "wilcox" (default; zero differences are dropped, n counts the non-zero ones),
 *   "pratt" (zeros are ranked, then contribute to neither sum; normal approximation adjusted,
 *   Cureton 1967), "zsplit" (zeros are ranked and half of their rank sum goes to each side).
 * - `method`: "auto" (default; scipy's rule: exact if the number of differences, zeros
 *   included, is ≤ 50 and there are no ties and no zeros; otherwise the exact sign-flip
 *   permutation distribution when there are ≤ 13 differences; otherwise the normal
 *   approximation), "exact" (null distribution of untied ranks 1..n; with ties or zeros this is
 *   scipy's conservative variant: W+ is rounded down for P(W ≥ ·) and up for P(W ≤ ·)),
 *   "approx" (normal approximation with the tie-corrected variance
 *   n(n+1)(2n+1)/24 − Σ(t³ − t)/48), "permutation" (exact distribution of W+ under independent
 *   sign flips, conditional on the observed ranks and ties).
 * - `correction` (default false, as in scipy): continuity correction of ½ toward the mean in the
 *   normal approximation.
 *
 * Statistic convention (scipy's): `statistic` is min(W+, W−) when two-sided and W+ otherwise;
 * both sums are also returned. Exact p-values are computed from the tail itself with BigInt
 * counts (`signedRankDistribution.ts`), so P = 2^-50 at n = 50 keeps every digit; scipy's own
 * float table is exact up to n ≈ 53 and loses absolute ~1e-16 beyond when it uses 1 − cdf.
 *
 * Complexity: O(n log n) for the ranks; exact: O(n³) BigInt additions the first time a given n
 * is seen (cached), then O(1); permutation: O(n·Σranks) BigInt additions; approx: O(1).
 *
 * @example
 * const d = Array.from({ length: 30 }, (_, i) => i + 1);
 * wilcoxonSignedRank(d, null, { alternative: "greater" }).pValue === 2 ** -30; // true
 * wilcoxonSignedRank([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]).pValue; // 0.0625
 * wilcoxonSignedRank([1, -2, 3, 4, 5]).statistic; // 2
 * wilcoxonSignedRank([1, -2, 3, 4, 5], null, { method: "approx" }).method; // "approx"
 */
import { normalCdf, normalSf } from "./normal";
import { signedRankCdf, signedRankSf, signedRankTailProbabilities } from "./signedRankDistribution";

export type WilcoxonAlternative = "two-sided" | "greater" | "less";
export type WilcoxonZeroMethod = "wilcox" | "pratt" | "zsplit";
export type WilcoxonMethod = "exact" | "approx" | "auto" | "permutation";

export interface WilcoxonOptions {
  /** Default "two-sided". */
  alternative?: WilcoxonAlternative;
  /** Default "wilcox". */
  zeroMethod?: WilcoxonZeroMethod;
  /** Default "auto" (scipy's rule). */
  method?: WilcoxonMethod;
  /** Continuity correction in the normal approximation; default false (scipy's default). */
  correction?: boolean;
}

export interface WilcoxonResult {
  /** two-sided: min(W+, W−); greater / less: W+ (scipy's convention). */
  statistic: number;
  pValue: number;
  /** The method actually used ("auto" resolved). */
  method: "exact" | "approx" | "permutation";
  /** Number of differences the null distribution uses: non-zero ones for "wilcox", all for "pratt" and "zsplit". */
  n: number;
  /** Sum of ranks of positive differences (plus half the zero ranks under "zsplit"). */
  wPlus: number;
  /** Sum of ranks of negative differences (plus half the zero ranks under "zsplit"). */
  wMinus: number;
  /** Standardized W+ of the normal approximation (continuity-corrected when asked); null unless method is "approx". */
  z: number | null;
  /** Zero differences in the input. */
  zeros: number;
  /** Whether non-zero |differences| (or, for pratt/zsplit, zeros) are tied. */
  ties: boolean;
  alternative: WilcoxonAlternative;
  zeroMethod: WilcoxonZeroMethod;
  correction: boolean;
}

const ALTERNATIVES: readonly WilcoxonAlternative[] = ["two-sided", "greater", "less"];
const ZERO_METHODS: readonly WilcoxonZeroMethod[] = ["wilcox", "pratt", "zsplit"];
const METHODS: readonly WilcoxonMethod[] = ["exact", "approx", "auto", "permutation"];

/** Differences x − y (or x itself), validated: finite numbers, equal lengths, at least one value. */
export function pairedDifferences(x: readonly number[], y?: readonly number[] | null, who = "wilcoxonSignedRank"): number[] {
  if (y !== undefined && y !== null && y.length !== x.length) {
    throw new RangeError(`${who}: x and y must have the same length (got ${x.length} and ${y.length})`);
  }
  if (x.length === 0) throw new RangeError(`${who}: no observations`);
  const d = new Array<number>(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    if (typeof xi !== "number" || !Number.isFinite(xi)) throw new RangeError(`${who}: x[${i}] is not a finite number (${String(xi)})`);
    let di = xi;
    if (y !== undefined && y !== null) {
      const yi = y[i] as number;
      if (typeof yi !== "number" || !Number.isFinite(yi)) throw new RangeError(`${who}: y[${i}] is not a finite number (${String(yi)})`);
      di = xi - yi;
    }
    d[i] = di;
  }
  return d;
}

/** Average ranks (1-based) of `values` plus the sizes of the tie groups, in ascending order of value. */
function averageRanks(values: readonly number[]): { ranks: number[]; groups: number[] } {
  const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
  const ranks = new Array<number>(values.length);
  const groups: number[] = [];
  let i = 0;
  while (i < order.length) {
    let j = i + 1;
    while (j < order.length && values[order[j] as number] === values[order[i] as number]) j++;
    const r = (i + 1 + j) / 2; // average of ranks i+1..j
    for (let k = i; k < j; k++) ranks[order[k] as number] = r;
    groups.push(j - i);
    i = j;
  }
  return { ranks, groups };
}

/**
 * Wilcoxon signed-rank test of H0 "the differences are symmetric about 0", scipy.stats.wilcoxon
 * semantics. Throws RangeError on length mismatch, NaN/Infinity, an empty sample, no non-zero
 * difference, or an unknown option.
 */
export function wilcoxonSignedRank(x: readonly number[], y?: readonly number[] | null, options: WilcoxonOptions = {}): WilcoxonResult {
  const alternative = options.alternative ?? "two-sided";
  const zeroMethod = options.zeroMethod ?? "wilcox";
  const requested = options.method ?? "auto";
  const correction = options.correction ?? false;
  if (!ALTERNATIVES.includes(alternative)) throw new RangeError(`wilcoxonSignedRank: alternative must be one of ${ALTERNATIVES.join(", ")} (got "${String(alternative)}")`);
  if (!ZERO_METHODS.includes(zeroMethod)) throw new RangeError(`wilcoxonSignedRank: zeroMethod must be one of ${ZERO_METHODS.join(", ")} (got "${String(zeroMethod)}")`);
  if (!METHODS.includes(requested)) throw new RangeError(`wilcoxonSignedRank: method must be one of ${METHODS.join(", ")} (got "${String(requested)}")`);
  if (typeof correction !== "boolean") throw new RangeError(`wilcoxonSignedRank: correction must be true or false`);

  const d = pairedDifferences(x, y);
  const total = d.length;
  const zeros = d.filter((v) => v === 0).length;
  if (zeros === total) {
    throw new RangeError(`wilcoxonSignedRank: all ${total} differences are zero; the test needs at least one non-zero difference`);
  }

  // Rank |d|: only the non-zero ones under "wilcox", all of them otherwise (zeros rank lowest).
  const kept = zeroMethod === "wilcox" ? d.filter((v) => v !== 0) : d;
  const { ranks, groups } = averageRanks(kept.map(Math.abs));
  const count = kept.length;
  let wPlus = 0;
  let wMinus = 0;
  let zeroRankSum = 0;
  for (let i = 0; i < count; i++) {
    const v = kept[i] as number;
    const r = ranks[i] as number;
    if (v > 0) wPlus += r;
    else if (v < 0) wMinus += r;
    else zeroRankSum += r;
  }
  if (zeroMethod === "zsplit") {
    wPlus += zeroRankSum / 2;
    wMinus += zeroRankSum / 2;
  }
  const ties = groups.some((g) => g > 1);

  let method: "exact" | "approx" | "permutation";
  if (requested === "auto") {
    if (total > 50) method = "approx";
    else if (!ties && zeros === 0) method = "exact";
    else if (total <= 13) method = "permutation";
    else method = "approx";
  } else {
    method = requested;
  }

  let pValue: number;
  let z: number | null = null;
  if (method === "approx") {
    let mean = (count * (count + 1)) / 4;
    let varianceTimes24 = count * (count + 1) * (2 * count + 1);
    let tieGroups = groups;
    if (zeroMethod === "pratt" && zeros > 0) {
      mean -= (zeros * (zeros + 1)) / 4;
      varianceTimes24 -= zeros * (zeros + 1) * (2 * zeros + 1);
      tieGroups = groups.slice(1); // the zero group (lowest |d|) is not a tie correction
    }
    let tieSum = 0;
    for (const t of tieGroups) tieSum += t * t * t - t;
    const se = Math.sqrt((varianceTimes24 - tieSum / 2) / 24);
    let zz = (wPlus - mean) / se;
    if (correction) {
      const sign = alternative === "greater" ? 1 : alternative === "less" ? -1 : Math.sign(zz);
      zz -= (sign * 0.5) / se;
    }
    z = zz;
    if (alternative === "less") pValue = normalCdf(zz);
    else if (alternative === "greater") pValue = normalSf(zz);
    else pValue = 2 * normalSf(Math.abs(zz));
  } else if (method === "exact") {
    if (alternative === "less") pValue = signedRankCdf(count, Math.ceil(wPlus));
    else if (alternative === "greater") pValue = signedRankSf(count, Math.floor(wPlus));
    else pValue = Math.min(1, 2 * Math.min(signedRankSf(count, Math.floor(wPlus)), signedRankCdf(count, Math.ceil(wPlus))));
  } else {
    // Sign flips of the non-zero differences; zero ranks never change W+ (under zsplit they
    // add the same constant to the observed and to every permuted W+).
    const ranks2: number[] = [];
    let observed2 = 0;
    for (let i = 0; i < count; i++) {
      const v = kept[i] as number;
      if (v === 0) continue;
      const r2 = 2 * (ranks[i] as number);
      ranks2.push(r2);
      if (v > 0) observed2 += r2;
    }
    const tails = signedRankTailProbabilities(ranks2, observed2);
    if (alternative === "less") pValue = tails.less;
    else if (alternative === "greater") pValue = tails.greater;
    else pValue = Math.min(1, 2 * Math.min(tails.less, tails.greater));
  }

  return {
    statistic: alternative === "two-sided" ? Math.min(wPlus, wMinus) : wPlus,
    pValue,
    method,
    n: count,
    wPlus,
    wMinus,
    z,
    zeros,
    ties,
    alternative,
    zeroMethod,
    correction,
  };
}
