/**
 * Checks a rendered page as a reader would see it (used by the runner's --check and its tests).
 * Opens a rendered page (an executed notebook's HTML, the run's index.html) in headless Chromium
 * and reports what a reader would see: every request that failed (a missing script, a figure
 * file that is not there), and for each selected element its rendered size and how many of its
 * pixels are painted (not white), measured on a screenshot of the element.
 */
import { launchChromium } from "./chromium";

export interface ElementPaint {
  index: number;
  width: number;
  height: number;
  /** Share of the element's screenshot pixels that are not (near) white. */
  painted: number;
}

export interface PageReport {
  failedRequests: string[];
  elements: ElementPaint[];
}

// browser globals inside page.evaluate (tsconfig has no DOM library)
declare const Image: new () => { src: string; decode(): Promise<void>; naturalWidth: number; naturalHeight: number };
declare const document: {
  createElement(tag: "canvas"): {
    width: number;
    height: number;
    getContext(kind: "2d"): { drawImage(img: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
  };
};

/** Share of non-white pixels of a PNG, decoded in a blank page. */
async function paintedShare(page: import("playwright-core").Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext("2d");
    if (!ctx) throw new Error("no 2d context");
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if ((d[i] as number) < 235 || (d[i + 1] as number) < 235 || (d[i + 2] as number) < 235) n++;
    return n / (d.length / 4);
  }, png.toString("base64"));
}

export interface PageToCheck {
  /** Absolute path of the HTML file. */
  file: string;
  /** CSS selector of the elements to measure (e.g. "img.icl-figure"). */
  selector: string;
  /** Where to save a full-page screenshot (optional). */
  screenshot?: string;
}

/** Loads each page in one headless Chromium and measures every element matching its selector. */
export async function inspectPages(pages: readonly PageToCheck[]): Promise<PageReport[]> {
  const browser = await launchChromium();
  try {
    const reports: PageReport[] = [];
    for (const p of pages) {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      const failedRequests: string[] = [];
      page.on("requestfailed", (r) => failedRequests.push(`${r.url().slice(0, 200)} (${r.failure()?.errorText ?? "failed"})`));
      page.on("response", (r) => {
        if (r.status() >= 400) failedRequests.push(`${r.url().slice(0, 200)} (HTTP ${r.status()})`);
      });
      await page.goto("file://" + p.file, { waitUntil: "load" });
      if (p.screenshot) await page.screenshot({ path: p.screenshot, fullPage: true });
      const blank = await context.newPage();
      const elements: ElementPaint[] = [];
      for (const [index, h] of (await page.$$(p.selector)).entries()) {
        await h.scrollIntoViewIfNeeded();
        const box = await h.boundingBox();
        const width = box?.width ?? 0;
        const height = box?.height ?? 0;
        const painted = width >= 1 && height >= 1 ? await paintedShare(blank, await h.screenshot()) : 0;
        elements.push({ index, width, height, painted });
      }
      await context.close();
      reports.push({ failedRequests, elements });
    }
    return reports;
  } finally {
    await browser.close();
  }
}

/** {@link inspectPages} for one page. */
export async function inspectPage(file: string, selector: string, screenshot?: string): Promise<PageReport> {
  const [r] = await inspectPages([{ file, selector, ...(screenshot !== undefined ? { screenshot } : {}) }]);
  if (r === undefined) throw new Error("inspectPages returned no report");
  return r;
}
