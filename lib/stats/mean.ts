/**
 * Arithmetic mean (sum / n): simple-statistics' `mean`, whose sum is Kahan–Babuška–Neumaier
 * compensated, so long or ill-conditioned inputs keep full precision (agrees with numpy.mean,
 * which sums pairwise, to about one ulp; test/stats/simpleStatistics.test.ts checks 1e-12).
 * Non-finite values and an empty input are errors (see `finiteValues`).
 *
 * Complexity: O(n) time, O(1) memory.
 *
 * @example
 * mean([1, 2, 3, 4]); // 2.5
 * mean([0.5, 0.25, 0.75]); // 0.5
 */
import * as ss from "simple-statistics";
import { finiteValues } from "./finiteValues";

export function mean(values: ArrayLike<number>): number {
  return ss.mean(finiteValues(values, "mean"));
}

/**
 * Compensated sum (simple-statistics' `sum`, Kahan–Babuška–Neumaier); throws RangeError on an
 * empty input or a non-finite value.
 *
 * @example
 * compensatedSum([1e16, 1, -1e16]); // 1
 */
export function compensatedSum(values: ArrayLike<number>, who = "sum"): number {
  return ss.sum(finiteValues(values, who));
}
