import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { alpacaLogFile, runAlpacaGeneration } from "../../lib/experiment/alpacaGeneration";
import { EndpointPool } from "../../lib/experiment/endpoints";
import { type PromptStyle, URIAL_STOP } from "../../lib/experiment/generation";
import { UsageMeter } from "../../lib/experiment/usage";
import { alpacaWinRate } from "../../lib/analysis/alpacaEval";
import { type AlpacaAnnotation, loadModelOutputs } from "../../lib/io/alpacaEval";
import { loadAlpacaEvalInstructions, parseAlpacaEvalInstructions } from "../../lib/io/alpacaEvalInstructions";
import { loadManifest } from "../../lib/io/manifest";
import { InputError } from "../../lib/model/errors";
import { command as generate } from "../../lib/cli/commands/generate";
import { chatCompletion, lastUserMessage, type RecordedRequest, startFakeOpenAI, textCompletion } from "../support/fakeOpenAI";
import { captureIO, sharedMissing, sharedPath, tempDir } from "../helpers";

// A minimal URIAL-like completion style (the real one, from a prompt file, is used in the CLI test).
const style: PromptStyle = {
  kind: "completion",
  turn1: (q) => `# Query:\n\`\`\`\n${q.turns[0]}\n\`\`\`\n\n# Answer:\n\`\`\`\n`,
  turn2: () => {
    throw new Error("AlpacaEval is single-turn");
  },
  clean: (raw) => raw.replace(/\s*```\s*$/, "").trim(),
};

/** The query of a URIAL-style completion request (the last `# Query` block). */
function queryOf(req: RecordedRequest): string {
  const prompt = String((req.body as { prompt: string }).prompt);
  const blocks = prompt.split("# Query:\n```\n");
  return (blocks[blocks.length - 1] as string).split("\n```\n\n# Answer:")[0] as string;
}

const DATASETS = ["helpful_base", "koala", "oasst", "selfinstruct", "vicuna"];

/** An evaluation set in alpaca_eval's format (reference output and generator included, as in alpaca_eval.json). */
function writeEvalSet(file: string, n: number, opts: { withDataset?: boolean } = {}): string[] {
  const instructions = Array.from({ length: n }, (_, i) => `Instruction ${i}: explain ${"é".repeat(i)} briefly.`);
  const rows = instructions.map((instruction, i) => ({
    instruction,
    output: `reference ${i}`,
    generator: "gpt4_1106_preview",
    ...(opts.withDataset === false ? {} : { dataset: DATASETS[i % DATASETS.length] }),
  }));
  fs.writeFileSync(file, JSON.stringify(rows, null, 4));
  return instructions;
}

test("parseAlpacaEvalInstructions: the doc example", () => {
  assert.deepEqual(parseAlpacaEvalInstructions('[{"instruction": "Hi?", "dataset": "oasst"}, {"instruction": "Why?"}]'), [
    { index: 0, line: 1, instruction: "Hi?", dataset: "oasst" },
    { index: 1, line: 1, instruction: "Why?", dataset: null },
  ]);
});

test("parseAlpacaEvalInstructions: JSON and JSONL give the same rows; errors name file, line and field", () => {
  const rows = [{ instruction: "a", dataset: "koala" }, { instruction: "b" }, { instruction: "c", output: "ref", generator: "gpt4" }];
  const fromJson = parseAlpacaEvalInstructions(JSON.stringify(rows, null, 2), "set.json");
  const fromJsonl = parseAlpacaEvalInstructions(rows.map((r) => JSON.stringify(r)).join("\n") + "\n", "set.jsonl");
  assert.deepEqual(fromJson.map((r) => [r.index, r.instruction, r.dataset]), [[0, "a", "koala"], [1, "b", null], [2, "c", null]]);
  assert.deepEqual(fromJson.map((r) => r.line), [2, 6, 9]);
  assert.deepEqual(fromJsonl.map((r) => [r.index, r.line, r.instruction, r.dataset]), [[0, 1, "a", "koala"], [1, 2, "b", null], [2, 3, "c", null]]);

  const fail = (text: string, re: RegExp, where: { line?: number; field?: string }) => {
    assert.throws(
      () => parseAlpacaEvalInstructions(text, "set.json"),
      (e: unknown) => e instanceof InputError && e.file === "set.json" && e.line === where.line && e.field === where.field && re.test(e.message),
    );
  };
  fail('[\n{"instruction": "a"},\n{"instruction": "b"},\n{"instruction": "a"}\n]', /set\.json:4: field "instruction": row 2: duplicate instruction \(first on line 2\)/, { line: 4, field: "instruction" });
  fail('{"instruction": "a"}\n{"prompt": "b"}\n', /set\.json:2: field "instruction": row 1: expected a string, got nothing \(the field is missing\)/, { line: 2, field: "instruction" });
  fail('[{"instruction": "a"},\n {"instruction": "  "}]', /row 1: the instruction is empty/, { line: 2, field: "instruction" });
  fail('[{"instruction": "a", "dataset": 3}]', /field "dataset": row 0: expected a string, got 3/, { line: 1, field: "dataset" });
  fail('[{"instruction": "a"}, "b"]', /row 1: expected a JSON object/, { line: 1 });
  fail("[]", /no instructions/, {});
  fail('{"instruction": "a"}\nnot json\n', /not valid JSON/, { line: 2 });
});

test("loadAlpacaEvalInstructions: every row of a full 805-instruction set, in order (never eval[800:])", (t) => {
  const missing = sharedMissing("data", "alpaca_eval", "alpaca-7b", "model_outputs.json");
  if (missing) return t.skip(missing);
  // alpaca-7b's model_outputs.json holds the evaluation set's 805 instructions with their datasets.
  const file = sharedPath("data", "alpaca_eval", "alpaca-7b", "model_outputs.json");
  const rows = loadAlpacaEvalInstructions(file);
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as { instruction: string; dataset: string }[];
  assert.equal(rows.length, 805);
  assert.deepEqual(rows.map((r) => r.instruction), raw.map((r) => r.instruction));
  assert.deepEqual(rows.map((r) => r.dataset), raw.map((r) => r.dataset));
});

test("runAlpacaGeneration: every instruction, input order kept under concurrency, URIAL completions cleaned, readable by the model-outputs loader", async () => {
  const dir = tempDir();
  const setFile = path.join(dir, "alpaca_eval.json");
  const instructions = writeEvalSet(setFile, 7);
  // Earlier instructions answer later, so completion order is the reverse of the input order.
  const server = await startFakeOpenAI((req) => {
    const q = queryOf(req);
    const i = Number(/Instruction (\d+)/.exec(q)?.[1]);
    return { kind: "json", delayMs: (7 - i) * 30, body: textCompletion(`Answer to <${q}>:\n\`\`\`python\nprint(${i})\n\`\`\`\n\`\`\`\n\n`) };
  });
  try {
    const output = path.join(dir, "alpaca_eval", "base-urial", "model_outputs.json");
    const pool = new EndpointPool({ baseUrls: [server.url], apiKey: "EMPTY", timeoutMs: 5000 });
    const sampling = { temperature: 0, topP: 1, repetitionPenalty: 1.15, maxTokens: 2048, stop: URIAL_STOP };
    const s = await runAlpacaGeneration({
      instructions: loadAlpacaEvalInstructions(setFile),
      generator: "base-urial",
      servedModel: "meta/base",
      style,
      sampling,
      output,
      pool,
      concurrency: 7,
      meter: new UsageMeter(null, null),
    });
    assert.deepEqual({ written: s.written, failed: s.failed, missing: s.missing, wroteOutputs: s.wroteOutputs }, { written: 7, failed: 0, missing: 0, wroteOutputs: true });
    assert.equal(server.requests.length, 7);
    for (const r of server.requests) {
      const b = r.body as Record<string, unknown>;
      assert.equal(r.path, "/v1/completions");
      assert.equal(b["model"], "meta/base");
      assert.equal(b["repetition_penalty"], 1.15);
      assert.equal(b["max_tokens"], 2048);
      assert.deepEqual(b["stop"], ["# Query", "# User"]);
    }
    // The log holds outputs in completion order, which differs from the input order here.
    const logged = fs.readFileSync(alpacaLogFile(output), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { instruction: string }).instruction);
    assert.deepEqual([...logged].sort(), [...instructions].sort());
    assert.notDeepEqual(logged, instructions, "outputs finished out of input order");

    const raw = JSON.parse(fs.readFileSync(output, "utf8")) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(raw[0] as object), ["instruction", "output", "generator", "dataset"]);
    assert.deepEqual(raw.map((r) => r["instruction"]), instructions, "input order");
    assert.deepEqual(raw.map((r) => r["dataset"]), instructions.map((_, i) => DATASETS[i % DATASETS.length]));
    // The answer block's closing fence is removed; the code fence inside the answer is kept.
    assert.equal(raw[3]?.["output"], `Answer to <${instructions[3]}>:\n\`\`\`python\nprint(3)\n\`\`\``);

    const loaded = loadModelOutputs(output);
    assert.deepEqual(loaded.map((o) => [o.instruction, o.generator]), instructions.map((x) => [x, "base-urial"]));
    const annotations: AlpacaAnnotation[] = loaded.map((o, index) => ({
      index,
      instruction: o.instruction,
      output1: "baseline",
      output2: o.output,
      generator1: "gpt4_1106_preview",
      generator2: "base-urial",
      preference: { kind: "win", raw: 2 },
    }));
    const expectedAvg = Math.trunc(loaded.reduce((a, o) => a + [...(o.output as string)].length, 0) / loaded.length);
    const wr = alpacaWinRate(annotations, loaded);
    assert.equal(wr.avgLengthSource, "model_outputs");
    assert.equal(wr.avgLength, expectedAvg);
  } finally {
    await server.close();
  }
});

