/**
 * Loading and scoring MT-Bench judgment files at scale, next to FastChat's pandas logic.
 *
 * Files are made by replicating the real rows of ../shared/data/mt_bench/model_judgment/
 * gpt-4_single.jsonl under new model names (duplicates and failures included), to 200,000 rows
 * (~1.1 GB) and 1,000,000 rows (~5.5 GB). Each measurement runs in a fresh process and reports
 * wall time and peak resident memory. pandas runs on the 200,000-row file only: at 1,000,000 rows
 * it needs ~23 GB, the whole machine (measured by the project's design notes).
 *
 *   npm run bench -- mtbench            (BENCH_ROWS=200000,1000000 and BENCH_DIR to override;
 *                                        BENCH_PANDAS=0 skips pandas: 50 s and ~14 GB per run)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../lib/paths";

const source = path.resolve(repoRoot, "..", "shared", "data", "mt_bench", "model_judgment", "gpt-4_single.jsonl");
const sizes = (process.env["BENCH_ROWS"] ?? "200000,1000000").split(",").map(Number);
const dir = process.env["BENCH_DIR"] ?? path.join(os.tmpdir(), "icl-workbench-bench");
const runPandas = process.env["BENCH_PANDAS"] !== "0";

function makeFile(rows: number): string {
  const file = path.join(dir, `judgments-${rows}.jsonl`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const lines = fs.readFileSync(source, "utf8").split("\n").filter((l) => l.trim().length > 0);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const fd = fs.openSync(`${file}.tmp`, "w");
  let written = 0;
  for (let rep = 0; written < rows; rep++) {
    const chunk: string[] = [];
    for (const row of parsed) {
      if (written >= rows) break;
      chunk.push(JSON.stringify({ ...row, model: `${String(row["model"])}-rep${rep}` }));
      written++;
    }
    fs.writeSync(fd, chunk.join("\n") + "\n");
  }
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

interface Measure {
  wallS: number;
  /** CPU seconds of the workbench child (absent for pandas). */
  cpuS?: number;
  maxRssMiB: number;
}

/** A dump directory around `file` (the shared question.jsonl, the file linked as the judgments), for openDump. */
function makeDump(file: string, rows: number): string {
  const d = path.join(dir, `dump-${rows}`);
  const link = path.join(d, "model_judgment", "gpt-4_single.jsonl");
  if (fs.existsSync(link)) return d;
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.copyFileSync(path.resolve(path.dirname(source), "..", "question.jsonl"), path.join(d, "question.jsonl"));
  fs.symlinkSync(file, link);
  return d;
}

function workbench(mode: "scores" | "open", target: string, policy: string): Measure {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "mtbench-score-child.ts"), mode, target, policy], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`workbench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as Measure;
}

function pandas(file: string): Measure | string {
  const r = spawnSync("/usr/bin/python3", [path.join(__dirname, "fastchat_show_result.py"), file], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) return `pandas failed: ${(r.stderr || "").trim().split("\n").pop() ?? ""}`;
  const o = JSON.parse(r.stdout.trim()) as { wall_s: number; max_rss_mib: number };
  return { wallS: o.wall_s, maxRssMiB: o.max_rss_mib };
}

function main(): void {
  if (!fs.existsSync(source)) {
    console.log(`skipped: ${source} not present (the benchmark replicates its real rows)`);
    return;
  }
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; files under ${dir}\n`);
  const header = "rows        file      tool                        wall (s)   peak RSS (MiB)   vs pandas (time, memory)";
  console.log(header);
  console.log("-".repeat(header.length));
  for (const rows of sizes) {
    const file = makeFile(rows);
    const gib = fs.statSync(file).size / 2 ** 30;
    const base = !runPandas ? "not run (BENCH_PANDAS=0)" : rows <= 200000 ? pandas(file) : "not run: pandas needs ~23 GB at this size";
    const runs: [string, "scores" | "open", string, string][] = [
      [`workbench --dedupe all  `, "scores", file, "all"],
      [`workbench --dedupe last `, "scores", file, "last"],
      [`openDump, dedupe last   `, "open", makeDump(file, rows), "last"],
    ];
    for (const [label, mode, target, policy] of runs) {
      const m = workbench(mode, target, policy);
      const ratio = typeof base === "string" ? "" : `${(m.wallS / base.wallS).toFixed(2)}x, ${(m.maxRssMiB / base.maxRssMiB).toFixed(3)}x`;
      console.log(`${String(rows).padEnd(10)}  ${gib.toFixed(2).padStart(5)} GiB  ${label}    ${m.wallS.toFixed(2).padStart(8)}   ${m.maxRssMiB.toFixed(0).padStart(14)}   ${ratio}${m.cpuS === undefined ? "" : `  (cpu ${m.cpuS.toFixed(2)} s)`}`);
    }
    if (typeof base === "string") console.log(`${String(rows).padEnd(10)}  ${gib.toFixed(2).padStart(5)} GiB  FastChat show_result.py     ${base}`);
    else console.log(`${String(rows).padEnd(10)}  ${gib.toFixed(2).padStart(5)} GiB  FastChat show_result.py     ${base.wallS.toFixed(2).padStart(8)}   ${base.maxRssMiB.toFixed(0).padStart(14)}`);
  }
  console.log(
    "\nThe workbench never holds the rows' texts: it reads through one reused buffer into columns of ~24 bytes a row " +
      "(lib/io/judgmentColumns.ts) plus ~16 bytes a (model, question, turn) cell for the dedupe; openDump adds the arquero tables.",
  );
}

main();
