/**
 * AlpacaEval files as alpaca_eval writes them:
 *
 * - `annotations.json`: a JSON array of head-to-head judgments, one per instruction, with
 *   `instruction`, `output_1` (the baseline's answer), `output_2` (the evaluated model's),
 *   `generator_1`, `generator_2` and `preference` in [1, 2] (1 = baseline wins, 2 = model wins,
 *   fractional for the weighted annotators; 1.5, or 0 in old files, a draw; null when the judge
 *   gave no preference).
 * - `model_outputs.json`: a JSON array of `{instruction, output, generator, dataset}`.
 * - the leaderboard CSV (`<annotator>_leaderboard.csv`): a leading unnamed index column holding
 *   the model name, then `win_rate, standard_error, n_wins, n_wins_base, n_draws, n_total,
 *   discrete_win_rate, mode, avg_length, length_controlled_winrate, lc_standard_error`.
 * - alpaca_eval's `instruction_difficulty.csv` (used only by the length-controlled win rate):
 *   a header, then `index,difficulty` rows keyed by the instruction's row number.
 *
 * `parseX(text, file)` are pure; `loadX(path)` read the file. Errors are InputErrors naming the
 * file, the line and the field; for JSON arrays the message also names the array element
 * (0-based), and the line is where that element starts.
 */
import { InputError } from "../model/errors";
import { parseCsv } from "./csv";
import { readTextFile } from "./jsonl";

// ---------------------------------------------------------------- types

/**
 * One annotation's preference, classified the way alpaca_eval's `get_winrate` reads it
 * (`metrics/helpers.py`, AbsoluteScoringRule): `raw` is the number in the file.
 * - `win`: the model (output_2) is preferred, 1.5 < raw <= 2;
 * - `loss`: the baseline (output_1) is preferred, 1 <= raw < 1.5;
 * - `draw`: raw is exactly 1.5, or 0 (the old encoding of a draw);
 * - `null`: the file holds null (NaN in pandas): no preference, dropped from every rate;
 * - `outOfRange`: a finite number outside [1, 2] other than 0, dropped from the win rate like
 *   alpaca_eval does (the discrete win rate rounds it first, as alpaca_eval does, see
 *   lib/analysis/alpacaEval.ts).
 */
export type AlpacaPreference =
  | { kind: "win"; raw: number }
  | { kind: "loss"; raw: number }
  | { kind: "draw"; raw: number }
  | { kind: "null"; raw: null }
  | { kind: "outOfRange"; raw: number };

/** One element of `annotations.json`. */
export interface AlpacaAnnotation {
  /** 0-based position in the file's array (alpaca_eval's row index). */
  index: number;
  instruction: string;
  /** The baseline's answer (`output_1`); null when the file holds null. */
  output1: string | null;
  /** The evaluated model's answer (`output_2`); null when the file holds null. */
  output2: string | null;
  /** The baseline's name (`generator_1`). */
  generator1: string;
  /** The evaluated model's name (`generator_2`). */
  generator2: string;
  preference: AlpacaPreference;
}

/** One element of `model_outputs.json`. */
export interface AlpacaModelOutput {
  index: number;
  instruction: string;
  /** null when the file holds null (pandas then leaves the row out of the average length). */
  output: string | null;
  generator: string | null;
}

/**
 * What alpaca_eval reports beside a win rate, in a leaderboard row and in the workbench's
 * recomputation (lib/analysis/alpacaEval.ts) alike.
 */
export interface AlpacaWinCounts {
  /** 100 · sample standard error of p - 1 (ddof = 1); null with fewer than two kept. */
  standardError: number | null;
  nWins: number;
  nWinsBase: number;
  nDraws: number;
  nTotal: number;
  /** alpaca_eval's discrete (rounded) win rate; null when no annotation rounds into [1, 2]. */
  discreteWinRate: number | null;
  /** int(mean output length in code points); null when there is no output text. */
  avgLength: number | null;
}

/** One row of a leaderboard CSV. Empty / NaN cells of the nullable columns are null. */
export interface AlpacaLeaderboardRow extends AlpacaWinCounts {
  /** The model name (the unnamed first column). */
  name: string;
  /** 1-based line of the row in the CSV. */
  line: number;
  winRate: number;
  mode: string | null;
  lengthControlledWinRate: number | null;
  lcStandardError: number | null;
}

