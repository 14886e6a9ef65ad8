/**
 * Acceptance: a judging run killed with SIGKILL mid-way and rerun judges every item exactly
 * once, and the server never receives a second request for an item that was already in the
 * file when the first run died. The API key never reaches a file or the output.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../lib/paths";
import { chatCompletion, fakeJudgeScore, lastUserMessage, startFakeOpenAI } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { tempDir } from "../helpers";

const KEY = "sk-kill-test-SECRET-4b1d9e77c3";

function startJudge(dir: string, url: string, out: string[]): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(repoRoot, "test", "support", "runCommand.ts"), "judge", "--dump", dir, "--base-url", url, "--concurrency", "4", "--timeout", "5", "--judge-model", "gpt-4"],
    { cwd: repoRoot, env: { ...process.env, OPENAI_API_KEY: KEY }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d: Buffer) => out.push(d.toString("utf8")));
  child.stderr?.on("data", (d: Buffer) => out.push(d.toString("utf8")));
  return child;
}

function lineCount(file: string): number {
  if (!fs.existsSync(file)) return 0;
  return fs.readFileSync(file, "utf8").split("\n").length - 1;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

async function waitFor(cond: () => boolean, limitMs: number): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function itemKey(r: { question_id: unknown; model: unknown; turn: unknown; judge: unknown }): string {
  return JSON.stringify([r.question_id, r.model, r.turn, r.judge]);
}

test("kill -9 mid-run, rerun: every item judged exactly once, no finished item requested again, key never written", { timeout: 60_000 }, async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 40, ["model-a"]);
  const total = 80; // 40 questions x 2 turns
  // During the first run, replies after the 30th come slowly, so the kill always lands mid-way
  // however loaded the machine is (no race between the run finishing and the kill).
  let firstRun = true;
  const server = await startFakeOpenAI((req) => ({
    kind: "json",
    body: chatCompletion(`Looks fine. Rating: [[${fakeJudgeScore(lastUserMessage(req.body))}]]`),
    delayMs: firstRun && req.index >= 30 ? 3000 : 15,
  }));
  const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
  const logs: string[] = [];
  try {
    // First run: killed with SIGKILL once 25 judgments are on disk.
    const first = startJudge(dir, server.url, logs);
    await waitFor(() => lineCount(output) >= 25 || first.exitCode !== null, 30_000);
    first.kill("SIGKILL");
    const r1 = await exited(first);
    assert.equal(r1.signal, "SIGKILL", `the first run must die by the kill (it exited with ${r1.code}): ${logs.join("")}`);
    firstRun = false;
    const requestsBeforeResume = server.requests.length;

    // What the killed run left: only whole lines (fsync per record), each a finished item.
    const leftText = fs.readFileSync(output, "utf8");
    const leftLines = leftText.split("\n");
    leftLines.pop(); // "" after the last newline (or a torn fragment, which the rerun truncates)
    const finished = new Set(leftLines.map((l) => itemKey(JSON.parse(l) as Parameters<typeof itemKey>[0])));
    assert.ok(finished.size >= 25 && finished.size < total, `killed mid-way (${finished.size} of ${total} done)`);
    assert.equal(finished.size, leftLines.length, "no duplicate in the killed run's file");
    const finishedPrompts = new Set(leftLines.map((l) => (JSON.parse(l) as { user_prompt: string }).user_prompt));

    // Second run: resumes and finishes.
    const second = startJudge(dir, server.url, logs);
    const r2 = await exited(second);
    assert.equal(r2.code, 0, logs.join(""));

    const final = fs
      .readFileSync(output, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { question_id: number; model: string; turn: number; judge: [string, string]; user_prompt: string; score: number });
    assert.equal(final.length, total, "every item exactly once");
    assert.equal(new Set(final.map(itemKey)).size, total);
    for (const r of final) assert.equal(r.score, fakeJudgeScore(r.user_prompt), "each record holds its own response");

    // The resumed run never asked for an item that was already finished.
    const resumedPrompts = server.requests.slice(requestsBeforeResume).map((q) => lastUserMessage(q.body));
    for (const p of resumedPrompts) assert.ok(!finishedPrompts.has(p), "a finished item was requested again");
    // It asked for each missing item once (items in flight at the kill are asked again, as they must be).
    assert.equal(resumedPrompts.length, total - finished.size);

    // The key went to the server (Authorization) and nowhere else.
    assert.equal(server.requests[0]?.headers["authorization"], `Bearer ${KEY}`);
    const everything = [logs.join(""), ...walk(dir).map((f) => fs.readFileSync(f, "utf8"))].join("\n");
    assert.ok(!everything.includes(KEY), "the API key appears in a file or in the output");
  } finally {
    await server.close();
  }
});

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
