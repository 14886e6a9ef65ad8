/**
 * Forest plot of paired score gaps with their confidence intervals (e.g. "URIAL + greedy (1 ex.)
 * − URIAL" per base model), with the published gap as a hollow marker where the paper has one.
 * A vertical line marks zero: an interval that crosses it is a gap the questions cannot tell
 * from noise. Compact: rows are grouped (groups ordered by base model, lib/figures/theme.ts), the
 * group is named once in a header line in its colour, and each row's label drops the group
 * prefix ("Llama-3.1-8B: greedy 1 ex. − URIAL" shows "greedy 1 ex. − URIAL" under the
 * "Llama-3.1-8B" header); labels wrap to fit a single column. A pure builder: statistics in,
 * plotly `{data, layout}` out, `layout.height` from the rows ({@link gapForestHeight}).
 */
import {
  type ColumnWidth,
  FONT_PT,
  MUTED_COLOR,
  baseModelColor,
  baseModelInLabel,
  bottomLegend,
  charsThatFit,
  columnPx,
  exampleDataMark,
  font,
  legendHeightPx,
  lineCount,
  linePx,
  orderBaseModels,
  placedTitle,
  textPx,
  themeAxis,
  themeLayout,
  topMarginPx,
  wrapLabel,
  xTitleAnnotation,
  xTickLabelPx,
} from "./theme";
import type { FigureSpec, PlotlyTrace } from "./types";

export interface GapRow {
  /** Row label, e.g. "Llama-3.1-8B: greedy 1 ex. − URIAL" (a leading "<group>: " is shown once, as the header). */
  label: string;
  /** Group (header and colour), e.g. the base model. */
  group: string;
  gap: number | null;
  low: number | null;
  high: number | null;
  /** The gap between the published numbers, when the paper has both. */
  published?: number | null;
}

export interface GapForestOptions {
  title?: string;
  xTitle?: string;
  /** Confidence level of the intervals, for the legend (e.g. 0.95). */
  level?: number;
  exampleData?: boolean;
  /** Paper column the figure is laid out for. Default "double". */
  width?: ColumnWidth;
}

interface Placed {
  row: GapRow;
  label: string;
  y: number;
}

interface Geometry {
  widthPx: number;
  heightPx: number;
  margin: { l: number; r: number; t: number; b: number };
  title?: string;
  groups: { name: string; color: string; y: number; rows: Placed[] }[];
  yMax: number;
  legendNames: string[];
}

/** The label without its group prefix ("G: x" → "x"). */
function shortLabel(r: GapRow): string {
  const p = `${r.group}: `;
  return r.label.startsWith(p) && r.label.length > p.length ? r.label.slice(p.length) : r.label;
}

function legendNames(rows: readonly GapRow[], opts: GapForestOptions): string[] {
  const level = opts.level === undefined ? "CI" : `${Math.round(opts.level * 100)}% CI`;
  const names = [`gap (paired ${level})`];
  if (rows.some((r) => r.published !== null && r.published !== undefined)) names.push("published gap");
  return names;
}

function geometry(rows: readonly GapRow[], opts: GapForestOptions): Geometry {
  const width = opts.width ?? "double";
  const W = columnPx(width);
  const top = topMarginPx(opts.title, opts.exampleData === true, width);
  // labels take at most 48% (single) / 38% (double) of the width; longer ones wrap
  const labelPx = W * (width === "single" ? 0.48 : 0.38);
  const maxChars = charsThatFit(labelPx - 8, FONT_PT.small);
  const groupNames = [...new Set(rows.map((r) => r.group))];
  const byModel = orderBaseModels(groupNames.map((g) => baseModelInLabel(g) ?? g));
  const rank = (g: string) => byModel.indexOf(baseModelInLabel(g) ?? g);
  const orderedGroups = groupNames.map((g, i) => ({ g, i })).sort((a, b) => rank(a.g) - rank(b.g) || a.i - b.i).map((x) => x.g);
  const line = linePx(FONT_PT.small);
  let y = 0;
  let widest = 0;
  const groups: Geometry["groups"] = [];
  for (const g of orderedGroups) {
    const header = wrapLabel(g, maxChars);
    widest = Math.max(widest, ...header.split("<br>").map((s) => textPx(s, FONT_PT.small) * 1.08));
    const gy = y + (lineCount(header) - 1) * 0.5;
    y = gy + (lineCount(header) - 1) * 0.5 + 1;
    const placed: Placed[] = [];
    for (const r of rows.filter((x) => x.group === g)) {
      const label = wrapLabel(shortLabel(r), maxChars);
      widest = Math.max(widest, ...label.split("<br>").map((s) => textPx(s, FONT_PT.small)));
      const n = lineCount(label);
      y += (n - 1) * 0.5;
      placed.push({ row: r, label, y });
      y += 1 + (n - 1) * 0.5;
    }
    groups.push({ name: header, color: baseModelColor(baseModelInLabel(g) ?? g, byModel), y: gy, rows: placed });
    y += 0.35;
  }
  const yMax = Math.max(1, y - 0.35);
  const l = Math.min(labelPx, Math.ceil(widest) + 10);
  const names = legendNames(rows, opts);
  const legend = legendHeightPx(names, W - l - 10);
  const b = xTickLabelPx(10) + linePx(FONT_PT.base) + 4 + legend + 2;
  const unitPx = line * 1.15;
  const heightPx = Math.ceil(top.px + (yMax + 0.5) * unitPx + b);
  return { widthPx: W, heightPx, margin: { l, r: 10, t: top.px, b }, ...(top.titleText ? { title: top.titleText } : {}), groups, yMax, legendNames: names };
}

