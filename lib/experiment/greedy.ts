/**
 * Greedy search for in-context demonstrations (Zhao et al. §3.2, App. A.3).
 *
 * Step 1: every candidate of the pool is tried as an extra demonstration (prompt = candidate +
 * URIAL's demos), each prompt is evaluated (turn-1 MT-Bench answers judged, possibly several
 * times), and the best mean is kept. Step k > 1: prompt = the k-1 chosen demos (in the order
 * they were chosen) + candidate + URIAL's demos, over a pool restricted to the candidates not
 * yet chosen whose mean at step k-1 was above the threshold (6.2 in the paper).
 *
 * The search log is append-only JSONL, one line per evaluated candidate and one per choice:
 *   {"event": "score", "step": 1, "candidate": "c17", "scores": [6.3, 6.1], "mean": 6.2, "n_judged": [80, 80]}
 *   {"event": "chosen", "step": 1, "candidate": "c17", "mean": 6.2, "prefix": ["c17"]}
 * `scores` has one entry per judging repeat (the mean turn-1 score of that repeat). Rerunning
 * with the same log skips every logged evaluation and choice, so a killed search resumes
 * where it stopped (the evaluation itself resumes from its own answer/judgment files).
 * Fig. 5/9 of the paper are the distributions of `mean` of the "score" rows per step.
 */
import { AppendLog, requireObjectRow } from "./appendLog";
import { InputError } from "../model/errors";

export interface GreedyCandidate<D> {
  id: string;
  demo: D;
}

/** What one evaluation returns: the score of each judging repeat. */
export interface CandidateEvaluation {
  /** Mean turn-1 score per repeat (NaN / null when a repeat had no valid judgment). */
  scores: (number | null)[];
  /** Valid judgments per repeat (for the log). */
  nJudged?: number[];
}

export interface GreedyEvaluateRequest<D> {
  step: number;
  candidate: GreedyCandidate<D>;
  /** The demonstrations chosen at earlier steps, in the order they were chosen. */
  prefix: readonly GreedyCandidate<D>[];
  /** The demos of the prompt in prompt order: prefix, then the candidate (URIAL's follow). */
  demos: readonly D[];
  repeats: number;
}

export interface GreedyOptions<D> {
  candidates: readonly GreedyCandidate<D>[];
  /** Number of demonstrations to add (the paper: 3, i.e. the 4th, 5th and 6th demo). */
  steps: number;
  /** From step 2 on, only candidates whose previous-step mean is above this (null: no filter). */
  threshold: number | null;
  /** Judging repeats per step (e.g. 1 at step 1, 3 later). */
  repeats: (step: number) => number;
  evaluate: (req: GreedyEvaluateRequest<D>) => Promise<CandidateEvaluation>;
  logFile: string;
  /** Candidates evaluated at the same time (default 1). */
  parallel?: number;
  /** Progress callback: each logged event. */
  onEvent?: (e: GreedyScoreEvent | GreedyChosenEvent) => void;
}

export interface GreedyScoreEvent {
  event: "score";
  step: number;
  candidate: string;
  scores: (number | null)[];
  mean: number | null;
  n_judged?: number[];
}

export interface GreedyChosenEvent {
  event: "chosen";
  step: number;
  candidate: string;
  mean: number;
  prefix: string[];
}

export interface GreedyStepResult {
  step: number;
  /** Candidate id -> mean score at this step. */
  means: Map<string, number | null>;
  chosen: string | null;
}

export interface GreedyResult<D> {
  chosen: GreedyCandidate<D>[];
  steps: GreedyStepResult[];
  /** Why the search ended before `steps` choices (empty pool), or null. */
  endedEarly: string | null;
}

/** The mean of the non-null, finite entries, or null when there are none. */
export function meanOfScores(scores: readonly (number | null)[]): number | null {
  const v = scores.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
}

