/**
 * Distribution of the candidates' scores at each step of the greedy demonstration search, with
 * the chosen prompts marked by dashed vertical lines (Zhao et al. Fig. 5 and 9). Rows: base
 * models; columns: steps (4th, 5th, 6th demonstration). The histogram counts are computed by the
 * analysis (lib/analysis/greedy.ts `histogram`), so the figure does not depend on plotly's own
 * binning. A pure builder: statistics in, plotly `{data, layout}` out.
 */
import { exampleDataMark } from "./categoryBars";
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
}

const MARK_COLORS = ["#555555", "#c44e52", "#dd8452", "#8172b3", "#55a868", "#937860"];

export function greedySteps(input: GreedyStepsInput, opts: GreedyStepsOptions = {}): FigureSpec {
  const nRows = input.panels.length;
  const nCols = input.colTitles.length;
  if (input.rowTitles.length !== nRows) throw new Error(`greedySteps: ${input.rowTitles.length} row titles for ${nRows} panel rows`);
  let xLo = Infinity;
  let xHi = -Infinity;
  const markNames: string[] = [];
  for (const row of input.panels) for (const p of row) {
    for (const b of p?.bins ?? []) {
      xLo = Math.min(xLo, b.x0);
      xHi = Math.max(xHi, b.x1);
    }
    for (const m of p?.marks ?? []) {
      if (!markNames.includes(m.name)) markNames.push(m.name);
      if (m.score !== null) {
        xLo = Math.min(xLo, m.score);
        xHi = Math.max(xHi, m.score);
      }
    }
  }
  if (!Number.isFinite(xLo)) [xLo, xHi] = [1, 10];
  const xRange = [Math.floor(xLo * 2) / 2, Math.ceil(xHi * 2) / 2];
  const data: PlotlyTrace[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    font: { family: "DejaVu Sans, Arial, sans-serif", size: 9 },
    margin: { l: 50, r: 10, t: opts.title ? 40 : 25, b: 40 },
    bargap: 0.05,
    legend: { orientation: "h", y: -0.15, x: 0, font: { size: 8 } },
  };
  const gapX = 0.06;
  const gapY = nRows > 1 ? 0.12 : 0;
  const w = (1 - gapX * (nCols - 1)) / nCols;
  const h = (1 - gapY * (nRows - 1)) / Math.max(1, nRows);
  const shown = new Set<string>();
  let k = 0;
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++, k++) {
      const sx = k === 0 ? "" : String(k + 1);
      const x0 = c * (w + gapX);
      const y1 = 1 - r * (h + gapY);
      const p = input.panels[r]?.[c] ?? null;
      const maxCount = Math.max(1, ...(p?.bins ?? []).map((b) => b.count));
      layout[`xaxis${sx}`] = { domain: [x0, x0 + w], anchor: `y${sx}`, range: xRange, // one x title, under the middle column (repeated titles overlap)
        title: r === nRows - 1 && c === Math.floor((nCols - 1) / 2) ? { text: input.xTitle, standoff: 4 } : undefined };
      layout[`yaxis${sx}`] = {
        domain: [y1 - h, y1],
        anchor: `x${sx}`,
        range: [0, maxCount * 1.15],
        ...(maxCount <= 6 ? { dtick: 1 } : {}),
        title: c === 0 ? { text: `${input.rowTitles[r]}<br>candidates`, standoff: 4 } : undefined,
      };
      const head = p === null ? input.colTitles[c] : `${input.colTitles[c]} (${p.nCandidates})`;
      annotations.push({ text: `<b>${head}</b>`, xref: "paper", yref: "paper", x: x0 + w / 2, y: y1, xanchor: "center", yanchor: "bottom", showarrow: false, font: { size: 9 } });
      if (p === null) {
        annotations.push({ text: "no candidates", xref: "paper", yref: "paper", x: x0 + w / 2, y: y1 - h / 2, showarrow: false, font: { size: 9, color: "#888" } });
        continue;
      }
      data.push({
        type: "bar",
        name: "candidates",
        legendgroup: "candidates",
        showlegend: !shown.has("candidates"),
        x: p.bins.map((b) => (b.x0 + b.x1) / 2),
        y: p.bins.map((b) => b.count),
        width: p.bins.map((b) => (b.x1 - b.x0) * 0.95),
        marker: { color: "#4c72b0", opacity: 0.75 },
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
          legendgroup: m.name,
          showlegend: !shown.has(m.name),
          x: [m.score, m.score],
          y: [0, maxCount * 1.1],
          line: { color, dash: "dash", width: 1.5 },
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
          legendgroup: "threshold",
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
  if (opts.exampleData) annotations.push(exampleDataMark());
  layout["annotations"] = annotations;
  if (opts.title) layout["title"] = { text: opts.title, font: { size: 11 }, y: 0.995 };
  return { data, layout };
}

/** A figure height (inches) that keeps each panel row readable. */
export function greedyStepsHeight(input: GreedyStepsInput, inchesPerRow = 2): number {
  return Math.max(2.4, 0.9 + inchesPerRow * input.panels.length);
}
