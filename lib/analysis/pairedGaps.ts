/**
 * The paired uncertainty the paper does not report: for a gap between two MT-Bench scores on the
 * same questions (e.g. "URIAL + greedy − URIAL"), a bootstrap confidence interval that resamples
 * questions, keeping each question's two scores together.
 *
 * - One run per side: the paired bootstrap of the mean difference (lib/stats) and the Wilcoxon
 *   signed-rank p-value of the per-question differences.
 * - Several runs per side (seeds): a crossed bootstrap. Each replicate draws n questions with
 *   replacement (shared by both sides, so the pairing is kept) and, independently per side, k
 *   runs with replacement among the side's k runs; the replicate's gap is
 *   mean_{runs*_B} mean_{questions*} x − mean_{runs*_A} mean_{questions*} x. Its percentile
 *   interval covers both question sampling and seed-to-seed variation. With one run per side it
 *   is the paired bootstrap.
 * Only questions where every run of both sides has a usable score enter (`nQuestions`).
 *
 * Complexity: O(resamples · (kA + kB) · n) time, O(resamples) memory.
 */
import type { AlpacaAnnotation } from "../io/alpacaEval";
import type { QuestionId } from "../model/mtbench";
import type { TableView } from "../model/table";
import type { GapRow } from "../figures/gapForest";
import { pairedBootstrapMeanDifference } from "../stats/pairedBootstrap";
import { quantile } from "../stats/quantile";
import type { Rng } from "../stats/rng";
import { wilcoxonSignedRank } from "../stats/wilcoxon";
import { type QuestionScoreTable, scoreMatrix } from "./questionScores";
import { mean as meanOf } from "../stats/mean";

export interface GapBootstrapOptions {
  /** Bootstrap replicates (default 2000). */
  resamples?: number;
  /** Confidence level of the percentile interval (default 0.95). */
  level?: number;
}

/** What to compare: B − A on one turn. */
export interface GapSpec {
  /** Row label, e.g. "greedy 1 ex. − URIAL". */
  label: string;
  /** Grouping for tables and figure colours, e.g. the base model. */
  group: string;
  modelsA: readonly string[];
  modelsB: readonly string[];
  turn: 1 | 2;
  /** The published gap (B − A from the paper's numbers), when it has both. */
  published?: number | null;
}

export interface PairedGap {
  label: string;
  group: string;
  turn: 1 | 2;
  nQuestions: number;
  nRunsA: number;
  nRunsB: number;
  meanA: number | null;
  meanB: number | null;
  /** meanB − meanA over the paired questions. */
  gap: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  level: number;
  resamples: number;
  method: "paired bootstrap" | "crossed bootstrap (questions x runs)";
  /** Two-sided Wilcoxon signed-rank p-value (one run per side only). */
  wilcoxonP: number | null;
  published: number | null;
}

/** Percentile interval of bootstrap replicates. */
function percentileInterval(reps: readonly number[], level: number): [number, number] {
  const sorted = [...reps].sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return [quantile(sorted, alpha), quantile(sorted, 1 - alpha)];
}

/**
 * Crossed bootstrap replicates of mean_B − mean_A (or of mean_B alone when `rowsA` is empty):
 * questions shared by both sides, runs drawn independently per side.
 */
export function crossedBootstrapReplicates(rowsA: readonly (readonly number[])[], rowsB: readonly (readonly number[])[], rng: Rng, resamples: number): number[] {
  const n = (rowsB[0] ?? rowsA[0] ?? []).length;
  const reps: number[] = new Array<number>(resamples);
  const idx = new Int32Array(n);
  const sideMean = (rows: readonly (readonly number[])[]) => {
    if (rows.length === 0) return 0;
    let total = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[Math.floor(rng.next() * rows.length)] as readonly number[];
      let s = 0;
      for (let i = 0; i < n; i++) s += row[idx[i] as number] as number;
      total += s / n;
    }
    return total / rows.length;
  };
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng.next() * n);
    const mb = sideMean(rowsB);
    const ma = sideMean(rowsA);
    reps[b] = mb - ma;
  }
  return reps;
}

