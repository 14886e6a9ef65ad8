/**
 * Answer generation for MT-Bench questions on OpenAI-compatible servers (vLLM for open models):
 * legacy completions for base models (URIAL-style prompts, stop sequences, answer cleaning) or
 * chat completions for instruct models. Multi-turn: turn 2's prompt contains turn 1's cleaned
 * answer. One FastChat answer row per question, appended with fsync once all its turns are
 * done; rerunning skips questions already in the file.
 *
 * Each row carries `gen_hash`, a hash of what produced it (served model, the full prompt of
 * each turn, sampling parameters, turns): a rerun whose prompt or decoding changed finds rows
 * with another hash and refuses (or, with `onChanged: "redo"`, moves them to
 * `<output>.stale-<time>` and generates them again); old answers never pass for new ones.
 * Finished turn 1 of a two-turn question is kept in `<output>.partial` (an append log of its
 * own, so the answer file stays FastChat's), so a killed run does not pay for it again; that
 * file is removed once every question is answered.
 */
import { createHash } from "node:crypto";
import type OpenAI from "openai";
import * as fs from "node:fs";
import { AppendLog, moveRowsAside, readAppendLog, requireObjectRow } from "./appendLog";
import { type CallResult, chatOnce, completeOnce, type EndpointPool, type SamplingParams } from "./endpoints";
import { acquireOutputLock } from "./outputLock";
import { DEFAULT_RETRY_POLICY, itemDeadline, type RetryHooks, type RetryPolicy, withRetries } from "./retry";
import { type MeteredRunOptions, runMeteredJobs, type RunJobsSummary } from "./runner";
import { type UsageMeter, withReservation } from "./usage";
import { InputError } from "../model/errors";
import type { Question, QuestionId } from "../model/mtbench";

/** URIAL's stop sequences for base models: the next demo's heading. */
export const URIAL_STOP: readonly string[] = ["# Query", "# User"];
/** MT-Bench answers are generated with up to 2048 new tokens (URIAL, FastChat). */
export const DEFAULT_MAX_TOKENS = 2048;

/** How a question's turns become requests. */
export type PromptStyle =
  | {
      kind: "completion";
      /** The full prompt text for turn 1. */
      turn1: (q: Question) => string;
      /** The full prompt text for turn 2, given turn 1's cleaned answer. */
      turn2: (q: Question, answer1: string) => string;
      /** Raw completion -> stored answer (e.g. strip the answer block's closing fence). */
      clean: (raw: string) => string;
    }
  | {
      kind: "chat";
      /** Optional system message before the conversation. */
      system?: string;
    };

/** One decoding configuration of a grid. */
export interface DecodingPoint {
  temperature: number;
  topP: number;
  repetitionPenalty: number;
}

/** The grid temperature × top-p × repetition penalty, temperature-major, in the given orders. */
export function decodingGrid(temperatures: readonly number[], topPs: readonly number[], repetitionPenalties: readonly number[]): DecodingPoint[] {
  const out: DecodingPoint[] = [];
  for (const temperature of temperatures) for (const topP of topPs) for (const repetitionPenalty of repetitionPenalties) out.push({ temperature, topP, repetitionPenalty });
  return out;
}

/**
 * The model id of one grid point: the base id alone when the grid has one point, else
 * `<base>_t<temperature>_p<top_p>_rp<repetition penalty>` (e.g. `llama-urial_t0.7_p0.9_rp1.15`).
 */
export function gridModelId(base: string, point: DecodingPoint, gridSize: number): string {
  if (gridSize <= 1) return base;
  return `${base}_t${point.temperature}_p${point.topP}_rp${point.repetitionPenalty}`;
}

/** The model id as a safe file name (`model_answer/<id>.jsonl`): `/` and odd characters become `_`. */
export function answerFileName(modelId: string): string {
  return `${modelId.replace(/[^A-Za-z0-9._+-]/g, "_")}.jsonl`;
}

/** A FastChat answer row, with its keys in FastChat's order. */
export interface AnswerRecord {
  question_id: QuestionId;
  answer_id: string;
  model_id: string;
  choices: { index: number; turns: string[] }[];
  tstamp: number;
  /** {@link generationInputHash} of what produced the answer (FastChat's tools ignore it). */
  gen_hash?: string;
}

/** A deterministic answer id (FastChat uses a random shortuuid; any unique string works). */
export function answerId(modelId: string, questionId: QuestionId): string {
  return createHash("sha256").update(`${modelId}\u0000${String(questionId)}`).digest("base64url").slice(0, 22);
}

export function answerKey(questionId: QuestionId, modelId: string): string {
  return JSON.stringify([String(questionId), modelId]);
}

export interface GenerationJob {
  key: string;
  question: Question;
}

/**
 * What every generation request needs, whatever the benchmark: the server(s), the model, how
 * to prompt (URIAL completion or chat) and how to sample. Shared by MT-Bench answers
 * ({@link runGeneration}) and AlpacaEval outputs (lib/experiment/alpacaGeneration.ts).
 */
