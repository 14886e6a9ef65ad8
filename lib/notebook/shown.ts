/**
 * What a notebook cell shows: the values section recipes (`lib/sections/`) return and
 * `show(x, name)` (lib/notebook) displays and writes. Types only: no I/O, no formatting.
 *
 * - a table stays an arquero table at full precision; formatting happens in `show`, at display
 *   time only (HTML, text, and the .tex/.md copies), never in the CSV;
 * - a figure carries its print size, so no notebook computes a height inline;
 * - an empty result says why there is nothing to show: `show` prints the reason and writes no
 *   file (a figure or table without data is never written).
 */
import type { ColumnTable } from "arquero";
import type { FigureSpec } from "../figures/types";

/** How `show` formats one column for display (the CSV always keeps full precision). */
export type ColumnFormat =
  | { kind: "number"; digits: number }
  | { kind: "count" }
  | { kind: "pvalue"; significant: number }
  | { kind: "text" };

/** A table to show: `<results>/tables/<name>.csv` (+ `.tex`, `.md`) and an HTML/text display. */
export interface TableResult {
  kind: "table";
  table: ColumnTable;
  /** Shown above the table and used as the LaTeX caption. */
  title?: string;
  /** Lines printed under the table (what was dropped, where numbers come from). */
  notes?: string[];
  /** Per-column display formats; columns not named here are inferred from their names and values. */
  formats?: Record<string, ColumnFormat>;
  /** True when the table is drawn from bundled example data (not results). */
  example?: boolean;
}

/** A figure to show and export: `<results>/figures/<name>.{svg,pdf,png}`. */
export interface FigureResult {
  kind: "figure";
  figure: FigureSpec;
  /** Column width at print size: single (3.3 in) or double (6.9 in). */
  size: "single" | "double";
  /** Height at print size, in inches, computed by the recipe from what the figure holds. */
  heightIn: number;
  notes?: string[];
  example?: boolean;
}

/** Nothing to show, and why (e.g. the dump has no run with that setting). */
export interface EmptyResult {
  kind: "empty";
  what: "table" | "figure";
  reason: string;
}

/** Text to print (descriptions, coverage reports, test results in words). */
export interface TextResult {
  kind: "text";
  text: string;
}

/** Anything a recipe returns for one cell. */
export type Shown = TableResult | FigureResult | EmptyResult | TextResult;

/** Builds an empty result. */
export function nothingToShow(what: "table" | "figure", reason: string): EmptyResult {
  return { kind: "empty", what, reason };
}
