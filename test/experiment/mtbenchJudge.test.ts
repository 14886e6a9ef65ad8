import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadAnswers, loadJudgePrompts, loadQuestions, loadReferenceAnswers } from "../../lib/io/mtbench";
import { parseJsonl } from "../../lib/io/jsonl";
import {
  formatPythonTemplate,
  type JudgmentRecord,
  judgeMessages,
  judgmentKey,
  keyOfJudgmentRow,
  NEED_REF_CATS,
  parseRating,
  planSingleJudgments,
  renderSingleJudgePrompt,
  singleJudgePromptName,
} from "../../lib/experiment/mtbenchJudge";
import { sharedMissing, sharedPath } from "../helpers";

const shared = sharedMissing("data", "mt_bench", "model_judgment", "gpt-4_single.jsonl");

function sharedJudgmentRows(): JudgmentRecord[] {
  const file = sharedPath("data", "mt_bench", "model_judgment", "gpt-4_single.jsonl");
  return Array.from(parseJsonl(fs.readFileSync(file, "utf8"), file), (r) => r.value as JudgmentRecord);
}

test("renders every judge prompt of FastChat's gpt-4_single.jsonl byte for byte (330 rows, 4 prompts, both turns)", { skip: shared }, () => {
  // The user_prompt fields of the shared judgment file are FastChat's own rendering
  // (common.py run_judge_single) of the shared answers; we must reproduce each one exactly.
  const questions = new Map(loadQuestions(sharedPath("data", "mt_bench", "question.jsonl")).map((q) => [q.questionId, q]));
  const refs = new Map(loadReferenceAnswers(sharedPath("data", "mt_bench", "reference_answer", "gpt-4.jsonl")).map((a) => [a.questionId, a]));
  const prompts = new Map(loadJudgePrompts(sharedPath("data", "judge_prompts.jsonl")).map((p) => [p.name, p]));
  const answerDir = sharedPath("data", "mt_bench", "model_answer");
  const answers = new Map<string, Map<number | string, ReturnType<typeof loadAnswers>[number]>>();
  for (const f of fs.readdirSync(answerDir)) {
    answers.set(f.replace(/\.jsonl$/, ""), new Map(loadAnswers(path.join(answerDir, f)).map((a) => [a.questionId, a])));
  }
  const rows = sharedJudgmentRows();
  assert.equal(rows.length, 330);
  const namesSeen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const q = questions.get(row.question_id);
    assert.ok(q, `row ${i + 1}: question ${row.question_id}`);
    // FastChat picks the prompt by category and turn (gen_judgment.py make_judge_single).
    assert.equal(singleJudgePromptName(q.category, row.turn), row.judge[1], `row ${i + 1}: prompt name`);
    namesSeen.add(row.judge[1]);
    const prompt = prompts.get(row.judge[1]);
    assert.ok(prompt);
    const answer = answers.get(row.model)?.get(row.question_id);
    assert.ok(answer, `row ${i + 1}: answer of ${row.model}`);
    const reference = NEED_REF_CATS.includes(q.category) ? refs.get(row.question_id) : undefined;
    const rendered = renderSingleJudgePrompt({ prompt, question: q, answer, reference, turn: row.turn });
    assert.equal(rendered, row.user_prompt, `row ${i + 1} (question ${row.question_id}, turn ${row.turn}, ${row.model})`);
  }
  assert.deepEqual([...namesSeen].sort(), ["single-math-v1", "single-math-v1-multi-turn", "single-v1", "single-v1-multi-turn"]);
});

test("parseRating reproduces the score FastChat parsed from every shared judgment text (incl. -1 and decimals)", { skip: shared }, () => {
  const rows = sharedJudgmentRows();
  let failures = 0;
  let decimals = 0;
  for (const [i, row] of rows.entries()) {
    assert.equal(parseRating(row.judgment), row.score, `row ${i + 1}`);
    if (row.score === -1) failures++;
    if (!Number.isInteger(row.score)) decimals++;
  }
  // The shared file has 4 rows without a rating and 2 with a decimal rating (checked with pandas).
  assert.equal(failures, 4);
  assert.equal(decimals, 2);
});

