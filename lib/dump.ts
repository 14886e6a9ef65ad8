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
import { type JudgeNoise, judgeNoise, judgmentsOfColumns } from "./analysis/judgeNoise";
import { DEFAULT_DEDUPE, type DedupePolicy } from "./analysis/dedupe";
import type { MtBenchScores } from "./analysis/mtbenchScores";
import { type QuestionScoreTable, questionScoreCells, questionScoreTableOf } from "./analysis/questionScores";
import { FAILURE_ERROR, FAILURE_NO_RATING, type JudgmentColumns } from "./io/judgmentColumns";
import { MANIFEST_FIELDS } from "./io/manifest";
import type { RunManifest, RunManifestRow } from "./model/manifest";
import type { Question } from "./model/mtbench";
import { type AlpacaDump, alpacaRunSummary, loadAlpacaEvalDump } from "./pipeline/alpacaEvalDump";
import { type HiddenLocation, locateHiddenExperiments } from "./pipeline/hiddenLocate";
import { type DumpFiles, type MtBenchRun, describeRun, readMtBenchDump } from "./pipeline/mtbench";

export type { ColumnTable, CoverageReport, DedupePolicy, DumpFiles, MtBenchRun, MtBenchScores, RunManifest, Question, AlpacaDump, HiddenLocation, JudgeNoise };
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
  /** The same per-question scores in the shape lib/analysis's paired gaps and bootstraps take. */
  questionScoreTable: QuestionScoreTable;
  /** One row per `alpaca_eval/<model>/`: win rate, its standard error, counts, LC win rate and its source; null without the folder. */
  alpacaEval: ColumnTable | null;
  alpacaEvalDump: AlpacaDump | null;
  /** The hidden-state experiments found (not loaded); null when the dump has none. */
  hidden: HiddenLocation | null;
  coverage: CoverageReport;
  problems: DumpProblems;
  /** The same scores in the shape the lib/analysis functions take. */
  run: MtBenchRun;
  /** Judge noise of the 1st turn from every row of the file (repeated judgments of one answer), before dedupe. */
  judgeNoise: JudgeNoise[];
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

/** What arquero needs of a column (its `ColumnType`): a length, `at`, iteration. */
export interface ColumnLike<T> {
  length: number;
  at(row: number): T;
  [Symbol.iterator](): Iterator<T>;
  toArray(): T[];
}

/** A read-only arquero column computed per row from typed arrays (e.g. codes into a dictionary, as Arrow's dictionary columns). */
function derivedColumn<T>(length: number, at: (row: number) => T): ColumnLike<T> {
  return {
    length,
    at,
    *[Symbol.iterator]() {
      for (let i = 0; i < length; i++) yield at(i);
    },
    toArray: () => Array.from({ length }, (_, i) => at(i)),
  };
}

function dictionaryColumn<T>(codes: Uint32Array | Uint16Array | Uint8Array | Int32Array, values: readonly T[]): ColumnLike<T> {
  return derivedColumn(codes.length, (row) => values[codes[row] as number] as T);
}

/** `a[idx[i]]` for each i, as the same kind of typed array (or `a` itself when `idx` is every row in order). */
function gather<A extends Uint32Array | Uint16Array | Uint8Array | Float64Array>(a: A, idx: Uint32Array, every: boolean, make: (n: number) => A): A {
  if (every) return a;
  const out = make(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i] as number] as number;
  return out;
}

/**
 * `dump.judgments`: columns are typed arrays (or views computing a row's value from them), so a
 * kept row costs ~36 bytes whatever its strings; model, category, judge and prompt names are
 * dictionary-coded.
 */
function judgmentsTable(cols: JudgmentColumns, kept: Uint32Array, cellOfRow: Uint32Array, cellRows: Uint32Array): ColumnTable {
  const n = kept.length;
  const every = n === cols.nRows;
  const question = gather(cols.question, kept, every, (k) => new Uint32Array(k));
  const score = gather(cols.score, kept, every, (k) => new Float64Array(k));
  const failure = gather(cols.failure, kept, every, (k) => new Uint8Array(k));
  const categories: (string | null)[] = [...cols.categories, null];
  const noCategory = cols.categories.length;
  const nCellRows = new Uint32Array(n);
  for (let i = 0; i < n; i++) nCellRows[i] = cellRows[cellOfRow[kept[i] as number] as number] as number;
  return aq.table({
    model: dictionaryColumn(gather(cols.model, kept, every, (k) => new Uint32Array(k)), cols.models),
    question_id: dictionaryColumn(question, cols.questionIds),
    category: derivedColumn(n, (row) => {
      const c = cols.questionCategory[question[row] as number] as number;
      return categories[c < 0 ? noCategory : c] as string | null;
    }),
    turn: gather(cols.turn, kept, every, (k) => new Uint8Array(k)),
    score: derivedColumn(n, (row) => {
      const v = score[row] as number;
      return Number.isNaN(v) ? null : v;
    }),
    failed: derivedColumn(n, (row) => Number.isNaN(score[row] as number)),
    failure: derivedColumn(n, (row) => failureName(failure[row] as number)),
    judge: dictionaryColumn(gather(cols.judge, kept, every, (k) => new Uint16Array(k)), cols.judges),
    judge_prompt: dictionaryColumn(gather(cols.prompt, kept, every, (k) => new Uint16Array(k)), cols.prompts),
    line: gather(cols.line, kept, every, (k) => new Uint32Array(k)),
    cell_rows: nCellRows,
  });
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
  const categoryNames: (string | null)[] = [...cols.categories, null];
  const questionScores = aq.table({
    model: dictionaryColumn(deduped.cellModel, cols.models),
    question_id: dictionaryColumn(deduped.cellQuestion, cols.questionIds),
    category: derivedColumn(nc, (cell) => {
      const c = cols.questionCategory[deduped.cellQuestion[cell] as number] as number;
      return categoryNames[c < 0 ? cols.categories.length : c] as string | null;
    }),
    turn: deduped.cellTurn,
    score: derivedColumn(nc, (cell) => {
      const v = cells.score[cell] as number;
      return Number.isNaN(v) ? null : v;
    }),
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
    questionScoreTable: questionScoreTableOf(cols, deduped),
    alpacaEval: alpacaEvalDump === null ? null : alpacaTable(alpacaEvalDump),
    alpacaEvalDump,
    hidden,
    coverage: run.coverage,
    problems,
    run,
    judgeNoise: judgeNoise(judgmentsOfColumns(cols)),
    describe: () => describeRun(run),
  };
}
