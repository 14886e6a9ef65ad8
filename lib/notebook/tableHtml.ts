/**
 * A table as HTML for notebook front ends (JupyterLab, VS Code, nbconvert): a real `<table>`
 * with a caption, numbers right-aligned (tabular figures, no wrapping), p-values in significant digits,
 * counts without decimals, notes under it and a visible mark on example data. Alignment is set
 * both as an inline style and as the `align` attribute, so it survives front ends whose CSS
 * right-aligns every cell or sanitizers that drop `style`.
 */
import { type DisplayTable, EXAMPLE_MARK, displayCell, isNumericFormat } from "./tableFormat";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function cellTag(tag: "th" | "td", text: string, right: boolean): string {
  const align = right ? "right" : "left";
  const style = right ? "text-align:right;white-space:nowrap" : "text-align:left";
  return `<${tag} align="${align}" style="${style}">${escapeHtml(text)}</${tag}>`;
}

/**
 * Renders a {@link DisplayTable} as one HTML fragment. Pure.
 *
 * @example
 * tableHtml({ columns: ["model", "p"], rows: [{ model: "a", p: 1e-9 }], formats: [{ kind: "text" }, { kind: "pvalue", significant: 3 }], notes: [], example: false });
 * // '<div class="icl-table"><table>…<td align="right" …>1.00e-9</td>…</table></div>'
 */
export function tableHtml(t: DisplayTable): string {
  const right = t.formats.map((f) => isNumericFormat(f));
  const out: string[] = ['<div class="icl-table">'];
  if (t.example) out.push(`<p class="icl-example" style="color:#b00020;font-weight:bold">${escapeHtml(EXAMPLE_MARK)}</p>`);
  out.push('<table style="border-collapse:collapse;font-variant-numeric:tabular-nums">');
  if (t.title !== undefined) out.push(`<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(t.title)}</caption>`);
  out.push("<thead><tr>" + t.columns.map((c, i) => cellTag("th", c, right[i] === true)).join("") + "</tr></thead>");
  out.push("<tbody>");
  for (const r of t.rows) {
    out.push("<tr>" + t.columns.map((c, i) => cellTag("td", displayCell(r[c] ?? null, t.formats[i] ?? { kind: "text" }), right[i] === true)).join("") + "</tr>");
  }
  out.push("</tbody></table>");
  if (t.notes.length > 0) out.push('<ul class="icl-notes">' + t.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("") + "</ul>");
  out.push("</div>");
  return out.join("\n");
}
