/**
 * MT-Bench records in FastChat's layout, after parsing. Sentinels die at the parser: a judgment
 * whose score is `-1` (no rating parsed) or `"$ERROR$"` becomes `{kind: "failed"}` and never
 * reaches a mean.
 */

/** A question id as FastChat writes it (MT-Bench uses integers, other benches strings). */
export type QuestionId = number | string;

/** `question.jsonl`: one benchmark question with one prompt per turn. */
export interface Question {
  questionId: QuestionId;
  category: string;
  turns: string[];
  /** Inline reference answers some benches carry (`reference`); MT-Bench keeps them in reference_answer/. */
  reference?: string[];
}

/** `model_answer/<model>.jsonl` and `reference_answer/<judge>.jsonl`: one model's answer to a question. */
export interface Answer {
  questionId: QuestionId;
  /** `model_id` of the row. */
  model: string;
  answerId?: string;
  /** The turns of the first choice (`choices[0].turns`). */
  turns: string[];
  tstamp?: number;
}

/** The judge's verdict on one turn: a score, or a typed failure with the raw value kept. */
export type JudgmentScore =
  | { kind: "scored"; score: number }
  | { kind: "failed"; reason: "no_rating" | "error"; raw: unknown };

/** One row of `model_judgment/<judge>_single.jsonl` (single-answer grading). */
export interface Judgment {
  questionId: QuestionId;
  model: string;
  turn: 1 | 2;
  /** `[judge model, judge prompt name]`, e.g. `["gpt-4", "single-math-v1"]`. */
  judge: [string, string];
  score: JudgmentScore;
  /** 1-based line in the source file, kept for error messages and duplicate reports. */
  line: number;
  tstamp?: number;
  /** The judge's text, only when the loader was asked to keep it. */
  judgment?: string;
}

/** A judge prompt from FastChat's `judge_prompts.jsonl`. */
export interface JudgePrompt {
  name: string;
  type: "single" | "pairwise";
  systemPrompt: string;
  promptTemplate: string;
  description: string;
  category: string;
  outputFormat: string;
}

/** A key naming one (model, question, turn) cell. */
export function cellKey(model: string, questionId: QuestionId, turn: number): string {
  return `${model}\u0000${String(questionId)}\u0000${turn}`;
}
