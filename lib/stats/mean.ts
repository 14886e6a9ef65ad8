/**
 * Arithmetic mean (sum / n), summed with Neumaier's compensated summation so that long or
 * ill-conditioned inputs keep full precision (agrees with numpy.mean, which sums pairwise, to
 * about one ulp).
 *
 * Complexity: O(n) time, O(1) memory.
 *
 * @example
 * mean([1, 2, 3, 4]); // 2.5
 * mean([0.5, 0.25, 0.75]); // 0.5
 */
export function mean(values: ArrayLike<number>): number {
  return compensatedSum(values, "mean") / values.length;
}

/** Neumaier-compensated sum; throws RangeError on an empty input or a non-finite value. */
export function compensatedSum(values: ArrayLike<number>, who = "sum"): number {
  const n = values.length;
  if (n === 0) throw new RangeError(`${who}: no values`);
  let sum = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) throw new RangeError(`${who}: value ${i} is not a finite number (${String(v)})`);
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + c;
}
