/**
 * `icl-workbench judge`: MT-Bench single-answer grading as FastChat does it, resumable and
 * crash-safe. Also exports the flag helpers shared by `generate` and `greedy` (API servers,
 * retries, prices, budget, progress).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EndpointPool } from "../../experiment/endpoints";
import { judgmentFilePath, runJudging, type JudgeRunSummary } from "../../experiment/judging";
import { readAppendLog, requireObjectRow } from "../../experiment/appendLog";
import { type JudgeJob, keyOfJudgmentRow, planSingleJudgments } from "../../experiment/mtbenchJudge";
import { Progress } from "../../experiment/progress";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../experiment/retry";
import { isOpenAIHosted, readApiKey, redactSecrets } from "../../experiment/secrets";
import { resolvePrices, UsageMeter } from "../../experiment/usage";
import { loadJudgeInputs } from "../../experiment/judgeInputs";
import { boolOpt, listOpt, numberOpt, type OptionSpec, type Parsed, parseCommandLine, stringOpt } from "../args";
import { EXIT_INTERRUPTED, Interrupt, rerunCommand } from "../interrupt";
import { type CliIO, type Command, UsageError } from "../io";
import { EXIT_CODES_USAGE, EXIT_OK, runExitCode, worstExitCode } from "../exitCodes";
import { cleanStaleTempFiles } from "../../io/atomic";
import { acquireOutputLock, type OutputLock } from "../../experiment/outputLock";

// ---------------------------------------------------------------- shared flag helpers

/** Flags every API-calling command takes. */
export const API_FLAGS: OptionSpec = {
  "base-url": { type: "string" },
  "api-key-env": { type: "string" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  "item-deadline": { type: "string" },
  "max-attempts": { type: "string" },
  "price-in": { type: "string" },
  "price-out": { type: "string" },
  "budget-usd": { type: "string" },
};

export const API_FLAGS_USAGE = `  --base-url URL[,URL...]  OpenAI-compatible server(s); requests are spread over them
  --api-key-env NAME       environment variable holding the key for these servers; the key is
                           sent to them only and is never printed or written. No key: the
                           placeholder "EMPTY" is sent (vLLM).
%KEYDEFAULT%
  --concurrency N          requests in flight at once (default %CONCURRENCY%)
  --timeout SECONDS        per request; a hung request is retried after it (default %TIMEOUT%)
  --item-deadline SECONDS  most time one item may take over all its attempts (and turns); then
                           it counts as failed and a rerun retries it (default %DEADLINE%)
  --max-attempts N         attempts per request, retrying 429/5xx/timeouts/malformed bodies
                           with exponential backoff, honouring Retry-After (default 8)
  --price-in USD           price per 1k prompt tokens (default: list price of known OpenAI models)
  --price-out USD          price per 1k completion tokens
  --budget-usd USD         hard ceiling: each request's worst-case cost (every prompt byte a
                           token + max_tokens) is reserved before it is sent, and a request that
                           does not fit is not sent, so the bill never exceeds it at any
                           concurrency (finished items are kept; rerun with a higher budget)
`;

/** API_FLAGS_USAGE with a command's defaults filled in. */
export function apiFlagsUsage(d: { concurrency: number; timeoutS: number; deadlineS: number; keyDefault: readonly string[] }): string {
  return API_FLAGS_USAGE.replace("%CONCURRENCY%", String(d.concurrency))
    .replace("%TIMEOUT%", String(d.timeoutS))
    .replace("%DEADLINE%", String(d.deadlineS))
    .replace("%KEYDEFAULT%", d.keyDefault.map((l) => `${" ".repeat(27)}${l}`).join("\n"));
}

/** The API side of a command: endpoints, key, retry policy, meter. */
export interface ApiSetup {
  pool: EndpointPool;
  retry: RetryPolicy;
  meter: UsageMeter;
  concurrency: number;
  /** Longest time one item may take (ms). */
  itemDeadlineMs: number;
  /** Strings to redact from anything printed (the key). */
  secrets: string[];
  /** A printable, key-free description. */
  describe: string;
}

export interface ApiSetupOptions {
  defaultBaseUrl?: string;
  priceModel: string;
  defaultConcurrency: number;
  defaultTimeoutS: number;
  defaultDeadlineS: number;
  /**
   * The key's environment variable when no key flag is given: a name, or, for generation
   * servers, `"openai-only"` (OPENAI_API_KEY for api.openai.com, else no key at all).
   */
  defaultKeyEnv: string | "openai-only";
  /** Flags naming this side's key variable, in order (e.g. api-key-env, gen-api-key-env); default [`${prefix}api-key-env`]. */
  keyFlags?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Prefix of the server flags (`judge-` reads --judge-base-url, --judge-api-key-env, --judge-concurrency, --judge-timeout). */
  prefix?: string;
  /** Whether --price-in/--price-out/--budget-usd apply to this side (default true). */
  withCost?: boolean;
}

export function apiSetup(p: Parsed, o: ApiSetupOptions): ApiSetup {
  const pre = o.prefix ?? "";
  const baseUrls = listOpt(p, `${pre}base-url`) ?? (o.defaultBaseUrl !== undefined ? [o.defaultBaseUrl] : undefined);
  if (baseUrls === undefined || baseUrls.length === 0) throw new UsageError(`--${pre}base-url is required`);
  for (const u of baseUrls) {
    try {
      new URL(u);
    } catch {
      throw new UsageError(`--${pre}base-url: "${u}" is not a URL`);
    }
  }
  const keyFlags = o.keyFlags ?? [`${pre}api-key-env`];
  const given = keyFlags.map((f) => [f, stringOpt(p, f)] as const).filter((x): x is readonly [string, string] => x[1] !== undefined);
  if (given.length > 1 && given.some(([, v]) => v !== given[0]?.[1])) throw new UsageError(`--${given[0]?.[0]} and --${given[1]?.[0]} name different variables; give one`);
  const openai = baseUrls.some(isOpenAIHosted);
  const keyEnv = given[0]?.[1] ?? (o.defaultKeyEnv === "openai-only" ? (openai ? "OPENAI_API_KEY" : null) : o.defaultKeyEnv);
  let key;
  try {
    key = readApiKey(o.env ?? process.env, keyEnv, openai);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const concurrency = numberOpt(p, `${pre}concurrency`, { integer: true, min: 1 }) ?? o.defaultConcurrency;
  const timeoutS = numberOpt(p, `${pre}timeout`, { min: 0.001 }) ?? o.defaultTimeoutS;
  const deadlineS = numberOpt(p, `${pre}item-deadline`, { min: 0.001 }) ?? Math.max(o.defaultDeadlineS, timeoutS);
  const maxAttempts = numberOpt(p, "max-attempts", { integer: true, min: 1 }) ?? DEFAULT_RETRY_POLICY.maxAttempts;
  const withCost = o.withCost ?? true;
  const priceIn = withCost ? numberOpt(p, "price-in", { min: 0 }) : undefined;
  const priceOut = withCost ? numberOpt(p, "price-out", { min: 0 }) : undefined;
  const budget = withCost ? (numberOpt(p, "budget-usd", { min: 0 }) ?? null) : null;
  const prices = withCost ? resolvePrices(o.priceModel, priceIn, priceOut) : null;
  if (budget !== null && prices === null) {
    throw new UsageError(`--budget-usd needs prices: "${o.priceModel}" has no known price, pass --price-in and --price-out`);
  }
  const pool = new EndpointPool({ baseUrls, apiKey: key.key, timeoutMs: timeoutS * 1000 });
  const priceText = prices === null ? "cost not tracked" : `$${prices.inputPer1k}/$${prices.outputPer1k} per 1k tokens in/out`;
  return {
    pool,
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts },
    meter: new UsageMeter(prices, budget),
    concurrency,
    itemDeadlineMs: deadlineS * 1000,
    secrets: [key.key],
    describe: `${baseUrls.join(", ")} (API key: ${key.source}); concurrency ${concurrency}, timeout ${timeoutS}s, ${maxAttempts} attempts, item deadline ${deadlineS}s; ${priceText}${budget !== null ? `, budget $${budget}` : ""}`,
  };
}

/** stderr with secrets redacted. */
export function safeWriter(io: CliIO, secrets: readonly string[]): (text: string) => void {
  return (t) => io.stderr(redactSecrets(t, secrets));
}

export function isTerminal(io: CliIO): boolean {
  return io.isProcess === true && process.stderr.isTTY === true;
}

export function makeProgress(io: CliIO, label: string, total: number, meter: UsageMeter, secrets: readonly string[]): Progress {
  return new Progress({
    label,
    total,
    write: safeWriter(io, secrets),
    isTTY: isTerminal(io),
    suffix: () => (meter.prices ? `$${meter.costUsd.toFixed(3)}` : `${meter.promptTokens + meter.completionTokens} tok`),
  });
}

export { EXIT_BUDGET } from "../exitCodes";

export function summaryLine(what: string, s: { written: number; skipped: number; failed: number; notStarted: number; stoppedBecause: string | null }): string {
  const stop = s.stoppedBecause !== null ? `; stopped: ${s.stoppedBecause} (${s.notStarted} not started)` : "";
  return `${what}: ${s.written} new, ${s.skipped} already done, ${s.failed} failed${stop}\n`;
}

// ---------------------------------------------------------------- judge

const usage = `usage: icl-workbench judge --dump DIR [options]

MT-Bench single-answer grading exactly as FastChat's gen_judgment.py --mode single: the four
judge prompts (single-v1, single-math-v1 and their -multi-turn variants) from judge_prompts.jsonl,
reference answers for math/reasoning/coding, temperature 0, max_tokens 2048, the rating read from
[[x]] (fallback [x], else -1). Writes FastChat's judgment JSONL, one fsynced line per judgment:
kill it at any moment and rerun, nothing is lost, duplicated or paid for twice.

  --dump DIR               FastChat layout: DIR/question.jsonl, DIR/model_answer/<model>.jsonl,
                           DIR/reference_answer/<judge>.jsonl; judgments go to
                           DIR/model_judgment/<judge>_single.jsonl
  --judge-prompts FILE     FastChat's judge_prompts.jsonl (default DIR/judge_prompts.jsonl)
  --judge-model NAME       judge model (default gpt-4; e.g. gpt-4-turbo, or a model an
                           OpenAI-compatible server serves)
  --models A,B             models to judge = answer file names without .jsonl (default: all)
  --questions FILE         default DIR/question.jsonl
  --answers-dir DIR        default DIR/model_answer
  --references FILE        default DIR/reference_answer/<judge>.jsonl if present, else
                           DIR/reference_answer/gpt-4.jsonl
  --output FILE            default DIR/model_judgment/<judge>_single.jsonl
  --turns 1,2              turns to judge (default 1,2)
  --repeats K              judge everything K times to measure judge noise: repeat 0 goes to the
                           output file, repeat r >= 1 to <output without .jsonl>.repeat-<r>.jsonl
  --first-n N              only the first N questions (FastChat's debug option)
  --extra-categories A,B   question categories beyond MT-Bench's eight, judged without a
                           reference as FastChat does; any other unknown category is an error
                           (a typo such as "maths" would lose its reference answer)
  --dry-run                print what would be judged (and what is already done), no requests
  --batch                  use OpenAI's Batch API (half price, results within 24 h): one batch per
                           repeat; <output>.batch.json remembers a submitted batch, so rerunning
                           collects it instead of paying again. --poll-seconds N (default 30),
                           --max-wait-minutes M (default 1440; then exit 1, rerun to collect)
  --rejudge-changed        judgments in the output made on other inputs than now (a regenerated
                           answer, an edited judge prompt or reference) are moved to
                           <output>.stale-<time> and judged again; without it the run refuses
                           (old scores never pass for new answers)
${apiFlagsUsage({ concurrency: 8, timeoutS: 120, deadlineS: 300, keyDefault: ["Default OPENAI_API_KEY; --judge-api-key-env is the same flag."] })}
  Default --base-url: https://api.openai.com/v1. One run per output: a second run on the same
  output is refused while the first is alive (<output>.lock names it; a dead one's lock is taken
  over). --debug prints stack traces of internal errors.
${EXIT_CODES_USAGE}
  Ctrl-C (exit 130): the first one lets the requests in flight finish and be written, then prints
  the command that resumes; a second one quits at once.
Example:
  OPENAI_API_KEY=... icl-workbench judge --dump runs/llama3 --judge-prompts judge_prompts.jsonl \\
      --judge-model gpt-4 --concurrency 16 --budget-usd 20
`;

/** `<file>.jsonl` -> `<file>.repeat-<r>.jsonl` (repeat 0 is the file itself). */
export function repeatOutputPath(output: string, repeat: number): string {
  if (repeat === 0) return output;
  const base = output.endsWith(".jsonl") ? output.slice(0, -".jsonl".length) : output;
  return `${base}.repeat-${repeat}.jsonl`;
}

/** Answer files of a directory: model name (file name without .jsonl) -> path. */
export function answerFiles(dir: string): Map<string, string> {
  if (!fs.existsSync(dir)) throw new UsageError(`answer directory ${dir} does not exist`);
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(dir).sort()) if (f.endsWith(".jsonl")) out.set(f.slice(0, -".jsonl".length), path.join(dir, f));
  return out;
}

