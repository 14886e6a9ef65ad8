/**
 * A grid of annotated heatmap panels on one shared colour scale (Zhao et al. Fig. 1, 10, 11:
 * 1st-turn MT-Bench score over temperature x top-p). Every panel's trace uses the layout's single
 * `coloraxis`, whose cmin/cmax are common to all panels, so equal colours mean equal scores
 * across panels. Each cell carries its value as text. A pure builder: statistics in, plotly
 * `{data, layout}` out.
 */
import { exampleDataMark } from "./categoryBars";
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

/** Builds the panel grid. Panels are laid out with explicit domains (rows top to bottom). */
export function heatmapGrid(input: HeatmapGridInput, opts: HeatmapGridOptions = {}): FigureSpec {
  const nRows = input.panels.length;
  const nCols = input.colTitles.length;
  if (input.rowTitles.length !== nRows) throw new Error(`heatmapGrid: ${input.rowTitles.length} row titles for ${nRows} panel rows`);
  for (const row of input.panels) if (row.length !== nCols) throw new Error(`heatmapGrid: a panel row has ${row.length} panels for ${nCols} columns`);
  const [cmin, cmax] = sharedColorRange(input.panels, opts.zmin, opts.zmax);
  const digits = opts.digits ?? 2;
  const gapX = 0.06;
  const gapY = nRows > 1 ? 0.12 / Math.max(1, nRows - 1) + 0.04 : 0;
  const left = 0.08;
  const right = 0.9;
  const top = 0.94;
  const bottom = 0.06;
  const w = (right - left - gapX * (nCols - 1)) / nCols;
  const h = (top - bottom - gapY * (nRows - 1)) / Math.max(1, nRows);
  const data: PlotlyTrace[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    font: { family: "DejaVu Sans, Arial, sans-serif", size: 9 },
    margin: { l: 80, r: 10, t: opts.title ? 40 : 25, b: 35 },
    coloraxis: {
      cmin,
      cmax,
      colorscale: "Viridis",
      colorbar: { title: { text: opts.colorbarTitle ?? "score", side: "right" }, thickness: 10, len: 0.8, x: 0.93 },
    },
  };
  let k = 0;
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++, k++) {
      const xa = axisName("x", k);
      const ya = axisName("y", k);
      const x0 = left + c * (w + gapX);
      const y1 = top - r * (h + gapY);
      const p = input.panels[r]?.[c] ?? null;
      layout[`xaxis${k === 0 ? "" : k + 1}`] = {
        domain: [x0, x0 + w],
        anchor: ya,
        type: "category",
        title: r === nRows - 1 ? { text: input.xTitle, standoff: 2 } : undefined,
        showticklabels: p !== null,
        ticks: "",
      };
      layout[`yaxis${k === 0 ? "" : k + 1}`] = {
        domain: [y1 - h, y1],
        anchor: xa,
        type: "category",
        title: c === 0 ? { text: input.yTitle, standoff: 2 } : undefined,
        showticklabels: p !== null,
        ticks: "",
      };
      if (c === 0) {
        // the row's title, rotated, in the left margin (two lines: "model, setting" -> "model<br>setting")
        const rowTitle = (input.rowTitles[r] ?? "").split(", ").join("<br>");
        annotations.push({ text: `<b>${rowTitle}</b>`, xref: "paper", yref: "paper", x: -0.035, y: y1 - h / 2, xanchor: "right", yanchor: "middle", textangle: -90, showarrow: false, font: { size: 9 } });
      }
      if (r === 0) {
        annotations.push({ text: `<b>${input.colTitles[c]}</b>`, xref: "paper", yref: "paper", x: x0 + w / 2, y: y1 + 0.01, xanchor: "center", yanchor: "bottom", showarrow: false, font: { size: 10 } });
      }
      if (p === null) {
        annotations.push({ text: "no runs", xref: "paper", yref: "paper", x: x0 + w / 2, y: y1 - h / 2, showarrow: false, font: { size: 9, color: "#888" } });
        continue;
      }
      data.push({
        type: "heatmap",
        x: [...p.x],
        y: [...p.y],
        z: p.z.map((row) => [...row]),
        coloraxis: "coloraxis",
        xaxis: xa,
        yaxis: ya,
        xgap: 1,
        ygap: 1,
        hovertemplate: `${input.rowTitles[r]} · ${input.colTitles[c]}<br>${input.yTitle} %{y}, ${input.xTitle} %{x}: %{z:.2f}<extra></extra>`,
      });
      p.z.forEach((row, i) =>
        row.forEach((v, j) => {
          const light = v !== null && (v - cmin) / (cmax - cmin || 1) > 0.6;
          annotations.push({
            text: v === null ? "–" : v.toFixed(digits),
            xref: xa,
            yref: ya,
            // on category axes an annotation's position is the category's index
            x: j,
            y: i,
            showarrow: false,
            font: { size: 8, color: light ? "#222" : "#fff" },
          });
        }),
      );
    }
  }
  if (opts.exampleData) annotations.push(exampleDataMark());
  layout["annotations"] = annotations;
  if (opts.title) layout["title"] = { text: opts.title, font: { size: 11 }, y: 0.99 };
  return { data, layout };
}

/** A figure height (inches) that keeps each panel row readable. */
export function heatmapGridHeight(input: HeatmapGridInput, inchesPerRow = 1.8): number {
  return Math.max(2.2, 0.7 + inchesPerRow * input.panels.length);
}
