/**
 * A small synthetic MT-Bench dump for experiment tests that must run without ../shared:
 * questions over all 8 categories, answers of one or more models, reference answers for the
 * NEED_REF_CATS questions, and judge prompts with FastChat's names and placeholders (the
 * wording is ours; the real prompts are tested against ../shared separately).
 */
import * as fs from "node:fs";
import * as path from "node:path";

const CATEGORIES = ["writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities"];

export const SYNTHETIC_JUDGE_PROMPTS = [
  {
    name: "single-v1",
    type: "single",
    system_prompt: "You are a helpful assistant.",
    prompt_template: "[Instruction]\nRate {{it}} as [[rating]].\n\n[Question]\n{question}\n\n[Answer]\n{answer}\n[End]",
    description: "synthetic",
    category: "general",
    output_format: "[[rating]]",
  },
  {
    name: "single-math-v1",
    type: "single",
    system_prompt: "You are a helpful assistant.",
    prompt_template: "[Instruction]\nCompare with the reference.\n\n[Question]\n{question}\n\n[Reference]\n{ref_answer_1}\n[End]\n\n[Answer]\n{answer}\n[End]",
    description: "synthetic",
    category: "math",
    output_format: "[[rating]]",
  },
  {
    name: "single-v1-multi-turn",
    type: "single",
    system_prompt: "Judge the second answer. Rate as [[rating]].\n\n",
    prompt_template: "### User:\n{question_1}\n\n### Assistant A:\n{answer_1}\n\n### User:\n{question_2}\n\n### Assistant A:\n{answer_2}",
    description: "synthetic",
    category: "general",
    output_format: "[[rating]]",
  },
  {
    name: "single-math-v1-multi-turn",
    type: "single",
    system_prompt: "Judge the second answer against the reference. Rate as [[rating]].\n\n",
    prompt_template:
      "### User:\n{question_1}\n\n### Reference answer:\n{ref_answer_1}\n\n### User:\n{question_2}\n\n### Reference answer:\n{ref_answer_2}\n\n### User:\n{question_1}\n\n### Assistant A:\n{answer_1}\n\n### User:\n{question_2}\n\n### Assistant A:\n{answer_2}",
    description: "synthetic",
    category: "math",
    output_format: "[[rating]]",
  },
];

export interface SyntheticDump {
  dir: string;
  questions: { question_id: number; category: string; turns: string[] }[];
  models: string[];
}

function jsonl(rows: unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

/** Writes the dump under `dir` (question.jsonl, model_answer/, reference_answer/gpt-4.jsonl, judge_prompts.jsonl). */
export function writeSyntheticDump(dir: string, nQuestions: number, models: string[]): SyntheticDump {
  const questions = Array.from({ length: nQuestions }, (_, i) => {
    const id = 81 + i;
    const category = CATEGORIES[i % CATEGORIES.length] as string;
    return { question_id: id, category, turns: [`Question ${id} (${category}) turn one?`, `Follow-up ${id}: say it {differently}.`] };
  });
  fs.mkdirSync(path.join(dir, "model_answer"), { recursive: true });
  fs.mkdirSync(path.join(dir, "reference_answer"), { recursive: true });
  fs.writeFileSync(path.join(dir, "question.jsonl"), jsonl(questions));
  for (const m of models) {
    const rows = questions.map((q) => ({
      question_id: q.question_id,
      answer_id: `a${q.question_id}`,
      model_id: m,
      choices: [{ index: 0, turns: [`${m} answers ${q.question_id}: {x} ok`, `${m} second answer ${q.question_id}`] }],
      tstamp: 1,
    }));
    fs.writeFileSync(path.join(dir, "model_answer", `${m}.jsonl`), jsonl(rows));
  }
  const refs = questions
    .filter((q) => ["math", "reasoning", "coding"].includes(q.category))
    .map((q) => ({ question_id: q.question_id, answer_id: `r${q.question_id}`, model_id: "gpt-4", choices: [{ index: 0, turns: [`ref ${q.question_id} one`, `ref ${q.question_id} two`] }] }));
  fs.writeFileSync(path.join(dir, "reference_answer", "gpt-4.jsonl"), jsonl(refs));
  fs.writeFileSync(path.join(dir, "judge_prompts.jsonl"), jsonl(SYNTHETIC_JUDGE_PROMPTS));
  return { dir, questions, models };
}
