/**
 * What every section notebook does first, as one call: resolve the dump (the parameters cell's
 * bundled example unless `$ICL_DUMP_DIR` names the user's), read it once (`openDump`), seed the
 * generator, and say what was loaded, dropped and missing. Section modules (one per notebook)
 * build on `SectionBase`; their recipes turn it into what a cell shows (lib/notebook/shown.ts).
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { formatCoverage } from "../analysis/coverage";
import { DEFAULT_DEDUPE, type DedupePolicy } from "../analysis/dedupe";
import { type Dump, openDump } from "../dump";
import type { TableView } from "../model/table";
import type { ColumnFormat, EmptyResult, FigureResult, TableResult, TextResult } from "../notebook/shown";
import { nothingToShow } from "../notebook/shown";
import { dumpDir, resultsDir } from "../paths";
import { type PairedGap, gapForestRows, pairedGapLayout } from "../analysis/pairedGaps";
import { gapForest } from "../figures/gapForest";
import { describeJudgeNoise, judgeNoiseLayout } from "../analysis/judgeNoise";
import { figureHeightIn } from "../figures/theme";
import type { FigureSpec } from "../figures/types";
import type { QuestionId } from "../model/mtbench";
import { type Rng, createRng } from "../stats/rng";

/** The parameters cell of a section notebook. */
export interface SectionParams {
  /** Dump directory (relative to the repository root or absolute); `$ICL_DUMP_DIR` overrides it. */
  dump: string;
  /** Judge model whose `model_judgment/<judge>_single.jsonl` to read (needed when the dump has several). */
  judge?: string;
  /** Duplicated (model, question, turn) rows: "last" (default, URIAL's show_results.py), "all" (FastChat), "first", "error". */
  dedupe?: DedupePolicy;
  /** A manifest kept outside the dump. */
  manifest?: string;
  /** Seed of the bootstrap generator (printed). */
  seed?: number;
  /** Bootstrap resamples. */
  resamples?: number;
}

/** A section's dump, generator and settings. */
export interface SectionBase {
  dump: Dump;
  /** The seeded generator every resampling of the section draws from, in cell order. */
  rng: Rng;
  seed: number;
  resamples: number;
  /** Parameters, what was loaded, dropped and missing, and coverage (the set-up cell shows it). */
  summary: TextResult;
}

/** Default bootstrap seed and size of the section notebooks. */
export const DEFAULT_SEED = 20240601;
export const DEFAULT_RESAMPLES = 2000;

/** Opens a section's dump and prepares its generator (one call for the set-up cell). */
export async function openSectionBase(p: SectionParams): Promise<SectionBase> {
  const dir = dumpDir(p.dump);
  const dedupe = p.dedupe ?? DEFAULT_DEDUPE;
  const dump = await openDump(dir, {
    dedupe,
    ...(p.judge === undefined ? {} : { judge: p.judge }),
    ...(p.manifest === undefined ? {} : { manifest: p.manifest }),
  });
  const seed = p.seed ?? DEFAULT_SEED;
  const resamples = p.resamples ?? DEFAULT_RESAMPLES;
  const text = [
    `judge: ${dump.judge}; dedupe policy: ${dump.dedupe}; bootstrap: seed ${seed}, ${resamples} resamples, 95% percentile intervals`,
    `results: ${resultsDir()}`,
    "",
    dump.describe(),
    "",
    formatCoverage(dump.coverage),
  ].join("\n");
  return { dump, rng: createRng(seed), seed, resamples, summary: { kind: "text", text } };
}

/** An arquero table with a view's columns, in its order (values untouched: full precision). */
export function tableOfView(view: TableView): ColumnTable {
  const columns: Record<string, unknown[]> = {};
  for (const c of view.columns) columns[c] = view.rows.map((r) => r[c] ?? null);
  return aq.table(columns);
}

/**
 * A layout as a cell's table, or an empty result saying why when it has no row. Count columns of
 * the view stay counts; the caption is the title.
 */
export function tableResult(view: TableView, opts: { example: boolean; emptyReason: string; notes?: string[] }): TableResult | EmptyResult {
  if (view.rows.length === 0) return nothingToShow("table", opts.emptyReason);
  const formats: Record<string, ColumnFormat> = {};
  for (const c of view.countColumns ?? []) formats[c] = { kind: "count" };
  return {
    kind: "table",
    table: tableOfView(view),
    ...(view.caption === undefined ? {} : { title: view.caption }),
    ...(opts.notes === undefined ? {} : { notes: opts.notes }),
    formats,
    example: opts.example,
  };
}

// ---------------------------------------------------------------- paired gaps (sections 02–07)

/** The question ids of the dump, in question-file order. */
export function questionIdsOfDump(dump: Dump): QuestionId[] {
  return dump.questions.map((q) => q.questionId);
}

/** Paired gaps as a cell's table (nothing when no comparison could be formed, and why). */
export function gapTable(gaps: readonly PairedGap[], title: string, example: boolean, emptyReason: string): TableResult | EmptyResult {
  return tableResult(pairedGapLayout(gaps, title), { example, emptyReason });
}

/** Paired gaps as a forest plot (nothing when no gap could be computed, and why). */
export function gapFigure(gaps: readonly PairedGap[], opts: { title: string; xTitle: string; example: boolean; emptyReason: string }): FigureResult | EmptyResult {
  if (gaps.every((g) => g.gap === null)) return nothingToShow("figure", opts.emptyReason);
  const rows = gapForestRows(gaps);
  return figureResult(gapForest(rows, { title: opts.title, xTitle: opts.xTitle, level: 0.95, exampleData: opts.example }), opts.example);
}

/** A figure as a cell's result, at double column, its height the one its builder laid it out for. */
export function figureResult(figure: FigureSpec, example: boolean): FigureResult {
  return { kind: "figure", figure, size: "double", heightIn: figureHeightIn(figure), example };
}

/**
 * Judge noise of a dump's judge from its repeated judgments (every row of the file, before
 * dedupe), or why it cannot be estimated there.
 */
export function judgeNoiseOf(dump: Dump, title = `Judge noise (${dump.judge}) from repeated judgments, 1st turn`): TableResult | EmptyResult {
  const notes = [describeJudgeNoise(dump.judgeNoise)];
  if (dump.judgeNoise.length === 0) return nothingToShow("table", notes[0] as string);
  return { ...(tableResult(judgeNoiseLayout(dump.judgeNoise, title), { example: dump.example, emptyReason: "" }) as TableResult), notes };
}
