/**
 * Notebook 02 — decoding parameters (Zhao et al. §2.2, Fig. 1, 10, 11): 1st-turn MT-Bench of
 * base, base + URIAL and instruct runs over temperature × top-p, per base model and repetition
 * penalty, with paired gaps (URIAL − base, instruct − URIAL) on the same questions.
 */
import { type DecodingGrid, decodingGapSpecs, decodingGrids, decodingHeatmapInput, decodingReproductionLayout, decodingTableLayout, publishedDecodingPoints } from "../analysis/decoding";
import { type PairedGap, pairedGaps } from "../analysis/pairedGaps";
import { scoredRuns } from "../analysis/runJoin";
import { heatmapGrid } from "../figures/heatmap";
import { loadPublishedTable2 } from "../io/paperTables";
import { type EmptyResult, type FigureResult, type TableResult, nothingToShow } from "../notebook/shown";
import { type SectionBase, type SectionParams, gapFigure, gapTable, figureResult, openSectionBase, questionIdsOfDump, tableResult } from "./section";

export interface DecodingSection extends SectionBase {
  grids: DecodingGrid[];
  /** URIAL − base and instruct − URIAL at every decoding configuration both settings have. */
  urialVsBase: PairedGap[];
  instructVsUrial: PairedGap[];
}

export const EXAMPLE_DUMP = "data/examples/decoding";

const NO_GRID = "no run of the dump sets temperature and top_p with setting base, urial or instruct (see data/README.md)";

/** The set-up cell: reads the dump, builds the grids and the paired gaps (bootstrap in this order). */
export async function open(p: SectionParams = { dump: EXAMPLE_DUMP }): Promise<DecodingSection> {
  const base = await openSectionBase(p);
  const grids = decodingGrids(scoredRuns(base.dump.run.scores, base.dump.manifest?.rows ?? null));
  const t = base.dump.questionScoreTable;
  const ids = questionIdsOfDump(base.dump);
  const opts = { resamples: base.resamples };
  const urialVsBase = pairedGaps(t, ids, decodingGapSpecs(grids, "base", "urial"), base.rng, opts);
  const instructVsUrial = pairedGaps(t, ids, decodingGapSpecs(grids, "urial", "instruct"), base.rng, opts);
  return { ...base, grids, urialVsBase, instructVsUrial };
}

/** Fig. 1 / 10 / 11: one heatmap per base model × repetition penalty × setting, one colour scale. */
export function heatmaps(s: DecodingSection): FigureResult | EmptyResult {
  if (s.grids.length === 0) return nothingToShow("figure", NO_GRID);
  const input = decodingHeatmapInput(s.grids);
  return figureResult(heatmapGrid(input, { title: "1st-turn MT-Bench over temperature x top-p", colorbarTitle: "1st turn", exampleData: s.dump.example }), s.dump.example);
}

/** Every grid cell as a table. */
export function cells(s: DecodingSection): TableResult | EmptyResult {
  return tableResult(decodingTableLayout(s.grids, "1st-turn MT-Bench per decoding configuration"), { example: s.dump.example, emptyReason: NO_GRID });
}

/** The 1st-turn scores the paper states at named decoding configurations, beside the dump's. */
export function published(s: DecodingSection): TableResult | EmptyResult {
  return tableResult(decodingReproductionLayout(s.grids, publishedDecodingPoints(loadPublishedTable2())), {
    example: s.dump.example,
    emptyReason: "no base model of the dump has a grid cell at a configuration the paper states (Mistral-7B-v0.2 §2.2, Table 2's URIAL rows)",
  });
}

/** URIAL − base at every configuration, paired over questions. */
export function gapsUrialVsBase(s: DecodingSection): TableResult | EmptyResult {
  return gapTable(s.urialVsBase, "URIAL − base (1st turn), paired over questions", s.dump.example, "no configuration has both base and URIAL runs");
}

/** instruct − URIAL at every configuration, paired over questions. */
export function gapsInstructVsUrial(s: DecodingSection): TableResult | EmptyResult {
  return gapTable(s.instructVsUrial, "instruct − URIAL (1st turn), paired over questions", s.dump.example, "no configuration has both URIAL and instruct runs");
}

/** URIAL − base as a forest plot. */
export function gapsUrialVsBaseFigure(s: DecodingSection): FigureResult | EmptyResult {
  return gapFigure(s.urialVsBase, { title: "URIAL − base, 1st turn (paired 95% CI)", xTitle: "score gap", example: s.dump.example, emptyReason: "no configuration has both base and URIAL runs" });
}
