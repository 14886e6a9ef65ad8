/**
 * A figure is plain plotly JSON: `{data, layout}` exactly as `Plotly.newPlot` takes it. Builders
 * in `lib/figures/` return it from already computed statistics; export and display live
 * elsewhere (`lib/export/`, `lib/notebook/`).
 */

/** One plotly trace (bar, scatter, heatmap, box, ...). Kept open: plotly has hundreds of keys. */
export type PlotlyTrace = { type: string } & Record<string, unknown>;

/** A plotly layout object. */
export type PlotlyLayout = Record<string, unknown>;

/** A complete figure specification. */
export interface FigureSpec {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
}
