/**
 * What the library import costs tslab, in CPU time (so that other jobs on the machine do not
 * blur it): each cell converted by tslab's own converter (its TypeScript 5.0 program, as in a
 * kernel) in a fresh Node process, from the repository root, with process.cpuUsage around
 * `createConverter` (what every kernel pays, library or not) and around the cell's `convert`
 * (type check and compile of the cell and of every .ts file it imports). Cells:
 *
 * - a trivial cell (`1 + 1`);
 * - the notebooks' import line as written in the first notebook (today the compiled library,
 *   `./build/lib/index`: tslab reads declarations only);
 * - the same import from the sources (`./lib/index`): tslab type-checks and compiles the tree.
 *
 * Also the CPU time of loading the compiled entry's JavaScript (require), what the import costs
 * at run time. Not a test: it prints and never fails on a threshold.
 *
 *   npm run bench -- notebooksImport    (also run by `npm run bench -- notebooks`)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../lib/paths";

const probe = `
const path = require("node:path");
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = cpu();
const { createConverter } = require(path.join(process.cwd(), "node_modules/tslab/dist/converter.js"));
const conv = createConverter({ isJS: false, isBrowser: false });
const t1 = cpu();
const out = conv.convert("", process.argv[1]);
const t2 = cpu();
conv.close();
console.log(JSON.stringify({ start: t1 - t0, convert: t2 - t1, diagnostics: out.diagnostics.map((d) => d.messageText), sideOutputs: (out.sideOutputs || []).length }));
`;

interface Probe {
  start: number;
  convert: number;
  diagnostics: string[];
  sideOutputs: number;
}

function convert(cell: string): Probe {
  const r = spawnSync(process.execPath, ["-e", probe, cell], { cwd: repoRoot, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tslab converter probe failed for ${JSON.stringify(cell)}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as Probe;
}

function requireCpu(entry: string): number {
  const code = `const c0 = process.cpuUsage(); require(${JSON.stringify(entry)}); const c = process.cpuUsage(c0); console.log((c.user + c.system) / 1000);`;
  const r = spawnSync(process.execPath, ["-e", code], { cwd: repoRoot, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`require(${entry}) failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** The first `import * as NAME from "SPEC"` of the first notebook: [line, NAME, SPEC]. */
function notebookImport(): [string, string, string] {
  const dir = path.join(repoRoot, "notebooks");
  const first = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort()[0];
  if (first === undefined) throw new Error(`no notebook in ${dir}`);
  const nb = JSON.parse(fs.readFileSync(path.join(dir, first), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  for (const cell of nb.cells) {
    const text = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const m = cell.cell_type === "code" ? /^import \* as (\w+) from "([^"]+)";?$/m.exec(text) : null;
    if (m) return [m[0], m[1] as string, m[2] as string];
  }
  throw new Error(`${first}: no 'import * as NAME from "..."' line`);
}

function main(): void {
  const built = spawnSync(process.execPath, [path.join(repoRoot, "bin", "build-lib.cjs")], { cwd: repoRoot, stdio: "inherit" });
  if (built.status !== 0) throw new Error(`bin/build-lib.cjs exited with ${built.status}`);
  const [line, name, spec] = notebookImport();
  const sourceSpec = spec.replace(/^\.\/build\/lib\//, "./lib/");
  const cells: [string, string][] = [
    ["trivial cell", "1 + 1"],
    [`notebooks' import (\`${spec}\`)`, `${line}\nObject.keys(${name}).length`],
  ];
  if (sourceSpec !== spec) cells.push([`the sources (\`${sourceSpec}\`)`, `import * as ${name} from "${sourceSpec}";\nObject.keys(${name}).length`]);
  console.log("tslab converter CPU time, each cell in a fresh process (ms; user + system)\n");
  console.log("| cell | createConverter | convert the cell | .ts files compiled | diagnostics |\n|---|---|---|---|---|");
  for (const [label, cell] of cells) {
    const p = convert(cell);
    console.log(`| ${label} | ${p.start.toFixed(0)} | ${p.convert.toFixed(0)} | ${p.sideOutputs} | ${p.diagnostics.length === 0 ? "none" : p.diagnostics.join("; ")} |`);
  }
  const entry = path.join(repoRoot, spec);
  if (spec.startsWith("./build/")) console.log(`\nrun time: require(${spec}) takes ${requireCpu(entry).toFixed(0)} ms CPU`);
}

main();
