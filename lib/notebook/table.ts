/**
 * Tables in notebooks: printed as aligned text (readable in every front end, in CI logs and on
 * GitHub) and written as CSV under `<results>/tables/<name>.csv`.
 */
import * as path from "node:path";
import { writeFileAtomic } from "../io/atomic";
import { formatCsv } from "../io/csv";
import type { TableView } from "../model/table";
import { resultsDir } from "../paths";

function cell(v: string | number | null | undefined, digits: number): string {
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) >= 1000 ? String(v) : v.toFixed(digits);
  return v;
}

/** Formats a table as aligned text: the first column left-aligned, numbers right-aligned. */
export function formatTable(t: TableView, digits = 2): string {
  const body = t.rows.map((r) => t.columns.map((c) => cell(r[c], digits)));
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
