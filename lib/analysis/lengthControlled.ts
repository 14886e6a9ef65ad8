/**
 * AlpacaEval's length-controlled (LC) win rate recomputed from annotations, following
 * alpaca_eval's `src/alpaca_eval/metrics/glm_winrate.py` (`get_length_controlled_winrate`,
 * GLM "length_controlled_v1"):
 *
 * - features (patsy formula `np.tanh(std_delta_len) + instruction_difficulty +
 *   not_gamed_baseline.astype(float) - 1`, no intercept): tanh of the length difference
 *   len(output_1) - len(output_2) (code points) divided by its sample standard deviation
 *   (ddof = 1, over all annotations); the instruction's difficulty (alpaca_eval's
 *   `instruction_difficulty`, looked up by the annotation's row number); and 1 for the model's
 *   rows (0 for the optional "gamed" rows of alpaca_eval's `df_gamed.csv`);
 * - target: the soft preference p - 1 in [0, 1] (0 is a draw, 1.5); rows with a null preference
 *   are left out of the fit (but predicted);
 * - model: L1-penalised logistic regression without intercept on soft labels, i.e. minimise
 *   ||w||_1 + C · sum_i s_i · [-y_i log σ(x_i·w) - (1 - y_i) log(1 - σ(x_i·w))] — what
 *   sklearn's liblinear solver minimises on alpaca_eval's duplicated rows (label 1 weighted by
 *   y_i·s_i, label 0 by (1 - y_i)·s_i); s_i = 1 for the model's rows and λ/2 = 0.1 for gamed rows;
 * - C chosen as LogisticRegressionCV does: among Cs = logspace(-4, 4, 10), the one with the
 *   largest sum over 5 GroupKFold folds of the score -mean_i s_i·logloss_i (probabilities clipped
 *   to [1e-15, 1 - 1e-15]; first C on ties), then refit on all rows;
 * - LC = 100 · mean over all annotations of σ(w_difficulty · difficulty_i + w_notGamed), the
 *   predicted preference with the length difference set to 0.
 *
 * Where this can differ from alpaca_eval's numbers (see `LengthControlledResult` fields):
 * - the fit here is solved to optimality (proximal Newton, optimality violation < 1e-10), while
 *   alpaca_eval uses liblinear's default tolerance 1e-4, so coefficients can differ in their
 *   later digits;
 * - GroupKFold's fold assignment of equal-size groups depends on numpy's `argsort` of ties
 *   (numpy >= 2 keeps the input order, numpy 1.x's introsort does not); here group g of N goes
 *   to fold (N - 1 - g) mod k, numpy 2's order. The folds only pick C among 10 values;
 * - the leaderboard's fits add the gamed rows of `df_gamed.csv`; without them (`gamedRows`
 *   absent) the not-gamed column is a penalised intercept, as in alpaca_eval with
 *   `regularize_to_baseline_lambda=None`.
 *
 * Complexity: O(|Cs| · k · n · iterations) time with 3 features; O(n) memory.
 */
import { codePointLength } from "./alpacaEval";
import type { AlpacaAnnotation } from "../io/alpacaEval";
import { InputError } from "../model/errors";

/** Dense design: `x[i]` is row i's features, `y[i]` its target in [0, 1], `s[i]` its weight. */
export interface WeightedSoftLabels {
  x: readonly (readonly number[])[];
  y: readonly number[];
  s: readonly number[];
}

export interface L1LogisticFit {
  coef: number[];
  /** Proximal Newton iterations used. */
  iterations: number;
  /** Largest violation of the optimality conditions at the returned coefficients (0 at the optimum). */
  optimalityViolation: number;
}

/** σ(t) = 1 / (1 + e^-t), without overflow. */
export function logistic(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** log(1 + e^t) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] as number) * (b[j] as number);
  return s;
}

function l1(w: readonly number[]): number {
  let s = 0;
  for (const v of w) s += Math.abs(v);
  return s;
}

/** C · weighted soft-label log loss + ||w||_1. */
function objective(data: WeightedSoftLabels, C: number, w: readonly number[]): number {
  let loss = 0;
  for (let i = 0; i < data.y.length; i++) {
    const t = dot(data.x[i] as readonly number[], w);
    const y = data.y[i] as number;
    // -y log σ(t) - (1-y) log σ(-t) = y softplus(-t) + (1-y) softplus(t)
    loss += (data.s[i] as number) * (y * softplus(-t) + (1 - y) * softplus(t));
  }
  return C * loss + l1(w);
}

