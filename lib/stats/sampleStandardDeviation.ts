/**
 * Sample standard deviation: the square root of the unbiased sample variance, divisor n − 1
 * (Bessel's correction). numpy.std(x, ddof=1), R's sd(x), pandas' .std(). simple-statistics'
 * `sampleStandardDeviation` (two passes: its compensated mean, then the squared deviations),
 * behind the finite-input check. Use `populationStandardDeviation` for divisor n (numpy.std's
 * default ddof=0).
 *
 * Complexity: O(n) time (two passes), O(1) memory.
 *
 * @example
 * sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]); // 2.138089935299395
 * sampleStandardDeviation([1, 2, 3, 4]); // 1.2909944487358056
 */
import * as ss from "simple-statistics";
import { finiteValues } from "./finiteValues";

export function sampleStandardDeviation(values: ArrayLike<number>): number {
  return ss.sampleStandardDeviation(finiteValues(values, "sampleStandardDeviation", 2));
}