export function defaultReferencePath(dumpDir: string, judgeModel: string): string {
  const own = path.join(dumpDir, "reference_answer", `${judgeModel}.jsonl`);
  return fs.existsSync(own) ? own : path.join(dumpDir, "reference_answer", "gpt-4.jsonl");
}

function parseTurns(p: Parsed): (1 | 2)[] {
  const t = listOpt(p, "turns") ?? ["1", "2"];
  return t.map((s) => {
    if (s !== "1" && s !== "2") throw new UsageError(`--turns: expected 1 and/or 2, got "${s}"`);
    return Number(s) as 1 | 2;
  });
}

/**
 * Ctrl-C handling for a run writing `outputs` (only when running as the real process): the
 * first Ctrl-C stops new requests and says so, the second quits at once.
 */
export function installInterrupt(io: CliIO, err: (t: string) => void, command: string, argv: readonly string[], outputs: readonly string[]): Interrupt | null {
  if (io.isProcess !== true) return null;
  const files = outputs.join(", ");
  return new Interrupt({
    onFirst: () => err(`\ninterrupt: no new requests start; waiting for the ones in flight to finish and be written to ${files} (Ctrl-C again to quit now)\n`),
    onSecond: () => err(`\nquitting now: lines already in ${files} are kept; rerun to continue:\n  ${rerunCommand(command, argv)}\n`),
  }).install();
}

