import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { EndpointPool } from "../../lib/experiment/endpoints";
import { runJudging } from "../../lib/experiment/judging";
import { planSingleJudgments, type JudgeJob } from "../../lib/experiment/mtbenchJudge";
import { UsageMeter } from "../../lib/experiment/usage";
import { loadAnswers, loadJudgePrompts, loadJudgments, loadQuestions, loadReferenceAnswers } from "../../lib/io/mtbench";
import { chatCompletion, fakeJudgeScore, lastUserMessage, type Reply, startFakeOpenAI } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { tempDir } from "../helpers";

const KEY = "sk-test-judging-0123456789";

function plan(dir: string, model = "model-a"): JudgeJob[] {
  return planSingleJudgments({
    questions: loadQuestions(path.join(dir, "question.jsonl")),
    answers: new Map([[model, loadAnswers(path.join(dir, "model_answer", `${model}.jsonl`))]]),
    references: loadReferenceAnswers(path.join(dir, "reference_answer", "gpt-4.jsonl")),
    judgePrompts: loadJudgePrompts(path.join(dir, "judge_prompts.jsonl")),
    judgeModel: "gpt-4",
  });
}

function rows(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test("judging over real HTTP with faults: 429+Retry-After, 500, 503+retry-after-ms, hang, malformed bodies, no rating", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 8, ["model-a"]);
  const jobs = plan(dir);
  assert.equal(jobs.length, 16);
  // One fault (on the first call) per turn-1 question, by question id.
  const faults: Record<number, Reply> = {
    81: { kind: "json", status: 429, body: { error: { message: "slow down" } }, headers: { "retry-after": "1" } },
    82: { kind: "json", status: 500, body: { error: { message: "boom" } } },
    83: { kind: "hang" },
    84: { kind: "raw", contentType: "application/json", text: '{"choices": [{"message": ' },
    86: { kind: "json", status: 503, body: { error: { message: "busy" } }, headers: { "retry-after-ms": "50" } },
    87: { kind: "json", body: { id: "x", object: "chat.completion" } },
  };
  const calls = new Map<string, number>();
  const server = await startFakeOpenAI((req) => {
    const u = lastUserMessage(req.body);
    const n = (calls.get(u) ?? 0) + 1;
    calls.set(u, n);
    const job = jobs.find((j) => j.userPrompt === u);
    assert.ok(job, "the server only receives planned prompts");
    if (job.turn === 1 && job.question.questionId === 85) return { kind: "json", body: chatCompletion("I cannot decide.") };
    const fault = job.turn === 1 ? faults[job.question.questionId as number] : undefined;
    if (fault && n === 1) return fault;
    return { kind: "json", body: chatCompletion(`Fine. Rating: [[${fakeJudgeScore(u)}]]`, { prompt_tokens: 1000, completion_tokens: 100 }) };
  });
  try {
    const waits: number[] = [];
    const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
    // The timeout only has to fire for the hung request; it is generous so that a normal request
    // on a loaded machine never times out (that would add a retry and break the exact counts).
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: KEY, timeoutMs: 3000 });
    const meter = new UsageMeter({ inputPer1k: 0.03, outputPer1k: 0.06 }, null);
    const s = await runJudging({
      jobs,
      output,
      pool,
      concurrency: 4,
      meter,
      retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 2000 },
      retryHooks: { sleep: async (ms) => void waits.push(ms) },
    });
    assert.deepEqual({ written: s.written, failed: s.failed, skipped: s.skipped, stopped: s.stoppedBecause }, { written: 16, failed: 0, skipped: 0, stopped: null });
    // Retry-After: 1 -> 1000 ms, retry-after-ms: 50 -> 50 ms; the others use the computed backoff.
    assert.ok(waits.includes(1000), `waits ${waits.join(",")}`);
    assert.ok(waits.includes(50), `waits ${waits.join(",")}`);
    assert.equal(waits.length, 6);
    // Every item once; each faulty item requested exactly twice, every other item once.
    const written = rows(output);
    assert.equal(written.length, 16);
    assert.equal(new Set(written.map((r) => `${r["question_id"]}/${r["turn"]}`)).size, 16);
    for (const job of jobs) {
      const expected = job.turn === 1 && (job.question.questionId as number) in faults ? 2 : 1;
      assert.equal(calls.get(job.userPrompt), expected, `requests for question ${job.question.questionId} turn ${job.turn}`);
    }
    for (const r of written) {
      const expected = r["turn"] === 1 && r["question_id"] === 85 ? -1 : fakeJudgeScore(r["user_prompt"] as string);
      assert.equal(r["score"], expected);
      assert.deepEqual(Object.keys(r), ["question_id", "model", "judge", "user_prompt", "judgment", "score", "turn", "tstamp", "input_hash"]);
    }
    // The project's own loader reads the file (the -1 row becomes a typed failure).
    const loaded = loadJudgments(output);
    assert.equal(loaded.filter((j) => j.score.kind === "failed").length, 1);
    // FastChat's judge request: system + user, temperature 0, max_tokens 2048, n 1, bearer key.
    const body = server.requests[0]?.body as Record<string, unknown>;
    assert.equal(body["model"], "gpt-4");
    assert.equal(body["temperature"], 0);
    assert.equal(body["max_tokens"], 2048);
    assert.equal(body["n"], 1);
    assert.deepEqual((body["messages"] as { role: string }[]).map((m) => m.role), ["system", "user"]);
    assert.equal(server.requests[0]?.headers["authorization"], `Bearer ${KEY}`);
    // Usage is counted once per successful response (the no-rating one included), not for failed attempts.
    assert.equal(meter.requests, 16);
    assert.equal(meter.promptTokens, 15 * 1000 + 100);

    // A rerun finds everything finished: no request at all.
    const before = server.requests.length;
    const again = await runJudging({ jobs, output, pool, concurrency: 4, meter: new UsageMeter(null, null) });
    assert.deepEqual({ written: again.written, skipped: again.skipped }, { written: 0, skipped: 16 });
    assert.equal(server.requests.length, before);
  } finally {
    await server.close();
  }
});

