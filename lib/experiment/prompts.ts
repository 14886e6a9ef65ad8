/**
 * URIAL-format in-context alignment prompts (Lin et al. 2024; Zhao et al. 2024, Fig. 8): a
 * rules preamble followed by demonstrations
 *
 *     # Query:\n```\n{query}\n```\n\n# Answer:\n```\n{answer}\n```\n
 *
 * separated by one blank line. `parseUrialPrompt` splits a prompt file into preamble and
 * demonstrations and `renderUrialPrompt` puts it back together byte for byte (the preamble keeps
 * its trailing spaces). A demonstration may lack its answer (the X-only ablation, Table 3) or
 * its query (Y-only); a block ends at the first line "```" that is followed by the next block's
 * heading or by the end of the file, so answers may hold code fences of their own.
 *
 * Queries are rendered after the demonstrations as `prompt + "\n# Query:\n```\n{q}\n```\n\n#
 * Answer:\n```\n"` (URIAL's `inference` code); with no demonstrations at all the preamble's own
 * blank line is the separator (no extra blank line). The model's completion is cut at URIAL's
 * stop sequences and loses the answer block's closing fence in `cleanAnswer`, which, unlike the
 * paper's code, keeps the fences of code blocks inside the answer.
 *
 * Demonstration pools (SkillMix, Evol-Instruct) are JSONL, `{"instruction", "output"}` per line
 * (`query`/`prompt` and `answer`/`response` are accepted too), with an optional `"category"`
 * string: the in-domain / out-of-domain random-answer ablations draw a demo's new answer from
 * pool rows of the same / another category, so they need a category on every demonstration
 * (from the pool file, or given for a prompt file's demos with `withCategories`).
 *
 * Randomness (random demonstration sets, random-answer ablations) comes only from a seeded
 * `Rng` (lib/stats/rng): the same seed gives the same prompt.
 *
 * Complexity: parsing and rendering are O(length of the prompt).
 *
 * @example
 * const p = parseUrialPrompt("# Instruction\n\nBe nice. \n\n# Query:\n```\nHi?\n```\n\n# Answer:\n```\nHello!\n```\n");
 * p.demos; // [{ query: "Hi?", answer: "Hello!" }]
 * renderQuery(p, "2+2?").endsWith("```\n\n# Query:\n```\n2+2?\n```\n\n# Answer:\n```\n"); // true
 * cleanAnswer("4\n```\n\n"); // "4"
 */
import { InputError } from "../model/errors";
import type { Ablation } from "../model/manifest";
import { parseJsonl, readTextFile } from "../io/jsonl";
import { type Rng, createRng, randomInt } from "../stats/rng";

/** One demonstration of a prompt. `null` query or answer: the block is left out (Table 3 X-only / Y-only). */
export interface PromptDemo {
  query: string | null;
  answer: string | null;
  /** The demonstration's category (needed only by the random-answer ablations). */
  category?: string | undefined;
}

/** A URIAL-format prompt: rules preamble, demonstrations, and whatever whitespace ended the file. */
export interface UrialPrompt {
  /** Everything before the first demonstration, byte for byte (trailing spaces and blank line included). */
  preamble: string;
  demos: PromptDemo[];
  /** Whitespace after the last demonstration's closing fence ("" in URIAL's files). */
  trailer: string;
}

/** A query/answer pair of a demonstration pool (JSONL row). */
export interface PoolDemo {
  query: string;
  answer: string;
  category?: string | undefined;
  /** 1-based line in the pool file. */
  line?: number | undefined;
}

const FENCE = "```";
const QUERY_HEAD = `# Query:\n${FENCE}\n`;
const ANSWER_HEAD = `# Answer:\n${FENCE}\n`;
const CLOSE = `\n${FENCE}\n`;

/** URIAL's stop sequences: the model starting a new turn. */
export const PROMPT_STOP_SEQUENCES: readonly string[] = ["# Query", "# User"];

