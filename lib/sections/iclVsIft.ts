/**
 * Notebook 06 — ICL vs instruction fine-tuning in the low-data regime (Zhao et al. §3.4): both
 * as curves over the number of examples, and IFT − ICL at equal data on the same questions.
 */
import { iclVsIftComparisons, iclVsIftCurveInput, iclVsIftGapSpecs, iclVsIftResult } from "../analysis/iclVsIft";
import { type PairedGap, pairedGaps } from "../analysis/pairedGaps";
import { scoredRuns } from "../analysis/runJoin";
import { type ScalingResult, scalingPublishedLayout, scalingTableLayout, withCurveIntervals } from "../analysis/scaling";
import { curveGrid } from "../figures/scalingCurves";
import { loadPublishedTable2 } from "../io/paperTables";
import { loadPublishedTable3 } from "../io/paperTablesMore";
import { type EmptyResult, type FigureResult, type TableResult, nothingToShow } from "../notebook/shown";
import { type SectionBase, type SectionParams, gapFigure, gapTable, figureResult, openSectionBase, questionIdsOfDump, tableResult } from "./section";

export interface IclVsIftSection extends SectionBase {
  /** ICL and IFT curves with their bootstrap intervals. */
  result: ScalingResult;
  /** IFT − ICL at equal data. */
  gaps: PairedGap[];
}

export const EXAMPLE_DUMP = "data/examples/icl-vs-ift";

const NO_CURVE = "the dump has no ift run with n_train set beside icl-random runs (see data/README.md)";

/** The set-up cell: reads the dump, the curves, their intervals and the gaps (bootstrap in this order). */
export async function open(p: SectionParams = { dump: EXAMPLE_DUMP }): Promise<IclVsIftSection> {
  const base = await openSectionBase(p);
  const res = iclVsIftResult(scoredRuns(base.dump.run.scores, base.dump.manifest?.rows ?? null));
  const t = base.dump.questionScoreTable;
  const ids = questionIdsOfDump(base.dump);
  const opts = { resamples: base.resamples };
  const result = withCurveIntervals(res, t, ids, base.rng, opts);
  const gaps = pairedGaps(t, ids, iclVsIftGapSpecs(iclVsIftComparisons(res)), base.rng, opts);
  return { ...base, result, gaps };
}

/** ICL and IFT over the number of examples, per base model and turn. */
export function curves(s: IclVsIftSection): FigureResult | EmptyResult {
  if (s.result.curves.length === 0) return nothingToShow("figure", NO_CURVE);
  const input = iclVsIftCurveInput(s.result);
  return figureResult(curveGrid(input, { title: "ICL vs IFT (mean ± std over seeds; band: bootstrap 95% CI)", xType: "log", exampleData: s.dump.example }), s.dump.example);
}

/** Every point of both curves. */
export function points(s: IclVsIftSection): TableResult | EmptyResult {
  return tableResult(scalingTableLayout(s.result, "ICL vs IFT points: mean and std over seeds, bootstrap 95% CI"), { example: s.dump.example, emptyReason: NO_CURVE });
}

/** The published reference numbers (Tables 2 and 3) beside the dump's. */
export function published(s: IclVsIftSection): TableResult | EmptyResult {
  return tableResult(scalingPublishedLayout(s.result, [], loadPublishedTable2(), loadPublishedTable3()), { example: s.dump.example, emptyReason: "no point of the dump has a published counterpart" });
}

/** IFT − ICL at equal data on the same questions. */
export function gaps(s: IclVsIftSection): TableResult | EmptyResult {
  return gapTable(s.gaps, "IFT − ICL on the same questions (crossed bootstrap over questions and seeds)", s.dump.example, "no amount of data has both ICL and IFT runs");
}

/** IFT − ICL as a forest plot. */
export function gapsFigure(s: IclVsIftSection): FigureResult | EmptyResult {
  return gapFigure(s.gaps, { title: "IFT − ICL at equal data (95% CI)", xTitle: "score gap (IFT − ICL)", example: s.dump.example, emptyReason: "no amount of data has both ICL and IFT runs" });
}
