/**
 * MT-Bench judging through OpenAI's Batch API (half the price, results within 24 h) for large
 * runs, with the same output and the same guarantees as `runJudging`: FastChat's judgment rows
 * appended (fsync per record) to the same file, finished items never requested again.
 *
 * Flow: the judgments not yet in the output file become one JSONL input file (`custom_id` = the
 * judgment's key, `body` = the same request `runJudging` sends); it is uploaded, a batch is
 * created, polled, and its output is appended. A small state file next to the output
 * (`<output>.batch.json`, written atomically) records the uploaded file and the batch id, so a
 * killed or timed-out run resumes polling the batch it already paid for instead of submitting
 * a new one; a kill between creating the batch and recording its id is covered by looking the
 * batch up by its input file. Requests the batch did not complete (errors, expiry) are
 * reported and stay unjudged, so the next run submits them again.
 *
 * Secrets: the key stays in the client; nothing here writes or prints request headers, and the
 * uploaded input file, the state file and every record are redacted with the registered keys.
 * The output's lock (outputLock.ts) is held from before the upload to the last record.
 */
import * as fs from "node:fs";
import OpenAI, { toFile } from "openai";
import { InputError } from "../model/errors";
import { parseJsonl } from "../io/jsonl";
import { AppendLog } from "./appendLog";
import { chatRequestBody } from "./endpoints";
import { finishedJudgmentKeys, type OnChangedJudgments, settleChangedJudgments } from "./judging";
import { acquireOutputLock } from "./outputLock";
import { redactKnownSecrets, writeSecretFreeFile } from "./secrets";
import { JUDGE_MAX_TOKENS, JUDGE_TEMPERATURE, type JudgeJob, judgeMessages, judgmentRecord } from "./mtbenchJudge";
import { DEFAULT_RETRY_POLICY, realSleep, type RetryPolicy, withRetries } from "./retry";
import type { UsageLike, UsageMeter } from "./usage";

/** The endpoint every judge request of a batch goes to. */
export const BATCH_ENDPOINT = "/v1/chat/completions";

/** One line of a Batch API input file per job: the same body as a direct judge request. */
export function batchInputJsonl(jobs: readonly JudgeJob[]): string {
  return jobs
    .map((job) =>
      JSON.stringify({
        custom_id: job.key,
        method: "POST",
        url: BATCH_ENDPOINT,
        body: chatRequestBody(job.judgeModel, judgeMessages(job.prompt, job.userPrompt), { temperature: JUDGE_TEMPERATURE, maxTokens: JUDGE_MAX_TOKENS }),
      }),
    )
    .map((l) => `${l}\n`)
    .join("");
}

/** One result line of a batch's output or error file. */
export interface BatchResult {
  customId: string;
  /** The judge's text when the request succeeded, else null. */
  text: string | null;
  usage: UsageLike | null;
  /** Why the request failed (null on success). */
  error: string | null;
}

/** Parses a Batch API output (or error) file; pure, `file` only labels errors. */
export function parseBatchOutput(text: string, file = "<batch output>"): BatchResult[] {
  const out: BatchResult[] = [];
  for (const row of parseJsonl(text, file)) {
    const loc = { file, line: row.line };
    if (typeof row.value !== "object" || row.value === null) throw new InputError(loc, "expected a JSON object");
    const o = row.value as Record<string, unknown>;
    const customId = o["custom_id"];
    if (typeof customId !== "string") throw new InputError({ ...loc, field: "custom_id" }, "expected a string");
    const response = o["response"] as Record<string, unknown> | null | undefined;
    const err = o["error"] as { message?: unknown; code?: unknown } | null | undefined;
    const status = response?.["status_code"];
    const body = response?.["body"] as Record<string, unknown> | undefined;
    const choices = body?.["choices"];
    const first = Array.isArray(choices) ? (choices[0] as Record<string, unknown> | undefined) : undefined;
    const content = (first?.["message"] as Record<string, unknown> | undefined)?.["content"];
    if (status === 200 && typeof content === "string") {
      const u = body?.["usage"] as Record<string, unknown> | undefined;
      const usage = u
        ? {
            prompt_tokens: typeof u["prompt_tokens"] === "number" ? u["prompt_tokens"] : null,
            completion_tokens: typeof u["completion_tokens"] === "number" ? u["completion_tokens"] : null,
          }
        : null;
      out.push({ customId, text: content, usage, error: null });
    } else {
      const bodyErr = (body?.["error"] as { message?: unknown } | undefined)?.message;
      const why =
        err && typeof err.message === "string"
          ? err.message
          : typeof bodyErr === "string"
            ? `HTTP ${String(status)}: ${bodyErr}`
            : `HTTP ${String(status ?? "?")}: no message content`;
      out.push({ customId, text: null, usage: null, error: why });
    }
  }
  return out;
}