/** Paper (App. A) numbers N of random demonstrations added to URIAL's 3 (Mistral: up to 47; Llama-3.1: up to 247). */
export const PAPER_N_WITH_URIAL: readonly number[] = [0, 7, 17, 27, 37, 47, 97, 147, 197, 247];
/** Paper (App. A) numbers N of random demonstrations replacing URIAL's ("ICL Random (no URIAL)"). */
export const PAPER_N_WITHOUT_URIAL: readonly number[] = [3, 10, 20, 30, 40, 50, 100, 150, 200, 250];
/** The paper's statistics are over 5 random seeds per N. */
export const DEFAULT_SEEDS: readonly number[] = [0, 1, 2, 3, 4];

function lineAt(text: string, pos: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < pos; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Start of the first line that is exactly a block heading (`# Query:` or `# Answer:` followed by a fence line). */
function firstHeading(text: string): number {
  let best = -1;
  for (const head of [QUERY_HEAD, ANSWER_HEAD]) {
    let i = 0;
    if (!text.startsWith(head)) {
      const j = text.indexOf(`\n${head}`);
      i = j === -1 ? -1 : j + 1;
    }
    if (i !== -1 && (best === -1 || i < best)) best = i;
  }
  return best;
}

/**
 * The end of a block's content starting at `start`: the first "\n```\n" followed by a
 * separator and the next heading, or by (whitespace to) the end of the text.
 */
function blockEnd(text: string, start: number): number {
  for (let i = text.indexOf(CLOSE, start); i !== -1; i = text.indexOf(CLOSE, i + 1)) {
    const after = i + CLOSE.length;
    if (text.startsWith(`\n${QUERY_HEAD}`, after) || text.startsWith(`\n${ANSWER_HEAD}`, after)) return i;
    if (text.slice(after).trim() === "") return i;
  }
  return -1;
}

/**
 * CRLF (Windows) line ends -> LF, as URIAL's own files and the completion prompts use: a prompt
 * file saved on Windows parses like its LF original. A lone CR (old Mac) is left as it is.
 *
 * @example normalizePromptLineEnds("a\r\nb") // "a\nb"
 */
export function normalizePromptLineEnds(text: string): string {
  return text.includes("\r\n") ? text.replace(/\r\n/g, "\n") : text;
}

/**
 * Parses a URIAL-format prompt (pure; `file` only labels errors). `renderUrialPrompt` of the
 * result is the input, byte for byte, once CRLF line ends are normalized to LF
 * (`normalizePromptLineEnds`: a CRLF file is accepted and sent with LF line ends). A file with
 * no demonstrations at all (`prompt --ablation no_demos`, or a rules preamble alone) is a
 * prompt with an empty demonstration list; its preamble may mention "# Query:" inside a line.
 */
export function parseUrialPrompt(raw: string, file = "<prompt>"): UrialPrompt {
  const text = normalizePromptLineEnds(raw);
  const first = firstHeading(text);
  if (first === -1) {
    // A heading is a line of its own; the rules preamble may quote "# Query:" inside a sentence.
    const stray = /^# (?:Query|Answer):/m.exec(text);
    if (stray !== null) {
      throw new InputError({ file, line: lineAt(text, stray.index) }, 'a "# Query:" / "# Answer:" heading must be followed by a line "```"');
    }
    return { preamble: text, demos: [], trailer: "" };
  }
  const preamble = text.slice(0, first);
  const demos: PromptDemo[] = [];
  let pos = first;
  let pendingQuery: string | null = null;
  for (;;) {
    const isQuery = text.startsWith(QUERY_HEAD, pos);
    const head = isQuery ? QUERY_HEAD : ANSWER_HEAD;
    if (!isQuery && !text.startsWith(ANSWER_HEAD, pos)) {
      throw new InputError({ file, line: lineAt(text, pos) }, 'expected a "# Query:" or "# Answer:" heading followed by a line "```"');
    }
    const start = pos + head.length;
    const end = blockEnd(text, start);
    if (end === -1) throw new InputError({ file, line: lineAt(text, pos) }, `the ${isQuery ? "query" : "answer"} block opened here is never closed by a line "${FENCE}"`);
    const content = text.slice(start, end);
    if (isQuery) {
      if (pendingQuery !== null) demos.push({ query: pendingQuery, answer: null });
      pendingQuery = content;
    } else {
      demos.push({ query: pendingQuery, answer: content });
      pendingQuery = null;
    }
    pos = end + CLOSE.length;
    if (text.slice(pos).trim() === "") {
      if (pendingQuery !== null) demos.push({ query: pendingQuery, answer: null });
      return { preamble, demos, trailer: text.slice(pos) };
    }
    pos += 1; // the blank line between blocks
  }
}

/** Reads and parses a URIAL-format prompt file. */
export function loadUrialPrompt(file: string): UrialPrompt {
  return parseUrialPrompt(readTextFile(file), file);
}

/** One demonstration as prompt text (its blocks joined by a blank line, ending in "```\n"). */
export function renderDemo(d: PromptDemo): string {
  const blocks: string[] = [];
  if (d.query !== null) blocks.push(`${QUERY_HEAD}${d.query}${CLOSE}`);
  if (d.answer !== null) blocks.push(`${ANSWER_HEAD}${d.answer}${CLOSE}`);
  if (blocks.length === 0) throw new RangeError("renderDemo: a demonstration needs a query or an answer");
  return blocks.join("\n");
}

/** The prompt as text: the inverse of `parseUrialPrompt`. */
export function renderUrialPrompt(p: UrialPrompt): string {
  return p.preamble + p.demos.map(renderDemo).join("\n") + p.trailer;
}

/** The completion prompt for a first-turn query: the prompt, the query, and an open answer block. */
export function renderQuery(p: UrialPrompt, query: string): string {
  const sep = p.demos.length === 0 ? "" : "\n";
  return `${renderUrialPrompt(p)}${sep}${QUERY_HEAD}${query}${CLOSE}\n${ANSWER_HEAD}`;
}

/**
 * The completion prompt for MT-Bench's second turn: the first turn, its (cleaned) answer in a
 * closed answer block, then the second query and an open answer block.
 */
export function renderSecondTurn(p: UrialPrompt, query1: string, answer1: string, query2: string): string {
  return `${renderQuery(p, query1)}${answer1}${CLOSE}\n${QUERY_HEAD}${query2}${CLOSE}\n${ANSWER_HEAD}`;
}

/** True for a line that opens or closes a fenced code block. */
function isFenceLine(line: string): boolean {
  return line.trimStart().startsWith(FENCE);
}

/**
 * A raw completion -> the stored answer: cut at the first stop sequence (`# Query`, `# User`),
 * drop trailing whitespace and leading blank lines, and remove the answer block's closing fence
 * (a last line "```" that leaves an odd number of fence lines). Code blocks inside the answer
 * keep their fences (the paper's code removed every "```"). Idempotent.
 */
export function cleanAnswer(raw: string, stop: readonly string[] = PROMPT_STOP_SEQUENCES): string {
  let s = raw;
  for (const seq of stop) {
    const i = s.indexOf(seq);
    if (i !== -1) s = s.slice(0, i);
  }
  s = s.replace(/\s+$/, "").replace(/^(?:[ \t]*\r?\n)+/, "");
  const lines = s.split("\n");
  const last = lines[lines.length - 1];
  const fences = lines.filter(isFenceLine).length;
  if (last !== undefined && last.trim() === FENCE && fences % 2 === 1) {
    s = lines.slice(0, -1).join("\n").replace(/\s+$/, "");
  }
  return s;
}

/** The prompt with `demos` inserted before its own demonstrations (paper Fig. 8). */
export function prependDemos(p: UrialPrompt, demos: readonly { query: string | null; answer: string | null; category?: string | undefined }[]): UrialPrompt {
  return { ...p, demos: [...demos.map(copyDemo), ...p.demos] };
}

/** The prompt with its demonstrations replaced by `demos` (random sets without URIAL's demos). */
export function replaceDemos(p: UrialPrompt, demos: readonly { query: string | null; answer: string | null; category?: string | undefined }[]): UrialPrompt {
  return { ...p, demos: demos.map(copyDemo) };
}

function copyDemo(d: { query: string | null; answer: string | null; category?: string | undefined }): PromptDemo {
  return d.category === undefined ? { query: d.query, answer: d.answer } : { query: d.query, answer: d.answer, category: d.category };
}

/** Gives the prompt's demonstrations categories, in order (the random-answer ablations need them). */
export function withCategories(p: UrialPrompt, categories: readonly string[]): UrialPrompt {
  if (categories.length !== p.demos.length) {
    throw new RangeError(`withCategories: ${categories.length} categories for ${p.demos.length} demonstrations`);
  }
  return { ...p, demos: p.demos.map((d, i) => ({ ...d, category: categories[i] as string })) };
}

// ---------------------------------------------------------------------------------------------
// Demonstration pools

const QUERY_KEYS = ["instruction", "query", "prompt"];
const ANSWER_KEYS = ["output", "answer", "response"];

function pickString(o: Record<string, unknown>, keys: readonly string[], file: string, line: number, what: string): string {
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== "string" || v.length === 0) throw new InputError({ file, line, field: k }, `expected a non-empty string for the ${what}`);
    return v;
  }
  throw new InputError({ file, line, field: keys[0] as string }, `missing ${what} (one of ${keys.join(", ")})`);
}

