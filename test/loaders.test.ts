import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkCoverage, formatCoverage } from "../lib/analysis/coverage";
import { streamJsonlFile } from "../lib/io/jsonl";
import { loadManifest, parseManifest, formatManifest } from "../lib/io/manifest";
import {
  loadAnswers,
  loadJudgePrompts,
  loadJudgments,
  loadQuestions,
  loadReferenceAnswers,
  parseJudgments,
  parseQuestions,
} from "../lib/io/mtbench";
import { InputError } from "../lib/model/errors";
import { sharedMissing, sharedPath, tempDir } from "./helpers";

const skip = sharedMissing("data", "mt_bench");

function throwsAt(fn: () => unknown, file: string, line: number | undefined, field: string | undefined, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.equal(e.line, line);
    assert.equal(e.field, field);
    assert.match(e.message, message);
    return true;
  });
}

test("real FastChat files load: 80 questions in 8 categories, answers, references, judge prompts", { skip }, () => {
  const qs = loadQuestions(sharedPath("data", "mt_bench", "question.jsonl"));
  assert.equal(qs.length, 80);
  assert.equal(new Set(qs.map((q) => q.category)).size, 8);
  assert.ok(qs.every((q) => q.turns.length === 2));
  const answers = loadAnswers(sharedPath("data", "mt_bench", "model_answer", "Meta-Llama-3-8B-Instruct-Normal.jsonl"));
  assert.equal(answers.length, 80);
  assert.equal(answers[0]?.model, "meta-llama/Meta-Llama-3-8B-Instruct-Normal");
  const refs = loadReferenceAnswers(sharedPath("data", "mt_bench", "reference_answer", "gpt-4.jsonl"));
  assert.ok(refs.length >= 30 && refs.every((r) => r.turns.length === 2));
  const prompts = loadJudgePrompts(sharedPath("data", "judge_prompts.jsonl"));
  const names = prompts.map((p) => p.name);
  for (const n of ["single-v1", "single-math-v1", "single-v1-multi-turn", "single-math-v1-multi-turn"]) assert.ok(names.includes(n), n);
  const js = loadJudgments(sharedPath("data", "mt_bench", "model_judgment", "gpt-4_single.jsonl"));
  assert.equal(js.length, 330);
  assert.equal(js.filter((j) => j.score.kind === "failed").length, 4);
});

test("bad judgment rows name the file, line and field", () => {
  const ok = '{"question_id": 81, "model": "m", "judge": ["gpt-4", "single-v1"], "score": 7, "turn": 1}';
  throwsAt(() => parseJudgments(`${ok}\n${ok.replace('"turn": 1', '"turn": 3')}`, "j.jsonl"), "j.jsonl", 2, "turn", /expected 1 or 2/);
  throwsAt(() => parseJudgments(ok.replace('"score": 7', '"score": "7"'), "j.jsonl"), "j.jsonl", 1, "score", /expected a number/);
  throwsAt(() => parseJudgments(ok.replace('"score": 7', '"score": 11'), "j.jsonl"), "j.jsonl", 1, "score", /outside/);
  throwsAt(() => parseJudgments(`\n\n${ok.replace('"model": "m", ', "")}`, "j.jsonl"), "j.jsonl", 3, "model", /expected a string, got missing/);
  throwsAt(() => parseJudgments(`${ok}\n{"question_id": 8`, "j.jsonl"), "j.jsonl", 2, undefined, /not valid JSON/);
  throwsAt(() => parseJudgments(ok.replace('["gpt-4", "single-v1"]', '"gpt-4"'), "j.jsonl"), "j.jsonl", 1, "judge", /judge model, prompt name/);
});

test("bad questions name the file, line and field; duplicate ids are refused", () => {
  const q = '{"question_id": 81, "category": "writing", "turns": ["a", "b"]}';
  throwsAt(() => parseQuestions(`${q}\n${q}`, "q.jsonl"), "q.jsonl", 2, "question_id", /already defined on line 1/);
  throwsAt(() => parseQuestions(q.replace('["a", "b"]', '"a"'), "q.jsonl"), "q.jsonl", 1, "turns", /array of strings/);
});

test("the streaming reader gives the same rows as the in-memory parser across chunk boundaries and CRLF", async () => {
  const dir = tempDir();
  const rows = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, text: "é".repeat(i * 7) }));
  const file = path.join(dir, "x.jsonl");
  fs.writeFileSync(file, rows.join("\r\n") + "\n\n");
  const got: unknown[] = [];
  for await (const r of streamJsonlFile(file, 64)) got.push(r);
  assert.deepEqual(got, rows.map((r, i) => ({ line: i + 1, value: JSON.parse(r) as unknown })));
  fs.writeFileSync(file, rows.slice(0, 3).join("\n")); // no final newline
  const last: unknown[] = [];
  for await (const r of streamJsonlFile(file, 16)) last.push(r);
  assert.equal(last.length, 3);
});

