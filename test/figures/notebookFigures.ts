/**
 * Every figure the notebooks 01-08 draw, built from the bundled example dumps through the same
 * analysis calls the notebooks make (see notebooks/*.ipynb), at a given column width. The
 * figure-layout test exports each one through headless Chromium and measures its text.
 * Bootstraps use fewer resamples than the notebooks (the intervals' width does not change the
 * layout, only the numbers) and the notebooks' seed.
 */
import * as wb from "../support/libAll";
import { greedySteps, greedyStepsHeight } from "../../lib/figures/greedySteps";
import { gapForest, gapForestHeight } from "../../lib/figures/gapForest";
import { heatmapGrid, heatmapGridHeight } from "../../lib/figures/heatmap";
import { curveGrid, curveGridHeight } from "../../lib/figures/scalingCurves";
import { categoryBarsHeight } from "../../lib/figures/categoryBars";
import { hiddenFigureHeight } from "../../lib/figures/hiddenStates";
import type { ColumnWidth } from "../../lib/figures/theme";
import type { FigureSpec } from "../../lib/figures/types";
import {
  FIG3_PANELS,
  FIG8_PANELS,
  groupedSimilarityFigure,
  layerFigure,
  loadHiddenExperiments,
  lossDecreaseFigure,
  similarityBoxFigure,
  wrongLabelAccuracyFigure,
} from "../../lib/pipeline/hiddenSections";

/** One figure as a notebook exports it: its file name, spec and print height at a width. */
export interface NotebookFigure {
  name: string;
  figure: FigureSpec;
  heightIn: number;
}

const SEED = 20240601;
const RESAMPLES = 200;
const JUDGE = "gpt-4";
const DEDUPE: wb.DedupePolicy = "last";

function example(dir: string): string {
  return wb.fromRepo("data", "examples", dir);
}

async function questionData(run: wb.MtBenchRun) {
  const judgments = await wb.loadRunJudgments(run);
  return { questionScores: wb.questionScoreTable(judgments, DEDUPE), questionIds: run.questions.map((q) => q.questionId), rng: wb.createRng(SEED) };
}

function gapFigure(name: string, gaps: readonly wb.PairedGap[], title: string, xTitle: string, example: boolean, width: ColumnWidth): NotebookFigure {
  const rows = wb.gapForestRows(gaps);
  const opts = { title, xTitle, level: 0.95, exampleData: example, width };
  return { name, figure: gapForest(rows, opts), heightIn: gapForestHeight(rows, opts) };
}

async function nb01(width: ColumnWidth): Promise<NotebookFigure[]> {
  const run = await wb.loadMtBenchRun(example("mtbench-urial"), { dedupe: DEDUPE });
  const rows = wb.urialVsInstructRows(run.scores, run.manifest?.rows ?? null);
  const table7 = wb.loadPublishedTable7();
  const dumpBars = wb.categorySeriesFromRows(rows, wb.MTBENCH_CATEGORIES);
  const published = wb.categorySeriesFromPublished(table7, wb.MTBENCH_CATEGORIES, [...new Set(rows.map((r) => r.baseModel))]);
  return [
    { name: "01-category-bars", figure: wb.categoryBars(dumpBars, { title: "MT-Bench per category: base + URIAL vs instruct", exampleData: run.files.example, width }), heightIn: categoryBarsHeight(dumpBars, { title: "MT-Bench per category: base + URIAL vs instruct", exampleData: run.files.example, width }) },
    { name: "01-category-bars-published", figure: wb.categoryBars(published, { title: "Published (Zhao et al. Table 7)", width }), heightIn: categoryBarsHeight(published, { title: "Published (Zhao et al. Table 7)", width }) },
  ];
}

async function nb02(width: ColumnWidth): Promise<NotebookFigure[]> {
  const run = await wb.loadMtBenchRun(example("decoding"), { judge: JUDGE, dedupe: DEDUPE });
  const grids = wb.decodingGrids(wb.scoredRuns(run.scores, run.manifest?.rows ?? null));
  const input = wb.decodingHeatmapInput(grids);
  const { questionScores, questionIds, rng } = await questionData(run);
  const gaps = wb.pairedGaps(questionScores, questionIds, wb.decodingGapSpecs(grids, "base", "urial"), rng, { resamples: RESAMPLES });
  return [
    { name: "02-decoding-heatmaps", figure: heatmapGrid(input, { title: "1st-turn MT-Bench over temperature x top-p", colorbarTitle: "1st turn", exampleData: run.files.example, width }), heightIn: heatmapGridHeight(input, { title: "1st-turn MT-Bench over temperature x top-p", colorbarTitle: "1st turn", exampleData: run.files.example, width }) },
    gapFigure("02-gaps-urial-vs-base", gaps, "URIAL − base, 1st turn (paired 95% CI)", "score gap", run.files.example, width),
  ];
}