export const command: Command = {
  summary: "MT-Bench single grading (FastChat prompts), resumable, crash-safe, with cost budget",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, {
      ...API_FLAGS,
      dump: { type: "string" },
      "judge-prompts": { type: "string" },
      "judge-model": { type: "string" },
      models: { type: "string" },
      questions: { type: "string" },
      "answers-dir": { type: "string" },
      references: { type: "string" },
      output: { type: "string" },
      turns: { type: "string" },
      repeats: { type: "string" },
      "first-n": { type: "string" },
      "dry-run": { type: "boolean" },
      batch: { type: "boolean" },
      "judge-api-key-env": { type: "string" },
      "rejudge-changed": { type: "boolean" },
      "poll-seconds": { type: "string" },
      "max-wait-minutes": { type: "string" },
      "extra-categories": { type: "string" },
    });
    const dump = stringOpt(p, "dump", true);
    const judgeModel = stringOpt(p, "judge-model") ?? "gpt-4";
    const questionsPath = stringOpt(p, "questions") ?? path.join(dump, "question.jsonl");
    const promptsPath = stringOpt(p, "judge-prompts") ?? path.join(dump, "judge_prompts.jsonl");
    const answersDir = stringOpt(p, "answers-dir") ?? path.join(dump, "model_answer");
    const referencesPath = stringOpt(p, "references") ?? defaultReferencePath(dump, judgeModel);
    const output = stringOpt(p, "output") ?? judgmentFilePath(dump, judgeModel, 0);
    const turns = parseTurns(p);
    const repeats = numberOpt(p, "repeats", { integer: true, min: 1 }) ?? 1;
    const firstN = numberOpt(p, "first-n", { integer: true, min: 1 });

    const files = answerFiles(answersDir);
    const wanted = listOpt(p, "models") ?? [...files.keys()];
    const judgedFiles = new Map<string, string>();
    for (const m of wanted) {
      const f = files.get(m);
      if (f === undefined) throw new UsageError(`--models: no answer file ${path.join(answersDir, `${m}.jsonl`)} (have: ${[...files.keys()].join(", ") || "none"})`);
      judgedFiles.set(m, f);
    }
    if (judgedFiles.size === 0) throw new UsageError(`no answer files in ${answersDir}`);
    const { questions, answers, references, judgePrompts } = loadJudgeInputs({
      questionsFile: questionsPath,
      answerFiles: judgedFiles,
      referencesFile: referencesPath,
      promptsFile: promptsPath,
      turns,
      firstN,
      extraCategories: listOpt(p, "extra-categories") ?? [],
    });

    const plans: { repeat: number; output: string; jobs: JudgeJob[] }[] = [];
    for (let r = 0; r < repeats; r++) {
      const jobs = planSingleJudgments({
        questions,
        answers,
        references,
        judgePrompts,
        judgeModel,
        turns,
        repeat: r,
        answersLabel: (m) => files.get(m) ?? m,
      });
      plans.push({ repeat: r, output: repeatOutputPath(output, r), jobs });
    }

    if (boolOpt(p, "dry-run")) {
      for (const pl of plans) {
        const done = new Set<string>();
        for (const row of readAppendLog(pl.output).rows) {
          const k = keyOfJudgmentRow(requireObjectRow(row, pl.output), pl.repeat);
          if (k !== null) done.add(k);
        }
        const finished = pl.jobs.filter((j) => done.has(j.key)).length;
        io.stdout(`repeat ${pl.repeat}: ${pl.jobs.length} judgments planned, ${finished} already done -> ${pl.output}\n`);
      }
      return 0;
    }

    const api = apiSetup(p, {
      defaultBaseUrl: "https://api.openai.com/v1",
      priceModel: judgeModel,
      defaultConcurrency: 8,
      defaultTimeoutS: 120,
      defaultDeadlineS: 300,
      defaultKeyEnv: "OPENAI_API_KEY",
      keyFlags: ["api-key-env", "judge-api-key-env"],
    });
    const err = safeWriter(io, api.secrets);
    // One writer per output, taken before any request (a second run is refused here).
    const locks: OutputLock[] = [];
    try {
      for (const pl of plans) locks.push(acquireOutputLock(pl.output));
      for (const d of new Set(plans.map((pl) => path.dirname(pl.output)))) {
        const removed = cleanStaleTempFiles(d, false);
        if (removed.length > 0) err(`removed ${removed.length} temporary file(s) left by killed runs in ${d}\n`);
      }
      return await judgeAll(p, io, api, err, plans, argv);
    } finally {
      for (const l of locks) l.release();
    }
  },
};

