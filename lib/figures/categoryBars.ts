/**
 * Grouped bar chart of MT-Bench scores per category (Zhao et al. Table 7 as a figure): one group
 * per category, one bar per run. A bar's colour is its base model's (lib/figures/theme.ts), its
 * fill pattern its setting (URIAL hatched, instruct solid); series are ordered by base model,
 * then setting. A pure builder: statistics in, plotly `{data, layout}` out, with `layout.height`
 * set from what it holds at the given column width ({@link categoryBarsHeight}).
 */
import {
  type ColumnWidth,
  FONT_PT,
  SETTING_ORDER,
  SETTING_PATTERN,
  axisTitle,
  baseModelColor,
  baseModelInLabel,
  bottomLegend,
  columnPx,
  exampleDataMark,
  heightFromPx,
  inches,
  legendHeightPx,
  orderBaseModels,
  placedTitle,
  textPx,
  themeAxis,
  themeLayout,
  topMarginPx,
  xTickLabelPx,
} from "./theme";
import type { FigureSpec } from "./types";

export { exampleDataMark } from "./theme";

export interface CategoryBarsSeries {
  name: string;
  values: readonly (number | null)[];
  /** The run's base model (its colour); default: the base model its name contains. */
  baseModel?: string;
  /** The run's setting, e.g. "urial" or "instruct" (its fill pattern). */
  setting?: string;
}

export interface CategoryBarsInput {
  /** Category names, in display order. */
  categories: readonly string[];
  /** One bar series per run: its legend name and one value (or null) per category. */
  series: readonly CategoryBarsSeries[];
}

export interface CategoryBarsOptions {
  title?: string;
  yTitle?: string;
  /** Draw a visible "example data" mark (anything drawn from data/examples/). */
  exampleData?: boolean;
  /** Upper end of the y axis; MT-Bench scores run from 1 to 10. */
  yMax?: number;
  /** Paper column the figure is laid out for. Default "double". */
  width?: ColumnWidth;
}

const PATTERNS = ["", "/", "x", ".", "\\", "+"];

interface Geometry {
  widthPx: number;
  heightPx: number;
  margin: { l: number; r: number; t: number; b: number };
  tickAngle: number;
  title?: string;
}

function geometry(input: CategoryBarsInput, opts: CategoryBarsOptions): Geometry {
  const width = opts.width ?? "double";
  const W = columnPx(width);
  const top = topMarginPx(opts.title, opts.exampleData === true, width);
  const l = 40;
  const r = 8;
  const groupPx = (W - l - r) / Math.max(1, input.categories.length);
  const longest = Math.max(0, ...input.categories.map((c) => textPx(c, FONT_PT.small)));
  const tickAngle = longest + 6 <= groupPx ? 0 : longest * 0.72 + 6 <= groupPx * 1.6 ? -45 : -90;
  const legend = legendHeightPx(input.series.map((s) => s.name), W - l - r);
  const b = xTickLabelPx(longest, tickAngle) + legend + 4;
  const plot = inches(width === "single" ? 1.45 : 1.7);
  const heightPx = top.px + plot + b;
  return { widthPx: W, heightPx: heightFromPx(heightPx) * 96, margin: { l, r, t: top.px, b }, tickAngle, ...(top.titleText ? { title: top.titleText } : {}) };
}

/** The figure's print height in inches at its column width (what {@link categoryBars} sets). */
export function categoryBarsHeight(input: CategoryBarsInput, opts: CategoryBarsOptions = {}): number {
  return geometry(input, opts).heightPx / 96;
}

/** The base model and setting of a series (given, else read from its name). */
function keyOf(s: CategoryBarsSeries): { baseModel: string; setting: string | null } {
  return { baseModel: s.baseModel ?? baseModelInLabel(s.name) ?? s.name, setting: s.setting ?? null };
}

export function categoryBars(input: CategoryBarsInput, opts: CategoryBarsOptions = {}): FigureSpec {
  for (const s of input.series) {
    if (s.values.length !== input.categories.length) {
      throw new Error(`categoryBars: series "${s.name}" has ${s.values.length} values for ${input.categories.length} categories`);
    }
  }
  const models = orderBaseModels(input.series.map((s) => keyOf(s).baseModel));
  const settingRank = (s: string | null) => (s === null || !SETTING_ORDER.includes(s) ? SETTING_ORDER.length : SETTING_ORDER.indexOf(s));
  const ordered = input.series
    .map((s, i) => ({ s, i, k: keyOf(s) }))
    .sort((a, b) => models.indexOf(a.k.baseModel) - models.indexOf(b.k.baseModel) || settingRank(a.k.setting) - settingRank(b.k.setting) || a.i - b.i);
  const seenPerModel = new Map<string, number>();
  const data = ordered.map(({ s, k }) => {
    const nth = seenPerModel.get(k.baseModel) ?? 0;
    seenPerModel.set(k.baseModel, nth + 1);
    const color = baseModelColor(k.baseModel, models);
    const shape = k.setting !== null && SETTING_PATTERN[k.setting] !== undefined ? (SETTING_PATTERN[k.setting] as string) : (PATTERNS[nth % PATTERNS.length] as string);
    return {
      type: "bar",
      name: s.name,
      x: [...input.categories],
      y: [...s.values],
      marker: { color, line: { color, width: 0.75 }, pattern: { shape, fgcolor: "#ffffff", bgcolor: color, size: 5, solidity: 0.3 } },
      hovertemplate: "%{x}: %{y:.2f}<extra>" + s.name + "</extra>",
    };
  });
  const g = geometry(input, opts);
  const layout: Record<string, unknown> = {
    ...themeLayout(g.margin),
    width: g.widthPx,
    height: g.heightPx,
    barmode: "group",
    bargap: 0.18,
    bargroupgap: 0.04,
    yaxis: themeAxis({ title: axisTitle(opts.yTitle ?? "MT-Bench score"), range: [0, opts.yMax ?? 10], dtick: 2, showgrid: true }),
    xaxis: themeAxis({ tickangle: g.tickAngle, ticks: "" }),
    legend: bottomLegend(),
    showlegend: true,
    annotations: opts.exampleData ? [exampleDataMark(g.margin.t)] : [],
  };
  if (g.title) (layout["annotations"] as Record<string, unknown>[]).push(placedTitle(g.title, opts.exampleData === true, g.margin));
  return { data, layout };
}