test("runAlpacaGeneration: a partial run leaves no model_outputs.json; the rerun requests only the missing instructions; a third run requests nothing", async () => {
  const dir = tempDir();
  const setFile = path.join(dir, "eval.jsonl");
  const instructions = Array.from({ length: 6 }, (_, i) => `Question number ${i}?`);
  fs.writeFileSync(setFile, instructions.map((instruction) => JSON.stringify({ instruction })).join("\n") + "\n");
  let failing = new Set([1, 4]);
  const server = await startFakeOpenAI((req) => {
    const q = lastUserMessage(req.body);
    const i = Number(/number (\d+)/.exec(q)?.[1]);
    if (failing.has(i)) return { kind: "json", status: 500, body: { error: { message: "overloaded" } } };
    return { kind: "json", body: chatCompletion(`  answer ${i}  `) };
  });
  try {
    const output = path.join(dir, "alpaca_eval", "inst", "model_outputs.json");
    const run = () =>
      runAlpacaGeneration({
        instructions: loadAlpacaEvalInstructions(setFile),
        generator: "inst",
        servedModel: "org/inst",
        style: { kind: "chat" },
        sampling: { temperature: 0, maxTokens: 64 },
        output,
        pool: new EndpointPool({ baseUrls: [server.url], apiKey: "EMPTY", timeoutMs: 5000 }),
        concurrency: 3,
        meter: new UsageMeter(null, null),
        retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      });
    const first = await run();
    assert.deepEqual({ written: first.written, failed: first.failed, missing: first.missing, wroteOutputs: first.wroteOutputs }, { written: 4, failed: 2, missing: 2, wroteOutputs: false });
    assert.equal(fs.existsSync(output), false, "no partial model_outputs.json");
    assert.equal(fs.readFileSync(alpacaLogFile(output), "utf8").trim().split("\n").length, 4);
    assert.equal(server.requests.length, 6);

    // A torn last line (a kill in the middle of a write) is dropped, not taken as an output.
    fs.appendFileSync(alpacaLogFile(output), '{"instruction": "Question number 1?", "out');
    failing = new Set();
    const second = await run();
    assert.deepEqual({ written: second.written, skipped: second.skipped, missing: second.missing, wroteOutputs: second.wroteOutputs }, { written: 2, skipped: 4, missing: 0, wroteOutputs: true });
    assert.ok(second.truncatedBytes > 0);
    assert.deepEqual(server.requests.slice(6).map((r) => lastUserMessage(r.body)).sort(), [instructions[1], instructions[4]], "only the unfinished instructions are requested again");
    const outputs = loadModelOutputs(output);
    assert.deepEqual(outputs.map((o) => [o.instruction, o.output, o.generator]), instructions.map((x, i) => [x, `answer ${i}`, "inst"]));
    assert.equal("dataset" in (JSON.parse(fs.readFileSync(output, "utf8")) as object[])[0]!, false, "no dataset key when the input has none");

    const text = fs.readFileSync(output, "utf8");
    const third = await run();
    assert.deepEqual({ written: third.written, skipped: third.skipped }, { written: 0, skipped: 6 });
    assert.equal(server.requests.length, 8, "nothing is requested twice");
    assert.equal(fs.readFileSync(output, "utf8"), text);
  } finally {
    await server.close();
  }
});

