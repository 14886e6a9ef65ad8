/**
 * The figure theme, set once and used by every builder in lib/figures/: a serif font that
 * matches LaTeX papers, text sizes in points at print size (never below 7 pt), the two paper
 * column widths, and one colour and one order per base model and per setting across all
 * figures (Llama-3.1-8B is blue everywhere, URIAL is the same colour in every figure).
 *
 * Sizes: plotly lays a figure out in CSS pixels and the exporter prints it at 96 px per inch
 * (lib/export/exportFigure.ts), so a size of `p` points is `p × 96 / 72` px ({@link pt}).
 *
 * The font: Liberation Serif (Debian's fonts-liberation2, installed by bin/setup), metrically
 * Times New Roman, the body face of ACL/NeurIPS/ICML papers. It is TrueType, so Chromium embeds
 * it in the PDF as a named, subset CID TrueType font; the CFF-based OpenType clones (TeX Gyre
 * Termes of fonts-texgyre, Latin Modern Roman of fonts-lmodern) come out of Chromium's PDF
 * backend as unnamed Type 3 fonts, which some venues' PDF checks reject, so they are only
 * fallbacks, after the Times clones other systems have.
 */
import type { PlotlyLayout } from "./types";

/** A paper column: single (3.3 in) or double (6.9 in, the full text width). */
export type ColumnWidth = "single" | "double";

/** Column widths in inches (ACL and other two-column formats). */
export const COLUMN_WIDTHS: Readonly<Record<ColumnWidth, number>> = { single: 3.3, double: 6.9 };

/** CSS pixels per inch (plotly's unit at print size) and per point. */
export const PX_PER_INCH = 96;
export const PX_PER_PT = 96 / 72;

/** `points` at print size in plotly's CSS pixels. */
export function pt(points: number): number {
  // rounded up, so that 7 pt is never drawn a hair below 7 pt
  return Math.ceil(points * PX_PER_PT * 1000) / 1000;
}

/** Inches at print size in CSS pixels. */
export function inches(n: number): number {
  return n * PX_PER_INCH;
}

/** The font stack: a Times-metric TrueType serif first (fonts-liberation2), fallbacks after. */
export const FONT_FAMILY = '"Liberation Serif", "Times New Roman", Times, "TeX Gyre Termes", "Nimbus Roman", "Latin Modern Roman", "DejaVu Serif", serif';

/** The face {@link FONT_FAMILY} is meant to resolve to, and the Debian package that has it. */
export const FONT_FACE = { family: "Liberation Serif", pdfName: "LiberationSerif", debianPackage: "fonts-liberation2" } as const;

/** Text sizes in points at print size; 7 pt is the floor for every text. */
export const FONT_PT = {
  /** Axis titles and the default for any text. */
  base: 8,
  /** Tick labels, legend entries, cell values, annotations. */
  small: 7,
  /** Panel titles. */
  panel: 8,
  /** The figure's title. */
  title: 9,
} as const;

export const TEXT_COLOR = "#222222";
export const MUTED_COLOR = "#777777";

/** A font object for plotly at `points` (default {@link FONT_PT.base}). */
export function font(points: number = FONT_PT.base, color?: string): Record<string, unknown> {
  return { family: FONT_FAMILY, size: pt(points), ...(color ? { color } : {}) };
}

/** The width of a column in CSS pixels. */
export function columnPx(width: ColumnWidth): number {
  const w = COLUMN_WIDTHS[width];
  if (w === undefined) throw new Error(`figure width must be "single" or "double", got ${JSON.stringify(width)}`);
  return inches(w);
}

/**
 * How many characters of {@link FONT_PT.small} text fit in `px` pixels: Times averages about
 * 0.47 em per character. Used to decide where labels need to wrap or shrink.
 */
export function charsThatFit(px: number, points: number = FONT_PT.small): number {
  return Math.max(1, Math.floor(px / (pt(points) * 0.47)));
}

/** Approximate width in px of `text` at `points` (see {@link charsThatFit}). */
export function textPx(text: string, points: number = FONT_PT.small): number {
  return plainText(text).length * pt(points) * 0.47;
}

function plainText(s: string): string {
  return s.replace(/<[^>]+>/g, "");
}

/**
 * Wraps `text` on spaces into lines of at most `maxChars` characters, joined by plotly's
 * `<br>`. A word longer than the limit stays whole.
 */
export function wrapLabel(text: string, maxChars: number): string {
  const words = text.split(/\s+/).filter((w) => w !== "");
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    if (cur === "") cur = w;
    else if (cur.length + 1 + w.length <= maxChars) cur += " " + w;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur !== "") lines.push(cur);
  return lines.join("<br>");
}

