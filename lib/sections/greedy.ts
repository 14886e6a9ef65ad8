/**
 * Notebook 04 — greedy search of demonstrations (Zhao et al. §3.2, Tables 1 and 5): the search's
 * candidates per step (judged by the search judge, GPT-4-Turbo in the paper), the chosen prompts'
 * final MT-Bench and AlpacaEval numbers beside the published ones, and the paired gaps
 * "URIAL + greedy − URIAL".
 */
import { type GreedySearch, type PromptRun, greedySearches, greedyStepsInput, greedyStepsLayout, promptComparisons, promptGapSpecs, promptRuns, promptTableLayout, publishedPromptLayout } from "../analysis/greedy";
import { type PairedGap, alpacaComparisonGaps, pairedGaps } from "../analysis/pairedGaps";
import { scoredRuns } from "../analysis/runJoin";
import { type Dump, openDump } from "../dump";
import { greedySteps } from "../figures/greedySteps";
import { type PublishedPromptRow, loadPublishedTable1, loadPublishedTable5 } from "../io/paperTablesMore";
import { type EmptyResult, type FigureResult, type TableResult, type TextResult, nothingToShow } from "../notebook/shown";
import { alpacaSummaries, describeAlpacaDump } from "../pipeline/alpacaEvalDump";
import { dumpJudges } from "../pipeline/judgeFiles";
import { type SectionBase, type SectionParams, gapFigure, gapTable, figureResult, judgeNoiseOf, openSectionBase, questionIdsOfDump, tableResult } from "./section";

export interface GreedyParams extends SectionParams {
  /** The judge of the search's candidates (the paper: gpt-4-turbo); its file is optional. */
  searchJudge?: string;
}

export interface GreedySection extends SectionBase {
  searchJudge: string;
  /** The search judge's judgments, null when the dump has no `<searchJudge>_single.jsonl`. */
  search: Dump | null;
  searches: GreedySearch[];
  table1: PublishedPromptRow[];
  table5: PublishedPromptRow[];
  table1Runs: PromptRun[];
  table5Runs: PromptRun[];
  mtbenchGaps: PairedGap[];
  alpacaGaps: PairedGap[];
}

export const EXAMPLE_DUMP = "data/examples/greedy";

/** The set-up cell: reads the final judge's and the search judge's judgments, the searches and the gaps. */
export async function open(p: GreedyParams = { dump: EXAMPLE_DUMP, judge: "gpt-4" }): Promise<GreedySection> {
  const base = await openSectionBase(p);
  const searchJudge = p.searchJudge ?? "gpt-4-turbo";
  const dump = base.dump;
  const search = dumpJudges(dump.dir).includes(searchJudge) ? await openDump(dump.dir, { judge: searchJudge, dedupe: dump.dedupe, ...(p.manifest === undefined ? {} : { manifest: p.manifest }) }) : null;
  const manifestRows = dump.manifest?.rows ?? null;
  const finalRuns = scoredRuns(dump.run.scores, manifestRows);
  const searchRuns = search === null ? [] : scoredRuns(search.run.scores, manifestRows);
  const searches = greedySearches(searchRuns, manifestRows ?? [], finalRuns);
  const table1 = loadPublishedTable1();
  const table5 = loadPublishedTable5();
  const table1Runs = promptRuns(finalRuns, { demoSources: ["skillmix"] });
  const table5Runs = promptRuns(finalRuns, { demoSources: ["evol-instruct"] });
  const comparisons = promptComparisons([...table1Runs, ...table5Runs], [...table1, ...table5]);
  const opts = { resamples: base.resamples };
  const mtbenchGaps = pairedGaps(dump.questionScoreTable, questionIdsOfDump(dump), promptGapSpecs(comparisons), base.rng, opts);
  const alpacaGaps = alpacaComparisonGaps(comparisons, dump.alpacaEvalDump?.models ?? new Map(), base.rng, opts);
  const text = [
    base.summary.text,
    "",
    search === null ? `the dump has no ${searchJudge}_single.jsonl (judges: ${dumpJudges(dump.dir).join(", ")}): no search candidates to show` : `search judge:\n${search.describe()}`,
    "",
    describeAlpacaDump(dump.alpacaEvalDump),
  ].join("\n");
  return { ...base, summary: { kind: "text", text }, searchJudge, search, searches, table1, table5, table1Runs, table5Runs, mtbenchGaps, alpacaGaps };
}