async function judgeAll(p: Parsed, io: CliIO, api: ApiSetup, err: (t: string) => void, plans: { repeat: number; output: string; jobs: JudgeJob[] }[], argv: readonly string[]): Promise<number> {
  const judgeModel = stringOpt(p, "judge-model") ?? "gpt-4";
  const onChanged = boolOpt(p, "rejudge-changed") ? "redo" : "refuse";
  err(`judge ${judgeModel} at ${api.describe}\n`);
  const codes: number[] = [EXIT_OK];
  let retries = 0;
  if (boolOpt(p, "batch")) {
    if (p.values["budget-usd"] !== undefined) throw new UsageError("--budget-usd cannot stop a batch midway; drop it with --batch (--dry-run shows the size)");
    const pollSeconds = numberOpt(p, "poll-seconds", { min: 0 }) ?? 30;
    const maxWait = numberOpt(p, "max-wait-minutes", { min: 0 }) ?? 24 * 60;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only --batch needs it
    const { runBatchJudging } = require("../../experiment/batchJudging") as typeof import("../../experiment/batchJudging");
    const batchRun = (pl: (typeof plans)[number], maxWaitSeconds: number) =>
      runBatchJudging({
        jobs: pl.jobs,
        output: pl.output,
        client: api.pool.firstClient(),
        meter: api.meter,
        pollSeconds,
        maxWaitSeconds,
        retry: api.retry,
        onChanged,
        onStatus: (line) => err(`repeat ${pl.repeat}: ${line}\n`),
        onFailure: (job, msg) => err(`failed: ${job.model} question ${job.question.questionId} turn ${job.turn}: ${msg}\n`),
      });
    // Submit every repeat's batch first (they run side by side), then wait for each.
    const first = [];
    for (const pl of plans) first.push(await batchRun(pl, 0));
    for (const [i, pl] of plans.entries()) {
      let s = first[i] as Awaited<ReturnType<typeof batchRun>>;
      if (s.pending) s = await batchRun(pl, maxWait * 60);
      io.stdout(
        redactSecrets(
          `repeat ${pl.repeat} -> ${pl.output}: ${s.planned} planned, ${s.skipped} already done, ${s.written} written, ${s.failed} failed${s.batchId ? ` (batch ${s.batchId})` : ""}\n`,
          api.secrets,
        ),
      );
      codes.push(runExitCode({ stopKind: null, failed: s.failed }));
      if (s.stoppedBecause !== null) {
        err(`${s.stoppedBecause}\n`);
        codes.push(runExitCode({ stopKind: null, failed: 1 }));
      }
    }
    io.stdout(`usage: ${api.meter.summary()} (at list prices; the Batch API bills half)\n`);
    return worstExitCode(codes);
  }
  const interrupt = installInterrupt(io, err, "judge", argv, plans.map((pl) => pl.output));
  try {
    for (const pl of plans) {
      const progress = makeProgress(io, `judging (repeat ${pl.repeat})`, pl.jobs.length, api.meter, api.secrets);
      const s: JudgeRunSummary = await runJudging({
        jobs: pl.jobs,
        output: pl.output,
        pool: api.pool,
        concurrency: api.concurrency,
        meter: api.meter,
        retry: api.retry,
        retryHooks: { onRetry: () => void retries++ },
        itemDeadlineMs: api.itemDeadlineMs,
        onChanged,
        progress,
        onFailure: (job, msg) => err(`${isTerminal(io) ? "\n" : ""}failed: ${job.model} question ${job.question.questionId} turn ${job.turn}: ${msg}\n`),
        ...(interrupt !== null ? { stopReason: interrupt.reason } : {}),
      });
      progress.finish();
      if (s.truncatedBytes > 0) err(`${pl.output}: removed a torn last line (${s.truncatedBytes} bytes) left by an interrupted run\n`);
      if (s.changed.count > 0) err(`${pl.output}: ${s.changed.count} judgment(s) made on other inputs moved to ${s.changed.movedTo}; judging them again\n`);
      io.stdout(redactSecrets(summaryLine(`repeat ${pl.repeat} -> ${pl.output}`, s), api.secrets));
      codes.push(runExitCode(s));
      if (s.stoppedBecause !== null) break;
    }
  } finally {
    interrupt?.dispose();
  }
  io.stdout(`usage: ${api.meter.summary()}; ${retries} retries\n`);
  if (interrupt?.wasInterrupted) {
    err(`interrupted: every finished judgment is saved; rerun to continue (finished ones are skipped, never paid again):\n  ${rerunCommand("judge", argv)}\n`);
    return EXIT_INTERRUPTED;
  }
  return worstExitCode(codes);
}
