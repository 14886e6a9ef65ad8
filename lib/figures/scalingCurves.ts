/**
 * Score curves against a size (number of demonstrations, or of fine-tuning examples) in a grid
 * of panels (rows: base models; columns: 1st / 2nd turn), with error bars (e.g. ± std over seeds),
 * an optional shaded interval (e.g. a bootstrap CI) and horizontal reference lines (base, URIAL,
 * instruct). Zhao et al. Fig. 2, 6 (scaling) and Fig. 3, 7 (ICL vs IFT). A series keeps its colour
 * and legend entry across panels; its colour is its setting's (lib/figures/theme.ts), the same in
 * every figure. A pure builder: statistics in, plotly `{data, layout}` out, `layout.height` from
 * the panel rows at the column width ({@link curveGridHeight}). Log axes get 1-2-5 ticks within
 * the data, never beyond it.
 */
import { panelGridAnnotations, panelGridGeometry } from "./panelGrid";
import { type ColumnWidth, FONT_PT, baseModelRowOrder, MUTED_COLOR, axisTitle, bottomLegend, exampleDataMark, font, inches, orderBySetting, placedTitle, settingInLabel, settingStyle, textPx, themeAxis, themeLayout, withAlpha } from "./theme";
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
  /** Paper column the figure is laid out for. Default "double". */
  width?: ColumnWidth;
}

