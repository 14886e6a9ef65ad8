/**
 * Figure export: a plotly `{data, layout}` to SVG, PDF and PNG at paper sizes (single column
 * 3.3 in, double column 6.9 in wide; height in inches), rendered by plotly.js itself inside headless
 * Chromium (`./chromium.ts`). Plotly is loaded from `node_modules/plotly.js-dist-min` (no CDN).
 *
 * - SVG: `Plotly.toImage({format: "svg"})` at width × height CSS pixels (inches × 96).
 * - PDF: that SVG embedded in a page of the figure's size, printed by Chromium (vector). Chromium
 *   rounds page sizes up to its print grid: the MediaBox is within 0.5 pt of inches × 72.
 * - PNG: that SVG rasterized in the page the way Plotly.toImage does it (scale dpi / 96), on a
 *   canvas of exactly round(inches × dpi) pixels (default 300 dpi), with the dpi recorded.
 *
 * One browser serves a whole batch: a {@link FigureExporter} launches it lazily on the first
 * export and keeps one page with plotly loaded (parsing plotly is the slow part). Notebooks use
 * the shared exporter through {@link exportFigure} and end with {@link closeFigureExporter}. A
 * forgotten close cannot keep a process alive for ever: an idle browser closes itself after
 * `idleCloseMs` (and is relaunched by the next export), and playwright kills the browser when
 * the process exits. Files are written atomically under `<results>/figures/<name>.<ext>`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { writeFileAtomic } from "../io/atomic";
import type { FigureSpec } from "../figures/types";
import { fromRepo, resultsDir } from "../paths";
import { chromiumPath, launchChromium } from "./chromium";

export type FigureFormat = "svg" | "pdf" | "png";
export type PaperSize = "single" | "double";

export const FIGURE_FORMATS: readonly FigureFormat[] = ["svg", "pdf", "png"];
/** Column widths in inches: ACL / two-column papers (single ≈ 3.3 in, double ≈ 6.9 in). */
export const PAPER_WIDTH_IN: Readonly<Record<PaperSize, number>> = { single: 3.3, double: 6.9 };
/** Default heights when neither `heightIn` nor `layout.height` is given. */
export const DEFAULT_HEIGHT_IN: Readonly<Record<PaperSize, number>> = { single: 2.5, double: 3 };
/** CSS pixels per inch (plotly's unit) and PDF points per inch. */
export const PX_PER_IN = 96;
export const PT_PER_IN = 72;
export const DEFAULT_DPI = 300;

/** The size of a figure on paper. */
export interface FigureSizeOptions {
  /** Column width: "single" (3.3 in) or "double" (6.9 in). Default "single". */
  size?: PaperSize;
  /** Explicit width in inches (overrides `size`). */
  widthIn?: number;
  /** Height in inches. Default: `layout.height / 96` when set, else 2.5 (single) or 3 (double). */
  heightIn?: number;
}

export interface ExportOptions extends FigureSizeOptions {
  /** PNG resolution in dots per inch. Default 300. */
  dpi?: number;
  /** Which files to write. Default all three: svg, pdf, png. */
  formats?: readonly FigureFormat[];
  /** Output directory. Default `<results>/figures` (`$ICL_RESULTS_DIR/figures`). */
  outDir?: string;
}

export interface ResolvedSize {
  widthIn: number;
  heightIn: number;
  /** CSS pixels (inches × 96), as plotly lays the figure out. */
  widthPx: number;
  heightPx: number;
}

export interface ExportedFigure {
  name: string;
  size: ResolvedSize;
  dpi: number;
  /** Absolute paths of the files written, by format. */
  files: Partial<Record<FigureFormat, string>>;
  /** The SVG text (always rendered: the PDF is printed from it and notebooks display it). */
  svg: string;
  /** The PNG bytes when "png" was among the formats. */
  png?: Uint8Array;
}

function positive(v: number, what: string, max: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new Error(`figure export: ${what} must be a number in (0, ${max}], got ${String(v)}`);
  }
  return v;
}

