/**
 * Pipelines compose io and analysis for notebooks and the CLI: locate a dump's files, load and
 * validate them, score them, and check coverage. (lib/io never imports lib/analysis; this layer
 * is where the two meet.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CoverageReport, checkCoverage } from "../analysis/coverage";
import { type DedupePolicy, type MtBenchScores, scoreJudgments } from "../analysis/mtbenchScores";
import { loadManifest } from "../io/manifest";
import { loadQuestions, streamJudgments } from "../io/mtbench";
import { InputError } from "../model/errors";
import type { RunManifest } from "../model/manifest";
import type { Judgment, Question } from "../model/mtbench";

/** Name of the marker file that flags a dump as example data (not results). */
export const EXAMPLE_MARKER = "EXAMPLE_DATA";

/** The files of a dump directory (FastChat layout + manifest). */
export interface DumpFiles {
  dir: string;
  /** The run manifest: `--manifest`/`ICL_MANIFEST` if given, else `<dir>/manifest.jsonl`; null if neither exists. */
  manifest: string | null;
  questions: string;
  /** judge model -> model_judgment/<judge>_single.jsonl */
  judgments: Record<string, string>;
  /** model id -> model_answer/<model>.jsonl */
  answers: Record<string, string>;
  /** judge model -> reference_answer/<judge>.jsonl */
  referenceAnswers: Record<string, string>;
  /** True when the dump carries the EXAMPLE_DATA marker. */
  example: boolean;
}

function listJsonl(dir: string, suffix = ".jsonl"): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) if (f.endsWith(suffix)) out[f.slice(0, -suffix.length)] = path.join(dir, f);
  return out;
}

/**
 * Finds a dump's files. A missing directory or question file is an InputError. The manifest may
 * live outside the dump (a user's dumps are never modified): `manifest` (or `$ICL_MANIFEST`)
 * names it; otherwise `<dir>/manifest.jsonl` is used when present.
 */
export function locateDump(dir: string, manifestPath?: string, env: NodeJS.ProcessEnv = process.env): DumpFiles {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new InputError({ file: abs }, "dump directory not found");
  const questions = path.join(abs, "question.jsonl");
  if (!fs.existsSync(questions)) throw new InputError({ file: questions }, "missing from the dump (see data/README.md for the layout)");
  const given = manifestPath ?? (env["ICL_MANIFEST"] || undefined);
  let manifest: string | null = null;
  if (given !== undefined) {
    manifest = path.resolve(given);
    if (!fs.existsSync(manifest)) throw new InputError({ file: manifest }, "manifest not found");
  } else if (fs.existsSync(path.join(abs, "manifest.jsonl"))) {
    manifest = path.join(abs, "manifest.jsonl");
  }
  return {
    dir: abs,
    manifest,
    questions,
    judgments: listJsonl(path.join(abs, "model_judgment"), "_single.jsonl"),
    answers: listJsonl(path.join(abs, "model_answer")),
    referenceAnswers: listJsonl(path.join(abs, "reference_answer")),
    example: fs.existsSync(path.join(abs, EXAMPLE_MARKER)),
  };
}

/** A scored MT-Bench dump, ready for the section analyses. */
export interface MtBenchRun {
  files: DumpFiles;
  judge: string;
  judgmentsFile: string;
  dedupe: DedupePolicy;
  /** null when the dump has no manifest: runs are then unannotated (see describeRun). */
  manifest: RunManifest | null;
  questions: Question[];
  scores: MtBenchScores;
  coverage: CoverageReport;
  /** Manifest runs with no judgment row at all. */
  runsWithoutJudgments: string[];
}

export interface LoadRunOptions {
  /** Judge model whose `<judge>_single.jsonl` to read; required when the dump has several. */
  judge?: string;
  dedupe?: DedupePolicy;
  /** A manifest kept outside the dump (default: `$ICL_MANIFEST`, then `<dir>/manifest.jsonl`). */
  manifest?: string;
}

/** Loads, validates and scores a dump's single-grading judgments. */
export async function loadMtBenchRun(dir: string, opts: LoadRunOptions = {}): Promise<MtBenchRun> {
  const files = locateDump(dir, opts.manifest);
  const judges = Object.keys(files.judgments);
  let judge = opts.judge;
  if (judge === undefined) {
    if (judges.length !== 1) {
      throw new InputError({ file: path.join(files.dir, "model_judgment") }, `expected one <judge>_single.jsonl file, found ${judges.length} (${judges.join(", ") || "none"}); name the judge`);
    }
    judge = judges[0] as string;
  }
  const judgmentsFile = files.judgments[judge];
  if (judgmentsFile === undefined) {
    throw new InputError({ file: path.join(files.dir, "model_judgment", `${judge}_single.jsonl`) }, `no judgments for judge "${judge}" (have: ${judges.join(", ") || "none"})`);
  }
  const manifest = files.manifest === null ? null : loadManifest(files.manifest);
  const questions = loadQuestions(files.questions);
  const judgments: Judgment[] = [];
  for await (const j of streamJudgments(judgmentsFile)) judgments.push(j);
  const dedupe = opts.dedupe ?? "all";
  const scores = scoreJudgments(judgments, { dedupe, questions, file: judgmentsFile });
  const judged = new Set(scores.models.map((m) => m.model));
  const models = manifest === null ? [...judged] : manifest.rows.map((r) => r.modelId);
  const coverage = checkCoverage(judgments, questions, models);
  return {
    files,
    judge,
    judgmentsFile,
    dedupe,
    manifest,
    questions,
    scores,
    coverage,
    runsWithoutJudgments: models.filter((m) => !judged.has(m)),
  };
}

/** A few lines describing what was loaded, what was dropped and what is missing. */
export function describeRun(run: MtBenchRun): string {
  const failed = run.scores.models.reduce((a, m) => a + m.nFailed, 0);
  const dups = run.scores.models.reduce((a, m) => a + m.nDuplicates, 0);
  const lines = [
    `dump: ${run.files.dir}${run.files.example ? "  [EXAMPLE DATA: not results]" : ""}`,
    `judgments: ${path.basename(run.judgmentsFile)} (judge ${run.judge}), ${run.scores.nRows} rows, dedupe policy "${run.dedupe}"`,
    run.manifest === null
      ? `no run manifest: the ${run.scores.models.length} judged models are unannotated, so sections that compare settings cannot match them to the paper (write one: data/README.md)`
      : `runs in manifest: ${run.manifest.rows.length} (${run.files.manifest}); questions: ${run.questions.length}`,
    `failed judgments (left out of every mean): ${failed}; duplicated rows: ${dups}`,
  ];
  if (run.runsWithoutJudgments.length > 0) lines.push(`runs without any judgment: ${run.runsWithoutJudgments.join(", ")}`);
  if (run.coverage.unexpectedModels.length > 0) lines.push(`judged models missing from the manifest (ignored): ${run.coverage.unexpectedModels.join(", ")}`);
  const { missing, failedOnly, expected } = run.coverage;
  lines.push(
    run.coverage.complete
      ? `coverage: complete (${expected} model x question x turn cells)`
      : `coverage: ${missing.length} missing and ${failedOnly.length} failed-only cells of ${expected}`,
  );
  return lines.join("\n");
}
