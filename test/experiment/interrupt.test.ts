/**
 * Ctrl-C on `judge` (issue 11, item 10): the real bin/icl-workbench gets SIGINT mid-run against
 * a slow fake server on 127.0.0.1; it lets the requests in flight finish and be written, says how
 * to resume, exits 130; the printed command then finishes the run with nothing judged twice.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { rerunCommand, shellQuote } from "../../lib/cli/interrupt";
import { chatCompletion, startFakeOpenAI } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { hasStackTrace, runCli, startCli } from "../support/cli";
import { tempDir } from "../helpers";

const ENV = { WB_TEST_JUDGE_KEY: "sk-interrupt-test" };

function judgmentLines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : [];
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("rerunCommand quotes arguments for a POSIX shell", () => {
  assert.equal(shellQuote("runs/llama3"), "runs/llama3");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(rerunCommand("judge", ["--dump", "my dump", "--concurrency", "2"]), "icl-workbench judge --dump 'my dump' --concurrency 2");
});

test("judge: Ctrl-C lets in-flight judgments be written, prints the rerun command, exits 130; the rerun finishes without re-paying", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 4, ["m1"]); // 8 judgments
  const server = await startFakeOpenAI(() => ({ kind: "json", body: chatCompletion("Rating: [[6]]"), delayMs: 400 }));
  const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
  const args = ["judge", "--dump", dir, "--base-url", server.url, "--api-key-env", "WB_TEST_JUDGE_KEY", "--concurrency", "2"];
  try {
    const run = startCli(args, ENV);
    await until(() => judgmentLines(output).length >= 2, 30_000);
    const sentBefore = server.requests.length;
    run.child.kill("SIGINT");
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupt: no new requests start; waiting for the ones in flight to finish and be written/);
    assert.ok(r.stderr.includes(`rerun to continue (finished ones are skipped, never paid again):\n  ${rerunCommand("judge", args.slice(1))}\n`), r.stderr);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    const written = judgmentLines(output);
    written.forEach((l) => JSON.parse(l)); // whole lines only
    // every request sent was answered and written (at most the 2 in flight started after the check)
    assert.equal(written.length, server.requests.length);
    assert.ok(server.requests.length <= sentBefore + 2 && written.length < 8, `${written.length} written, ${server.requests.length} sent`);

    const again = await runCli(args, ENV);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`repeat 0 -> .*: ${8 - written.length} new, ${written.length} already done, 0 failed`));
    assert.equal(server.requests.length, 8, "nothing paid twice");
    const keys = judgmentLines(output).map((l) => {
      const o = JSON.parse(l) as { question_id: number; turn: number };
      return `${o.question_id}/${o.turn}`;
    });
    assert.equal(new Set(keys).size, 8);
  } finally {
    await server.close();
  }
});
