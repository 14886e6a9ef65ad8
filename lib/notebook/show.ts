/**
 * `show(x, name)`: the one call a notebook cell makes to display what it computed.
 *
 * - an arquero table, a {@link TableResult} or a legacy {@link TableView}: ONE display output
 *   carrying `text/html` (a real table, see `tableHtml`) and `text/plain` (aligned text, see
 *   `tableText`), and three files under `<results>/tables/` (or `opts.outDir`):
 *   `<name>.csv` at FULL precision (every number as its shortest round-trip representation:
 *   `String(x)`), `<name>.tex` (booktabs, see `tableLatex`) and `<name>.md` (pipe table).
 *   Rounding happens here, at display time only; the CSV never sees it.
 * - a {@link FigureResult}: exported and displayed by `showFigure` at the result's size and
 *   height; a bare plotly `{data, layout}` as `showFigure` does with `opts`.
 * - an {@link EmptyResult}: "<name>: not drawn — <reason>" (text and HTML), and no file.
 * - a {@link TextResult}: printed.
 *
 * Figures are asynchronous (Chromium), the rest is not: `await wb.show(x, name)` works for all.
 */
import * as path from "node:path";
import type { ColumnTable } from "arquero";
import type { FigureSpec } from "../figures/types";
import { writeFileAtomic } from "../io/atomic";
import { formatCsv } from "../io/csv";
import type { TableView } from "../model/table";
import { resultsDir } from "../paths";
import { type MimeBundle, type ShowFigureOptions, displayBundle, showFigure } from "./display";
import type { EmptyResult, FigureResult, Shown, TableResult, TextResult } from "./shown";
import { type DisplayTable, isColumnTable, toDisplayTable } from "./tableFormat";
import { escapeHtml, tableHtml } from "./tableHtml";
import { tableLatex } from "./tableLatex";
import { tableMarkdown } from "./tableMarkdown";
import { tableText } from "./tableText";

/** Everything {@link show} accepts. */
export type Showable = Shown | ColumnTable | TableView | FigureSpec;

/** Options of {@link show}: a figure's export options, a table's default decimals. */
export interface ShowOptions extends ShowFigureOptions {
  /** Decimals of table columns whose format is inferred as "number". Default 2. */
  digits?: number;
  /** Where files go: the tables directory for a table (default `<results>/tables`), the figures directory for a figure (default `<results>/figures`). */
  outDir?: string;
}

/** The files a table is written to. */
export interface TableFiles {
  csv: string;
  tex: string;
  md: string;
}

function checkName(name: string): string {
  if (typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new RangeError(`show: name must be letters, digits, ".", "_" or "-" (it names the output files), got ${JSON.stringify(name)}`);
  }
  return name;
}

/** The CSV of a table: its values at full precision (shortest round-trip), nulls empty. Pure. */
export function tableCsv(t: DisplayTable): string {
  return formatCsv(t.columns, t.rows);
}

/** The display bundle of a table: `text/html` and `text/plain` in one output. Pure. */
export function tableBundle(t: DisplayTable): { data: MimeBundle; metadata: Record<string, unknown> } {
  return { data: { "text/html": tableHtml(t), "text/plain": tableText(t) }, metadata: {} };
}

/** Writes `<dir>/<name>.csv`, `.tex` and `.md` atomically; returns their paths. */
export function writeTableFiles(t: DisplayTable, name: string, dir: string = path.join(resultsDir(), "tables")): TableFiles {
  checkName(name);
  const files: TableFiles = { csv: path.join(dir, `${name}.csv`), tex: path.join(dir, `${name}.tex`), md: path.join(dir, `${name}.md`) };
  writeFileAtomic(files.csv, tableCsv(t));
  writeFileAtomic(files.tex, tableLatex(t, name));
  writeFileAtomic(files.md, tableMarkdown(t));
  return files;
}

/** Writes the table's files, then displays it (HTML + text). */
export function showTableFiles(t: DisplayTable, name: string, outDir?: string): void {
  writeTableFiles(t, name, outDir);
  displayBundle(tableBundle(t));
}

/** The bundle of an empty result: "<name>: not drawn — <reason>". Pure. */
export function emptyBundle(e: EmptyResult, name: string): { data: MimeBundle; metadata: Record<string, unknown> } {
  const text = `${name}: not drawn — ${e.reason}`;
  return { data: { "text/html": `<p class="icl-empty"><em>${escapeHtml(name)}</em>: not drawn — ${escapeHtml(e.reason)}</p>`, "text/plain": text }, metadata: {} };
}

function isFigureSpec(x: unknown): x is FigureSpec {
  if (typeof x !== "object" || x === null) return false;
  const f = x as Record<string, unknown>;
  return Array.isArray(f["data"]) && typeof f["layout"] === "object" && f["layout"] !== null;
}

function isTableView(x: unknown): x is TableView {
  if (typeof x !== "object" || x === null) return false;
  const t = x as Record<string, unknown>;
  return Array.isArray(t["columns"]) && Array.isArray(t["rows"]);
}

/**
 * Displays what a cell computed and writes its files (see the module comment).
 *
 * @example
 * show(aq.table({ model: ["a"], wilcoxon_p: [1e-9] }), "02-gaps"); // HTML + text; 02-gaps.csv/.tex/.md
 * await show({ kind: "figure", figure: fig, size: "single", heightIn: 2.5 }, "02-heatmap");
 */
export function show(x: FigureResult | FigureSpec, name: string, opts?: ShowOptions): Promise<void>;
export function show(x: TableResult | ColumnTable | TableView | EmptyResult | TextResult, name: string, opts?: ShowOptions): void;
export function show(x: Showable, name: string, opts?: ShowOptions): void | Promise<void>;
export function show(x: Showable, name: string, opts: ShowOptions = {}): void | Promise<void> {
  checkName(name);
  const { digits, ...figureOpts } = opts;
  if (isColumnTable(x)) return showTableFiles(toDisplayTable(x, { digits }), name, opts.outDir);
  if (typeof x === "object" && x !== null && "kind" in x) {
    switch (x.kind) {
      case "table":
        return showTableFiles(toDisplayTable(x, { digits }), name, opts.outDir);
      case "figure":
        return showFigure(x.figure, name, { ...figureOpts, size: x.size, heightIn: x.heightIn }).then(() => {
          if (x.notes && x.notes.length > 0) console.log(x.notes.join("\n"));
        });
      case "empty":
        displayBundle(emptyBundle(x, name));
        return;
      case "text":
        console.log(x.text);
        return;
    }
  }
  if (isTableView(x)) return showTableFiles(toDisplayTable(x, { digits }), name, opts.outDir);
  if (isFigureSpec(x)) return showFigure(x, name, figureOpts);
  throw new TypeError(`show(${JSON.stringify(name)}): expected an arquero table, a table/figure/empty/text result, a TableView or a plotly {data, layout}`);
}