function readLog(log: AppendLog): { scores: Map<string, GreedyScoreEvent>; chosen: Map<number, GreedyChosenEvent> } {
  const scores = new Map<string, GreedyScoreEvent>();
  const chosen = new Map<number, GreedyChosenEvent>();
  for (const row of log.existing) {
    const o = requireObjectRow(row, log.file);
    const loc = { file: log.file, line: row.line };
    if (typeof o["step"] !== "number" || typeof o["candidate"] !== "string") throw new InputError({ ...loc, field: "step" }, "expected a step number and a candidate id");
    if (o["event"] === "score") scores.set(stepKey(o["step"], o["candidate"]), o as unknown as GreedyScoreEvent);
    else if (o["event"] === "chosen") chosen.set(o["step"], o as unknown as GreedyChosenEvent);
    else throw new InputError({ ...loc, field: "event" }, `expected "score" or "chosen", got ${JSON.stringify(o["event"])}`);
  }
  return { scores, chosen };
}

function stepKey(step: number, candidate: string): string {
  return `${step}\u0000${candidate}`;
}

/** Runs (or resumes) the greedy search; see the module comment. */
export async function greedySearch<D>(o: GreedyOptions<D>): Promise<GreedyResult<D>> {
  const byId = new Map<string, GreedyCandidate<D>>();
  for (const c of o.candidates) {
    if (byId.has(c.id)) throw new InputError({ file: "<candidates>", field: "id" }, `candidate id "${c.id}" appears twice`);
    byId.set(c.id, c);
  }
  const log = AppendLog.open(o.logFile);
  try {
    const logged = readLog(log);
    const chosen: GreedyCandidate<D>[] = [];
    const results: GreedyStepResult[] = [];
    let endedEarly: string | null = null;
    let previous: Map<string, number | null> | null = null;

    for (let step = 1; step <= o.steps; step++) {
      const chosenIds = new Set(chosen.map((c) => c.id));
      const pool = o.candidates.filter((c) => {
        if (chosenIds.has(c.id)) return false;
        if (previous === null || o.threshold === null) return true;
        const m = previous.get(c.id);
        return m !== undefined && m !== null && m > o.threshold;
      });
      if (pool.length === 0) {
        endedEarly = `no candidate left for step ${step} (threshold ${o.threshold})`;
        break;
      }
      const means = new Map<string, number | null>();
      const todo: GreedyCandidate<D>[] = [];
      for (const c of pool) {
        const prev = logged.scores.get(stepKey(step, c.id));
        if (prev !== undefined) means.set(c.id, prev.mean);
        else todo.push(c);
      }
      const prefix = [...chosen];
      let next = 0;
      let failure: { error: unknown } | null = null;
      const worker = async (): Promise<void> => {
        for (let c = todo[next++]; c !== undefined && failure === null; c = todo[next++]) {
          const ev = await o.evaluate({ step, candidate: c, prefix, demos: [...prefix.map((p) => p.demo), c.demo], repeats: o.repeats(step) });
          const scores = ev.scores.map((x) => (x !== null && Number.isFinite(x) ? x : null));
          const e: GreedyScoreEvent = { event: "score", step, candidate: c.id, scores, mean: meanOfScores(scores) };
          if (ev.nJudged !== undefined) e.n_judged = ev.nJudged;
          await log.append(e);
          means.set(c.id, e.mean);
          o.onEvent?.(e);
        }
      };
      // On a failed evaluation no new one starts; those in flight finish (and are logged) first.
      const guarded = (): Promise<void> =>
        worker().catch((error: unknown) => {
          failure ??= { error };
        });
      await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel ?? 1, todo.length)) }, guarded));
      if (failure !== null) throw (failure as { error: unknown }).error;

      let pick = logged.chosen.get(step);
      if (pick === undefined) {
        let best: GreedyCandidate<D> | null = null;
        let bestMean = -Infinity;
        for (const c of pool) {
          const m = means.get(c.id);
          if (m !== undefined && m !== null && m > bestMean) {
            best = c;
            bestMean = m;
          }
        }
        if (best === null) {
          endedEarly = `no candidate of step ${step} has a valid score`;
          results.push({ step, means, chosen: null });
          break;
        }
        pick = { event: "chosen", step, candidate: best.id, mean: bestMean, prefix: [...chosen.map((c) => c.id), best.id] };
        await log.append(pick);
        o.onEvent?.(pick);
      }
      const c = byId.get(pick.candidate);
      if (c === undefined) throw new InputError({ file: o.logFile }, `step ${step} chose "${pick.candidate}", which is not among the candidates`);
      chosen.push(c);
      results.push({ step, means, chosen: c.id });
      previous = means;
    }
    return { chosen, steps: results, endedEarly };
  } finally {
    await log.close();
  }
}
