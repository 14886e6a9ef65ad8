import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { command as judge } from "../../lib/cli/commands/judge";
import { judgmentRepeatFiles } from "../../lib/experiment/judging";
import { loadJudgments } from "../../lib/io/mtbench";
import { chatCompletion, fakeJudgeScore, lastUserMessage, startFakeOpenAI } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { captureIO, tempDir } from "../helpers";

const KEY = "sk-cli-SECRET-91c0ffee1234";

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test("judge CLI: two models, --repeats 2 writes one FastChat file per repeat; the key is in no file and no output, even when a server echoes it", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 3, ["m1", "m2"]);
  let echo = true;
  const server = await startFakeOpenAI((req) => {
    // The first request fails with a 500 whose message contains the key (as some proxies do).
    if (echo) {
      echo = false;
      return { kind: "json", status: 500, body: { error: { message: `upstream rejected key ${KEY}` } } };
    }
    return { kind: "json", body: chatCompletion(`Rating: [[${fakeJudgeScore(lastUserMessage(req.body))}]]`) };
  });
  process.env["WB_TEST_JUDGE_KEY"] = KEY;
  try {
    const c = captureIO();
    const code = await judge.run(
      ["--dump", dir, "--base-url", server.url, "--api-key-env", "WB_TEST_JUDGE_KEY", "--repeats", "2", "--max-attempts", "1", "--concurrency", "3", "--judge-model", "gpt-4-turbo"],
      c.io,
    );
    // max-attempts 1: the echoed-key failure is not retried, the run reports it and exits 4 (transient failures left).
    assert.equal(code, 4);
    assert.match(c.stderr(), /failed: .*HTTP 500: upstream rejected key \[redacted\]/);
    const main = path.join(dir, "model_judgment", "gpt-4-turbo_single.jsonl");
    const rep = path.join(dir, "model_judgment", "gpt-4-turbo_single.repeat-1.jsonl");
    // 3 questions x 2 turns x 2 models = 12 per repeat; one failed in repeat 0.
    assert.equal(loadJudgments(main).length, 11);
    assert.equal(loadJudgments(rep).length, 12);
    assert.deepEqual(judgmentRepeatFiles(dir, "gpt-4-turbo"), [
      { repeat: 0, file: main },
      { repeat: 1, file: rep },
    ]);
    const repRows = fs.readFileSync(rep, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { repeat: number });
    assert.ok(repRows.every((r) => r.repeat === 1));

    // A rerun judges only the missing item.
    const before = server.requests.length;
    const c2 = captureIO();
    assert.equal(await judge.run(["--dump", dir, "--base-url", server.url, "--api-key-env", "WB_TEST_JUDGE_KEY", "--repeats", "2", "--judge-model", "gpt-4-turbo"], c2.io), 0);
    assert.equal(server.requests.length, before + 1);
    assert.equal(loadJudgments(main).length, 12);
    assert.match(c2.stdout(), /repeat 0 -> .*: 1 new, 11 already done, 0 failed/);

    const all = [c.stdout(), c.stderr(), c2.stdout(), c2.stderr(), ...walk(dir).map((f) => fs.readFileSync(f, "utf8"))].join("\n");
    assert.ok(!all.includes(KEY), "the API key leaked into a file or the output");
    assert.match(c.stderr(), /API key: env WB_TEST_JUDGE_KEY/);
  } finally {
    delete process.env["WB_TEST_JUDGE_KEY"];
    await server.close();
  }
});

test("judge CLI: --budget-usd stops with exit 3, --dry-run plans without requests, missing key for api.openai.com is a usage error", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 4, ["m1"]);
  const server = await startFakeOpenAI((req) => ({
    kind: "json",
    body: chatCompletion(`[[${fakeJudgeScore(lastUserMessage(req.body))}]]`, { prompt_tokens: 1000, completion_tokens: 0 }),
  }));
  try {
    const dry = captureIO();
    assert.equal(await judge.run(["--dump", dir, "--dry-run"], dry.io), 0);
    assert.match(dry.stdout(), /repeat 0: 8 judgments planned, 0 already done/);
    assert.equal(server.requests.length, 0);

    const c = captureIO();
    const code = await judge.run(["--dump", dir, "--base-url", server.url, "--concurrency", "1", "--price-in", "0.01", "--price-out", "0", "--budget-usd", "0.02"], c.io);
    assert.equal(code, 3);
    assert.match(c.stdout(), /stopped: budget of \$0\.02 reached/);
    assert.equal(server.requests.length, 2);
    const dry2 = captureIO();
    assert.equal(await judge.run(["--dump", dir, "--dry-run"], dry2.io), 0);
    assert.match(dry2.stdout(), /repeat 0: 8 judgments planned, 2 already done/);

    const saved = process.env["OPENAI_API_KEY"];
    delete process.env["OPENAI_API_KEY"];
    try {
      await assert.rejects(judge.run(["--dump", dir], captureIO().io), /OPENAI_API_KEY, which is not set/);
    } finally {
      if (saved !== undefined) process.env["OPENAI_API_KEY"] = saved;
    }
  } finally {
    await server.close();
  }
});
