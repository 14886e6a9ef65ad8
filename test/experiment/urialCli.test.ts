/**
 * generate --prompt and greedy end to end with the real URIAL prompt (../shared) and the
 * URIAL prompt module (lib/experiment/prompts). Skips with a reason when either is absent.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../lib/paths";
import { loadAnswers } from "../../lib/io/mtbench";
import { loadManifest } from "../../lib/io/manifest";
import { loadMtBenchRun } from "../../lib/pipeline/mtbench";
import { scoredRuns } from "../../lib/analysis/runJoin";
import { greedySearches } from "../../lib/analysis/greedy";
import type { Command } from "../../lib/cli/io";
import { chatCompletion, lastUserMessage, startFakeOpenAI, textCompletion } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { captureIO, sharedMissing, sharedPath, tempDir } from "../helpers";

const promptsModule = path.join(repoRoot, "lib", "experiment", "prompts");
const skip =
  sharedMissing("data", "urial", "urial.txt") ||
  (fs.existsSync(promptsModule) || fs.existsSync(`${promptsModule}.ts`) ? false : "lib/experiment/prompts (URIAL prompt module) is not present yet");

/* eslint-disable @typescript-eslint/no-require-imports -- commands whose prompt bridge loads lazily */
const generateCmd = (): Command => (require("../../lib/cli/commands/generate") as { command: Command }).command;
const greedyCmd = (): Command => (require("../../lib/cli/commands/greedy") as { command: Command }).command;
/* eslint-enable @typescript-eslint/no-require-imports */

const URIAL_FIRST_DEMO = "Can you tell me some common types of renewable energy sources?";

/** Every file under `dir`, concatenated (to check that no secret was written anywhere). */
function allFileText(dir: string): string {
  let out = "";
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += fs.readFileSync(path.join(e.parentPath, e.name), "utf8");
  }
  return out;
}

