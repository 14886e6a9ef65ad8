/**
 * Loading and validating what `judge` grades, before any request: every ambiguity FastChat's
 * gen_judgment.py would pass over silently is an InputError naming the file, the line and the
 * field.
 *
 * - question.jsonl: empty (nothing to judge) is an error; a category outside MT-Bench's eight
 *   (`maths`, a typo of `math`) is an error, because FastChat would judge it without a
 *   reference; categories of other benches are declared with `extraCategories` and judged
 *   without a reference, as FastChat does.
 * - reference answers: a math / reasoning / coding question without one, or without the turn
 *   the judged turn needs, is an error naming the question's line and the reference file; two
 *   different references to one question are an error naming both lines.
 * - answer files: two different answers to one question are an error naming both lines (one
 *   of them would be judged, silently); exact repeats of a row are harmless and kept once.
 * - judge_prompts.jsonl: a duplicated name is an error naming both lines; each single-grading
 *   prompt used must fill with exactly the placeholders FastChat passes it (an unknown
 *   `{placeholder}` would be a KeyError in Python), checked before any request.
 *
 * Complexity: O(total rows) plus one template fill per prompt.
 */
import { InputError } from "../model/errors";
import type { Answer, JudgePrompt, Question } from "../model/mtbench";
import { parseJsonl, readTextFile } from "../io/jsonl";
import { parseAnswers, parseJudgePrompts, parseQuestions } from "../io/mtbench";
import { closestName } from "../io/suggest";
import { formatPythonTemplate, needsReference, SINGLE_JUDGE_PROMPTS, singleJudgePromptName } from "./mtbenchJudge";

/** MT-Bench's eight question categories (FastChat data/mt_bench/question.jsonl). */
export const MT_BENCH_CATEGORIES: readonly string[] = ["writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities"];

/** The placeholders FastChat's single grading fills for each of its four prompts. */
export const SINGLE_PROMPT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  [SINGLE_JUDGE_PROMPTS.default]: ["question", "answer"],
  [SINGLE_JUDGE_PROMPTS.math]: ["question", "answer", "ref_answer_1", "ref_answer_2"],
  [SINGLE_JUDGE_PROMPTS.defaultMultiTurn]: ["question_1", "question_2", "answer_1", "answer_2"],
  [SINGLE_JUDGE_PROMPTS.mathMultiTurn]: ["question_1", "question_2", "answer_1", "answer_2", "ref_answer_1", "ref_answer_2"],
};

export interface JudgeInputOptions {
  questionsFile: string;
  /** Judged model -> its answer file. */
  answerFiles: ReadonlyMap<string, string>;
  referencesFile: string;
  promptsFile: string;
  turns: readonly (1 | 2)[];
  /** Keep only the first N questions (FastChat's --first-n). */
  firstN?: number | undefined;
  /** Categories beyond MT-Bench's eight, judged without a reference (FastChat's rule for them). */
  extraCategories?: readonly string[];
}

export interface JudgeInputs {
  questions: Question[];
  answers: Map<string, Answer[]>;
  references: Answer[];
  judgePrompts: JudgePrompt[];
}

/** Parsed records paired with their 1-based lines (the parser and parseJsonl skip the same blank lines). */
function withLines<T>(text: string, file: string, parse: (text: string, file: string) => T[]): { value: T; line: number }[] {
  const values = parse(text, file);
  const lines = Array.from(parseJsonl(text, file), (r) => r.line);
  return values.map((value, i) => ({ value, line: lines[i] ?? 0 }));
}

function sameTurns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** Answers of one file, one per question: different answers to one question are an error. */
function uniqueAnswers(rows: { value: Answer; line: number }[], file: string, what: string): Answer[] {
  const first = new Map<string, { value: Answer; line: number }>();
  const out: Answer[] = [];
  for (const r of rows) {
    const id = String(r.value.questionId);
    const prev = first.get(id);
    if (prev === undefined) {
      first.set(id, r);
      out.push(r.value);
      continue;
    }
    if (!sameTurns(prev.value.turns, r.value.turns)) {
      throw new InputError(
        { file, line: r.line, field: "choices" },
        `a second, different ${what} to question ${id} (the first is on line ${prev.line}); keep one of lines ${prev.line} and ${r.line}`,
      );
    }
  }
  return out;
}

