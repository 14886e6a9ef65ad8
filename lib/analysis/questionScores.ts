/**
 * Per-question MT-Bench scores: the unit of every paired comparison ("is run B better than run A
 * on the same questions?") and of the question-resampling bootstraps.
 *
 * A cell is one (model, question, turn). Its score is the mean of the cell's rows that the dedupe
 * policy keeps (lib/analysis/dedupe.ts, the one dedupe implementation) and that are not failed
 * judgments:
 * - `last` / `first`: the last / first row of the cell; the cell has no score when that row failed;
 * - `all`: the mean of the cell's non-failed rows (so repeated judgments count once per cell:
 *   this is the per-question view of FastChat's pooled mean, which weights rows instead);
 * - `error`: a cell with several rows is an InputError.
 *
 * Complexity: O(rows) time, O(cells) memory.
 *
 * @example
 * const cols = await loadJudgmentColumns(file);
 * const cells = questionScoreCells(cols, dedupeJudgments(cols, "last"));
 * cells.score[0]; // NaN when the cell has no usable judgment
 */
import { type JudgmentColumns, JudgmentColumnsBuilder } from "../io/judgmentColumns";
import type { Judgment, QuestionId } from "../model/mtbench";
import { type DedupePolicy, type DedupedRows, dedupeJudgments } from "./dedupe";

/** Per cell of `deduped` (first-seen order): mean of the kept non-failed rows (NaN: none) and their count. */
export interface QuestionScoreCells {
  score: Float64Array;
  n: Uint32Array;
}

/** The per-cell scores of the rows `deduped` keeps (sums in file order). */
export function questionScoreCells(cols: JudgmentColumns, deduped: DedupedRows): QuestionScoreCells {
  const sum = new Float64Array(deduped.nCells);
  const n = new Uint32Array(deduped.nCells);
  for (const r of deduped.rows) {
    const s = cols.score[r] as number;
    if (Number.isNaN(s)) continue;
    const c = deduped.cellOfRow[r] as number;
    (sum[c] as number) += s;
    (n[c] as number)++;
  }
  for (let c = 0; c < sum.length; c++) sum[c] = n[c] === 0 ? NaN : (sum[c] as number) / (n[c] as number);
  return { score: sum, n };
}

/** model -> "questionId\u0000turn" -> score. */
export interface QuestionScoreTable {
  policy: DedupePolicy;
  cells: Map<string, Map<string, number>>;
}

function cellId(questionId: QuestionId, turn: number): string {
  return `${String(questionId)}\u0000${turn}`;
}

/** The per-question table of columns under a policy (models and cells in first-seen order). */
export function questionScoreTableOf(cols: JudgmentColumns, deduped: DedupedRows): QuestionScoreTable {
  const { score } = questionScoreCells(cols, deduped);
  const cells = new Map<string, Map<string, number>>(cols.models.map((m) => [m, new Map<string, number>()]));
  for (let c = 0; c < deduped.nCells; c++) {
    const v = score[c] as number;
    if (Number.isNaN(v)) continue;
    const model = cols.models[deduped.cellModel[c] as number] as string;
    (cells.get(model) as Map<string, number>).set(cellId(cols.questionIds[deduped.cellQuestion[c] as number] as QuestionId, deduped.cellTurn[c] as number), v);
  }
  return { policy: deduped.policy, cells };
}

/** Builds the per-question table of a judgment file's rows (in file order), taken as given. */
export function questionScoreTable(judgments: Iterable<Judgment>, dedupe: DedupePolicy): QuestionScoreTable {
  const b = new JudgmentColumnsBuilder();
  for (const j of judgments) b.add(j);
  const cols = b.finish();
  return questionScoreTableOf(cols, dedupeJudgments(cols, dedupe));
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
