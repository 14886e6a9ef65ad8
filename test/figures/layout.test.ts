/**
 * Paper layout of every notebook figure at single (3.3 in) and double (6.9 in) column width:
 * each is built from the bundled example dumps as its notebook builds it, rendered to SVG by the
 * real exporter (plotly in headless Chromium) and measured in Chromium: no text leaves the
 * canvas, no two texts overlap, no text is below 7 pt, the legend is at most a third of the
 * height, the example mark is over no plot area, no tick lies beyond the data. Without Chromium
 * the browser part skips with the reason, except under CI=true (a failure there).
 *
 * The exported PDF embeds the theme's font (Liberation Serif) as a named TrueType font, not as
 * an unnamed Type 3 font (which Chromium makes of CFF-based OpenType fonts).
 *
 * `ICL_FIGURE_GALLERY=DIR` also writes every figure as DIR/<name>-<width>.png (150 dpi) to look at.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumMissing, launchChromium } from "../../lib/export/chromium";
import { FigureExporter, resolveFigureSize } from "../../lib/export/exportFigure";
import { COLUMN_WIDTHS, type ColumnWidth, FONT_FACE } from "../../lib/figures/theme";
import type { FigureSpec } from "../../lib/figures/types";
import { DEFAULT_LIMITS, type Measured, layoutProblems, measureSvg, penetration } from "./layoutCheck";
import { type NotebookFigure, notebookFigures } from "./notebookFigures";

function noBrowser(): string | false {
  const why = chromiumMissing();
  if (why && process.env["CI"] === "true") assert.fail(`CI=true but ${why}`);
  return why ?? false;
}

/** x values drawn on each x axis (by its layout key: xaxis, xaxis2, ...). */
function xExtents(fig: FigureSpec): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const t of fig.data) {
    const xs = (Array.isArray(t["x"]) ? (t["x"] as unknown[]) : []).filter((v): v is number => typeof v === "number");
    if (xs.length === 0) continue;
    const ref = typeof t["xaxis"] === "string" ? (t["xaxis"] as string) : "x";
    const key = `xaxis${ref.slice(1)}`;
    const cur = out.get(key) ?? [Infinity, -Infinity];
    out.set(key, [Math.min(cur[0], ...xs), Math.max(cur[1], ...xs)]);
  }
  return out;
}

/** Explicit x tick values beyond the data drawn on their axis (the "5000" past 3000 demos). Pure. */
function ticksBeyondData(fig: FigureSpec): string[] {
  const out: string[] = [];
  for (const [key, [lo, hi]] of xExtents(fig)) {
    const ax = fig.layout[key] as { tickvals?: unknown[] } | undefined;
    for (const v of ax?.tickvals ?? []) {
      if (typeof v === "number" && (v < lo - 1e-9 || v > hi + 1e-9)) out.push(`${key} has a tick at ${v} beyond the data (${lo}..${hi})`);
    }
  }
  return out;
}

describe("layout judgement (pure)", () => {
  const base: Measured = { width: 300, height: 200, texts: [], legend: null, plotAreas: [] };
  const text = (s: string, x0: number, y0: number, x1: number, y1: number, fontPx = 10) => ({ text: s, quad: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as [number, number][], fontPx, fontFamily: "serif" });

  test("overlap of rotated boxes is measured on the boxes, not on their hulls", () => {
    // two 45°-rotated thin boxes side by side: their axis-aligned hulls overlap, the boxes do not
    const rot = (cx: number): [number, number][] => [[cx - 10, 10], [cx, 0], [cx + 2, 2], [cx - 8, 12]];
    assert.ok(penetration(rot(0), rot(6)) <= 0, "apart");
    assert.ok(penetration(rot(0), rot(1)) > 0, "overlapping");
  });

  test("each problem is reported: overlap, outside the canvas, small font, tall legend, mark over data", () => {
    assert.deepEqual(layoutProblems({ ...base, texts: [text("a", 0, 0, 20, 10), text("b", 30, 0, 50, 10)] }), []);
    const problems = layoutProblems({
      ...base,
      texts: [text("a", 0, 0, 20, 10), text("b", 15, 2, 40, 12), text("far", 290, 50, 320, 60), text("tiny", 100, 100, 120, 108, 8), text("EXAMPLE DATA", 200, 150, 260, 160)],
      legend: { x0: 0, y0: 120, x1: 100, y1: 199 },
      plotAreas: [{ x0: 150, y0: 100, x1: 280, y1: 170 }],
    });
    assert.equal(problems.length, 5, problems.join("\n"));
    assert.match(problems.join("\n"), /"a" and "b" overlap/);
    assert.match(problems.join("\n"), /"far" leaves/);
    assert.match(problems.join("\n"), /"tiny" is 6.00 pt/);
    assert.match(problems.join("\n"), /legend is 79 px high/);
    assert.match(problems.join("\n"), /example mark .* over a plot area/);
    assert.ok(DEFAULT_LIMITS.minFontPx > 9.33 && DEFAULT_LIMITS.minFontPx < 9.34, "7 pt at 96 px per inch");
  });
});

