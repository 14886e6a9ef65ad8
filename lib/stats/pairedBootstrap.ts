/**
 * Paired bootstrap confidence interval for a difference of means, mean(b − a): the pairs
 * (aᵢ, bᵢ) are resampled together (equivalently, the differences dᵢ = bᵢ − aᵢ are resampled),
 * so per-item difficulty cancels, as in a paired t-test. Percentile or BCa, seeded, as
 * `bootstrapMean` (scipy.stats.bootstrap((b - a,), np.mean, method=...) in distribution).
 *
 * Complexity: O(B·n) time, O(B + n) memory.
 *
 * @example
 * const r = pairedBootstrapMeanDifference([3, 5, 4, 6, 5], [1, 2, 2, 3, 3], createRng(7), { resamples: 1000 });
 * r.estimate; // 2.4
 * r.low <= r.estimate && r.estimate <= r.high; // true
 */
import { type BootstrapInterval, type BootstrapOptions, bootstrapMean } from "./bootstrap";
import { pairedDifferences } from "./wilcoxon";
import type { Rng } from "./rng";


/** Bootstrap CI of mean(b − a) resampling pairs. Throws on length mismatch, NaN or fewer than 2 pairs. */
export function pairedBootstrapMeanDifference(b: readonly number[], a: readonly number[], rng: Rng, options: BootstrapOptions = {}): BootstrapInterval {
  const d = pairedDifferences(b, a, "pairedBootstrapMeanDifference");
  if (d.length < 2) throw new RangeError(`pairedBootstrapMeanDifference: needs at least 2 pairs (got ${d.length})`);
  return bootstrapMean(d, rng, options);
}
