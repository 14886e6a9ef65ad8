/**
 * Two-sided Student t confidence interval for a mean: x̄ ± t_{1−α/2, n−1} · s/√n with s the
 * sample standard deviation (divisor n − 1). scipy.stats.t.interval(level, n − 1, loc=mean,
 * scale=sem), R's t.test(x)$conf.int.
 *
 * Complexity: O(n) for the mean and s, plus one t quantile.
 *
 * @example
 * const ci = tConfidenceInterval([1, 2, 3, 4], 0.95);
 * ci.mean; // 2.5
 * Math.abs(ci.low - 0.4457397432394713) < 1e-12; // true
 * Math.abs(ci.high - 4.554260256760529) < 1e-12; // true
 */
import { mean } from "./mean";
import { standardError } from "./standardError";
import { studentTQuantile } from "./studentT";

export interface TConfidenceInterval {
  mean: number;
  low: number;
  high: number;
  level: number;
  /** Degrees of freedom n − 1. */
  df: number;
  /** s/√n. */
  standardError: number;
  /** Half-width t_{1−α/2, n−1} · s/√n. */
  margin: number;
}

export function tConfidenceInterval(values: ArrayLike<number>, level = 0.95): TConfidenceInterval {
  if (!(level > 0 && level < 1)) throw new RangeError(`tConfidenceInterval: level must be in (0, 1), got ${level}`);
  if (values.length < 2) throw new RangeError(`tConfidenceInterval: needs at least 2 values (got ${values.length})`);
  const m = mean(values);
  const se = standardError(values);
  const df = values.length - 1;
  const margin = studentTQuantile(1 - (1 - level) / 2, df) * se;
  return { mean: m, low: m - margin, high: m + margin, level, df, standardError: se, margin };
}