/** Resolves paper size options (and `layout.height`) to inches and CSS pixels. Pure. */
export function resolveFigureSize(fig: FigureSpec, opts: FigureSizeOptions = {}): ResolvedSize {
  const paper = opts.size ?? "single";
  if (!(paper in PAPER_WIDTH_IN)) throw new Error(`figure export: size must be "single" or "double", got ${JSON.stringify(paper)}`);
  const widthIn = positive(opts.widthIn ?? PAPER_WIDTH_IN[paper], "widthIn", 100);
  const layoutHeight = fig.layout["height"];
  const heightIn = positive(
    opts.heightIn ?? (typeof layoutHeight === "number" ? layoutHeight / PX_PER_IN : DEFAULT_HEIGHT_IN[paper]),
    "heightIn",
    100,
  );
  // Rounded to 1e-6 px so that 6.9 in is 662.4 px, not 662.4000000000001 (SVG attributes).
  const px = (inches: number) => Math.round(inches * PX_PER_IN * 1e6) / 1e6;
  return { widthIn, heightIn, widthPx: px(widthIn), heightPx: px(heightIn) };
}

/** PNG pixel size at a resolution: round(inches × dpi) each way. Pure. */
export function pngPixels(size: ResolvedSize, dpi: number): { w: number; h: number } {
  return { w: Math.max(1, Math.round(size.widthIn * dpi)), h: Math.max(1, Math.round(size.heightIn * dpi)) };
}

/**
 * Records the resolution in a PNG (a pHYs chunk right after IHDR, in pixels per metre), so
 * LaTeX and word processors place it at its physical size. A PNG that has one is returned as is.
 */
export function withPngDpi(png: Uint8Array, dpi: number): Uint8Array {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 33 || buf.toString("latin1", 12, 16) !== "IHDR") throw new Error("figure export: Chromium returned something that is not a PNG");
  if (buf.includes(Buffer.from("pHYs", "latin1"))) return png;
  const ppm = Math.round(dpi / 0.0254);
  const chunk = Buffer.alloc(21);
  chunk.writeUInt32BE(9, 0);
  chunk.write("pHYs", 4, "latin1");
  chunk.writeUInt32BE(ppm, 8);
  chunk.writeUInt32BE(ppm, 12);
  chunk.writeUInt8(1, 16); // unit: metre
  chunk.writeUInt32BE(zlib.crc32(chunk.subarray(4, 17)), 17);
  return new Uint8Array(Buffer.concat([buf.subarray(0, 33), chunk, buf.subarray(33)]));
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Absolute output path of a figure file: `<outDir or results/figures>/<name>.<ext>`. */
export function figurePath(name: string, format: FigureFormat, outDir?: string): string {
  if (!NAME.test(name) || name.includes("..")) {
    throw new Error(`figure export: name ${JSON.stringify(name)} must be a plain file name (letters, digits, . _ -)`);
  }
  return path.join(outDir ?? path.join(resultsDir(), "figures"), `${name}.${format}`);
}

/** The HTML page the PDF is printed from: the SVG alone on a page of exactly its size. */
export function pdfPageHtml(svg: string, size: ResolvedSize, title = "figure"): string {
  const esc = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const w = `${size.widthPx}px`;
  const h = `${size.heightPx}px`;
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc}</title><style>` +
    `@page{size:${w} ${h};margin:0}html,body{margin:0;padding:0;width:${w};height:${h};overflow:hidden;background:#fff}` +
    `body>svg{display:block;width:${w};height:${h}}</style></head><body>${svg}</body></html>`
  );
}

const PLOTLY_JS = fromRepo("node_modules", "plotly.js-dist-min", "plotly.min.js");

export interface FigureExporterOptions {
  /** Chromium binary. Default `$ICL_CHROMIUM` or /usr/bin/chromium. */
  executablePath?: string;
  /**
   * Close the browser after this many milliseconds without an export (the next export
   * relaunches it), so a forgotten `close()` delays process exit by at most this much.
   * Default `$ICL_EXPORT_IDLE_MS` or 30000; 0 disables.
   */
  idleCloseMs?: number;
}

interface Session {
  browser: Browser;
  plot: Page;
  print: Page;
}

