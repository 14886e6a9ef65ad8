/**
 * MT-Bench single-answer grading as FastChat does it (`fastchat/llm_judge/common.py` and
 * `gen_judgment.py`, mode `single`), as pure functions: which judge prompt a (question, turn)
 * gets, how its template is filled, how the rating is read back, and the judgment record.
 *
 * FastChat facts reproduced here (checked against common.py / gen_judgment.py):
 * - `NEED_REF_CATS = ["math", "reasoning", "coding"]` use `single-math-v1` (turn 1) and
 *   `single-math-v1-multi-turn` (turn 2) with reference answers; the other categories use
 *   `single-v1` and `single-v1-multi-turn`.
 * - Turn 1 fills `{question}` = turns[0], `{answer}` = answer turns[0]; turn 2 fills
 *   `{question_1}`, `{question_2}`, `{answer_1}`, `{answer_2}`. When a reference is used,
 *   `{ref_answer_1}` and `{ref_answer_2}` are the reference's turns 0 and 1 (both are passed
 *   for either turn; a template uses the ones it names). Filling is Python's `str.format`.
 * - Multi-turn judging skips questions that do not have exactly 2 turns.
 * - The request: system message = the prompt's `system_prompt`, user message = the filled
 *   template, temperature 0, max_tokens 2048, n 1.
 * - Rating: `\[\[(\d+\.?\d*)\]\]`, else the fallback `\[(\d+\.?\d*)\]`, first match; no match
 *   gives -1.
 * - The record: `question_id, model, judge: [judge model, prompt name], user_prompt, judgment,
 *   score, turn, tstamp`.
 */
import { createHash } from "node:crypto";
import { InputError } from "../model/errors";
import type { Answer, JudgePrompt, Question, QuestionId } from "../model/mtbench";

/** Categories judged against a reference answer (FastChat `NEED_REF_CATS`). */
export const NEED_REF_CATS: readonly string[] = ["math", "reasoning", "coding"];

/** FastChat's judge settings for single grading with OpenAI models. */
export const JUDGE_TEMPERATURE = 0;
export const JUDGE_MAX_TOKENS = 2048;

/** The four single-grading prompt names, by (reference-based, multi-turn). */
export const SINGLE_JUDGE_PROMPTS = {
  default: "single-v1",
  math: "single-math-v1",
  defaultMultiTurn: "single-v1-multi-turn",
  mathMultiTurn: "single-math-v1-multi-turn",
} as const;

export function needsReference(category: string): boolean {
  return NEED_REF_CATS.includes(category);
}

/** The judge prompt name FastChat uses for a question category and turn. */
export function singleJudgePromptName(category: string, turn: 1 | 2): string {
  const ref = needsReference(category);
  if (turn === 1) return ref ? SINGLE_JUDGE_PROMPTS.math : SINGLE_JUDGE_PROMPTS.default;
  return ref ? SINGLE_JUDGE_PROMPTS.mathMultiTurn : SINGLE_JUDGE_PROMPTS.defaultMultiTurn;
}

/**
 * Python `str.format` with keyword arguments only, as FastChat calls it: `{name}` is replaced
 * by `values[name]` (inserted verbatim, never re-scanned), `{{` and `}}` are literal braces. A
 * missing key, a lone `}`, or a field with a conversion, format spec or index (which FastChat's
 * templates never use) throws, as Python would raise.
 */
export function formatPythonTemplate(template: string, values: Readonly<Record<string, string>>): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{", i);
    const close = template.indexOf("}", i);
    if (open === -1 && close === -1) {
      out += template.slice(i);
      break;
    }
    if (close !== -1 && (open === -1 || close < open)) {
      if (template[close + 1] !== "}") throw new Error(`template: single '}' encountered at offset ${close}`);
      out += template.slice(i, close) + "}";
      i = close + 2;
      continue;
    }
    out += template.slice(i, open);
    if (template[open + 1] === "{") {
      out += "{";
      i = open + 2;
      continue;
    }
    const end = template.indexOf("}", open + 1);
    if (end === -1) throw new Error(`template: single '{' encountered at offset ${open}`);
    const field = template.slice(open + 1, end);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new Error(`template: unsupported replacement field "{${field}}"`);
    const v = values[field];
    if (v === undefined) throw new Error(`template: no value for "{${field}}" (KeyError in Python)`);
    out += v;
    i = end + 1;
  }
  return out;
}

/** What one single-grading request needs. */
export interface SingleJudgeInput {
  prompt: JudgePrompt;
  question: Question;
  answer: Answer;
  /** The reference answer (math, reasoning, coding), or undefined. */
  reference?: Answer | undefined;
  turn: 1 | 2;
}

