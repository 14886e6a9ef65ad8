/**
 * Per-question views of a loaded dump: re-reads the run's judgment file (loadMtBenchRun keeps
 * only aggregates) for the paired comparisons and the judge-noise estimate.
 */
import { type QuestionScoreTable, questionScoreTable } from "../analysis/questionScores";
import { streamJudgments } from "../io/mtbench";
import type { Judgment } from "../model/mtbench";
import type { MtBenchRun } from "./mtbench";

/** Every judgment row of the run's judgment file, in file order. */
export async function loadRunJudgments(run: MtBenchRun): Promise<Judgment[]> {
  const out: Judgment[] = [];
  for await (const j of streamJudgments(run.judgmentsFile)) out.push(j);
  return out;
}

/** The run's per-question scores under its dedupe policy. */
export async function loadQuestionScores(run: MtBenchRun): Promise<QuestionScoreTable> {
  return questionScoreTable(await loadRunJudgments(run), run.dedupe);
}
