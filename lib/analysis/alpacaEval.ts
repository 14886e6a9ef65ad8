/**
 * AlpacaEval 2.0 win rates recomputed from `annotations.json` exactly as alpaca_eval's
 * `get_winrate` does (`src/alpaca_eval/metrics/winrate.py` and `metrics/helpers.py`):
 *
 * - each preference p in [1, 2] becomes p - 1 (0 and 1.5 are draws, 0.5); null preferences
 *   and numbers outside [1, 2] are dropped (counted in `nNullPreference` /
 *   `nOutOfRangePreference`);
 * - `win_rate` = 100 · mean, `standard_error` = 100 · sample standard error (ddof = 1, pandas
 *   `Series.sem()`), `n_wins` = #(p > 1.5), `n_wins_base` = #(p < 1.5), `n_draws` = #(p = 1.5
 *   or 0), `n_total` = #kept;
 * - `discrete_win_rate` (alpaca_eval's ZeroOneScoringRule): 1.5 -> 0, round half to even,
 *   0 -> draw (0.5), then 100 · mean over the rounded values that lie in [1, 2];
 * - `avg_length` (alpaca_eval `main.py`: `int(model_outputs["output"].str.len().mean())`): the
 *   mean length of the model's outputs in Unicode code points (Python's `len`, not JS's UTF-16
 *   `length`), truncated to an integer; null outputs are skipped (pandas' NaN). It is taken from
 *   `model_outputs.json` when given (that file can hold rows the annotations lack), else from the
 *   annotations' `output_2`; `avgLengthSource` says which.
 *
 * Complexity: O(n) time over the annotations and output characters; O(1) extra memory.
 */
import type { AlpacaAnnotation, AlpacaModelOutput, AlpacaPreference, AlpacaWinCounts } from "../io/alpacaEval";
import { mean } from "../stats/mean";
import { standardError } from "../stats/standardError";

export interface AlpacaWinRate extends AlpacaWinCounts {
  /** 100 · mean(p - 1) over kept annotations; null when none is kept. */
  winRate: number | null;
  avgLengthSource: "model_outputs" | "annotations";
  /** Annotations read (kept or not). */
  nAnnotations: number;
  /** Annotations dropped because their preference is null (NaN). */
  nNullPreference: number;
  /** Annotations dropped from the win rate because their preference lies outside [1, 2]. */
  nOutOfRangePreference: number;
  /** Annotations the discrete win rate drops (null, or rounding outside [1, 2]). */
  nDiscreteDropped: number;
  /** Outputs left out of the average length because they are null. */
  nOutputsWithoutText: number;
  /** Distinct `generator_2` (evaluated model) and `generator_1` (baseline) names, sorted. */
  models: string[];
  baselines: string[];
}

/**
 * Number of Unicode code points in `s` (Python's `len(s)`): UTF-16 length minus the number of
 * surrogate pairs; a lone surrogate counts as one, as in Python.
 *
 * @example codePointLength("a😀") // 2 (while "a😀".length is 3)
 */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Round half to even (numpy's `np.round` / pandas' `Series.round()` with 0 decimals).
 *
 * @example roundHalfEven(2.5) // 2
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The value alpaca_eval's ZeroOneScoringRule scores for one raw preference: 0 (baseline win),
 * 0.5 (draw) or 1 (model win); null when it drops it.
 */
export function discretePoint(p: AlpacaPreference): number | null {
  if (p.raw === null) return null;
  const rounded = roundHalfEven(p.raw === 1.5 ? 0 : p.raw);
  const v = rounded === 0 ? 1.5 : rounded;
  return v >= 1 && v <= 2 ? v - 1 : null;
}

function meanOrNull(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : mean(xs);
}

/** Sample standard error of the mean (ddof = 1), null for fewer than two values. */
function sampleStandardErrorOrNull(xs: readonly number[]): number | null {
  return xs.length < 2 ? null : standardError(xs);
}

/** int(mean code-point length) over non-null texts, with the count of nulls. */
function averageLength(texts: readonly (string | null)[]): { avgLength: number | null; nWithoutText: number } {
  let total = 0;
  let n = 0;
  for (const t of texts) {
    if (t === null) continue;
    total += codePointLength(t);
    n++;
  }
  return { avgLength: n === 0 ? null : Math.trunc(total / n), nWithoutText: texts.length - n };
}

/**
 * Win rate, standard error, counts, discrete win rate and average length of one model against
 * its baseline, as alpaca_eval computes them for its leaderboard.
 *
 * @param annotations the model's annotations (one `generator_2`, normally)
 * @param outputs the model's `model_outputs.json`, the source alpaca_eval uses for avg_length;
 *   without it avg_length is measured on the annotations' `output_2`
 *
 * @example alpacaWinRate([annotation with preference 2, annotation with preference 1.5]).winRate // 75
 */
export function alpacaWinRate(annotations: readonly AlpacaAnnotation[], outputs?: readonly AlpacaModelOutput[]): AlpacaWinRate {
  const points: number[] = [];
  const discrete: number[] = [];
  let nWins = 0;
  let nWinsBase = 0;
  let nDraws = 0;
  let nNullPreference = 0;
  let nOutOfRangePreference = 0;
  const models = new Set<string>();
  const baselines = new Set<string>();
  for (const a of annotations) {
    models.add(a.generator2);
    baselines.add(a.generator1);
    const p = a.preference;
    switch (p.kind) {
      case "win":
        nWins++;
        points.push(p.raw - 1);
        break;
      case "loss":
        nWinsBase++;
        points.push(p.raw - 1);
        break;
      case "draw":
        nDraws++;
        points.push(0.5);
        break;
      case "null":
        nNullPreference++;
        break;
      case "outOfRange":
        nOutOfRangePreference++;
        break;
    }
    const d = discretePoint(p);
    if (d !== null) discrete.push(d);
  }
  const winRate = meanOrNull(points);
  const se = sampleStandardErrorOrNull(points);
  const discreteMean = meanOrNull(discrete);
  const lengths = averageLength(outputs ? outputs.map((o) => o.output) : annotations.map((a) => a.output2));
  return {
    winRate: winRate === null ? null : winRate * 100,
    standardError: se === null ? null : se * 100,
    nWins,
    nWinsBase,
    nDraws,
    nTotal: points.length,
    discreteWinRate: discreteMean === null ? null : discreteMean * 100,
    avgLength: lengths.avgLength,
    avgLengthSource: outputs ? "model_outputs" : "annotations",
    nAnnotations: annotations.length,
    nNullPreference,
    nOutOfRangePreference,
    nDiscreteDropped: annotations.length - discrete.length,
    nOutputsWithoutText: lengths.nWithoutText,
    models: [...models].sort(),
    baselines: [...baselines].sort(),
  };
}

/** The leaderboard's column names (snake_case) for the recomputed fields, as the CLI prints them. */
export function winRateToJson(w: AlpacaWinRate): Record<string, number | string | null> {
  return {
    win_rate: w.winRate,
    standard_error: w.standardError,
    n_wins: w.nWins,
    n_wins_base: w.nWinsBase,
    n_draws: w.nDraws,
    n_total: w.nTotal,
    discrete_win_rate: w.discreteWinRate,
    avg_length: w.avgLength,
  };
}