test("generate --prompt urial.txt: completion prompts end in an open answer block, turn 2 carries turn 1's cleaned answer, manifest n_demos = 3", { skip }, async () => {
  const dir = tempDir();
  const dump = writeSyntheticDump(dir, 2, []);
  const server = await startFakeOpenAI(() => ({ kind: "json", body: textCompletion("Sure:\n```js\nx()\n```\nEnd.\n```\n\n") }));
  const key = "sk-generate-test-SECRET-5150";
  process.env["WB_GEN_TEST_KEY"] = key;
  try {
    const c = captureIO();
    const code = await generateCmd().run(
      ["--dump", dir, "--base-url", server.url, "--model", "org/base", "--model-id", "base-urial", "--prompt", sharedPath("data", "urial", "urial.txt"), "--repetition-penalty", "1.15", "--api-key-env", "WB_GEN_TEST_KEY"],
      c.io,
    );
    assert.equal(code, 0, c.stderr());
    assert.equal(server.requests[0]?.headers["authorization"], `Bearer ${key}`, "the key is sent");
    assert.ok(!(allFileText(dir) + c.stdout() + c.stderr()).includes(key), "the API key is in no file and no output");
    const body = server.requests[0]?.body as Record<string, unknown>;
    assert.deepEqual([body["repetition_penalty"], body["max_tokens"], body["stop"]], [1.15, 2048, ["# Query", "# User"]], "vLLM's repetition_penalty inline, max tokens 2048, URIAL's stop sequences");
    const prompts = server.requests.map((r) => String((r.body as { prompt: string }).prompt));
    assert.equal(prompts.length, 4);
    for (const p of prompts) {
      assert.ok(p.startsWith("# Instruction"), "the URIAL preamble opens the prompt");
      assert.ok(p.includes(URIAL_FIRST_DEMO));
      assert.match(p, /# Answer:\n```\n$/, "the prompt ends in an open answer block");
    }
    const q = dump.questions[0];
    assert.ok(q);
    const answers = loadAnswers(path.join(dir, "model_answer", "base-urial.jsonl"));
    const a1 = answers.find((a) => a.questionId === q.question_id)?.turns[0];
    assert.equal(a1, "Sure:\n```js\nx()\n```\nEnd.", "closing fence removed, inner code fence kept");
    const turn2 = prompts.find((p) => p.includes(q.turns[1] as string));
    assert.ok(turn2?.includes(a1 as string), "turn 2's prompt holds turn 1's cleaned answer");
    const row = loadManifest(path.join(dir, "manifest.jsonl")).rows[0];
    assert.deepEqual([row?.setting, row?.nDemos, row?.repetitionPenalty, row?.demoSource], ["urial", 3, 1.15, "urial"]);
  } finally {
    delete process.env["WB_GEN_TEST_KEY"];
    await server.close();
  }
});

test("greedy CLI: candidates go before URIAL's demos, the log records every candidate, chosen.jsonl is written", { skip }, async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 2, []);
  const cands = path.join(dir, "pool.jsonl");
  fs.writeFileSync(cands, ['{"id": "x", "query": "CAND-X query", "answer": "CAND-X answer"}', '{"id": "y", "query": "CAND-Y query", "answer": "CAND-Y answer"}'].join("\n") + "\n");
  const gen = await startFakeOpenAI((req) => {
    const p = String((req.body as { prompt: string }).prompt);
    assert.ok(p.indexOf("CAND-") < p.indexOf(URIAL_FIRST_DEMO), "the candidate precedes URIAL's demos");
    return { kind: "json", body: textCompletion(p.includes("CAND-Y") ? "great answer\n```\n" : "meh answer\n```\n") };
  });
  const judge = await startFakeOpenAI((req) => ({ kind: "json", body: chatCompletion(lastUserMessage(req.body).includes("great answer") ? "[[9]]" : "[[5]]") }));
  process.env["WB_GREEDY_TEST_KEY"] = "sk-greedy-test-key";
  try {
    const work = path.join(dir, "search");
    const c = captureIO();
    const code = await greedyCmd().run(
      [
        "--work-dir", work,
        "--prompt", sharedPath("data", "urial", "urial.txt"),
        "--candidates", cands,
        "--questions", path.join(dir, "question.jsonl"),
        "--judge-prompts", path.join(dir, "judge_prompts.jsonl"),
        "--references", path.join(dir, "reference_answer", "gpt-4.jsonl"),
        "--base-url", gen.url,
        "--model", "base",
        "--judge-base-url", judge.url,
        "--judge-api-key-env", "WB_GREEDY_TEST_KEY",
        "--steps", "1",
      ],
      c.io,
    );
    assert.equal(code, 0, c.stderr() + c.stdout());
    const log = fs.readFileSync(path.join(work, "search_log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(log.map((e) => [e["event"], e["candidate"], e["mean"]]), [
      ["score", "x", 5],
      ["score", "y", 9],
      ["chosen", "y", 9],
    ]);
    const chosen = fs.readFileSync(path.join(work, "chosen.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(chosen, [{ step: 1, id: "y", query: "CAND-Y query", answer: "CAND-Y answer" }]);
    // The dump for the notebooks: one icl-greedy run per candidate, read by the analysis as a search.
    const dump = path.join(work, "dump");
    assert.equal(
      fs.readFileSync(path.join(dump, "prompts", "step-1.txt"), "utf8"),
      fs.readFileSync(sharedPath("data", "urial", "urial.txt"), "utf8").replace("\n# Query:\n", "\n# Query:\n```\nCAND-Y query\n```\n\n# Answer:\n```\nCAND-Y answer\n```\n\n# Query:\n"),
      "the chosen prompt: CAND-Y before URIAL's demos",
    );
    const run = await loadMtBenchRun(dump, { judge: "gpt-4-turbo" });
    const rows = run.manifest?.rows ?? [];
    assert.deepEqual(rows.map((r) => [r.modelId, r.setting, r.greedyStep, r.nDemos, r.withUrialDemos, r.judge, r.promptFile]), [
      ["greedy-s1-x", "icl-greedy", 1, 4, true, "gpt-4-turbo", null],
      ["greedy-s1-y", "icl-greedy", 1, 4, true, "gpt-4-turbo", path.join("prompts", "step-1.txt")],
    ]);
    const searches = greedySearches(scoredRuns(run.scores, rows), rows, []);
    assert.equal(searches.length, 1);
    assert.deepEqual(searches[0]?.steps.map((st) => [st.step, st.candidates.map((c) => [c.modelId, c.turn1]), st.chosen?.modelId]), [
      [1, [["greedy-s1-x", 5], ["greedy-s1-y", 9]], "greedy-s1-y"],
    ]);
    assert.equal(judge.requests[0]?.headers["authorization"], "Bearer sk-greedy-test-key", "the judge gets the key");
    assert.ok(!(allFileText(dir) + c.stdout() + c.stderr()).includes("sk-greedy-test-key"), "the API key is in no file and no output");
  } finally {
    delete process.env["WB_GREEDY_TEST_KEY"];
    await Promise.all([gen.close(), judge.close()]);
  }
});

test("generate --setting icl-random records with_urial_demos (required: the two random-demo curves differ)", { skip }, async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 1, []);
  const server = await startFakeOpenAI(() => ({ kind: "json", body: textCompletion("fine\n```\n") }));
  try {
    const base = ["--dump", dir, "--base-url", server.url, "--model", "org/base", "--prompt", sharedPath("data", "urial", "urial.random.10.examples.txt"), "--setting", "icl-random", "--demo-source", "skillmix", "--seed", "3"];
    await assert.rejects(generateCmd().run([...base, "--model-id", "r-missing"], captureIO().io), /icl-random needs --with-urial-demos yes\|no/);
    assert.equal(server.requests.length, 0);
    const c = captureIO();
    assert.equal(await generateCmd().run([...base, "--model-id", "r-with", "--with-urial-demos", "yes"], c.io), 0, c.stderr());
    assert.equal(await generateCmd().run([...base, "--model-id", "r-without", "--with-urial-demos", "no"], captureIO().io), 0);
    const rows = loadManifest(path.join(dir, "manifest.jsonl")).rows;
    assert.deepEqual(rows.map((r) => [r.modelId, r.setting, r.nDemos, r.withUrialDemos, r.demoSource, r.seed]), [
      ["r-with", "icl-random", 10, true, "skillmix", 3],
      ["r-without", "icl-random", 10, false, "skillmix", 3],
    ]);
  } finally {
    await server.close();
  }
});
