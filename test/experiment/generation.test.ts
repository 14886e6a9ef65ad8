import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { EndpointPool } from "../../lib/experiment/endpoints";
import { answerFileName, decodingGrid, gridModelId, type PromptStyle, runGeneration, URIAL_STOP } from "../../lib/experiment/generation";
import { UsageMeter } from "../../lib/experiment/usage";
import { loadAnswers, loadQuestions } from "../../lib/io/mtbench";
import { loadManifest } from "../../lib/io/manifest";
import { command as generate } from "../../lib/cli/commands/generate";
import { chatCompletion, lastUserMessage, startFakeOpenAI, textCompletion } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { captureIO, tempDir } from "../helpers";

// A minimal URIAL-like completion style (the real one comes from lib/experiment/prompts).
const style: PromptStyle = {
  kind: "completion",
  turn1: (q) => `# Query:\n\`\`\`\n${q.turns[0]}\n\`\`\`\n\n# Answer:\n\`\`\`\n`,
  turn2: (q, a1) => `# Query:\n\`\`\`\n${q.turns[0]}\n\`\`\`\n\n# Answer:\n\`\`\`\n${a1}\n\`\`\`\n\n# Query:\n\`\`\`\n${q.turns[1]}\n\`\`\`\n\n# Answer:\n\`\`\`\n`,
  clean: (raw) => raw.replace(/\s*```\s*$/, "").trim(),
};

test("completion mode: sampling fields incl. vLLM's repetition_penalty inline in one JSON body; turn 2 sees turn 1's cleaned answer; resumable", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 3, []);
  const questions = loadQuestions(path.join(dir, "question.jsonl"));
  const server = await startFakeOpenAI((req) => {
    const prompt = String((req.body as { prompt: string }).prompt);
    const turn = (prompt.match(/# Query:/g) ?? []).length;
    return { kind: "json", body: textCompletion(`Answer T${turn} with code:\n\`\`\`python\nprint(1)\n\`\`\`\ndone\n\`\`\`\n\n`) };
  });
  try {
    const output = path.join(dir, "model_answer", "base-urial.jsonl");
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: "EMPTY", timeoutMs: 2000 });
    const sampling = { temperature: 0.7, topP: 0.9, repetitionPenalty: 1.15, maxTokens: 2048, stop: URIAL_STOP, seed: 42 };
    const s = await runGeneration({ questions, modelId: "base-urial", servedModel: "meta/base", style, sampling, output, pool, concurrency: 2, meter: new UsageMeter(null, null) });
    assert.deepEqual({ written: s.written, failed: s.failed }, { written: 3, failed: 0 });
    assert.equal(server.requests.length, 6);
    for (const r of server.requests) {
      assert.equal(r.path, "/v1/completions");
      const b = r.body as Record<string, unknown>;
      // One body carries OpenAI's and vLLM's sampling fields together (no `body` override).
      assert.equal(b["model"], "meta/base");
      assert.equal(b["top_p"], 0.9);
      assert.equal(b["repetition_penalty"], 1.15);
      assert.equal(b["temperature"], 0.7);
      assert.equal(b["max_tokens"], 2048);
      assert.equal(b["seed"], 42);
      assert.deepEqual(b["stop"], ["# Query", "# User"]);
      assert.equal(typeof b["prompt"], "string");
    }
    const answers = loadAnswers(output);
    assert.equal(answers.length, 3);
    const first = answers[0];
    assert.ok(first);
    // The answer block's closing fence is gone; the code fence inside the answer is kept.
    assert.equal(first.turns[0], "Answer T1 with code:\n```python\nprint(1)\n```\ndone");
    assert.equal(first.turns[1], "Answer T2 with code:\n```python\nprint(1)\n```\ndone");
    const turn2Prompts = server.requests.map((r) => String((r.body as { prompt: string }).prompt)).filter((p) => (p.match(/# Query:/g) ?? []).length === 2);
    assert.equal(turn2Prompts.length, 3);
    for (const p of turn2Prompts) assert.ok(p.includes("Answer T1 with code:\n```python\nprint(1)\n```\ndone\n```\n\n# Query:"), "turn 2 prompt holds the cleaned turn-1 answer");
    const raw = JSON.parse(fs.readFileSync(output, "utf8").split("\n")[0] as string) as Record<string, unknown>;
    assert.deepEqual(Object.keys(raw), ["question_id", "answer_id", "model_id", "choices", "tstamp", "gen_hash"]);

    const again = await runGeneration({ questions, modelId: "base-urial", servedModel: "meta/base", style, sampling, output, pool, concurrency: 2, meter: new UsageMeter(null, null) });
    assert.deepEqual({ written: again.written, skipped: again.skipped }, { written: 0, skipped: 3 });
    assert.equal(server.requests.length, 6);
  } finally {
    await server.close();
  }
});

