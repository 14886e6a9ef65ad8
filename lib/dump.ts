/**
 * `openDump(dir)`: a dump read once into arquero tables, for notebook cells to filter, group and
 * join. The judgment file is streamed into columns (lib/io/judgmentColumns.ts, checked: one
 * judge model, prompts matching turns), deduplicated by the one dedupe implementation
 * (lib/analysis/dedupe.ts, default `DEFAULT_DEDUPE` = "last") and scored by the same code as
 * `icl-workbench mtbench-scores` (lib/analysis/mtbenchScores.ts); every table below is derived
 * from those columns, never from a second read.
 *
 * Tables (column names snake_case, numbers at full precision):
 * - `judgments`: one row per judgment row the policy keeps, failures included (`score` null,
 *   `failed` true), in file order;
 * - `runs`: the manifest, one row per model id, columns named as the manifest keys (defaults
 *   filled as lib/io/manifest.ts does); no rows without a manifest;
 * - `scores`: one row per judged model (first-seen order), left-joined with its run's factors;
 * - `categories`: one row per (model, category);
 * - `questionScores`: one row per (model, question, turn) cell: the mean of its kept non-failed
 *   rows (null when none) and their number;
 * - `alpacaEval`: one row per model of `alpaca_eval/`, null without that folder.
 *
 * Complexity: one pass over the judgment file; memory ~24 bytes a row for the columns plus the
 * arquero tables (one entry per kept row and column).
 *
 * @example
 * const dump = await openDump("data/examples/decoding");
 * dump.judgments.groupby("model", "turn").rollup({ m: op.mean("score") });
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { CoverageReport } from "./analysis/coverage";
import { DEFAULT_DEDUPE, type DedupePolicy } from "./analysis/dedupe";
import type { MtBenchScores } from "./analysis/mtbenchScores";
import { questionScoreCells } from "./analysis/questionScores";
import { FAILURE_ERROR, FAILURE_NO_RATING, type JudgmentColumns } from "./io/judgmentColumns";
import { MANIFEST_FIELDS } from "./io/manifest";
import type { RunManifest, RunManifestRow } from "./model/manifest";
import type { Question } from "./model/mtbench";
import { type AlpacaDump, alpacaRunSummary, loadAlpacaEvalDump } from "./pipeline/alpacaEvalDump";
import { type HiddenLocation, locateHiddenExperiments } from "./pipeline/hiddenLocate";
import { type DumpFiles, type MtBenchRun, describeRun, readMtBenchDump } from "./pipeline/mtbench";

export type { ColumnTable, CoverageReport, DedupePolicy, DumpFiles, MtBenchRun, MtBenchScores, RunManifest, Question, AlpacaDump, HiddenLocation };
export { DEFAULT_DEDUPE };

export interface OpenDumpOptions {
  /** Duplicated (model, question, turn) rows: "last" (default), "all", "first" or "error". */
  dedupe?: DedupePolicy;
  /** A manifest kept outside the dump (default: `$ICL_MANIFEST`, then `<dir>/manifest.jsonl`). */
  manifest?: string;
  /**
   * Judge model: picks `model_judgment/<judge>_single.jsonl` (needed when the dump has several)
   * and keeps only its rows; the other judges' rows are dropped and counted in
   * `problems.otherJudges`. Without it, a file with rows of several judges is an InputError.
   */
  judge?: string;
  /** Hidden-state root (default: `$ICL_HIDDEN_DUMP`, then `<dir>/hidden`). */
  hidden?: string;
  /** Environment read for `$ICL_MANIFEST` and `$ICL_HIDDEN_DUMP` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** What was dropped or is missing, as `describe()` prints it. */
export interface DumpProblems {
  /** Manifest runs with no judgment row. */
  runsWithoutJudgments: string[];
  /** Judged models the manifest does not list (empty without a manifest). */
  unexpectedModels: string[];
  /** Rows of other judge models left out because a judge was selected: judge -> rows. */
  otherJudges: Record<string, number>;
  /** Failed judgments among the kept rows (never averaged in). */
  nFailed: number;
  /** Rows whose (model, question, turn) cell appeared earlier in the file. */
  nDuplicates: number;
}