/** A leaderboard: rows in file order, plus lookup by model name. */
export interface AlpacaLeaderboard {
  file: string;
  rows: AlpacaLeaderboardRow[];
  byName: Map<string, AlpacaLeaderboardRow>;
}

// ---------------------------------------------------------------- JSON arrays with locations

/**
 * 1-based line on which element `index` of the top-level JSON array in `text` starts (the line
 * of the array itself when the element cannot be found). Only called when reporting an error.
 */
export function lineOfArrayElement(text: string, index: number): number {
  let line = 1;
  let depth = 0;
  let element = -1;
  let expectValue = false;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) line++;
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character (never a newline in valid JSON)
      else if (ch === 34) inString = false;
      continue;
    }
    if (ch === 32 || ch === 9 || ch === 10 || ch === 13) continue;
    if (depth === 1 && expectValue && ch !== 93) {
      element++;
      expectValue = false;
      if (element === index) return line;
    }
    if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (ch === 93 || ch === 125) depth--;
    else if (ch === 44 && depth === 1) expectValue = true;
  }
  return 1;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing (the field is missing)";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** Parses `text` as a JSON array of objects; errors name the file (and element). */
function parseJsonArrayOfObjects(text: string, file: string): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith("\ufeff") ? text.slice(1) : text);
  } catch (e) {
    throw new InputError({ file }, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(value)) throw new InputError({ file, line: 1 }, `expected a JSON array of records, got ${describe(value).slice(0, 20)}`);
  value.forEach((v: unknown, i) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      throw new InputError({ file, line: lineOfArrayElement(text, i) }, `element ${i}: expected a JSON object, got ${describe(v)}`);
    }
  });
  return value as Record<string, unknown>[];
}

/** Field readers for element `index` of a JSON array; errors name file, line, element, field. */
class ElementReader {
  constructor(
    private readonly text: string,
    private readonly file: string,
    readonly index: number,
    private readonly o: Record<string, unknown>,
  ) {}

  fail(field: string, problem: string): never {
    throw new InputError({ file: this.file, line: lineOfArrayElement(this.text, this.index), field }, `element ${this.index}: ${problem}`);
  }

  string(field: string): string {
    const v = this.o[field];
    if (typeof v !== "string") this.fail(field, `expected a string, got ${describe(v)}`);
    return v;
  }

  /** A string, or null when the field holds null; a missing field is an error. */
  nullableString(field: string): string | null {
    const v = this.o[field];
    if (v === null) return null;
    if (typeof v !== "string") this.fail(field, `expected a string or null, got ${describe(v)}`);
    return v;
  }

  /** A string, or null when the field is missing or null. */
  optionalString(field: string): string | null {
    const v = this.o[field];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") this.fail(field, `expected a string, got ${describe(v)}`);
    return v;
  }

  raw(field: string): unknown {
    return this.o[field];
  }
}

// ---------------------------------------------------------------- annotations.json

/**
 * Classifies a preference number as alpaca_eval does: 0 and 1.5 are draws, (1.5, 2] a model
 * win, [1, 1.5) a baseline win, anything else out of range.
 */
export function classifyPreference(raw: number): AlpacaPreference {
  if (raw === 0 || raw === 1.5) return { kind: "draw", raw };
  if (raw > 1.5 && raw <= 2) return { kind: "win", raw };
  if (raw >= 1 && raw < 1.5) return { kind: "loss", raw };
  return { kind: "outOfRange", raw };
}

function readPreference(r: ElementReader): AlpacaPreference {
  const v = r.raw("preference");
  if (v === null) return { kind: "null", raw: null };
  if (typeof v !== "number" || !Number.isFinite(v)) {
    r.fail("preference", `expected a number in [1, 2] (0 or 1.5 for a draw) or null, got ${describe(v)}`);
  }
  return classifyPreference(v);
}

