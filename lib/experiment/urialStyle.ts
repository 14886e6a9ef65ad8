/**
 * The bridge between URIAL prompt files (lib/experiment/prompts) and generation: a URIAL
 * prompt as a completion-mode PromptStyle. This is the only module of the experiment runner
 * that imports the prompts module, and commands load it lazily (only with --prompt).
 */
import type { PromptStyle } from "./generation";
import type { DemoPair } from "./candidates";
import { cleanAnswer, loadUrialPrompt, prependDemos, renderQuery, renderSecondTurn, type UrialPrompt } from "./prompts";

export type { UrialPrompt };

/** Reads a URIAL-format prompt file. */
export function readUrialPrompt(file: string): UrialPrompt {
  return loadUrialPrompt(file);
}

/** The number of demonstrations in a prompt (for the manifest's n_demos). */
export function demoCount(prompt: UrialPrompt): number {
  return prompt.demos.length;
}

/** Completion requests with the URIAL prompt; answers cleaned of the answer block's fence. */
export function urialPromptStyle(prompt: UrialPrompt): PromptStyle {
  return {
    kind: "completion",
    turn1: (q) => renderQuery(prompt, q.turns[0] as string),
    turn2: (q, answer1) => renderSecondTurn(prompt, q.turns[0] as string, answer1, q.turns[1] as string),
    clean: cleanAnswer,
  };
}

/**
 * The paper's "base (no ICL)" prompts, with no demonstration: `rules` keeps the rules preamble
 * of `prompt` (URIAL's, as `prompt --ablation no_demos` prints it); `none` is no prompt at all,
 * so a turn-1 request is only the query block "# Query:\n```\n{q}\n```\n\n# Answer:\n```\n".
 */
export function basePrompt(kind: "rules" | "none", prompt: UrialPrompt | null): UrialPrompt {
  if (kind === "none") return { preamble: "", demos: [], trailer: "" };
  if (prompt === null) throw new RangeError("basePrompt: the rules preamble needs a prompt file");
  return { preamble: prompt.preamble, demos: [], trailer: "" };
}

/** The style of `prompt` with `demos` inserted before its own demos (greedy search, Fig. 8). */
export function urialStyleWithDemos(prompt: UrialPrompt, demos: readonly DemoPair[]): PromptStyle {
  return urialPromptStyle(prependDemos(prompt, demos));
}
