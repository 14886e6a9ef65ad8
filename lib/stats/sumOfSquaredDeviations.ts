/**
 * Sum of squared deviations from the mean, Σ(xᵢ − x̄)², by two passes (the compensated mean
 * first, then the deviations): simple-statistics' `sumNthPowerDeviations(x, 2)`, behind the
 * finite-input check.
 *
 * Complexity: O(n) time, O(1) memory.
 *
 * @example
 * sumOfSquaredDeviations([1, 2, 3, 4]); // 5
 */
import * as ss from "simple-statistics";
import { finiteValues } from "./finiteValues";

export function sumOfSquaredDeviations(values: ArrayLike<number>): number {
  return ss.sumNthPowerDeviations(finiteValues(values, "sumOfSquaredDeviations"), 2);
}
