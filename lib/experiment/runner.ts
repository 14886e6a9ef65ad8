/**
 * The resumable job loop shared by generation and judging: jobs whose key is already finished
 * in the output file are skipped; the rest run with a concurrency limit; each finished job
 * appends one record to the append-only log (single write + fsync) before it counts as done.
 * A job that fails after its retries is reported and not written, so a rerun retries it. A
 * fatal error (bad key, unknown model) or a budget stop ends the run cleanly: no new job starts,
 * jobs in flight finish and are written.
 */
import type { AppendLog } from "./appendLog";
import type { Progress } from "./progress";
import { RetriesExhaustedError } from "./retry";
import type { UsageMeter } from "./usage";

export interface KeyedJob {
  key: string;
}

export interface RunJobsOptions<J extends KeyedJob> {
  jobs: readonly J[];
  /** Keys already finished (read from the output file); updated as jobs finish. */
  done: Set<string>;
  concurrency: number;
  /** Does the work of one job and returns the record to append (with retries inside). */
  execute: (job: J) => Promise<unknown>;
  log: AppendLog;
  /** Checked before each job starts: a reason to stop (e.g. the budget), or null. */
  stopReason?: () => string | null;
  progress?: Progress;
  /** Called once per failed job with a printable message (already redacted by the caller). */
  onFailure?: (job: J, message: string) => void;
}

export interface RunJobsSummary {
  planned: number;
  /** Jobs skipped because the output file already had them. */
  skipped: number;
  written: number;
  failed: number;
  /** Jobs never started because the run stopped early. */
  notStarted: number;
  /** Why the run stopped early (budget, fatal error), or null when every job was attempted. */
  stoppedBecause: string | null;
}

/** Runs the jobs that are not yet done; see the module comment. */
export async function runJobs<J extends KeyedJob>(o: RunJobsOptions<J>): Promise<RunJobsSummary> {
  const seen = new Set<string>();
  const todo: J[] = [];
  let skipped = 0;
  for (const j of o.jobs) {
    if (o.done.has(j.key)) skipped++;
    else if (!seen.has(j.key)) {
      seen.add(j.key);
      todo.push(j);
    }
  }
  let next = 0;
  let written = 0;
  let failed = 0;
  let stoppedBecause: string | null = null;

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stoppedBecause !== null) return;
      const reason = o.stopReason?.() ?? null;
      if (reason !== null) {
        stoppedBecause = reason;
        return;
      }
      const job = todo[next++];
      if (job === undefined) return;
      let record: unknown;
      try {
        record = await o.execute(job);
      } catch (e) {
        failed++;
        o.progress?.tick(1, true);
        const msg = e instanceof Error ? e.message : String(e);
        o.onFailure?.(job, msg);
        if (e instanceof RetriesExhaustedError && e.fatal && stoppedBecause === null) stoppedBecause = `fatal error: ${msg}`;
        continue;
      }
      // The worker moves on while the record is being fsynced (group commit); the job counts
      // as done only once its line is on disk. A crash before that redoes it, like a job in flight.
      const persisted = o.log.append(record).then(
        () => {
          o.done.add(job.key);
          written++;
          o.progress?.tick(1);
        },
        (e: unknown) => {
          writeError ??= { error: e };
          stoppedBecause ??= `cannot write ${o.log.file}: ${e instanceof Error ? e.message : String(e)}`;
        },
      );
      writes.push(persisted);
    }
  };
  const writes: Promise<void>[] = [];
  let writeError: { error: unknown } | null = null;
  const n = Math.max(1, Math.min(o.concurrency, todo.length));
  await Promise.all(Array.from({ length: n }, worker));
  await Promise.all(writes);
  if (writeError !== null) throw (writeError as { error: unknown }).error;
  return {
    planned: o.jobs.length,
    skipped,
    written,
    failed,
    notStarted: Math.max(0, todo.length - next),
    stoppedBecause,
  };
}

/** What a metered run (generation, judging) takes from its caller besides its own inputs. */
export interface MeteredRunOptions<J extends KeyedJob> {
  /** The output file (or, for AlpacaEval, the file written once every job is done). */
  output: string;
  concurrency: number;
  meter: UsageMeter;
  progress?: Progress;
  /** Clock for `tstamp` (milliseconds; seconds are written). */
  now?: () => number;
  onFailure?: (job: J, message: string) => void;
  /** Checked before each job starts, after the budget: a reason to stop (e.g. Ctrl-C), or null. */
  stopReason?: () => string | null;
}

/** {@link runJobs} for a metered run: stops at the meter's budget (or the caller's stopReason); progress and failures go to the caller's hooks. */
export function runMeteredJobs<J extends KeyedJob>(
  o: MeteredRunOptions<J>,
  run: { jobs: readonly J[]; done: Set<string>; log: AppendLog; execute: (job: J) => Promise<unknown> },
): Promise<RunJobsSummary> {
  return runJobs({
    ...run,
    concurrency: o.concurrency,
    stopReason: () => o.meter.budgetStop() ?? o.stopReason?.() ?? null,
    ...(o.progress ? { progress: o.progress } : {}),
    ...(o.onFailure ? { onFailure: o.onFailure } : {}),
  });
}
