/**
 * Figure export through headless Chromium: the files are valid SVG / PDF / PNG of the asked paper
 * size. Without Chromium these tests skip with the reason, except under CI=true, where bin/setup
 * has installed it and its absence is a failure.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { chromiumMissing, launchChromium } from "../../lib/export/chromium";
import {
  FigureExporter,
  PT_PER_IN,
  figurePath,
  pdfPageHtml,
  pngPixels,
  resolveFigureSize,
  withPngDpi,
} from "../../lib/export/exportFigure";
import type { FigureSpec } from "../../lib/figures/types";
import { tempDir } from "../helpers";

const built = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "snapshots", "category-bars.json"), "utf8")) as FigureSpec;
// the same figure without the height and width its builder set (so the default heights apply)
const fig: FigureSpec = { data: built.data, layout: Object.fromEntries(Object.entries(built.layout).filter(([k]) => k !== "height" && k !== "width")) };

/** Why the browser tests cannot run here, or false. Under CI=true a missing browser fails. */
function noBrowser(): string | false {
  const why = chromiumMissing();
  if (why && process.env["CI"] === "true") assert.fail(`CI=true but ${why}`);
  return why ?? false;
}

/** Root tag and width/height attributes, read by Python's XML parser (a real parse). */
function parseSvg(file: string): { tag: string; width: string; height: string } {
  const py = "import json,sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); print(json.dumps([r.tag, r.get('width'), r.get('height')]))";
  const r = spawnSync("/usr/bin/python3", ["-c", py, file], { encoding: "utf8" });
  assert.equal(r.status, 0, `SVG ${file} does not parse as XML: ${r.stderr}`);
  const [tag, width, height] = JSON.parse(r.stdout) as [string, string, string];
  return { tag, width, height };
}

function pngInfo(png: Uint8Array): { width: number; height: number; ppm: number | null } {
  const b = Buffer.from(png);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  assert.equal(b.toString("latin1", 12, 16), "IHDR");
  const i = b.indexOf("pHYs", 0, "latin1");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), ppm: i < 0 ? null : b.readUInt32BE(i + 4) };
}

function mediaBoxes(pdf: Buffer): number[][] {
  const text = pdf.toString("latin1");
  return [...text.matchAll(/\/MediaBox\s*\[\s*([-\d.\s]+)\]/g)].map((m) => (m[1] as string).trim().split(/\s+/).map(Number));
}

describe("figure sizes (pure)", () => {
  test("paper widths, explicit and default heights", () => {
    assert.deepEqual(resolveFigureSize(fig, { size: "double", heightIn: 3 }), { widthIn: 6.9, heightIn: 3, widthPx: 662.4, heightPx: 288 });
    assert.deepEqual(resolveFigureSize(fig, { size: "single", heightIn: 2 }), { widthIn: 3.3, heightIn: 2, widthPx: 316.8, heightPx: 192 });
    assert.equal(resolveFigureSize(fig).widthIn, 3.3, "single column by default");
    assert.equal(resolveFigureSize(fig, { size: "double" }).heightIn, 3);
    assert.equal(resolveFigureSize(built, { size: "double" }).heightIn, (built.layout["height"] as number) / 96, "a builder's layout.height is the height");
    assert.equal(resolveFigureSize({ data: [], layout: { height: 240 } }, {}).heightIn, 2.5, "layout.height in px / 96");
    assert.equal(resolveFigureSize(fig, { widthIn: 5, size: "single", heightIn: 1 }).widthPx, 480);
  });

  test("bad sizes and names are refused with the option named", () => {
    assert.throws(() => resolveFigureSize(fig, { heightIn: 0 }), /heightIn must be a number/);
    assert.throws(() => resolveFigureSize(fig, { heightIn: Number.NaN }), /heightIn/);
    assert.throws(() => resolveFigureSize(fig, { size: "triple" as "single" }), /size must be "single" or "double"/);
    assert.throws(() => figurePath("../escape", "svg"), /plain file name/);
    assert.throws(() => figurePath("a/b", "svg"), /plain file name/);
    assert.equal(figurePath("01-x", "pdf", "/tmp/o"), path.join("/tmp/o", "01-x.pdf"));
  });

  test("PNG pixels are round(inches × dpi)", () => {
    const s = resolveFigureSize(fig, { size: "single", heightIn: 2.37 });
    assert.deepEqual(pngPixels(s, 150), { w: 495, h: 356 }); // 3.3 × 150 = 495, 2.37 × 150 = 355.5
    assert.deepEqual(pngPixels(resolveFigureSize(fig, { size: "double", heightIn: 3 }), 300), { w: 2070, h: 900 });
  });

  test("withPngDpi inserts a pHYs chunk after IHDR with the right CRC", () => {
    // A 1×1 PNG's signature + IHDR + IEND (the pixel data is irrelevant to the chunk layout).
    const ihdr = Buffer.from("0000000d49484452000000010000000108060000001f15c489", "hex");
    const iend = Buffer.from("0000000049454e44ae426082", "hex");
    const png = Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), ihdr, iend]);
    const out = Buffer.from(withPngDpi(png, 300));
    assert.equal(out.length, png.length + 21);
    assert.equal(out.toString("latin1", 37, 41), "pHYs");
    assert.equal(out.readUInt32BE(41), 11811); // 300 / 0.0254 pixels per metre
    assert.equal(out.readUInt32BE(45), 11811);
    assert.equal(out[49], 1);
    // Reference: Python 3.11 zlib.crc32(b"pHYs" + struct.pack(">IIB", 11811, 11811, 1)) == 0x78a53f76
    assert.equal(out.readUInt32BE(50), 0x78a53f76);
    assert.equal(Buffer.from(withPngDpi(out, 150)).length, out.length, "an existing pHYs is kept");
    assert.throws(() => withPngDpi(Buffer.from("not a png at all, not a png at all"), 300), /not a PNG/);
  });

  test("the PDF page holds only the SVG at the figure's size, title escaped", () => {
    const html = pdfPageHtml("<svg></svg>", resolveFigureSize(fig, { size: "double", heightIn: 3 }), "a<b");
    assert.match(html, /@page\{size:662\.4px 288px;margin:0\}/);
    assert.match(html, /<title>a&#60;b<\/title>/);
    assert.match(html, /<body><svg><\/svg><\/body>/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, "no script, no network");
  });
});

