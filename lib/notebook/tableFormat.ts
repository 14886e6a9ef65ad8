/**
 * Display formats of table columns: the one place that turns a table's numbers into text. A
 * table to show (an arquero table, a {@link TableResult} or a legacy {@link TableView}) becomes
 * a {@link DisplayTable}: ordered columns, rows of plain values at FULL precision, and one
 * {@link ColumnFormat} per column. The HTML, text, LaTeX and Markdown renderers format cells
 * from it with {@link displayCell}; the CSV writes the values untouched.
 *
 * Formats come from `TableResult.formats`, else are inferred per column:
 * - p-value: the name is `p`, `p_*`, `*_p`, `p_value…` or `…pValue` (not `top_p`) — 3
 *   significant digits, an exponent below 0.001 ("0.00" would hide what matters);
 * - count: named like a count (`n`, `n_*`, `failed`, `wins`, … see `isCountColumn`), listed in a
 *   TableView's `countColumns`, or every value an integer (from two values on) — no decimals;
 * - text: no value is a number;
 * - number: everything else — `digits` decimals (default 2).
 */
import type { ColumnTable } from "arquero";
import { type TableView, isCountColumn } from "../model/table";
import type { ColumnFormat, TableResult } from "./shown";

/** A cell value after normalisation: numbers stay numbers (full precision). */
export type PlainValue = string | number | null;

/** A table ready to render: what every renderer and the CSV writer read. */
export interface DisplayTable {
  columns: string[];
  rows: Record<string, PlainValue>[];
  /** One format per column, in column order. */
  formats: ColumnFormat[];
  title?: string;
  notes: string[];
  example: boolean;
}

/** Options of {@link toDisplayTable}. */
export interface DisplayOptions {
  /** Decimals of inferred "number" columns. Default 2. */
  digits?: number;
  /** Significant digits of inferred p-value columns. Default 3. */
  significant?: number;
}

/** Whether a value is an arquero table (duck-typed, so this module never loads arquero). */
export function isColumnTable(x: unknown): x is ColumnTable {
  if (typeof x !== "object" || x === null) return false;
  const t = x as Record<string, unknown>;
  return typeof t["columnNames"] === "function" && typeof t["objects"] === "function" && typeof t["numRows"] === "function";
}

/**
 * Whether a column name says p-value (`p`, `p_*`, `*_p`, `p_value`, `…pValue`); `top_p` (the
 * nucleus-sampling parameter) is not one.
 */
export function isPValueColumn(column: string): boolean {
  if (/^top[_-]?p$/i.test(column)) return false;
  return /(^p$|_p$|^p_value|pValue$|^p_)/.test(column);
}

/** Normalises one cell: numbers and strings as they are, booleans and dates as text. */
export function plainValue(v: unknown): PlainValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "string") return v;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  return JSON.stringify(v);
}

/**
 * The format inferred for a column from its name and values (see the module comment).
 *
 * @example
 * inferColumnFormat("wilcoxon_p", [0.01]); // { kind: "pvalue", significant: 3 }
 * inferColumnFormat("runs", [3, 4]); // { kind: "count" }
 */
export function inferColumnFormat(column: string, values: readonly PlainValue[], opts: DisplayOptions & { countColumns?: readonly string[] } = {}): ColumnFormat {
  const numbers = values.filter((v): v is number => typeof v === "number");
  if (isPValueColumn(column)) return { kind: "pvalue", significant: opts.significant ?? 3 };
  if (isCountColumn({ columns: [], rows: [], countColumns: opts.countColumns ? [...opts.countColumns] : [] }, column)) return { kind: "count" };
  if (numbers.length === 0 && values.some((v) => v !== null)) return { kind: "text" };
  // a column whose every value is an integer holds counts, steps or sizes (from two values on:
  // one integer mean is a coincidence)
  if (numbers.length > 1 && numbers.every((v) => Number.isInteger(v))) return { kind: "count" };
  return { kind: "number", digits: opts.digits ?? 2 };
}

