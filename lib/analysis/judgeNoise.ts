/**
 * Judge noise from repeated judgments: when the same answer (model, question, turn) was judged
 * several times (FastChat appends each rerun as another row), the spread of its scores is the
 * judge's own noise, separate from the question sampling a bootstrap measures.
 *
 * - `withinSd`: pooled within-cell sample standard deviation,
 *   sqrt( Σ_cells Σ_rows (x − mean_cell)² / Σ_cells (n_cell − 1) ) over cells with ≥ 2 scored rows;
 * - `seOfRunMean`: the judge-noise standard error of a run's mean over `nQuestions` questions
 *   judged once each, withinSd / sqrt(nQuestions); the gap between two runs carries √2 times it;
 * - `exactAgreement`: share of repeated cells whose scores are all equal.
 * Failed judgments are left out. Complexity: O(rows).
 */
import type { JudgmentColumns } from "../io/judgmentColumns";
import type { Judgment, QuestionId } from "../model/mtbench";
import type { TableView } from "../model/table";

export interface JudgeNoise {
  /** "all models" for the pooled row. */
  model: string;
  judge: string;
  /** Cells with at least two scored rows, and the scored rows in them. */
  nRepeatedCells: number;
  nRepeatedRows: number;
  withinSd: number | null;
  /** Mean number of scored rows per repeated cell. */
  meanRepeats: number | null;
  exactAgreement: number | null;
  /** Distinct questions of the model's turn-1 cells (the n of a run's mean). */
  nQuestions: number;
  seOfRunMean: number | null;
}

interface Acc {
  cells: Map<string, number[]>;
  questions: Set<string>;
}

function summarize(model: string, judge: string, acc: Acc): JudgeNoise {
  let ss = 0;
  let df = 0;
  let cells = 0;
  let rows = 0;
  let agree = 0;
  for (const xs of acc.cells.values()) {
    if (xs.length < 2) continue;
    cells++;
    rows += xs.length;
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    ss += xs.reduce((a, x) => a + (x - m) * (x - m), 0);
    df += xs.length - 1;
    if (xs.every((x) => x === xs[0])) agree++;
  }
  const withinSd = df > 0 ? Math.sqrt(ss / df) : null;
  const nQuestions = acc.questions.size;
  return {
    model,
    judge,
    nRepeatedCells: cells,
    nRepeatedRows: rows,
    withinSd,
    meanRepeats: cells > 0 ? rows / cells : null,
    exactAgreement: cells > 0 ? agree / cells : null,
    nQuestions,
    seOfRunMean: withinSd === null || nQuestions === 0 ? null : withinSd / Math.sqrt(nQuestions),
  };
}

/**
 * Judge noise per model that has repeated cells, then pooled over them ("all models"). Models
 * without any repeated cell are left out; the result is empty when nothing was judged twice.
 */
export function judgeNoise(judgments: Iterable<Judgment>, turn: 1 | 2 | "both" = 1): JudgeNoise[] {
  const byModel = new Map<string, Acc>();
  const judges = new Set<string>();
  for (const j of judgments) {
    if (turn !== "both" && j.turn !== turn) continue;
    judges.add(j.judge[0]);
    let acc = byModel.get(j.model);
    if (acc === undefined) {
      acc = { cells: new Map(), questions: new Set() };
      byModel.set(j.model, acc);
    }
    acc.questions.add(String(j.questionId));
    if (j.score.kind !== "scored") continue;
    const key = `${String(j.questionId)}\u0000${j.turn}`;
    const xs = acc.cells.get(key);
    if (xs === undefined) acc.cells.set(key, [j.score.score]);
    else xs.push(j.score.score);
  }
  const judge = [...judges].join(", ");
  const perModel = [...byModel].map(([m, acc]) => summarize(m, judge, acc)).filter((n) => n.nRepeatedCells > 0);
  if (perModel.length === 0) return [];
  const pooled: Acc = { cells: new Map(), questions: new Set() };
  for (const [m, acc] of byModel) {
    for (const [k, xs] of acc.cells) if (xs.length >= 2) pooled.cells.set(`${m}\u0000${k}`, xs);
  }
  const meanQuestions = Math.round(perModel.reduce((a, n) => a + n.nQuestions, 0) / perModel.length);
  for (let i = 0; i < meanQuestions; i++) pooled.questions.add(String(i));
  return [...perModel, summarize("all models", judge, pooled)];
}

export function judgeNoiseLayout(rows: readonly JudgeNoise[], caption?: string): TableView {
  return {
    columns: ["model", "judge", "repeated_cells", "mean_repeats", "within_sd", "exact_agreement", "questions", "se_of_run_mean"],
    rows: rows.map((r) => ({
      model: r.model,
      judge: r.judge,
      repeated_cells: r.nRepeatedCells,
      mean_repeats: r.meanRepeats,
      within_sd: r.withinSd,
      exact_agreement: r.exactAgreement,
      questions: r.nQuestions,
      se_of_run_mean: r.seOfRunMean,
    })),
    countColumns: ["repeated_cells", "questions"],
    digits: { within_sd: 3, exact_agreement: 3, se_of_run_mean: 3 },
    ...(caption ? { caption } : {}),
  };
}

/** A sentence for notebooks: the pooled judge noise, or why it cannot be estimated. */
export function describeJudgeNoise(rows: readonly JudgeNoise[]): string {
  const pooled = rows.find((r) => r.model === "all models");
  if (pooled === undefined) return "judge noise: no (model, question, turn) was judged more than once in this file, so the judge's own noise cannot be estimated here (the bootstrap intervals cover question sampling only).";
  return (
    `judge noise (${pooled.judge}): ${pooled.nRepeatedCells} cells judged ${pooled.meanRepeats?.toFixed(1)} times on average; ` +
    `pooled within-cell SD ${pooled.withinSd?.toFixed(2)}, identical repeats in ${((pooled.exactAgreement ?? 0) * 100).toFixed(0)}% of cells; ` +
    `for a run mean over ${pooled.nQuestions} questions judged once the judge alone contributes an SD of ${pooled.seOfRunMean?.toFixed(3)} ` +
    `(×√2 = ${((pooled.seOfRunMean ?? 0) * Math.SQRT2).toFixed(3)} for a gap between two runs).`
  );
}

/**
 * The rows of judgment columns as the `Judgment` fields `judgeNoise` reads (every stored row, in
 * file order, before any dedupe: repeated judgments are what judge noise is made of).
 */
export function* judgmentsOfColumns(cols: JudgmentColumns): Generator<Judgment> {
  for (let r = 0; r < cols.nRows; r++) {
    const s = cols.score[r] as number;
    yield {
      questionId: cols.questionIds[cols.question[r] as number] as QuestionId,
      model: cols.models[cols.model[r] as number] as string,
      turn: cols.turn[r] as 1 | 2,
      judge: [cols.judges[cols.judge[r] as number] as string, cols.prompts[cols.prompt[r] as number] as string],
      score: Number.isNaN(s) ? { kind: "failed", reason: "no_rating", raw: null } : { kind: "scored", score: s },
      line: cols.line[r] as number,
    };
  }
}
