/**
 * FastChat MT-Bench files: questions, model answers, reference answers, single-grading
 * judgments and judge prompts. `parseX(text, file)` are pure; `loadX(path)` read the file;
 * `streamJudgments(path)` reads a judgment file of any size with bounded memory.
 */
import { InputError } from "../model/errors";
import type { Answer, JudgePrompt, Judgment, JudgmentScore, Question } from "../model/mtbench";
import {
  asObject,
  optNumber,
  optString,
  reqQuestionId,
  reqString,
  reqStringArray,
  type RecordLocation,
} from "./fields";
import { type JsonlRow, parseJsonl, readTextFile, streamJsonlFile } from "./jsonl";

// ---------------------------------------------------------------- questions

export function questionFromRow(row: JsonlRow, file: string): Question {
  const loc = { file, line: row.line };
  const o = asObject(row.value, loc);
  const q: Question = {
    questionId: reqQuestionId(o, "question_id", loc),
    category: reqString(o, "category", loc),
    turns: reqStringArray(o, "turns", loc),
  };
  if (q.turns.length === 0) throw new InputError({ ...loc, field: "turns" }, "a question needs at least one turn");
  if (o["reference"] !== undefined) q.reference = reqStringArray(o, "reference", loc);
  return q;
}

/** Parses `question.jsonl`; duplicate question ids are an error. */
export function parseQuestions(text: string, file = "<questions>"): Question[] {
  const out: Question[] = [];
  const seen = new Map<string, number>();
  for (const row of parseJsonl(text, file)) {
    const q = questionFromRow(row, file);
    const prev = seen.get(String(q.questionId));
    if (prev !== undefined) {
      throw new InputError({ file, line: row.line, field: "question_id" }, `question ${q.questionId} already defined on line ${prev}`);
    }
    seen.set(String(q.questionId), row.line);
    out.push(q);
  }
  return out;
}

export function loadQuestions(path: string): Question[] {
  return parseQuestions(readTextFile(path), path);
}

// ---------------------------------------------------------------- answers

function answerFromRow(row: JsonlRow, file: string): Answer {
  const loc: RecordLocation = { file, line: row.line };
  const o = asObject(row.value, loc);
  const choices = o["choices"];
  if (!Array.isArray(choices) || choices.length === 0) {
    throw new InputError({ ...loc, field: "choices" }, "expected a non-empty array of {index, turns}");
  }
  const first = asObject(choices[0], loc);
  const a: Answer = {
    questionId: reqQuestionId(o, "question_id", loc),
    model: reqString(o, "model_id", loc),
    turns: reqStringArray(first, "turns", { file, line: row.line }),
  };
  const id = optString(o, "answer_id", loc);
  if (id !== undefined) a.answerId = id;
  const ts = optNumber(o, "tstamp", loc);
  if (ts !== undefined) a.tstamp = ts;
  return a;
}

/** Parses a `model_answer/<model>.jsonl` or `reference_answer/<judge>.jsonl` file. */
export function parseAnswers(text: string, file = "<answers>"): Answer[] {
  return Array.from(parseJsonl(text, file), (row) => answerFromRow(row, file));
}

export function loadAnswers(path: string): Answer[] {
  return parseAnswers(readTextFile(path), path);
}

/** Reference answers share the answer format; the alias keeps call sites readable. */
export const parseReferenceAnswers = parseAnswers;
export const loadReferenceAnswers = loadAnswers;

// ---------------------------------------------------------------- judgments

export interface JudgmentParseOptions {
  /** Keep the judge's text in `judgment` (off by default: scoring never needs it). */
  keepText?: boolean;
}

const FAILED_STRINGS = new Set(["$ERROR$"]);

/**
 * Turns FastChat's `score` field into a typed value: `-1` is "no rating parsed", `"$ERROR$"` and
 * `null` are "error"; any other non-number, or a number outside [0, 10], is an InputError.
 */
export function parseScore(v: unknown, loc: RecordLocation): JudgmentScore {
  if (v === -1) return { kind: "failed", reason: "no_rating", raw: v };
  if (v === null || (typeof v === "string" && FAILED_STRINGS.has(v))) return { kind: "failed", reason: "error", raw: v };
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new InputError({ ...loc, field: "score" }, `expected a number (or -1 / "$ERROR$" for a failed judgment), got ${JSON.stringify(v)}`);
  }
  if (v < 0 || v > 10) {
    throw new InputError({ ...loc, field: "score" }, `score ${v} is outside the judge's 0-10 scale (only -1 marks a failure)`);
  }
  return { kind: "scored", score: v };
}

export function judgmentFromRow(row: JsonlRow, file: string, opts: JudgmentParseOptions = {}): Judgment {
  const loc: RecordLocation = { file, line: row.line };
  const o = asObject(row.value, loc);
  const turn = o["turn"];
  if (turn !== 1 && turn !== 2) {
    throw new InputError({ ...loc, field: "turn" }, `expected 1 or 2, got ${JSON.stringify(turn)}`);
  }
  const judge = o["judge"];
  if (!Array.isArray(judge) || judge.length !== 2 || !judge.every((x) => typeof x === "string")) {
    throw new InputError({ ...loc, field: "judge" }, `expected [judge model, prompt name], got ${JSON.stringify(judge)}`);
  }
  const j: Judgment = {
    questionId: reqQuestionId(o, "question_id", loc),
    model: reqString(o, "model", loc),
    turn,
    judge: [judge[0] as string, judge[1] as string],
    score: parseScore(o["score"], loc),
    line: row.line,
  };
  const ts = optNumber(o, "tstamp", loc);
  if (ts !== undefined) j.tstamp = ts;
  if (opts.keepText) {
    const t = optString(o, "judgment", loc);
    if (t !== undefined) j.judgment = t;
  }
  return j;
}

/** Parses a single-grading judgment file (`<judge>_single.jsonl`). */
export function parseJudgments(text: string, file = "<judgments>", opts: JudgmentParseOptions = {}): Judgment[] {
  return Array.from(parseJsonl(text, file), (row) => judgmentFromRow(row, file, opts));
}

export function loadJudgments(path: string, opts: JudgmentParseOptions = {}): Judgment[] {
  return parseJudgments(readTextFile(path), path, opts);
}

/** Streams a judgment file row by row; memory does not grow with the file. */
export async function* streamJudgments(path: string, opts: JudgmentParseOptions = {}): AsyncGenerator<Judgment> {
  for await (const row of streamJsonlFile(path)) yield judgmentFromRow(row, path, opts);
}

// ---------------------------------------------------------------- judge prompts

/** Parses FastChat's `judge_prompts.jsonl`. */
export function parseJudgePrompts(text: string, file = "<judge prompts>"): JudgePrompt[] {
  return Array.from(parseJsonl(text, file), (row) => {
    const loc = { file, line: row.line };
    const o = asObject(row.value, loc);
    const type = reqString(o, "type", loc);
    if (type !== "single" && type !== "pairwise") {
      throw new InputError({ ...loc, field: "type" }, `expected "single" or "pairwise", got "${type}"`);
    }
    return {
      name: reqString(o, "name", loc),
      type,
      systemPrompt: reqString(o, "system_prompt", loc),
      promptTemplate: reqString(o, "prompt_template", loc),
      description: reqString(o, "description", loc),
      category: reqString(o, "category", loc),
      outputFormat: reqString(o, "output_format", loc),
    };
  });
}

export function loadJudgePrompts(path: string): JudgePrompt[] {
  return parseJudgePrompts(readTextFile(path), path);
}