/** The figure's print height in inches: header and label lines of every group (what {@link gapForest} sets). */
export function gapForestHeight(rows: readonly GapRow[], opts: GapForestOptions = {}): number {
  return geometry(rows, opts).heightPx / 96;
}

export function gapForest(rows: readonly GapRow[], opts: GapForestOptions = {}): FigureSpec {
  const g = geometry(rows, opts);
  const [gapName, publishedName] = g.legendNames as [string, string | undefined];
  const data: PlotlyTrace[] = g.groups.map((grp, i) => ({
    type: "scatter",
    mode: "markers",
    name: gapName,
    showlegend: i === 0,
    x: grp.rows.map((p) => p.row.gap),
    y: grp.rows.map((p) => p.y),
    text: grp.rows.map((p) => `${grp.name.replace(/<br>/g, " ")}: ${p.label.replace(/<br>/g, " ")}`),
    marker: { color: grp.color, size: 6, symbol: "circle" },
    error_x: {
      type: "data",
      symmetric: false,
      array: grp.rows.map((p) => (p.row.gap === null || p.row.high === null ? 0 : p.row.high - p.row.gap)),
      arrayminus: grp.rows.map((p) => (p.row.gap === null || p.row.low === null ? 0 : p.row.gap - p.row.low)),
      thickness: 1.1,
      width: 2.5,
      color: grp.color,
    },
    hovertemplate: "%{text}: %{x:.2f}<extra></extra>",
  }));
  const withPublished = g.groups.flatMap((grp) => grp.rows).filter((p) => p.row.published !== null && p.row.published !== undefined);
  if (publishedName !== undefined) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: publishedName,
      x: withPublished.map((p) => p.row.published as number),
      y: withPublished.map((p) => p.y),
      // an open symbol is stroked with the marker colour
      marker: { color: "#222222", size: 7, symbol: "diamond-open", line: { width: 1.1 } },
      hovertemplate: "published: %{x:.2f}<extra></extra>",
    });
  }
  const placed = g.groups.flatMap((grp) => grp.rows);
  const xs = rows.flatMap((r) => [r.gap, r.low, r.high, r.published ?? null]).filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(0, ...xs);
  const hi = Math.max(0, ...xs);
  const pad = (hi - lo || 1) * 0.06;
  const annotations: Record<string, unknown>[] = g.groups.map((grp) => ({
    text: `<b>${grp.name}</b>`,
    xref: "paper",
    yref: "y",
    x: 0,
    y: grp.y,
    xanchor: "right",
    xshift: -4,
    yanchor: "middle",
    align: "right",
    showarrow: false,
    font: font(FONT_PT.small, grp.color),
  }));
  annotations.push(xTitleAnnotation(opts.xTitle ?? "score gap (B − A)", xTickLabelPx(10)));
  if (opts.exampleData) annotations.push(exampleDataMark(g.margin.t));
  const layout: Record<string, unknown> = {
    ...themeLayout(g.margin),
    width: g.widthPx,
    height: g.heightPx,
    xaxis: themeAxis({ range: [lo - pad, hi + pad], showgrid: true, nticks: opts.width === "single" ? 5 : 8, zeroline: false }),
    yaxis: themeAxis({ range: [g.yMax + 0.5, -0.5], tickmode: "array", tickvals: placed.map((p) => p.y), ticktext: placed.map((p) => p.label), showgrid: false, ticks: "", showline: false }),
    legend: bottomLegend(),
    showlegend: true,
    shapes: [{ type: "line", xref: "x", yref: "paper", x0: 0, x1: 0, y0: 0, y1: 1, line: { color: MUTED_COLOR, width: 0.8, dash: "dot" } }],
    annotations,
  };
  if (g.title) (layout["annotations"] as Record<string, unknown>[]).push(placedTitle(g.title, opts.exampleData === true, g.margin));
  return { data, layout };
}