/** The filled `user_prompt` for one (question, answer, turn), exactly as FastChat builds it. */
export function renderSingleJudgePrompt(input: SingleJudgeInput): string {
  const { prompt, question, answer, reference, turn } = input;
  const values: Record<string, string> = {};
  if (reference !== undefined) {
    // FastChat reads both reference turns whatever the judged turn is.
    values["ref_answer_1"] = turnOf(reference.turns, 0, `reference answer to question ${question.questionId}`);
    values["ref_answer_2"] = turnOf(reference.turns, 1, `reference answer to question ${question.questionId}`);
  }
  const what = `answer of ${answer.model} to question ${question.questionId}`;
  if (turn === 2) {
    values["question_1"] = turnOf(question.turns, 0, `question ${question.questionId}`);
    values["question_2"] = turnOf(question.turns, 1, `question ${question.questionId}`);
    values["answer_1"] = turnOf(answer.turns, 0, what);
    values["answer_2"] = turnOf(answer.turns, 1, what);
  } else {
    values["question"] = turnOf(question.turns, 0, `question ${question.questionId}`);
    values["answer"] = turnOf(answer.turns, 0, what);
  }
  return formatPythonTemplate(prompt.promptTemplate, values);
}

function turnOf(turns: readonly string[], i: number, what: string): string {
  const t = turns[i];
  if (t === undefined) throw new Error(`${what} has no turn ${i + 1}`);
  return t;
}

/** The chat messages FastChat sends to an OpenAI judge: system prompt, then the user prompt. */
export function judgeMessages(prompt: JudgePrompt, userPrompt: string): { role: "system" | "user"; content: string }[] {
  // FastChat's conversation template drops the system message only when it is empty.
  const msgs: { role: "system" | "user"; content: string }[] = [];
  if (prompt.systemPrompt !== "") msgs.push({ role: "system", content: prompt.systemPrompt });
  msgs.push({ role: "user", content: userPrompt });
  return msgs;
}

const ONE_SCORE = /\[\[(\d+\.?\d*)\]\]/;
const ONE_SCORE_BACKUP = /\[(\d+\.?\d*)\]/;

/**
 * The rating in a judge's text: FastChat's `[[x]]` pattern, else its `[x]` fallback (first
 * match of each), else -1. FastChat keeps any number the pattern finds; this function also
 * returns -1 for a number outside the 0-10 scale (the project's loaders reject such scores,
 * and GPT-4 judges never produce them), so every written row stays loadable.
 */
export function parseRating(judgment: string): number {
  const m = ONE_SCORE.exec(judgment) ?? ONE_SCORE_BACKUP.exec(judgment);
  if (m === null || m[1] === undefined) return -1;
  const x = Number(m[1]);
  return Number.isFinite(x) && x >= 0 && x <= 10 ? x : -1;
}

/** One FastChat judgment row (the keys and their order as `play_a_match_single` writes them). */
export interface JudgmentRecord {
  question_id: QuestionId;
  model: string;
  judge: [string, string];
  user_prompt: string;
  judgment: string;
  score: number;
  turn: 1 | 2;
  tstamp: number;
  /** Only on repeated judgings (repeat >= 1); FastChat's tools ignore it. */
  repeat?: number;
  /** {@link judgeInputHash} of what was judged (FastChat's tools ignore it). */
  input_hash?: string;
}

/**
 * The hash of everything a judgment depends on: judge model, the prompt's name and system
 * prompt, and the filled user prompt (which holds the question, the answer and the reference).
 * 16 hex digits of SHA-256.
 */
export function judgeInputHash(judgeModel: string, prompt: JudgePrompt, userPrompt: string): string {
  return createHash("sha256").update(JSON.stringify([judgeModel, prompt.name, prompt.systemPrompt, userPrompt])).digest("hex").slice(0, 16);
}

/** The resumability key of a judgment: (question, model, turn, judge model, prompt, repeat). */
export function judgmentKey(questionId: QuestionId, model: string, turn: number, judge: readonly [string, string], repeat: number): string {
  return JSON.stringify([String(questionId), model, turn, judge[0], judge[1], repeat]);
}

/** One planned judge request. */
export interface JudgeJob {
  key: string;
  question: Question;
  /** The judged model's name (FastChat: the answer file's name without `.jsonl`). */
  model: string;
  answer: Answer;
  reference: Answer | undefined;
  prompt: JudgePrompt;
  turn: 1 | 2;
  judgeModel: string;
  repeat: number;
  userPrompt: string;
  /** {@link judgeInputHash} of this request. */
  inputHash: string;
}

export interface PlanSingleOptions {
  questions: readonly Question[];
  /** Model name -> its answers (FastChat's model name is the answer file name). */
  answers: ReadonlyMap<string, readonly Answer[]>;
  /** Reference answers by question id (needed for NEED_REF_CATS questions). */
  references: readonly Answer[];
  judgePrompts: readonly JudgePrompt[];
  judgeModel: string;
  /** Which turns to judge (default both). */
  turns?: readonly (1 | 2)[];
  /** Repeat index stored in the keys and records (0 = the main judgment file). */
  repeat?: number;
  /** Where the answers came from, for error messages. */
  answersLabel?: (model: string) => string;
}