/** Parses alpaca_eval's `annotations.json` text. */
export function parseAlpacaAnnotations(text: string, file = "<annotations>"): AlpacaAnnotation[] {
  return parseJsonArrayOfObjects(text, file).map((o, index) => {
    const r = new ElementReader(text, file, index, o);
    return {
      index,
      instruction: r.string("instruction"),
      output1: r.nullableString("output_1"),
      output2: r.nullableString("output_2"),
      generator1: r.string("generator_1"),
      generator2: r.string("generator_2"),
      preference: readPreference(r),
    };
  });
}

export function loadAlpacaAnnotations(path: string): AlpacaAnnotation[] {
  return parseAlpacaAnnotations(readTextFile(path), path);
}

// ---------------------------------------------------------------- model_outputs.json

/** Parses alpaca_eval's `model_outputs.json` text (`generator` may be absent). */
export function parseModelOutputs(text: string, file = "<model_outputs>"): AlpacaModelOutput[] {
  return parseJsonArrayOfObjects(text, file).map((o, index) => {
    const r = new ElementReader(text, file, index, o);
    return {
      index,
      instruction: r.string("instruction"),
      output: r.nullableString("output"),
      generator: r.optionalString("generator"),
    };
  });
}

export function loadModelOutputs(path: string): AlpacaModelOutput[] {
  return parseModelOutputs(readTextFile(path), path);
}

// ---------------------------------------------------------------- leaderboard CSV

const REQUIRED_COLUMNS = ["win_rate", "n_wins", "n_wins_base", "n_draws", "n_total"] as const;

function isMissingCell(s: string): boolean {
  const t = s.trim();
  return t === "" || t === "nan" || t === "NaN";
}

/**
 * Parses a leaderboard CSV as pandas writes it (`df.to_csv()`): the first column, whatever its
 * header (pandas leaves it empty), is the model name; `win_rate` and the four counts are
 * required; the other known columns are nullable (empty or NaN cells become null) and may be
 * absent (older leaderboards have no length-controlled columns). Duplicate names are an error.
 */
export function parseLeaderboardCsv(text: string, file = "<leaderboard>"): AlpacaLeaderboard {
  const table = parseCsv(text, file);
  const nameColumn = table.header[0];
  if (nameColumn === undefined) throw new InputError({ file, line: 1 }, "empty header");
  for (const c of REQUIRED_COLUMNS) {
    if (!table.header.includes(c)) throw new InputError({ file, line: 1, field: c }, `missing column (header: ${table.header.join(",")})`);
  }
  const rows: AlpacaLeaderboardRow[] = [];
  const byName = new Map<string, AlpacaLeaderboardRow>();
  for (const { line, values } of table.rows) {
    const cell = (c: string): string | undefined => (table.header.includes(c) ? values[c] : undefined);
    const optFloat = (c: string): number | null => {
      const s = cell(c);
      if (s === undefined || isMissingCell(s)) return null;
      const x = Number(s);
      if (!Number.isFinite(x)) throw new InputError({ file, line, field: c }, `expected a number, got "${s}"`);
      return x;
    };
    const reqFloat = (c: string): number => {
      const x = optFloat(c);
      if (x === null) throw new InputError({ file, line, field: c }, "expected a number, got an empty cell");
      return x;
    };
    const count = (c: string): number => {
      const x = reqFloat(c);
      if (!Number.isInteger(x) || x < 0) throw new InputError({ file, line, field: c }, `expected a count (a non-negative integer), got "${cell(c)}"`);
      return x;
    };
    const name = values[nameColumn] ?? "";
    if (name.length === 0) throw new InputError({ file, line, field: nameColumn || "(index)" }, "empty model name");
    const modeCell = cell("mode");
    const row: AlpacaLeaderboardRow = {
      name,
      line,
      winRate: reqFloat("win_rate"),
      standardError: optFloat("standard_error"),
      nWins: count("n_wins"),
      nWinsBase: count("n_wins_base"),
      nDraws: count("n_draws"),
      nTotal: count("n_total"),
      discreteWinRate: optFloat("discrete_win_rate"),
      mode: modeCell === undefined || isMissingCell(modeCell) ? null : modeCell,
      avgLength: optFloat("avg_length"),
      lengthControlledWinRate: optFloat("length_controlled_winrate"),
      lcStandardError: optFloat("lc_standard_error"),
    };
    const prev = byName.get(name);
    if (prev !== undefined) throw new InputError({ file, line, field: nameColumn || "(index)" }, `model "${name}" already listed on line ${prev.line}`);
    byName.set(name, row);
    rows.push(row);
  }
  return { file, rows, byName };
}

