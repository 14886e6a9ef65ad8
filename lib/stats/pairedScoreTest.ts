/**
 * Paired comparison of two configurations scored on the same items — "is A's MT-Bench score
 * higher than B's on the same questions?". Combines, on the per-question differences
 * dᵢ = aᵢ − bᵢ:
 * - the mean difference with a seeded paired bootstrap confidence interval (BCa by default;
 *   `pairedBootstrapMeanDifference`), and
 * - a Wilcoxon signed-rank test (`wilcoxonSignedRank`), one-sided "greater" by default (H1: A
 *   scores higher), zero method "wilcox" (questions scored equally are dropped; MT-Bench's 1–10
 *   integer scores tie often, so `method: "auto"` usually resolves to the tie-corrected normal
 *   approximation, or to the exact sign-flip distribution for ≤ 13 questions).
 * Also counts wins, losses and ties. `alignByQuestion` pairs two score maps on their common
 * question ids first (scores missing on either side are left out and counted, never imputed).
 *
 * Complexity: O(B·n) for the bootstrap plus O(n log n) for the test.
 *
 * @example
 * const a = [8, 9, 7, 9, 8, 10, 6, 9, 8, 9];
 * const b = [7, 8, 7, 6, 8, 9, 5, 7, 6, 8];
 * const r = pairedScoreTest(a, b, createRng(3), { resamples: 2000 });
 * r.meanDifference; // 1.2
 * r.wins; // 8
 * r.ties; // 2
 * r.wilcoxon.method; // "permutation"
 * r.pValue < 0.01; // true
 */
import { type BootstrapMethod, bootstrapMean } from "./bootstrap";
import { mean } from "./mean";
import type { Rng } from "./rng";
import { type WilcoxonAlternative, type WilcoxonMethod, type WilcoxonResult, type WilcoxonZeroMethod, pairedDifferences, wilcoxonSignedRank } from "./wilcoxon";

export interface PairedScoreTestOptions {
  /** Default "greater": H1 is "A scores higher than B". */
  alternative?: WilcoxonAlternative;
  /** Wilcoxon zero method; default "wilcox". */
  zeroMethod?: WilcoxonZeroMethod;
  /** Wilcoxon method; default "auto". */
  method?: WilcoxonMethod;
  /** Continuity correction for the normal approximation; default false. */
  correction?: boolean;
  /** Bootstrap resamples; default 9999. */
  resamples?: number;
  /** Confidence level of the interval; default 0.95. */
  level?: number;
  /** Default "bca". */
  bootstrapMethod?: BootstrapMethod;
}

export interface PairedScoreTestResult {
  /** Number of paired questions. */
  n: number;
  meanA: number;
  meanB: number;
  /** mean(a − b). */
  meanDifference: number;
  /** Bootstrap confidence interval of mean(a − b). */
  ci: { low: number; high: number; level: number; method: BootstrapMethod; resamples: number };
  wilcoxon: WilcoxonResult;
  /** The Wilcoxon p-value for `alternative`. */
  pValue: number;
  /** Questions where A > B, A < B, A = B. */
  wins: number;
  losses: number;
  ties: number;
}

/** Tests whether configuration A scores higher than B on the same items (see the module doc). */
export function pairedScoreTest(a: readonly number[], b: readonly number[], rng: Rng, options: PairedScoreTestOptions = {}): PairedScoreTestResult {
  const d = pairedDifferences(a, b, "pairedScoreTest");
  if (d.length < 2) throw new RangeError(`pairedScoreTest: needs at least 2 paired questions (got ${d.length})`);
  const alternative = options.alternative ?? "greater";
  const w = wilcoxonSignedRank(d, null, {
    alternative,
    zeroMethod: options.zeroMethod ?? "wilcox",
    method: options.method ?? "auto",
    correction: options.correction ?? false,
  });
  const boot = bootstrapMean(d, rng, {
    ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
    ...(options.level !== undefined ? { level: options.level } : {}),
    ...(options.bootstrapMethod !== undefined ? { method: options.bootstrapMethod } : {}),
  });
  let wins = 0;
  let losses = 0;
  for (const v of d) {
    if (v > 0) wins++;
    else if (v < 0) losses++;
  }
  return {
    n: d.length,
    meanA: mean(a),
    meanB: mean(b),
    meanDifference: boot.estimate,
    ci: { low: boot.low, high: boot.high, level: boot.level, method: boot.method, resamples: boot.resamples },
    wilcoxon: w,
    pValue: w.pValue,
    wins,
    losses,
    ties: d.length - wins - losses,
  };
}

/** Pairs two per-question score maps on their common ids (sorted), counting ids only one side has. */
export function alignByQuestion(
  a: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
  b: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
): { ids: string[]; a: number[]; b: number[]; onlyA: string[]; onlyB: string[] } {
  const ma = a instanceof Map ? (a as ReadonlyMap<string, number>) : new Map(Object.entries(a));
  const mb = b instanceof Map ? (b as ReadonlyMap<string, number>) : new Map(Object.entries(b));
  const ids = [...ma.keys()].filter((k) => mb.has(k)).sort((x, y) => x.localeCompare(y, "en", { numeric: true }));
  return {
    ids,
    a: ids.map((k) => ma.get(k) as number),
    b: ids.map((k) => mb.get(k) as number),
    onlyA: [...ma.keys()].filter((k) => !mb.has(k)),
    onlyB: [...mb.keys()].filter((k) => !ma.has(k)),
  };
}
