/**
 * Zhao et al. App. D (Table 6): transferability of the greedy-search prompt found on one base
 * model (Mistral-7B-v0.2, Evol-Instruct, Table 5) to other base models (Llama-2-7B-80k,
 * Mixtral-8x22B-v0.1-4bit). Transferred runs are `icl-greedy` runs with `prompt_from` set;
 * each base model's URIAL run is the first row. Built on lib/analysis/greedy.ts.
 */
import { type PromptRun, promptRuns } from "./greedy";
import type { ScoredRun } from "./runJoin";

/** The transferred prompts' runs (and each target's URIAL run). */
export function transferRuns(runs: readonly ScoredRun[]): PromptRun[] {
  return promptRuns(runs, { transferred: true });
}
