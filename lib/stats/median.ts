/**
 * Median: the middle value, or the mean of the two middle values for an even count
 * (numpy.median; the type 7 quantile at 0.5). simple-statistics' `median` (selection on a copy:
 * the input is neither sorted nor modified), behind the finite-input check.
 *
 * Complexity: O(n) expected time, O(n) memory (the copy).
 *
 * @example
 * median([3, 1, 2]); // 2
 * median([4, 1, 3, 2]); // 2.5
 */
import * as ss from "simple-statistics";
import { finiteValues } from "./finiteValues";

export function median(values: ArrayLike<number>): number {
  return ss.median(finiteValues(values, "median"));
}
