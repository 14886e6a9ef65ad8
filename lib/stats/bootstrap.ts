/**
 * Seeded nonparametric bootstrap confidence interval for a mean: percentile or BCa
 * (bias-corrected and accelerated, Efron & Tibshirani 1993 §14.3, eq. 14.10–14.15), following
 * `scipy.stats.bootstrap(..., method="percentile" | "BCa")` step for step: resample with
 * replacement `resamples` times (default 9999, scipy's), take type-7 quantiles of the bootstrap
 * means; for BCa, z₀ = Φ⁻¹((#{θ* < θ̂} + #{θ* ≤ θ̂}) / 2B) and the acceleration from the
 * jackknife means. Random draws come only from the `Rng` passed in, so a seed fixes the result
 * (scipy's own draws differ, so intervals agree with scipy's in distribution, not digit for
 * digit; the BCa arithmetic given the same bootstrap means is checked against scipy).
 *
 * Degenerate input (all values equal) gives the interval [x̄, x̄]. If every bootstrap mean lies
 * on one side of x̄, BCa is undefined and the percentile interval is returned, with
 * `method: "percentile"` saying so.
 *
 * Complexity: O(B·n) time for B resamples of n values, O(B) memory (B means kept and sorted:
 * O(B log B)).
 *
 * @example
 * const r = bootstrapMean([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], createRng(1), { resamples: 2000 });
 * r.estimate; // 5.5
 * r.low < 5.5 && 5.5 < r.high; // true
 * r.method; // "bca"
 * bootstrapMean([2, 2, 2], createRng(1)).high; // 2
 */
import { mean } from "./mean";
import { normalCdf, normalQuantile } from "./normal";
import { quantile } from "./quantile";
import { type Rng, randomInt } from "./rng";
import { sampleStandardDeviation } from "./sampleStandardDeviation";

export type BootstrapMethod = "percentile" | "bca";

export interface BootstrapOptions {
  /** Number of bootstrap resamples B; default 9999 (scipy's default). */
  resamples?: number;
  /** Two-sided confidence level; default 0.95. */
  level?: number;
  /** Default "bca" (scipy's default). */
  method?: BootstrapMethod;
}

export interface BootstrapInterval {
  /** The statistic on the original data (here the mean). */
  estimate: number;
  low: number;
  high: number;
  level: number;
  resamples: number;
  /** The method used (BCa falls back to percentile when undefined; see the module doc). */
  method: BootstrapMethod;
  /** Standard deviation (ddof 1) of the bootstrap means: the bootstrap standard error. */
  standardError: number;
}

/** The pieces of a BCa interval, given the bootstrap replicates and the jackknife values. */
export interface BcaParts {
  low: number;
  high: number;
  /** Bias correction z₀. */
  z0: number;
  /** Acceleration â. */
  acceleration: number;
  /** Adjusted quantile levels α₁, α₂ used on the replicates. */
  alphaLow: number;
  alphaHigh: number;
}

function checkOptions(who: string, o: BootstrapOptions): Required<BootstrapOptions> {
  const resamples = o.resamples ?? 9999;
  const level = o.level ?? 0.95;
  const method = o.method ?? "bca";
  if (!Number.isInteger(resamples) || resamples < 2) throw new RangeError(`${who}: resamples must be an integer ≥ 2 (got ${resamples})`);
  if (!(level > 0 && level < 1)) throw new RangeError(`${who}: level must be in (0, 1) (got ${level})`);
  if (method !== "percentile" && method !== "bca") throw new RangeError(`${who}: method must be "percentile" or "bca" (got "${String(method)}")`);
  return { resamples, level, method };
}

/** Means of B resamples (with replacement) of `values`, drawn from `rng`, sorted ascending. */
export function bootstrapMeans(values: ArrayLike<number>, rng: Rng, resamples: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[randomInt(rng, n)] as number;
    out[b] = s / n;
  }
  return out;
}

/** Type-7 percentile interval [q(α/2), q(1 − α/2)] of bootstrap replicates. */
export function percentileInterval(replicates: ArrayLike<number>, level: number): { low: number; high: number } {
  const sorted = Array.from(replicates).sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha) };
}

/**
 * BCa interval from bootstrap replicates θ*, the estimate θ̂ and the jackknife values θ̂₍ᵢ₎
 * (scipy.stats._resampling._bca_interval). Returns NaN bounds when z₀ is infinite.
 */
export function bcaInterval(replicates: ArrayLike<number>, estimate: number, jackknife: ArrayLike<number>, level: number): BcaParts {
  const B = replicates.length;
  let below = 0;
  let atOrBelow = 0;
  for (let i = 0; i < B; i++) {
    const r = replicates[i] as number;
    if (r < estimate) below++;
    if (r <= estimate) atOrBelow++;
  }
  const z0 = normalQuantile((below + atOrBelow) / (2 * B));
  const n = jackknife.length;
  let jm = 0;
  for (let i = 0; i < n; i++) jm += jackknife[i] as number;
  jm /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const u = (n - 1) * (jm - (jackknife[i] as number));
    num += u * u * u;
    den += u * u;
  }
  const acceleration = (num / n ** 3 / (den / n ** 2) ** 1.5) / 6;
  const zAlpha = normalQuantile((1 - level) / 2);
  const n1 = z0 + zAlpha;
  const n2 = z0 - zAlpha;
  const alphaLow = normalCdf(z0 + n1 / (1 - acceleration * n1));
  const alphaHigh = normalCdf(z0 + n2 / (1 - acceleration * n2));
  if (!Number.isFinite(z0) || Number.isNaN(alphaLow) || Number.isNaN(alphaHigh)) {
    return { low: Number.NaN, high: Number.NaN, z0, acceleration, alphaLow, alphaHigh };
  }
  const sorted = Array.from(replicates).sort((a, b) => a - b);
  return { low: quantile(sorted, alphaLow), high: quantile(sorted, alphaHigh), z0, acceleration, alphaLow, alphaHigh };
}

/** Jackknife (leave-one-out) means of `values`: O(n). */
export function jackknifeMeans(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i] as number;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (s - (values[i] as number)) / (n - 1);
  return out;
}

/** Bootstrap confidence interval for the mean of `values` (see the module doc). */
export function bootstrapMean(values: ArrayLike<number>, rng: Rng, options: BootstrapOptions = {}): BootstrapInterval {
  const { resamples, level, method } = checkOptions("bootstrapMean", options);
  const estimate = mean(values); // also validates: non-empty, finite
  if (values.length < 2) throw new RangeError(`bootstrapMean: needs at least 2 values (got ${values.length})`);
  let constant = true;
  for (let i = 1; i < values.length && constant; i++) constant = values[i] === values[0];
  if (constant) return { estimate, low: estimate, high: estimate, level, resamples, method, standardError: 0 };
  const reps = bootstrapMeans(values, rng, resamples);
  const se = sampleSd(reps);
  if (method === "bca") {
    const parts = bcaInterval(reps, estimate, jackknifeMeans(values), level);
    if (Number.isFinite(parts.low) && Number.isFinite(parts.high)) {
      return { estimate, low: parts.low, high: parts.high, level, resamples, method, standardError: se };
    }
  }
  const p = percentileInterval(reps, level);
  return { estimate, low: p.low, high: p.high, level, resamples, method: "percentile", standardError: se };
}

function sampleSd(v: Float64Array): number {
  return sampleStandardDeviation(v);
}
