/**
 * Running MT-Bench single grading against an OpenAI-compatible judge: resumable (finished
 * judgments in the output file are never requested again), crash-safe (one fsynced line per
 * judgment), with retries, a concurrency limit, a token/cost meter and an optional budget.
 * Output rows are FastChat's (`model_judgment/<judge>_single.jsonl`), readable by FastChat's
 * `show_result.py` and by this project's loaders.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AppendLog, moveRowsAside, readAppendLog, requireObjectRow } from "./appendLog";
import { chatOnce, type EndpointPool } from "./endpoints";
import { InputError } from "../model/errors";
import { JUDGE_MAX_TOKENS, JUDGE_TEMPERATURE, type JudgeJob, judgeMessages, judgmentRecord, judgmentRowChanged, keyOfJudgmentRow } from "./mtbenchJudge";
import { acquireOutputLock } from "./outputLock";
import { DEFAULT_RETRY_POLICY, itemDeadline, type RetryHooks, type RetryPolicy, withRetries } from "./retry";
import { type MeteredRunOptions, runMeteredJobs, type RunJobsSummary } from "./runner";
import { withReservation } from "./usage";

/**
 * Where repeat `repeat` of a judge's single grading goes: repeat 0 is FastChat's own file
 * `model_judgment/<judge>_single.jsonl` (the one every score reads); repeats 1, 2, ... of a
 * repeated judging go to `model_judgment/<judge>_single.repeat-<r>.jsonl`, each a complete
 * FastChat judgment file whose rows also carry `"repeat": r`.
 */
export function judgmentFilePath(dumpDir: string, judgeModel: string, repeat: number): string {
  const base = repeat === 0 ? `${judgeModel}_single.jsonl` : `${judgeModel}_single.repeat-${repeat}.jsonl`;
  return path.join(dumpDir, "model_judgment", base);
}

/**
 * The judgment files of repeated judging present in a dump, repeat 0 first:
 * `[{repeat: 0, file: .../<judge>_single.jsonl}, {repeat: 1, file: ...repeat-1.jsonl}, ...]`.
 * Notebooks load each with loadJudgments and compare scores per item to show judge noise.
 */
export function judgmentRepeatFiles(dumpDir: string, judgeModel: string): { repeat: number; file: string }[] {
  const dir = path.join(dumpDir, "model_judgment");
  if (!fs.existsSync(dir)) return [];
  const prefix = `${judgeModel}_single.repeat-`;
  const out: { repeat: number; file: string }[] = [];
  const main = judgmentFilePath(dumpDir, judgeModel, 0);
  if (fs.existsSync(main)) out.push({ repeat: 0, file: main });
  for (const f of fs.readdirSync(dir)) {
    if (!f.startsWith(prefix) || !f.endsWith(".jsonl")) continue;
    const r = Number(f.slice(prefix.length, -".jsonl".length));
    if (Number.isInteger(r) && r > 0) out.push({ repeat: r, file: path.join(dir, f) });
  }
  return out.sort((a, b) => a.repeat - b.repeat);
}

/** What to do with finished judgments whose inputs (answer, judge prompt, reference) changed. */
export type OnChangedJudgments = "refuse" | "redo";

export interface JudgeRunOptions extends MeteredRunOptions<JudgeJob> {
  /** Planned jobs, all with the same repeat index (see planSingleJudgments). */
  jobs: readonly JudgeJob[];
  pool: EndpointPool;
  retry?: RetryPolicy;
  retryHooks?: Omit<RetryHooks, "jitterKey">;
  /** Longest time one judgment (all attempts) may take, in ms (default: none). */
  itemDeadlineMs?: number;
  /** Judgments made on other inputs: refuse with instructions (default) or move aside and judge again. */
  onChanged?: OnChangedJudgments;
}

/** Finished judgment rows of `file` for planned keys whose inputs changed (line numbers, in file order). */
export function changedJudgmentLines(file: string, jobs: readonly JudgeJob[], defaultRepeat: number): { line: number; job: JudgeJob }[] {
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  const out: { line: number; job: JudgeJob }[] = [];
  for (const row of readAppendLog(file).rows) {
    const o = requireObjectRow(row, file);
    const k = keyOfJudgmentRow(o, defaultRepeat);
    const job = k === null ? undefined : byKey.get(k);
    if (job !== undefined && judgmentRowChanged(o, job)) out.push({ line: row.line, job });
  }
  return out;
}

