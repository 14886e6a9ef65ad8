/**
 * Per-question MT-Bench scores: the unit of every paired comparison ("is run B better than run A
 * on the same questions?") and of the question-resampling bootstraps.
 *
 * A cell is one (model, question, turn). Its score follows the dedupe policy of
 * lib/analysis/mtbenchScores.ts:
 * - `last` / `first`: the last / first row of the cell; the cell is missing when that row failed;
 * - `all`: the mean of the cell's non-failed rows (so repeated judgments count once per cell:
 *   this is the per-question view of FastChat's pooled mean, which weights rows instead);
 * - `error`: a cell with several rows is an Error.
 * Failed judgments (`score: -1`) never enter a cell.
 *
 * Complexity: O(rows) time, O(cells) memory.
 */
import type { Judgment, QuestionId } from "../model/mtbench";
import type { DedupePolicy } from "./mtbenchScores";

/** model -> "questionId\u0000turn" -> score. */
export interface QuestionScoreTable {
  policy: DedupePolicy;
  cells: Map<string, Map<string, number>>;
}

function cellId(questionId: QuestionId, turn: number): string {
  return `${String(questionId)}\u0000${turn}`;
}

/** Builds the per-question table of a judgment file's rows (in file order). */
export function questionScoreTable(judgments: Iterable<Judgment>, dedupe: DedupePolicy): QuestionScoreTable {
  // (sum, n) of non-failed rows for `all`; the kept row (or null for a failed one) otherwise
  const sums = new Map<string, Map<string, { sum: number; n: number; rows: number; kept: number | null }>>();
  for (const j of judgments) {
    let m = sums.get(j.model);
    if (m === undefined) {
      m = new Map();
      sums.set(j.model, m);
    }
    const id = cellId(j.questionId, j.turn);
    const score = j.score.kind === "scored" ? j.score.score : null;
    const e = m.get(id);
    if (e === undefined) {
      m.set(id, { sum: score ?? 0, n: score === null ? 0 : 1, rows: 1, kept: score });
      continue;
    }
    if (dedupe === "error") throw new Error(`questionScoreTable: (${j.model}, question ${String(j.questionId)}, turn ${j.turn}) has several rows and the policy is "error"`);
    e.rows++;
    if (score !== null) {
      e.sum += score;
      e.n++;
    }
    if (dedupe === "last") e.kept = score;
  }
  const cells = new Map<string, Map<string, number>>();
  for (const [model, m] of sums) {
    const out = new Map<string, number>();
    for (const [id, e] of m) {
      const v = dedupe === "all" ? (e.n > 0 ? e.sum / e.n : null) : e.kept;
      if (v !== null) out.set(id, v);
    }
    cells.set(model, out);
  }
  return { policy: dedupe, cells };
}

/** The score of one cell, or undefined when the model has no usable judgment there. */
export function cellScore(t: QuestionScoreTable, model: string, questionId: QuestionId, turn: 1 | 2): number | undefined {
  return t.cells.get(model)?.get(cellId(questionId, turn));
}

/** Two runs' scores on the questions both have (question order of `questionIds`). */
export interface PairedScores {
  questionIds: QuestionId[];
  a: number[];
  b: number[];
  /** Questions of `questionIds` left out because one of the runs has no usable score there. */
  nUnpaired: number;
}

/** Aligns two models on the questions both have a usable `turn` score for. */
export function pairScores(t: QuestionScoreTable, questionIds: readonly QuestionId[], modelA: string, modelB: string, turn: 1 | 2): PairedScores {
  const out: PairedScores = { questionIds: [], a: [], b: [], nUnpaired: 0 };
  for (const q of questionIds) {
    const a = cellScore(t, modelA, q, turn);
    const b = cellScore(t, modelB, q, turn);
    if (a === undefined || b === undefined) {
      out.nUnpaired++;
      continue;
    }
    out.questionIds.push(q);
    out.a.push(a);
    out.b.push(b);
  }
  return out;
}

/**
 * Runs x questions matrix of `turn` scores restricted to the questions every run has (for the
 * crossed bootstraps over seeds and questions). `nDropped` counts the questions left out.
 */
export function scoreMatrix(t: QuestionScoreTable, questionIds: readonly QuestionId[], models: readonly string[], turn: 1 | 2): { questionIds: QuestionId[]; rows: number[][]; nDropped: number } {
  const keep: QuestionId[] = [];
  for (const q of questionIds) if (models.every((m) => cellScore(t, m, q, turn) !== undefined)) keep.push(q);
  return {
    questionIds: keep,
    rows: models.map((m) => keep.map((q) => cellScore(t, m, q, turn) as number)),
    nDropped: questionIds.length - keep.length,
  };
}