test("generate --benchmark alpaca_eval: URIAL prompt file, two base URLs, alpaca_eval/<model-id>/model_outputs.json and its manifest row; rerun is free", async (t) => {
  const missing = sharedMissing("data", "urial", "urial.txt");
  if (missing) return t.skip(missing);
  const dir = tempDir();
  const setFile = path.join(dir, "alpaca_eval.json");
  const instructions = writeEvalSet(setFile, 8, { withDataset: true });
  const reply = (req: RecordedRequest) => ({ kind: "json" as const, body: textCompletion(`Reply about ${queryOf(req).slice(0, 14)}\n\`\`\`\n`) });
  const a = await startFakeOpenAI(reply);
  const b = await startFakeOpenAI(reply);
  try {
    const args = [
      "--benchmark", "alpaca_eval", "--instructions", setFile, "--dump", dir, "--base-url", `${a.url},${b.url}`,
      "--model", "meta-llama/Meta-Llama-3.1-8B", "--model-id", "llama-urial", "--prompt", sharedPath("data", "urial", "urial.txt"), "--concurrency", "4",
    ];
    const c = captureIO();
    assert.equal(await generate.run(args, c.io), 0, c.stderr());
    assert.equal(a.requests.length + b.requests.length, 8);
    assert.ok(a.requests.length > 0 && b.requests.length > 0, "requests are spread over both servers");
    for (const r of [...a.requests, ...b.requests]) {
      const prompt = String((r.body as { prompt: string }).prompt);
      assert.ok(prompt.startsWith("# Instruction"), "URIAL's preamble opens the prompt");
      assert.ok(prompt.endsWith("\n```\n\n# Answer:\n```\n"));
      assert.deepEqual((r.body as { stop: string[] }).stop, ["# Query", "# User"]);
    }
    const output = path.join(dir, "alpaca_eval", "llama-urial", "model_outputs.json");
    const outputs = loadModelOutputs(output);
    assert.deepEqual(outputs.map((o) => o.instruction), instructions);
    assert.deepEqual(outputs.map((o) => o.output), instructions.map((x) => `Reply about ${x.slice(0, 14)}`));
    assert.ok(outputs.every((o) => o.generator === "llama-urial"));
    assert.match(c.stdout(), /model_outputs\.json: 8 outputs written/);
    const m = loadManifest(path.join(dir, "manifest.jsonl"));
    assert.deepEqual(m.rows.map((r) => [r.modelId, r.baseModel, r.setting, r.nDemos, r.withUrialDemos, r.temperature]), [["llama-urial", "meta-llama/Meta-Llama-3.1-8B", "urial", 3, true, 0]]);
    assert.equal(fs.existsSync(path.join(dir, "question.jsonl")), false, "no MT-Bench files are created");

    const c2 = captureIO();
    assert.equal(await generate.run(args, c2.io), 0, c2.stderr());
    assert.equal(a.requests.length + b.requests.length, 8, "rerun makes no request");
    assert.match(c2.stdout(), /0 new, 8 already done, 0 failed/);
  } finally {
    await a.close();
    await b.close();
  }
});

