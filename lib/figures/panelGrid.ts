/**
 * The geometry of a grid of panels (rows × columns) at a paper column width, shared by the
 * curve and histogram grids: a header line per panel row (its title, once), column titles on
 * every panel (wrapped to the panel's width), one y title per row, one x title centred under the
 * grid, and a legend along the bottom. Everything in CSS px at print size, then as paper
 * fractions for plotly's axis domains. Pure.
 */
import { type ColumnWidth, FONT_PT, charsThatFit, columnPx, font, legendHeightPx, lineCount, linePx, topMarginPx, wrapLabel, xTickLabelPx } from "./theme";

export interface PanelGridSpec {
  rowTitles: readonly string[];
  colTitles: readonly string[];
  title?: string;
  exampleData?: boolean;
  width: ColumnWidth;
  /** Legend entries (their names decide the legend's rows). */
  legendNames: readonly string[];
  /** Plot height of one panel in px. */
  panelPx: number;
  /** Lines of the y axis title (e.g. 1). */
  yTitleLines?: number;
}

export interface PanelGridGeometry {
  widthPx: number;
  heightPx: number;
  margin: { l: number; r: number; t: number; b: number };
  title?: string;
  /** Per column: x domain; per row: y domain and the header's y (paper fractions). */
  cols: { x0: number; x1: number; title: string }[];
  rows: { y0: number; y1: number; headerY: number; header: string }[];
  /** Where the single x title goes (paper y, anchored at its top), and its px offset. */
  xTitleY: number;
  panelWidthPx: number;
}

export function panelGridGeometry(s: PanelGridSpec): PanelGridGeometry {
  const W = columnPx(s.width);
  const top = topMarginPx(s.title, s.exampleData === true, s.width);
  const nRows = s.rowTitles.length;
  const nCols = s.colTitles.length;
  const l = 30 + (s.yTitleLines ?? 1) * linePx(FONT_PT.base);
  const r = 8;
  const gapX = s.width === "single" ? 12 : 20;
  const plotW = W - l - r;
  const panelW = (plotW - gapX * (nCols - 1)) / Math.max(1, nCols);
  const colTitles = s.colTitles.map((t) => wrapLabel(t, charsThatFit(panelW, FONT_PT.panel)));
  const colLines = Math.max(1, ...colTitles.map(lineCount));
  const headerPx = linePx(FONT_PT.panel) + 3;
  const colTitlePx = colLines * linePx(FONT_PT.panel) + 3;
  const tickPx = xTickLabelPx(12);
  const rowGap = tickPx + 6;
  const legend = legendHeightPx(s.legendNames, plotW);
  const xTitlePx = linePx(FONT_PT.base) + 2;
  const b = tickPx + xTitlePx + 4 + legend + 2;
  const gridH = nRows * (headerPx + colTitlePx + s.panelPx) + (nRows - 1) * rowGap;
  const heightPx = Math.ceil(top.px + gridH + b);
  const H = heightPx - top.px - b;
  const frac = (px: number) => 1 - px / H;
  const cols = colTitles.map((title, c) => {
    const x0 = (c * (panelW + gapX)) / plotW;
    return { x0, x1: x0 + panelW / plotW, title };
  });
  const rows: PanelGridGeometry["rows"] = [];
  let y = 0;
  for (let i = 0; i < nRows; i++) {
    const headerY = frac(y + headerPx / 2);
    y += headerPx + colTitlePx;
    rows.push({ y1: frac(y), y0: frac(y + s.panelPx), headerY, header: s.rowTitles[i] ?? "" });
    y += s.panelPx + rowGap;
  }
  return {
    widthPx: W,
    heightPx,
    margin: { l, r, t: top.px, b },
    ...(top.titleText ? { title: top.titleText } : {}),
    cols,
    rows,
    xTitleY: -(tickPx + 2) / H,
    panelWidthPx: panelW,
  };
}

/** The annotations of a grid: row headers (left, bold), column titles above each panel, the x title. */
export function panelGridAnnotations(g: PanelGridGeometry, xTitle: string, rowHeaders = true): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const row of g.rows) {
    if (rowHeaders && row.header !== "") {
      out.push({ text: `<b>${row.header}</b>`, xref: "paper", yref: "paper", x: 0, xshift: -g.margin.l + 2, y: row.headerY, xanchor: "left", yanchor: "middle", showarrow: false, font: font(FONT_PT.panel) });
    }
    for (const col of g.cols) {
      out.push({ text: col.title, xref: "paper", yref: "paper", x: (col.x0 + col.x1) / 2, y: row.y1, yshift: 1, xanchor: "center", yanchor: "bottom", showarrow: false, font: font(FONT_PT.small) });
    }
  }
  out.push({ text: xTitle, xref: "paper", yref: "paper", x: 0.5, y: g.xTitleY, xanchor: "center", yanchor: "top", showarrow: false, font: font(FONT_PT.base) });
  return out;
}
