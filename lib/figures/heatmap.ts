/**
 * A grid of annotated heatmap panels on one shared colour scale (Zhao et al. Fig. 1, 10, 11:
 * 1st-turn MT-Bench score over temperature x top-p). Every panel's trace uses the layout's single
 * `coloraxis`, whose cmin/cmax are common to all panels, so equal colours mean equal scores
 * across panels. Each cell carries its value as text. A pure builder: statistics in, plotly
 * `{data, layout}` out.
 */
import { type ColumnWidth, FONT_PT, MUTED_COLOR, axisTitle, charsThatFit, columnPx, exampleDataMark, font, lineCount, linePx, placedTitle, themeAxis, themeLayout, topMarginPx, wrapLabel, xTickLabelPx, xTitleAnnotation, baseModelRowOrder } from "./theme";
import type { FigureSpec, PlotlyTrace } from "./types";

/** One panel: `z[i][j]` is the value at row label `y[i]`, column label `x[j]` (null = no run). */
export interface HeatmapPanel {
  x: readonly string[];
  y: readonly string[];
  z: readonly (readonly (number | null)[])[];
}

export interface HeatmapGridInput {
  /** Titles of the panel rows (left) and columns (top). */
  rowTitles: readonly string[];
  colTitles: readonly string[];
  /** `panels[r][c]`, null where the dump has no runs for that panel. */
  panels: readonly (readonly (HeatmapPanel | null)[])[];
  xTitle: string;
  yTitle: string;
}

export interface HeatmapGridOptions {
  title?: string;
  /** Colour scale limits; default: the data's range widened to whole numbers. */
  zmin?: number;
  zmax?: number;
  colorbarTitle?: string;
  /** Decimals of the cell annotations. */
  digits?: number;
  exampleData?: boolean;
  /** Paper column the figure is laid out for. Default "double". */
  width?: ColumnWidth;
}

/** The shared colour limits: given ones, else floor(min) .. ceil(max) of all cells. */
export function sharedColorRange(panels: HeatmapGridInput["panels"], zmin?: number, zmax?: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of panels) for (const p of row) for (const zr of p?.z ?? []) for (const v of zr) if (v !== null) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 10];
  const a = zmin ?? Math.floor(lo);
  const b = zmax ?? Math.max(Math.ceil(hi), a + 1);
  return [a, b];
}

function axisName(kind: "x" | "y", i: number): string {
  return i === 0 ? kind : `${kind}${i + 1}`;
}

interface Geometry {
  widthPx: number;
  heightPx: number;
  margin: { l: number; r: number; t: number; b: number };
  title?: string;
  /** Panel boxes in paper fractions, rows top to bottom. */
  cols: { x0: number; x1: number }[];
  rows: { y0: number; y1: number; header: string; headerY: number }[];
  colTitleY: number;
}

function geometry(input: HeatmapGridInput, opts: HeatmapGridOptions): Geometry {
  const width = opts.width ?? "double";
  const W = columnPx(width);
  const nRows = input.panels.length;
  const nCols = input.colTitles.length;
  const top = topMarginPx(opts.title, opts.exampleData === true, width);
  const l = 44;
  const r = 52;
  const plotW = W - l - r;
  const gapPx = width === "single" ? 8 : 14;
  const panelW = (plotW - gapPx * (nCols - 1)) / Math.max(1, nCols);
  let nX = 1;
  let nY = 1;
  for (const row of input.panels) for (const p of row) if (p) {
    nX = Math.max(nX, p.x.length);
    nY = Math.max(nY, p.y.length);
  }
  const cell = Math.min(Math.max(panelW / nX, linePx(FONT_PT.small) * 1.6), width === "single" ? 24 : 30);
  const panelH = cell * nY;
  const line = linePx(FONT_PT.small);
  const colTitles = input.colTitles.map((t) => wrapLabel(t, charsThatFit(panelW, FONT_PT.panel)));
  const colTitleLines = Math.max(1, ...colTitles.map(lineCount));
  const headerPx = line + 4;
  const rowGap = 6;
  const colTitlePx = colTitleLines * linePx(FONT_PT.panel) + 2;
  const gridH = colTitlePx + nRows * (headerPx + panelH) + (nRows - 1) * rowGap;
  const b = xTickLabelPx(12) + linePx(FONT_PT.base) + 4;
  const heightPx = Math.ceil(top.px + gridH + b);
  const H = heightPx - top.px - b;
  const frac = (px: number) => px / H;
  const cols = input.colTitles.map((_, c) => {
    const x0 = (c * (panelW + gapPx)) / plotW;
    return { x0, x1: x0 + panelW / plotW };
  });
  const rows: Geometry["rows"] = [];
  let yPx = colTitlePx;
  for (let i = 0; i < nRows; i++) {
    const headerY = 1 - frac(yPx + headerPx / 2);
    yPx += headerPx;
    rows.push({ y1: 1 - frac(yPx), y0: 1 - frac(yPx + panelH), header: input.rowTitles[i] ?? "", headerY });
    yPx += panelH + rowGap;
  }
  return { widthPx: W, heightPx, margin: { l, r, t: top.px, b }, ...(top.titleText ? { title: top.titleText } : {}), cols, rows, colTitleY: 1 - frac(colTitlePx) };
}

