/**
 * Judging throughput against a local OpenAI-compatible server at concurrency 1, 16 and 64.
 *
 * The fake server (test/support/fakeOpenAI.ts) runs in its own process and answers every
 * request after a fixed latency L, so the ideal throughput at concurrency c is c / L. The
 * client is the full judging path: the `openai` client over real HTTP, retries wrapper, usage
 * meter, rating parsing, and the append-only judgment file with fsync per record (group
 * commit). "efficiency" = achieved / ideal; the client's own CPU time per request shows how far
 * below its limit the client runs (1000 / cpu-ms-per-request = the most requests/s one core
 * could drive).
 *
 * Run: node --expose-gc --import tsx bench/judge.bench.ts   (or npm run bench -- judge)
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { EndpointPool } from "../lib/experiment/endpoints";
import { runJudging } from "../lib/experiment/judging";
import { type JudgeJob, planSingleJudgments } from "../lib/experiment/mtbenchJudge";
import { UsageMeter } from "../lib/experiment/usage";
import { loadAnswers, loadJudgePrompts, loadQuestions, loadReferenceAnswers } from "../lib/io/mtbench";
import { repoRoot } from "../lib/paths";
import { writeSyntheticDump } from "../test/support/mtbenchFixture";

/**
 * Two server latencies: 250 ms (a fast judge; GPT-4 takes seconds) shows whether the client
 * keeps up with the ideal rate; 20 ms is a stress test showing the client's own capacity.
 */
const SCENARIOS: { latencyMs: number; runs: { concurrency: number; jobs: number }[] }[] = [
  { latencyMs: 250, runs: [ { concurrency: 1, jobs: 16 }, { concurrency: 16, jobs: 256 }, { concurrency: 64, jobs: 1024 } ] },
  { latencyMs: 20, runs: [ { concurrency: 1, jobs: 100 }, { concurrency: 16, jobs: 1600 }, { concurrency: 64, jobs: 3200 } ] },
];

async function startServer(latencyMs: number): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "test", "support", "fakeServerMain.ts"), String(latencyMs)], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const rl = readline.createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`fake server exited with ${code}`)));
  });
  rl.close();
  const { url } = JSON.parse(first) as { url: string };
  return { url, stop: () => child.stdin.end() };
}

function planJobs(dir: string, n: number): JudgeJob[] {
  // 80 questions x 2 turns = 160 judgments per model: enough models for n jobs.
  const models = Array.from({ length: Math.ceil(n / 160) }, (_, i) => `bench-model-${i}`);
  writeSyntheticDump(dir, 80, models);
  const jobs = planSingleJudgments({
    questions: loadQuestions(path.join(dir, "question.jsonl")),
    answers: new Map(models.map((m) => [m, loadAnswers(path.join(dir, "model_answer", `${m}.jsonl`))])),
    references: loadReferenceAnswers(path.join(dir, "reference_answer", "gpt-4.jsonl")),
    judgePrompts: loadJudgePrompts(path.join(dir, "judge_prompts.jsonl")),
    judgeModel: "gpt-4",
  });
  return jobs.slice(0, n);
}

async function measure(url: string, latencyMs: number, run: { concurrency: number; jobs: number }): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "icl-wb-judge-bench-"));
  try {
    const jobs = planJobs(dir, run.jobs + 200);
    const pool = new EndpointPool({ baseUrls: [url], apiKey: "EMPTY", timeoutMs: 30_000 });
    const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
    // Warm-up (JIT, connections): 200 requests into another file, not measured.
    await runJudging({ jobs: jobs.slice(run.jobs), output: path.join(dir, "warmup.jsonl"), pool, concurrency: Math.max(run.concurrency, 16), meter: new UsageMeter(null, null) });
    const measured = jobs.slice(0, run.jobs);
    (globalThis as { gc?: () => void }).gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const s = await runJudging({ jobs: measured, output, pool, concurrency: run.concurrency, meter: new UsageMeter({ inputPer1k: 0.03, outputPer1k: 0.06 }, null) });
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    if (s.written !== measured.length) throw new Error(`expected ${measured.length} judgments, wrote ${s.written} (${s.failed} failed)`);
    const lines = fs.readFileSync(output, "utf8").split("\n").length - 1;
    if (lines !== measured.length) throw new Error(`file has ${lines} lines, expected ${measured.length}`);
    const rate = measured.length / wallS;
    const ideal = (run.concurrency * 1000) / latencyMs;
    const cpuMsPerReq = (cpu.user + cpu.system) / 1000 / measured.length;
    return [
      String(latencyMs),
      String(run.concurrency),
      String(measured.length),
      wallS.toFixed(2),
      rate.toFixed(1),
      ideal.toFixed(1),
      `${((rate / ideal) * 100).toFixed(0)}%`,
      cpuMsPerReq.toFixed(2),
      `${(((cpu.user + cpu.system) / 1e6 / wallS) * 100).toFixed(0)}%`,
      (1000 / cpuMsPerReq).toFixed(0),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0]?.toFixed(2);
  const rows: string[][] = [];
  for (const sc of SCENARIOS) {
    const server = await startServer(sc.latencyMs);
    try {
      for (const run of sc.runs) rows.push(await measure(server.url, sc.latencyMs, run));
    } finally {
      server.stop();
    }
  }
  const header = ["latency ms", "concurrency", "requests", "wall s", "req/s", "ideal req/s", "efficiency", "client CPU ms/req", "client CPU", "1-core client limit req/s"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padStart(widths[i] as number)).join("  ");
  console.log("judging throughput against a fake OpenAI server (separate process, fixed latency per request);");
  console.log(`full client path: openai client over HTTP, retry wrapper, rating parse, fsynced JSONL (group commit)`);
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (client and server share them); load average before ${loadBefore}, after ${os.loadavg()[0]?.toFixed(2)}`);
  console.log(fmt(header));
  for (const r of rows) console.log(fmt(r));
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  if ((os.loadavg()[0] ?? 0) > os.cpus().length) {
    console.log(`note: the machine is loaded (load average above its ${os.cpus().length} CPUs): efficiency below 100% with the`);
    console.log("client's CPU well under 100% means the client waited for a CPU, not on its own work; rerun on an idle machine.");
  }
  console.log("ideal = concurrency / latency. At judge-like latency the client reaches the ideal rate; the 20 ms rows");
  console.log("show the client's own ceiling (1-core limit = 1000 / CPU ms per request), far above what OpenAI's");
  console.log("rate limits allow a GPT-4 judge (tens of requests/s at most).");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
