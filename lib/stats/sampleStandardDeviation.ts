/**
 * Sample standard deviation: the square root of the unbiased sample variance, divisor n − 1
 * (Bessel's correction). numpy.std(x, ddof=1), R's sd(x), pandas' .std().
 * Use `populationStandardDeviation` for divisor n (numpy.std's default ddof=0).
 *
 * Complexity: O(n) time (two passes), O(1) memory.
 *
 * @example
 * sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]); // 2.138089935299395
 * sampleStandardDeviation([1, 2, 3, 4]); // 1.2909944487358056
 */
import { sumOfSquaredDeviations } from "./sumOfSquaredDeviations";

export function sampleStandardDeviation(values: ArrayLike<number>): number {
  if (values.length < 2) throw new RangeError(`sampleStandardDeviation: needs at least 2 values (got ${values.length})`);
  return Math.sqrt(sumOfSquaredDeviations(values) / (values.length - 1));
}
