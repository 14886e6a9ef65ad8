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
import { BudgetExhaustedError, type UsageMeter } from "./usage";

/**
 * A pool of request slots shared by several runs at once (the points of a decoding grid, the
 * candidates of a greedy step): at most `size` jobs execute at any moment over all of them.
 * FIFO: a waiting run gets the next free slot in arrival order.
 */
export class SlotPool {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  /** Most slots held at once so far (for reports and tests). */
  maxInUse = 0;
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`SlotPool: size must be a positive integer, got ${size}`);
    this.free = size;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.maxInUse = Math.max(this.maxInUse, this.size - this.free);
  }
  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.free++;
  }
}

/** Why a run stopped early: the budget, a fatal API error (auth, quota, unknown model), or its output could not be written. */
export type StopKind = "budget" | "fatal" | "write";

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
  /** Request slots shared with other runs (default: this run's own `concurrency`). */
  slots?: SlotPool;
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
  /** The kind of that stop, or null. */
  stopKind: StopKind | null;
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
  let stopKind: StopKind | null = null;
  let interrupted = 0;
  const stop = (kind: StopKind, why: string): void => {
    if (stoppedBecause !== null) return;
    stoppedBecause = why;
    stopKind = kind;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stoppedBecause !== null) return;
      if (next >= todo.length) return;
      if (o.slots !== undefined) await o.slots.acquire();
      try {
        if (stoppedBecause !== null) return;
        const reason = o.stopReason?.() ?? null;
        if (reason !== null) {
          stop("budget", reason);
          return;
        }
        const job = todo[next++];
        if (job === undefined) return;
        await runOne(job);
      } finally {
        o.slots?.release();
      }
    }
  };
  const runOne = async (job: J): Promise<void> => {
    let record: unknown;
    try {
      record = await o.execute(job);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof BudgetExhaustedError) {
        // Not sent (or, for a two-turn job, its later turn not sent): not a failure; a rerun with a higher budget does it.
        interrupted++;
        stop("budget", msg);
        return;
      }
      failed++;
      o.progress?.tick(1, true);
      o.onFailure?.(job, msg);
      if (e instanceof RetriesExhaustedError && e.fatal) stop("fatal", `fatal error: ${msg}`);
      return;
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
        stop("write", `cannot write ${o.log.file}: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    writes.push(persisted);
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
    notStarted: Math.max(0, todo.length - next) + interrupted,
    stoppedBecause,
    stopKind,
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
  /** Request slots shared with other runs (a decoding grid's points); default: `concurrency` of its own. */
  slots?: SlotPool;
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
    ...(o.slots ? { slots: o.slots } : {}),
  });
}