/** What `<output>.batch.json` holds. */
export interface BatchState {
  input_file_id: string;
  batch_id: string | null;
  n_requests: number;
  judge_model: string;
  /** Judgment key -> input hash of each submitted request: a result whose inputs changed since is not written. */
  input_hashes?: Record<string, string>;
}

export function batchStatePath(output: string): string {
  return `${output}.batch.json`;
}

function readState(file: string): BatchState | null {
  if (!fs.existsSync(file)) return null;
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError({ file }, `not valid JSON (${(e as Error).message})`);
  }
  const o = v as Partial<BatchState> | null;
  if (o === null || typeof o !== "object" || typeof o.input_file_id !== "string") throw new InputError({ file, field: "input_file_id" }, "expected a string");
  const hashes = o.input_hashes !== null && typeof o.input_hashes === "object" ? o.input_hashes : undefined;
  return {
    input_file_id: o.input_file_id,
    batch_id: typeof o.batch_id === "string" ? o.batch_id : null,
    n_requests: Number(o.n_requests ?? 0),
    judge_model: String(o.judge_model ?? ""),
    ...(hashes ? { input_hashes: hashes } : {}),
  };
}

export interface BatchJudgeOptions {
  jobs: readonly JudgeJob[];
  output: string;
  /** A client of OpenAI's API (the Batch API is OpenAI's; most local servers lack it). */
  client: OpenAI;
  meter: UsageMeter;
  /** Seconds between status polls (default 30). */
  pollSeconds?: number;
  /** Give up waiting after this long (the batch keeps running; a rerun collects it). Default 24 h. */
  maxWaitSeconds?: number;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Status lines (already free of secrets: ids and counts only). */
  onStatus?: (line: string) => void;
  onFailure?: (job: JudgeJob, message: string) => void;
  /** Judgments made on other inputs: refuse (default) or move aside and judge again. */
  onChanged?: OnChangedJudgments;
}

export interface BatchJudgeSummary {
  planned: number;
  skipped: number;
  written: number;
  failed: number;
  batchId: string | null;
  /** True when the batch was still running when the run stopped waiting (rerun to collect). */
  pending: boolean;
  /** Why the run ended without collecting (still running after maxWait, batch failed), or null. */
  stoppedBecause: string | null;
}

const RUNNING = new Set(["validating", "in_progress", "finalizing", "cancelling"]);

/** Judges the jobs not yet in `output` with one batch (or collects the pending one); see the module comment. */
export async function runBatchJudging(o: BatchJudgeOptions): Promise<BatchJudgeSummary> {
  const retry = o.retry ?? DEFAULT_RETRY_POLICY;
  const sleep = o.sleep ?? realSleep;
  const now = o.now ?? Date.now;
  const call = <T>(what: string, fn: () => Promise<T>): Promise<T> => withRetries(fn, retry, { sleep, now, jitterKey: what });
  const stateFile = batchStatePath(o.output);
  const lock = acquireOutputLock(o.output);
  try {
    settleChangedJudgments(o.output, o.jobs, o.jobs[0]?.repeat ?? 0, o.onChanged ?? "refuse", now());
    return await batchRun(o, stateFile, call, sleep, now);
  } finally {
    lock.release();
  }
}