describe("Chromium", () => {
  test("a missing browser is a clear error naming the path and bin/setup", async () => {
    const bogus = "/nonexistent/chromium";
    assert.match(chromiumMissing(bogus) ?? "", /\/nonexistent\/chromium.*bin\/setup/);
    await assert.rejects(launchChromium(bogus), /\/nonexistent\/chromium is missing or not executable; run bin\/setup/);
    const e = new FigureExporter({ executablePath: bogus });
    await assert.rejects(e.export(fig, "x", { outDir: tempDir() }), /run bin\/setup/);
    await assert.rejects(e.export(fig, "x", { outDir: tempDir() }), /run bin\/setup/, "a failed launch is retried and reported again");
    assert.equal(e.launches, 0);
    await e.close();
  });
});

describe("export through headless Chromium", () => {
  const exporter = new FigureExporter({ idleCloseMs: 0 });
  after(() => exporter.close());

  test("one browser exports SVG, PDF and PNG at paper sizes", async (t) => {
    const why = noBrowser();
    if (why) return t.skip(why);
    const out = tempDir("icl-wb-export-");
    const cases = [
      { name: "double", opts: { size: "double" as const, heightIn: 3 }, dpi: 300 },
      { name: "single", opts: { size: "single" as const, heightIn: 2.37, dpi: 150 }, dpi: 150 },
    ];
    for (const c of cases) {
      const r = await exporter.export(fig, c.name, { ...c.opts, outDir: out });
      const size = resolveFigureSize(fig, c.opts);
      assert.deepEqual(Object.keys(r.files).sort(), ["pdf", "png", "svg"]);

      const svg = parseSvg(r.files.svg as string);
      assert.equal(svg.tag, "{http://www.w3.org/2000/svg}svg", "root element is <svg>");
      assert.equal(Number(svg.width), size.widthPx, `${c.name}: SVG width = inches × 96`);
      assert.equal(Number(svg.height), size.heightPx, `${c.name}: SVG height = inches × 96`);
      assert.match(r.svg, /X \+ URIAL/, "the legend text is in the SVG (text, not pixels)");

      const pdf = fs.readFileSync(r.files.pdf as string);
      assert.equal(pdf.toString("latin1", 0, 5), "%PDF-");
      assert.match(pdf.toString("latin1", pdf.length - 8), /%%EOF\s*$/);
      assert.equal((pdf.toString("latin1").match(/\/Type\s*\/Page\b/g) ?? []).length, 1, "one page");
      assert.doesNotMatch(pdf.toString("latin1"), /\/Subtype\s*\/Image/, "vector: no raster image inside");
      const boxes = mediaBoxes(pdf);
      assert.ok(boxes.length >= 1, "PDF has a MediaBox");
      for (const [x0, y0, x1, y1] of boxes) {
        // Chromium rounds page sizes up to its print grid (+0.24 or +0.48 pt seen): within 1 pt.
        assert.ok(Math.abs((x1 as number) - (x0 as number) - size.widthIn * PT_PER_IN) <= 1, `${c.name}: PDF width ${x1} pt ≈ ${size.widthIn * PT_PER_IN}`);
        assert.ok(Math.abs((y1 as number) - (y0 as number) - size.heightIn * PT_PER_IN) <= 1, `${c.name}: PDF height ${y1} pt ≈ ${size.heightIn * PT_PER_IN}`);
      }

      const png = pngInfo(fs.readFileSync(r.files.png as string));
      assert.equal(png.width, Math.round(size.widthIn * c.dpi), `${c.name}: PNG width = inches × dpi`);
      assert.equal(png.height, Math.round(size.heightIn * c.dpi), `${c.name}: PNG height = inches × dpi`);
      assert.equal(png.ppm, Math.round(c.dpi / 0.0254), "dpi recorded in pHYs");
    }
    assert.equal(exporter.launches, 1, "one browser for the whole batch");
    assert.deepEqual(fs.readdirSync(out).filter((f) => f.includes(".tmp")), [], "atomic writes leave no temporary files");
  });

  test("formats option writes only what is asked; close then reuse relaunches", async (t) => {
    const why = noBrowser();
    if (why) return t.skip(why);
    const out = tempDir("icl-wb-export-");
    const r = await exporter.export(fig, "only-svg", { size: "single", heightIn: 2, formats: ["svg"], outDir: out });
    assert.deepEqual(fs.readdirSync(out), ["only-svg.svg"]);
    assert.equal(r.png, undefined);
    const before = exporter.launches;
    await exporter.close();
    await exporter.export(fig, "again", { formats: ["svg"], outDir: out });
    assert.equal(exporter.launches, before + 1);
  });
});
