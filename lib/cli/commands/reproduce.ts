/**
 * `icl-workbench reproduce`: rerun the section notebooks on a dump. One implementation with
 * `bin/main`: both go through bin/run_notebooks.py, which asks this command for the plan
 * (`--plan-json`: which sections the dump feeds, and why the rest are skipped), runs the
 * runnable ones and writes the output folder's index.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { planRun } from "../../pipeline/runPlan";
import { repoRoot } from "../../paths";
import { boolOpt, parseCommandLine, stringOpt } from "../args";
import type { CliIO, Command } from "../io";
import { UsageError } from "../io";

const usage = `usage: icl-workbench reproduce [--dumps DIR] [--manifest FILE] [--out DIR] [--only 02,03] [--dry-run]

Reruns the section notebooks against a dump (the layout of data/README.md), exactly as
bash bin/main --dumps DIR does (both run bin/run_notebooks.py). Only the sections whose data the
dump holds run; every other one is named with the reason, and nothing falls back to the bundled
example data. Outputs go to one folder per dump: executed notebooks (+ HTML), figures (SVG, PDF,
PNG), tables (CSV) and an index.html / index.md at its root. The dump is never modified; a
manifest kept elsewhere is given with --manifest. Without --dumps: the bundled examples.

  --dumps DIR       the dump directory
  --manifest FILE   run manifest (default: DIR/manifest.jsonl when present)
  --out DIR         output folder (default: results/ for the bundled examples,
                    results/dumps/<name>-<hash of the dump's path>/ for a dump)
  --only LIST       comma-separated notebook prefixes, e.g. 01,03
  --dry-run         say which sections would run and which are skipped (and why); run nothing
  --plan-json       print the plan as JSON (what bin/run_notebooks.py reads) and run nothing
`;

function runNotebooks(args: string[], io: CliIO): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/python3", [path.join(repoRoot, "bin", "run_notebooks.py"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => io.stdout(b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => io.stderr(b.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

export const command: Command = {
  summary: "rerun the section notebooks a dump can feed (as bin/main does); names the sections it skips",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, {
      dumps: { type: "string" },
      manifest: { type: "string" },
      out: { type: "string" },
      only: { type: "string" },
      "dry-run": { type: "boolean" },
      "plan-json": { type: "boolean" },
    });
    const dumps = stringOpt(p, "dumps");
    const manifest = stringOpt(p, "manifest");
    const out = stringOpt(p, "out");
    const onlyArg = stringOpt(p, "only");
    const only = (onlyArg ?? "").split(",").filter((s) => s.length > 0);
    if (manifest !== undefined && dumps === undefined) throw new UsageError("--manifest needs --dumps");
    // the plan is computed here in every case, so a bad dump or --only fails before Python starts
    const plan = await planRun({ dumps, manifest, only });
    if (plan.sections.length === 0) throw new UsageError(`--only ${only.join(",")} matches no notebook`);
    if (boolOpt(p, "plan-json")) {
      io.stdout(JSON.stringify(plan) + "\n");
      return 0;
    }
    const args: string[] = [];
    if (dumps !== undefined) args.push("--dumps", path.resolve(dumps));
    if (manifest !== undefined) args.push("--manifest", path.resolve(manifest));
    if (out !== undefined) args.push("--out", path.resolve(out));
    if (onlyArg !== undefined) args.push("--only", onlyArg);
    if (boolOpt(p, "dry-run")) args.push("--dry-run");
    return runNotebooks(args, io);
  },
};