/** A dump read once (see the module comment for the tables' columns). */
export interface Dump {
  /** The dump directory (absolute). */
  dir: string;
  files: DumpFiles;
  /** The judgment file read. */
  judgmentsFile: string;
  /** The judge model (the selected one, or the judgment file's). */
  judge: string;
  dedupe: DedupePolicy;
  /** True when the dump carries the EXAMPLE_DATA marker (example data, not results). */
  example: boolean;
  questions: Question[];
  /** null when the dump has no manifest. */
  manifest: RunManifest | null;
  judgments: ColumnTable;
  runs: ColumnTable;
  scores: ColumnTable;
  categories: ColumnTable;
  questionScores: ColumnTable;
  /** One row per `alpaca_eval/<model>/`: win rate, its standard error, counts, LC win rate and its source; null without the folder. */
  alpacaEval: ColumnTable | null;
  alpacaEvalDump: AlpacaDump | null;
  /** The hidden-state experiments found (not loaded); null when the dump has none. */
  hidden: HiddenLocation | null;
  coverage: CoverageReport;
  problems: DumpProblems;
  /** The same scores in the shape the lib/analysis functions take. */
  run: MtBenchRun;
  /** A few lines on what was loaded, dropped and missing (`describeRun`'s text). */
  describe(): string;
}

function failureName(code: number): "no_rating" | "error" | null {
  return code === FAILURE_NO_RATING ? "no_rating" : code === FAILURE_ERROR ? "error" : null;
}

/** The manifest as a table: one column per manifest key, in data/README.md's order. */
export function runsTable(manifest: RunManifest | null): ColumnTable {
  const rows: readonly RunManifestRow[] = manifest?.rows ?? [];
  const columns: Record<string, unknown[]> = {};
  for (const [name, spec] of Object.entries(MANIFEST_FIELDS)) columns[name] = rows.map((r) => r[spec.key]);
  return aq.table(columns);
}

function judgmentsTable(cols: JudgmentColumns, kept: Uint32Array, cellOfRow: Uint32Array, cellRows: Uint32Array): ColumnTable {
  const n = kept.length;
  const model = new Array<string>(n);
  const questionId = new Array<number | string>(n);
  const category = new Array<string | null>(n);
  const turn = new Uint8Array(n);
  const score = new Array<number | null>(n);
  const failed = new Array<boolean>(n);
  const failure = new Array<string | null>(n);
  const judge = new Array<string>(n);
  const prompt = new Array<string>(n);
  const line = new Uint32Array(n);
  const nCellRows = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const r = kept[i] as number;
    const q = cols.question[r] as number;
    const c = cols.questionCategory[q] as number;
    const s = cols.score[r] as number;
    model[i] = cols.models[cols.model[r] as number] as string;
    questionId[i] = cols.questionIds[q] as number | string;
    category[i] = c < 0 ? null : (cols.categories[c] as string);
    turn[i] = cols.turn[r] as number;
    score[i] = Number.isNaN(s) ? null : s;
    failed[i] = Number.isNaN(s);
    failure[i] = failureName(cols.failure[r] as number);
    judge[i] = cols.judges[cols.judge[r] as number] as string;
    prompt[i] = cols.prompts[cols.prompt[r] as number] as string;
    line[i] = cols.line[r] as number;
    nCellRows[i] = cellRows[cellOfRow[r] as number] as number;
  }
  return aq.table({ model, question_id: questionId, category, turn, score, failed, failure, judge, judge_prompt: prompt, line, cell_rows: nCellRows });
}

/** Factor columns of the runs (every manifest key but model_id), null for a model the manifest lacks. */
function withFactors(columns: Record<string, unknown[]>, models: readonly string[], manifest: RunManifest | null): Record<string, unknown[]> {
  const byId = new Map((manifest?.rows ?? []).map((r) => [r.modelId, r]));
  for (const [name, spec] of Object.entries(MANIFEST_FIELDS)) {
    if (name === "model_id") continue;
    columns[name] = models.map((m) => byId.get(m)?.[spec.key] ?? null);
  }
  return columns;
}

function scoresTable(s: MtBenchScores, manifest: RunManifest | null): ColumnTable {
  const ms = s.models;
  const models = ms.map((m) => m.model);
  return aq.table(
    withFactors(
      {
        model: models,
        turn1: ms.map((m) => m.turn1),
        turn2: ms.map((m) => m.turn2),
        pooled: ms.map((m) => m.pooled),
        mean_of_turns: ms.map((m) => m.meanOfTurns),
        n_turn1: ms.map((m) => m.nTurn1),
        n_turn2: ms.map((m) => m.nTurn2),
        n_failed: ms.map((m) => m.nFailed),
        n_duplicates: ms.map((m) => m.nDuplicates),
        n_rows: ms.map((m) => m.nRows),
        n_dropped_by_dedupe: ms.map((m) => m.nDroppedByDedupe),
      },
      models,
      manifest,
    ),
  );
}

