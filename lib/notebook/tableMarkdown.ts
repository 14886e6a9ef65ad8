/**
 * A table as a GitHub-flavoured Markdown pipe table (`<name>.md` beside the CSV): the title in
 * bold above, numeric columns right-aligned (`---:`), the same cell text as the notebook shows,
 * notes as a list under it, and the example-data mark when the table comes from bundled
 * example data.
 */
import { type DisplayTable, EXAMPLE_MARK, displayCell, isNumericFormat } from "./tableFormat";

/** Escapes text for a pipe-table cell (pipes, backslashes, emphasis and HTML characters; newlines become spaces). */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/([|*_`[\]])/g, "\\$1")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r?\n/g, " ");
}

/**
 * Renders a {@link DisplayTable} as Markdown. Pure.
 *
 * @example
 * tableMarkdown({ columns: ["model", "n"], rows: [{ model: "a", n: 3 }], formats: [{ kind: "text" }, { kind: "count" }], notes: [], example: false });
 * // "| model | n |\n| :--- | ---: |\n| a | 3 |\n"
 */
export function tableMarkdown(t: DisplayTable): string {
  const out: string[] = [];
  if (t.example) out.push(`**${EXAMPLE_MARK}**`, "");
  if (t.title !== undefined) out.push(`**${escapeMarkdown(t.title)}**`, "");
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  out.push(row(t.columns.map(escapeMarkdown)));
  out.push(row(t.formats.map((f) => (isNumericFormat(f) ? "---:" : ":---"))));
  for (const r of t.rows) out.push(row(t.columns.map((c, i) => escapeMarkdown(displayCell(r[c] ?? null, t.formats[i] ?? { kind: "text" })))));
  if (t.notes.length > 0) out.push("", ...t.notes.map((n) => `- ${escapeMarkdown(n)}`));
  return out.join("\n") + "\n";
}