/** The gap B − A with its paired bootstrap interval (see the module comment). */
export function pairedGap(t: QuestionScoreTable, questionIds: readonly QuestionId[], spec: GapSpec, rng: Rng, opts: GapBootstrapOptions = {}): PairedGap {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const models = [...spec.modelsA, ...spec.modelsB];
  const m = scoreMatrix(t, questionIds, models, spec.turn);
  const rowsA = m.rows.slice(0, spec.modelsA.length);
  const rowsB = m.rows.slice(spec.modelsA.length);
  const base: PairedGap = {
    label: spec.label,
    group: spec.group,
    turn: spec.turn,
    nQuestions: m.questionIds.length,
    nRunsA: rowsA.length,
    nRunsB: rowsB.length,
    meanA: null,
    meanB: null,
    gap: null,
    ciLow: null,
    ciHigh: null,
    level,
    resamples,
    method: rowsA.length === 1 && rowsB.length === 1 ? "paired bootstrap" : "crossed bootstrap (questions x runs)",
    wilcoxonP: null,
    published: spec.published ?? null,
  };
  if (m.questionIds.length < 2 || rowsA.length === 0 || rowsB.length === 0) return base;
  const meanA = meanOf(rowsA.map(meanOf));
  const meanB = meanOf(rowsB.map(meanOf));
  if (rowsA.length === 1 && rowsB.length === 1) {
    const a = rowsA[0] as number[];
    const b = rowsB[0] as number[];
    const boot = pairedBootstrapMeanDifference(b, a, rng, { resamples, level });
    const w = wilcoxonSignedRank(b, a);
    return { ...base, meanA, meanB, gap: meanB - meanA, ciLow: boot.low, ciHigh: boot.high, wilcoxonP: w.pValue };
  }
  const [lo, hi] = percentileInterval(crossedBootstrapReplicates(rowsA, rowsB, rng, resamples), level);
  return { ...base, meanA, meanB, gap: meanB - meanA, ciLow: lo, ciHigh: hi };
}

/** Gaps of several specs, sharing one generator (deterministic in the specs' order). */
export function pairedGaps(t: QuestionScoreTable, questionIds: readonly QuestionId[], specs: readonly GapSpec[], rng: Rng, opts: GapBootstrapOptions = {}): PairedGap[] {
  return specs.map((s) => pairedGap(t, questionIds, s, rng, opts));
}

/**
 * Mean of a group of runs (seeds) with a crossed bootstrap interval over questions and runs:
 * the uncertainty of a point of a scaling curve.
 */
export function groupMeanInterval(t: QuestionScoreTable, questionIds: readonly QuestionId[], models: readonly string[], turn: 1 | 2, rng: Rng, opts: GapBootstrapOptions = {}): { mean: number | null; low: number | null; high: number | null; nQuestions: number } {
  const m = scoreMatrix(t, questionIds, models, turn);
  if (m.questionIds.length < 2 || m.rows.length === 0) return { mean: null, low: null, high: null, nQuestions: m.questionIds.length };
  const [low, high] = percentileInterval(crossedBootstrapReplicates([], m.rows, rng, opts.resamples ?? 2000), opts.level ?? 0.95);
  return { mean: meanOf(m.rows.map(meanOf)), low, high, nQuestions: m.questionIds.length };
}

export function pairedGapLayout(gaps: readonly PairedGap[], caption?: string): TableView {
  return {
    columns: ["group", "comparison", "turn", "questions", "runs_a", "runs_b", "mean_a", "mean_b", "gap", "ci_low", "ci_high", "wilcoxon_p", "published_gap", "method"],
    rows: gaps.map((g) => ({
      group: g.group,
      comparison: g.label,
      turn: g.turn,
      questions: g.nQuestions,
      runs_a: g.nRunsA,
      runs_b: g.nRunsB,
      mean_a: g.meanA,
      mean_b: g.meanB,
      gap: g.gap,
      ci_low: g.ciLow,
      ci_high: g.ciHigh,
      wilcoxon_p: g.wilcoxonP,
      published_gap: g.published,
      method: g.method,
    })),
    countColumns: ["turn", "questions", "runs_a", "runs_b"],
    ...(caption ? { caption } : {}),
  };
}