export interface TurnRequestOptions {
  /** Model name sent to the server (vLLM's served model name). */
  servedModel: string;
  style: PromptStyle;
  sampling: SamplingParams;
  pool: EndpointPool;
  meter: UsageMeter;
  retry?: RetryPolicy;
  retryHooks?: Omit<RetryHooks, "jitterKey">;
  /** Called with each finished turn's finish reason ("length" means max_tokens cut it). */
  onFinishReason?: (reason: string | null) => void;
  /** Longest time one item (all its turns and attempts) may take, in ms; then it fails (default: none). */
  itemDeadlineMs?: number;
}

/** What to do with answers whose `gen_hash` says another prompt or decoding made them. */
export type OnChanged = "refuse" | "redo";

export interface GenerateOptions extends TurnRequestOptions, MeteredRunOptions<GenerationJob> {
  questions: readonly Question[];
  /** `model_id` written in the answers (the run's id in the manifest). */
  modelId: string;
  /** Turns to generate per question (default: all of the question's turns). */
  maxTurns?: number;
  /** Answers made by another prompt or decoding: refuse (default) or move aside and redo. */
  onChanged?: OnChanged;
}

export interface GenerateSummary extends RunJobsSummary {
  output: string;
  truncatedBytes: number;
  /** Answers moved aside because their prompt or decoding changed (onChanged "redo"), and where to. */
  changed?: { count: number; movedTo: string | null };
  /** Questions whose finished turn 1 was reused from the partial file (not paid again). */
  resumedTurns?: number;
}

/**
 * The hash of what produces an answer: served model, sampling, turns and the full prompt of
 * each turn (turn 2's with a placeholder for turn 1's answer). 16 hex digits of SHA-256.
 */
export function generationInputHash(o: Pick<TurnRequestOptions, "servedModel" | "style" | "sampling">, q: Question, nTurns: number): string {
  const placeholder = "\u0000answer-1\u0000";
  const prompts: unknown[] = [];
  if (o.style.kind === "completion") {
    prompts.push(o.style.turn1(q));
    if (nTurns > 1) prompts.push(o.style.turn2(q, placeholder));
  } else {
    prompts.push(o.style.system ?? null, q.turns.slice(0, nTurns));
  }
  const s = o.sampling;
  const sampling = [s.temperature, s.maxTokens, s.topP ?? null, s.repetitionPenalty ?? null, s.stop ?? [], s.seed ?? null];
  return createHash("sha256").update(JSON.stringify([o.servedModel, o.style.kind, sampling, nTurns, prompts])).digest("hex").slice(0, 16);
}

/** The partial-answer file of an answer file: finished turn 1 of unfinished two-turn questions. */
export function partialAnswersFile(output: string): string {
  return `${output}.partial`;
}

/** Finished (question, model) keys of an opened answer log. */
export function finishedAnswerKeys(log: AppendLog): Set<string> {
  const done = new Set<string>();
  for (const row of log.existing) {
    const o = requireObjectRow(row, log.file);
    const qid = o["question_id"];
    const model = o["model_id"];
    if ((typeof qid === "number" || typeof qid === "string") && typeof model === "string") done.add(answerKey(qid, model));
  }
  return done;
}

/**
 * The cleaned answers to the first `nTurns` turns of `q`, one request per turn (with retries;
 * `jobKey` seeds the retry jitter). Completion style: turn 2's prompt holds turn 1's cleaned
 * answer; chat style: turn 2 sends the conversation so far. Token usage goes to `o.meter`.
 */
export async function generateTurns(
  o: TurnRequestOptions,
  jobKey: string,
  q: Question,
  nTurns: number,
  resume: { done?: readonly string[]; onTurn?: (answers: readonly string[]) => Promise<void> } = {},
): Promise<string[]> {
  const now = o.retryHooks?.now ?? Date.now;
  const deadlineAt = itemDeadline(now(), o.itemDeadlineMs);
  const request = async (turn: number, prompt: readonly string[], call: (c: OpenAI, timeoutMs: number | undefined) => Promise<CallResult>): Promise<CallResult> => {
    const { value, reservation } = await withReservation(o.meter, prompt, o.sampling.maxTokens, () =>
      withRetries(
        (_attempt, left) => o.pool.call((c) => call(c, left === undefined ? undefined : Math.min(left, o.pool.timeoutMs))),
        o.retry ?? DEFAULT_RETRY_POLICY,
        { ...o.retryHooks, jitterKey: `${jobKey}#turn${turn}`, ...(deadlineAt !== undefined ? { deadlineAt } : {}) },
      ),
    );
    o.meter.add(value.usage, reservation);
    return value;
  };
  const answers: string[] = [...(resume.done ?? [])].slice(0, nTurns);
  for (let t = answers.length; t < nTurns; t++) {
    let r: CallResult;
    if (o.style.kind === "completion") {
      const style = o.style;
      if (t > 1) throw new Error(`question ${q.questionId}: completion prompts support 2 turns`);
      const prompt = t === 0 ? style.turn1(q) : style.turn2(q, answers[0] as string);
      r = await request(t + 1, [prompt], (c, timeoutMs) => completeOnce(c, o.servedModel, prompt, o.sampling, { timeoutMs }));
      answers.push(style.clean(r.text));
    } else {
      const messages: { role: string; content: string }[] = [];
      if (o.style.system !== undefined) messages.push({ role: "system", content: o.style.system });
      for (let k = 0; k <= t; k++) {
        messages.push({ role: "user", content: q.turns[k] as string });
        if (k < t) messages.push({ role: "assistant", content: answers[k] as string });
      }
      r = await request(
        t + 1,
        messages.map((m) => m.content),
        (c, timeoutMs) => chatOnce(c, o.servedModel, messages, o.sampling, { timeoutMs }),
      );
      answers.push(r.text.trim());
    }
    o.onFinishReason?.(r.finishReason);
    if (t < nTurns - 1) await resume.onTurn?.(answers);
  }
  return answers;
}

