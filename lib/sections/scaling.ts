/**
 * Notebook 03 — scaling over the number of demonstrations (Zhao et al. §3.1): MT-Bench of
 * ICL runs with random or greedy demonstrations, mean ± std over seeds with a bootstrap band,
 * and paired gaps of each point against URIAL on the same questions.
 */
import { type PairedGap, pairedGaps } from "../analysis/pairedGaps";
import { scoredRuns } from "../analysis/runJoin";
import { type ScalingResult, scalingCurveInput, scalingGapSpecs, scalingPublishedLayout, scalingResult, scalingTableLayout, withCurveIntervals } from "../analysis/scaling";
import { curveGrid } from "../figures/scalingCurves";
import { loadPublishedTable2 } from "../io/paperTables";
import { loadPublishedTable1, loadPublishedTable3 } from "../io/paperTablesMore";
import { type EmptyResult, type FigureResult, type TableResult, nothingToShow } from "../notebook/shown";
import { type SectionBase, type SectionParams, gapFigure, gapTable, figureResult, openSectionBase, questionIdsOfDump, tableResult } from "./section";

export interface ScalingSection extends SectionBase {
  /** Curves with their bootstrap intervals. */
  scaling: ScalingResult;
  /** Each point − URIAL, paired over questions. */
  gaps: PairedGap[];
}

export const EXAMPLE_DUMP = "data/examples/scaling";

const NO_CURVE = "the dump has no icl-random or icl-greedy run with n_demos set (see data/README.md)";

/** The set-up cell: reads the dump, the curves, their intervals and the gaps (bootstrap in this order). */
export async function open(p: SectionParams = { dump: EXAMPLE_DUMP }): Promise<ScalingSection> {
  const base = await openSectionBase(p);
  const res = scalingResult(scoredRuns(base.dump.run.scores, base.dump.manifest?.rows ?? null), { kinds: ["icl-random", "icl-greedy"] });
  const t = base.dump.questionScoreTable;
  const ids = questionIdsOfDump(base.dump);
  const opts = { resamples: base.resamples };
  const scaling = withCurveIntervals(res, t, ids, base.rng, opts);
  const gaps = pairedGaps(t, ids, scalingGapSpecs(res), base.rng, opts);
  return { ...base, scaling, gaps };
}

/** MT-Bench vs number of demonstrations, per base model and turn. */
export function curves(s: ScalingSection): FigureResult | EmptyResult {
  if (s.scaling.curves.length === 0) return nothingToShow("figure", NO_CURVE);
  const input = scalingCurveInput(s.scaling);
  return figureResult(curveGrid(input, { title: "MT-Bench vs number of demonstrations (mean ± std over seeds; band: bootstrap 95% CI)", xType: "log", exampleData: s.dump.example }), s.dump.example);
}

/** Every point: mean and std over seeds, bootstrap interval. */
export function points(s: ScalingSection): TableResult | EmptyResult {
  return tableResult(scalingTableLayout(s.scaling, "Scaling points: mean and std over seeds, bootstrap 95% CI"), { example: s.dump.example, emptyReason: NO_CURVE });
}

/** The published numbers (Tables 1–3) beside the dump's points. */
export function published(s: ScalingSection): TableResult | EmptyResult {
  return tableResult(scalingPublishedLayout(s.scaling, loadPublishedTable1(), loadPublishedTable2(), loadPublishedTable3()), {
    example: s.dump.example,
    emptyReason: "no point of the dump has a published counterpart",
  });
}

/** Each point − URIAL on the same questions. */
export function gapsVsUrial(s: ScalingSection): TableResult | EmptyResult {
  return gapTable(s.gaps, "point − URIAL on the same questions (both turns)", s.dump.example, "the dump has no URIAL run of a base model with scaling points");
}

/** Each point − URIAL as a forest plot. */
export function gapsVsUrialFigure(s: ScalingSection): FigureResult | EmptyResult {
  return gapFigure(s.gaps, { title: "Demonstrations vs URIAL: paired gaps (95% CI)", xTitle: "score gap vs URIAL", example: s.dump.example, emptyReason: "the dump has no URIAL run of a base model with scaling points" });
}
