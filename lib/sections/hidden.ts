/**
 * Notebook 08 — hidden states of ICL and IT (Duan et al.): the paper's claims next to the loaded
 * dumps, and Figs. 3–8 and 10 with their one-tailed Wilcoxon signed-rank tests. `open` loads
 * the hidden-state root once; every other function is one cell.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { PAIR_LABELS, SIMILARITY_PAIRS, runSimilarities as simsOf } from "../analysis/hiddenStates";
import { figureHeightIn } from "../figures/theme";
import type { EmptyResult, FigureResult, TableResult, TextResult } from "../notebook/shown";
import { nothingToShow } from "../notebook/shown";
import { duanClaimsTable } from "../pipeline/hiddenClaims";
import {
  FIG3_PANELS,
  FIG8_PANELS,
  type HiddenExperiments,
  type HiddenFigureResult,
  describeHiddenExperiments,
  groupedSimilarityFigure,
  hiddenDumpRoot,
  layerFigure,
  loadHiddenExperiments,
  lossDecreaseFigure,
  similarityBoxFigure,
  wrongLabelAccuracyFigure,
} from "../pipeline/hiddenSections";

export interface HiddenSection {
  experiments: HiddenExperiments;
  summary: TextResult;
}

/**
 * The set-up cell: `root` (default: `$ICL_HIDDEN_DUMP`, else `$ICL_DUMP_DIR/hidden` — a user's dump
 * without one is an error, never the bundled example — else the bundled SmolLM2 example).
 */
export function open(root: string = hiddenDumpRoot()): HiddenSection {
  const experiments = loadHiddenExperiments(root);
  return { experiments, summary: { kind: "text", text: describeHiddenExperiments(experiments) } };
}

function figure(r: HiddenFigureResult, example: boolean): FigureResult | EmptyResult {
  if (r.figure.data.length === 0) return nothingToShow("figure", `no experiment of the dump feeds it. ${r.text}`);
  return { kind: "figure", figure: r.figure, size: "double", heightIn: figureHeightIn(r.figure), notes: [r.text], example };
}

/** One row per claim of Duan et al. (footnote 6, the figures), beside the same quantity on these dumps. */
export function claims(s: HiddenSection): TableResult {
  return duanClaimsTable(s.experiments);
}

/** Fig. 3: ICL and IT converge (basic, wrong label, different task), with the footnote-6 tests. */
export function fig3(s: HiddenSection): FigureResult | EmptyResult {
  return figure(similarityBoxFigure(s.experiments, FIG3_PANELS, "Fig. 3: hidden-state similarities (last layer)"), s.experiments.example);
}

/** Fig. 4: similarities by demonstration–inference similarity level. */
export function fig4(s: HiddenSection): FigureResult | EmptyResult {
  return figure(groupedSimilarityFigure(s.experiments, "similarity", "Fig. 4: similarities by demonstration–inference similarity level"), s.experiments.example);
}

/** Fig. 5: similarities by number of demonstrations. */
export function fig5(s: HiddenSection): FigureResult | EmptyResult {
  return figure(groupedSimilarityFigure(s.experiments, "n-demos", "Fig. 5: similarities by number of demonstrations"), s.experiments.example);
}

/** Fig. 6: accuracy with right vs wrong demonstration labels. */
export function fig6(s: HiddenSection): FigureResult | EmptyResult {
  return figure(wrongLabelAccuracyFigure(s.experiments, "Fig. 6: accuracy with right vs wrong demonstration labels"), s.experiments.example);
}

/** Fig. 7: similarities at every layer. */
export function fig7(s: HiddenSection): FigureResult | EmptyResult {
  return figure(layerFigure(s.experiments, "Fig. 7: similarities by layer"), s.experiments.example);
}

/** Fig. 8: larger model, supervised learning, translation. */
export function fig8(s: HiddenSection): FigureResult | EmptyResult {
  return figure(similarityBoxFigure(s.experiments, FIG8_PANELS, "Fig. 8: additional analyses (last layer)"), s.experiments.example);
}

/** Fig. 10: per-token loss decrease due to tuning. */
export function fig10(s: HiddenSection): FigureResult | EmptyResult {
  return figure(lossDecreaseFigure(s.experiments, "Fig. 10: per-token loss decrease due to tuning"), s.experiments.example);
}

/**
 * The per-run similarities of one experiment at a layer (default the last) as a long arquero
 * table: experiment, run, seed, group, layer, pair (the paper's label), similarity. Empty when the
 * dumps lack the experiment.
 */
export function runSimilarities(s: HiddenSection, experiment: string, layer: "last" | number = "last"): ColumnTable {
  const d = s.experiments.dumps[experiment];
  const rows = d === undefined ? [] : simsOf(d, layer).flatMap((r) => SIMILARITY_PAIRS.map((p) => ({ experiment, run: r.run, seed: r.seed, group: r.group, layer: r.layer, pair: PAIR_LABELS[p], similarity: r[p] })));
  const cols = ["experiment", "run", "seed", "group", "layer", "pair", "similarity"] as const;
  return aq.table(Object.fromEntries(cols.map((c) => [c, rows.map((r) => r[c])])));
}