// What runs inside the page sees these browser globals (tsconfig has no DOM library).
declare const Plotly: {
  toImage(fig: unknown, opts: Record<string, unknown>): Promise<string>;
};
declare const Image: new () => { src: string; decode(): Promise<void> };
declare const document: {
  createElement(tag: "canvas"): {
    width: number;
    height: number;
    getContext(kind: "2d"): { drawImage(img: unknown, x: number, y: number, w: number, h: number): void } | null;
    toDataURL(type: string): string;
  };
};

/**
 * Exports figures with one headless Chromium, launched on the first export and reused until
 * {@link FigureExporter.close}. Exports are serialized (one page each for plotly and printing).
 */
export class FigureExporter {
  /** How many times a browser was launched (1 for a batch; the bench and tests read it). */
  launches = 0;
  private session: Promise<Session> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly executablePath: string;
  private readonly idleCloseMs: number;

  constructor(opts: FigureExporterOptions = {}) {
    this.executablePath = opts.executablePath ?? chromiumPath();
    const envIdle = Number(process.env["ICL_EXPORT_IDLE_MS"]);
    this.idleCloseMs = opts.idleCloseMs ?? (Number.isFinite(envIdle) && process.env["ICL_EXPORT_IDLE_MS"] ? envIdle : 30_000);
  }

  /** Renders the figure to SVG text at the given size. */
  svg(fig: FigureSpec, size: ResolvedSize): Promise<string> {
    return this.serial(async (s) => this.renderSvg(s, fig, size));
  }

  /** Renders the figure to PNG bytes: round(width × dpi) by round(height × dpi) pixels. */
  png(fig: FigureSpec, size: ResolvedSize, dpi: number = DEFAULT_DPI): Promise<Uint8Array> {
    return this.serial(async (s) => this.renderPng(s, await this.renderSvg(s, fig, size), size, dpi));
  }

  /** Prints an SVG (as made by {@link svg}) to a one-page vector PDF of exactly the size. */
  pdf(svg: string, size: ResolvedSize, title?: string): Promise<Uint8Array> {
    return this.serial(async (s) => this.renderPdf(s, svg, size, title));
  }

  /** Renders and writes `<name>.svg/.pdf/.png` (atomically); returns the paths and the SVG. */
  export(fig: FigureSpec, name: string, opts: ExportOptions = {}): Promise<ExportedFigure> {
    const size = resolveFigureSize(fig, opts);
    const dpi = positive(opts.dpi ?? DEFAULT_DPI, "dpi", 4800);
    const formats = opts.formats ?? FIGURE_FORMATS;
    for (const f of formats) {
      if (!FIGURE_FORMATS.includes(f)) throw new Error(`figure export: unknown format ${JSON.stringify(f)} (svg, pdf or png)`);
    }
    const paths = Object.fromEntries(formats.map((f) => [f, figurePath(name, f, opts.outDir)])) as Partial<Record<FigureFormat, string>>;
    return this.serial(async (s) => {
      const svg = await this.renderSvg(s, fig, size);
      const out: ExportedFigure = { name, size, dpi, files: {}, svg };
      if (paths.svg) {
        writeFileAtomic(paths.svg, svg);
        out.files.svg = paths.svg;
      }
      if (paths.pdf) {
        writeFileAtomic(paths.pdf, await this.renderPdf(s, svg, size, name));
        out.files.pdf = paths.pdf;
      }
      if (paths.png) {
        out.png = await this.renderPng(s, svg, size, dpi);
        writeFileAtomic(paths.png, out.png);
        out.files.png = paths.png;
      }
      return out;
    });
  }