function axisSuffix(i: number): string {
  return i === 0 ? "" : String(i + 1);
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

/**
 * Log-axis ticks within [lo, hi], never beyond: 1-2-5 per decade, else 1-3, else 1 per decade
 * (each with the data's ends, an end dropped when within 0.2 decades of a tick), else the
 * decades alone, else every other decade, whichever first has at most `maxTicks` ticks.
 *
 * @example
 * logTicks(3, 50, 6); // [3, 5, 10, 20, 50]
 */
export function logTicks(lo: number, hi: number, maxTicks: number): number[] {
  const decades: number[] = [];
  for (let d = Math.pow(10, Math.floor(Math.log10(lo))); d <= hi * (1 + 1e-9); d *= 10) decades.push(d);
  const within = (ms: number[]) =>
    decades.flatMap((d) => ms.map((m) => Math.round(m * d * 1e9) / 1e9)).filter((v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9));
  const withEnds = (t: number[]) => {
    const all = [...new Set([lo, ...t, hi])].sort((a, b) => a - b);
    return all.filter((v, i) => {
      if (v !== lo && v !== hi) return true;
      if (t.includes(v)) return true;
      const other = all[v === lo ? i + 1 : i - 1];
      return other === undefined || Math.abs(Math.log10(v) - Math.log10(other)) > 0.2;
    });
  };
  const tens = within([1]);
  const candidates = [withEnds(within([1, 2, 5])), withEnds(within([1, 3])), withEnds(tens), tens, tens.filter((_, i) => i % 2 === 0)];
  for (const t of candidates) if (t.length >= 2 && t.length <= maxTicks) return t;
  return [lo, hi];
}

function curveLegendNames(input: CurveGridInput): { series: string[]; refs: string[] } {
  const series: string[] = [];
  const refs: string[] = [];
  for (const row of input.panels) for (const p of row) {
    for (const s of p?.series ?? []) if (!series.includes(s.name)) series.push(s.name);
    for (const r of p?.references ?? []) if (r.y !== null && !refs.includes(r.name)) refs.push(r.name);
  }
  return { series: orderBySetting(series, (n) => n), refs: orderBySetting(refs, (n) => n) };
}

function geometry(input: CurveGridInput, opts: CurveGridOptions) {
  const width = opts.width ?? "double";
  const names = curveLegendNames(input);
  return panelGridGeometry({
    rowTitles: input.rowTitles,
    colTitles: input.colTitles,
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    exampleData: opts.exampleData === true,
    width,
    legendNames: [...names.series, ...names.refs],
    panelPx: inches(width === "single" ? 1.05 : 1.35),
  });
}

/** The figure's print height in inches at its column width (what {@link curveGrid} sets). */
export function curveGridHeight(input: CurveGridInput, opts: CurveGridOptions = {}): number {
  return geometry(input, opts).heightPx / 96;
}

export function curveGrid(given: CurveGridInput, opts: CurveGridOptions = {}): FigureSpec {
  // panel rows in base-model order (lib/figures/theme.ts), the same in every figure
  const order = baseModelRowOrder(given.rowTitles);
  const input: CurveGridInput = { ...given, rowTitles: order.map((i) => given.rowTitles[i] as string), panels: order.map((i) => given.panels[i] ?? []) };
  const nRows = input.panels.length;
  const nCols = input.colTitles.length;
  if (input.rowTitles.length !== nRows) throw new Error(`curveGrid: ${input.rowTitles.length} row titles for ${nRows} panel rows`);
  const xType = opts.xType ?? "linear";
  const yRange = opts.yRange ?? curveYRange(input.panels);
  const bands = opts.bands ?? true;
  const names = curveLegendNames(input);
  const allNames = [...names.series, ...names.refs];
  const g = geometry(input, opts);
  const shown = new Set<string>();
  const data: PlotlyTrace[] = [];
  const annotations = panelGridAnnotations(g, input.xTitle);
  const layout: Record<string, unknown> = {
    ...themeLayout(g.margin),
    width: g.widthPx,
    height: g.heightPx,
    legend: { ...bottomLegend(), traceorder: "normal" },
    showlegend: true,
  };
  // the legend lists series, then references, each in setting order
  const legendRank = (name: string) => allNames.indexOf(name);
  // series of one setting share its colour and differ in dash and marker (e.g. with / without URIAL)
  const variant = (name: string) => names.series.filter((n) => settingInLabel(n) === settingInLabel(name)).indexOf(name);
  const DASHES = ["solid", "dash", "dot", "dashdot"];
  const SYMBOLS = ["circle", "square", "diamond", "triangle-up"];
  let k = 0;
  for (let r = 0; r < nRows; r++) {
    const row = g.rows[r] as (typeof g.rows)[number];
    for (let c = 0; c < nCols; c++, k++) {
      const col = g.cols[c] as (typeof g.cols)[number];
      const sx = axisSuffix(k);
      const p = input.panels[r]?.[c] ?? null;
      const xs = (p?.series ?? []).flatMap((s) => s.points.map((q) => q.x)).filter((x) => Number.isFinite(x) && (xType !== "log" || x > 0));
      const xMin = xs.length > 0 ? Math.min(...xs) : 1;
      const xMax = xs.length > 0 ? Math.max(...xs) : 10;
      const maxTicks = Math.max(2, Math.floor(g.panelWidthPx / (textPx(String(Math.round(xMax)), FONT_PT.small) + 10)));
      let xAxis: Record<string, unknown>;
      if (xType === "log") {
        const a = Math.log10(xMin);
        const b = Math.log10(xMax);
        const pad = Math.max(0.05, (b - a) * 0.06);
        const ticks = logTicks(xMin, xMax, maxTicks);
        xAxis = { type: "log", range: [a - pad, b + pad], tickmode: "array", tickvals: ticks, ticktext: ticks.map((v) => String(v)) };
      } else {
        const pad = (xMax - xMin || 1) * 0.05;
        xAxis = { type: "linear", range: [xMin - pad, xMax + pad], nticks: maxTicks };
      }
      layout[`xaxis${sx}`] = themeAxis({ domain: [col.x0, col.x1], anchor: `y${sx}`, ...xAxis, showgrid: true });
      layout[`yaxis${sx}`] = themeAxis({ domain: [row.y0, row.y1], anchor: `x${sx}`, range: yRange, showgrid: true, nticks: 5, ...(c === 0 ? { title: axisTitle(input.yTitle, 2) } : { showticklabels: true }) });
      if (p === null) {
        annotations.push({ text: "no runs", xref: "paper", yref: "paper", x: (col.x0 + col.x1) / 2, y: (row.y0 + row.y1) / 2, showarrow: false, font: font(FONT_PT.small, MUTED_COLOR) });
        continue;
      }
      for (const s of [...p.series].sort((a, b) => legendRank(a.name) - legendRank(b.name))) {
        const color = settingStyle(s.name, allNames).color;
        const pts = [...s.points].sort((a, b) => a.x - b.x);
        const band = pts.filter((q) => q.low !== null && q.low !== undefined && q.high !== null && q.high !== undefined);
        if (bands && band.length > 0) {
          data.push({
            type: "scatter",
            mode: "lines",
            x: [...band.map((q) => q.x), ...[...band].reverse().map((q) => q.x)],
            y: [...band.map((q) => q.high as number), ...[...band].reverse().map((q) => q.low as number)],
            fill: "toself",
            fillcolor: withAlpha(color, 0.15),
            line: { width: 0, color },
            hoverinfo: "skip",
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
          legendrank: 1000 + legendRank(s.name),
          showlegend: !shown.has(s.name),
          x: pts.map((q) => q.x),
          y: pts.map((q) => q.y),
          line: { color, width: 1.2, dash: DASHES[variant(s.name) % DASHES.length] },
          marker: { color, size: 4, symbol: SYMBOLS[variant(s.name) % SYMBOLS.length] },
          ...(hasErr ? { error_y: { type: "data", array: pts.map((q) => q.error ?? 0), visible: true, thickness: 0.8, width: 2, color } } : {}),
          xaxis: `x${sx}`,
          yaxis: `y${sx}`,
        });
        shown.add(s.name);
      }
      for (const ref of p.references) {
        if (ref.y === null) continue;
        const st = settingStyle(ref.name, allNames);
        data.push({
          type: "scatter",
          mode: "lines",
          name: ref.name,
          legendrank: 1000 + legendRank(ref.name),
          showlegend: !shown.has(`ref:${ref.name}`),
          x: [xMin, xMax],
          y: [ref.y, ref.y],
          line: { color: st.color, dash: st.dash === "solid" ? "dash" : st.dash, width: 1 },
          hovertemplate: `${ref.name}: %{y:.2f}<extra></extra>`,
          xaxis: `x${sx}`,
          yaxis: `y${sx}`,
        });
        shown.add(`ref:${ref.name}`);
      }
    }
  }
  if (opts.exampleData) annotations.push(exampleDataMark(g.margin.t));
  layout["annotations"] = annotations;
  if (g.title) (layout["annotations"] as Record<string, unknown>[]).push(placedTitle(g.title, opts.exampleData === true, g.margin));
  return { data, layout };
}
