/**
 * The notebook surface (`import * as wb from "./build/lib/index"` in a tslab cell), grouped as
 * the README lists it. The experiment side (prompts, generation, judging, greedy search,
 * hidden-state jobs) has its own entry, lib/experiment/index.ts, used by the CLI.
 */
// ---------------------------------------------------------------- paths and errors
export { repoRoot, fromRepo, resultsDir, dumpDir } from "./paths";
export { InputError } from "./model/errors";

// ---------------------------------------------------------------- a dump, read once into tables
export { openDump, runsTable, DEFAULT_DEDUPE, type Dump, type DumpProblems, type OpenDumpOptions } from "./dump";
export { DEDUPE_POLICIES, type DedupePolicy } from "./analysis/dedupe";
export type { Question, QuestionId, Judgment } from "./model/mtbench";
export type { RunManifest, RunManifestRow, Setting, Ablation } from "./model/manifest";
export { MTBENCH_CATEGORIES } from "./model/paper";
export { formatCoverage, type CoverageReport } from "./analysis/coverage";

// ---------------------------------------------------------------- section recipes (one per notebook)
export * as urialVsInstruct from "./sections/urialVsInstruct";
export * as decoding from "./sections/decoding";
export * as scaling from "./sections/scaling";
export * as greedy from "./sections/greedy";
export * as qaMatching from "./sections/qaMatching";
export * as iclVsIft from "./sections/iclVsIft";
export * as transfer from "./sections/transfer";
export * as hidden from "./sections/hidden";
export { type SectionBase, type SectionParams, judgeNoiseOf, figureResult, tableResult, tableOfView } from "./sections/section";

// ---------------------------------------------------------------- showing and exporting
export { show, type Showable, type ShowOptions } from "./notebook/show";
export { nothingToShow, type Shown, type TableResult, type FigureResult, type EmptyResult, type TextResult, type ColumnFormat } from "./notebook/shown";
export { showFigure, type ShowFigureOptions } from "./notebook/display";
export { exportFigure, closeFigureExporter } from "./export/exportFigure";

// ---------------------------------------------------------------- tables and statistics for a cell's own analysis
export { op } from "arquero";
export * as aq from "arquero";
export { ss } from "./stats/index";
export { createRng, type Rng } from "./stats/rng";
export { mean } from "./stats/mean";
export { median } from "./stats/median";
export { quantile } from "./stats/quantile";
export { sampleStandardDeviation } from "./stats/sampleStandardDeviation";
export { populationStandardDeviation } from "./stats/populationStandardDeviation";
export { standardError } from "./stats/standardError";
export { tConfidenceInterval } from "./stats/tConfidenceInterval";
export { cosineSimilarity } from "./stats/cosineSimilarity";
export { bootstrapMean } from "./stats/bootstrap";
export { pairedBootstrapMeanDifference } from "./stats/pairedBootstrap";
export { wilcoxonSignedRank } from "./stats/wilcoxon";
export { pairedScoreTest } from "./stats/pairedScoreTest";
export { pairedGaps, pairedGapLayout, gapForestRows, type GapSpec, type PairedGap } from "./analysis/pairedGaps";
export { judgeNoise, describeJudgeNoise, type JudgeNoise } from "./analysis/judgeNoise";

// ---------------------------------------------------------------- published numbers (data/paper)
export { loadPublishedTable2, loadPublishedTable7 } from "./io/paperTables";
export { loadPublishedTable1, loadPublishedTable3, loadPublishedTable5, loadPublishedTable6 } from "./io/paperTablesMore";

// ---------------------------------------------------------------- figure builders and theme
export type { FigureSpec, PlotlyTrace, PlotlyLayout } from "./figures/types";
export { categoryBars } from "./figures/categoryBars";
export { gapForest } from "./figures/gapForest";
export { heatmapGrid } from "./figures/heatmap";
export { curveGrid } from "./figures/scalingCurves";
export { greedySteps } from "./figures/greedySteps";
export { COLUMN_WIDTHS, FONT_FAMILY, FONT_PT, figureHeightIn, type ColumnWidth } from "./figures/theme";

// ---------------------------------------------------------------- AlpacaEval and hidden states
export { loadAlpacaEvalDump, type AlpacaDump } from "./pipeline/alpacaEvalDump";
export { alpacaWinRate } from "./analysis/alpacaEval";
export { loadHiddenDump } from "./io/hiddenDump";
export { loadHiddenExperiments, hiddenDumpRoot, type HiddenExperiments } from "./pipeline/hiddenSections";