test("parseRating: [[x]] first, then the [x] fallback, else -1 (FastChat one_score_pattern / _backup)", () => {
  assert.equal(parseRating("Rating: [[7]]"), 7);
  assert.equal(parseRating("Rating: [[8.5]] and later [[2]]"), 8.5);
  assert.equal(parseRating("Rating: [6]"), 6);
  // [[x]] wins over an earlier [x]: FastChat searches the double-bracket pattern first.
  assert.equal(parseRating("see [3] ... Rating: [[9]]"), 9);
  assert.equal(parseRating("Rating: 7/10"), -1);
  assert.equal(parseRating("Rating: [[seven]]"), -1);
  assert.equal(parseRating("[[10]]"), 10);
  // Outside the 0-10 scale: not a rating for this project's loaders.
  assert.equal(parseRating("[[15]]"), -1);
});

test("formatPythonTemplate follows str.format: {{ }} escapes, values never re-scanned, missing keys throw", () => {
  // Python: "{{a}} {b}!".format(b="{c}") == "{a} {c}!"
  assert.equal(formatPythonTemplate("{{a}} {b}!", { b: "{c}" }), "{a} {c}!");
  // Python: "x{q}y{q}".format(q="1") == "x1y1"
  assert.equal(formatPythonTemplate("x{q}y{q}", { q: "1" }), "x1y1");
  assert.throws(() => formatPythonTemplate("{missing}", {}), /no value for "\{missing\}"/);
  assert.throws(() => formatPythonTemplate("a } b", {}), /single '}'/);
  assert.throws(() => formatPythonTemplate("{a:>5}", { a: "x" }), /unsupported/);
  assert.throws(() => formatPythonTemplate("{a", { a: "x" }), /single '\{'/);
});

test("judgeMessages: system prompt then the filled user prompt (FastChat conv.to_openai_api_messages)", () => {
  const p = { name: "single-v1", type: "single" as const, systemPrompt: "S", promptTemplate: "", description: "", category: "", outputFormat: "[[rating]]" };
  assert.deepEqual(judgeMessages(p, "U"), [
    { role: "system", content: "S" },
    { role: "user", content: "U" },
  ]);
});

test("planSingleJudgments on the shared data: FastChat's match order and counts, missing reference is an error", { skip: shared }, () => {
  const questions = loadQuestions(sharedPath("data", "mt_bench", "question.jsonl"));
  const references = loadReferenceAnswers(sharedPath("data", "mt_bench", "reference_answer", "gpt-4.jsonl"));
  const judgePrompts = loadJudgePrompts(sharedPath("data", "judge_prompts.jsonl"));
  const normal = loadAnswers(sharedPath("data", "mt_bench", "model_answer", "Meta-Llama-3-8B-Instruct-Normal.jsonl"));
  const answers = new Map([["Meta-Llama-3-8B-Instruct-Normal", normal]]);
  const jobs = planSingleJudgments({ questions, answers, references, judgePrompts, judgeModel: "gpt-4" });
  // 80 questions x 2 turns; the 30 math/reasoning/coding questions use the math prompts.
  assert.equal(jobs.length, 160);
  const counts = new Map<string, number>();
  for (const j of jobs) counts.set(`${j.prompt.name}/${j.turn}`, (counts.get(`${j.prompt.name}/${j.turn}`) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(counts), { "single-v1/1": 50, "single-math-v1/1": 30, "single-v1-multi-turn/2": 50, "single-math-v1-multi-turn/2": 30 });
  // gen_judgment.py order: default turn 1, math turn 1, default turn 2, math turn 2.
  const order = [...new Set(jobs.map((j) => j.prompt.name))];
  assert.deepEqual(order, ["single-v1", "single-math-v1", "single-v1-multi-turn", "single-math-v1-multi-turn"]);
  assert.throws(
    () => planSingleJudgments({ questions, answers, references: references.filter((r) => r.questionId !== 111), judgePrompts, judgeModel: "gpt-4" }),
    /reference answer for question 111/,
  );
});

test("keyOfJudgmentRow: FastChat rows are keyed by (question, model, turn, judge, prompt, repeat); $ERROR$ rows are not finished", () => {
  const row = { question_id: 81, model: "m", judge: ["gpt-4", "single-v1"], user_prompt: "", judgment: "x [[5]]", score: 5, turn: 1, tstamp: 1 };
  assert.equal(keyOfJudgmentRow(row, 0), judgmentKey(81, "m", 1, ["gpt-4", "single-v1"], 0));
  assert.equal(keyOfJudgmentRow({ ...row, repeat: 2 }, 0), judgmentKey(81, "m", 1, ["gpt-4", "single-v1"], 2));
  assert.equal(keyOfJudgmentRow({ ...row, judgment: "$ERROR$", score: -1 }, 0), null);
  // A -1 row (judge answered without a rating) was paid for: it is finished.
  assert.notEqual(keyOfJudgmentRow({ ...row, score: -1 }, 0), null);
});