async function nb03(width: ColumnWidth): Promise<NotebookFigure[]> {
  const run = await wb.loadMtBenchRun(example("scaling"), { judge: JUDGE, dedupe: DEDUPE });
  const scaling = wb.scalingResult(wb.scoredRuns(run.scores, run.manifest?.rows ?? null), { kinds: ["icl-random", "icl-greedy"] });
  const { questionScores, questionIds, rng } = await questionData(run);
  const input = wb.scalingCurveInput(wb.withCurveIntervals(scaling, questionScores, questionIds, rng, { resamples: RESAMPLES }));
  const gaps = wb.pairedGaps(questionScores, questionIds, wb.scalingGapSpecs(scaling), rng, { resamples: RESAMPLES });
  return [
    { name: "03-scaling", figure: curveGrid(input, { title: "MT-Bench vs number of demonstrations (mean ± std over seeds; band: bootstrap 95% CI)", xType: "log", exampleData: run.files.example, width }), heightIn: curveGridHeight(input, { title: "MT-Bench vs number of demonstrations (mean ± std over seeds; band: bootstrap 95% CI)", xType: "log", exampleData: run.files.example, width }) },
    gapFigure("03-gaps-vs-urial", gaps, "Demonstrations vs URIAL: paired gaps (95% CI)", "score gap vs URIAL", run.files.example, width),
  ];
}

async function nb04(width: ColumnWidth): Promise<NotebookFigure[]> {
  const dump = example("greedy");
  const run = await wb.loadMtBenchRun(dump, { judge: JUDGE, dedupe: DEDUPE });
  const search = await wb.loadMtBenchRunIfJudged(dump, { judge: "gpt-4-turbo", dedupe: DEDUPE });
  const finalRuns = wb.scoredRuns(run.scores, run.manifest?.rows ?? null);
  const searchRuns = search === null ? [] : wb.scoredRuns(search.scores, search.manifest?.rows ?? null);
  const stepsInput = wb.greedyStepsInput(wb.greedySearches(searchRuns, run.manifest?.rows ?? [], finalRuns));
  const table1Runs = wb.promptRuns(finalRuns, { demoSources: ["skillmix"] });
  const table5Runs = wb.promptRuns(finalRuns, { demoSources: ["evol-instruct"] });
  const comparisons = wb.promptComparisons([...table1Runs, ...table5Runs], [...wb.loadPublishedTable1(), ...wb.loadPublishedTable5()]);
  const { questionScores, questionIds, rng } = await questionData(run);
  const gaps = wb.pairedGaps(questionScores, questionIds, wb.promptGapSpecs(comparisons), rng, { resamples: RESAMPLES });
  return [
    { name: "04-greedy-steps", figure: greedySteps(stepsInput, { title: "Greedy search: 1st-turn MT-Bench of the candidates (judge gpt-4-turbo)", exampleData: run.files.example, width }), heightIn: greedyStepsHeight(stepsInput, { title: "Greedy search: 1st-turn MT-Bench of the candidates (judge gpt-4-turbo)", exampleData: run.files.example, width }) },
    gapFigure("04-gaps", gaps, "URIAL + greedy − URIAL, MT-Bench 1st turn (paired 95% CI; diamonds: published gap)", "score gap", run.files.example, width),
  ];
}

async function nb05(width: ColumnWidth): Promise<NotebookFigure[]> {
  const run = await wb.loadMtBenchRun(example("qa-matching"), { judge: JUDGE, dedupe: DEDUPE });
  const qaCells = wb.qaMatchingCells(wb.scoredRuns(run.scores, run.manifest?.rows ?? null));
  const bars = wb.table3BarsInput(qaCells);
  const { questionScores, questionIds, rng } = await questionData(run);
  const gaps = wb.pairedGaps(questionScores, questionIds, wb.qaGapSpecs(wb.qaComparisons(qaCells, wb.loadPublishedTable3())), rng, { resamples: RESAMPLES });
  return [
    { name: "05-table3", figure: wb.categoryBars(bars, { title: "1st-turn MT-Bench by question-answer matching", yTitle: "MT-Bench 1st turn", exampleData: run.files.example, width }), heightIn: categoryBarsHeight(bars, { title: "1st-turn MT-Bench by question-answer matching", yTitle: "MT-Bench 1st turn", exampleData: run.files.example, width }) },
    gapFigure("05-gaps", gaps, "Ablation − correct Y, 1st turn (paired 95% CI; diamonds: published gap)", "score gap", run.files.example, width),
  ];
}

