/**
 * Judging through OpenAI's Batch API (lib/experiment/batchJudging) against a fake Batch API
 * over real HTTP: the same FastChat rows as direct judging, finished items never submitted
 * again, a submitted batch collected (not paid again) after a kill or a timeout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { EndpointPool } from "../../lib/experiment/endpoints";
import { batchInputJsonl, batchStatePath, parseBatchOutput, runBatchJudging } from "../../lib/experiment/batchJudging";
import { planSingleJudgments, type JudgeJob } from "../../lib/experiment/mtbenchJudge";
import { UsageMeter } from "../../lib/experiment/usage";
import { loadAnswers, loadJudgePrompts, loadJudgments, loadQuestions, loadReferenceAnswers } from "../../lib/io/mtbench";
import { chatCompletion, fakeJudgeScore, lastUserMessage, startFakeOpenAI } from "../support/fakeOpenAI";
import { fakeBatchApi } from "../support/fakeBatchApi";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { captureIO, tempDir } from "../helpers";
import { command as judgeCommand } from "../../lib/cli/commands/judge";

const KEY = "sk-batch-test-SECRET-77aa";

function plan(dir: string): JudgeJob[] {
  return planSingleJudgments({
    questions: loadQuestions(path.join(dir, "question.jsonl")),
    answers: new Map([["model-a", loadAnswers(path.join(dir, "model_answer", "model-a.jsonl"))]]),
    references: loadReferenceAnswers(path.join(dir, "reference_answer", "gpt-4.jsonl")),
    judgePrompts: loadJudgePrompts(path.join(dir, "judge_prompts.jsonl")),
    judgeModel: "gpt-4",
  });
}

const judgeAnswer = (_id: string, body: unknown) => ({ body: chatCompletion(`Fine. Rating: [[${fakeJudgeScore(lastUserMessage(body))}]]`, { prompt_tokens: 1000, completion_tokens: 100 }) });
const noSleep = async (): Promise<void> => {};

test("batch input lines carry the direct request's body; output and error lines parse", () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 2, ["model-a"]);
  const jobs = plan(dir);
  const lines = batchInputJsonl(jobs).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, jobs.length);
  assert.deepEqual(Object.keys(lines[0] ?? {}), ["custom_id", "method", "url", "body"]);
  assert.equal(lines[0]?.["custom_id"], jobs[0]?.key);
  const body = lines[0]?.["body"] as Record<string, unknown>;
  assert.deepEqual([body["model"], body["temperature"], body["max_tokens"], body["n"]], ["gpt-4", 0, 2048, 1]);
  const parsed = parseBatchOutput(
    [
      JSON.stringify({ custom_id: "a", response: { status_code: 200, body: chatCompletion("[[7]]") }, error: null }),
      JSON.stringify({ custom_id: "b", response: { status_code: 429, body: { error: { message: "quota" } } }, error: null }),
      JSON.stringify({ custom_id: "c", response: null, error: { code: "x", message: "expired" } }),
    ].join("\n"),
  );
  assert.deepEqual(parsed.map((r) => [r.customId, r.text, r.error]), [["a", "[[7]]", null], ["b", null, "HTTP 429: quota"], ["c", null, "expired"]]);
  assert.throws(() => parseBatchOutput('{"response": null}\n', "out.jsonl"), /out\.jsonl:1: field "custom_id"/);
});

test("batch judging: only unfinished items are submitted; failures are retried by the next batch; FastChat rows", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 6, ["model-a"]);
  const jobs = plan(dir);
  const bad = jobs[3]?.key as string;
  let failBad = true;
  const api = fakeBatchApi((id, body) => (id === bad && failBad ? { status: 0, error: "request expired" } : judgeAnswer(id, body)));
  const server = await startFakeOpenAI(api.responder);
  const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
  // Two items judged earlier (directly): they must not be in the batch.
  const pre = jobs.slice(0, 2).map((j) => JSON.stringify({ question_id: j.question.questionId, model: j.model, judge: [j.judgeModel, j.prompt.name], user_prompt: j.userPrompt, judgment: "[[5]]", score: 5, turn: j.turn, tstamp: 1 }));
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, pre.map((l) => `${l}\n`).join(""));
  try {
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: KEY, timeoutMs: 10_000 });
    const meter = new UsageMeter({ inputPer1k: 0.01, outputPer1k: 0.03 }, null);
    const failures: string[] = [];
    const s = await runBatchJudging({ jobs, output, client: pool.firstClient(), meter, sleep: noSleep, onFailure: (j, m) => failures.push(`${j.key}: ${m}`) });
    assert.deepEqual([s.planned, s.skipped, s.written, s.failed, s.pending, s.stoppedBecause], [jobs.length, 2, jobs.length - 3, 1, false, null]);
    assert.deepEqual(failures, [`${bad}: request expired`]);
    const submitted = (api.files.get("file-in-1") ?? "").trimEnd().split("\n").map((l) => (JSON.parse(l) as { custom_id: string }).custom_id);
    assert.deepEqual(submitted, jobs.slice(2).map((j) => j.key), "only unfinished items go into the batch");
    assert.equal(fs.existsSync(batchStatePath(output)), false, "the state file is removed once collected");
    assert.equal(meter.requests, jobs.length - 3);
    const rows = loadJudgments(output);
    assert.equal(rows.length, jobs.length - 1);
    const raw = fs.readFileSync(output, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(Object.keys(raw[2] ?? {}), ["question_id", "model", "judge", "user_prompt", "judgment", "score", "turn", "tstamp", "input_hash"]);
    for (const r of raw.slice(2)) assert.equal(r["score"], fakeJudgeScore(r["user_prompt"] as string));

    // The next run submits only the failed item.
    failBad = false;
    const again = await runBatchJudging({ jobs, output, client: pool.firstClient(), meter, sleep: noSleep });
    assert.deepEqual([again.skipped, again.written, again.failed], [jobs.length - 1, 1, 0]);
    assert.deepEqual((api.files.get("file-in-2") ?? "").trimEnd().split("\n").map((l) => (JSON.parse(l) as { custom_id: string }).custom_id), [bad]);
    const items = loadJudgments(output).map((j) => `${j.questionId}/${j.turn}`);
    assert.equal(items.length, jobs.length);
    assert.equal(new Set(items).size, jobs.length, "every item exactly once");
    // Everything done: no request at all.
    const before = server.requests.length;
    const none = await runBatchJudging({ jobs, output, client: pool.firstClient(), meter, sleep: noSleep });
    assert.deepEqual([none.written, none.skipped, server.requests.length], [0, jobs.length, before]);
    assert.equal(server.requests[0]?.headers["authorization"], `Bearer ${KEY}`);
  } finally {
    await server.close();
  }
});

test("batch judging resumes: a timed-out wait and a kill after create are collected, never submitted twice", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 4, ["model-a"]);
  const jobs = plan(dir);
  const api = fakeBatchApi(judgeAnswer);
  api.pollsUntilDone = 3;
  const server = await startFakeOpenAI(api.responder);
  const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
  try {
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: KEY, timeoutMs: 10_000 });
    const meter = new UsageMeter(null, null);
    // Stop waiting at once: the batch keeps running, its id is remembered.
    const first = await runBatchJudging({ jobs, output, client: pool.firstClient(), meter, sleep: noSleep, maxWaitSeconds: 0 });
    assert.equal(first.pending, true);
    assert.match(first.stoppedBecause ?? "", /still in_progress; rerun/);
    assert.equal(first.written, 0);
    const state = JSON.parse(fs.readFileSync(batchStatePath(output), "utf8")) as Record<string, unknown>;
    assert.deepEqual([state["input_file_id"], state["batch_id"]], ["file-in-1", "batch_1"]);
    assert.ok(!JSON.stringify(state).includes(KEY));
    const second = await runBatchJudging({ jobs, output, client: pool.firstClient(), meter, sleep: noSleep });
    assert.deepEqual([second.written, second.failed, second.batchId], [jobs.length, 0, "batch_1"]);
    assert.equal(api.counts.get("POST /files"), 1);
    assert.equal(api.counts.get("POST /batches"), 1, "collected, not submitted again");

    // A run killed between creating the batch and recording its id: the state names the input
    // file only; the rerun finds the batch by its input file instead of creating another.
    const out2 = path.join(dir, "model_judgment", "gpt-4_single.repeat-1.jsonl");
    const jobs2 = planSingleJudgments({
      questions: loadQuestions(path.join(dir, "question.jsonl")),
      answers: new Map([["model-a", loadAnswers(path.join(dir, "model_answer", "model-a.jsonl"))]]),
      references: loadReferenceAnswers(path.join(dir, "reference_answer", "gpt-4.jsonl")),
      judgePrompts: loadJudgePrompts(path.join(dir, "judge_prompts.jsonl")),
      judgeModel: "gpt-4",
      repeat: 1,
    });
    const uploaded = await pool.firstClient().files.create({ file: new File([batchInputJsonl(jobs2)], "x.jsonl"), purpose: "batch" });
    await pool.firstClient().batches.create({ input_file_id: uploaded.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    fs.writeFileSync(batchStatePath(out2), JSON.stringify({ input_file_id: uploaded.id, batch_id: null, n_requests: jobs2.length, judge_model: "gpt-4" }));
    const batchesBefore = api.counts.get("POST /batches");
    const r = await runBatchJudging({ jobs: jobs2, output: out2, client: pool.firstClient(), meter, sleep: noSleep });
    assert.deepEqual([r.written, r.batchId], [jobs2.length, "batch_2"]);
    assert.equal(api.counts.get("POST /batches"), batchesBefore, "the killed run's batch was adopted");
    assert.ok(loadJudgments(out2).length === jobs2.length);
  } finally {
    await server.close();
  }
});

test("judge --batch: one batch per repeat, FastChat files, the key in no file and no output", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 3, ["model-a"]);
  const api = fakeBatchApi(judgeAnswer);
  const server = await startFakeOpenAI(api.responder);
  process.env["WB_BATCH_TEST_KEY"] = KEY;
  try {
    const c = captureIO();
    const code = await judgeCommand.run(["--dump", dir, "--base-url", server.url, "--api-key-env", "WB_BATCH_TEST_KEY", "--batch", "--poll-seconds", "0", "--repeats", "2"], c.io);
    assert.equal(code, 0, c.stderr());
    assert.equal(api.counts.get("POST /batches"), 2);
    const r0 = loadJudgments(path.join(dir, "model_judgment", "gpt-4_single.jsonl"));
    const r1 = loadJudgments(path.join(dir, "model_judgment", "gpt-4_single.repeat-1.jsonl"));
    assert.equal(r0.length, 6);
    assert.equal(r1.length, 6);
    assert.match(c.stdout(), /6 written, 0 failed \(batch batch_1\)/);
    let all = c.stdout() + c.stderr();
    for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) all += fs.readFileSync(path.join(e.parentPath, e.name), "utf8");
    assert.ok(!all.includes(KEY), "the API key leaked");
    const budget = await judgeCommand.run(["--dump", dir, "--base-url", server.url, "--api-key-env", "WB_BATCH_TEST_KEY", "--batch", "--budget-usd", "3"], captureIO().io).catch((e: Error) => e);
    assert.match(String(budget), /--budget-usd cannot stop a batch/);
  } finally {
    delete process.env["WB_BATCH_TEST_KEY"];
    await server.close();
  }
});

test("defect 4, batch: an answer regenerated while its batch was pending is not written with the old judgment; the next run submits it again", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 3, ["model-a"]);
  const api = fakeBatchApi(judgeAnswer);
  api.pollsUntilDone = 2;
  const server = await startFakeOpenAI(api.responder);
  const pool = new EndpointPool({ baseUrls: [server.url], apiKey: "EMPTY", timeoutMs: 5000 });
  const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
  try {
    const meter = new UsageMeter(null, null);
    const pending = await runBatchJudging({ jobs: plan(dir), output, client: pool.firstClient(), meter, sleep: noSleep, maxWaitSeconds: 0 });
    assert.equal(pending.pending, true);
    // Question 81's answer is regenerated while the batch runs.
    const answers = path.join(dir, "model_answer", "model-a.jsonl");
    const rows = fs.readFileSync(answers, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { question_id: number; choices: { turns: string[] }[] });
    (rows[0] as { choices: { turns: string[] }[] }).choices[0] = { turns: ["regenerated one", "regenerated two"] };
    fs.writeFileSync(answers, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const failures: string[] = [];
    const collected = await runBatchJudging({ jobs: plan(dir), output, client: pool.firstClient(), meter, sleep: noSleep, onFailure: (_j, m) => failures.push(m) });
    assert.deepEqual([collected.written, collected.failed], [4, 2], "question 81's two judgments are not written");
    assert.ok(failures.every((m) => /changed after the batch was submitted/.test(m)));
    const again = await runBatchJudging({ jobs: plan(dir), output, client: pool.firstClient(), meter, sleep: noSleep });
    assert.deepEqual([again.skipped, again.written], [4, 2]);
    const final = fs.readFileSync(output, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { user_prompt: string });
    assert.equal(final.length, 6);
    assert.equal(final.filter((j) => j.user_prompt.includes("regenerated")).length, 2, "the new answer was judged");
  } finally {
    await server.close();
  }
});
