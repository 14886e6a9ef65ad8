/**
 * Figures in notebooks: `await wb.showFigure(fig, name, {size: "double", heightIn: 3})` exports
 * the figure (SVG, PDF, PNG under `<results>/figures/`) and displays ONE output carrying
 * several MIME types, so each front end picks what it renders:
 *
 * - `application/vnd.plotly.v1+json`: plotly's own type, interactive in JupyterLab and VS Code
 *   (no CDN script: the front end's plotly renderer draws it);
 * - `image/svg+xml`: the exported SVG, the static fallback that GitHub and nbconvert render;
 * - `text/plain`: a line naming the figure, its size and files (terminals, CI logs).
 *
 * tslab's public `display.raw(mime, data)` sends one MIME type per output, so the bundle goes
 * through the writer tslab's `display` itself uses (`lastWriteDisplayData` in tslab's jupyter
 * module), which takes a whole `display_data` content. Outside a tslab kernel (plain node, tests)
 * only the text line is printed. {@link figureBundle} is the pure part, unit-tested.
 */
import * as path from "node:path";
import type { FigureSpec } from "../figures/types";
import { type ExportOptions, type ExportedFigure, exportFigure } from "../export/exportFigure";
import { repoRoot } from "../paths";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Options of {@link showFigure}: the export options plus the static fallback's format. */
export interface ShowFigureOptions extends ExportOptions {
  /** Static image in the output: "svg" (default; vector, small) or "png" (needs "png" in formats). */
  fallback?: "svg" | "png";
}

/** A Jupyter `display_data` MIME bundle. */
export type MimeBundle = Record<string, unknown>;

/** What the static part of a bundle is made from. */
export interface StaticImage {
  svg?: string;
  png?: Uint8Array;
  /** Display size in CSS pixels (PNG metadata, so a 300 dpi PNG shows at paper size). */
  widthPx?: number;
  heightPx?: number;
}

/** A one-line description: `Figure "name" (2 traces, 6.9 × 3 in): files`. Pure. */
export function figureText(name: string, fig: FigureSpec, exported?: Pick<ExportedFigure, "size" | "files">): string {
  const n = fig.data.length;
  let s = `Figure "${name}" (${n} trace${n === 1 ? "" : "s"}`;
  if (exported) s += `, ${round(exported.size.widthIn)} × ${round(exported.size.heightIn)} in`;
  s += ")";
  const files = exported ? Object.values(exported.files) : [];
  if (files.length > 0) s += ": " + files.map((f) => (f ? relative(f) : "")).join(", ");
  return s;
}

function round(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function relative(file: string): string {
  const r = path.relative(repoRoot, file);
  return r.startsWith("..") || path.isAbsolute(r) ? file : r;
}

/**
 * The MIME bundle of a figure: plotly JSON (with the export's width and height, so the
 * interactive view matches the paper figure), the static image, and text. Pure.
 *
 * @example
 * const b = figureBundle({ data: [{ type: "bar", x: ["a"], y: [1] }], layout: {} }, { svg: "<svg/>", widthPx: 316.8, heightPx: 240 }, "Figure");
 * // Object.keys(b) → ["application/vnd.plotly.v1+json", "image/svg+xml", "text/plain"]
 */
export function figureBundle(fig: FigureSpec, image: StaticImage, text: string): { data: MimeBundle; metadata: Record<string, unknown> } {
  const layout: Record<string, unknown> = { ...fig.layout };
  if (image.widthPx !== undefined) layout["width"] = image.widthPx;
  if (image.heightPx !== undefined) layout["height"] = image.heightPx;
  const data: MimeBundle = {
    [PLOTLY_MIME]: { data: fig.data, layout, config: { displaylogo: false, responsive: false } },
  };
  const metadata: Record<string, unknown> = {};
  if (image.svg !== undefined) data["image/svg+xml"] = image.svg;
  if (image.png !== undefined) {
    data["image/png"] = Buffer.from(image.png.buffer, image.png.byteOffset, image.png.byteLength).toString("base64");
    if (image.widthPx !== undefined && image.heightPx !== undefined) {
      metadata["image/png"] = { width: Math.round(image.widthPx), height: Math.round(image.heightPx) };
    }
  }
  data["text/plain"] = text;
  return { data, metadata };
}

type DisplayWriter = (content: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

/**
 * The tslab kernel's display_data writer, or null outside a running tslab cell. Only looks in
 * the module cache (a kernel has loaded tslab's jupyter module; plain node has not), so a test
 * never loads tslab.
 */
function tslabWriter(): DisplayWriter | null {
  let file: string;
  try {
    file = require.resolve("tslab/dist/jupyter");
  } catch {
    return null;
  }
  const mod = require.cache[file]?.exports as { lastWriteDisplayData?: unknown } | undefined;
  const w = mod?.lastWriteDisplayData;
  return typeof w === "function" ? (w as DisplayWriter) : null;
}

/**
 * Sends a bundle as one `display_data` output in a tslab kernel; elsewhere prints its
 * text/plain. Returns whether a kernel received it.
 */
export function displayBundle(bundle: { data: MimeBundle; metadata: Record<string, unknown> }): boolean {
  const write = tslabWriter();
  if (write) {
    write({ data: bundle.data, metadata: bundle.metadata, transient: {} }, false);
    return true;
  }
  const text = bundle.data["text/plain"];
  if (typeof text === "string") console.log(text);
  return false;
}

/**
 * Exports the figure (`<results>/figures/<name>.{svg,pdf,png}`, shared browser) and displays
 * it: interactive plotly + static SVG (or PNG) + text. Notebooks `await` it. Resolves to nothing
 * (tslab would print a returned value after the figure; {@link exportFigure} returns the files).
 */
export async function showFigure(fig: FigureSpec, name: string, opts: ShowFigureOptions = {}): Promise<void> {
  const { fallback = "svg", ...exportOpts } = opts;
  if (fallback !== "svg" && fallback !== "png") throw new Error(`showFigure: fallback must be "svg" or "png", got ${JSON.stringify(fallback)}`);
  if (fallback === "png" && exportOpts.formats && !exportOpts.formats.includes("png")) {
    throw new Error(`showFigure: fallback "png" needs "png" among formats`);
  }
  const exported = await exportFigure(fig, name, exportOpts);
  const image: StaticImage = { widthPx: exported.size.widthPx, heightPx: exported.size.heightPx };
  if (fallback === "png" && exported.png) image.png = exported.png;
  else image.svg = exported.svg;
  displayBundle(figureBundle(fig, image, figureText(name, fig, exported)));
}
