/**
 * Notebook 01 — URIAL vs instruct models on MT-Bench (Zhao et al. §2.1, Tables 2 and 7).
 * `open` reads the dump and the published tables once; every other function is one cell's
 * table or figure, computed from what `open` returned.
 */
import {
  type ReproductionRow,
  type UrialVsInstructRow,
  categorySeriesFromPublished,
  categorySeriesFromRows,
  formatReproductionSummary,
  publishedTable2Layout,
  publishedTable7Layout,
  reproductionLayout,
  reproductionReport,
  reproductionSummary,
  table2Layout,
  table7Layout,
  unmatchedRuns,
  urialVsInstructRows,
} from "../analysis/urialVsInstruct";
import { categoryBars } from "../figures/categoryBars";
import { loadPublishedTable2, loadPublishedTable7 } from "../io/paperTables";
import { MTBENCH_CATEGORIES, type PublishedCategoryRow, type PublishedTurnRow } from "../model/paper";
import { type EmptyResult, type FigureResult, type TableResult, type TextResult, nothingToShow } from "../notebook/shown";
import { type SectionBase, type SectionParams, figureResult, openSectionBase, tableResult } from "./section";

export interface UrialVsInstructSection extends SectionBase {
  /** The dump's base / URIAL / instruct runs (every judged model when the dump has no manifest). */
  rows: UrialVsInstructRow[];
  table2: PublishedTurnRow[];
  table7: PublishedCategoryRow[];
  report: ReproductionRow[];
}

export const EXAMPLE_DUMP = "data/examples/mtbench-urial";

/** The set-up cell: reads the dump and the published Tables 2 and 7. */
export async function open(p: SectionParams = { dump: EXAMPLE_DUMP }): Promise<UrialVsInstructSection> {
  const base = await openSectionBase(p);
  const rows = urialVsInstructRows(base.dump.run.scores, base.dump.manifest?.rows ?? null);
  const table2 = loadPublishedTable2();
  const table7 = loadPublishedTable7();
  return { ...base, rows, table2, table7, report: reproductionReport(rows, table2, table7) };
}

const source = (s: UrialVsInstructSection): string => (s.dump.example ? "the EXAMPLE dump (not results)" : s.dump.dir);

/** Zhao et al. Table 2 as published. */
export function publishedTable2(s: UrialVsInstructSection): TableResult | EmptyResult {
  return tableResult(publishedTable2Layout(s.table2), { example: false, emptyReason: "data/paper/table2.csv has no rows" });
}

/** Table 2's layout (1st turn, 2nd turn, average, failed judgments) from the dump. */
export function table2(s: UrialVsInstructSection): TableResult | EmptyResult {
  return tableResult(table2Layout(s.rows, `MT-Bench from ${source(s)}`), { example: s.dump.example, emptyReason: "the dump has no judged base, URIAL or instruct run" });
}

/** Zhao et al. Table 7 (per category) as published. */
export function publishedTable7(s: UrialVsInstructSection): TableResult | EmptyResult {
  return tableResult(publishedTable7Layout(s.table7, MTBENCH_CATEGORIES), { example: false, emptyReason: "data/paper/table7.csv has no rows" });
}

/** Table 7's layout from the dump. */
export function table7(s: UrialVsInstructSection): TableResult | EmptyResult {
  return tableResult(table7Layout(s.rows, MTBENCH_CATEGORIES, `MT-Bench per category (both turns) from ${source(s)}`), {
    example: s.dump.example,
    emptyReason: "the dump has no judged base, URIAL or instruct run",
  });
}

/** Per-category bars of the dump's runs. */
export function categoryFigure(s: UrialVsInstructSection): FigureResult | EmptyResult {
  if (s.rows.length === 0) return nothingToShow("figure", "the dump has no judged base, URIAL or instruct run");
  return figureResult(categoryBars(categorySeriesFromRows(s.rows, MTBENCH_CATEGORIES), { title: "MT-Bench per category: base + URIAL vs instruct", exampleData: s.dump.example }), s.dump.example);
}

/** The published per-category scores of the dump's base models (nothing when none is in Table 7). */
export function publishedCategoryFigure(s: UrialVsInstructSection): FigureResult | EmptyResult {
  const baseModels = [...new Set(s.rows.map((r) => r.baseModel))];
  const series = categorySeriesFromPublished(s.table7, MTBENCH_CATEGORIES, baseModels);
  if (series.series.length === 0) {
    return nothingToShow("figure", `no base model of the dump (${baseModels.join(", ") || "none"}) is in Zhao et al. Table 7`);
  }
  return figureResult(categoryBars(series, { title: "Published (Zhao et al. Table 7)" }), false);
}

/** Every number of the dump beside the published one (difference = reproduced − published). */
export function reproduction(s: UrialVsInstructSection): TableResult | EmptyResult {
  const unmatched = unmatchedRuns(s.rows, s.table2).map((r) => r.label);
  return tableResult(reproductionLayout(s.report), {
    example: s.dump.example,
    emptyReason: `no run of the dump has a published counterpart in Tables 2 and 7 (runs: ${s.rows.map((r) => r.label).join(", ") || "none"})`,
    notes: [formatReproductionSummary(reproductionSummary(s.report)), `runs without a published row: ${unmatched.join(", ") || "none"}`],
  });
}

/** The reproduction report's headline in words. */
export function reproductionHeadline(s: UrialVsInstructSection): TextResult {
  return { kind: "text", text: formatReproductionSummary(reproductionSummary(s.report)) };
}
