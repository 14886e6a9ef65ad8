/**
 * Score curves against a size (number of demonstrations, or of fine-tuning examples) in a grid
 * of panels (rows: base models; columns: 1st / 2nd turn), with error bars (e.g. ± std over seeds),
 * an optional shaded interval (e.g. a bootstrap CI) and horizontal reference lines (base, URIAL,
 * instruct). Zhao et al. Fig. 2, 6 (scaling) and Fig. 3, 7 (ICL vs IFT). A series keeps its colour
 * and legend entry across panels. A pure builder: statistics in, plotly `{data, layout}` out.
 */
import { exampleDataMark } from "./categoryBars";
import type { FigureSpec, PlotlyTrace } from "./types";

export interface CurvePoint {
  x: number;
  y: number | null;
  /** Half-width of the error bar (e.g. the std over seeds); null/undefined: none. */
  error?: number | null;
  /** A shaded interval around the point (e.g. a bootstrap CI). */
  low?: number | null;
  high?: number | null;
}

export interface CurveSeries {
  name: string;
  points: readonly CurvePoint[];
}

export interface ReferenceLine {
  name: string;
  y: number | null;
}

export interface CurvePanel {
  series: readonly CurveSeries[];
  references: readonly ReferenceLine[];
}

export interface CurveGridInput {
  rowTitles: readonly string[];
  colTitles: readonly string[];
  /** `panels[r][c]`; null where the dump has nothing for that panel. */
  panels: readonly (readonly (CurvePanel | null)[])[];
  xTitle: string;
  yTitle: string;
}

export interface CurveGridOptions {
  title?: string;
  xType?: "linear" | "log";
  /** y range shared by all panels (default: MT-Bench's 1..10 scale cropped to the data). */
  yRange?: [number, number];
  /** Draw the shaded intervals (`low`/`high`). Default true. */
  bands?: boolean;
  exampleData?: boolean;
}

const SERIES_COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#64b5cd"];
/** Reference lines are greys and black so they never share a series colour. */
const REFERENCE_STYLE: { color: string; dash: string }[] = [
  { color: "#777777", dash: "dot" },
  { color: "#333333", dash: "dash" },
  { color: "#000000", dash: "dashdot" },
  { color: "#555555", dash: "longdash" },
];
const NAMED_REFERENCE_STYLE: Record<string, { color: string; dash: string }> = {
  "base model": { color: "#777777", dash: "dot" },
  "URIAL (3 demos)": { color: "#333333", dash: "dash" },
  "instruct model": { color: "#000000", dash: "dashdot" },
};

function axisSuffix(i: number): string {
  return i === 0 ? "" : String(i + 1);
}

function hexToRgba(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** The y range covering every value, interval and reference, padded, within [0, 10]. */
export function curveYRange(panels: CurveGridInput["panels"]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const see = (v: number | null | undefined) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  };
  for (const row of panels) for (const p of row) {
    if (p === null) continue;
    for (const s of p.series) for (const q of s.points) {
      see(q.y);
      see(q.low);
      see(q.high);
      if (q.y !== null && q.error !== null && q.error !== undefined) {
        see(q.y - q.error);
        see(q.y + q.error);
      }
    }
    for (const r of p.references) see(r.y);
  }
  if (!Number.isFinite(lo)) return [1, 10];
  return [Math.max(0, Math.floor(lo * 2 - 1) / 2), Math.min(10, Math.ceil(hi * 2 + 1) / 2)];
}

/** 1-2-5 tick values covering [lo, hi] (log axes: plotly's own minor labels crowd a narrow panel). */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let decade = 1; decade <= Math.max(10, hi * 10); decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = m * decade;
      if (v >= lo / 1.5 && v <= hi * 1.5) out.push(v);
    }
  }
  return out;
}

