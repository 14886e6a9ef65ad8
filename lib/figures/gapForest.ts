/**
 * Forest plot of paired score gaps with their confidence intervals (e.g. "URIAL + greedy (1 ex.)
 * − URIAL" per base model), with the published gap as a hollow marker where the paper has one.
 * A vertical line marks zero: an interval that crosses it is a gap the questions cannot tell
 * from noise. A pure builder: statistics in, plotly `{data, layout}` out.
 */
import { exampleDataMark } from "./categoryBars";
import type { FigureSpec, PlotlyTrace } from "./types";

export interface GapRow {
  /** Row label, e.g. "Llama-3.1-8B: greedy 1 ex. − URIAL". */
  label: string;
  /** Colour group, e.g. the base model. */
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
}

const GROUP_COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"];

export function gapForest(rows: readonly GapRow[], opts: GapForestOptions = {}): FigureSpec {
  const groups = [...new Set(rows.map((r) => r.group))];
  const labels = rows.map((r) => r.label);
  const level = opts.level === undefined ? "CI" : `${Math.round(opts.level * 100)}% CI`;
  const data: PlotlyTrace[] = groups.map((g, i) => {
    const rs = rows.filter((r) => r.group === g);
    return {
      type: "scatter",
      mode: "markers",
      name: `${g} (gap, paired ${level})`,
      x: rs.map((r) => r.gap),
      y: rs.map((r) => r.label),
      marker: { color: GROUP_COLORS[i % GROUP_COLORS.length], size: 7, symbol: "circle" },
      error_x: {
        type: "data",
        symmetric: false,
        array: rs.map((r) => (r.gap === null || r.high === null ? 0 : r.high - r.gap)),
        arrayminus: rs.map((r) => (r.gap === null || r.low === null ? 0 : r.gap - r.low)),
        thickness: 1.2,
        width: 3,
        color: GROUP_COLORS[i % GROUP_COLORS.length],
      },
      hovertemplate: "%{y}: %{x:.2f}<extra></extra>",
    };
  });
  const withPublished = rows.filter((r) => r.published !== null && r.published !== undefined);
  if (withPublished.length > 0) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: "published gap",
      x: withPublished.map((r) => r.published as number),
      y: withPublished.map((r) => r.label),
      // an open symbol is stroked with the marker colour
      marker: { color: "#222222", size: 8, symbol: "diamond-open", line: { width: 1.2 } },
      hovertemplate: "published %{y}: %{x:.2f}<extra></extra>",
    });
  }
  const layout: Record<string, unknown> = {
    font: { family: "DejaVu Sans, Arial, sans-serif", size: 9 },
    margin: { l: 10, r: 10, t: opts.title ? 30 : 10, b: 40 },
    xaxis: { title: { text: opts.xTitle ?? "score gap (B − A)" }, zeroline: true, zerolinecolor: "#888", zerolinewidth: 1 },
    // every label shown: plotly thins the ticks of a long category axis otherwise
    yaxis: { type: "category", categoryorder: "array", categoryarray: [...labels].reverse(), tickmode: "array", tickvals: [...labels], automargin: true },
    legend: { orientation: "h", y: -0.2, x: 0, font: { size: 8 } },
    shapes: [{ type: "line", xref: "x", yref: "paper", x0: 0, x1: 0, y0: 0, y1: 1, line: { color: "#888", width: 1, dash: "dot" } }],
    annotations: opts.exampleData ? [exampleDataMark()] : [],
  };
  if (opts.title) layout["title"] = { text: opts.title, font: { size: 11 } };
  return { data, layout };
}
