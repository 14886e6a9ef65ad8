/**
 * Command-line parsing on top of node's `util.parseArgs`, turning its errors into UsageError
 * and offering typed accessors. `--x=-0.5,1.2` works (the `=` form keeps negative values).
 */
import { parseArgs } from "node:util";
import { UsageError } from "./io";

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean; default?: string | boolean }>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export function parseCommandLine(argv: string[], options: OptionSpec, allowPositionals = false): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: values as Parsed["values"], positionals };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
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
    const t = s.trim();
    const x = t === "" ? Number.NaN : Number(t);
    if (!Number.isFinite(x)) throw new UsageError(`--${name}: entry ${i + 1} ("${s}") is not a finite number`);
    return x;
  });
}

/** A single number flag; `integer` and `min` are checked. */
export function numberOpt(p: Parsed, name: string, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  const raw = stringOpt(p, name);
  if (raw === undefined) return undefined;
  const x = raw.trim() === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(x)) throw new UsageError(`--${name}: "${raw}" is not a finite number`);
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
