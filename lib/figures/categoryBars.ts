/**
 * Grouped bar chart of MT-Bench scores per category (Zhao et al. Table 7 as a figure): one group
 * per category, one bar per run. A pure builder: statistics in, plotly `{data, layout}` out.
 */
import type { FigureSpec } from "./types";

export interface CategoryBarsInput {
  /** Category names, in display order. */
  categories: readonly string[];
  /** One bar series per run: its legend name and one value (or null) per category. */
  series: readonly { name: string; values: readonly (number | null)[] }[];
}

export interface CategoryBarsOptions {
  title?: string;
  yTitle?: string;
  /** Draw a visible "example data" mark (anything drawn from data/examples/). */
  exampleData?: boolean;
  /** Upper end of the y axis; MT-Bench scores run from 1 to 10. */
  yMax?: number;
}

/** Marks a figure as drawn from example data, not results. */
export function exampleDataMark(): Record<string, unknown> {
  return {
    text: "EXAMPLE DATA — not a result",
    xref: "paper",
    yref: "paper",
    x: 0.5,
    y: 0.5,
    showarrow: false,
    textangle: -20,
    opacity: 0.35,
    font: { size: 22, color: "#c0392b" },
  };
}

const PALETTE = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"];

export function categoryBars(input: CategoryBarsInput, opts: CategoryBarsOptions = {}): FigureSpec {
  for (const s of input.series) {
    if (s.values.length !== input.categories.length) {
      throw new Error(`categoryBars: series "${s.name}" has ${s.values.length} values for ${input.categories.length} categories`);
    }
  }
  const data = input.series.map((s, i) => ({
    type: "bar",
    name: s.name,
    x: [...input.categories],
    y: [...s.values],
    marker: { color: PALETTE[i % PALETTE.length] },
    hovertemplate: "%{x}: %{y:.2f}<extra>" + s.name + "</extra>",
  }));
  const layout: Record<string, unknown> = {
    barmode: "group",
    font: { family: "DejaVu Sans, Arial, sans-serif", size: 10 },
    margin: { l: 45, r: 10, t: opts.title ? 30 : 10, b: 40 },
    yaxis: { title: { text: opts.yTitle ?? "MT-Bench score" }, range: [0, opts.yMax ?? 10], dtick: 2 },
    xaxis: { tickangle: -30, automargin: true },
    // below the rotated category labels, anchored by its top edge
    legend: { orientation: "h", y: -0.42, yanchor: "top", x: 0 },
    annotations: opts.exampleData ? [exampleDataMark()] : [],
  };
  if (opts.title) layout["title"] = { text: opts.title, font: { size: 11 } };
  return { data, layout };
}
