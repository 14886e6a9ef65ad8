/**
 * Notebook 07 — transferability (Zhao et al. §3.5, Table 6): prompts found by Mistral-7B-v0.2's
 * greedy search used on other base models, on MT-Bench and AlpacaEval, with paired gaps to URIAL.
 */
import { type PromptRun, promptComparisons, promptGapSpecs, promptTableLayout, publishedPromptLayout } from "../analysis/greedy";
import { type PairedGap, alpacaComparisonGaps, pairedGaps } from "../analysis/pairedGaps";
import { scoredRuns } from "../analysis/runJoin";
import { transferRuns } from "../analysis/transfer";
import { type PublishedPromptRow, loadPublishedTable6 } from "../io/paperTablesMore";
import type { EmptyResult, FigureResult, TableResult } from "../notebook/shown";
import { alpacaSummaries, describeAlpacaDump } from "../pipeline/alpacaEvalDump";
import { type SectionBase, type SectionParams, gapFigure, gapTable, openSectionBase, questionIdsOfDump, tableResult } from "./section";

export interface TransferSection extends SectionBase {
  runs: PromptRun[];
  table6: PublishedPromptRow[];
  mtbenchGaps: PairedGap[];
  alpacaGaps: PairedGap[];
}

export const EXAMPLE_DUMP = "data/examples/transfer";

const NO_RUN = "the dump has no icl-greedy run with prompt_from set (a prompt found on another base model)";

/** The set-up cell: reads the dump, the transferred runs and the gaps. */
export async function open(p: SectionParams = { dump: EXAMPLE_DUMP }): Promise<TransferSection> {
  const base = await openSectionBase(p);
  const dump = base.dump;
  const runs = transferRuns(scoredRuns(dump.run.scores, dump.manifest?.rows ?? null));
  const table6 = loadPublishedTable6();
  const comparisons = promptComparisons(runs, table6);
  const opts = { resamples: base.resamples };
  const mtbenchGaps = pairedGaps(dump.questionScoreTable, questionIdsOfDump(dump), promptGapSpecs(comparisons), base.rng, opts);
  const alpacaGaps = alpacaComparisonGaps(comparisons, dump.alpacaEvalDump?.models ?? new Map(), base.rng, opts);
  const summary = { kind: "text" as const, text: `${base.summary.text}\n\n${describeAlpacaDump(dump.alpacaEvalDump)}` };
  return { ...base, summary, runs, table6, mtbenchGaps, alpacaGaps };
}

/** Zhao et al. Table 6 as published. */
export function publishedTable6(s: TransferSection): TableResult | EmptyResult {
  return tableResult(publishedPromptLayout(s.table6, "Zhao et al. Table 6 (published): prompts from Mistral-7B-v0.2's greedy search on other base models"), { example: false, emptyReason: "data/paper/table6.csv has no rows" });
}

/** Table 6's layout from the dump. */
export function table6(s: TransferSection): TableResult | EmptyResult {
  return tableResult(promptTableLayout(s.runs, s.table6, alpacaSummaries(s.dump.alpacaEvalDump), `Table 6 layout from the dump (judge ${s.dump.judge})`), { example: s.dump.example, emptyReason: NO_RUN });
}

/** URIAL + transferred greedy − URIAL on MT-Bench's 1st turn. */
export function gapsMtBench(s: TransferSection): TableResult | EmptyResult {
  return gapTable(s.mtbenchGaps, "MT-Bench 1st turn: URIAL + transferred greedy − URIAL", s.dump.example, "no transferred prompt has a URIAL run of its base model");
}

/** The same on AlpacaEval's win rate, paired by instruction. */
export function gapsAlpacaEval(s: TransferSection): TableResult | EmptyResult {
  return gapTable(s.alpacaGaps, "AlpacaEval 2.0 win rate (points), paired by instruction; published_gap = the paper's LC gap", s.dump.example, s.dump.alpacaEvalDump === null ? "the dump has no alpaca_eval/ folder" : "no transferred prompt and its URIAL run both have AlpacaEval annotations");
}

/** The MT-Bench gaps as a forest plot. */
export function gapsFigure(s: TransferSection): FigureResult | EmptyResult {
  return gapFigure(s.mtbenchGaps, { title: "Transferred prompts − URIAL, MT-Bench 1st turn (paired 95% CI; diamonds: published gap)", xTitle: "score gap", example: s.dump.example, emptyReason: "no transferred prompt has a URIAL run of its base model" });
}
