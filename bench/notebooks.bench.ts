/**
 * Wall time of the whole notebook suite on the bundled example data: every notebook executed
 * headless by bin/run_notebooks.py (the main command's runner: tslab kernel, HTML rendering,
 * figure export to SVG/PDF/PNG, CSV tables) into a temporary results directory. Reports the
 * suite's wall time (kernel start-ups included) and each notebook's own time as the runner
 * prints it. Not a test: it never fails on a threshold, only when a notebook fails.
 *
 *   npm run bench -- notebooks          (BENCH_NOTEBOOKS=02,03 to time a subset)
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../lib/paths";

async function main(): Promise<number> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "icl-workbench-bench-notebooks-"));
  const only = process.env["BENCH_NOTEBOOKS"] ?? "";
  const args = [path.join(repoRoot, "bin", "run_notebooks.py"), "--out", out, ...(only ? ["--only", only] : [])];
  const env = { ...process.env };
  delete env["ICL_DUMP_DIR"]; // the bundled example data, whatever the caller's environment says
  delete env["ICL_MANIFEST"];
  console.log(`notebook suite on the bundled example data (${only ? `only ${only}` : "all notebooks"}); ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}`);
  const start = process.hrtime.bigint();
  let log = "";
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn("/usr/bin/python3", args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => {
      log += b.toString("utf8");
      process.stdout.write(b);
    });
    child.stderr.on("data", (b: Buffer) => void (log += b.toString("utf8")));
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const rows = [...log.matchAll(/\[\d+\/\d+\] (\S+\.ipynb) \.\.\. (ok|FAILED) \(([\d.]+) s\)/g)].map((m) => ({ name: m[1] as string, status: m[2] as string, seconds: Number(m[3]) }));
  console.log("\n| notebook | status | wall (s) |\n|---|---|---|");
  for (const r of rows) console.log(`| ${r.name} | ${r.status} | ${r.seconds.toFixed(1)} |`);
  const inside = rows.reduce((a, r) => a + r.seconds, 0);
  console.log(`| **suite** | ${code === 0 ? "ok" : `runner exit ${code}`} | ${wall.toFixed(1)} (notebooks ${inside.toFixed(1)}, runner start-up and rendering ${(wall - inside).toFixed(1)}) |`);
  fs.rmSync(out, { recursive: true, force: true });
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
