/**
 * Wall time of the whole notebook suite on the bundled example data, beside its floor, measured
 * in the same run through the same path (bin/run_notebooks.py: nbclient, the icl-workbench tslab
 * kernel, HTML rendering), each phase into its own temporary results directory:
 *
 * - **floor**: as many one-cell notebooks as the suite has notebooks, the cell a trivial
 *   expression: what a kernel start-up, one cell and the rendering cost, with no library at all.
 * - **import**: as many one-cell notebooks whose one cell is the notebooks' own library import
 *   (the first `import * as wb from "..."` line of the first notebook) plus a use of it, so that
 *   the import is not elided: (import − floor) / n is what importing the library costs a notebook.
 * - **suite**: every notebook (figure export to SVG/PDF/PNG and CSV tables included).
 *
 * Before the phases it brings the compiled library the notebooks import (build/lib,
 * bin/build-lib.cjs) up to date and reports that build's time on its own line (near 0 when
 * lib/ did not change since the last build; the runner and the kernel only check it then).
 *
 * Reports each phase's wall time, the suite's notebooks one by one as the runner prints them,
 * and the ratios suite / floor and import / floor. Not a test: it never fails on a threshold,
 * only when a notebook fails.
 *
 * By default the phases take turns notebook by notebook (floor 1, import 1, suite 1, floor 2, ...),
 * each notebook in its own runner process, so that on a machine whose load changes (other jobs)
 * every phase sees the same load; BENCH_NOTEBOOKS_INTERLEAVE=0 runs each phase as one runner.
 *
 *   npm run bench -- notebooks          (BENCH_NOTEBOOKS=02,03 to time a subset; the floor and
 *                                        import phases then use as many notebooks as the subset;
 *                                        BENCH_NOTEBOOKS_IMPORT=0 skips the import phase)
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../lib/paths";

interface Row {
  name: string;
  status: string;
  seconds: number;
}

interface Phase {
  wall: number;
  code: number;
  rows: Row[];
}

const notebooksDir = path.join(repoRoot, "notebooks");

/** Runs bin/run_notebooks.py on `notebookDir` (all of it, or the `only` prefixes), echoing its log. */
async function runPhase(label: string, notebookDir: string, only: string): Promise<Phase> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `icl-workbench-bench-${label.replace(/\W+/g, "-")}-`));
  const args = [path.join(repoRoot, "bin", "run_notebooks.py"), "--out", out, "--notebooks", notebookDir, ...(only ? ["--only", only] : [])];
  const env = { ...process.env };
  delete env["ICL_DUMP_DIR"]; // the bundled example data, whatever the caller's environment says
  delete env["ICL_MANIFEST"];
  console.log(`\n--- ${label} (load average ${os.loadavg()[0]?.toFixed(1)}) ---`);
  const start = process.hrtime.bigint();
  let log = "";
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn("/usr/bin/python3", args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => {
      log += b.toString("utf8");
      process.stdout.write(b);
    });
    child.stderr.on("data", (b: Buffer) => {
      log += b.toString("utf8");
      process.stderr.write(b);
    });
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  fs.rmSync(out, { recursive: true, force: true });
  const rows = [...log.matchAll(/\[\d+\/\d+\] (\S+\.ipynb) \.\.\. (ok|FAILED) \(([\d.]+) s\)/g)].map((m) => ({ name: m[1] as string, status: m[2] as string, seconds: Number(m[3]) }));
  return { wall, code, rows };
}

/** Writes `n` notebooks of one code cell `source` (icl-workbench kernel) into a new temporary directory. */
function oneCellNotebooks(label: string, n: number, source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `icl-workbench-bench-${label}-notebooks-`));
  for (let i = 1; i <= n; i++) {
    const nb = {
      cells: [{ cell_type: "code", execution_count: null, id: `cell-${i}`, metadata: {}, outputs: [], source: [source] }],
      metadata: {
        kernelspec: { display_name: "TypeScript (icl-workbench)", language: "typescript", name: "icl-workbench" },
        language_info: { name: "typescript" },
      },
      nbformat: 4,
      nbformat_minor: 5,
    };
    fs.writeFileSync(path.join(dir, `${label}-${String(i).padStart(2, "0")}.ipynb`), JSON.stringify(nb, null, 1));
  }
  return dir;
}

/** The suite's notebooks (all, or those matching the comma-separated prefixes of `only`). */
function suiteNotebooks(only: string): string[] {
  const prefixes = only.split(",").filter((s) => s !== "");
  return fs
    .readdirSync(notebooksDir)
    .filter((f) => f.endsWith(".ipynb") && (prefixes.length === 0 || prefixes.some((p) => f.startsWith(p))))
    .sort();
}

