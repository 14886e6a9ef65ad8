/**
 * alpaca_eval's evaluation set (`alpaca_eval.json`, 805 rows): a JSON array of
 * `{"instruction", "output"?, "generator"?, "dataset"?}` (the `output`/`generator` of the set
 * are the reference model's and are not used here), or the same records as JSON Lines.
 *
 * Every row is read: nothing is sliced (the paper's own code loaded `eval[800:]`, 5 of the 805
 * instructions). A row without a string `instruction`, an empty instruction, a non-string
 * `dataset`, or an instruction seen earlier in the file is an InputError naming the file, the
 * line and the field, because alpaca_eval matches a model's outputs to its annotations by
 * instruction: a duplicate would be generated twice and annotated once.
 */
import { InputError } from "../model/errors";
import { lineOfArrayElement } from "./alpacaEval";
import { parseJsonl, readTextFile } from "./jsonl";

/** One instruction of the evaluation set, in file order. */
export interface AlpacaEvalInstruction {
  /** 0-based position in the file (the order model_outputs.json keeps). */
  index: number;
  /** 1-based line where the row starts. */
  line: number;
  instruction: string;
  /** The subset (`helpful_base`, `koala`, `oasst`, `selfinstruct`, `vicuna`), or null when absent. */
  dataset: string | null;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing (the field is missing)";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/**
 * Parses an evaluation set: a JSON array when the text starts with `[`, else JSON Lines.
 * `file` only labels errors. O(total length).
 *
 * @example
 * parseAlpacaEvalInstructions('[{"instruction": "Hi?", "dataset": "oasst"}, {"instruction": "Why?"}]')
 * // [{index: 0, line: 1, instruction: "Hi?", dataset: "oasst"}, {index: 1, line: 1, instruction: "Why?", dataset: null}]
 */
export function parseAlpacaEvalInstructions(text: string, file = "<instructions>"): AlpacaEvalInstruction[] {
  const body = text.startsWith("\ufeff") ? text.slice(1) : text;
  const rows: { line: number; value: unknown }[] = [];
  if (body.trimStart().startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (e) {
      throw new InputError({ file }, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!Array.isArray(value)) throw new InputError({ file, line: 1 }, "expected a JSON array of instructions");
    value.forEach((v: unknown, i) => rows.push({ line: lineOfArrayElement(body, i), value: v }));
  } else {
    for (const r of parseJsonl(body, file)) rows.push(r);
  }
  if (rows.length === 0) throw new InputError({ file }, "no instructions (expected a JSON array or JSON Lines of {\"instruction\", ...})");
  const firstLine = new Map<string, number>();
  return rows.map(({ line, value }, index) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new InputError({ file, line }, `row ${index}: expected a JSON object, got ${describe(value)}`);
    }
    const o = value as Record<string, unknown>;
    const instruction = o["instruction"];
    if (typeof instruction !== "string") throw new InputError({ file, line, field: "instruction" }, `row ${index}: expected a string, got ${describe(instruction)}`);
    if (instruction.trim() === "") throw new InputError({ file, line, field: "instruction" }, `row ${index}: the instruction is empty`);
    const dataset = o["dataset"];
    if (dataset !== undefined && dataset !== null && typeof dataset !== "string") {
      throw new InputError({ file, line, field: "dataset" }, `row ${index}: expected a string, got ${describe(dataset)}`);
    }
    const earlier = firstLine.get(instruction);
    if (earlier !== undefined) {
      throw new InputError({ file, line, field: "instruction" }, `row ${index}: duplicate instruction (first on line ${earlier}): ${describe(instruction)}`);
    }
    firstLine.set(instruction, line);
    return { index, line, instruction, dataset: typeof dataset === "string" ? dataset : null };
  });
}

/** Reads and parses an evaluation set file (JSON array or JSON Lines). */
export function loadAlpacaEvalInstructions(path: string): AlpacaEvalInstruction[] {
  return parseAlpacaEvalInstructions(readTextFile(path), path);
}