const NO_SEARCH = (s: GreedySection): string =>
  s.search === null ? `the dump has no ${s.searchJudge}_single.jsonl with the search's candidates` : "no icl-greedy candidate runs with greedy_step in the manifest";

/** The candidates' 1st-turn scores per step, with the kept prompt and the threshold. */
export function steps(s: GreedySection): FigureResult | EmptyResult {
  if (s.searches.length === 0) return nothingToShow("figure", NO_SEARCH(s));
  const input = greedyStepsInput(s.searches);
  return figureResult(greedySteps(input, { title: `Greedy search: 1st-turn MT-Bench of the candidates (judge ${s.searchJudge})`, exampleData: s.dump.example }), s.dump.example);
}

/** The candidates per step as a table. */
export function stepsTable(s: GreedySection): TableResult | EmptyResult {
  return tableResult(greedyStepsLayout(s.searches, `Candidates per step (judge ${s.searchJudge}); chosen_by says how the kept prompt was identified`), {
    example: s.dump.example,
    emptyReason: NO_SEARCH(s),
  });
}

/** Zhao et al. Table 1 as published. */
export function publishedTable1(s: GreedySection): TableResult | EmptyResult {
  return tableResult(publishedPromptLayout(s.table1, "Zhao et al. Table 1 (published): MT-Bench 1st turn and AlpacaEval 2.0 LC"), { example: false, emptyReason: "data/paper/table1.csv has no rows" });
}

/** Table 1's layout from the dump (SkillMix greedy prompts). */
export function table1(s: GreedySection): TableResult | EmptyResult {
  return tableResult(promptTableLayout(s.table1Runs, s.table1, alpacaSummaries(s.dump.alpacaEvalDump), `Table 1 layout from the dump (judge ${s.dump.judge})`), {
    example: s.dump.example,
    emptyReason: "the dump has no icl-greedy run with demo_source skillmix",
  });
}

/** Zhao et al. Table 5 as published. */
export function publishedTable5(s: GreedySection): TableResult | EmptyResult {
  return tableResult(publishedPromptLayout(s.table5, "Zhao et al. Table 5 (published): greedy prompts from Evol-Instruct"), { example: false, emptyReason: "data/paper/table5.csv has no rows" });
}

/** Table 5's layout from the dump (Evol-Instruct greedy prompts). */
export function table5(s: GreedySection): TableResult | EmptyResult {
  return tableResult(promptTableLayout(s.table5Runs, s.table5, alpacaSummaries(s.dump.alpacaEvalDump), `Table 5 layout from the dump (judge ${s.dump.judge})`), {
    example: s.dump.example,
    emptyReason: "the dump has no icl-greedy run with demo_source evol-instruct",
  });
}

/** URIAL + greedy − URIAL on MT-Bench's 1st turn, paired over questions. */
export function gapsMtBench(s: GreedySection): TableResult | EmptyResult {
  return gapTable(s.mtbenchGaps, `MT-Bench 1st turn (judge ${s.dump.judge}): URIAL + greedy − URIAL`, s.dump.example, "no greedy prompt of the dump has a URIAL run of its base model");
}

/** URIAL + greedy − URIAL on AlpacaEval's win rate, paired by instruction. */
export function gapsAlpacaEval(s: GreedySection): TableResult | EmptyResult {
  return gapTable(s.alpacaGaps, "AlpacaEval 2.0 win rate (points): URIAL + greedy − URIAL, paired by instruction; published_gap = the paper's LC gap", s.dump.example, s.dump.alpacaEvalDump === null ? "the dump has no alpaca_eval/ folder" : "no greedy prompt and its URIAL run both have AlpacaEval annotations");
}

/** The MT-Bench gaps as a forest plot. */
export function gapsFigure(s: GreedySection): FigureResult | EmptyResult {
  return gapFigure(s.mtbenchGaps, { title: "URIAL + greedy − URIAL, MT-Bench 1st turn (paired 95% CI; diamonds: published gap)", xTitle: "score gap", example: s.dump.example, emptyReason: "no greedy prompt of the dump has a URIAL run of its base model" });
}

/** What the search judge's file says (for the summary of a cell). */
export function searchSummary(s: GreedySection): TextResult {
  return { kind: "text", text: s.search === null ? NO_SEARCH(s) : s.search.describe() };
}

/** Judge noise of the search judge, which re-judged its best candidates several times. */
export function searchJudgeNoise(s: GreedySection): TableResult | EmptyResult {
  return s.search === null ? nothingToShow("table", NO_SEARCH(s)) : judgeNoiseOf(s.search);
}