export function curveGrid(input: CurveGridInput, opts: CurveGridOptions = {}): FigureSpec {
  const nRows = input.panels.length;
  const nCols = input.colTitles.length;
  if (input.rowTitles.length !== nRows) throw new Error(`curveGrid: ${input.rowTitles.length} row titles for ${nRows} panel rows`);
  const xType = opts.xType ?? "linear";
  const yRange = opts.yRange ?? curveYRange(input.panels);
  const bands = opts.bands ?? true;
  const seriesNames: string[] = [];
  const refNames: string[] = [];
  for (const row of input.panels) for (const p of row) {
    for (const s of p?.series ?? []) if (!seriesNames.includes(s.name)) seriesNames.push(s.name);
    for (const r of p?.references ?? []) if (!refNames.includes(r.name)) refNames.push(r.name);
  }
  const colorOf = (name: string) => SERIES_COLORS[seriesNames.indexOf(name) % SERIES_COLORS.length] as string;
  const refStyle = (name: string) => NAMED_REFERENCE_STYLE[name] ?? (REFERENCE_STYLE[refNames.indexOf(name) % REFERENCE_STYLE.length] as { color: string; dash: string });
  const shown = new Set<string>();
  const data: PlotlyTrace[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    font: { family: "DejaVu Sans, Arial, sans-serif", size: 9 },
    margin: { l: 50, r: 10, t: opts.title ? 40 : 25, b: 40 },
    legend: { orientation: "h", y: -0.12, x: 0, font: { size: 8 } },
  };
  const gapX = 0.08;
  const gapY = nRows > 1 ? 0.1 : 0;
  const w = (1 - gapX * (nCols - 1)) / nCols;
  const h = (1 - gapY * (nRows - 1)) / Math.max(1, nRows);
  let k = 0;
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++, k++) {
      const sx = axisSuffix(k);
      const x0 = c * (w + gapX);
      const y1 = 1 - r * (h + gapY);
      const p = input.panels[r]?.[c] ?? null;
      const xs = (p?.series ?? []).flatMap((s) => s.points.map((q) => q.x));
      const xMin = xs.length > 0 ? Math.min(...xs) : 1;
      const xMax = xs.length > 0 ? Math.max(...xs) : 10;
      layout[`xaxis${sx}`] = {
        domain: [x0, x0 + w],
        anchor: `y${sx}`,
        type: xType,
        ...(xType === "log" ? { tickvals: logTicks(xMin, xMax), ticks: "outside", ticklen: 2 } : {}),
        title: r === nRows - 1 ? { text: input.xTitle, standoff: 4 } : undefined,
        zeroline: false,
      };
      layout[`yaxis${sx}`] = {
        domain: [y1 - h, y1],
        anchor: `x${sx}`,
        range: yRange,
        title: c === 0 ? { text: `${input.rowTitles[r]}<br>${input.yTitle}`, standoff: 4 } : undefined,
        zeroline: false,
      };
      annotations.push({ text: `<b>${input.rowTitles[r]} · ${input.colTitles[c]}</b>`, xref: "paper", yref: "paper", x: x0 + w / 2, y: y1, xanchor: "center", yanchor: "bottom", showarrow: false, font: { size: 9 } });
      if (p === null) {
        annotations.push({ text: "no runs", xref: "paper", yref: "paper", x: x0 + w / 2, y: y1 - h / 2, showarrow: false, font: { size: 9, color: "#888" } });
        continue;
      }
      for (const s of p.series) {
        const color = colorOf(s.name);
        const pts = [...s.points].sort((a, b) => a.x - b.x);
        const band = pts.filter((q) => q.low !== null && q.low !== undefined && q.high !== null && q.high !== undefined);
        if (bands && band.length > 0) {
          data.push({
            type: "scatter",
            mode: "lines",
            x: [...band.map((q) => q.x), ...[...band].reverse().map((q) => q.x)],
            y: [...band.map((q) => q.high as number), ...[...band].reverse().map((q) => q.low as number)],
            fill: "toself",
            fillcolor: hexToRgba(color, 0.15),
            line: { width: 0, color },
            hoverinfo: "skip",
            legendgroup: s.name,
            showlegend: false,
            xaxis: `x${sx}`,
            yaxis: `y${sx}`,
          });
        }
        const hasErr = pts.some((q) => q.error !== null && q.error !== undefined);
        data.push({
          type: "scatter",
          mode: "lines+markers",
          name: s.name,
          legendgroup: s.name,
          showlegend: !shown.has(s.name),
          x: pts.map((q) => q.x),
          y: pts.map((q) => q.y),
          line: { color, width: 1.5 },
          marker: { color, size: 5 },
          ...(hasErr ? { error_y: { type: "data", array: pts.map((q) => q.error ?? 0), visible: true, thickness: 1, width: 3, color } } : {}),
          xaxis: `x${sx}`,
          yaxis: `y${sx}`,
        });
        shown.add(s.name);
      }
      for (const ref of p.references) {
        if (ref.y === null) continue;
        const st = refStyle(ref.name);
        data.push({
          type: "scatter",
          mode: "lines",
          name: ref.name,
          legendgroup: `ref:${ref.name}`,
          showlegend: !shown.has(`ref:${ref.name}`),
          x: [xMin, xMax],
          y: [ref.y, ref.y],
          line: { color: st.color, dash: st.dash, width: 1.2 },
          hovertemplate: `${ref.name}: %{y:.2f}<extra></extra>`,
          xaxis: `x${sx}`,
          yaxis: `y${sx}`,
        });
        shown.add(`ref:${ref.name}`);
      }
    }
  }
  if (opts.exampleData) annotations.push(exampleDataMark());
  layout["annotations"] = annotations;
  if (opts.title) layout["title"] = { text: opts.title, font: { size: 11 }, y: 0.995 };
  return { data, layout };
}

/** A figure height (inches) that keeps each panel row readable. */
export function curveGridHeight(input: CurveGridInput, inchesPerRow = 2.3): number {
  return Math.max(2.6, 0.9 + inchesPerRow * input.panels.length);
}
