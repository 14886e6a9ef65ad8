/**
 * The evaluation step of the greedy search, built from generation and judging: for one
 * candidate prompt, generate turn-1 answers for every question, judge them `repeats` times,
 * and return the mean turn-1 score of each repeat. Each candidate of each step gets its own
 * small FastChat dump, so everything is resumable and inspectable:
 *
 *   WORK/step-<s>/<candidate>/model_answer/<model id>.jsonl
 *   WORK/step-<s>/<candidate>/model_judgment/<judge>_single.jsonl      (repeat 0)
 *   WORK/step-<s>/<candidate>/model_judgment/<judge>_single.repeat-<r>.jsonl
 *
 * An evaluation that cannot finish (failed requests, budget) throws GreedyIncompleteError
 * and logs nothing, so the next run resumes it from its files.
 */
import * as path from "node:path";
import { loadAnswers, loadJudgments } from "../io/mtbench";
import type { Answer, JudgePrompt, Question } from "../model/mtbench";
import type { EndpointPool, SamplingParams } from "./endpoints";
import { answerFileName, type PromptStyle, runGeneration } from "./generation";
import type { CandidateEvaluation, GreedyEvaluateRequest } from "./greedy";
import { judgmentFilePath, runJudging } from "./judging";
import { planSingleJudgments } from "./mtbenchJudge";
import type { Progress } from "./progress";
import type { RetryPolicy } from "./retry";
import type { SlotPool, StopKind } from "./runner";
import type { UsageMeter } from "./usage";

/** An evaluation that could not complete; rerunning the search resumes it. `stopKind` says why a run stopped early (null: failed items). */
export class GreedyIncompleteError extends Error {
  constructor(
    message: string,
    readonly stopKind: StopKind | null = null,
  ) {
    super(message);
    this.name = "GreedyIncompleteError";
  }
}

export interface ApiSide {
  pool: EndpointPool;
  concurrency: number;
  meter: UsageMeter;
  retry?: RetryPolicy;
  /** Request slots shared by the candidates evaluated at once (default: each its own). */
  slots?: SlotPool;
  /** Longest time one item may take (ms). */
  itemDeadlineMs?: number;
}

export interface GreedyPipelineOptions<D> {
  workDir: string;
  questions: readonly Question[];
  /** The prompt style for demos (prefix + candidate) inserted before URIAL's demos. */
  styleFor: (demos: readonly D[]) => PromptStyle;
  generation: ApiSide & { servedModel: string; sampling: SamplingParams };
  judging: ApiSide & { judgeModel: string; judgePrompts: readonly JudgePrompt[]; references: readonly Answer[] };
  /** Progress display per phase, optional. */
  progress?: (label: string, total: number) => Progress;
  /** Failure messages (already free of secrets). */
  onFailure?: (message: string) => void;
}

/** A file-name-safe candidate id. */
function safe(id: string): string {
  return id.replace(/[^A-Za-z0-9._+-]/g, "_");
}

/** The directory of one candidate's evaluation at one step. */
export function candidateDir(workDir: string, step: number, candidateId: string): string {
  return path.join(workDir, `step-${step}`, safe(candidateId));
}

/** The model id of one candidate's answers: `greedy-s<step>-<candidate>`. */
export function candidateModelId(step: number, candidateId: string): string {
  return `greedy-s${step}-${safe(candidateId)}`;
}

/** The mean turn-1 score of `model` in a judgment file, failed judgments left out. */
export function meanTurn1Score(file: string, model: string): { mean: number | null; n: number } {
  const scores = loadJudgments(file)
    .filter((j) => j.model === model && j.turn === 1 && j.score.kind === "scored")
    .map((j) => (j.score.kind === "scored" ? j.score.score : 0));
  return { mean: scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length, n: scores.length };
}

/** The `evaluate` function for greedySearch; see the module comment. */
export function greedyEvaluator<D>(o: GreedyPipelineOptions<D>): (req: GreedyEvaluateRequest<D>) => Promise<CandidateEvaluation> {
  return async (req) => {
    const dir = candidateDir(o.workDir, req.step, req.candidate.id);
    const modelId = candidateModelId(req.step, req.candidate.id);
    const answersFile = path.join(dir, "model_answer", answerFileName(modelId));
    const where = `step ${req.step}, candidate ${req.candidate.id}`;

    const genProgress = o.progress?.(`${where}: answers`, o.questions.length);
    const g = await runGeneration({
      questions: o.questions,
      modelId,
      servedModel: o.generation.servedModel,
      style: o.styleFor(req.demos),
      sampling: o.generation.sampling,
      maxTurns: 1,
      output: answersFile,
      pool: o.generation.pool,
      concurrency: o.generation.concurrency,
      meter: o.generation.meter,
      ...(o.generation.retry ? { retry: o.generation.retry } : {}),
      ...(o.generation.slots ? { slots: o.generation.slots } : {}),
      ...(o.generation.itemDeadlineMs !== undefined ? { itemDeadlineMs: o.generation.itemDeadlineMs } : {}),
      ...(genProgress ? { progress: genProgress } : {}),
      onFailure: (job, msg) => o.onFailure?.(`${where}: answer to question ${job.question.questionId}: ${msg}`),
    });
    genProgress?.finish();
    if (g.failed > 0 || g.stoppedBecause !== null) {
      throw new GreedyIncompleteError(`${where}: answers incomplete (${g.failed} failed${g.stoppedBecause ? `; ${g.stoppedBecause}` : ""}); rerun to resume`, g.stopKind);
    }

    const answers = new Map([[modelId, loadAnswers(answersFile).filter((a) => a.model === modelId)]]);
    const scores: (number | null)[] = [];
    const nJudged: number[] = [];
    for (let r = 0; r < req.repeats; r++) {
      const jobs = planSingleJudgments({
        questions: o.questions,
        answers,
        references: o.judging.references,
        judgePrompts: o.judging.judgePrompts,
        judgeModel: o.judging.judgeModel,
        turns: [1],
        repeat: r,
      });
      const output = judgmentFilePath(dir, o.judging.judgeModel, r);
      const jp = o.progress?.(`${where}: judging ${r + 1}/${req.repeats}`, jobs.length);
      const s = await runJudging({
        jobs,
        output,
        pool: o.judging.pool,
        concurrency: o.judging.concurrency,
        meter: o.judging.meter,
        ...(o.judging.retry ? { retry: o.judging.retry } : {}),
        ...(o.judging.slots ? { slots: o.judging.slots } : {}),
        ...(o.judging.itemDeadlineMs !== undefined ? { itemDeadlineMs: o.judging.itemDeadlineMs } : {}),
        ...(jp ? { progress: jp } : {}),
        onFailure: (job, msg) => o.onFailure?.(`${where}: judging question ${job.question.questionId}: ${msg}`),
      });
      jp?.finish();
      if (s.failed > 0 || s.stoppedBecause !== null) {
        throw new GreedyIncompleteError(`${where}: judgments incomplete (${s.failed} failed${s.stoppedBecause ? `; ${s.stoppedBecause}` : ""}); rerun to resume`, s.stopKind);
      }
      const m = meanTurn1Score(output, modelId);
      scores.push(m.mean);
      nJudged.push(m.n);
    }
    return { scores, nJudged };
  };
}