function categoriesTable(s: MtBenchScores): ColumnTable {
  const cs = s.categoryScores;
  return aq.table({
    model: cs.map((c) => c.model),
    category: cs.map((c) => c.category),
    turn1: cs.map((c) => c.turn1),
    turn2: cs.map((c) => c.turn2),
    pooled: cs.map((c) => c.pooled),
    mean_of_turns: cs.map((c) => c.meanOfTurns),
    n_turn1: cs.map((c) => c.nTurn1),
    n_turn2: cs.map((c) => c.nTurn2),
    n_failed: cs.map((c) => c.nFailed),
  });
}

function alpacaTable(a: AlpacaDump): ColumnTable {
  const rows = [...a.models.values()].map((m) => ({ model: m.model, w: m.winRate, s: alpacaRunSummary(a, m.model) }));
  return aq.table({
    model: rows.map((r) => r.model),
    win_rate: rows.map((r) => r.w.winRate),
    standard_error: rows.map((r) => r.w.standardError),
    n_wins: rows.map((r) => r.w.nWins),
    n_wins_base: rows.map((r) => r.w.nWinsBase),
    n_draws: rows.map((r) => r.w.nDraws),
    n_total: rows.map((r) => r.w.nTotal),
    discrete_win_rate: rows.map((r) => r.w.discreteWinRate),
    avg_length: rows.map((r) => r.w.avgLength),
    length_controlled: rows.map((r) => r.s?.lengthControlled ?? null),
    lc_source: rows.map((r) => r.s?.lengthControlledSource ?? null),
  });
}

/** Reads a dump once into arquero tables (see the module comment). Bad input is an InputError naming file, line and field. */
export async function openDump(dir: string, opts: OpenDumpOptions = {}): Promise<Dump> {
  const env = opts.env ?? process.env;
  const { run, columns: cols, deduped } = await readMtBenchDump(dir, {
    dedupe: opts.dedupe ?? DEFAULT_DEDUPE,
    env,
    ...(opts.manifest === undefined ? {} : { manifest: opts.manifest }),
    ...(opts.judge === undefined ? {} : { judge: opts.judge }),
  });
  const cells = questionScoreCells(cols, deduped);
  const nc = deduped.nCells;
  const questionScores = aq.table({
    model: Array.from(deduped.cellModel, (m) => cols.models[m] as string),
    question_id: Array.from(deduped.cellQuestion, (q) => cols.questionIds[q] as number | string),
    category: Array.from(deduped.cellQuestion, (q) => {
      const c = cols.questionCategory[q] as number;
      return c < 0 ? null : (cols.categories[c] as string);
    }),
    turn: deduped.cellTurn.slice(0, nc),
    score: Array.from(cells.score, (s) => (Number.isNaN(s) ? null : s)),
    n: cells.n,
  });
  const alpacaEvalDump = loadAlpacaEvalDump(run.files.dir);
  const hiddenRoot = opts.hidden ?? (env["ICL_HIDDEN_DUMP"] || path.join(run.files.dir, "hidden"));
  const hidden = fs.existsSync(hiddenRoot) ? locateHiddenExperiments(hiddenRoot) : null;
  const s = run.scores;
  const problems: DumpProblems = {
    runsWithoutJudgments: run.runsWithoutJudgments,
    unexpectedModels: run.manifest === null ? [] : run.coverage.unexpectedModels,
    otherJudges: s.otherJudges,
    nFailed: s.models.reduce((a, m) => a + m.nFailed, 0),
    nDuplicates: s.models.reduce((a, m) => a + m.nDuplicates, 0),
  };
  return {
    dir: run.files.dir,
    files: run.files,
    judgmentsFile: run.judgmentsFile,
    judge: run.judge,
    dedupe: run.dedupe,
    example: run.files.example,
    questions: run.questions,
    manifest: run.manifest,
    judgments: judgmentsTable(cols, deduped.rows, deduped.cellOfRow, deduped.cellRows),
    runs: runsTable(run.manifest),
    scores: scoresTable(s, run.manifest),
    categories: categoriesTable(s),
    questionScores,
    alpacaEval: alpacaEvalDump === null ? null : alpacaTable(alpacaEvalDump),
    alpacaEvalDump,
    hidden,
    coverage: run.coverage,
    problems,
    run,
    describe: () => describeRun(run),
  };
}