function gradientAndHessian(data: WeightedSoftLabels, C: number, w: readonly number[]): { g: number[]; H: number[][] } {
  const d = w.length;
  const g = new Array<number>(d).fill(0);
  const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < data.y.length; i++) {
    const xi = data.x[i] as readonly number[];
    const q = logistic(dot(xi, w));
    const si = data.s[i] as number;
    const r = si * (q - (data.y[i] as number));
    const h = si * q * (1 - q);
    for (let j = 0; j < d; j++) {
      const xj = xi[j] as number;
      g[j] = (g[j] as number) + r * xj;
      const Hj = H[j] as number[];
      for (let k = 0; k <= j; k++) Hj[k] = (Hj[k] as number) + h * xj * (xi[k] as number);
    }
  }
  for (let j = 0; j < d; j++) {
    g[j] = C * (g[j] as number);
    const Hj = H[j] as number[];
    for (let k = 0; k <= j; k++) {
      Hj[k] = C * (Hj[k] as number);
      (H[k] as number[])[j] = Hj[k] as number;
    }
  }
  return { g, H };
}

/** Largest violation of 0 ∈ g + ∂||w||_1 (the minimum-norm subgradient's sup norm). */
function violation(g: readonly number[], w: readonly number[]): number {
  let v = 0;
  for (let j = 0; j < w.length; j++) {
    const wj = w[j] as number;
    const gj = g[j] as number;
    v = Math.max(v, wj !== 0 ? Math.abs(gj + Math.sign(wj)) : Math.max(Math.abs(gj) - 1, 0));
  }
  return v;
}

function softThreshold(z: number, t: number): number {
  return z > t ? z - t : z < -t ? z + t : 0;
}

/**
 * Minimises gᵀ(u - w) + ½ (u - w)ᵀ H (u - w) + ||u||_1 over u by cyclic coordinate descent;
 * returns the step u - w.
 */
function proximalNewtonStep(g: readonly number[], H: readonly (readonly number[])[], w: readonly number[]): number[] {
  const d = w.length;
  const u = [...w];
  for (let sweep = 0; sweep < 10000; sweep++) {
    let change = 0;
    for (let j = 0; j < d; j++) {
      const Hj = H[j] as readonly number[];
      const hjj = Hj[j] as number;
      let c = g[j] as number;
      for (let k = 0; k < d; k++) c += (Hj[k] as number) * ((u[k] as number) - (w[k] as number));
      const old = u[j] as number;
      const next = hjj > 0 ? softThreshold(old - c / hjj, 1 / hjj) : 0;
      u[j] = next;
      change = Math.max(change, Math.abs(next - old));
    }
    if (change <= 1e-16 * (1 + l1(u))) break;
  }
  return u.map((v, j) => v - (w[j] as number));
}

/**
 * L1-penalised logistic regression without intercept on soft labels with sample weights:
 * minimises ||w||_1 + C · Σ_i s_i [-y_i log σ(x_i·w) - (1 - y_i) log(1 - σ(x_i·w))], the problem
 * sklearn's `LogisticRegression(penalty="l1", solver="liblinear", fit_intercept=False, C=C)`
 * solves on duplicated rows (label 1 with weight y_i·s_i, label 0 with weight (1 - y_i)·s_i).
 * Solved by proximal Newton (coordinate-descent inner solves, backtracking line search) until
 * the optimality violation is below `tolerance`. Meant for few features (the Hessian is dense).
 *
 * @example fitL1LogisticRegression({x: [[1], [1]], y: [0.9, 0.7], s: [1, 1]}, 100).coef[0] // logit(0.795) ≈ 1.3563
 */
export function fitL1LogisticRegression(data: WeightedSoftLabels, C: number, tolerance = 1e-10, maxIterations = 500): L1LogisticFit {
  const d = data.x[0]?.length ?? 0;
  let w = new Array<number>(d).fill(0);
  let f = objective(data, C, w);
  let { g, H } = gradientAndHessian(data, C, w);
  let iterations = 0;
  while (iterations < maxIterations && violation(g, w) > tolerance) {
    iterations++;
    const step = proximalNewtonStep(g, H, w);
    const decrease = dot(g, step) + l1(w.map((v, j) => v + (step[j] as number))) - l1(w);
    if (!(decrease < 0)) break; // no descent direction left: at the optimum to machine precision
    // Near the optimum the predicted decrease falls below the rounding error of the objective
    // (a sum of C·s_i-weighted losses), so the line search cannot see it: take the full Newton
    // step there, which converges quadratically (maxIterations bounds the loop).
    const belowRounding = -decrease <= 1e-13 * (1 + Math.abs(f));
    let t = 1;
    let next = w;
    let fNext = f;
    for (let k = 0; k < 60; k++) {
      next = w.map((v, j) => v + t * (step[j] as number));
      fNext = objective(data, C, next);
      if (belowRounding || fNext <= f + 1e-4 * t * decrease) break;
      t /= 2;
    }
    if (!belowRounding && !(fNext <= f)) break;
    w = next;
    f = fNext;
    ({ g, H } = gradientAndHessian(data, C, w));
  }
  return { coef: w, iterations, optimalityViolation: violation(g, w) };
}