/** The number of lines of a plotly label (`<br>` separated). */
export function lineCount(text: string): number {
  return text.split(/<br\s*\/?>/i).length;
}

/** A layout's common part: font, colours, no plot background, margins in px. */
export function themeLayout(margin: { l: number; r: number; t: number; b: number }): PlotlyLayout {
  return {
    font: font(FONT_PT.base, TEXT_COLOR),
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    margin: { ...margin, pad: 0 },
    hoverlabel: { font: font(FONT_PT.small) },
  };
}

/** An axis's common part: small tick labels, light grid, a thin frame line. */
export function themeAxis(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tickfont: font(FONT_PT.small),
    title: undefined,
    showline: true,
    linecolor: "#444444",
    linewidth: 0.75,
    gridcolor: "#e6e6e6",
    zeroline: false,
    ticks: "outside",
    ticklen: 3,
    tickwidth: 0.75,
    automargin: false,
    ...extra,
  };
}

/** An axis title object at {@link FONT_PT.base}. */
export function axisTitle(text: string, standoff?: number): Record<string, unknown> {
  return { text, font: font(FONT_PT.base), ...(standoff !== undefined ? { standoff } : {}) };
}

/** The figure title (above everything, left-aligned with the plot). */
export function figureTitle(text: string): Record<string, unknown> {
  return { text, font: font(FONT_PT.title), x: 0, xref: "container", xanchor: "left", y: 1, yref: "container", yanchor: "top", pad: { t: pt(3), l: 4 } };
}

/**
 * The "example data" mark: small red text on the first line of the top margin, right-aligned
 * with the plot, never over data or labels ({@link topMarginPx} reserves the line; pass the top
 * margin in px so the mark sits at the figure's top edge).
 */
export function exampleDataMark(marginTopPx = 0): Record<string, unknown> {
  return {
    text: "EXAMPLE DATA — not a result",
    xref: "paper",
    yref: "paper",
    x: 1,
    y: 1,
    xanchor: "right",
    yanchor: "top",
    yshift: Math.max(0, marginTopPx - 2),
    showarrow: false,
    font: { ...font(FONT_PT.small, "#c0392b") },
  };
}

/** An x title as an annotation centred under `[x0, x1]` (paper), below tick labels `tickPx` high. */
export function xTitleAnnotation(text: string, tickPx: number, x0 = 0, x1 = 1): Record<string, unknown> {
  return { text, xref: "paper", yref: "paper", x: (x0 + x1) / 2, y: 0, yshift: -tickPx, xanchor: "center", yanchor: "top", showarrow: false, font: font(FONT_PT.base) };
}

/** Height in px of one line of text at `points` (plotly's line spacing is about 1.3 em). */
export function linePx(points: number = FONT_PT.small): number {
  return pt(points) * 1.3;
}

/**
 * The top margin for a title and the example mark, in px: the mark gets its own line above the
 * title, so neither covers the other.
 */
export function topMarginPx(title: string | undefined, example: boolean, width: ColumnWidth, extra = 0): { px: number; titleLines: number; titleText?: string } {
  let px = pt(4) + extra;
  if (example) px += linePx(FONT_PT.small);
  if (title === undefined || title === "") return { px, titleLines: 0 };
  const text = wrapLabel(title, charsThatFit(columnPx(width) - 12, FONT_PT.title));
  const n = lineCount(text);
  // half a tick label's height more: the top tick label reaches above the plot area
  px += n * linePx(FONT_PT.title) + pt(2) + linePx(FONT_PT.small) * 0.5 + 2;
  return { px, titleLines: n, titleText: text };
}

/**
 * The title (wrapped to the width by {@link topMarginPx}) as an annotation at the figure's
 * top-left corner, below the example mark's line: an annotation's anchor is exact, plotly's
 * title of several lines is not. `margin` is the layout's margin.
 */
export function placedTitle(titleText: string, example: boolean, margin: { l: number; t: number }): Record<string, unknown> {
  return {
    text: titleText,
    xref: "paper",
    yref: "paper",
    x: 0,
    y: 1,
    xanchor: "left",
    yanchor: "top",
    align: "left",
    xshift: -margin.l + 4,
    yshift: margin.t - pt(3) - (example ? linePx(FONT_PT.small) : 0),
    showarrow: false,
    font: font(FONT_PT.title),
  };
}

// ---------------------------------------------------------------- colours and order

/**
 * Base models in the order of the papers' tables; each has its colour. A base model not listed
 * gets a colour of {@link EXTRA_COLORS} by its first appearance, after the listed ones.
 */
