/**
 * Consistency checks of one model's AlpacaEval files before any number is computed from them
 * (`alpaca-winrate`): inputs that alpaca_eval would silently turn into a wrong leaderboard row
 * are InputErrors naming the file, the line (where the array element starts) and the field.
 *
 * - `annotations.json`: a preference outside [1, 2] (other than 0, the old draw) is an error
 *   (alpaca_eval drops it from the win rate without a word); a duplicated instruction is an
 *   error naming both elements (it would be counted twice).
 * - `model_outputs.json`: a duplicated instruction is an error; a `generator` other than the
 *   annotations' `generator_2` is an error (another model's outputs give another avg_length).
 * - coverage: every annotated instruction must have an output and every output an annotation;
 *   a partial pair (e.g. 100 of 805 outputs) is an error unless the caller allows it, and then
 *   `alpacaCoverage` says how partial it is.
 *
 * Complexity: O(n) over the rows (plus O(file length) to find a line, only on error).
 */
import { InputError } from "../model/errors";
import { type AlpacaAnnotation, type AlpacaModelOutput, lineOfArrayElement } from "./alpacaEval";

/** A parsed AlpacaEval file with its text (kept to report lines). */
export interface AlpacaInputFile<T> {
  file: string;
  text: string;
  rows: readonly T[];
}

function shorten(s: string): string {
  const one = s.replace(/\s+/g, " ");
  return one.length > 60 ? `${JSON.stringify(one.slice(0, 60))}…` : JSON.stringify(one);
}

function fail<T>(f: AlpacaInputFile<T>, index: number, field: string, problem: string): never {
  throw new InputError({ file: f.file, line: lineOfArrayElement(f.text, index), field }, `element ${index}: ${problem}`);
}

function checkUniqueInstructions<T extends { index: number; instruction: string }>(f: AlpacaInputFile<T>): void {
  const seen = new Map<string, number>();
  for (const r of f.rows) {
    const prev = seen.get(r.instruction);
    if (prev !== undefined) {
      fail(f, r.index, "instruction", `instruction ${shorten(r.instruction)} already appears in element ${prev} (line ${lineOfArrayElement(f.text, prev)}); each instruction must appear once, a duplicate would be counted twice`);
    }
    seen.set(r.instruction, r.index);
  }
}

/** Preferences in range and instructions unique in `annotations.json`. */
export function checkAlpacaAnnotations(f: AlpacaInputFile<AlpacaAnnotation>): void {
  const bad = f.rows.filter((a) => a.preference.kind === "outOfRange");
  const first = bad[0];
  if (first !== undefined) {
    fail(
      f,
      first.index,
      "preference",
      `preference ${String(first.preference.raw)} is outside [1, 2] (0 or 1.5 is a draw, null no preference)${bad.length > 1 ? `; ${bad.length} annotations are out of range` : ""}; alpaca_eval would drop them silently`,
    );
  }
  checkUniqueInstructions(f);
}

/** Unique instructions in `model_outputs.json`, and every `generator` equal to `generator`. */
export function checkModelOutputs(f: AlpacaInputFile<AlpacaModelOutput>, generator: string, annotationsFile: string): void {
  for (const o of f.rows) {
    if (o.generator !== null && o.generator !== generator) {
      fail(f, o.index, "generator", `generator "${o.generator}" is not the annotated model "${generator}" (generator_2 in ${annotationsFile}): these are another model's outputs`);
    }
  }
  checkUniqueInstructions(f);
}

/** How far the annotations and the model outputs cover each other's instructions. */
export interface AlpacaCoverage {
  nAnnotations: number;
  nOutputs: number;
  /** Annotated instructions without an output, and the first of them (element index). */
  annotationsWithoutOutput: number;
  firstAnnotationWithoutOutput: number | null;
  /** Outputs whose instruction has no annotation, and the first of them. */
  outputsWithoutAnnotation: number;
  firstOutputWithoutAnnotation: number | null;
}

/** Counts the instructions each file has that the other lacks. */
export function alpacaCoverage(annotations: readonly AlpacaAnnotation[], outputs: readonly AlpacaModelOutput[]): AlpacaCoverage {
  const outSet = new Set(outputs.map((o) => o.instruction));
  const annSet = new Set(annotations.map((a) => a.instruction));
  const annMissing = annotations.filter((a) => !outSet.has(a.instruction));
  const outMissing = outputs.filter((o) => !annSet.has(o.instruction));
  return {
    nAnnotations: annotations.length,
    nOutputs: outputs.length,
    annotationsWithoutOutput: annMissing.length,
    firstAnnotationWithoutOutput: annMissing[0]?.index ?? null,
    outputsWithoutAnnotation: outMissing.length,
    firstOutputWithoutAnnotation: outMissing[0]?.index ?? null,
  };
}

/** Whether the two files cover exactly the same instructions. */
export function isFullCoverage(c: AlpacaCoverage): boolean {
  return c.annotationsWithoutOutput === 0 && c.outputsWithoutAnnotation === 0;
}

/** One line describing a partial coverage, for reports. */
export function describeCoverage(c: AlpacaCoverage): string {
  return `${c.nAnnotations} annotations, ${c.nOutputs} model outputs: ${c.annotationsWithoutOutput} annotated instruction(s) without an output, ${c.outputsWithoutAnnotation} output(s) without an annotation`;
}

/**
 * Throws unless the annotations and the outputs hold the same instructions; `option` names the
 * flag that allows a partial pair.
 */
export function requireFullCoverage(ann: AlpacaInputFile<AlpacaAnnotation>, out: AlpacaInputFile<AlpacaModelOutput>, c: AlpacaCoverage, option: string): void {
  if (isFullCoverage(c)) return;
  const why = `${describeCoverage(c)}; the win rate and avg_length would describe different instruction sets (pass ${option} to compute them anyway, with this report)`;
  if (c.firstAnnotationWithoutOutput !== null) {
    const a = ann.rows[c.firstAnnotationWithoutOutput] as AlpacaAnnotation;
    fail(ann, a.index, "instruction", `instruction ${shorten(a.instruction)} has no output in ${out.file}; ${why}`);
  }
  const o = out.rows[c.firstOutputWithoutAnnotation ?? 0] as AlpacaModelOutput;
  fail(out, o.index, "instruction", `instruction ${shorten(o.instruction)} has no annotation in ${ann.file}; ${why}`);
}
