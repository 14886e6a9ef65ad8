/**
 * The notebook display bundle (pure) and its behaviour outside a tslab kernel. The kernel path
 * itself is exercised by running notebook 01 (bin/run_notebooks.py).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FigureSpec } from "../../lib/figures/types";
import { PLOTLY_MIME, displayBundle, figureBundle, figureText } from "../../lib/notebook/display";
import { repoRoot } from "../../lib/paths";

const fig: FigureSpec = { data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: { text: "t" }, width: 100 } };

test("figureBundle: plotly JSON + SVG fallback + text, in one bundle", () => {
  const b = figureBundle(fig, { svg: "<svg/>", widthPx: 662.4, heightPx: 288 }, "Figure");
  assert.deepEqual(Object.keys(b.data), [PLOTLY_MIME, "image/svg+xml", "text/plain"]);
  assert.equal(PLOTLY_MIME, "application/vnd.plotly.v1+json");
  const p = b.data[PLOTLY_MIME] as { data: unknown; layout: Record<string, unknown>; config: Record<string, unknown> };
  assert.deepEqual(p.data, fig.data);
  assert.deepEqual(p.layout, { title: { text: "t" }, width: 662.4, height: 288 }, "interactive view at the exported size");
  assert.equal(fig.layout["width"], 100, "the figure itself is not modified");
  assert.equal(b.data["image/svg+xml"], "<svg/>");
  assert.equal(b.data["text/plain"], "Figure");
  assert.deepEqual(b.metadata, {});
  // JSON-serializable (it goes over the Jupyter protocol) and no CDN anywhere.
  assert.doesNotMatch(JSON.stringify(b), /cdn|<script/i);
});

test("figureBundle: PNG fallback is base64 with its display size", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  const b = figureBundle(fig, { png, widthPx: 316.8, heightPx: 240 }, "F");
  assert.equal(b.data["image/png"], "iVBORw==");
  assert.equal(b.data["image/svg+xml"], undefined);
  assert.deepEqual(b.metadata, { "image/png": { width: 317, height: 240 } });
});

test("figureBundle without a size keeps the layout", () => {
  const b = figureBundle(fig, { svg: "<svg/>" }, "F");
  assert.deepEqual((b.data[PLOTLY_MIME] as { layout: unknown }).layout, fig.layout);
});

test("figureText names the figure, traces, size and repo-relative files", () => {
  assert.equal(figureText("x", fig), 'Figure "x" (1 trace)');
  const t = figureText("01-bars", { data: [fig.data[0]!, fig.data[0]!], layout: {} }, {
    size: { widthIn: 6.9, heightIn: 1 + 0.16 * 3, widthPx: 0, heightPx: 0 },
    files: { svg: `${repoRoot}/results/figures/01-bars.svg`, pdf: "/elsewhere/01-bars.pdf" },
  });
  assert.equal(t, 'Figure "01-bars" (2 traces, 6.9 × 1.48 in): results/figures/01-bars.svg, /elsewhere/01-bars.pdf');
});

test("outside a tslab kernel displayBundle prints the text and reports false", () => {
  const lines: unknown[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(" "));
  try {
    assert.equal(displayBundle(figureBundle(fig, { svg: "<svg/>" }, "plain text line")), false);
  } finally {
    console.log = orig;
  }
  assert.deepEqual(lines, ["plain text line"]);
});