/** The first `import * as wb from "..."` line of the first notebook: the import every notebook starts with. */
function libraryImport(notebook: string): string {
  const nb = JSON.parse(fs.readFileSync(path.join(notebooksDir, notebook), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    const text = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const m = /^import \* as (\w+) from "[^"]+";?$/m.exec(text);
    if (m) return m[0];
  }
  throw new Error(`${notebook}: no 'import * as NAME from "..."' line in any code cell`);
}

const fmt = (s: number): string => s.toFixed(1);

async function main(): Promise<number> {
  const only = process.env["BENCH_NOTEBOOKS"] ?? "";
  const withImport = process.env["BENCH_NOTEBOOKS_IMPORT"] !== "0";
  const interleave = process.env["BENCH_NOTEBOOKS_INTERLEAVE"] !== "0";
  const books = suiteNotebooks(only);
  if (books.length === 0) throw new Error(`no notebook in ${notebooksDir} matches BENCH_NOTEBOOKS=${only}`);
  const n = books.length;
  console.log(`notebook suite on the bundled example data (${only ? `only ${only}` : "all notebooks"}, ${n}; phases ${interleave ? "interleaved, one runner per notebook" : "one after another, one runner per phase"}); ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}`);

  const buildStart = process.hrtime.bigint();
  const built = spawnSync(process.execPath, [path.join(repoRoot, "bin", "build-lib.cjs")], { cwd: repoRoot, stdio: "inherit" });
  const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;
  if (built.status !== 0) throw new Error(`bin/build-lib.cjs exited with ${built.status}`);

  const floorDir = oneCellNotebooks("floor", n, "1 + 1");
  let importLine = "";
  let importDir = "";
  if (withImport) {
    importLine = libraryImport(books[0] as string);
    const name = /^import \* as (\w+)/.exec(importLine)?.[1] as string;
    importDir = oneCellNotebooks("import", n, `${importLine}\nObject.keys(${name}).length`);
  }
  const floor: Phase = { wall: 0, code: 0, rows: [] };
  const imp: Phase | undefined = withImport ? { wall: 0, code: 0, rows: [] } : undefined;
  const suite: Phase = { wall: 0, code: 0, rows: [] };
  const add = (into: Phase, p: Phase): void => {
    into.wall += p.wall;
    into.code = Math.max(into.code, p.code);
    into.rows.push(...p.rows);
  };
  try {
    if (interleave) {
      // one runner per notebook, the phases taking turns: on a machine whose load changes, each
      // phase sees the same load (the runner's start-up is then in every notebook of every phase)
      for (let i = 0; i < n; i++) {
        const k = String(i + 1).padStart(2, "0");
        add(floor, await runPhase(`floor ${k}`, floorDir, `floor-${k}`));
        if (imp) add(imp, await runPhase(`import ${k}`, importDir, `import-${k}`));
        add(suite, await runPhase(`suite ${k}`, notebooksDir, books[i] as string));
      }
    } else {
      add(floor, await runPhase("floor", floorDir, ""));
      if (imp) add(imp, await runPhase("import", importDir, ""));
      add(suite, await runPhase("suite", notebooksDir, only));
    }
  } finally {
    fs.rmSync(floorDir, { recursive: true, force: true });
    if (importDir) fs.rmSync(importDir, { recursive: true, force: true });
  }

  console.log("\n| notebook | status | wall (s) |\n|---|---|---|");
  for (const r of suite.rows) console.log(`| ${r.name} | ${r.status} | ${fmt(r.seconds)} |`);
  const inside = suite.rows.reduce((a, r) => a + r.seconds, 0);
  const status = (p: Phase): string => (p.code === 0 ? "ok" : `runner exit ${p.code}`);
  console.log(`\n| phase (${n} notebooks each) | status | wall (s) | per notebook (s) | ratio to floor |\n|---|---|---|---|---|`);
  console.log(`| floor: one trivial cell | ${status(floor)} | ${fmt(floor.wall)} | ${fmt(floor.wall / n)} | 1.00x |`);
  if (imp) console.log(`| import: \`${importLine}\` | ${status(imp)} | ${fmt(imp.wall)} | ${fmt(imp.wall / n)} | ${(imp.wall / floor.wall).toFixed(2)}x |`);
  console.log(`| **suite** | ${status(suite)} | ${fmt(suite.wall)} (notebooks ${fmt(inside)}, runner start-up and rendering ${fmt(suite.wall - inside)}) | ${fmt(suite.wall / n)} | **${(suite.wall / floor.wall).toFixed(2)}x** |`);
  console.log(`\nbuild/lib brought up to date before the phases in ${fmt(buildSeconds)} s (bin/build-lib.cjs; only a hash check when lib/ did not change)`);
  if (imp) console.log(`importing the library costs a notebook ${fmt((imp.wall - floor.wall) / n)} s over the floor`);
  return Math.max(floor.code, imp?.code ?? 0, suite.code);
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