test("a missing file is an InputError naming it", () => {
  throwsAt(() => loadQuestions("/nonexistent/question.jsonl"), "/nonexistent/question.jsonl", undefined, undefined, /file not found/);
});

test("manifest: validated, defaults filled, typos caught with a suggestion", () => {
  const m = parseManifest('{"model_id": "a", "base_model": "Llama-3.1-8B", "setting": "urial", "n_demos": 3, "temperature": 0.5}\n', "m.jsonl");
  assert.equal(m.rows[0]?.judge, "gpt-4");
  assert.equal(m.rows[0]?.ablation, "none");
  assert.equal(m.rows[0]?.label, "a");
  assert.equal(m.rows[0]?.nDemos, 3);
  assert.equal(m.rows[0]?.topP, null);
  throwsAt(
    () => parseManifest('{"model_id": "a", "base_model": "b", "setting": "urial", "repitition_penalty": 1.15}', "m.jsonl"),
    "m.jsonl", 1, "repitition_penalty", /did you mean "repetition_penalty"/,
  );
  throwsAt(() => parseManifest('{"model_id": "a", "base_model": "b", "setting": "rlhf"}', "m.jsonl"), "m.jsonl", 1, "setting", /expected one of base, urial/);
  throwsAt(() => parseManifest('{"model_id": "a", "base_model": "b", "setting": "ift", "n_train": 2.5}', "m.jsonl"), "m.jsonl", 1, "n_train", /integer/);
  throwsAt(() => parseManifest('{"model_id": "a", "base_model": "b", "setting": "base", "top_p": 1.5}', "m.jsonl"), "m.jsonl", 1, "top_p", /<= 1/);
  throwsAt(() => parseManifest('{"base_model": "b", "setting": "base"}', "m.jsonl"), "m.jsonl", 1, "model_id", /required/);
  const two = '{"model_id": "a", "base_model": "b", "setting": "base"}\n{"model_id": "a", "base_model": "b", "setting": "urial"}';
  throwsAt(() => parseManifest(two, "m.jsonl"), "m.jsonl", 2, "model_id", /already listed on line 1/);
});

test("manifest: format then parse round-trips", () => {
  const text = [
    '{"model_id":"x-urial","base_model":"X","setting":"urial","label":"X + URIAL","n_demos":3,"with_urial_demos":true,"temperature":0.7,"top_p":0.9,"repetition_penalty":1.15}',
    '{"model_id":"x-shift","base_model":"X","setting":"icl-random","n_demos":6,"seed":2,"ablation":"circular_shift","judge":"gpt-4-turbo"}',
  ].join("\n");
  const m = parseManifest(text, "m.jsonl");
  assert.deepEqual(parseManifest(formatManifest(m.rows), "again.jsonl").rows, m.rows);
});

test("the bundled example manifest is valid", () => {
  const m = loadManifest(path.resolve(__dirname, "..", "data", "examples", "mtbench-urial", "manifest.jsonl"));
  assert.ok(m.rows.length >= 2);
});

test("coverage lists missing and failed-only cells", () => {
  const qs = parseQuestions('{"question_id": 1, "category": "c", "turns": ["a", "b"]}\n{"question_id": 2, "category": "c", "turns": ["a"]}');
  const js = parseJudgments(
    [
      '{"question_id": 1, "model": "m", "judge": ["j", "p"], "score": 5, "turn": 1}',
      '{"question_id": 1, "model": "m", "judge": ["j", "p"], "score": -1, "turn": 2}',
      '{"question_id": 1, "model": "other", "judge": ["j", "p"], "score": 5, "turn": 1}',
    ].join("\n"),
  );
  const r = checkCoverage(js, qs, ["m", "n"]);
  assert.equal(r.expected, 6);
  assert.deepEqual(r.failedOnly, [{ model: "m", questionId: 1, turn: 2 }]);
  assert.deepEqual(r.missing.map((c) => `${c.model}/${c.questionId}/${c.turn}`), ["m/2/1", "n/1/1", "n/1/2", "n/2/1"]);
  assert.deepEqual(r.unexpectedModels, ["other"]);
  assert.equal(r.complete, false);
  assert.match(formatCoverage(r), /1 of 6 cells/);
});
