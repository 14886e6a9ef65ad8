/**
 * Notebook 05 — question/answer matching ablations (Zhao et al. §3.3, Table 3): 1st-turn
 * MT-Bench with URIAL's demonstrations ablated (no demos, X only, Y only, shifted or random
 * answers), and each ablation − correct pairs on the same questions.
 */
import { type PairedGap, pairedGaps } from "../analysis/pairedGaps";
import { type QaCell, publishedTable3Layout, qaComparisons, qaGapSpecs, qaMatchingCells, table3BarsInput, table3Layout } from "../analysis/qaMatching";
import { scoredRuns } from "../analysis/runJoin";
import { categoryBars } from "../figures/categoryBars";
import { type PublishedQaCell, loadPublishedTable3 } from "../io/paperTablesMore";
import { type EmptyResult, type FigureResult, type TableResult, nothingToShow } from "../notebook/shown";
import { type SectionBase, type SectionParams, gapFigure, gapTable, figureResult, openSectionBase, questionIdsOfDump, tableResult } from "./section";

export interface QaMatchingSection extends SectionBase {
  cells: QaCell[];
  table3: PublishedQaCell[];
  /** Each ablation − correct pairs, paired over questions. */
  gaps: PairedGap[];
}

export const EXAMPLE_DUMP = "data/examples/qa-matching";

const NO_CELL = "the dump has no run with a Table 3 ablation (manifest field ablation; see data/README.md)";

/** The set-up cell: reads the dump, the Table 3 cells and the gaps. */
export async function open(p: SectionParams = { dump: EXAMPLE_DUMP }): Promise<QaMatchingSection> {
  const base = await openSectionBase(p);
  const cells = qaMatchingCells(scoredRuns(base.dump.run.scores, base.dump.manifest?.rows ?? null));
  const table3 = loadPublishedTable3();
  const gaps = pairedGaps(base.dump.questionScoreTable, questionIdsOfDump(base.dump), qaGapSpecs(qaComparisons(cells, table3)), base.rng, { resamples: base.resamples });
  return { ...base, cells, table3, gaps };
}

/** Zhao et al. Table 3 as published. */
export function publishedTable3(s: QaMatchingSection): TableResult | EmptyResult {
  return tableResult(publishedTable3Layout(s.table3), { example: false, emptyReason: "data/paper/table3.csv has no rows" });
}

/** Table 3's layout from the dump, beside the published cells. */
export function table3(s: QaMatchingSection): TableResult | EmptyResult {
  return tableResult(table3Layout(s.cells, s.table3, "Table 3 layout from the dump: 1st-turn MT-Bench"), { example: s.dump.example, emptyReason: NO_CELL });
}

/** Table 3 as grouped bars. */
export function bars(s: QaMatchingSection): FigureResult | EmptyResult {
  if (s.cells.length === 0) return nothingToShow("figure", NO_CELL);
  return figureResult(categoryBars(table3BarsInput(s.cells), { title: "1st-turn MT-Bench by question-answer matching", yTitle: "MT-Bench 1st turn", exampleData: s.dump.example }), s.dump.example);
}

/** Each ablation − correct pairs on the same questions. */
export function gaps(s: QaMatchingSection): TableResult | EmptyResult {
  return gapTable(s.gaps, "ablation − correct Y (1st turn), paired over questions; published_gap from Table 3", s.dump.example, "the dump has no ablation with a matching correct-pairs run");
}

/** The gaps as a forest plot. */
export function gapsFigure(s: QaMatchingSection): FigureResult | EmptyResult {
  return gapFigure(s.gaps, { title: "Ablation − correct Y, 1st turn (paired 95% CI; diamonds: published gap)", xTitle: "score gap", example: s.dump.example, emptyReason: "the dump has no ablation with a matching correct-pairs run" });
}