/**
 * The judge requests FastChat's `gen_judgment.py --mode single` would make, in its order
 * (turn-1 default, turn-1 math, turn-2 default, turn-2 math; questions in file order, models in
 * the given order). Like FastChat's `check_data`, a missing answer or reference is an error
 * raised before any request, naming what is missing.
 */
export function planSingleJudgments(opts: PlanSingleOptions): JudgeJob[] {
  const turns = opts.turns ?? [1, 2];
  const repeat = opts.repeat ?? 0;
  const prompts = new Map(opts.judgePrompts.map((p) => [p.name, p]));
  const refs = new Map(opts.references.map((r) => [String(r.questionId), r]));
  const byModel = new Map<string, Map<string, Answer>>();
  for (const [model, answers] of opts.answers) byModel.set(model, new Map(answers.map((a) => [String(a.questionId), a])));

  const missing: string[] = [];
  const jobs: JudgeJob[] = [];
  for (const turn of [1, 2] as const) {
    if (!turns.includes(turn)) continue;
    for (const math of [false, true]) {
      for (const q of opts.questions) {
        if (needsReference(q.category) !== math) continue;
        if (turn === 2 && q.turns.length !== 2) continue;
        const promptName = singleJudgePromptName(q.category, turn);
        const prompt = prompts.get(promptName);
        if (prompt === undefined) throw new InputError({ file: "<judge prompts>", field: "name" }, `no judge prompt named "${promptName}"`);
        const reference = math ? refs.get(String(q.questionId)) : undefined;
        if (math && reference === undefined) {
          missing.push(`reference answer for question ${q.questionId} (${q.category})`);
          continue;
        }
        if (reference !== undefined && reference.turns.length < 2) {
          missing.push(`turn 2 of the reference answer for question ${q.questionId}`);
          continue;
        }
        for (const [model, answers] of byModel) {
          const answer = answers.get(String(q.questionId));
          const where = opts.answersLabel ? ` in ${opts.answersLabel(model)}` : "";
          if (answer === undefined) {
            missing.push(`answer of ${model} to question ${q.questionId}${where}`);
            continue;
          }
          if (answer.turns.length < turn) {
            missing.push(`turn ${turn} of ${model}'s answer to question ${q.questionId}${where}`);
            continue;
          }
          const judge: [string, string] = [opts.judgeModel, prompt.name];
          const userPrompt = renderSingleJudgePrompt({ prompt, question: q, answer, reference, turn });
          jobs.push({
            key: judgmentKey(q.questionId, model, turn, judge, repeat),
            question: q,
            model,
            answer,
            reference,
            prompt,
            turn,
            judgeModel: opts.judgeModel,
            repeat,
            userPrompt,
            inputHash: judgeInputHash(opts.judgeModel, prompt, userPrompt),
          });
        }
      }
    }
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).join("; ");
    throw new InputError({ file: "<judging inputs>" }, `cannot judge: missing ${missing.length} item(s): ${shown}${missing.length > 10 ? "; ..." : ""}`);
  }
  return jobs;
}

/** The FastChat row for a finished judge request. */
export function judgmentRecord(job: JudgeJob, judgment: string, tstampSeconds: number): JudgmentRecord {
  const rec: JudgmentRecord = {
    question_id: job.question.questionId,
    model: job.model,
    judge: [job.judgeModel, job.prompt.name],
    user_prompt: job.userPrompt,
    judgment,
    score: parseRating(judgment),
    turn: job.turn,
    tstamp: tstampSeconds,
  };
  if (job.repeat > 0) rec.repeat = job.repeat;
  rec.input_hash = job.inputHash;
  return rec;
}

/**
 * The key of an existing judgment row, or null when the row is not a finished judgment
 * (FastChat's `$ERROR$` rows, written when its API calls failed, are not: they are redone).
 */
export function keyOfJudgmentRow(o: Record<string, unknown>, defaultRepeat: number): string | null {
  const judge = o["judge"];
  const qid = o["question_id"];
  const model = o["model"];
  const turn = o["turn"];
  if (!Array.isArray(judge) || judge.length !== 2 || typeof judge[0] !== "string" || typeof judge[1] !== "string") return null;
  if ((typeof qid !== "number" && typeof qid !== "string") || typeof model !== "string" || typeof turn !== "number") return null;
  if (o["judgment"] === "$ERROR$" || o["score"] === "$ERROR$") return null;
  const repeat = typeof o["repeat"] === "number" ? o["repeat"] : defaultRepeat;
  return judgmentKey(qid, model, turn, [judge[0], judge[1]], repeat);
}

/**
 * Whether an existing finished judgment row was made on other inputs than `job`: its
 * `input_hash` differs, or (rows without one, e.g. FastChat's) its `user_prompt` differs.
 */
export function judgmentRowChanged(o: Record<string, unknown>, job: JudgeJob): boolean {
  if (typeof o["input_hash"] === "string") return o["input_hash"] !== job.inputHash;
  return typeof o["user_prompt"] === "string" && o["user_prompt"] !== job.userPrompt;
}
