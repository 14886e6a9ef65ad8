/**
 * Standard error of the mean: sample standard deviation (divisor n − 1) over √n.
 * scipy.stats.sem(x) (default ddof=1).
 *
 * Complexity: O(n) time, O(1) memory.
 *
 * @example
 * standardError([1, 2, 3, 4]); // 0.6454972243679028
 */
import { sampleStandardDeviation } from "./sampleStandardDeviation";

export function standardError(values: ArrayLike<number>): number {
  if (values.length < 2) throw new RangeError(`standardError: needs at least 2 values (got ${values.length})`);
  return sampleStandardDeviation(values) / Math.sqrt(values.length);
}
