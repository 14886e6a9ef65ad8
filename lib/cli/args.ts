/**
 * Command-line parsing on top of node's `util.parseArgs`, turning its errors into UsageError
 * and offering typed accessors. A value that starts with "-" may follow its option after a
 * space when it is a number (`--shift -1`, `--x -0.5,1.2`; `util.parseArgs` alone refuses
 * them); `--x=-0.5,1.2` works too. An unknown option is refused with the closest known one
 * (`--dump` -> "did you mean --dumps?"). Numbers are plain decimals only: `0x10`, `1_000`,
 * `Infinity` and empty entries are refused, never read as 16 / 1000 / inf / 0.
 */
import { parseArgs } from "node:util";
import { closestName } from "../io/suggest";
import { UsageError } from "./io";

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean; default?: string | boolean }>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** A plain decimal number: optional sign, digits with an optional fraction, optional exponent. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** A negative number or a comma-separated list starting with one (`-1`, `-0.5,1.2`). */
const NEGATIVE_VALUE = /^-(?:\d|\.\d)/;

/**
 * `raw` as a number when it is a plain decimal (`"-1.5"`, `"2e-3"`), else NaN: hexadecimal,
 * binary, octal, `1_000`, `Infinity`, blanks and the empty string are not numbers here.
 *
 * @example parseDecimal("0x10") // NaN (Number("0x10") is 16)
 */
export function parseDecimal(raw: string): number {
  const t = raw.trim();
  return DECIMAL.test(t) ? Number(t) : Number.NaN;
}

/**
 * Joins `--name -1` into `--name=-1` for string options, so a negative number can follow its
 * option after a space (util.parseArgs would read "-1" as an option). Only values that look like
 * a negative number are joined: `--name -v` still means the option -v.
 */
export function joinNegativeValues(argv: readonly string[], options: OptionSpec): string[] {
  const shorts = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) if (spec.short !== undefined) shorts.set(spec.short, name);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const name = a.startsWith("--") ? a.slice(2) : a.length === 2 && a.startsWith("-") ? shorts.get(a.slice(1)) : undefined;
    if (name !== undefined && !name.includes("=") && options[name]?.type === "string" && next !== undefined && NEGATIVE_VALUE.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** The known option closest to `given` (within 2 edits, or one a prefix of the other), or undefined. */
export function closestOption(given: string, options: OptionSpec): string | undefined {
  return closestName(given, Object.keys(options), 2, true);
}

export function parseCommandLine(argv: string[], options: OptionSpec, allowPositionals = false): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals, strict: true });
    return { values: values as Parsed["values"], positionals };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const unknown = /Unknown option '--([^'=]+)'/.exec(message);
    const hint = unknown?.[1] === undefined ? undefined : closestOption(unknown[1], options);
    throw new UsageError(hint === undefined ? message : `unknown option --${unknown?.[1] ?? ""}; did you mean --${hint}?`);
  }
}

/** A string option's value; throws UsageError when required and missing. */
export function stringOpt(p: Parsed, name: string, required: true): string;
export function stringOpt(p: Parsed, name: string, required?: false): string | undefined;
export function stringOpt(p: Parsed, name: string, required = false): string | undefined {
  const v = p.values[name];
  if (v === undefined) {
    if (required) throw new UsageError(`--${name} is required`);
    return undefined;
  }
  if (typeof v !== "string") throw new UsageError(`--${name} takes a value`);
  return v;
}

/** A string option restricted to `choices`. */
export function choiceOpt<T extends string>(p: Parsed, name: string, choices: readonly T[], fallback: T): T {
  const v = stringOpt(p, name);
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")} (got "${v}")`);
  }
  return v as T;
}

export function boolOpt(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/** Parses "1,2,-3.5" into numbers; any non-finite entry is a UsageError naming the option. */
export function numberListOpt(p: Parsed, name: string, required: true): number[];
export function numberListOpt(p: Parsed, name: string, required?: false): number[] | undefined;
export function numberListOpt(p: Parsed, name: string, required = false): number[] | undefined {
  const raw = required ? stringOpt(p, name, true) : stringOpt(p, name);
  if (raw === undefined) return undefined;
  return raw.split(",").map((s, i) => {
    const x = parseDecimal(s);
    if (!Number.isFinite(x)) throw new UsageError(`--${name}: entry ${i + 1} ("${s}") is not a finite number (a plain decimal, e.g. -1.5 or 2e-3)`);
    return x;
  });
}

/** A single number flag; `integer` and `min` are checked. */
export function numberOpt(p: Parsed, name: string, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  const raw = stringOpt(p, name);
  if (raw === undefined) return undefined;
  const x = parseDecimal(raw);
  if (!Number.isFinite(x)) throw new UsageError(`--${name}: "${raw}" is not a finite number (a plain decimal, e.g. -1.5 or 2e-3)`);
  if (opts.integer && !Number.isInteger(x)) throw new UsageError(`--${name}: "${raw}" is not an integer`);
  if (opts.min !== undefined && x < opts.min) throw new UsageError(`--${name}: must be >= ${opts.min} (got ${x})`);
  return x;
}

/** Comma-separated strings (empty entries dropped). */
export function listOpt(p: Parsed, name: string): string[] | undefined {
  const raw = stringOpt(p, name);
  if (raw === undefined) return undefined;
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
