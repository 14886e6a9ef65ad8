/**
 * Cosine similarity of two vectors, a·b / √(‖a‖²‖b‖²) (scipy.spatial.distance's form, 1 − cosine distance), accumulated in float64 even for
 * Float32Array inputs (each float32 element is converted exactly; products and sums are
 * double), as numpy does for `np.dot(a.astype(np.float64), b.astype(np.float64))`.
 * Throws on a length mismatch, an empty vector, a non-finite element or a zero vector (the
 * cosine is undefined there; no silent NaN).
 *
 * Complexity: O(d) time in one pass, O(1) memory.
 *
 * @example
 * cosineSimilarity([1, 0], [0, 1]); // 0
 * cosineSimilarity(new Float32Array([1, 2, 3]), new Float32Array([2, 4, 6])); // 1
 * cosineSimilarity([1, 1], [1, 0]); // 0.7071067811865475
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`cosineSimilarity: vectors differ in length (${n} and ${b.length})`);
  if (n === 0) throw new RangeError("cosineSimilarity: empty vectors");
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (!Number.isFinite(dot + na + nb)) throw new RangeError("cosineSimilarity: a vector has a non-finite element");
  if (na === 0 || nb === 0) throw new RangeError(`cosineSimilarity: ${na === 0 ? "first" : "second"} vector is all zeros; cosine is undefined`);
  const prod = na * nb;
  const c = Number.isFinite(prod) && prod > 0 ? dot / Math.sqrt(prod) : dot / (Math.sqrt(na) * Math.sqrt(nb));
  return c > 1 ? 1 : c < -1 ? -1 : c;
}