export const BASE_MODEL_ORDER: readonly string[] = [
  "Llama-3.1-8B",
  "Mistral-7B-v0.2",
  "Llama-2-7B-80k",
  "Mixtral-8x22B-v0.1-4bit",
  "Llama-3-8B",
  "Llama-3-70B",
  "Llama-2-7B",
  "Llama-2-70B",
  "Mistral-7B-v0.1",
];

/**
 * Colour-blind-safe colours (Okabe–Ito, then Tol's), disjoint from the setting colours of
 * {@link SETTING_STYLE}, so a colour never means a base model in one figure and a setting in
 * another.
 */
export const BASE_MODEL_COLORS: Readonly<Record<string, string>> = {
  "Llama-3.1-8B": "#0072B2",
  "Mistral-7B-v0.2": "#E69F00",
  "Llama-2-7B-80k": "#009E73",
  "Mixtral-8x22B-v0.1-4bit": "#CC79A7",
  "Llama-3-8B": "#56B4E9",
  "Llama-3-70B": "#117733",
  "Llama-2-7B": "#44AA99",
  "Llama-2-70B": "#999933",
  "Mistral-7B-v0.1": "#882255",
};

export const EXTRA_COLORS: readonly string[] = ["#661100", "#6699CC", "#DDCC77", "#88CCEE", "#888888", "#B07AA1"];

/** The base model a label names (the longest listed name it contains), or null. */
export function baseModelInLabel(label: string): string | null {
  let best: string | null = null;
  for (const m of BASE_MODEL_ORDER) {
    const i = label.indexOf(m);
    // "Llama-3.1-8B-Instruct" names Llama-3.1-8B; "Llama-2-7B-80k" is not "Llama-2-7B"
    if (i < 0) continue;
    const next = label.charAt(i + m.length);
    if (next !== "" && /[A-Za-z0-9.]/.test(next)) continue;
    if (best === null || m.length > best.length) best = m;
  }
  return best;
}

/** The base models in the canonical order: listed ones first (table order), then the rest as given. */
export function orderBaseModels(models: Iterable<string>): string[] {
  const all = [...new Set(models)];
  const listed = BASE_MODEL_ORDER.filter((m) => all.includes(m));
  return [...listed, ...all.filter((m) => !BASE_MODEL_ORDER.includes(m))];
}

/**
 * The order of panel rows titled by base model ("Mistral-7B-v0.2", "Llama-3.1-8B, rep. penalty
 * 1.0"): indices into `titles`, base models in {@link orderBaseModels} order, stable within one.
 */
export function baseModelRowOrder(titles: readonly string[]): number[] {
  const models = orderBaseModels(titles.map((t) => baseModelInLabel(t) ?? t));
  const rank = (t: string) => models.indexOf(baseModelInLabel(t) ?? t);
  return titles.map((t, i) => ({ t, i })).sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i).map((x) => x.i);
}

/** The colour of a base model; `others` (all models of the figure) orders the unlisted ones. */
export function baseModelColor(model: string, others: readonly string[] = [model]): string {
  const c = BASE_MODEL_COLORS[model];
  if (c !== undefined) return c;
  const unlisted = [...new Set([...others, model])].filter((m) => BASE_MODEL_COLORS[m] === undefined);
  return EXTRA_COLORS[unlisted.indexOf(model) % EXTRA_COLORS.length] as string;
}

/** Settings in display order (manifest `setting` values), each with its colour and dash. */
export const SETTING_ORDER: readonly string[] = ["base", "urial", "icl-random", "icl-greedy", "ift", "instruct"];

export const SETTING_STYLE: Readonly<Record<string, { color: string; dash: string; label: string }>> = {
  base: { color: "#7f7f7f", dash: "dot", label: "base model" },
  urial: { color: "#333333", dash: "dash", label: "URIAL" },
  "icl-random": { color: "#332288", dash: "solid", label: "ICL, random demos" },
  "icl-greedy": { color: "#D55E00", dash: "solid", label: "ICL, greedy demos" },
  ift: { color: "#AA4499", dash: "solid", label: "IFT" },
  instruct: { color: "#000000", dash: "dashdot", label: "instruct model" },
};

/**
 * The setting a series or reference name stands for, from the names the analyses give
 * ("base model", "URIAL (3 demos)", "ICL random + URIAL", "URIAL + greedy search", "IFT ...",
 * "instruct model"), or null.
 */
export function settingInLabel(label: string): string | null {
  const s = label.toLowerCase();
  if (/\bgreedy\b/.test(s)) return "icl-greedy";
  if (/\bift\b|fine-tun/.test(s)) return "ift";
  if (/\bicl\b|random/.test(s)) return "icl-random";
  if (/instruct/.test(s)) return "instruct";
  if (/urial/.test(s)) return "urial";
  if (/\bbase\b/.test(s)) return "base";
  return null;
}