test("chat mode: turn 2 sends the conversation (user, assistant, user)", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 2, []);
  const questions = loadQuestions(path.join(dir, "question.jsonl"));
  const server = await startFakeOpenAI((req) => ({ kind: "json", body: chatCompletion(`  reply to: ${lastUserMessage(req.body).slice(0, 12)}  `) }));
  try {
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: "EMPTY", timeoutMs: 2000 });
    await runGeneration({
      questions,
      modelId: "inst",
      servedModel: "meta/inst",
      style: { kind: "chat" },
      sampling: { temperature: 0, maxTokens: 16 },
      output: path.join(dir, "a.jsonl"),
      pool,
      concurrency: 1,
      meter: new UsageMeter(null, null),
    });
    const second = server.requests[1]?.body as { messages: { role: string; content: string }[] };
    assert.deepEqual(second.messages.map((m) => m.role), ["user", "assistant", "user"]);
    assert.equal(second.messages[1]?.content, `reply to: ${questions[0]?.turns[0]?.slice(0, 12)}`.trim(), "the stored (trimmed) turn-1 answer");
    assert.equal(second.messages[2]?.content, questions[0]?.turns[1]);
  } finally {
    await server.close();
  }
});

test("decodingGrid and gridModelId: temperature-major grid, one file per point", () => {
  const g = decodingGrid([0, 0.7], [1], [1, 1.15]);
  assert.deepEqual(g, [
    { temperature: 0, topP: 1, repetitionPenalty: 1 },
    { temperature: 0, topP: 1, repetitionPenalty: 1.15 },
    { temperature: 0.7, topP: 1, repetitionPenalty: 1 },
    { temperature: 0.7, topP: 1, repetitionPenalty: 1.15 },
  ]);
  assert.equal(gridModelId("m", g[1] as (typeof g)[number], 4), "m_t0_p1_rp1.15");
  assert.equal(gridModelId("m", g[1] as (typeof g)[number], 1), "m");
  assert.equal(answerFileName("meta-llama/Llama 3"), "meta-llama_Llama_3.jsonl");
});

test("generate CLI: a decoding grid in one command writes one answer file and manifest row per point; rerun is free; conflicts stop early", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 2, []);
  const server = await startFakeOpenAI((req) => ({ kind: "json", body: chatCompletion(`ok ${lastUserMessage(req.body).length}`) }));
  try {
    const args = ["--dump", dir, "--base-url", server.url, "--model", "org/inst", "--model-id", "inst", "--mode", "chat", "--temperature", "0,0.5", "--repetition-penalty", "1,1.1", "--seed", "7"];
    const c = captureIO();
    assert.equal(await generate.run(args, c.io), 0, c.stderr());
    assert.equal(server.requests.length, 4 * 2 * 2);
    const ids = ["inst_t0_p1_rp1", "inst_t0_p1_rp1.1", "inst_t0.5_p1_rp1", "inst_t0.5_p1_rp1.1"];
    for (const id of ids) assert.equal(loadAnswers(path.join(dir, "model_answer", `${id}.jsonl`)).length, 2);
    const m = loadManifest(path.join(dir, "manifest.jsonl"));
    assert.deepEqual(m.rows.map((r) => r.modelId), ids);
    assert.deepEqual(m.rows.map((r) => [r.setting, r.temperature, r.topP, r.repetitionPenalty, r.seed, r.baseModel]), [
      ["instruct", 0, 1, 1, 7, "org/inst"],
      ["instruct", 0, 1, 1.1, 7, "org/inst"],
      ["instruct", 0.5, 1, 1, 7, "org/inst"],
      ["instruct", 0.5, 1, 1.1, 7, "org/inst"],
    ]);
    const manifestText = fs.readFileSync(path.join(dir, "manifest.jsonl"), "utf8");

    const c2 = captureIO();
    assert.equal(await generate.run(args, c2.io), 0);
    assert.equal(server.requests.length, 16, "rerun makes no request");
    assert.equal(fs.readFileSync(path.join(dir, "manifest.jsonl"), "utf8"), manifestText, "manifest rows are not duplicated");

    const c3 = captureIO();
    await assert.rejects(generate.run([...args.slice(0, -2), "--seed", "8"], c3.io), /already in the manifest with other settings \(seed: 7 -> 8\)/);
    assert.equal(server.requests.length, 16, "a conflicting rerun stops before any request");
  } finally {
    await server.close();
  }
});