/** The rows in base-model order (lib/figures/theme.ts), stable within a base model. */
function ordered(input: HeatmapGridInput): HeatmapGridInput {
  const idx = baseModelRowOrder(input.rowTitles);
  return { ...input, rowTitles: idx.map((i) => input.rowTitles[i] as string), panels: idx.map((i) => input.panels[i] ?? []) };
}

/** The figure's print height in inches: panel rows of square-ish cells at the column width (what {@link heatmapGrid} sets). */
export function heatmapGridHeight(input: HeatmapGridInput, opts: HeatmapGridOptions = {}): number {
  return geometry(input, opts).heightPx / 96;
}

/** Builds the panel grid. Panels are laid out with explicit domains (rows top to bottom). */
export function heatmapGrid(given: HeatmapGridInput, opts: HeatmapGridOptions = {}): FigureSpec {
  const input = ordered(given);
  const nRows = input.panels.length;
  const nCols = input.colTitles.length;
  if (input.rowTitles.length !== nRows) throw new Error(`heatmapGrid: ${input.rowTitles.length} row titles for ${nRows} panel rows`);
  for (const row of input.panels) if (row.length !== nCols) throw new Error(`heatmapGrid: a panel row has ${row.length} panels for ${nCols} columns`);
  const [cmin, cmax] = sharedColorRange(input.panels, opts.zmin, opts.zmax);
  const digits = opts.digits ?? 2;
  const g = geometry(input, opts);
  const data: PlotlyTrace[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    ...themeLayout(g.margin),
    width: g.widthPx,
    height: g.heightPx,
    coloraxis: {
      cmin,
      cmax,
      colorscale: "Viridis",
      colorbar: { title: { text: opts.colorbarTitle ?? "score", side: "right", font: font(FONT_PT.base) }, tickfont: font(FONT_PT.small), thickness: 8, len: 0.7, x: 1, xref: "paper", xanchor: "left", xpad: 6, outlinewidth: 0 },
    },
  };
  const wrapCol = (c: number) => {
    const col = g.cols[c] as { x0: number; x1: number };
    return wrapLabel(input.colTitles[c] ?? "", charsThatFit((col.x1 - col.x0) * (g.widthPx - g.margin.l - g.margin.r), FONT_PT.panel));
  };
  let k = 0;
  for (let r = 0; r < nRows; r++) {
    const row = g.rows[r] as Geometry["rows"][number];
    annotations.push({ text: `<b>${row.header}</b>`, xref: "paper", yref: "paper", x: 0, y: row.headerY, xanchor: "left", yanchor: "middle", showarrow: false, font: font(FONT_PT.small) });
    for (let c = 0; c < nCols; c++, k++) {
      const col = g.cols[c] as { x0: number; x1: number };
      const xa = axisName("x", k);
      const ya = axisName("y", k);
      const p = input.panels[r]?.[c] ?? null;
      layout[`xaxis${k === 0 ? "" : k + 1}`] = themeAxis({
        domain: [col.x0, col.x1],
        anchor: ya,
        type: "category",
        showticklabels: p !== null && r === nRows - 1,
        ticks: "",
        showline: false,
        showgrid: false,
      });
      layout[`yaxis${k === 0 ? "" : k + 1}`] = themeAxis({
        domain: [row.y0, row.y1],
        anchor: xa,
        type: "category",
        title: c === 0 ? axisTitle(input.yTitle, 2) : undefined,
        showticklabels: p !== null && c === 0,
        ticks: "",
        showline: false,
        showgrid: false,
      });
      if (r === nRows - 1) annotations.push(xTitleAnnotation(input.xTitle, xTickLabelPx(12), col.x0, col.x1));
      if (r === 0) {
        annotations.push({ text: `<b>${wrapCol(c)}</b>`, xref: "paper", yref: "paper", x: (col.x0 + col.x1) / 2, y: g.colTitleY, xanchor: "center", yanchor: "bottom", showarrow: false, font: font(FONT_PT.panel) });
      }
      if (p === null) {
        annotations.push({ text: "no runs", xref: "paper", yref: "paper", x: (col.x0 + col.x1) / 2, y: (row.y0 + row.y1) / 2, showarrow: false, font: font(FONT_PT.small, MUTED_COLOR) });
        continue;
      }
      data.push({
        type: "heatmap",
        x: [...p.x],
        y: [...p.y],
        z: p.z.map((zr) => [...zr]),
        coloraxis: "coloraxis",
        xaxis: xa,
        yaxis: ya,
        xgap: 1,
        ygap: 1,
        hovertemplate: `${input.rowTitles[r]} · ${input.colTitles[c]}<br>${input.yTitle} %{y}, ${input.xTitle} %{x}: %{z:.2f}<extra></extra>`,
      });
      p.z.forEach((zr, i) =>
        zr.forEach((v, j) => {
          const light = v !== null && (v - cmin) / (cmax - cmin || 1) > 0.6;
          annotations.push({
            text: v === null ? "–" : v.toFixed(digits),
            xref: xa,
            yref: ya,
            // on category axes an annotation's position is the category's index
            x: j,
            y: i,
            showarrow: false,
            font: font(FONT_PT.small, light ? "#222" : "#fff"),
          });
        }),
      );
    }
  }
  if (opts.exampleData) annotations.push(exampleDataMark(g.margin.t));
  layout["annotations"] = annotations;
  if (g.title) (layout["annotations"] as Record<string, unknown>[]).push(placedTitle(g.title, opts.exampleData === true, g.margin));
  return { data, layout };
}