test("judging: a request failing every attempt is reported, not written, and retried by the next run", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 2, ["model-a"]);
  const jobs = plan(dir);
  let broken = true;
  const server = await startFakeOpenAI((req) => {
    const u = lastUserMessage(req.body);
    if (broken && u === jobs[0]?.userPrompt) return { kind: "json", status: 500, body: { error: { message: "down" } } };
    return { kind: "json", body: chatCompletion(`Rating: [[${fakeJudgeScore(u)}]]`) };
  });
  try {
    const output = path.join(dir, "j.jsonl");
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: KEY, timeoutMs: 10_000 });
    const failures: string[] = [];
    const s = await runJudging({
      jobs,
      output,
      pool,
      concurrency: 2,
      meter: new UsageMeter(null, null),
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      onFailure: (_j, m) => failures.push(m),
    });
    assert.equal(s.failed, 1);
    assert.equal(s.written, jobs.length - 1);
    assert.match(failures[0] ?? "", /gave up after 3 attempts: HTTP 500/);
    broken = false;
    const s2 = await runJudging({ jobs, output, pool, concurrency: 2, meter: new UsageMeter(null, null) });
    assert.deepEqual({ written: s2.written, skipped: s2.skipped }, { written: 1, skipped: jobs.length - 1 });
    assert.equal(rows(output).length, jobs.length);
  } finally {
    await server.close();
  }
});

test("judging: --budget stops cleanly, keeps finished items, and the next run pays only for the rest", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 4, ["model-a"]);
  const jobs = plan(dir);
  const server = await startFakeOpenAI((req) => ({
    kind: "json",
    // 1000 prompt tokens at $0.01/1k = $0.01 per request.
    body: chatCompletion(`Rating: [[${fakeJudgeScore(lastUserMessage(req.body))}]]`, { prompt_tokens: 1000, completion_tokens: 0 }),
  }));
  try {
    const output = path.join(dir, "j.jsonl");
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: KEY, timeoutMs: 10_000 });
    const meter = new UsageMeter({ inputPer1k: 0.01, outputPer1k: 0 }, 0.03);
    const s = await runJudging({ jobs, output, pool, concurrency: 1, meter });
    assert.equal(s.written, 3);
    assert.match(s.stoppedBecause ?? "", /budget of \$0\.03 reached/);
    assert.equal(server.requests.length, 3);
    const s2 = await runJudging({ jobs, output, pool, concurrency: 1, meter: new UsageMeter({ inputPer1k: 0.01, outputPer1k: 0 }, 1) });
    assert.equal(s2.written, jobs.length - 3);
    assert.equal(server.requests.length, jobs.length);
    assert.equal(new Set(server.requests.map((r) => lastUserMessage(r.body))).size, jobs.length);
  } finally {
    await server.close();
  }
});

test("judging: a 401 is fatal: the run stops instead of failing every item", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 8, ["model-a"]);
  const jobs = plan(dir);
  const server = await startFakeOpenAI(() => ({ kind: "json", status: 401, body: { error: { message: "Incorrect API key provided" } } }));
  try {
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: KEY, timeoutMs: 10_000 });
    const s = await runJudging({ jobs, output: path.join(dir, "j.jsonl"), pool, concurrency: 1, meter: new UsageMeter(null, null) });
    assert.equal(s.failed, 1);
    assert.match(s.stoppedBecause ?? "", /fatal error: not retryable: HTTP 401/);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test("judging: a 429 insufficient_quota is fatal (a rate-limit 429 is retried, an empty quota never recovers)", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 8, ["model-a"]);
  const jobs = plan(dir);
  const server = await startFakeOpenAI(() => ({
    kind: "json",
    status: 429,
    body: { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } },
  }));
  try {
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: KEY, timeoutMs: 10_000 });
    const waits: number[] = [];
    const s = await runJudging({ jobs, output: path.join(dir, "j.jsonl"), pool, concurrency: 1, meter: new UsageMeter(null, null), retryHooks: { sleep: async (ms) => void waits.push(ms) } });
    assert.equal(s.failed, 1);
    assert.match(s.stoppedBecause ?? "", /fatal error: not retryable: HTTP 429: You exceeded your current quota/);
    assert.deepEqual([server.requests.length, waits.length], [1, 0]);
  } finally {
    await server.close();
  }
});

test("judging: requests are spread over several base URLs (a fleet)", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 8, ["model-a"]);
  const jobs = plan(dir);
  const responder = (req: { body: unknown }): Reply => ({ kind: "json", body: chatCompletion(`[[${fakeJudgeScore(lastUserMessage(req.body))}]]`), delayMs: 5 });
  const servers = await Promise.all([startFakeOpenAI(responder), startFakeOpenAI(responder), startFakeOpenAI(responder)]);
  try {
    const pool = new EndpointPool({ baseUrls: servers.map((s) => s.url), apiKey: KEY, timeoutMs: 10_000 });
    const s = await runJudging({ jobs, output: path.join(dir, "j.jsonl"), pool, concurrency: 6, meter: new UsageMeter(null, null) });
    assert.equal(s.written, 16);
    const counts = servers.map((x) => x.requests.length);
    assert.equal(counts.reduce((a, b) => a + b, 0), 16);
    for (const c of counts) assert.ok(c >= 3, `every server got work: ${counts.join(",")}`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});
