/** `icl-workbench reproduce`: rerun every notebook against a user's dump directory. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { loadManifest } from "../../io/manifest";
import { locateDump } from "../../pipeline/mtbench";
import { loadNotebookSections, sectionAvailability } from "../../pipeline/sections";
import { fromRepo, repoRoot } from "../../paths";
import { boolOpt, parseCommandLine, stringOpt } from "../args";
import type { CliIO, Command } from "../io";
import { UsageError } from "../io";

const usage = `usage: icl-workbench reproduce --dumps DIR [--manifest FILE] [--out DIR] [--only 02,03] [--dry-run]

Reruns the section notebooks against a dump (the layout of data/README.md), writing executed
notebooks (+ HTML), figures (SVG, PDF, PNG) and tables (CSV) under --out (default: results/).
Sections whose data the dump lacks are skipped and named with the reason. The dump is never
modified; a manifest kept elsewhere is given with --manifest.

  --dumps DIR       the dump directory
  --manifest FILE   run manifest (default: DIR/manifest.jsonl when present)
  --out DIR         output directory (default: results/)
  --only LIST       comma-separated notebook prefixes, e.g. 01,03
  --dry-run         say which sections would run and which are skipped (and why); run nothing
`;

function runNotebooks(args: string[], env: NodeJS.ProcessEnv, io: CliIO): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/python3", [path.join(repoRoot, "bin", "run_notebooks.py"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => io.stdout(b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => io.stderr(b.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

export const command: Command = {
  summary: "rerun every section notebook on a dump directory; names the sections it skips",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, { dumps: { type: "string" }, manifest: { type: "string" }, out: { type: "string" }, only: { type: "string" }, "dry-run": { type: "boolean" } });
    const dumps = path.resolve(stringOpt(p, "dumps", true));
    const manifestArg = stringOpt(p, "manifest");
    const out = path.resolve(stringOpt(p, "out") ?? fromRepo("results"));
    const only = (stringOpt(p, "only") ?? "").split(",").filter((s) => s.length > 0);
    const files = locateDump(dumps, manifestArg, {});
    const manifest = files.manifest === null ? null : loadManifest(files.manifest);
    const sections = loadNotebookSections(fromRepo("notebooks")).filter((s) => only.length === 0 || only.includes(s.id));
    if (sections.length === 0) throw new UsageError(`--only ${only.join(",")} matches no notebook`);
    const runnable: string[] = [];
    const skipped: string[] = [];
    for (const s of sections) {
      const a = sectionAvailability(s.requires, files, manifest);
      if (a.available) runnable.push(s.id);
      else skipped.push(`  ${s.name}: ${a.missing.join("; ")}`);
    }
    io.stdout(`dump: ${files.dir}\nmanifest: ${files.manifest ?? "none"}\noutput: ${out}\n`);
    io.stdout(`sections to run: ${runnable.length === 0 ? "none" : runnable.join(", ")}\n`);
    if (skipped.length > 0) io.stdout(`skipped (the dump lacks their data):\n${skipped.join("\n")}\n`);
    if (runnable.length === 0 || boolOpt(p, "dry-run")) return 0;
    const env: NodeJS.ProcessEnv = { ...process.env, ICL_DUMP_DIR: files.dir };
    if (files.manifest !== null) env["ICL_MANIFEST"] = files.manifest;
    else delete env["ICL_MANIFEST"];
    const code = await runNotebooks(["--out", out, "--only", runnable.join(",")], env, io);
    if (skipped.length > 0) io.stdout(`not produced: ${skipped.length} section(s), listed above\n`);
    return code;
  },
};