  /** Closes the browser (if one was launched). The exporter may be used again afterwards. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    this.clearIdle();
    const pending = this.session;
    this.session = null;
    if (!pending) return;
    const s = await pending.catch(() => null);
    if (s) await s.browser.close().catch(() => undefined);
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Runs one job at a time on the (lazily launched) browser; re-arms the idle close after it. */
  private serial<T>(job: (s: Session) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.clearIdle();
      try {
        return await job(await this.start());
      } finally {
        if (this.idleCloseMs > 0 && this.session) {
          this.idleTimer = setTimeout(() => void this.shutdown(), this.idleCloseMs);
          this.idleTimer.unref();
        }
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private start(): Promise<Session> {
    if (!this.session) {
      const starting = this.launch();
      this.session = starting;
      // A failed launch is not cached: the next export tries again (and reports again).
      starting.catch(() => {
        if (this.session === starting) this.session = null;
      });
    }
    return this.session;
  }

  private async launch(): Promise<Session> {
    if (!fs.existsSync(PLOTLY_JS)) {
      throw new Error(`figure export: ${PLOTLY_JS} is missing; run bin/setup (npm install) first`);
    }
    const browser = await launchChromium(this.executablePath);
    this.launches++;
    try {
      const plot = await browser.newPage();
      await plot.setContent("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>");
      await plot.addScriptTag({ path: PLOTLY_JS });
      const print = await browser.newPage();
      return { browser, plot, print };
    } catch (e) {
      await browser.close().catch(() => undefined);
      throw e;
    }
  }

  private async renderSvg(s: Session, fig: FigureSpec, size: ResolvedSize): Promise<string> {
    return s.plot.evaluate(
      async ({ fig, w, h }) =>
        Plotly.toImage({ data: fig.data, layout: { ...fig.layout, width: w, height: h } }, { format: "svg", width: w, height: h, imageDataOnly: true }),
      { fig: plain(fig), w: size.widthPx, h: size.heightPx },
    );
  }

  /**
   * Rasterizes the SVG in the page (as Plotly.toImage does for PNG: an <img> drawn on a canvas),
   * but onto a canvas of exactly round(inches × dpi) pixels: plotly's `scale` truncates
   * fractional sizes (3.3 in at 150 dpi gave 494 px, not 495). A pHYs chunk records the dpi.
   */
  private async renderPng(s: Session, svg: string, size: ResolvedSize, dpi: number): Promise<Uint8Array> {
    const { w, h } = pngPixels(size, dpi);
    const b64 = await s.plot.evaluate(
      async ({ svg, w, h }) => {
        const img = new Image();
        img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = w;
        canvas.height = h;
        const ctx = canvas.getContext("2d");
        if (!ctx) throw new Error("no 2d canvas context");
        ctx.drawImage(img, 0, 0, w, h);
        return canvas.toDataURL("image/png").replace(/^data:image\/png;base64,/, "");
      },
      { svg, w, h },
    );
    return withPngDpi(new Uint8Array(Buffer.from(b64, "base64")), dpi);
  }

  private async renderPdf(s: Session, svg: string, size: ResolvedSize, title?: string): Promise<Uint8Array> {
    await s.print.setContent(pdfPageHtml(svg, size, title));
    const pdf = await s.print.pdf({
      width: `${size.widthIn}in`,
      height: `${size.heightIn}in`,
      margin: { top: "0", right: "0", bottom: "0", left: "0" },
      printBackground: true,
      pageRanges: "1",
    });
    return new Uint8Array(pdf);
  }
}

/** A JSON round trip: what crosses into the page must be plain data (plotly mutates its input). */
function plain(fig: FigureSpec): FigureSpec {
  return JSON.parse(JSON.stringify({ data: fig.data, layout: fig.layout })) as FigureSpec;
}

// The shared exporter lives on globalThis, not in a module variable: tslab may re-evaluate lib
// modules between cells, and a second module instance must not launch a second browser.
const SHARED = Symbol.for("icl-workbench.figureExporter");
type Holder = { [SHARED]?: FigureExporter };

/** The process-wide exporter that notebooks share (created on first use; no browser yet). */
export function figureExporter(): FigureExporter {
  const g = globalThis as Holder;
  return (g[SHARED] ??= new FigureExporter());
}

/** Exports with the shared exporter: `<results>/figures/<name>.{svg,pdf,png}`. */
export function exportFigure(fig: FigureSpec, name: string, opts: ExportOptions = {}): Promise<ExportedFigure> {
  return figureExporter().export(fig, name, opts);
}

/** Closes the shared exporter's browser (the last cell of every notebook). */
export async function closeFigureExporter(): Promise<void> {
  const g = globalThis as Holder;
  const e = g[SHARED];
  delete g[SHARED];
  if (e) await e.close();
}
