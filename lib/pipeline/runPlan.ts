/**
 * The plan of one notebook run (`bin/main`, `icl-workbench reproduce`, both through
 * bin/run_notebooks.py): which sections run on a dump and why the others are skipped, the dump's
 * content hash, its failed judgments and coverage, and the versions the outputs were made with.
 * The runner gets it as JSON (`icl-workbench reproduce --plan-json`) and writes it into the
 * output folder's index.
 *
 * Without a dump the notebooks read the bundled examples (data/examples/): every section runs.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { formatCoverage } from "../analysis/coverage";
import type { DedupePolicy } from "../analysis/mtbenchScores";
import { loadManifest } from "../io/manifest";
import { InputError } from "../model/errors";
import type { RunManifest } from "../model/manifest";
import { fromRepo, repoRoot } from "../paths";
import { type DumpFiles, EXAMPLE_MARKER, describeRun, loadMtBenchRun, locateDump } from "./mtbench";
import { type NotebookSection, loadNotebookSections, sectionAvailability } from "./sections";

/** The duplicate policy every notebook's parameters cell uses (URIAL's show_results.py). */
export const NOTEBOOK_DEDUPE: DedupePolicy = "last";

export interface SectionPlan {
  id: string;
  name: string;
  run: boolean;
  /** Why it is skipped (empty when it runs). */
  reasons: string[];
  /** Figures the notebook declares (`metadata.icl_workbench.figures`). */
  figures: string[];
}

export interface JudgmentCheck {
  /** The dump directory the judgments belong to. */
  dump: string;
  judge: string;
  file: string;
  rows: number;
  /** Failed judgments (score -1, "$ERROR$", null) per model, after the dedupe policy. */
  failed: { model: string; n: number }[];
  failedTotal: number;
  duplicates: number;
  coverageComplete: boolean;
  coverageText: string;
  /** describeRun's lines. */
  description: string;
}

export interface ContentHash {
  /** sha256 over every file's relative path and bytes, in sorted path order. */
  sha256: string;
  files: number;
  bytes: number;
}

export interface RunPlan {
  /** The user's dump, or null for the bundled examples. */
  dump: string | null;
  manifest: string | null;
  /** `$ICL_HIDDEN_DUMP` when set: notebook 08 reads its hidden states from there. */
  hidden: string | null;
  /** The dump carries the EXAMPLE_DATA marker (always true for the bundled examples). */
  example: boolean;
  /** What was hashed: the dump (and an outside manifest), or data/examples/. */
  hashed: string[];
  contentHash: ContentHash;
  dedupe: DedupePolicy;
  sections: SectionPlan[];
  checks: JudgmentCheck[];
  /** Problems met while checking the dump (a broken judgment file, ...). */
  problems: string[];
  versions: Record<string, string>;
  /** The plan in words, as the runner prints it. */
  text: string;
}

