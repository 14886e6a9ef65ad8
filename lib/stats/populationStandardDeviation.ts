/**
 * Population standard deviation: divisor n (the data are the whole population, or the maximum-
 * likelihood estimate under normality). numpy.std(x) with its default ddof=0. simple-statistics'
 * `standardDeviation`, behind the finite-input check. Use `sampleStandardDeviation` (divisor
 * n − 1) for a sample of seeds or runs.
 *
 * Complexity: O(n) time (two passes), O(1) memory.
 *
 * @example
 * populationStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]); // 2
 * populationStandardDeviation([5]); // 0
 */
import * as ss from "simple-statistics";
import { finiteValues } from "./finiteValues";

export function populationStandardDeviation(values: ArrayLike<number>): number {
  return ss.standardDeviation(finiteValues(values, "populationStandardDeviation"));
}
