/**
 * Typed loaders for Zhao et al. Tables 1, 3, 5 and 6 as bundled in data/paper/ (see
 * data/paper/README.md for provenance). `parseX(text, file)` are pure; `loadX()` read the CSV.
 * The row types are what the section analyses (lib/analysis/greedy.ts, qaMatching.ts) compare
 * a dump with.
 */
import { InputError } from "../model/errors";
import { ABLATIONS, type Ablation } from "../model/manifest";
import { type CsvTable, parseCsv } from "./csv";
import { readTextFile } from "./jsonl";
import { paperTablePath } from "./paperTables";

type Row = CsvTable["rows"][number];

/** A published row of Tables 1, 5 or 6: a base model's prompt with k greedy examples (0 = URIAL). */
export interface PublishedPromptRow {
  baseModel: string;
  demoSource: string;
  /** Examples added by greedy search to URIAL (0 = plain URIAL). */
  greedyExamples: number;
  mtbenchTurn1: number | null;
  alpacaEvalLc: number | null;
  /** Base model whose search found the prompt (Table 6), else null. */
  promptFrom: string | null;
  /** "table1", "table5" or "table6". */
  table: string;
}

/** A published cell of Table 3 (1st-turn MT-Bench). */
export interface PublishedQaCell {
  baseModel: string;
  /** Size of the demo set: 3 (URIAL) or 6 (URIAL + greedy search). */
  demoSet: number;
  ablation: Ablation;
  turn1: number | null;
}

function cell(r: Row, field: string, file: string): string {
  const v = r.values[field];
  if (v === undefined) throw new InputError({ file, line: r.line, field }, "column missing");
  return v.trim();
}

function num(r: Row, field: string, file: string): number | null {
  const v = cell(r, field, file);
  if (v === "") return null;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new InputError({ file, line: r.line, field }, `expected a number, got "${v}"`);
  return x;
}

function int(r: Row, field: string, file: string): number {
  const x = num(r, field, file);
  if (x === null || !Number.isInteger(x) || x < 0) throw new InputError({ file, line: r.line, field }, `expected a non-negative integer, got "${cell(r, field, file)}"`);
  return x;
}

function str(r: Row, field: string, file: string): string {
  const v = cell(r, field, file);
  if (v === "") throw new InputError({ file, line: r.line, field }, "is required");
  return v;
}

/**
 * Tables 1, 5, 6: `base_model,demo_source,prompt_from,greedy_examples,mtbench_turn1,alpacaeval_lc`
 * (`prompt_from` empty for the base model's own prompts).
 */
export function parsePublishedPromptTable(text: string, table: string, file = `<${table}.csv>`): PublishedPromptRow[] {
  return parseCsv(text, file).rows.map((r) => {
    const from = r.values["prompt_from"]?.trim() ?? "";
    return {
      baseModel: str(r, "base_model", file),
      demoSource: str(r, "demo_source", file),
      greedyExamples: int(r, "greedy_examples", file),
      mtbenchTurn1: num(r, "mtbench_turn1", file),
      alpacaEvalLc: num(r, "alpacaeval_lc", file),
      promptFrom: from === "" ? null : from,
      table,
    };
  });
}

/** Table 3: `base_model,demo_set,ablation,turn1` (ablation as in the manifest, `none` = correct Y). */
export function parsePublishedTable3(text: string, file = "<table3.csv>"): PublishedQaCell[] {
  return parseCsv(text, file).rows.map((r) => {
    const ablation = str(r, "ablation", file);
    if (!(ABLATIONS as readonly string[]).includes(ablation)) throw new InputError({ file, line: r.line, field: "ablation" }, `expected one of ${ABLATIONS.join(", ")}, got "${ablation}"`);
    return { baseModel: str(r, "base_model", file), demoSet: int(r, "demo_set", file), ablation: ablation as Ablation, turn1: num(r, "turn1", file) };
  });
}

/** Zhao et al. Table 1 (SkillMix greedy prompts of Mistral-7B-v0.2 and Llama-3.1-8B). */
export function loadPublishedTable1(path = paperTablePath("table1")): PublishedPromptRow[] {
  return parsePublishedPromptTable(readTextFile(path), "table1", path);
}

/** Zhao et al. Table 5 (Evol-Instruct greedy prompts of Mistral-7B-v0.2). */
export function loadPublishedTable5(path = paperTablePath("table5")): PublishedPromptRow[] {
  return parsePublishedPromptTable(readTextFile(path), "table5", path);
}

/** Zhao et al. Table 6 (greedy prompts transferred from Mistral-7B-v0.2). */
export function loadPublishedTable6(path = paperTablePath("table6")): PublishedPromptRow[] {
  return parsePublishedPromptTable(readTextFile(path), "table6", path);
}

/** Zhao et al. Table 3 (question-answer matching). */
export function loadPublishedTable3(path = paperTablePath("table3")): PublishedQaCell[] {
  return parsePublishedTable3(readTextFile(path), path);
}