test("generate --benchmark alpaca_eval: bad combinations and bad sets stop before any request", async () => {
  const dir = tempDir();
  const server = await startFakeOpenAI((req) => ({ kind: "json", body: chatCompletion(`ok ${lastUserMessage(req.body).length}`) }));
  try {
    const base = ["--dump", dir, "--base-url", server.url, "--model", "org/inst", "--mode", "chat"];
    const setFile = path.join(dir, "set.json");
    writeEvalSet(setFile, 3);
    await assert.rejects(generate.run([...base, "--benchmark", "alpaca_eval"], captureIO().io), /needs --instructions FILE/);
    await assert.rejects(generate.run([...base, "--benchmark", "alpaca_eval", "--instructions", setFile, "--first-n", "2"], captureIO().io), /--first-n is for --benchmark mt_bench/);
    await assert.rejects(generate.run([...base, "--instructions", setFile], captureIO().io), /--instructions is for --benchmark alpaca_eval/);
    const dup = path.join(dir, "dup.json");
    fs.writeFileSync(dup, '[\n  {"instruction": "x"},\n  {"instruction": "y"},\n  {"instruction": "x"}\n]\n');
    await assert.rejects(generate.run([...base, "--benchmark", "alpaca_eval", "--instructions", dup], captureIO().io), (e: unknown) => e instanceof InputError && e.message.startsWith(`${dup}:4: field "instruction": row 2: duplicate`));
    assert.equal(server.requests.length, 0);
    assert.equal(fs.existsSync(path.join(dir, "manifest.jsonl")), false);
  } finally {
    await server.close();
  }
});
