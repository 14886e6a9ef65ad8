/**
 * Tables as aligned text (readable in every front end, in CI logs and on GitHub): the
 * `text/plain` part of what `show` displays. `showTable` is the older entry point of the
 * notebooks; it goes through the same code as `show` (HTML + text display, CSV, .tex, .md).
 */
import type { TableView } from "../model/table";
import { type ShowOptions, showTableFiles } from "./show";
import { toDisplayTable } from "./tableFormat";
import { tableText } from "./tableText";

/**
 * Formats a table as aligned text: the first column left-aligned, numbers right-aligned; counts
 * (see `isCountColumn`, or a column of integers) without decimals, p-values with 3 significant
 * digits, other numbers with `digits` decimals.
 */
export function formatTable(t: TableView, digits = 2): string {
  return tableText(toDisplayTable(t, { digits }));
}

/**
 * Shows the table (HTML + text in one output) and writes `<name>.csv` (full precision),
 * `<name>.tex` and `<name>.md` under `opts.outDir` (default `<results>/tables`), as {@link show}.
 */
export function showTable(t: TableView, name: string, opts: Pick<ShowOptions, "digits" | "outDir"> = {}): void {
  showTableFiles(toDisplayTable(t, { digits: opts.digits ?? 2 }), name, opts.outDir);
}
