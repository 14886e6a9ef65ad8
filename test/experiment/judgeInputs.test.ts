/**
 * `judge` and `mtbench-scores` on ambiguous or broken inputs (issue 11, items 9 and 10): each
 * case runs the real bin/icl-workbench against a fake OpenAI server on 127.0.0.1 and must end in
 * an error naming the file, the line and the field, before any request is sent (the server
 * counts them), with no stack trace; or, where the choice is legitimate, take an explicit option.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { chatCompletion, type FakeServer, startFakeOpenAI } from "../support/fakeOpenAI";
import { SYNTHETIC_JUDGE_PROMPTS, writeSyntheticDump } from "../support/mtbenchFixture";
import { hasStackTrace, runCli } from "../support/cli";
import { tempDir } from "../helpers";

const ENV = { WB_TEST_JUDGE_KEY: "sk-judge-inputs-test" };

async function withServer(f: (server: FakeServer) => Promise<void>): Promise<void> {
  const server = await startFakeOpenAI(() => ({ kind: "json", body: chatCompletion("Rating: [[7]]") }));
  try {
    await f(server);
  } finally {
    await server.close();
  }
}

function judgeArgs(dir: string, server: FakeServer, ...extra: string[]): string[] {
  return ["judge", "--dump", dir, "--base-url", server.url, "--api-key-env", "WB_TEST_JUDGE_KEY", "--max-attempts", "1", ...extra];
}

function lines(file: string): string[] {
  return fs.readFileSync(file, "utf8").split("\n");
}

/** A refused judge run: exit 1, the message on stderr, no stack, no request, no judgment file. */
async function refused(dir: string, server: FakeServer, expected: string | RegExp, ...extra: string[]): Promise<string> {
  const r = await runCli(judgeArgs(dir, server, ...extra), ENV);
  assert.equal(r.code, 1, r.stderr);
  if (typeof expected === "string") assert.ok(r.stderr.includes(expected), r.stderr);
  else assert.match(r.stderr, expected);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  assert.equal(server.requests.length, 0, "no request before the inputs are checked");
  assert.ok(!fs.existsSync(path.join(dir, "model_judgment", "gpt-4_single.jsonl")));
  return r.stderr;
}

test("judge: two different answers to one question are an error naming both lines", async () => {
  await withServer(async (server) => {
    const dir = tempDir();
    writeSyntheticDump(dir, 3, ["m1"]);
    const file = path.join(dir, "model_answer", "m1.jsonl");
    const rows = lines(file).filter((l) => l !== "");
    const second = JSON.parse(rows[1] as string) as { choices: { turns: string[] }[] };
    (second.choices[0] as { turns: string[] }).turns = ["another answer", "and another"];
    fs.appendFileSync(file, JSON.stringify(second) + "\n"); // line 4: question 82 again, different text
    await refused(dir, server, `${file}:4: field "choices": a second, different answer to question 82 (the first is on line 2)`);
    // an exact repeat of a row is harmless: judged once
    fs.writeFileSync(file, [...rows, rows[1]].join("\n") + "\n");
    const ok = await runCli(judgeArgs(dir, server, "--dry-run"), ENV);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /repeat 0: 6 judgments planned/);
  });
});

test("judge: an unknown category (maths) is an error with a hint, not a silent no-reference judging; --extra-categories declares one", async () => {
  await withServer(async (server) => {
    const dir = tempDir();
    writeSyntheticDump(dir, 2, ["m1"]);
    const q = path.join(dir, "question.jsonl");
    fs.writeFileSync(q, fs.readFileSync(q, "utf8").replace('"category":"roleplay"', '"category":"maths"'));
    await refused(dir, server, `${q}:2: field "category": unknown category "maths" of question 82 (did you mean "math"?)`);
    const ok = await runCli(judgeArgs(dir, server, "--extra-categories", "maths"), ENV);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(server.requests.length, 4); // 2 questions x 2 turns
    const judged = lines(path.join(dir, "model_judgment", "gpt-4_single.jsonl")).filter((l) => l !== "").map((l) => JSON.parse(l) as { question_id: number; judge: string[] });
    assert.deepEqual(judged.filter((j) => j.question_id === 82).map((j) => j.judge[1]).sort(), ["single-v1", "single-v1-multi-turn"]);
  });
});

test("judge: a math question without a reference answer is an error naming the question's line and the reference file", async () => {
  await withServer(async (server) => {
    const dir = tempDir();
    writeSyntheticDump(dir, 4, ["m1"]); // 81 writing, 82 roleplay, 83 reasoning, 84 math
    const refs = path.join(dir, "reference_answer", "gpt-4.jsonl");
    fs.writeFileSync(refs, lines(refs).filter((l) => !l.includes('"question_id":84')).join("\n"));
    await refused(dir, server, `${path.join(dir, "question.jsonl")}:4: field "category": question 84 is "math", judged against a reference answer, but ${refs} has none for it`);
  });
});