/** Orders names by the setting they stand for (unknown last, stable). */
export function orderBySetting<T>(items: readonly T[], name: (t: T) => string): T[] {
  const rank = (t: T) => {
    const s = settingInLabel(name(t));
    const i = s === null ? -1 : SETTING_ORDER.indexOf(s);
    return i < 0 ? SETTING_ORDER.length : i;
  };
  return items.map((t, i) => ({ t, i, r: rank(t) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.t);
}

/** Colours for settings not in {@link SETTING_STYLE}, by first appearance. */
export const EXTRA_SETTING_COLORS: readonly string[] = ["#CC6677", "#DDCC77", "#661100", "#6699CC"];

/** The colour and dash of a series or reference line by the setting it names; `others` orders unknown names. */
export function settingStyle(name: string, others: readonly string[] = [name]): { color: string; dash: string } {
  const s = settingInLabel(name);
  const st = s === null ? undefined : SETTING_STYLE[s];
  if (st !== undefined) return { color: st.color, dash: st.dash };
  const unknown = [...new Set([...others, name])].filter((n) => {
    const k = settingInLabel(n);
    return k === null || SETTING_STYLE[k] === undefined;
  });
  return { color: EXTRA_SETTING_COLORS[unknown.indexOf(name) % EXTRA_SETTING_COLORS.length] as string, dash: "solid" };
}

/** Bar patterns by setting (a bar's colour is its base model, its fill pattern its setting). */
export const SETTING_PATTERN: Readonly<Record<string, string>> = { base: "x", urial: "/", instruct: "" };

/** `rgba()` of a `#rrggbb` colour. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

// ---------------------------------------------------------------- legends and heights

/** Plotly's horizontal legend: symbol column, gap and text per item; rows of {@link LEGEND_ROW_PX}. */
export const LEGEND_ITEM_PX = 40;
export const LEGEND_ROW_PX = pt(FONT_PT.small) * 2.05;
const LEGEND_PAD_PX = 10;

/**
 * The rows a horizontal legend of `names` takes when plotly wraps it to `widthPx` (the plot
 * area's width, not the figure's): one row when all items fit, else a grid of columns as wide
 * as the widest item. (No legend groups: plotly puts each group on a row of its own.)
 */
export function legendRows(names: readonly string[], plotWidthPx: number): number {
  if (names.length === 0) return 0;
  const widthPx = plotWidthPx * 0.96;
  const widths = names.map((n) => LEGEND_ITEM_PX + textPx(n, FONT_PT.small) * 1.05);
  if (widths.reduce((a, b) => a + b, 0) <= widthPx) return 1;
  const cols = Math.max(1, Math.floor(widthPx / Math.max(...widths)));
  return Math.ceil(names.length / cols);
}

/** Height in px of a horizontal legend of `names` in `widthPx` (0 without names). */
export function legendHeightPx(names: readonly string[], widthPx: number): number {
  const rows = legendRows(names, widthPx);
  return rows === 0 ? 0 : rows * LEGEND_ROW_PX + LEGEND_PAD_PX;
}

/** A horizontal legend along the figure's bottom edge, left-aligned with the plot. */
export function bottomLegend(): Record<string, unknown> {
  return { orientation: "h", xref: "container", x: 0, xanchor: "left", yref: "container", y: 0, yanchor: "bottom", font: font(FONT_PT.small), itemwidth: 30, tracegroupgap: 0, bgcolor: "rgba(255,255,255,0)" };
}

/** Height in px of x tick labels (`lines` lines, rotated by `angleDeg`, longest label `longestPx`). */
export function xTickLabelPx(longestPx: number, angleDeg = 0, lines = 1): number {
  const h = lines * linePx(FONT_PT.small);
  const a = (Math.abs(angleDeg) * Math.PI) / 180;
  return Math.ceil(h * Math.cos(a) + longestPx * Math.sin(a)) + 3 + 2;
}

/** The print height in inches of a figure whose builder set `layout.height` (px). */
export function figureHeightIn(fig: { layout: PlotlyLayout }): number {
  const h = fig.layout["height"];
  if (typeof h !== "number" || !(h > 0)) throw new Error("figureHeightIn: the figure has no layout.height (builders of lib/figures set it)");
  return h / PX_PER_INCH;
}

/** Rounds a px height to a whole pixel and returns it with its inches. */
export function heightFromPx(px: number): number {
  return Math.ceil(px) / PX_PER_INCH;
}
