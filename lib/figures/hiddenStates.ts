/**
 * Figures of Duan et al. (hidden-state similarities of ICL and IT): box plots of the three
 * similarities per experiment (Fig. 3a–c, 8a–c), mean similarities per group (Fig. 4: similarity
 * level, Fig. 5: number of demonstrations), label accuracy with right vs wrong labels (Fig. 6),
 * mean similarities per layer (Fig. 7) and the per-token loss decrease by token kind (Fig. 10).
 * Pure builders: statistics in (lib/analysis/hiddenStates.ts), plotly `{data, layout}` out.
 * Non-finite numbers become null (plotly leaves a gap). Each sets `layout.height` from what it holds
 * at the column width ({@link hiddenFigureHeight} reads it).
 */
import { type ColumnWidth, FONT_PT, MUTED_COLOR, axisTitle, bottomLegend, charsThatFit, columnPx, exampleDataMark, figureHeightIn, font, inches, legendHeightPx, lineCount, linePx, placedTitle, themeAxis, themeLayout, topMarginPx, wrapLabel, xTickLabelPx, xTitleAnnotation } from "./theme";
import type { FigureSpec, PlotlyTrace } from "./types";

/** Colours of s(anchor, ICL), s(anchor, IT), s(ICL, IT), the same in every figure (ICL in the ICL setting's indigo, IT in the IFT setting's purple: lib/figures/theme.ts). */
export const HIDDEN_PAIR_COLORS: readonly string[] = ["#332288", "#AA4499", "#44AA99"];

export interface HiddenFigureOptions {
  title?: string;
  /** Drawn from a bundled pipeline example: adds the "example data" mark and says so in the title. */
  exampleData?: boolean;
  /** Paper column the figure is laid out for. Default "double". */
  width?: ColumnWidth;
  /** With `exampleData`: what the example is, in the title (default HIDDEN_EXAMPLE_NOTE), e.g. "SmolLM2-135M-Instruct on invented data". */
  exampleNote?: string;
}

/** The words every figure drawn from data/examples/hidden-tiny carries (besides the mark). */
export const HIDDEN_EXAMPLE_NOTE = "pipeline example (tiny random model), not a finding";

