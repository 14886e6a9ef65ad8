/**
 * Pipelines compose io and analysis for notebooks and the CLI: locate a dump's files, load and
 * validate them, score them, and check coverage. (lib/io never imports lib/analysis; this layer
 * is where the two meet.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type CoverageReport, checkCoverage } from "../analysis/coverage";
import { DEFAULT_DEDUPE, type DedupePolicy, type DedupedRows, dedupeJudgments } from "../analysis/dedupe";
import { type MtBenchScores, scoreColumns } from "../analysis/mtbenchScores";
import { type JudgmentColumns, loadJudgmentColumns } from "../io/judgmentColumns";
import { loadManifest } from "../io/manifest";
import { loadQuestions } from "../io/mtbench";
import { InputError } from "../model/errors";
import type { RunManifest } from "../model/manifest";
import type { Judgment, Question, QuestionId } from "../model/mtbench";

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
  /**
   * Judge model: picks `<judge>_single.jsonl` (required when the dump has several files) and keeps
   * only that judge's rows (the others are dropped and counted; without it, a file holding rows of
   * several judges is an InputError).
   */
  judge?: string;
  /** Default `DEFAULT_DEDUPE` ("last"). */
  dedupe?: DedupePolicy;
  /** A manifest kept outside the dump (default: `$ICL_MANIFEST`, then `<dir>/manifest.jsonl`). */
  manifest?: string;
  /** Environment read for `$ICL_MANIFEST` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** A dump read once: the scored run, and the columns and kept rows it was scored from. */
export interface ReadMtBenchDump {
  run: MtBenchRun;
  columns: JudgmentColumns;
  deduped: DedupedRows;
}

/** One synthetic judgment per cell, scored when any of the cell's rows is (what checkCoverage needs). */
function* cellJudgments(cols: JudgmentColumns, d: DedupedRows): Generator<Judgment> {
  const scored = new Uint8Array(d.nCells);
  for (let r = 0; r < cols.nRows; r++) if (!Number.isNaN(cols.score[r] as number)) scored[d.cellOfRow[r] as number] = 1;
  for (let c = 0; c < d.nCells; c++) {
    const first = d.cellFirstRow[c] as number;
    yield {
      model: cols.models[d.cellModel[c] as number] as string,
      questionId: cols.questionIds[d.cellQuestion[c] as number] as QuestionId,
      turn: d.cellTurn[c] as 1 | 2,
      judge: [cols.judges[cols.judge[first] as number] as string, cols.prompts[cols.prompt[first] as number] as string],
      score: scored[c] === 1 ? { kind: "scored", score: 0 } : { kind: "failed", reason: "error", raw: null },
      line: cols.line[first] as number,
    };
  }
}

/**
 * Reads a dump's judgments once (streamed into columns, checked: one judge, prompts matching
 * turns), keeps the rows of the dedupe policy and scores them. The core of `openDump`
 * (lib/dump.ts) and `loadMtBenchRun`.
 */
export async function readMtBenchDump(dir: string, opts: LoadRunOptions = {}): Promise<ReadMtBenchDump> {
  const files = locateDump(dir, opts.manifest, opts.env);
  const judges = Object.keys(files.judgments);
  const judge = opts.judge ?? (judges.length === 1 ? (judges[0] as string) : undefined);
  if (judge === undefined) {
    throw new InputError({ file: path.join(files.dir, "model_judgment") }, `expected one <judge>_single.jsonl file, found ${judges.length} (${judges.join(", ") || "none"}); name the judge`);
  }
  // A named judge without its own file is looked for in the dump's only file.
  const judgmentsFile = files.judgments[judge] ?? (judges.length === 1 ? files.judgments[judges[0] as string] : undefined);
  if (judgmentsFile === undefined) {
    throw new InputError({ file: path.join(files.dir, "model_judgment", `${judge}_single.jsonl`) }, `no judgments for judge "${judge}" (have: ${judges.join(", ") || "none"})`);
  }
  const manifest = files.manifest === null ? null : loadManifest(files.manifest);
  const questions = loadQuestions(files.questions);
  // A judge named by the caller selects rows; a judge taken from the only file's name does not,
  // so a file with rows of several judges is refused rather than silently filtered.
  const columns = await loadJudgmentColumns(judgmentsFile, { questions, ...(opts.judge === undefined ? {} : { judge: opts.judge }) });
  const dedupe = opts.dedupe ?? DEFAULT_DEDUPE;
  const deduped = dedupeJudgments(columns, dedupe);
  const scores = scoreColumns(columns, deduped);
  const judged = new Set(scores.models.map((m) => m.model));
  const models = manifest === null ? [...judged] : manifest.rows.map((r) => r.modelId);
  const coverage = checkCoverage(cellJudgments(columns, deduped), questions, models);
  const run: MtBenchRun = {
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
  return { run, columns, deduped };
}

/** Loads, validates and scores a dump's single-grading judgments. */
export async function loadMtBenchRun(dir: string, opts: LoadRunOptions = {}): Promise<MtBenchRun> {
  return (await readMtBenchDump(dir, opts)).run;
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
  const other = Object.entries(run.scores.otherJudges);
  if (other.length > 0) lines.push(`rows of other judges left out (judge ${run.judge} selected): ${other.map(([j, n]) => `${j} ${n}`).join(", ")}`);
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