function checkFormat(f: ColumnFormat, column: string): ColumnFormat {
  const ok =
    f.kind === "count" ||
    f.kind === "text" ||
    (f.kind === "number" && Number.isInteger(f.digits) && f.digits >= 0 && f.digits <= 20) ||
    (f.kind === "pvalue" && Number.isInteger(f.significant) && f.significant >= 1 && f.significant <= 21);
  if (!ok) throw new RangeError(`show: column "${column}": bad format ${JSON.stringify(f)} (number digits 0..20, pvalue significant 1..21)`);
  return f;
}

/**
 * Turns what a cell shows into a {@link DisplayTable}: values normalised (never rounded), one
 * format per column. A `formats` entry naming no column of the table is an error.
 */
export function toDisplayTable(x: TableResult | ColumnTable | TableView, opts: DisplayOptions = {}): DisplayTable {
  let columns: string[];
  let raw: Record<string, unknown>[];
  let title: string | undefined;
  let notes: string[] = [];
  let example = false;
  let given: Record<string, ColumnFormat> = {};
  let countColumns: string[] | undefined;
  if (isColumnTable(x)) {
    columns = x.columnNames();
    raw = x.objects() as Record<string, unknown>[];
  } else if ("kind" in x && x.kind === "table") {
    if (!isColumnTable(x.table)) throw new TypeError("show: TableResult.table is not an arquero table");
    columns = x.table.columnNames();
    raw = x.table.objects() as Record<string, unknown>[];
    title = x.title;
    notes = x.notes ?? [];
    example = x.example === true;
    given = x.formats ?? {};
  } else if ("columns" in x && Array.isArray(x.columns) && Array.isArray(x.rows)) {
    columns = [...x.columns];
    raw = x.rows;
    title = x.caption;
    countColumns = x.countColumns;
    for (const [c, d] of Object.entries(x.digits ?? {})) given[c] = { kind: "number", digits: d };
  } else {
    throw new TypeError("show: expected an arquero table, a TableResult or a TableView");
  }
  for (const c of Object.keys(given)) {
    if (!columns.includes(c)) throw new RangeError(`show: formats names column "${c}", which the table lacks (columns: ${columns.join(", ")})`);
  }
  const rows = raw.map((r) => {
    const o: Record<string, PlainValue> = {};
    for (const c of columns) o[c] = plainValue(r[c]);
    return o;
  });
  const formats = columns.map((c) => {
    const f = given[c];
    return f ? checkFormat(f, c) : inferColumnFormat(c, rows.map((r) => r[c] ?? null), { ...opts, countColumns });
  });
  const out: DisplayTable = { columns, rows, formats, notes, example };
  if (title !== undefined && title.length > 0) out.title = title;
  return out;
}

/** Whether a column's cells are right-aligned (every format but text). */
export function isNumericFormat(f: ColumnFormat): boolean {
  return f.kind !== "text";
}

function trimZeros(s: string): string {
  if (!s.includes(".") || s.includes("e")) return s;
  return s.replace(/0+$/, "").replace(/\.$/, "");
}

/**
 * A cell as display text (no markup): null is "-", strings as they are, numbers by the
 * column's format. Pure; the only place numbers are rounded.
 *
 * @example
 * displayCell(9.313225746154785e-10, { kind: "pvalue", significant: 3 }); // "9.31e-10"
 * displayCell(0.0465, { kind: "pvalue", significant: 3 }); // "0.0465"
 * displayCell(7.123456789012, { kind: "number", digits: 2 }); // "7.12"
 * displayCell(12, { kind: "count" }); // "12"
 */
export function displayCell(v: PlainValue, f: ColumnFormat): string {
  if (v === null) return "-";
  if (typeof v === "string") return v;
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  switch (f.kind) {
    case "text":
      return String(v);
    case "pvalue":
      if (v === 0) return "0";
      return Math.abs(v) >= 0.001 ? trimZeros(v.toPrecision(f.significant)) : v.toExponential(f.significant - 1);
    case "count":
      if (Number.isInteger(v)) return String(v);
      return v.toFixed(2);
    case "number":
      return Number.isInteger(v) && Math.abs(v) >= 1000 ? String(v) : v.toFixed(f.digits);
  }
}

/** The mark every rendering of a table drawn from bundled example data carries. */
export const EXAMPLE_MARK = "EXAMPLE DATA (not results)";
