/**
 * Distribution of the candidates' scores at each step of the greedy demonstration search, with
 * the chosen prompts marked by dashed vertical lines (Zhao et al. Fig. 5 and 9). Rows: base
 * models; columns: steps (4th, 5th, 6th demonstration). The histogram counts are computed by the
 * analysis (lib/analysis/greedy.ts `histogram`), so the figure does not depend on plotly's own
 * binning. A pure builder: statistics in, plotly `{data, layout}` out, `layout.height` from the
 * panel rows at the column width ({@link greedyStepsHeight}).
 */
import { panelGridAnnotations, panelGridGeometry } from "./panelGrid";
import { type ColumnWidth, FONT_PT, baseModelRowOrder, MUTED_COLOR, SETTING_STYLE, axisTitle, bottomLegend, exampleDataMark, font, inches, placedTitle, themeAxis, themeLayout } from "./theme";
import type { FigureSpec, PlotlyTrace } from "./types";

export interface HistogramBin {
  /** Left edge (inclusive) and right edge (exclusive, except the last bin). */
  x0: number;
  x1: number;
  count: number;
}

export interface MarkedScore {
  /** Legend name, e.g. "URIAL" or "chosen at step 1". */
  name: string;
  score: number | null;
}

export interface GreedyStepPanel {
  bins: readonly HistogramBin[];
  /** Vertical dashed lines (URIAL's score, the chosen candidate of each step so far). */
  marks: readonly MarkedScore[];
  /** A search-space threshold drawn as a dotted line (A.3: 6.2), or null. */
  threshold?: number | null;
  nCandidates: number;
}

export interface GreedyStepsInput {
  rowTitles: readonly string[];
  colTitles: readonly string[];
  panels: readonly (readonly (GreedyStepPanel | null)[])[];
  xTitle: string;
}

export interface GreedyStepsOptions {
  title?: string;
  exampleData?: boolean;
  /** Paper column the figure is laid out for. Default "double". */
  width?: ColumnWidth;
}

/** URIAL in its setting colour; the chosen prompts in the greedy setting's colour family. */
const MARK_COLORS = [SETTING_STYLE["urial"]?.color ?? "#333333", SETTING_STYLE["icl-greedy"]?.color ?? "#D55E00", "#AA4499", "#661100", "#CC6677", "#DDCC77"];
const CANDIDATE_COLOR = "#9AA9BF";

function markNamesOf(input: GreedyStepsInput): string[] {
  const names: string[] = [];
  for (const row of input.panels) for (const p of row) for (const m of p?.marks ?? []) if (!names.includes(m.name)) names.push(m.name);
  return names;
}

function legendNamesOf(input: GreedyStepsInput): string[] {
  const names = ["candidates", ...markNamesOf(input)];
  if (input.panels.some((row) => row.some((p) => p?.threshold !== null && p?.threshold !== undefined))) names.push("search threshold");
  return names;
}

function panelTitles(input: GreedyStepsInput): string[] {
  // a column's candidate count differs per row: the header names the step, the count goes in the panel
  return [...input.colTitles];
}

function geometry(input: GreedyStepsInput, opts: GreedyStepsOptions) {
  const width = opts.width ?? "double";
  return panelGridGeometry({
    rowTitles: input.rowTitles,
    colTitles: panelTitles(input),
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    exampleData: opts.exampleData === true,
    width,
    legendNames: legendNamesOf(input),
    panelPx: inches(width === "single" ? 0.95 : 1.15),
  });
}

