/**
 * Answer generation for MT-Bench questions on OpenAI-compatible servers (vLLM for open models):
 * legacy completions for base models (URIAL-style prompts, stop sequences, answer cleaning) or
 * chat completions for instruct models. Multi-turn: turn 2's prompt contains turn 1's cleaned
 * answer. One FastChat answer row per question, appended with fsync once all its turns are
 * done; rerunning skips questions already in the file.
 */
import { createHash } from "node:crypto";
import type OpenAI from "openai";
import { AppendLog, requireObjectRow } from "./appendLog";
import { type CallResult, chatOnce, completeOnce, type EndpointPool, type SamplingParams } from "./endpoints";
import { DEFAULT_RETRY_POLICY, type RetryHooks, type RetryPolicy, withRetries } from "./retry";
import { type MeteredRunOptions, runMeteredJobs, type RunJobsSummary } from "./runner";
import type { UsageMeter } from "./usage";
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
}

export interface GenerateOptions extends TurnRequestOptions, MeteredRunOptions<GenerationJob> {
  questions: readonly Question[];
  /** `model_id` written in the answers (the run's id in the manifest). */
  modelId: string;
  /** Turns to generate per question (default: all of the question's turns). */
  maxTurns?: number;
}

export interface GenerateSummary extends RunJobsSummary {
  output: string;
  truncatedBytes: number;
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
export async function generateTurns(o: TurnRequestOptions, jobKey: string, q: Question, nTurns: number): Promise<string[]> {
  const request = (turn: number, call: (c: OpenAI) => Promise<CallResult>) =>
    withRetries(() => o.pool.call(call), o.retry ?? DEFAULT_RETRY_POLICY, { ...o.retryHooks, jitterKey: `${jobKey}#turn${turn}` });
  const answers: string[] = [];
  for (let t = 0; t < nTurns; t++) {
    let r: CallResult;
    if (o.style.kind === "completion") {
      const style = o.style;
      if (t > 1) throw new Error(`question ${q.questionId}: completion prompts support 2 turns`);
      const prompt = t === 0 ? style.turn1(q) : style.turn2(q, answers[0] as string);
      r = await request(t + 1, (c) => completeOnce(c, o.servedModel, prompt, o.sampling));
      o.meter.add(r.usage);
      answers.push(style.clean(r.text));
    } else {
      const messages: { role: string; content: string }[] = [];
      if (o.style.system !== undefined) messages.push({ role: "system", content: o.style.system });
      for (let k = 0; k <= t; k++) {
        messages.push({ role: "user", content: q.turns[k] as string });
        if (k < t) messages.push({ role: "assistant", content: answers[k] as string });
      }
      r = await request(t + 1, (c) => chatOnce(c, o.servedModel, messages, o.sampling));
      o.meter.add(r.usage);
      answers.push(r.text.trim());
    }
    o.onFinishReason?.(r.finishReason);
  }
  return answers;
}

/** Generates the answers not yet in `output`; see the module comment. */
export async function runGeneration(o: GenerateOptions): Promise<GenerateSummary> {
  const now = o.now ?? Date.now;
  const log = AppendLog.open(o.output);
  try {
    const done = finishedAnswerKeys(log);
    const jobs: GenerationJob[] = o.questions.map((q) => ({ key: answerKey(q.questionId, o.modelId), question: q }));
    const execute = async (job: GenerationJob): Promise<AnswerRecord> => {
      const q = job.question;
      const answers = await generateTurns(o, job.key, q, Math.min(q.turns.length, o.maxTurns ?? q.turns.length));
      return {
        question_id: q.questionId,
        answer_id: answerId(o.modelId, q.questionId),
        model_id: o.modelId,
        choices: [{ index: 0, turns: answers }],
        tstamp: now() / 1000,
      };
    };
    const summary = await runMeteredJobs(o, { jobs, done, log, execute });
    return { ...summary, output: o.output, truncatedBytes: log.truncatedBytes };
  } finally {
    await log.close();
  }
}