/**
 * Applies `onChanged` to the judgments of `file` made on other inputs than the planned jobs:
 * "refuse" throws an InputError naming the first such line with what to do; "redo" moves them
 * to `<file>.stale-<time>` (so the jobs are judged again) and returns how many and where. The
 * caller holds the file's lock.
 */
export function settleChangedJudgments(file: string, jobs: readonly JudgeJob[], defaultRepeat: number, onChanged: OnChangedJudgments, nowMs: number): { count: number; movedTo: string | null } {
  const changed = changedJudgmentLines(file, jobs, defaultRepeat);
  if (changed.length === 0) return { count: 0, movedTo: null };
  if (onChanged === "refuse") {
    const first = changed[0] as { line: number; job: JudgeJob };
    throw new InputError(
      { file, line: first.line, field: "user_prompt" },
      `${changed.length} judgment(s) were made on other inputs than this run's (answer, judge prompt or reference changed; first: ${first.job.model}, question ${first.job.question.questionId}, turn ${first.job.turn}). ` +
        `Rerun with --rejudge-changed to move them to ${file}.stale-<time> and judge those items again, or judge into another --output`,
    );
  }
  return { count: changed.length, movedTo: moveRowsAside(file, new Set(changed.map((c) => c.line)), nowMs) };
}

export interface JudgeRunSummary extends RunJobsSummary {
  output: string;
  /** Judgments moved aside because their inputs changed (onChanged "redo"). */
  changed: { count: number; movedTo: string | null };
  /** Rows in the file already before this run (any key). */
  existingRows: number;
  /** Bytes of a torn trailing fragment removed on open (a previous run killed mid-write). */
  truncatedBytes: number;
}

/** Finished judgment keys in an opened judgment log. */
export function finishedJudgmentKeys(log: AppendLog, defaultRepeat: number): Set<string> {
  const done = new Set<string>();
  for (const row of log.existing) {
    const k = keyOfJudgmentRow(requireObjectRow(row, log.file), defaultRepeat);
    if (k !== null) done.add(k);
  }
  return done;
}

/** Judges every planned job not already in `output`; see the module comment. */
export async function runJudging(o: JudgeRunOptions): Promise<JudgeRunSummary> {
  const repeats = new Set(o.jobs.map((j) => j.repeat));
  if (repeats.size > 1) throw new Error("runJudging: all jobs of one run must share a repeat index (one file per repeat)");
  const repeat = o.jobs[0]?.repeat ?? 0;
  const now = o.now ?? Date.now;
  const clock = o.retryHooks?.now ?? Date.now;
  const lock = acquireOutputLock(o.output);
  try {
    const changed = settleChangedJudgments(o.output, o.jobs, repeat, o.onChanged ?? "refuse", now());
    const log = AppendLog.open(o.output);
    try {
      const done = finishedJudgmentKeys(log, repeat);
      const execute = async (job: JudgeJob): Promise<unknown> => {
        const messages = judgeMessages(job.prompt, job.userPrompt);
        const deadlineAt = itemDeadline(clock(), o.itemDeadlineMs);
        const { value: r, reservation } = await withReservation(
          o.meter,
          messages.map((m) => m.content),
          JUDGE_MAX_TOKENS,
          () =>
            withRetries(
              (_attempt, left) =>
                o.pool.call((client) =>
                  chatOnce(
                    client,
                    job.judgeModel,
                    messages,
                    { temperature: JUDGE_TEMPERATURE, maxTokens: JUDGE_MAX_TOKENS },
                    { timeoutMs: left === undefined ? undefined : Math.min(left, o.pool.timeoutMs) },
                  ),
                ),
              o.retry ?? DEFAULT_RETRY_POLICY,
              { ...o.retryHooks, jitterKey: job.key, ...(deadlineAt !== undefined ? { deadlineAt } : {}) },
            ),
        );
        o.meter.add(r.usage, reservation);
        return judgmentRecord(job, r.text, now() / 1000);
      };
      const summary = await runMeteredJobs(o, { jobs: o.jobs, done, log, execute });
      return { ...summary, output: o.output, changed, existingRows: log.existing.length, truncatedBytes: log.truncatedBytes };
    } finally {
      await log.close();
    }
  } finally {
    lock.release();
  }
}