export function greedySteps(given: GreedyStepsInput, opts: GreedyStepsOptions = {}): FigureSpec {
  // panel rows in base-model order (lib/figures/theme.ts), the same in every figure
  const order = baseModelRowOrder(given.rowTitles);
  const input: GreedyStepsInput = { ...given, rowTitles: order.map((i) => given.rowTitles[i] as string), panels: order.map((i) => given.panels[i] ?? []) };
  const nRows = input.panels.length;
  const nCols = input.colTitles.length;
  if (input.rowTitles.length !== nRows) throw new Error(`greedySteps: ${input.rowTitles.length} row titles for ${nRows} panel rows`);
  let xLo = Infinity;
  let xHi = -Infinity;
  const markNames = markNamesOf(input);
  for (const row of input.panels) for (const p of row) {
    for (const b of p?.bins ?? []) {
      xLo = Math.min(xLo, b.x0);
      xHi = Math.max(xHi, b.x1);
    }
    for (const m of p?.marks ?? []) {
      if (m.score !== null) {
        xLo = Math.min(xLo, m.score);
        xHi = Math.max(xHi, m.score);
      }
    }
  }
  if (!Number.isFinite(xLo)) [xLo, xHi] = [1, 10];
  const xRange = [Math.floor(xLo * 10) / 10 - 0.05, Math.ceil(xHi * 10) / 10 + 0.05];
  const g = geometry(input, opts);
  const data: PlotlyTrace[] = [];
  const annotations = panelGridAnnotations(g, input.xTitle);
  const layout: Record<string, unknown> = {
    ...themeLayout(g.margin),
    width: g.widthPx,
    height: g.heightPx,
    bargap: 0.05,
    legend: bottomLegend(),
    showlegend: true,
  };
  const shown = new Set<string>();
  const legendOrder = legendNamesOf(input);
  const rank = (name: string) => 1000 + legendOrder.indexOf(name);
  const ticksPerPanel = Math.max(2, Math.floor(g.panelWidthPx / 28));
  let k = 0;
  for (let r = 0; r < nRows; r++) {
    const row = g.rows[r] as (typeof g.rows)[number];
    for (let c = 0; c < nCols; c++, k++) {
      const col = g.cols[c] as (typeof g.cols)[number];
      const sx = k === 0 ? "" : String(k + 1);
      const p = input.panels[r]?.[c] ?? null;
      const maxCount = Math.max(1, ...(p?.bins ?? []).map((b) => b.count));
      layout[`xaxis${sx}`] = themeAxis({ domain: [col.x0, col.x1], anchor: `y${sx}`, range: xRange, nticks: ticksPerPanel, showgrid: false });
      layout[`yaxis${sx}`] = themeAxis({
        domain: [row.y0, row.y1],
        anchor: `x${sx}`,
        range: [0, maxCount * 1.3],
        ...(maxCount <= 6 ? { dtick: 1 } : { nticks: 4 }),
        showgrid: true,
        title: c === 0 ? axisTitle("candidates", 2) : undefined,
      });
      if (p === null) {
        annotations.push({ text: "no candidates", xref: "paper", yref: "paper", x: (col.x0 + col.x1) / 2, y: (row.y0 + row.y1) / 2, showarrow: false, font: font(FONT_PT.small, MUTED_COLOR) });
        continue;
      }
      annotations.push({ text: `n = ${p.nCandidates}`, xref: `x${sx} domain`, yref: `y${sx} domain`, x: 0.98, y: 0.98, xanchor: "right", yanchor: "top", showarrow: false, font: font(FONT_PT.small, MUTED_COLOR) });
      data.push({
        type: "bar",
        name: "candidates",
        legendrank: rank("candidates"),
        showlegend: !shown.has("candidates"),
        x: p.bins.map((b) => (b.x0 + b.x1) / 2),
        y: p.bins.map((b) => b.count),
        width: p.bins.map((b) => (b.x1 - b.x0) * 0.95),
        marker: { color: CANDIDATE_COLOR, opacity: 0.8 },
        hovertemplate: "%{x:.2f}: %{y} candidates<extra></extra>",
        xaxis: `x${sx}`,
        yaxis: `y${sx}`,
      });
      shown.add("candidates");
      for (const m of p.marks) {
        if (m.score === null) continue;
        const color = MARK_COLORS[markNames.indexOf(m.name) % MARK_COLORS.length];
        data.push({
          type: "scatter",
          mode: "lines",
          name: m.name,
          legendrank: rank(m.name),
          showlegend: !shown.has(m.name),
          x: [m.score, m.score],
          y: [0, maxCount * 1.1],
          line: { color, dash: "dash", width: 1.2 },
          hovertemplate: `${m.name}: ${m.score.toFixed(2)}<extra></extra>`,
          xaxis: `x${sx}`,
          yaxis: `y${sx}`,
        });
        shown.add(m.name);
      }
      if (p.threshold !== null && p.threshold !== undefined) {
        data.push({
          type: "scatter",
          mode: "lines",
          name: "search threshold",
          legendrank: rank("search threshold"),
          showlegend: !shown.has("threshold"),
          x: [p.threshold, p.threshold],
          y: [0, maxCount * 1.1],
          line: { color: "#999999", dash: "dot", width: 1 },
          xaxis: `x${sx}`,
          yaxis: `y${sx}`,
        });
        shown.add("threshold");
      }
    }
  }
  if (opts.exampleData) annotations.push(exampleDataMark(g.margin.t));
  layout["annotations"] = annotations;
  if (g.title) (layout["annotations"] as Record<string, unknown>[]).push(placedTitle(g.title, opts.exampleData === true, g.margin));
  return { data, layout };
}

/** The figure's print height in inches at its column width (what {@link greedySteps} sets). */
export function greedyStepsHeight(input: GreedyStepsInput, opts: GreedyStepsOptions = {}): number {
  return geometry(input, opts).heightPx / 96;
}
