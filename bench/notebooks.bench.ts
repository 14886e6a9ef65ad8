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
 * Reports each phase's wall time, the suite's notebooks one by one as the runner prints them,
 * and the ratios suite / floor and import / floor. Not a test: it never fails on a threshold,
 * only when a notebook fails.
 *
 *   npm run bench -- notebooks          (BENCH_NOTEBOOKS=02,03 to time a subset; the floor and
 *                                        import phases then use as many notebooks as the subset;
 *                                        BENCH_NOTEBOOKS_IMPORT=0 skips the import phase)
 */
import { spawn } from "node:child_process";
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
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `icl-workbench-bench-${label}-`));
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
  const books = suiteNotebooks(only);
  if (books.length === 0) throw new Error(`no notebook in ${notebooksDir} matches BENCH_NOTEBOOKS=${only}`);
  const n = books.length;
  console.log(`notebook suite on the bundled example data (${only ? `only ${only}` : "all notebooks"}, ${n}); ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}`);

  const floorDir = oneCellNotebooks("floor", n, "1 + 1");
  const floor = await runPhase("floor", floorDir, "");
  fs.rmSync(floorDir, { recursive: true, force: true });

  let imp: Phase | undefined;
  let importLine = "";
  if (withImport) {
    importLine = libraryImport(books[0] as string);
    const name = /^import \* as (\w+)/.exec(importLine)?.[1] as string;
    const importDir = oneCellNotebooks("import", n, `${importLine}\nObject.keys(${name}).length`);
    imp = await runPhase("import", importDir, "");
    fs.rmSync(importDir, { recursive: true, force: true });
  }

  const suite = await runPhase("suite", notebooksDir, only);

  console.log("\n| notebook | status | wall (s) |\n|---|---|---|");
  for (const r of suite.rows) console.log(`| ${r.name} | ${r.status} | ${fmt(r.seconds)} |`);
  const inside = suite.rows.reduce((a, r) => a + r.seconds, 0);
  const status = (p: Phase): string => (p.code === 0 ? "ok" : `runner exit ${p.code}`);
  console.log(`\n| phase (${n} notebooks each) | status | wall (s) | per notebook (s) | ratio to floor |\n|---|---|---|---|---|`);
  console.log(`| floor: one trivial cell | ${status(floor)} | ${fmt(floor.wall)} | ${fmt(floor.wall / n)} | 1.00x |`);
  if (imp) console.log(`| import: \`${importLine}\` | ${status(imp)} | ${fmt(imp.wall)} | ${fmt(imp.wall / n)} | ${(imp.wall / floor.wall).toFixed(2)}x |`);
  console.log(`| **suite** | ${status(suite)} | ${fmt(suite.wall)} (notebooks ${fmt(inside)}, runner start-up and rendering ${fmt(suite.wall - inside)}) | ${fmt(suite.wall / n)} | **${(suite.wall / floor.wall).toFixed(2)}x** |`);
  if (imp) console.log(`\nimporting the library costs a notebook ${fmt((imp.wall - floor.wall) / n)} s over the floor`);
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