export interface PlanOptions {
  /** The user's dump; absent for the bundled examples. */
  dumps?: string;
  /** A manifest kept outside the dump. */
  manifest?: string;
  /** Notebook prefixes to consider (default all). */
  only?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

function walkFiles(root: string): string[] {
  const st = fs.statSync(root);
  if (st.isFile()) return [root];
  const out: string[] = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(root, e.name);
    if (e.isDirectory()) out.push(...walkFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Content hash of files and directory trees: sha256 over, for each file in sorted order, its
 * path relative to the common parent, a NUL, its size, a NUL and its bytes (streamed in 1 MiB
 * chunks, so a 5 GB judgment file is fine). O(total bytes).
 *
 * @example
 * hashPaths(["/data/dump"]).sha256 // "3f5a…" (64 hex digits); equal trees give equal hashes
 */
export function hashPaths(roots: readonly string[]): ContentHash {
  const hash = createHash("sha256");
  let files = 0;
  let bytes = 0;
  const buf = Buffer.alloc(1 << 20);
  for (const root of roots) {
    const base = path.dirname(path.resolve(root));
    for (const file of walkFiles(path.resolve(root))) {
      const size = fs.statSync(file).size;
      hash.update(`${path.relative(base, file)}\0${size}\0`);
      const fd = fs.openSync(file, "r");
      try {
        let n: number;
        while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
      } finally {
        fs.closeSync(fd);
      }
      files++;
      bytes += size;
    }
  }
  return { sha256: hash.digest("hex"), files, bytes };
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(fromRepo("node_modules", name, "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "not installed";
  }
}

function gitCommit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty.length > 0 ? `${head} (with uncommitted changes)` : head;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/** Versions the outputs are made with: node, tslab, plotly, playwright-core, arquero, git commit. */
export function runVersions(): Record<string, string> {
  return {
    node: process.version,
    tslab: packageVersion("tslab"),
    plotly: packageVersion("plotly.js-dist-min"),
    "playwright-core": packageVersion("playwright-core"),
    arquero: packageVersion("arquero"),
    git: gitCommit(),
  };
}

async function judgmentChecks(files: DumpFiles, problems: string[]): Promise<JudgmentCheck[]> {
  const out: JudgmentCheck[] = [];
  for (const judge of Object.keys(files.judgments)) {
    try {
      const run = await loadMtBenchRun(files.dir, { judge, dedupe: NOTEBOOK_DEDUPE, manifest: files.manifest ?? undefined });
      const failed = run.scores.models.filter((m) => m.nFailed > 0).map((m) => ({ model: m.model, n: m.nFailed }));
      out.push({
        dump: files.dir,
        judge,
        file: run.judgmentsFile,
        rows: run.scores.nRows,
        failed,
        failedTotal: failed.reduce((a, f) => a + f.n, 0),
        duplicates: run.scores.models.reduce((a, m) => a + m.nDuplicates, 0),
        coverageComplete: run.coverage.complete && run.coverage.unexpectedModels.length === 0,
        coverageText: formatCoverage(run.coverage),
        description: describeRun(run),
      });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(e.message);
    }
  }
  return out;
}

function planText(plan: Omit<RunPlan, "text">): string {
  const lines = [
    `dump: ${plan.dump ?? "bundled examples (data/examples/, synthetic: not results)"}`,
    `manifest: ${plan.manifest ?? "none"}`,
    ...(plan.hidden !== null ? [`hidden states (ICL_HIDDEN_DUMP): ${plan.hidden}`] : []),
    `content hash: sha256 ${plan.contentHash.sha256} (${plan.contentHash.files} files, ${plan.contentHash.bytes} bytes)`,
  ];
  const run = plan.sections.filter((s) => s.run);
  const skipped = plan.sections.filter((s) => !s.run);
  lines.push(`sections to run: ${run.length === 0 ? "none" : run.map((s) => s.id).join(", ")}`);
  if (skipped.length > 0) {
    lines.push("skipped (the dump lacks their data):");
    for (const s of skipped) lines.push(`  ${s.name}: ${s.reasons.join("; ")}`);
  }
  for (const p of plan.problems) lines.push(`problem: ${p}`);
  return lines.join("\n");
}

/**
 * Plans a run: with a dump, each section runs when {@link sectionAvailability} finds its data,
 * else it is skipped with every reason; without one, every section runs on the bundled examples.
 * Throws InputError for a dump that cannot be located (missing directory or question.jsonl).
 */
export async function planRun(opts: PlanOptions = {}): Promise<RunPlan> {
  const env = opts.env ?? process.env;
  const only = opts.only ?? [];
  const notebooks: NotebookSection[] = loadNotebookSections(fromRepo("notebooks")).filter((s) => only.length === 0 || only.includes(s.id));
  const problems: string[] = [];
  let sections: SectionPlan[];
  let checks: JudgmentCheck[] = [];
  let hashed: string[];
  let dump: string | null = null;
  let manifestFile: string | null = null;
  let example: boolean;
  if (opts.dumps !== undefined) {
    const files = locateDump(opts.dumps, opts.manifest, env);
    dump = files.dir;
    manifestFile = files.manifest;
    example = files.example;
    let manifest: RunManifest | null = null;
    if (files.manifest !== null) {
      try {
        manifest = loadManifest(files.manifest);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        problems.push(e.message);
      }
    }
    sections = notebooks.map((s) => {
      const a = sectionAvailability(s.requires, files, manifest);
      const reasons = [...a.missing];
      if (manifest === null && files.manifest !== null) reasons.push("the run manifest is invalid (see the problems)");
      const runs = reasons.length === 0;
      return { id: s.id, name: s.name, run: runs, reasons: runs ? [] : reasons, figures: s.figures };
    });
    checks = await judgmentChecks(files, problems);
    hashed = [files.dir];
    if (files.manifest !== null && path.relative(files.dir, files.manifest).startsWith("..")) hashed.push(files.manifest);
  } else {
    example = true;
    sections = notebooks.map((s) => ({ id: s.id, name: s.name, run: true, reasons: [], figures: s.figures }));
    const examples = fromRepo("data", "examples");
    for (const d of fs.readdirSync(examples).sort()) {
      const dir = path.join(examples, d);
      if (!fs.existsSync(path.join(dir, "question.jsonl")) || !fs.existsSync(path.join(dir, EXAMPLE_MARKER))) continue;
      checks.push(...(await judgmentChecks(locateDump(dir, undefined, {}), problems)));
    }
    hashed = [examples];
  }
  const hiddenEnv = env["ICL_HIDDEN_DUMP"];
  const hidden = hiddenEnv ? path.resolve(hiddenEnv) : null;
  if (hidden !== null && fs.existsSync(hidden)) hashed.push(hidden);
  const base = { dump, manifest: manifestFile, hidden, example, hashed, contentHash: hashPaths(hashed), dedupe: NOTEBOOK_DEDUPE, sections, checks, problems, versions: runVersions() };
  return { ...base, text: planText(base) };
}