function num(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

/** The print height in inches of a hidden-state figure (its builder set it from what it holds). */
export function hiddenFigureHeight(fig: FigureSpec): number {
  return figureHeightIn(fig);
}

/**
 * The common layout: title (with the example note) wrapped to the width, the example mark on
 * its own line, a bottom legend of `legendNames`, margins for `panelTitleLines` lines of panel
 * titles, x tick labels of `xTickPx` and an x title; `layout.height` from all of it.
 */
function baseLayout(opts: HiddenFigureOptions, legendNames: readonly string[], parts: { panelTitleLines?: number; xTickPx?: number; xTitle?: boolean }): Record<string, unknown> {
  const width = opts.width ?? "double";
  const W = columnPx(width);
  const title = [opts.title, opts.exampleData ? (opts.exampleNote ?? HIDDEN_EXAMPLE_NOTE) : undefined].filter((t) => t !== undefined && t !== "").join(" — ");
  const top = topMarginPx(title === "" ? undefined : title, opts.exampleData === true, width, (parts.panelTitleLines ?? 0) * linePx(FONT_PT.panel));
  const legend = legendHeightPx(legendNames, W - 54);
  const b = (parts.xTickPx ?? xTickLabelPx(12)) + (parts.xTitle ? linePx(FONT_PT.base) + 2 : 0) + 4 + legend + 2;
  const plot = inches(width === "single" ? 1.5 : 1.8);
  const layout: Record<string, unknown> = {
    ...themeLayout({ l: 46, r: 8, t: top.px, b }),
    width: W,
    height: Math.ceil(top.px + plot + b),
    legend: bottomLegend(),
    // a single series keeps its legend entry: its name says what the bars are (e.g. "± sd over runs")
    showlegend: legendNames.length > 0,
    annotations: opts.exampleData ? [exampleDataMark(top.px)] : [],
  };
  if (top.titleText) (layout["annotations"] as Record<string, unknown>[]).push(placedTitle(top.titleText, opts.exampleData === true, { l: 46, t: top.px }));
  return layout;
}

// ---- Fig. 3 / 8: box plots --------------------------------------------------------------------

export interface SimilarityBoxPanel {
  title: string;
  /** Per series (same order as `series`), the per-run values; null: no dump for this panel. */
  values: readonly (readonly number[])[] | null;
}

export interface SimilarityBoxesInput {
  /** Series names, e.g. ["s(anchor, ICL)", "s(anchor, IT)", "s(ICL, IT)"]. */
  series: readonly string[];
  panels: readonly SimilarityBoxPanel[];
  yTitle?: string;
}

/**
 * One panel per experiment side by side, one box per similarity (all points drawn), a y axis
 * shared by the panels and fitted to the data unless `yRange` is given (the tiny example's
 * similarities all lie near 1). A panel without data says "no dump".
 *
 * @example
 * similarityBoxes({ series: ["s(ICL, IT)"], panels: [{ title: "(a) basic", values: [[0.9, 0.8]] }] });
 */
export function similarityBoxes(input: SimilarityBoxesInput, opts: HiddenFigureOptions & { yRange?: [number, number] } = {}): FigureSpec {
  const n = input.panels.length;
  if (n === 0) throw new RangeError("similarityBoxes: no panels");
  const gap = 0.04;
  const width = (1 - gap * (n - 1)) / n;
  const data: PlotlyTrace[] = [];
  const annotations: Record<string, unknown>[] = [];
  const panelPx = ((columnPx(opts.width ?? "double") - 54) * width) ;
  const titles = input.panels.map((p) => wrapLabel(p.title, charsThatFit(panelPx, FONT_PT.panel)));
  const layout = baseLayout(opts, input.series, { panelTitleLines: Math.max(1, ...titles.map(lineCount)), xTickPx: 4 });
  input.panels.forEach((p, i) => {
    const ax = i === 0 ? "" : String(i + 1);
    const x0 = i * (width + gap);
    layout[`xaxis${ax}`] = themeAxis({ domain: [x0, x0 + width], anchor: `y${ax}`, showticklabels: false, ticks: "" });
    layout[`yaxis${ax}`] = themeAxis({ anchor: `x${ax}`, showgrid: true, nticks: 6, ...(opts.yRange ? { range: opts.yRange } : {}), ...(i === 0 ? { title: axisTitle(input.yTitle ?? "cosine similarity", 2) } : { matches: "y", showticklabels: false }) });
    annotations.push({ text: titles[i], xref: `x${ax} domain`, yref: "paper", x: 0.5, y: 1.0, yshift: 1, yanchor: "bottom", showarrow: false, font: font(FONT_PT.panel) });
    if (p.values === null) {
      annotations.push({ text: "no dump", xref: `x${ax} domain`, yref: `y${ax} domain`, x: 0.5, y: 0.5, showarrow: false, font: font(FONT_PT.small, MUTED_COLOR) });
      return;
    }
    if (p.values.length !== input.series.length) throw new RangeError(`similarityBoxes: panel "${p.title}" has ${p.values.length} series, expected ${input.series.length}`);
    p.values.forEach((vals, s) => {
      const name = input.series[s] as string;
      data.push({
        type: "box",
        name,
        showlegend: i === 0,
        y: vals.map(num),
        boxpoints: "all",
        jitter: 0.3,
        pointpos: 0,
        marker: { color: HIDDEN_PAIR_COLORS[s % HIDDEN_PAIR_COLORS.length], size: 3 },
        line: { width: 1 },
        xaxis: `x${ax}`,
        yaxis: `y${ax}`,
      });
    });
  });
  layout["showlegend"] = true;
  layout["annotations"] = [...annotations, ...(layout["annotations"] as Record<string, unknown>[])];
  return { data, layout };
}

// ---- Fig. 4 / 5 / 7: lines over groups or layers ------------------------------------------------

export interface SimilarityLinesInput {
  /** x values: group labels (Fig. 4: similarity level, Fig. 5: number of demos) or layer indices (Fig. 7). */
  x: readonly (string | number)[];
  series: readonly { name: string; values: readonly (number | null)[] }[];
  xTitle: string;
  yTitle?: string;
}

/**
 * Mean similarity per x (lines and markers), one line per similarity.
 *
 * @example
 * similarityLines({ x: [0, 1, 2], xTitle: "layer", series: [{ name: "s(ICL, IT)", values: [1, 0.7, 0.9] }] });
 */
export function similarityLines(input: SimilarityLinesInput, opts: HiddenFigureOptions & { yRange?: [number, number]; categorical?: boolean } = {}): FigureSpec {
  for (const s of input.series) {
    if (s.values.length !== input.x.length) throw new RangeError(`similarityLines: series "${s.name}" has ${s.values.length} values for ${input.x.length} x values`);
  }
  const data: PlotlyTrace[] = input.series.map((s, i) => ({
    type: "scatter",
    mode: "lines+markers",
    name: s.name,
    x: [...input.x],
    y: s.values.map(num),
    line: { color: HIDDEN_PAIR_COLORS[i % HIDDEN_PAIR_COLORS.length], width: 1.5 },
    marker: { color: HIDDEN_PAIR_COLORS[i % HIDDEN_PAIR_COLORS.length], size: 5 },
  }));
  const layout = baseLayout(opts, input.series.map((s) => s.name), { xTitle: true });
  const integerX = input.x.length > 0 && input.x.every((v) => typeof v === "number" && Number.isInteger(v));
  const maxTicks = Math.max(3, Math.floor((columnPx(opts.width ?? "double") - 60) / 22));
  (layout["annotations"] as Record<string, unknown>[]).push(xTitleAnnotation(input.xTitle, xTickLabelPx(12)));
  layout["xaxis"] = themeAxis({
    ...(opts.categorical ? { type: "category" } : integerX ? { tickmode: "linear", dtick: Math.max(1, Math.ceil(input.x.length / maxTicks)) } : {}),
  });
  layout["yaxis"] = themeAxis({ title: axisTitle(input.yTitle ?? "mean cosine similarity", 2), showgrid: true, nticks: 6, ...(opts.yRange ? { range: opts.yRange } : {}) });
  return { data, layout };
}

// ---- Fig. 6 / 10: bars ------------------------------------------------------------------------

export interface HiddenBarsInput {
  categories: readonly string[];
  series: readonly { name: string; values: readonly (number | null)[]; errors?: readonly (number | null)[] }[];
  yTitle: string;
}

/**
 * Grouped bars with optional error bars: Fig. 6 (accuracy per condition, right vs wrong labels;
 * y from 0 to 1) and Fig. 10 (mean per-token loss decrease by token kind, ± standard deviation).
 *
 * @example
 * hiddenBars({ categories: ["ICL", "IT"], yTitle: "accuracy", series: [{ name: "right", values: [0.8, 0.7] }] }, { yRange: [0, 1] });
 */
export function hiddenBars(input: HiddenBarsInput, opts: HiddenFigureOptions & { yRange?: [number, number] } = {}): FigureSpec {
  const palette = ["#332288", "#CC6677", "#44AA99", "#DDCC77"];
  const data: PlotlyTrace[] = input.series.map((s, i) => {
    if (s.values.length !== input.categories.length) throw new RangeError(`hiddenBars: series "${s.name}" has ${s.values.length} values for ${input.categories.length} categories`);
    const errs = s.errors;
    if (errs !== undefined && errs.length !== s.values.length) throw new RangeError(`hiddenBars: series "${s.name}" has ${errs.length} errors for ${s.values.length} values`);
    return {
      type: "bar",
      name: s.name,
      x: [...input.categories],
      y: s.values.map(num),
      marker: { color: palette[i % palette.length] },
      ...(errs !== undefined ? { error_y: { type: "data", array: errs.map((e) => num(e) ?? 0), visible: true, thickness: 0.8, width: 3, color: "#222222" } } : {}),
    };
  });
  const layout = baseLayout(opts, input.series.map((s) => s.name), {});
  layout["barmode"] = "group";
  layout["xaxis"] = themeAxis({ ticks: "" });
  layout["yaxis"] = themeAxis({ title: axisTitle(input.yTitle, 2), showgrid: true, nticks: 6, ...(opts.yRange ? { range: opts.yRange } : {}), zeroline: true, zerolinecolor: "#444444", zerolinewidth: 0.75 });
  return { data, layout };
}