function checkQuestions(rows: { value: Question; line: number }[], file: string, extra: readonly string[]): void {
  if (rows.length === 0) throw new InputError({ file }, "no questions: nothing to judge (is this the right question.jsonl?)");
  const known = new Set([...MT_BENCH_CATEGORIES, ...extra]);
  for (const { value: q, line } of rows) {
    if (known.has(q.category)) continue;
    const hint = closestName(q.category, MT_BENCH_CATEGORIES, 2);
    throw new InputError(
      { file, line, field: "category" },
      `unknown category "${q.category}" of question ${q.questionId}${hint !== undefined ? ` (did you mean "${hint}"?)` : ""}: MT-Bench's are ${MT_BENCH_CATEGORIES.join(", ")}; ` +
        `math, reasoning and coding are judged against a reference. To judge "${q.category}" without a reference, as FastChat would, pass --extra-categories ${q.category}`,
    );
  }
}

function checkReferences(questions: { value: Question; line: number }[], refRows: { value: Answer; line: number }[], o: JudgeInputOptions): void {
  const byId = new Map(refRows.map((r) => [String(r.value.questionId), r]));
  for (const { value: q, line } of questions) {
    if (!needsReference(q.category)) continue;
    const ref = byId.get(String(q.questionId));
    if (ref === undefined) {
      throw new InputError({ file: o.questionsFile, line, field: "category" }, `question ${q.questionId} is "${q.category}", judged against a reference answer, but ${o.referencesFile} has none for it`);
    }
    if (ref.value.turns.length < 2) {
      // FastChat fills {ref_answer_1} and {ref_answer_2} whichever turn is judged.
      throw new InputError({ file: o.referencesFile, line: ref.line, field: "choices" }, `the reference answer to question ${q.questionId} has ${ref.value.turns.length} turn(s); FastChat's reference prompts need 2`);
    }
  }
}

function checkJudgePrompts(rows: { value: JudgePrompt; line: number }[], file: string, used: ReadonlySet<string>): void {
  const seen = new Map<string, number>();
  for (const { value: p, line } of rows) {
    const prev = seen.get(p.name);
    if (prev !== undefined) throw new InputError({ file, line, field: "name" }, `judge prompt "${p.name}" is already defined on line ${prev}; which one to use is ambiguous`);
    seen.set(p.name, line);
  }
  for (const name of used) {
    if (!seen.has(name)) throw new InputError({ file, field: "name" }, `no judge prompt named "${name}" (have: ${[...seen.keys()].join(", ") || "none"})`);
  }
  for (const { value: p, line } of rows) {
    const fields = SINGLE_PROMPT_FIELDS[p.name];
    if (fields === undefined || !used.has(p.name)) continue;
    try {
      formatPythonTemplate(p.promptTemplate, Object.fromEntries(fields.map((f) => [f, ""])));
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/^template: /, "") : String(e);
      throw new InputError({ file, line, field: "prompt_template" }, `judge prompt "${p.name}": ${why}; FastChat fills only ${fields.map((f) => `{${f}}`).join(", ")} (write a literal brace as {{ or }})`);
    }
  }
}

/**
 * Reads and checks the inputs of one `judge` run; throws an InputError on the first problem.
 */
export function loadJudgeInputs(o: JudgeInputOptions): JudgeInputs {
  let questionRows = withLines(readTextFile(o.questionsFile), o.questionsFile, parseQuestions);
  if (o.firstN !== undefined) questionRows = questionRows.slice(0, o.firstN);
  checkQuestions(questionRows, o.questionsFile, o.extraCategories ?? []);
  const questions = questionRows.map((r) => r.value);

  const answers = new Map<string, Answer[]>();
  for (const [model, file] of o.answerFiles) {
    answers.set(model, uniqueAnswers(withLines(readTextFile(file), file, parseAnswers), file, "answer"));
  }

  let references: Answer[] = [];
  if (questions.some((q) => needsReference(q.category))) {
    const refRows = withLines(readTextFile(o.referencesFile), o.referencesFile, parseAnswers);
    references = uniqueAnswers(refRows, o.referencesFile, "reference answer");
    checkReferences(questionRows, refRows, o);
  }

  return { questions, answers, references, judgePrompts: loadCheckedJudgePrompts(o.promptsFile, questions, o.turns) };
}

/**
 * Reads judge_prompts.jsonl and checks the single-grading prompts `questions` x `turns` use:
 * each present once, each template filled by exactly FastChat's placeholders.
 */
export function loadCheckedJudgePrompts(file: string, questions: readonly Question[], turns: readonly (1 | 2)[]): JudgePrompt[] {
  const used = new Set<string>();
  for (const q of questions) for (const t of turns) if (t === 1 || q.turns.length === 2) used.add(singleJudgePromptName(q.category, t));
  const rows = withLines(readTextFile(file), file, parseJudgePrompts);
  checkJudgePrompts(rows, file, used);
  return rows.map((r) => r.value);
}
