/**
 * A table as aligned text: the `text/plain` part of what `show` displays (terminals, CI logs,
 * GitHub's notebook view). Same cell text as the HTML (see `displayCell`).
 */
import { type DisplayTable, EXAMPLE_MARK, displayCell } from "./tableFormat";

/**
 * Renders a {@link DisplayTable} as aligned text: the first column left-aligned, the others
 * right-aligned; the title above, notes below, the example-data mark first. Pure.
 *
 * @example
 * tableText({ columns: ["model", "n"], rows: [{ model: "a", n: 3 }], formats: [{ kind: "text" }, { kind: "count" }], notes: [], example: false });
 * // "model  n\n-----  -\na      3"
 */
export function tableText(t: DisplayTable): string {
  const body = t.rows.map((r) => t.columns.map((c, i) => displayCell(r[c] ?? null, t.formats[i] ?? { kind: "text" })));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i] as number) : s.padStart(widths[i] as number))).join("  ");
  const out = [line(t.columns), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  if (t.title !== undefined) out.unshift(t.title, "");
  if (t.example) out.unshift(EXAMPLE_MARK);
  if (t.notes.length > 0) out.push("", ...t.notes);
  return out.join("\n");
}