/** Answer rows of `file` for the planned keys whose `gen_hash` differs from the planned one (line numbers). */
function changedAnswerLines(file: string, planned: ReadonlyMap<string, string>): { line: number; key: string }[] {
  const out: { line: number; key: string }[] = [];
  for (const row of readAppendLog(file).rows) {
    const o = requireObjectRow(row, file);
    const qid = o["question_id"];
    const model = o["model_id"];
    if ((typeof qid !== "number" && typeof qid !== "string") || typeof model !== "string") continue;
    const key = answerKey(qid, model);
    const want = planned.get(key);
    if (want !== undefined && typeof o["gen_hash"] === "string" && o["gen_hash"] !== want) out.push({ line: row.line, key });
  }
  return out;
}

/** Generates the answers not yet in `output`; see the module comment. */
export async function runGeneration(o: GenerateOptions): Promise<GenerateSummary> {
  const now = o.now ?? Date.now;
  const nTurnsOf = (q: Question): number => Math.min(q.turns.length, o.maxTurns ?? q.turns.length);
  const jobs: GenerationJob[] = o.questions.map((q) => ({ key: answerKey(q.questionId, o.modelId), question: q }));
  const hashes = new Map(jobs.map((j) => [j.key, generationInputHash(o, j.question, nTurnsOf(j.question))]));
  const lock = acquireOutputLock(o.output); // held from the staleness check to the last write
  try {
    let changed: GenerateSummary["changed"];
    const stale = changedAnswerLines(o.output, hashes);
    if (stale.length > 0) {
      if ((o.onChanged ?? "refuse") === "refuse") {
        throw new InputError(
          { file: o.output, line: (stale[0] as { line: number }).line, field: "gen_hash" },
          `${stale.length} answer(s) of ${o.modelId} were generated with another prompt or other decoding parameters than this run's. ` +
            `Use a new --model-id for the new settings, or rerun with --regenerate-changed to move the old answers to ${o.output}.stale-<time> and generate them again`,
        );
      }
      changed = { count: stale.length, movedTo: moveRowsAside(o.output, new Set(stale.map((s) => s.line)), now()) };
    }
    const log = AppendLog.open(o.output);
    const partialFile = partialAnswersFile(o.output);
    const partial = AppendLog.open(partialFile);
    let resumedTurns = 0;
    let allDone = false;
    try {
      const done = finishedAnswerKeys(log);
      const partialTurns = new Map<string, string[]>();
      for (const row of partial.existing) {
        const r = requireObjectRow(row, partialFile);
        const key = r["key"];
        const turns = r["turns"];
        if (typeof key === "string" && r["gen_hash"] === hashes.get(key) && Array.isArray(turns) && turns.every((t) => typeof t === "string")) {
          partialTurns.set(key, turns as string[]);
        }
      }
      const execute = async (job: GenerationJob): Promise<AnswerRecord> => {
        const q = job.question;
        const hash = hashes.get(job.key) as string;
        const before = partialTurns.get(job.key);
        if (before !== undefined) resumedTurns++;
        const answers = await generateTurns(o, job.key, q, nTurnsOf(q), {
          ...(before !== undefined ? { done: before } : {}),
          onTurn: (turns) => partial.append({ key: job.key, gen_hash: hash, turns }),
        });
        return {
          question_id: q.questionId,
          answer_id: answerId(o.modelId, q.questionId),
          model_id: o.modelId,
          choices: [{ index: 0, turns: answers }],
          tstamp: now() / 1000,
          gen_hash: hash,
        };
      };
      const summary = await runMeteredJobs(o, { jobs, done, log, execute });
      allDone = jobs.every((j) => done.has(j.key));
      return { ...summary, output: o.output, truncatedBytes: log.truncatedBytes, resumedTurns, ...(changed ? { changed } : {}) };
    } finally {
      await log.close();
      await partial.close();
      if (allDone) fs.rmSync(partialFile, { force: true });
    }
  } finally {
    lock.release();
  }
}