export function loadLeaderboardCsv(path: string): AlpacaLeaderboard {
  return parseLeaderboardCsv(readTextFile(path), path);
}

// ---------------------------------------------------------------- instruction difficulty

/**
 * Parses alpaca_eval's `instruction_difficulty.csv` (read there with
 * `pd.read_csv(path, index_col=0).squeeze()`): a header row, then one row per instruction whose
 * first column is the instruction's row number (0-based, the annotation's `index`) and whose
 * second column is the difficulty. Returns a map index -> difficulty.
 */
export function parseInstructionDifficulty(text: string, file = "<instruction_difficulty>"): Map<number, number> {
  const table = parseCsv(text, file);
  if (table.header.length !== 2) {
    throw new InputError({ file, line: 1 }, `expected two columns (index, difficulty), got ${table.header.length}: ${table.header.join(",")}`);
  }
  const [indexColumn, valueColumn] = table.header as [string, string];
  const out = new Map<number, number>();
  for (const { line, values } of table.rows) {
    const k = Number(values[indexColumn]);
    if (!Number.isInteger(k) || k < 0) {
      throw new InputError({ file, line, field: indexColumn || "(index)" }, `expected an instruction row number, got "${values[indexColumn]}"`);
    }
    const v = Number(values[valueColumn]);
    if ((values[valueColumn] ?? "").trim() === "" || !Number.isFinite(v)) {
      throw new InputError({ file, line, field: valueColumn }, `expected a number, got "${values[valueColumn]}"`);
    }
    if (out.has(k)) throw new InputError({ file, line, field: indexColumn || "(index)" }, `instruction ${k} listed twice`);
    out.set(k, v);
  }
  return out;
}

export function loadInstructionDifficulty(path: string): Map<number, number> {
  return parseInstructionDifficulty(readTextFile(path), path);
}

// ---------------------------------------------------------------- gamed baselines (df_gamed.csv)

/** One row of alpaca_eval's `df_gamed.csv` as the length-controlled fit uses it. */
export interface AlpacaGamedRow {
  /** The already standardised length difference (`std_delta_len`). */
  stdDeltaLen: number;
  instructionDifficulty: number;
  /** The preference in [0, 1] (already minus 1, as glm_winrate.py concatenates it); null if empty. */
  preference: number | null;
}

/**
 * Parses alpaca_eval's `df_gamed.csv` (annotations of two length-gamed baselines that
 * glm_winrate.py adds to every length-controlled fit with weight λ/2): the columns
 * `std_delta_len`, `instruction_difficulty` and `preference` are read, the others (`model`,
 * `index`, `not_gamed_baseline`, ...) ignored. An empty or NaN preference is null (dropped from
 * the fit, as there).
 */
export function parseGamedCsv(text: string, file = "<df_gamed>"): AlpacaGamedRow[] {
  const table = parseCsv(text, file);
  for (const c of ["std_delta_len", "instruction_difficulty", "preference"]) {
    if (!table.header.includes(c)) throw new InputError({ file, line: 1, field: c }, `missing column (header: ${table.header.join(",")})`);
  }
  return table.rows.map(({ line, values }) => {
    const num = (c: string, nullable: boolean): number | null => {
      const s = values[c] ?? "";
      if (nullable && isMissingCell(s)) return null;
      const x = Number(s);
      if (s.trim() === "" || !Number.isFinite(x)) throw new InputError({ file, line, field: c }, `expected a number, got "${s}"`);
      return x;
    };
    const preference = num("preference", true);
    if (preference !== null && (preference < 0 || preference > 1)) {
      throw new InputError({ file, line, field: "preference" }, `expected a preference in [0, 1] (alpaca_eval's p - 1), got ${preference}`);
    }
    return { stdDeltaLen: num("std_delta_len", false) as number, instructionDifficulty: num("instruction_difficulty", false) as number, preference };
  });
}

export function loadGamedCsv(path: string): AlpacaGamedRow[] {
  return parseGamedCsv(readTextFile(path), path);
}