/** `np.logspace(-4, 4, 10)`, LogisticRegressionCV's default grid of C. */
export const DEFAULT_CS: readonly number[] = Array.from({ length: 10 }, (_, i) => Math.pow(10, i === 9 ? 4 : -4 + (i * 8) / 9));

/**
 * Fold of each of `nGroups` equal-size groups under sklearn's GroupKFold (groups taken in
 * reverse order of a stable argsort, each to the currently lightest fold): group g goes to
 * fold (nGroups - 1 - g) mod k.
 */
export function groupKFoldOfEqualGroups(nGroups: number, k: number): number[] {
  if (nGroups < k) throw new RangeError(`GroupKFold needs at least ${k} groups, got ${nGroups}`);
  return Array.from({ length: nGroups }, (_, g) => (nGroups - 1 - g) % k);
}

/**
 * The score alpaca_eval's `logloss_continuous` gives a fold (negated by make_scorer's
 * greater_is_better=False): mean over rows of s_i · [y_i log q_i + (1 - y_i) log(1 - q_i)]
 * with q clipped to [1e-15, 1 - 1e-15]. Higher is better.
 */
function foldScore(data: WeightedSoftLabels, rows: readonly number[], w: readonly number[]): number {
  let total = 0;
  for (const i of rows) {
    const q = Math.min(Math.max(logistic(dot(data.x[i] as readonly number[], w)), 1e-15), 1 - 1e-15);
    const y = data.y[i] as number;
    total += (data.s[i] as number) * (y * Math.log(q) + (1 - y) * Math.log(1 - q));
  }
  return total / rows.length;
}

function subset(data: WeightedSoftLabels, rows: readonly number[]): WeightedSoftLabels {
  return { x: rows.map((i) => data.x[i] as readonly number[]), y: rows.map((i) => data.y[i] as number), s: rows.map((i) => data.s[i] as number) };
}

export interface CrossValidatedFit {
  /** The chosen C and the refit's coefficients. */
  C: number;
  coef: number[];
  /** Per C (same order as `Cs`): the sum over folds of the fold scores. */
  cvScores: number[];
  optimalityViolation: number;
}

/**
 * sklearn `LogisticRegressionCV(Cs, cv=folds, penalty="l1", fit_intercept=False, refit=True)`
 * with alpaca_eval's scorer: fits every C on every fold's training rows, picks the C with the
 * largest summed fold score (the first on ties), refits it on all rows.
 */
export function crossValidatedL1Logistic(data: WeightedSoftLabels, folds: readonly number[], Cs: readonly number[] = DEFAULT_CS): CrossValidatedFit {
  const k = Math.max(...folds) + 1;
  const cvScores = Cs.map(() => 0);
  for (let fold = 0; fold < k; fold++) {
    const test: number[] = [];
    const train: number[] = [];
    folds.forEach((f, i) => (f === fold ? test : train).push(i));
    const trainData = subset(data, train);
    Cs.forEach((C, c) => {
      const fit = fitL1LogisticRegression(trainData, C);
      cvScores[c] = (cvScores[c] as number) + foldScore(data, test, fit.coef);
    });
  }
  let best = 0;
  cvScores.forEach((s, c) => {
    if (s > (cvScores[best] as number)) best = c;
  });
  const C = Cs[best] as number;
  const fit = fitL1LogisticRegression(data, C);
  return { C, coef: fit.coef, cvScores, optimalityViolation: fit.optimalityViolation };
}

/** A row of alpaca_eval's `df_gamed.csv` (annotations of length-gamed baselines). */
export interface GamedRow {
  /** Its already standardised length difference (`std_delta_len`). */
  stdDeltaLen: number;
  instructionDifficulty: number;
  /** Its preference in [0, 1] (already minus 1), or null (dropped from the fit). */
  preference: number | null;
}

export interface LengthControlledOptions {
  /** Gamed rows to regularise towards (alpaca_eval's leaderboard fits use them); default none. */
  gamedRows?: readonly GamedRow[];
  /** Weight of the gamed rows is lambda / 2 (two gamed baselines); alpaca_eval: 0.2. */
  regularizeToBaselineLambda?: number;
  /** Number of GroupKFold folds; alpaca_eval: 5. */
  nSplits?: number;
  Cs?: readonly number[];
  /** Names the annotations in error messages. */
  file?: string;
}