async function batchRun(
  o: BatchJudgeOptions,
  stateFile: string,
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
): Promise<BatchJudgeSummary> {
  const log = AppendLog.open(o.output);
  try {
    const repeats = new Set(o.jobs.map((j) => j.repeat));
    if (repeats.size > 1) throw new Error("runBatchJudging: all jobs of one run must share a repeat index (one file per repeat)");
    const done = finishedJudgmentKeys(log, o.jobs[0]?.repeat ?? 0);
    const byKey = new Map<string, JudgeJob>();
    let skipped = 0;
    for (const j of o.jobs) {
      if (done.has(j.key)) skipped++;
      else byKey.set(j.key, j);
    }
    const summary: BatchJudgeSummary = { planned: o.jobs.length, skipped, written: 0, failed: 0, batchId: null, pending: false, stoppedBecause: null };

    let state = readState(stateFile);
    if (state === null) {
      if (byKey.size === 0) return summary;
      const input = redactKnownSecrets(batchInputJsonl([...byKey.values()]));
      const file = await call("upload", async () => o.client.files.create({ file: await toFile(Buffer.from(input, "utf8"), "judge-batch.jsonl"), purpose: "batch" }));
      state = {
        input_file_id: file.id,
        batch_id: null,
        n_requests: byKey.size,
        judge_model: o.jobs[0]?.judgeModel ?? "",
        input_hashes: Object.fromEntries([...byKey.values()].map((j) => [j.key, j.inputHash])),
      };
      writeSecretFreeFile(stateFile, JSON.stringify(state) + "\n");
      o.onStatus?.(`uploaded ${byKey.size} requests as ${file.id}`);
    }
    if (state.batch_id === null) {
      // A run killed right after creating the batch: find it by its input file before creating another.
      const inputId = state.input_file_id;
      let found: string | null = null;
      let looked = 0;
      for await (const b of o.client.batches.list({ limit: 100 })) {
        if (b.input_file_id === inputId) {
          found = b.id;
          break;
        }
        if (++looked >= 1000) break; // the batch, if any, was created minutes ago: it is among the newest
      }
      if (found === null) {
        const b = await call("create", () => o.client.batches.create({ input_file_id: inputId, endpoint: BATCH_ENDPOINT, completion_window: "24h" }));
        found = b.id;
      }
      state = { ...state, batch_id: found };
      writeSecretFreeFile(stateFile, JSON.stringify(state) + "\n");
    }
    const batchId = state.batch_id as string;
    summary.batchId = batchId;

    const start = now();
    const maxWaitMs = (o.maxWaitSeconds ?? 24 * 3600) * 1000;
    let batch = await call("retrieve", () => o.client.batches.retrieve(batchId));
    while (RUNNING.has(batch.status)) {
      const c = batch.request_counts;
      o.onStatus?.(`batch ${batchId}: ${batch.status}${c ? ` (${c.completed}/${c.total} done, ${c.failed} failed)` : ""}`);
      if (now() - start >= maxWaitMs) {
        summary.pending = true;
        summary.stoppedBecause = `batch ${batchId} is still ${batch.status}; rerun the same command to collect it`;
        return summary;
      }
      await sleep((o.pollSeconds ?? 30) * 1000);
      batch = await call("retrieve", () => o.client.batches.retrieve(batchId));
    }
    o.onStatus?.(`batch ${batchId}: ${batch.status}`);

    // Completed, expired or cancelled batches may carry results; failed ones carry none.
    const results: BatchResult[] = [];
    for (const [fileId, label] of [
      [batch.output_file_id, "output"],
      [batch.error_file_id, "errors"],
    ] as const) {
      if (fileId === null || fileId === undefined) continue;
      const text = await call("download", async () => (await o.client.files.content(fileId)).text());
      results.push(...parseBatchOutput(text, `batch ${batchId} ${label} file ${fileId}`));
    }
    const seen = new Set<string>();
    for (const r of results) {
      const job = byKey.get(r.customId);
      if (job === undefined || seen.has(r.customId)) continue; // finished earlier (a collect after a kill) or not ours
      seen.add(r.customId);
      const submitted = state.input_hashes?.[r.customId];
      if (submitted !== undefined && submitted !== job.inputHash) {
        summary.failed++;
        o.onFailure?.(job, "its answer, judge prompt or reference changed after the batch was submitted; not written (a rerun submits it again)");
        continue;
      }
      if (r.text === null) {
        summary.failed++;
        o.onFailure?.(job, r.error ?? "failed");
        continue;
      }
      o.meter.add(r.usage);
      await log.append(judgmentRecord(job, r.text, now() / 1000));
      summary.written++;
    }
    const missing = [...byKey.keys()].filter((k) => !seen.has(k)).length;
    if (missing > 0 && batch.status === "completed") summary.failed += missing;
    if (batch.status !== "completed") {
      summary.stoppedBecause = `batch ${batchId} ended ${batch.status}${batch.errors?.data?.[0]?.message ? ` (${batch.errors.data[0].message})` : ""}; rerun to submit the ${byKey.size - summary.written} unjudged requests again`;
    }
    fs.rmSync(stateFile, { force: true });
    return summary;
  } finally {
    await log.close();
  }
}
