/**
 * Sum of squared deviations from the mean, Σ(xᵢ − x̄)², by the two-pass algorithm (mean first,
 * then the deviations, with the usual correction term for the rounding of the mean), the same
 * approach as numpy.var.
 *
 * Complexity: O(n) time, O(1) memory.
 *
 * @example
 * sumOfSquaredDeviations([1, 2, 3, 4]); // 5
 */
import { mean } from "./mean";

export function sumOfSquaredDeviations(values: ArrayLike<number>): number {
  const m = mean(values);
  let ss = 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const d = (values[i] as number) - m;
    ss += d * d;
    s += d;
  }
  return Math.max(0, ss - (s * s) / values.length);
}