test("judge: a duplicated judge-prompt name is an error naming both lines", async () => {
  await withServer(async (server) => {
    const dir = tempDir();
    writeSyntheticDump(dir, 2, ["m1"]);
    const prompts = path.join(dir, "judge_prompts.jsonl");
    fs.appendFileSync(prompts, JSON.stringify({ ...SYNTHETIC_JUDGE_PROMPTS[0], system_prompt: "Another wording." }) + "\n");
    await refused(dir, server, `${prompts}:5: field "name": judge prompt "single-v1" is already defined on line 1`);
  });
});

test("judge: an unknown placeholder in a judge prompt is an error naming the line and field, not a stack trace", async () => {
  await withServer(async (server) => {
    const dir = tempDir();
    writeSyntheticDump(dir, 2, ["m1"]);
    const prompts = path.join(dir, "judge_prompts.jsonl");
    const rows = SYNTHETIC_JUDGE_PROMPTS.map((p) => (p.name === "single-v1-multi-turn" ? { ...p, prompt_template: `${p.prompt_template}\n{answer_3}` } : p));
    fs.writeFileSync(prompts, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    await refused(dir, server, `${prompts}:3: field "prompt_template": judge prompt "single-v1-multi-turn": no value for "{answer_3}"`);
  });
});

test("judge: an empty question file is an error, not '0 planned' with exit 0", async () => {
  await withServer(async (server) => {
    const dir = tempDir();
    writeSyntheticDump(dir, 2, ["m1"]);
    const q = path.join(dir, "question.jsonl");
    fs.writeFileSync(q, "\n");
    await refused(dir, server, `${q}: no questions: nothing to judge`);
    const dry = await runCli(judgeArgs(dir, server, "--dry-run"), ENV);
    assert.equal(dry.code, 1);
  });
});

test("mtbench-scores: a directory for --judgments is a clear error; manifest runs without judgments and judged models missing from it are reported", async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "model_judgment"));
  const file = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
  const row = (model: string, q: number, turn: number) => JSON.stringify({ question_id: q, model, judge: ["gpt-4", turn === 1 ? "single-v1" : "single-v1-multi-turn"], score: 8, turn });
  fs.writeFileSync(file, [row("a", 81, 1), row("a", 81, 2), row("stray", 81, 1)].join("\n") + "\n");
  const asDir = await runCli(["mtbench-scores", "--judgments", path.join(dir, "model_judgment")]);
  assert.equal(asDir.code, 1);
  assert.ok(asDir.stderr.includes(`${path.join(dir, "model_judgment")}: is a directory, expected a file; it holds ${file}`), asDir.stderr);
  assert.ok(!hasStackTrace(asDir.stderr));

  const manifest = path.join(dir, "manifest.jsonl");
  fs.writeFileSync(
    manifest,
    [
      { model_id: "a", base_model: "X", setting: "urial" },
      { model_id: "b", base_model: "X", setting: "base" },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n") + "\n",
  );
  const r = await runCli(["mtbench-scores", "--judgments", file, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(`runs in ${manifest} without any judgment in ${file}: b`), r.stderr);
  assert.ok(r.stderr.includes(`judged models missing from ${manifest}: stray`), r.stderr);
  const o = JSON.parse(r.stdout) as { models: { model: string; turn1: number }[] };
  assert.deepEqual(o.models.map((m) => [m.model, m.turn1]).sort(), [["a", 8], ["stray", 8]]);
  // explicit --manifest with everything matched: no report
  fs.writeFileSync(path.join(dir, "m2.jsonl"), ["a", "stray"].map((m) => JSON.stringify({ model_id: m, base_model: "X", setting: "urial" })).join("\n"));
  const quiet = await runCli(["mtbench-scores", "--judgments", file, "--manifest", path.join(dir, "m2.jsonl")]);
  assert.equal(quiet.code, 0);
  assert.equal(quiet.stderr, "");
});

test("greedy: a duplicated judge-prompt name is refused the same way, before any request", async () => {
  await withServer(async (server) => {
    const dir = tempDir();
    writeSyntheticDump(dir, 2, []);
    const prompts = path.join(dir, "judge_prompts.jsonl");
    fs.appendFileSync(prompts, JSON.stringify(SYNTHETIC_JUDGE_PROMPTS[0]) + "\n");
    fs.writeFileSync(path.join(dir, "cand.jsonl"), JSON.stringify({ instruction: "q", output: "a" }) + "\n");
    fs.writeFileSync(path.join(dir, "p.txt"), "Rules.\n\n");
    const r = await runCli(
      [
        "greedy", "--work-dir", path.join(dir, "work"), "--prompt", path.join(dir, "p.txt"), "--candidates", path.join(dir, "cand.jsonl"),
        "--questions", path.join(dir, "question.jsonl"), "--judge-prompts", prompts, "--references", path.join(dir, "reference_answer", "gpt-4.jsonl"),
        "--base-url", server.url, "--api-key-env", "WB_TEST_JUDGE_KEY", "--model", "m",
      ],
      ENV,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`${prompts}:5: field "name": judge prompt "single-v1" is already defined on line 1`), r.stderr);
    assert.ok(!hasStackTrace(r.stderr));
    assert.equal(server.requests.length, 0);
  });
});
