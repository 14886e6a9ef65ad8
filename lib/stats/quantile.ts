/**
 * Sample quantile of already sorted values, linear interpolation between order statistics
 * (Hyndman & Fan type 7: numpy.quantile's default method "linear", R's quantile and pandas):
 * simple-statistics' `quantileSorted` (type 7 since simple-statistics 7.8), behind checks that
 * reject an empty input, non-finite values and p outside [0, 1] (NaN included). The input is
 * not re-sorted: sort first.
 *
 * Complexity: O(n) for the input check, O(1) for the quantile (sorting first: O(n log n)).
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 * quantile([1, 2, 3, 4], 0.25); // 1.75
 */
import * as ss from "simple-statistics";
import { finiteValues } from "./finiteValues";

export function quantile(sorted: readonly number[], p: number): number {
  const x = finiteValues(sorted, "quantile");
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  return ss.quantileSorted(x, p);
}
