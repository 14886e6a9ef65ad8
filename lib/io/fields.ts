/**
 * Typed field access on parsed JSON records; every failure is an InputError naming the file,
 * line and field.
 */
import { InputError, type InputLocation } from "../model/errors";
import type { QuestionId } from "../model/mtbench";

export type JsonObject = Record<string, unknown>;

export interface RecordLocation {
  file: string;
  line: number;
}

function at(loc: RecordLocation, field: string): InputLocation {
  return { file: loc.file, line: loc.line, field };
}

function describe(v: unknown): string {
  if (v === undefined) return "missing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

export function asObject(v: unknown, loc: RecordLocation): JsonObject {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new InputError(loc, `expected a JSON object, got ${describe(v)}`);
  }
  return v as JsonObject;
}

export function reqString(o: JsonObject, field: string, loc: RecordLocation): string {
  const v = o[field];
  if (typeof v !== "string") throw new InputError(at(loc, field), `expected a string, got ${describe(v)}`);
  return v;
}

export function optString(o: JsonObject, field: string, loc: RecordLocation): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new InputError(at(loc, field), `expected a string, got ${describe(v)}`);
  return v;
}

export function optNumber(o: JsonObject, field: string, loc: RecordLocation): number | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new InputError(at(loc, field), `expected a number, got ${describe(v)}`);
  return v;
}

export function reqStringArray(o: JsonObject, field: string, loc: RecordLocation): string[] {
  const v = o[field];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new InputError(at(loc, field), `expected an array of strings, got ${describe(v)}`);
  }
  return v as string[];
}

export function reqQuestionId(o: JsonObject, field: string, loc: RecordLocation): QuestionId {
  const v = o[field];
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && v.length > 0) return v;
  throw new InputError(at(loc, field), `expected an integer or a non-empty string, got ${describe(v)}`);
}
