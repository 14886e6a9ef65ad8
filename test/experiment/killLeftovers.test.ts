/**
 * Issue 11, defect 7: what kills leave behind. Temporary files of atomic writes whose writer
 * died are removed by the next run (a live writer's are kept); a two-turn generation killed
 * with SIGKILL after some turn-1 answers resumes from them: no finished turn 1 is requested
 * again, no answer is lost or duplicated. Real HTTP on 127.0.0.1, a real child process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../lib/paths";
import { main } from "../../lib/cli/main";
import { cleanStaleTempFiles } from "../../lib/io/atomic";
import { partialAnswersFile } from "../../lib/experiment/generation";
import { chatCompletion, startFakeOpenAI } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { captureIO, tempDir } from "../helpers";

function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : [];
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

test("defect 7: the next run removes the temporary files of killed writers (dead pid), keeps a live writer's", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 2, []);
  const dead = deadPid();
  const left = [
    path.join(dir, "manifest.jsonl.tmp-" + dead + "-1700000000000"),
    path.join(dir, "alpaca_eval", "m", "model_outputs.json.tmp-" + dead + "-1700000000001"),
    path.join(dir, "model_answer", "x.jsonl.tmp-" + dead + "-1700000000002"),
  ];
  const live = path.join(dir, "model_answer", `y.jsonl.tmp-${process.ppid}-1700000000003`);
  for (const f of [...left, live]) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, "half a file");
  }
  const server = await startFakeOpenAI(() => ({ kind: "json", body: chatCompletion("ok") }));
  try {
    const c = captureIO();
    assert.equal(await main(["generate", "--dump", dir, "--base-url", server.url, "--model", "m", "--mode", "chat", "--no-manifest", "--turns", "1"], c.io), 0, c.stderr());
    assert.match(c.stderr(), /removed 3 temporary file\(s\) left by killed runs/);
    for (const f of left) assert.ok(!fs.existsSync(f), `${f} removed`);
    assert.ok(fs.existsSync(live), "a live process's temporary file is kept");
    assert.deepEqual(cleanStaleTempFiles(dir), [], "nothing left to clean");
  } finally {
    await server.close();
  }
});

test("defect 7: kill -9 during turn 2: the rerun never requests a finished turn 1 again; every question answered exactly once", { timeout: 60_000 }, async (t) => {
  const dir = tempDir();
  writeSyntheticDump(dir, 12, []);
  let firstRun = true;
  // Turn-2 requests (3 messages) are slow in the first run, so the kill lands while turn 1s are done.
  const server = await startFakeOpenAI((req) => {
    const msgs = (req.body as { messages: { content: string }[] }).messages;
    const turn = msgs.length >= 3 ? 2 : 1;
    return { kind: "json", body: chatCompletion(`turn ${turn} answer to ${msgs[0]?.content ?? ""}`), delayMs: firstRun && turn === 2 ? 5000 : 10 };
  });
  const output = path.join(dir, "model_answer", "m.jsonl");
  const partial = partialAnswersFile(output);
  const args = ["generate", "--dump", dir, "--base-url", server.url, "--model", "m", "--mode", "chat", "--no-manifest", "--concurrency", "4"];
  const logs: string[] = [];
  const start = (): ChildProcess => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "test", "support", "runCommand.ts"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => logs.push(d.toString("utf8")));
    child.stderr?.on("data", (d: Buffer) => logs.push(d.toString("utf8")));
    return child;
  };
  try {
    const first = start();
    const t0 = Date.now();
    while (lines(partial).length < 4) {
      if (Date.now() - t0 > 30_000) throw new Error(`no partial turns written: ${logs.join("")}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    first.kill("SIGKILL");
    assert.equal((await exited(first)).signal, "SIGKILL");
    firstRun = false;
    const keptTurn1 = new Set(lines(partial).map((l) => (JSON.parse(l) as { key: string }).key));
    const answeredBefore = lines(output).length;
    const turn1Before = server.requests.length - server.requests.filter((r) => (r.body as { messages: unknown[] }).messages.length >= 3).length;
    const requestsBefore = server.requests.length;

    const second = await exited(start());
    assert.equal(second.code, 0, logs.join(""));
    const resumed = server.requests.slice(requestsBefore);
    const resumedTurn1 = resumed.filter((r) => (r.body as { messages: unknown[] }).messages.length === 1);
    const turn1Questions = new Set(resumedTurn1.map((r) => (r.body as { messages: { content: string }[] }).messages[0]?.content));
    for (const key of keptTurn1) {
      const qid = (JSON.parse(key) as [string, string])[0];
      for (const q of turn1Questions) assert.ok(!String(q).startsWith(`Question ${qid} `), `turn 1 of question ${qid} was paid again`);
    }
    assert.match(logs.join(""), new RegExp(`: ${keptTurn1.size} question\\(s\\) resumed from their finished turn 1`));
    const final = lines(output).map((l) => JSON.parse(l) as { question_id: number; choices: { turns: string[] }[] });
    assert.equal(final.length, 12, "every question exactly once");
    assert.equal(new Set(final.map((r) => r.question_id)).size, 12);
    for (const r of final) assert.equal(r.choices[0]?.turns.length, 2);
    assert.ok(!fs.existsSync(partial), "the partial file is removed once every question is answered");
    t.diagnostic(`killed after ${turn1Before} turn-1 requests, ${answeredBefore} answers on disk, ${keptTurn1.size} turn-1 answers kept; rerun made ${resumedTurn1.length} turn-1 requests (12 - ${keptTurn1.size} - ${answeredBefore} expected at most)`);
    assert.ok(resumedTurn1.length <= 12 - keptTurn1.size, "finished turn 1s are not requested again");
  } finally {
    await server.close();
  }
});

test("crash safety under repeated kill -9 (stale locks taken over each time): 0 answers lost, 0 duplicated, 0 finished turns re-paid", { timeout: 90_000 }, async (t) => {
  const dir = tempDir();
  writeSyntheticDump(dir, 16, []);
  const server = await startFakeOpenAI((req) => {
    const msgs = (req.body as { messages: { content: string }[] }).messages;
    return { kind: "json", body: chatCompletion(`turn ${msgs.length >= 3 ? 2 : 1} answer to ${msgs[0]?.content ?? ""}`), delayMs: 60 };
  });
  const output = path.join(dir, "model_answer", "m.jsonl");
  const partial = partialAnswersFile(output);
  const args = ["generate", "--dump", dir, "--base-url", server.url, "--model", "m", "--mode", "chat", "--no-manifest", "--concurrency", "3"];
  const logs: string[] = [];
  const start = (): ChildProcess => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "test", "support", "runCommand.ts"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => logs.push(d.toString("utf8")));
    child.stderr?.on("data", (d: Buffer) => logs.push(d.toString("utf8")));
    return child;
  };
  const qidOf = (body: unknown): string => /^Question (\d+) /.exec((body as { messages: { content: string }[] }).messages[0]?.content ?? "")?.[1] ?? "?";
  const turnOf = (body: unknown): number => ((body as { messages: unknown[] }).messages.length >= 3 ? 2 : 1);
  /** (question, turn) pairs whose text is on disk: answer rows (both turns) and partial turn 1s. */
  const onDisk = (): Set<string> => {
    const s = new Set<string>();
    for (const l of lines(output)) {
      const q = String((JSON.parse(l) as { question_id: number }).question_id);
      s.add(`${q}/1`).add(`${q}/2`);
    }
    for (const l of lines(partial)) s.add(`${(JSON.parse((JSON.parse(l) as { key: string }).key) as string[])[0]}/1`);
    return s;
  };
  let kills = 0;
  let repaid = 0;
  let finishedBefore = new Set<string>();
  try {
    for (let round = 0; round < 4; round++) {
      const from = server.requests.length;
      const child = start();
      if (round < 3) {
        // Kill once this run has sent 5 more requests (a different point of the run each time).
        const t0 = Date.now();
        while (server.requests.length - from < 5 && child.exitCode === null) {
          if (Date.now() - t0 > 30_000) throw new Error(`run ${round} sent no requests: ${logs.join("")}`);
          await new Promise((r) => setTimeout(r, 5));
        }
        child.kill("SIGKILL");
        const e = await exited(child);
        if (e.signal === "SIGKILL") kills++;
      } else assert.equal((await exited(child)).code, 0, logs.join(""));
      for (const r of server.requests.slice(from)) if (finishedBefore.has(`${qidOf(r.body)}/${turnOf(r.body)}`)) repaid++;
      finishedBefore = onDisk();
    }
    const final = lines(output).map((l) => JSON.parse(l) as { question_id: number; choices: { turns: string[] }[] });
    t.diagnostic(`${kills} kills, ${server.requests.length} requests for 32 turns, ${final.length} answers, ${repaid} finished turns re-paid`);
    assert.equal(kills, 3);
    assert.equal(repaid, 0, "a turn on disk was requested again");
    assert.equal(final.length, 16, "0 lost");
    assert.equal(new Set(final.map((r) => r.question_id)).size, 16, "0 duplicated");
    for (const r of final) assert.equal(r.choices[0]?.turns.length, 2);
  } finally {
    await server.close();
  }
});