export interface LengthControlledResult {
  /** 100 · mean predicted preference with the length difference set to 0. */
  lengthControlledWinRate: number;
  /** The GLM's coefficients, named as alpaca_eval saves them. */
  coefficients: { "np.tanh(std_delta_len)": number; instruction_difficulty: number; "not_gamed_baseline.astype(float)": number };
  /** The C picked by cross-validation, and each C's summed fold score. */
  C: number;
  cvScores: number[];
  /** Per annotation (file order): the predicted preference at zero length difference. */
  glmPreferences: number[];
  /** Rows fitted (model rows with a preference, plus gamed rows). */
  nFitted: number;
  usedGamedRows: boolean;
  /** The refit's optimality violation (0 at the exact optimum). */
  optimalityViolation: number;
}

function sampleStd(xs: readonly number[]): number {
  const n = xs.length;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) * (x - m), 0) / (n - 1));
}

/**
 * The length-controlled win rate of one model's annotations, given each instruction's
 * difficulty (keyed by the annotation's row number, as alpaca_eval's `instruction_difficulty`).
 * Throws InputError when a difficulty is missing, an output is null or a preference is out of
 * range, and RangeError when the length differences are all equal.
 */
export function lengthControlledWinRate(
  annotations: readonly AlpacaAnnotation[],
  difficulty: ReadonlyMap<number, number>,
  options: LengthControlledOptions = {},
): LengthControlledResult {
  const file = options.file ?? "<annotations>";
  const models = new Set(annotations.map((a) => a.generator2));
  if (models.size !== 1) throw new InputError({ file, field: "generator_2" }, `expected the annotations of one model, got ${models.size}`);
  const first = annotations[0] as AlpacaAnnotation;
  const n = annotations.length;
  if (first.generator1 === first.generator2) {
    // alpaca_eval: the baseline against itself is 0.5 everywhere by construction
    return {
      lengthControlledWinRate: 50,
      coefficients: { "np.tanh(std_delta_len)": 0, instruction_difficulty: 0, "not_gamed_baseline.astype(float)": 0 },
      C: Number.NaN,
      cvScores: [],
      glmPreferences: new Array<number>(n).fill(0.5),
      nFitted: 0,
      usedGamedRows: false,
      optimalityViolation: 0,
    };
  }
  const delta = annotations.map((a) => {
    for (const [field, v] of [["output_1", a.output1], ["output_2", a.output2]] as const) {
      if (v === null) throw new InputError({ file, field }, `element ${a.index}: the length-controlled win rate needs both outputs, got null`);
    }
    return codePointLength(a.output1 as string) - codePointLength(a.output2 as string);
  });
  const sd = sampleStd(delta);
  if (!(sd > 0)) throw new RangeError("the length differences are all equal: their standard deviation is 0 (or there is one annotation)");
  const d = annotations.map((a) => {
    const v = difficulty.get(a.index);
    if (v === undefined) throw new InputError({ file, field: "instruction_difficulty" }, `element ${a.index}: no instruction difficulty for row ${a.index}`);
    return v;
  });

  const x: number[][] = [];
  const y: number[] = [];
  const s: number[] = [];
  const gamed = options.gamedRows ?? [];
  const lambda = options.regularizeToBaselineLambda ?? 0.2;
  const useGamed = gamed.length > 0 && lambda > 0;
  if (useGamed) {
    for (const r of gamed) {
      if (r.preference === null) continue;
      x.push([Math.tanh(r.stdDeltaLen), r.instructionDifficulty, 0]);
      y.push(r.preference);
      s.push(lambda / 2);
    }
  }
  annotations.forEach((a, i) => {
    const p = a.preference;
    if (p.kind === "null") return;
    if (p.kind === "outOfRange") throw new InputError({ file, field: "preference" }, `element ${a.index}: preference ${p.raw} is outside [1, 2]`);
    x.push([Math.tanh((delta[i] as number) / sd), d[i] as number, 1]);
    y.push(p.kind === "draw" ? 0.5 : p.raw - 1);
    s.push(1);
  });
  const data = { x, y, s };
  const fit = crossValidatedL1Logistic(data, groupKFoldOfEqualGroups(y.length, options.nSplits ?? 5), options.Cs ?? DEFAULT_CS);
  const [, wDifficulty, wNotGamed] = fit.coef as [number, number, number];
  const glmPreferences = d.map((di) => logistic(wDifficulty * di + wNotGamed));
  return {
    lengthControlledWinRate: (100 * glmPreferences.reduce((a, b) => a + b, 0)) / n,
    coefficients: {
      "np.tanh(std_delta_len)": fit.coef[0] as number,
      instruction_difficulty: wDifficulty,
      "not_gamed_baseline.astype(float)": wNotGamed,
    },
    C: fit.C,
    cvScores: fit.cvScores,
    glmPreferences,
    nFitted: y.length,
    usedGamedRows: useGamed,
    optimalityViolation: fit.optimalityViolation,
  };
}
