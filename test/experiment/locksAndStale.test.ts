/**
 * Issue 11, defects 3 and 4: one writer per output (a lock taken before any request, refused
 * with the other process named, a dead holder's lock taken over after kill -9) and resume keys
 * that see what was judged or generated (changed inputs are refused or redone, never covered
 * by old rows). Real HTTP against fake servers on 127.0.0.1, real child processes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../lib/paths";
import { main } from "../../lib/cli/main";
import { acquireOutputLock, lockPath, OutputLockedError } from "../../lib/experiment/outputLock";
import { chatCompletion, fakeJudgeScore, lastUserMessage, startFakeOpenAI } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { captureIO, tempDir } from "../helpers";

function startChild(args: string[], out: string[], key = "sk-lock-test-0123456789"): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "test", "support", "runCommand.ts"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, OPENAI_API_KEY: key },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => out.push(d.toString("utf8")));
  child.stderr?.on("data", (d: Buffer) => out.push(d.toString("utf8")));
  return child;
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

function rows(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A pid that is certainly dead: a child that ran and exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

test("outputLock: reentrant in one process; a live holder is refused by name; a dead holder's lock is taken over", () => {
  const dir = tempDir();
  const out = path.join(dir, "x.jsonl");
  const a = acquireOutputLock(out, "first");
  const b = acquireOutputLock(out, "again");
  b.release();
  assert.ok(fs.existsSync(lockPath(out)), "still held after the inner release");
  a.release();
  assert.ok(!fs.existsSync(lockPath(out)), "removed after the last release");

  // A live holder: this test's parent process (alive, not us).
  fs.writeFileSync(lockPath(out), JSON.stringify({ pid: process.ppid, host: os.hostname(), started: "2026-01-01T00:00:00.000Z", command: "judge --dump d" }));
  assert.throws(
    () => acquireOutputLock(out),
    (e: unknown) => e instanceof OutputLockedError && e.message.includes(`pid ${process.ppid} on ${os.hostname()}, started 2026-01-01T00:00:00.000Z (judge --dump d)`),
  );
  // A dead holder (kill -9 leaves its lock): taken over.
  const dead = deadPid();
  fs.writeFileSync(lockPath(out), JSON.stringify({ pid: dead, host: os.hostname(), started: "x", command: "y" }));
  const c = acquireOutputLock(out);
  assert.equal((JSON.parse(fs.readFileSync(lockPath(out), "utf8")) as { pid: number }).pid, process.pid);
  c.release();
});

test("defect 3: a second judge on the same dump is refused before any request, naming the first; after kill -9 the next run takes the stale lock; each item judged once", { timeout: 60_000 }, async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 10, ["model-a"]);
  const total = 20;
  let slow = true;
  const server = await startFakeOpenAI((req) => ({
    kind: "json",
    body: chatCompletion(`Rating: [[${fakeJudgeScore(lastUserMessage(req.body))}]]`),
    delayMs: slow && req.index >= 4 ? 1500 : 10,
  }));
  const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
  const args = ["judge", "--dump", dir, "--base-url", server.url, "--concurrency", "2", "--timeout", "10"];
  const logs: string[] = [];
  try {
    const first = startChild(args, logs);
    await waitFor(() => fs.existsSync(output) && rows(output).length >= 4, 30_000);
    const secondKey = "sk-second-run-9876543210";
    const secondLogs: string[] = [];
    const second = await exited(startChild(args, secondLogs, secondKey));
    assert.equal(second.code, 1, secondLogs.join(""));
    assert.match(secondLogs.join(""), new RegExp(`is being written by another run: pid ${first.pid} on ${os.hostname().replace(/[.]/g, "\\.")}, started `));
    assert.equal(server.requests.filter((r) => r.headers["authorization"] === `Bearer ${secondKey}`).length, 0, "the refused run sent no request");

    first.kill("SIGKILL");
    assert.equal((await exited(first)).signal, "SIGKILL");
    assert.ok(fs.existsSync(lockPath(output)), "kill -9 leaves the lock behind");
    slow = false;
    const third = await exited(startChild(args, logs));
    assert.equal(third.code, 0, logs.join(""));
    const final = rows(output);
    assert.equal(final.length, total, "no row lost or duplicated");
    assert.equal(new Set(final.map((r) => JSON.stringify([r["question_id"], r["turn"]]))).size, total);
    assert.ok(!fs.existsSync(lockPath(output)), "released at the end");
  } finally {
    await server.close();
  }
});

test("defect 4: a regenerated answer is never covered by its old judgment: refused with instructions, --rejudge-changed judges exactly the changed items", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 5, ["model-a"]);
  const server = await startFakeOpenAI((req) => ({ kind: "json", body: chatCompletion(`Rating: [[${fakeJudgeScore(lastUserMessage(req.body))}]]`) }));
  const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
  const args = ["judge", "--dump", dir, "--base-url", server.url];
  try {
    assert.equal(await main(args, captureIO().io), 0);
    assert.equal(server.requests.length, 10);
    // Rewrite the answers of 2 questions (turn 1 and turn 2 change: 4 judgments stale).
    const answers = path.join(dir, "model_answer", "model-a.jsonl");
    const lines = fs.readFileSync(answers, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as { choices: { turns: string[] }[] });
    for (const i of [1, 3]) (lines[i] as { choices: { turns: string[] }[] }).choices[0] = { turns: [`new answer ${i}`, `new second ${i}`] };
    fs.writeFileSync(answers, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");

    const refused = captureIO();
    assert.equal(await main(args, refused.io), 1);
    assert.match(refused.stderr(), new RegExp(`${output.replace(/[.]/g, "\\.")}, line \\d+, field user_prompt|${output.replace(/[.]/g, "\\.")}.*user_prompt`));
    assert.match(refused.stderr(), /4 judgment\(s\) were made on other inputs .*--rejudge-changed/);
    assert.equal(server.requests.length, 10, "refused before any request");

    const redo = captureIO();
    assert.equal(await main([...args, "--rejudge-changed"], redo.io), 0, redo.stderr());
    assert.equal(server.requests.length, 14, "exactly the 4 changed items judged again");
    assert.match(redo.stdout(), /4 new, 6 already done/);
    const final = rows(output);
    assert.equal(final.length, 10);
    for (const r of final) assert.equal(r["score"], fakeJudgeScore(r["user_prompt"] as string), "every score belongs to the judged text");
    assert.ok(final.filter((r) => String(r["user_prompt"]).includes("new answer")).length >= 2);
    const aside = fs.readdirSync(path.dirname(output)).filter((f) => f.includes(".stale-"));
    assert.equal(aside.length, 1);
    assert.equal(rows(path.join(path.dirname(output), aside[0] as string)).length, 4, "the old rows are kept aside");

    // An edited judge prompt (same name) changes every judgment that uses it.
    const promptsFile = path.join(dir, "judge_prompts.jsonl");
    fs.writeFileSync(promptsFile, fs.readFileSync(promptsFile, "utf8").replace("You are a helpful assistant.", "You are a strict judge."));
    const again = captureIO();
    assert.equal(await main(args, again.io), 1);
    assert.match(again.stderr(), /judgment\(s\) were made on other inputs/);
  } finally {
    await server.close();
  }
});

test("defect 4: generate refuses to resume with a changed prompt or decoding under the same model id; --regenerate-changed redoes them", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 3, []);
  const server = await startFakeOpenAI((req) => ({ kind: "json", body: chatCompletion(`answer at T=${String((req.body as { temperature: number }).temperature)}`) }));
  const args = ["generate", "--dump", dir, "--base-url", server.url, "--model", "org/inst", "--model-id", "inst", "--mode", "chat", "--no-manifest", "--turns", "1"];
  try {
    assert.equal(await main([...args, "--temperature", "0"], captureIO().io), 0);
    assert.equal(server.requests.length, 3);
    const refused = captureIO();
    assert.equal(await main([...args, "--temperature", "0.7"], refused.io), 1);
    assert.match(refused.stderr(), /inst\.jsonl:1: field "gen_hash": 3 answer\(s\) of inst were generated with another prompt or other decoding parameters.*--regenerate-changed/);
    assert.equal(server.requests.length, 3, "refused before any request");
    const redo = captureIO();
    assert.equal(await main([...args, "--temperature", "0.7", "--regenerate-changed"], redo.io), 0, redo.stderr());
    assert.equal(server.requests.length, 6);
    const file = path.join(dir, "model_answer", "inst.jsonl");
    for (const r of rows(file)) assert.deepEqual((r["choices"] as { turns: string[] }[])[0]?.turns, ["answer at T=0.7"]);
    assert.equal(await main([...args, "--temperature", "0.7"], captureIO().io), 0);
    assert.equal(server.requests.length, 6, "same settings: nothing redone");
  } finally {
    await server.close();
  }
});

test("defect 4: generate --benchmark alpaca_eval refuses outputs made with other decoding; --regenerate-changed redoes them", async () => {
  const dir = tempDir();
  const set = path.join(dir, "eval.json");
  fs.writeFileSync(set, JSON.stringify([{ instruction: "a" }, { instruction: "b" }]));
  const server = await startFakeOpenAI((req) => ({ kind: "json", body: chatCompletion(`out at T=${String((req.body as { temperature: number }).temperature)}`) }));
  const args = ["generate", "--benchmark", "alpaca_eval", "--instructions", set, "--dump", dir, "--base-url", server.url, "--model", "m", "--mode", "chat", "--no-manifest"];
  try {
    assert.equal(await main([...args, "--temperature", "0"], captureIO().io), 0);
    const refused = captureIO();
    assert.equal(await main([...args, "--temperature", "1"], refused.io), 1);
    assert.match(refused.stderr(), /model_outputs\.log\.jsonl:1: field "gen_hash": 2 output\(s\) of m were generated with another prompt/);
    assert.equal(server.requests.length, 2, "refused before any request");
    assert.equal(await main([...args, "--temperature", "1", "--regenerate-changed"], captureIO().io), 0);
    assert.equal(server.requests.length, 4);
    const outputs = JSON.parse(fs.readFileSync(path.join(dir, "alpaca_eval", "m", "model_outputs.json"), "utf8")) as { output: string }[];
    assert.deepEqual(outputs.map((r) => r.output), ["out at T=1", "out at T=1"]);
  } finally {
    await server.close();
  }
});