/** Rows of the gap forest figure (lib/figures/gapForest.ts). */
export function gapForestRows(gaps: readonly PairedGap[]): GapRow[] {
  return gaps.map((g) => ({ label: `${g.group}: ${g.label}`, group: g.group, gap: g.gap, low: g.ciLow, high: g.ciHigh, published: g.published }));
}

// ---------------------------------------------------------------- AlpacaEval

/** alpaca_eval's per-instruction point: preference − 1 (draws 0.5); null/out-of-range: none. */
function alpacaPoint(a: AlpacaAnnotation): number | null {
  const p = a.preference;
  if (p.kind === "win" || p.kind === "loss") return p.raw - 1;
  if (p.kind === "draw") return 0.5;
  return null;
}

/**
 * The win-rate gap B − A (percentage points) between two models' AlpacaEval annotations against
 * the same baseline, paired by instruction, with the paired bootstrap interval.
 */
export function alpacaPairedGap(label: string, group: string, annA: readonly AlpacaAnnotation[], annB: readonly AlpacaAnnotation[], rng: Rng, opts: GapBootstrapOptions & { published?: number | null } = {}): PairedGap {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const byInstruction = new Map<string, number>();
  for (const x of annA) {
    const v = alpacaPoint(x);
    if (v !== null) byInstruction.set(x.instruction, v);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (const y of annB) {
    const v = alpacaPoint(y);
    const u = byInstruction.get(y.instruction);
    if (v === null || u === undefined) continue;
    a.push(100 * u);
    b.push(100 * v);
  }
  const out: PairedGap = {
    label,
    group,
    turn: 1,
    nQuestions: a.length,
    nRunsA: 1,
    nRunsB: 1,
    meanA: a.length ? meanOf(a) : null,
    meanB: b.length ? meanOf(b) : null,
    gap: a.length ? meanOf(b) - meanOf(a) : null,
    ciLow: null,
    ciHigh: null,
    level,
    resamples,
    method: "paired bootstrap",
    wilcoxonP: null,
    published: opts.published ?? null,
  };
  if (a.length < 2) return out;
  const boot = pairedBootstrapMeanDifference(b, a, rng, { resamples, level });
  return { ...out, ciLow: boot.low, ciHigh: boot.high, wilcoxonP: wilcoxonSignedRank(b, a).pValue };
}

/** A comparison of two AlpacaEval runs (A = reference, B = the other), e.g. from promptComparisons. */
export interface AlpacaComparison {
  baseModel: string;
  greedyExamples: number;
  modelA: string;
  modelB: string;
  publishedLc: number | null;
}

/**
 * Win-rate gaps (B − A, percentage points, paired by instruction) for comparisons whose two
 * models both have annotations in `models` (e.g. `loadAlpacaEvalDump(dir).models`). The published
 * column holds the paper's LC gap, which is not the same measure: it is shown for direction only.
 */
export function alpacaComparisonGaps(comparisons: readonly AlpacaComparison[], models: ReadonlyMap<string, { annotations: readonly AlpacaAnnotation[] }>, rng: Rng, opts: GapBootstrapOptions = {}): PairedGap[] {
  const out: PairedGap[] = [];
  for (const c of comparisons) {
    const a = models.get(c.modelA);
    const b = models.get(c.modelB);
    if (a === undefined || b === undefined) continue;
    out.push(alpacaPairedGap(`AlpacaEval win rate: greedy ${c.greedyExamples} ex. − URIAL`, c.baseModel, a.annotations, b.annotations, rng, { ...opts, published: c.publishedLc }));
  }
  return out;
}
