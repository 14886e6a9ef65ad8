/**
 * Coverage check before analysis (as FastChat's llm_judge does): every model x question x turn
 * cell must have a usable judgment. Lists the cells with no row at all and the cells whose rows
 * all failed.
 */
import type { Judgment, Question, QuestionId } from "../model/mtbench";
import { cellKey } from "../model/mtbench";

export interface CoverageCell {
  model: string;
  questionId: QuestionId;
  turn: number;
}

export interface CoverageReport {
  /** Number of expected cells (models x questions x turns). */
  expected: number;
  /** Cells with no judgment row. */
  missing: CoverageCell[];
  /** Cells whose every row is a failed judgment. */
  failedOnly: CoverageCell[];
  /** Models that have judgments but were not expected (e.g. not in the manifest). */
  unexpectedModels: string[];
  complete: boolean;
}

/**
 * Checks that each of `models` has a scored judgment for every turn of every question.
 * Judgments of other models are reported in `unexpectedModels` and otherwise ignored.
 */
export function checkCoverage(judgments: Iterable<Judgment>, questions: readonly Question[], models: readonly string[]): CoverageReport {
  const expectedModels = new Set(models);
  const scored = new Set<string>();
  const failed = new Set<string>();
  const unexpected = new Set<string>();
  for (const j of judgments) {
    if (!expectedModels.has(j.model)) {
      unexpected.add(j.model);
      continue;
    }
    const k = cellKey(j.model, j.questionId, j.turn);
    if (j.score.kind === "scored") scored.add(k);
    else failed.add(k);
  }
  const missing: CoverageCell[] = [];
  const failedOnly: CoverageCell[] = [];
  let expected = 0;
  for (const model of models) {
    for (const q of questions) {
      for (let turn = 1; turn <= q.turns.length; turn++) {
        expected++;
        const k = cellKey(model, q.questionId, turn);
        if (scored.has(k)) continue;
        const cell = { model, questionId: q.questionId, turn };
        if (failed.has(k)) failedOnly.push(cell);
        else missing.push(cell);
      }
    }
  }
  return {
    expected,
    missing,
    failedOnly,
    unexpectedModels: [...unexpected].sort(),
    complete: missing.length === 0 && failedOnly.length === 0,
  };
}

/** A short human-readable summary of a coverage report. */
export function formatCoverage(r: CoverageReport, maxCells = 10): string {
  if (r.complete && r.unexpectedModels.length === 0) return `coverage complete: ${r.expected} model x question x turn cells judged`;
  const lines = [`coverage: ${r.expected - r.missing.length - r.failedOnly.length} of ${r.expected} cells have a usable judgment`];
  const show = (title: string, cells: CoverageCell[]) => {
    if (cells.length === 0) return;
    lines.push(`  ${title}: ${cells.length}`);
    for (const c of cells.slice(0, maxCells)) lines.push(`    ${c.model}  question ${c.questionId}  turn ${c.turn}`);
    if (cells.length > maxCells) lines.push(`    … and ${cells.length - maxCells} more`);
  };
  show("missing", r.missing);
  show("only failed judgments", r.failedOnly);
  if (r.unexpectedModels.length > 0) lines.push(`  models with judgments but not expected: ${r.unexpectedModels.join(", ")}`);
  return lines.join("\n");
}

/** Runs of a manifest and judged models that do not meet (what `describeRun` lists for notebooks). */
export interface ManifestJudgmentGaps {
  /** Model ids in the manifest with no judgment row at all, in manifest order. */
  runsWithoutJudgments: string[];
  /** Judged models with no manifest row, sorted. */
  judgedNotInManifest: string[];
}

/**
 * Which manifest runs have no judgments and which judged models have no manifest row.
 *
 * @example manifestJudgmentGaps(["a", "b"], ["b", "c"]) // { runsWithoutJudgments: ["a"], judgedNotInManifest: ["c"] }
 */
export function manifestJudgmentGaps(manifestModels: readonly string[], judgedModels: readonly string[]): ManifestJudgmentGaps {
  const judged = new Set(judgedModels);
  const inManifest = new Set(manifestModels);
  return {
    runsWithoutJudgments: manifestModels.filter((m) => !judged.has(m)),
    judgedNotInManifest: [...judged].filter((m) => !inManifest.has(m)).sort(),
  };
}
