/**
 * The run manifest: one row per model id of a dump, mapping it to its experimental factors.
 * Every section of the papers is a group-by over these factors joined to scores. Documented
 * for users in data/README.md; validated by lib/io/manifest.ts.
 */

/** How the model was aligned (or not) for this run. */
export const SETTINGS = ["base", "urial", "instruct", "icl-random", "icl-greedy", "ift"] as const;
export type Setting = (typeof SETTINGS)[number];

/** The question/answer-matching ablations of Zhao et al. Table 3 (`none` = correct pairs). */
export const ABLATIONS = [
  "none",
  "no_demos",
  "x_only",
  "y_only",
  "circular_shift",
  "in_domain_random",
  "out_of_domain_random",
] as const;
export type Ablation = (typeof ABLATIONS)[number];

/** One manifest row. Optional factors are `null` when they do not apply to the run. */
export interface RunManifestRow {
  /** The id the run's answers and judgments carry (`model_id` / `model` in FastChat files). */
  modelId: string;
  /** The model family both a base run and its instruct counterpart share, e.g. "Llama-3.1-8B". */
  baseModel: string;
  setting: Setting;
  /** A display name for tables and legends; defaults to the model id. */
  label: string;
  /** Number of in-context demonstrations in the prompt (URIAL's 3 included). */
  nDemos: number | null;
  /** Whether URIAL's 3 demonstrations are in the prompt (ICL runs). */
  withUrialDemos: boolean | null;
  /** Where added demonstrations come from, e.g. "skillmix", "evol-instruct", "urial". */
  demoSource: string | null;
  /** Number of instruction fine-tuning examples (IFT runs). */
  nTrain: number | null;
  /** Greedy-search step that produced the prompt (1 = 4th demo added to URIAL, ...). */
  greedyStep: number | null;
  /** Seed of the demo sampling / fine-tuning. */
  seed: number | null;
  temperature: number | null;
  topP: number | null;
  repetitionPenalty: number | null;
  ablation: Ablation;
  /** Model whose greedy search found the prompt, when the prompt is transferred (Table 6). */
  promptFrom: string | null;
  /** The judge model, e.g. "gpt-4", "gpt-4-turbo". */
  judge: string;
  /** Prompt file used for generation, relative to the dump directory (provenance only). */
  promptFile: string | null;
  notes: string | null;
}

/** A validated manifest with its source file. */
export interface RunManifest {
  file: string;
  rows: RunManifestRow[];
}

/** Experimental factors a group-by can use (the row's fields other than modelId/label/notes). */
export type ManifestFactor = Exclude<keyof RunManifestRow, "modelId" | "label" | "notes" | "promptFile">;
