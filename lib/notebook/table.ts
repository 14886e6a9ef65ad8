/**
 * Tables in notebooks: printed as aligned text (readable in every front end, in CI logs and on
 * GitHub) and written as CSV under `<results>/tables/<name>.csv`.
 */
import * as path from "node:path";
import { writeFileAtomic } from "../io/atomic";
import { formatCsv } from "../io/csv";
import { type TableView, isCountColumn } from "../model/table";
import { resultsDir } from "../paths";

type ColumnKind = "count" | "pvalue" | "number";

/** p-values print with 3 significant digits (exponent below 0.001): "0.00" hides what matters. */
function isPValueColumn(column: string): boolean {
  return /(^p$|_p$|^p_value|pValue$|^p_)/.test(column);
}

function columnKind(t: TableView, column: string): ColumnKind {
  if (isPValueColumn(column)) return "pvalue";
  if (isCountColumn(t, column)) return "count";
  // a column whose every value is an integer holds counts, steps or sizes (from two rows on: one
  // integer mean is a coincidence)
  const values = t.rows.map((r) => r[column]).filter((v): v is number => typeof v === "number");
  return values.length > 1 && values.every((v) => Number.isInteger(v)) ? "count" : "number";
}

function cell(v: string | number | null | undefined, digits: number, kind: ColumnKind): string {
  if (v === null || v === undefined) return "-";
  if (typeof v !== "number") return v;
  if (kind === "pvalue") return v === 0 || v >= 0.001 ? v.toPrecision(3).replace(/\.?0+$/, "") || "0" : v.toExponential(2);
  if (kind === "count" && Number.isInteger(v)) return String(v);
  return Number.isInteger(v) && Math.abs(v) >= 1000 ? String(v) : v.toFixed(digits);
}

/**
 * Formats a table as aligned text: the first column left-aligned, numbers right-aligned; counts
 * (see `isCountColumn`, or a column of integers) without decimals, p-values with 3 significant
 * digits, other numbers with `digits` decimals.
 */
export function formatTable(t: TableView, digits = 2): string {
  const kinds = t.columns.map((c) => columnKind(t, c));
  const body = t.rows.map((r) => t.columns.map((c, i) => cell(r[c], digits, kinds[i] ?? "number")));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i] as number) : s.padStart(widths[i] as number))).join("  ");
  const out = [line(t.columns), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  if (t.caption) out.unshift(t.caption, "");
  return out.join("\n");
}

/** Prints the table and writes `<results>/tables/<name>.csv` (full precision). Returns the CSV path. */
export function showTable(t: TableView, name: string, opts: { digits?: number; outDir?: string } = {}): string {
  console.log(formatTable(t, opts.digits ?? 2));
  const file = path.join(opts.outDir ?? path.join(resultsDir(), "tables"), `${name}.csv`);
  writeFileAtomic(file, formatCsv(t.columns, t.rows));
  return file;
}