/** Parses a demonstration pool (JSONL, `{"instruction", "output", "category"?}`); pure. */
export function parseDemoPool(text: string, file = "<demos>"): PoolDemo[] {
  const out: PoolDemo[] = [];
  for (const row of parseJsonl(text, file)) {
    const v = row.value;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InputError({ file, line: row.line }, "expected a JSON object");
    const o = v as Record<string, unknown>;
    const query = pickString(o, QUERY_KEYS, file, row.line, "instruction");
    const answer = pickString(o, ANSWER_KEYS, file, row.line, "output");
    const rawCat: unknown = o["category"];
    let category: string | undefined;
    if (rawCat !== undefined) {
      if (typeof rawCat !== "string" || rawCat.length === 0) throw new InputError({ file, line: row.line, field: "category" }, "expected a non-empty string");
      category = rawCat;
    }
    out.push(category === undefined ? { query, answer, line: row.line } : { query, answer, category, line: row.line });
  }
  if (out.length === 0) throw new InputError({ file }, "no demonstrations");
  return out;
}

/** Reads a demonstration pool file. */
export function loadDemoPool(file: string): PoolDemo[] {
  return parseDemoPool(readTextFile(file), file);
}

/** `n` distinct demonstrations drawn uniformly without replacement (partial Fisher–Yates), in draw order. */
export function sampleDemos<T>(pool: readonly T[], n: number, rng: Rng): T[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sampleDemos: n must be a non-negative integer, got ${n}`);
  if (n > pool.length) throw new RangeError(`sampleDemos: ${n} demonstrations asked for, the pool has ${pool.length}`);
  const idx = pool.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(rng, idx.length - i);
    const t = idx[i] as number;
    idx[i] = idx[j] as number;
    idx[j] = t;
  }
  return idx.slice(0, n).map((i) => pool[i] as T);
}

/** One random prompt of a scaling experiment. */
export interface RandomPrompt {
  n: number;
  seed: number;
  withUrial: boolean;
  prompt: UrialPrompt;
}

/**
 * Random demonstration sets for every N and seed (5 seeds by default): N demonstrations from
 * `pool` before URIAL's own (`withUrial`, default) or instead of them (rules preamble kept).
 * Each (N, seed) draws from a fresh `createRng(seed)`, so for one seed the sets are nested: the
 * N = 7 set is the first 7 demonstrations of the N = 17 set (differences between N are not
 * confounded with a different draw).
 */
export function randomPrompts(base: UrialPrompt, pool: readonly PoolDemo[], ns: readonly number[], o: { withUrial?: boolean; seeds?: readonly number[] } = {}): RandomPrompt[] {
  const withUrial = o.withUrial ?? true;
  const out: RandomPrompt[] = [];
  for (const n of ns) {
    for (const seed of o.seeds ?? DEFAULT_SEEDS) {
      const demos = sampleDemos(pool, n, createRng(seed));
      out.push({ n, seed, withUrial, prompt: withUrial ? prependDemos(base, demos) : replaceDemos(base, demos) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Q/A-matching ablations (paper Table 3)

export interface AblationOptions {
  /** circular_shift: demo i gets the answer of demo i + shift (mod n); 1 (default): Q1 gets A2, …, Qn gets A1. */
  shift?: number;
  /** Random-answer ablations: the source of the seeded draws. */
  rng?: Rng;
  /** Random-answer ablations: where new answers come from (default: the demonstrations themselves). */
  pool?: readonly { query: string | null; answer: string | null; category?: string | undefined }[];
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * Demonstrations under a Table 3 ablation, named as in the run manifest (lib/model/manifest
 * `ABLATIONS`): `none` (the correct pairs, unchanged), `no_demos` (no demonstrations),
 * `x_only` (queries only), `y_only` (answers only), `circular_shift` (answers shifted by `shift`),
 * `in_domain_random` (each query gets the answer of another instruction of its category, drawn
 * from `pool`), `out_of_domain_random` (the answer of an instruction of another category).
 */
export function ablateDemos(demos: readonly PromptDemo[], ablation: Ablation, o: AblationOptions = {}): PromptDemo[] {
  switch (ablation) {
    case "none":
      return demos.map((d) => ({ ...d }));
    case "no_demos":
      return [];
    case "x_only":
      return demos.filter((d) => d.query !== null).map((d) => ({ ...d, answer: null }));
    case "y_only":
      return demos.filter((d) => d.answer !== null).map((d) => ({ ...d, query: null }));
    case "circular_shift": {
      const k = o.shift ?? 1;
      if (!Number.isInteger(k)) throw new RangeError(`circular_shift: the shift must be an integer, got ${k}`);
      return demos.map((d, i) => ({ ...d, answer: (demos[mod(i + k, demos.length)] as PromptDemo).answer }));
    }
    case "in_domain_random":
    case "out_of_domain_random": {
      const rng = o.rng;
      if (rng === undefined) throw new RangeError(`${ablation}: a seeded rng is required`);
      const pool = o.pool ?? demos;
      const inDomain = ablation === "in_domain_random";
      return demos.map((d, i) => {
        if (d.category === undefined) throw new RangeError(`${ablation}: demonstration ${i + 1} has no category`);
        const choices = pool.filter(
          (p) => p.answer !== null && p.category !== undefined && (inDomain ? p.category === d.category : p.category !== d.category) && p.query !== d.query && p.answer !== d.answer,
        );
        if (choices.length === 0) {
          throw new RangeError(`${ablation}: no answer of ${inDomain ? "another instruction of category" : "a category other than"} "${d.category}" for demonstration ${i + 1}`);
        }
        return { ...d, answer: (choices[randomInt(rng, choices.length)] as { answer: string }).answer };
      });
    }
  }
}

/** The prompt with its demonstrations under `ablation` (see `ablateDemos`). */
export function ablatePrompt(p: UrialPrompt, ablation: Ablation, o: AblationOptions = {}): UrialPrompt {
  return { ...p, demos: ablateDemos(p.demos, ablation, o) };
}