async function nb06(width: ColumnWidth): Promise<NotebookFigure[]> {
  const run = await wb.loadMtBenchRun(example("icl-vs-ift"), { judge: JUDGE, dedupe: DEDUPE });
  const iclIft = wb.iclVsIftResult(wb.scoredRuns(run.scores, run.manifest?.rows ?? null));
  const { questionScores, questionIds, rng } = await questionData(run);
  const input = wb.iclVsIftCurveInput(wb.withCurveIntervals(iclIft, questionScores, questionIds, rng, { resamples: RESAMPLES }));
  const gaps = wb.pairedGaps(questionScores, questionIds, wb.iclVsIftGapSpecs(wb.iclVsIftComparisons(iclIft)), rng, { resamples: RESAMPLES });
  return [
    { name: "06-icl-vs-ift", figure: curveGrid(input, { title: "ICL vs IFT (mean ± std over seeds; band: bootstrap 95% CI)", xType: "log", exampleData: run.files.example, width }), heightIn: curveGridHeight(input, { title: "ICL vs IFT (mean ± std over seeds; band: bootstrap 95% CI)", xType: "log", exampleData: run.files.example, width }) },
    gapFigure("06-gaps", gaps, "IFT − ICL at equal data (95% CI)", "score gap (IFT − ICL)", run.files.example, width),
  ];
}

async function nb07(width: ColumnWidth): Promise<NotebookFigure[]> {
  const run = await wb.loadMtBenchRun(example("transfer"), { judge: JUDGE, dedupe: DEDUPE });
  const transferRuns = wb.transferRuns(wb.scoredRuns(run.scores, run.manifest?.rows ?? null));
  const comparisons = wb.promptComparisons(transferRuns, wb.loadPublishedTable6());
  const { questionScores, questionIds, rng } = await questionData(run);
  const gaps = wb.pairedGaps(questionScores, questionIds, wb.promptGapSpecs(comparisons), rng, { resamples: RESAMPLES });
  return [gapFigure("07-gaps", gaps, "Transferred prompts − URIAL, MT-Bench 1st turn (paired 95% CI; diamonds: published gap)", "score gap", run.files.example, width)];
}

function nb08(width: ColumnWidth): NotebookFigure[] {
  const exps = loadHiddenExperiments(example("hidden-tiny"));
  const figs = [
    ["08-fig3", similarityBoxFigure(exps, FIG3_PANELS, "Fig. 3: hidden-state similarities (last layer)", undefined, width)],
    ["08-fig4", groupedSimilarityFigure(exps, "similarity", "Fig. 4: similarities by demonstration–inference similarity level", undefined, width)],
    ["08-fig5", groupedSimilarityFigure(exps, "n-demos", "Fig. 5: similarities by number of demonstrations", undefined, width)],
    ["08-fig6", wrongLabelAccuracyFigure(exps, "Fig. 6: accuracy with right vs wrong demonstration labels", undefined, width)],
    ["08-fig7", layerFigure(exps, "Fig. 7: similarities by layer", undefined, undefined, width)],
    ["08-fig8", similarityBoxFigure(exps, FIG8_PANELS, "Fig. 8: additional analyses (last layer)", undefined, width)],
    ["08-fig10", lossDecreaseFigure(exps, "Fig. 10: per-token loss decrease due to tuning", undefined, undefined, width)],
  ] as const;
  return figs.map(([name, r]) => ({ name, figure: r.figure, heightIn: hiddenFigureHeight(r.figure) }));
}

/** Every notebook figure at one column width, in notebook order. */
export async function notebookFigures(width: ColumnWidth): Promise<NotebookFigure[]> {
  const out: NotebookFigure[] = [];
  for (const nb of [nb01, nb02, nb03, nb04, nb05, nb06, nb07]) out.push(...(await nb(width)));
  out.push(...nb08(width));
  return out;
}
