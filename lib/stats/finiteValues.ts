/**
 * The input check of the simple-statistics wrappers (mean, standard deviations, quantile,
 * median): simple-statistics returns NaN or a wrong number for NaN, ±Infinity or non-numbers
 * (its `sum` returns NaN on a non-number and propagates NaN; its `quantileSorted` accepts
 * p = NaN), so the wrappers reject such input with an error naming the function and the index.
 *
 * Complexity: O(n) time; O(1) extra memory for an array, O(n) for another array-like (copied).
 *
 * @example
 * finiteValues([1, 2.5], "mean"); // [1, 2.5]
 * finiteValues(new Float64Array([1, 2]), "mean"); // [1, 2]
 */
export function finiteValues(values: ArrayLike<number>, who: string, atLeast = 1): number[] {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new TypeError(`${who}: expected an array of numbers, got ${values === null ? "null" : typeof values}`);
  }
  const n = values.length;
  if (n < atLeast) throw new RangeError(n === 0 ? `${who}: no values` : `${who}: needs at least ${atLeast} values (got ${n})`);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${who}: value ${i} is not a finite number (${String(v)})`);
  }
  return Array.isArray(values) ? (values as number[]) : Array.from(values);
}
