/**
 * The paper's "base (no ICL)" runs (issue 11, item 11): `generate` in completion mode with no
 * demonstrations, through the real bin/icl-workbench against a fake OpenAI server on 127.0.0.1:
 * `--base-prompt rules` (URIAL's rules preamble only), `--base-prompt none` (no prompt), and the
 * output of `prompt --ablation no_demos` as `--prompt`; each writes manifest setting `base`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadAnswers } from "../../lib/io/mtbench";
import { loadManifest } from "../../lib/io/manifest";
import { type FakeServer, startFakeOpenAI, textCompletion } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { runCli } from "../support/cli";
import { tempDir } from "../helpers";

const RULES = "# Instruction\n\nAnswer the user's queries, which are given under \"# Query:\", under \"# Answer:\". \n\n";
const URIAL_LIKE = `${RULES}# Query:\n\`\`\`\nHi?\n\`\`\`\n\n# Answer:\n\`\`\`\nHello!\n\`\`\`\n\n# Query:\n\`\`\`\nQ2\n\`\`\`\n\n# Answer:\n\`\`\`\nA2\n\`\`\`\n`;
const ENV = { WB_TEST_GEN_KEY: "EMPTY" };

function prompts(server: FakeServer, from: number): string[] {
  return server.requests.slice(from).map((r) => String((r.body as { prompt: unknown }).prompt));
}

test("generate --base-prompt rules|none and a no_demos prompt file: completion requests without demonstrations, manifest setting base", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 2, []);
  const urial = path.join(dir, "urial.txt");
  fs.writeFileSync(urial, URIAL_LIKE);
  const server = await startFakeOpenAI(() => ({ kind: "json", body: textCompletion("A base answer.\n```\n\n") }));
  const common = ["--dump", dir, "--base-url", server.url, "--api-key-env", "WB_TEST_GEN_KEY", "--model", "base-7b", "--turns", "1", "--temperature", "0.7", "--top-p", "0.9"];
  try {
    // 1. the rules preamble of urial.txt, no demonstrations
    const rules = await runCli(["generate", ...common, "--model-id", "b-rules", "--prompt", urial, "--base-prompt", "rules"], ENV);
    assert.equal(rules.code, 0, rules.stderr);
    const rulesPrompts = prompts(server, 0);
    assert.equal(rulesPrompts.length, 2);
    const q81 = "Question 81 (writing) turn one?";
    assert.equal(rulesPrompts.find((p) => p.includes(q81)), `${RULES}# Query:\n\`\`\`\n${q81}\n\`\`\`\n\n# Answer:\n\`\`\`\n`);
    assert.ok(rulesPrompts.every((p) => !p.includes("Hello!")), "no demonstration is sent");
    assert.deepEqual((server.requests[0]?.body as { stop: string[] }).stop, ["# Query", "# User"]);

    // 2. prompt --ablation no_demos, fed to generate --prompt: the same requests
    const noDemos = await runCli(["prompt", "--base", urial, "--ablation", "no_demos"]);
    assert.equal(noDemos.code, 0, noDemos.stderr);
    assert.equal(noDemos.stdout, RULES);
    const noDemosFile = path.join(dir, "urial.no_demos.txt");
    fs.writeFileSync(noDemosFile, noDemos.stdout);
    const viaFile = await runCli(["generate", ...common, "--model-id", "b-nodemos", "--prompt", noDemosFile], ENV);
    assert.equal(viaFile.code, 0, viaFile.stderr);
    assert.deepEqual(prompts(server, 2).sort(), [...rulesPrompts].sort());

    // 3. no prompt at all
    const none = await runCli(["generate", ...common, "--model-id", "b-none", "--base-prompt", "none"], ENV);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(prompts(server, 4).find((p) => p.includes(q81)), `# Query:\n\`\`\`\n${q81}\n\`\`\`\n\n# Answer:\n\`\`\`\n`);

    // answers cleaned of the answer block's fence, manifest rows say base with 0 demonstrations
    assert.deepEqual(loadAnswers(path.join(dir, "model_answer", "b-none.jsonl")).map((a) => a.turns), [["A base answer."], ["A base answer."]]);
    const rows = new Map(loadManifest(path.join(dir, "manifest.jsonl")).rows.map((r) => [r.modelId, r]));
    for (const id of ["b-rules", "b-nodemos", "b-none"]) {
      const r = rows.get(id);
      assert.ok(r, id);
      assert.equal(r.setting, "base", id);
      assert.equal(r.nDemos, 0, id);
      assert.equal(r.temperature, 0.7);
      assert.equal(r.topP, 0.9);
    }
    assert.equal(rows.get("b-none")?.promptFile, null);
    assert.equal(rows.get("b-rules")?.promptFile, "urial.txt");
    assert.match(rows.get("b-rules")?.notes ?? "", /rules preamble of prompt_file only/);
    assert.equal(server.requests.length, 6);
  } finally {
    await server.close();
  }
});

test("generate: prompt flags that do not go together are usage errors, before any request", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 1, []);
  const urial = path.join(dir, "urial.txt");
  fs.writeFileSync(urial, URIAL_LIKE);
  const server = await startFakeOpenAI(() => ({ kind: "json", body: textCompletion("x") }));
  const common = ["generate", "--dump", dir, "--base-url", server.url, "--api-key-env", "WB_TEST_GEN_KEY", "--model", "m", "--no-manifest"];
  try {
    const cases: [string[], RegExp][] = [
      [["--mode", "completion"], /completion mode needs --prompt FILE .*or --base-prompt none\|rules/],
      [["--base-prompt", "rules"], /--base-prompt rules keeps the rules preamble of --prompt FILE/],
      [["--base-prompt", "none", "--prompt", urial], /--base-prompt none sends no prompt at all/],
      [["--base-prompt", "none", "--mode", "chat"], /--base-prompt is for completion mode/],
      [["--base-prompt", "all"], /--base-prompt must be one of rules, none/],
    ];
    for (const [extra, re] of cases) {
      const r = await runCli([...common, ...extra], ENV);
      assert.equal(r.code, 2, `${extra.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    fs.writeFileSync(path.join(dir, "question.jsonl"), "");
    const empty = await runCli([...common, "--base-prompt", "none"], ENV);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /question\.jsonl: no questions: nothing to generate/);
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});
