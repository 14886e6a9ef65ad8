/**
 * A table as LaTeX for a paper (`<name>.tex` beside the CSV), booktabs style: `\toprule`,
 * `\midrule`, `\bottomrule`, no vertical rules, the title as `\caption`, notes in a footnote-size
 * paragraph under the tabular. Needs `\usepackage{booktabs}` in the paper's preamble.
 *
 * Alignment: numeric columns are right-aligned `r` columns, not siunitx `S` columns — a column
 * may mix numbers with "--" (missing) and p-values in scientific notation, which `S` would need
 * per-cell protection for, and right alignment of fixed-decimal cells lines the decimal points
 * up anyway. Text columns are `l`.
 *
 * Cells carry the same digits as the notebook shows (see `displayCell`); p-values below 0.001
 * are written in scientific notation as `$9.31\times10^{-10}$`, negative numbers with a math
 * minus. Text is escaped (`\ & % $ # _ { } ~ ^`), and the few non-ASCII symbols the workbench's
 * titles use (− × — – ≤ ≥ ± · …, Greek letters) become LaTeX commands so pdfLaTeX accepts the
 * file.
 */
import { type DisplayTable, EXAMPLE_MARK, type PlainValue, displayCell, isNumericFormat } from "./tableFormat";
import type { ColumnFormat } from "./shown";

const SPECIAL: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "&": "\\&",
  "%": "\\%",
  $: "\\$",
  "#": "\\#",
  _: "\\_",
  "{": "\\{",
  "}": "\\}",
  "~": "\\textasciitilde{}",
  "^": "\\textasciicircum{}",
  "<": "\\textless{}",
  ">": "\\textgreater{}",
  "\u2212": "$-$",
  "\u00d7": "$\\times$",
  "\u2014": "---",
  "\u2013": "--",
  "\u2264": "$\\leq$",
  "\u2265": "$\\geq$",
  "\u00b1": "$\\pm$",
  "\u00b7": "$\\cdot$",
  "\u2026": "\\ldots{}",
  "\u2192": "$\\rightarrow$",
  "\u221a": "$\\surd$",
  "\u2248": "$\\approx$",
  "\u03b1": "$\\alpha$",
  "\u03b2": "$\\beta$",
  "\u03b3": "$\\gamma$",
  "\u03b4": "$\\delta$",
  "\u03bc": "$\\mu$",
  "\u03c3": "$\\sigma$",
  "\u2019": "'",
  "\u2018": "`",
  "\u201c": "``",
  "\u201d": "''",
};

/**
 * Escapes text for LaTeX (see the module comment for the characters handled). Pure.
 *
 * @example
 * escapeLatex("p_value & 5% of #1"); // "p\\_value \\& 5\\% of \\#1"
 */
export function escapeLatex(s: string): string {
  return s.replace(/[\\&%$#_{}~^<>\u2212\u00d7\u2014\u2013\u2264\u2265\u00b1\u00b7\u2026\u2192\u221a\u2248\u03b1\u03b2\u03b3\u03b4\u03bc\u03c3\u2018\u2019\u201c\u201d]/g, (c) => SPECIAL[c] ?? c).replace(/\r?\n/g, " ");
}

/** One cell in LaTeX: numbers as shown in the notebook, scientific p-values in math mode. */
export function latexCell(v: PlainValue, f: ColumnFormat): string {
  if (v === null) return "--";
  if (typeof v === "string") return escapeLatex(v);
  const s = displayCell(v, f);
  const m = /^(-?)(\d+(?:\.\d+)?)e([+-])(\d+)$/.exec(s);
  if (m) return `$${m[1]}${m[2]}\\times10^{${m[3] === "-" ? "-" : ""}${m[4]}}$`;
  if (s === "inf" || s === "-inf") return `$${s === "-inf" ? "-" : ""}\\infty$`;
  if (s.startsWith("-")) return `$-$${s.slice(1)}`;
  return escapeLatex(s);
}

/**
 * Renders a {@link DisplayTable} as a LaTeX `table` environment with a booktabs `tabular`.
 * `label` becomes `\label{tab:<label>}`. Pure.
 *
 * @example
 * tableLatex({ columns: ["model", "p"], rows: [{ model: "a_b", p: 1e-9 }], formats: [{ kind: "text" }, { kind: "pvalue", significant: 3 }], notes: [], example: false }, "t");
 * // "…\\begin{tabular}{lr}\n\\toprule\nmodel & p \\\\\n\\midrule\na\\_b & $1.00\\times10^{-9}$ \\\\\n\\bottomrule…"
 */
export function tableLatex(t: DisplayTable, label?: string): string {
  const spec = t.formats.map((f) => (isNumericFormat(f) ? "r" : "l")).join("");
  const row = (cells: string[]) => `${cells.join(" & ")} \\\\`;
  const out: string[] = [
    "% Written by icl-workbench show(); needs \\usepackage{booktabs}.",
    "% Numeric columns are right-aligned r columns (not siunitx S: cells mix numbers, -- and scientific p-values).",
    "\\begin{table}[t]",
    "\\centering",
  ];
  const caption = [t.example ? EXAMPLE_MARK + ": " : "", t.title ?? ""].join("");
  if (caption.length > 0) out.push(`\\caption{${escapeLatex(caption)}}`);
  if (label !== undefined) out.push(`\\label{tab:${label.replace(/[^A-Za-z0-9:._-]/g, "-")}}`);
  out.push(`\\begin{tabular}{${spec}}`, "\\toprule", row(t.columns.map(escapeLatex)), "\\midrule");
  for (const r of t.rows) out.push(row(t.columns.map((c, i) => latexCell(r[c] ?? null, t.formats[i] ?? { kind: "text" }))));
  out.push("\\bottomrule", "\\end{tabular}");
  if (t.notes.length > 0) out.push("\\par\\smallskip", `{\\footnotesize ${t.notes.map(escapeLatex).join(" \\\\\n")}\\par}`);
  out.push("\\end{table}");
  return out.join("\n") + "\n";
}