const why = noBrowser();

describe("every notebook figure fits a paper column", { skip: why }, () => {
  let browser: Browser;
  let page: Page;
  const exporter = new FigureExporter({ idleCloseMs: 0 });
  const gallery = process.env["ICL_FIGURE_GALLERY"];
  before(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
  });
  after(async () => {
    await exporter.close();
    await browser?.close();
  });

  for (const width of Object.keys(COLUMN_WIDTHS) as ColumnWidth[]) {
    test(`${width} column (${COLUMN_WIDTHS[width]} in): no clipped or overlapping text, legend ≤ 1/3, mark off the data`, async () => {
      const figs: NotebookFigure[] = await notebookFigures(width);
      assert.ok(figs.length >= 20, `${figs.length} figures`);
      const problems: string[] = [];
      for (const f of figs) {
        const size = resolveFigureSize(f.figure, { size: width, heightIn: f.heightIn });
        const svg = await exporter.svg(f.figure, size);
        const m = await measureSvg(page, svg);
        assert.ok(m.texts.length > 3, `${f.name}: the SVG has text`);
        for (const p of [...layoutProblems(m), ...ticksBeyondData(f.figure)]) problems.push(`${f.name} (${width}, ${f.heightIn.toFixed(2)} in): ${p}`);
        if (gallery) {
          fs.mkdirSync(gallery, { recursive: true });
          fs.writeFileSync(path.join(gallery, `${f.name}-${width}.png`), await exporter.png(f.figure, size, 150));
        }
      }
      assert.deepEqual(problems, [], `${problems.length} layout problems:\n${problems.join("\n")}`);
    });
  }

  test(`the PDF embeds ${FONT_FACE.family} as a named TrueType font, no Type 3 font`, async (t) => {
    const m = spawnSync("fc-match", ["-f", "%{family}", FONT_FACE.family], { encoding: "utf8" });
    if (m.status !== 0 || !m.stdout.includes(FONT_FACE.family)) {
      const why = `fontconfig does not resolve "${FONT_FACE.family}" (${m.stdout || m.error?.message || "no fc-match"}); bin/setup installs ${FONT_FACE.debianPackage}`;
      if (process.env["CI"] === "true") assert.fail(`CI=true but ${why}`);
      t.skip(why);
      return;
    }
    const f = (await notebookFigures("single")).find((x) => x.name === "04-gaps");
    assert.ok(f, "04-gaps is among the notebook figures");
    const size = resolveFigureSize(f.figure, { size: "single", heightIn: f.heightIn });
    const pdf = Buffer.from(await exporter.pdf(await exporter.svg(f.figure, size), size)).toString("latin1");
    const names = [...pdf.matchAll(/\/FontName\s*\/([A-Z]{6}\+)?([A-Za-z0-9-]+)/g)].map((x) => x[2]);
    assert.ok(names.includes(FONT_FACE.pdfName), `fonts in the PDF: ${names.join(", ") || "none named"}`);
    assert.ok(!/\/Subtype\s*\/Type3/.test(pdf), "a Type 3 font in the PDF");
    assert.match(pdf, /\/Subtype\s*\/CIDFontType2/, "a CID TrueType font");
  });
});
