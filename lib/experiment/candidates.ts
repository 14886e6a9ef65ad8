/**
 * Candidate demonstrations for the greedy search: a JSONL file, one demonstration per line,
 * `{"id": "...", "query": "...", "answer": "..."}`. Common dataset spellings are accepted:
 * `instruction` / `prompt` for the query, `output` / `response` for the answer. Without an
 * `id`, a candidate is named after its line (`line-12`).
 */
import { InputError } from "../model/errors";
import { parseJsonl, readTextFile } from "../io/jsonl";
import type { GreedyCandidate } from "./greedy";

/** A query/answer demonstration. */
export interface DemoPair {
  query: string;
  answer: string;
}

const QUERY_KEYS = ["query", "instruction", "prompt"];
const ANSWER_KEYS = ["answer", "output", "response"];

function pick(o: Record<string, unknown>, keys: readonly string[], loc: { file: string; line: number }, what: string): string {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === "string" && v.length > 0) return v;
    if (v !== undefined) throw new InputError({ ...loc, field: k }, `expected a non-empty string for the ${what}`);
  }
  throw new InputError({ ...loc, field: keys[0] as string }, `no ${what} (one of ${keys.join(", ")})`);
}

/** Parses a candidates file; duplicate ids are an error. */
export function parseCandidates(text: string, file = "<candidates>"): GreedyCandidate<DemoPair>[] {
  const out: GreedyCandidate<DemoPair>[] = [];
  const seen = new Map<string, number>();
  for (const row of parseJsonl(text, file)) {
    const loc = { file, line: row.line };
    if (typeof row.value !== "object" || row.value === null || Array.isArray(row.value)) throw new InputError(loc, "expected a JSON object");
    const o = row.value as Record<string, unknown>;
    const rawId = o["id"];
    if (rawId !== undefined && typeof rawId !== "string" && typeof rawId !== "number") throw new InputError({ ...loc, field: "id" }, "expected a string or number");
    const id = rawId === undefined ? `line-${row.line}` : String(rawId);
    const prev = seen.get(id);
    if (prev !== undefined) throw new InputError({ ...loc, field: "id" }, `candidate "${id}" already defined on line ${prev}`);
    seen.set(id, row.line);
    out.push({ id, demo: { query: pick(o, QUERY_KEYS, loc, "query"), answer: pick(o, ANSWER_KEYS, loc, "answer") } });
  }
  if (out.length === 0) throw new InputError({ file }, "no candidates");
  return out;
}

export function loadCandidates(file: string): GreedyCandidate<DemoPair>[] {
  return parseCandidates(readTextFile(file), file);
}
