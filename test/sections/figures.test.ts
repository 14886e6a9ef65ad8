/** Figure builders of the section notebooks 02-07: JSON snapshots plus the properties that matter. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { gapForest, gapForestHeight } from "../../lib/figures/gapForest";
import { greedySteps, greedyStepsHeight } from "../../lib/figures/greedySteps";
import { heatmapGrid, heatmapGridHeight, sharedColorRange } from "../../lib/figures/heatmap";
import { curveGrid, curveGridHeight, curveYRange, logTicks } from "../../lib/figures/scalingCurves";
import type { PlotlyTrace } from "../../lib/figures/types";
import { matchSnapshot } from "../snapshot";

const heatmapInput = {
  rowTitles: ["M, rep. penalty 1.15", "M, rep. penalty 1.0"],
  colTitles: ["base", "URIAL"],
  panels: [
    [
      { x: ["0.9", "1"], y: ["0", "1"], z: [[6.61, 6.5], [4.2, 3.1]] },
      { x: ["0.9", "1"], y: ["0", "1"], z: [[7.0, 7.02], [6.8, 5.6]] },
    ],
    [{ x: ["0.9", "1"], y: ["0", "1"], z: [[5.9, null], [4.0, 2.95]] }, null],
  ],
  xTitle: "top-p",
  yTitle: "temperature",
};

function annotations(fig: { layout: Record<string, unknown> }): Record<string, unknown>[] {
  return fig.layout["annotations"] as Record<string, unknown>[];
}

test("heatmap grid: one shared colour axis whose limits cover every panel", () => {
  const fig = heatmapGrid(heatmapInput, { title: "decoding", exampleData: true });
  assert.equal(fig.data.length, 3, "one heatmap per non-empty panel");
  for (const t of fig.data) assert.equal(t["coloraxis"], "coloraxis");
  const ca = fig.layout["coloraxis"] as { cmin: number; cmax: number };
  assert.deepEqual([ca.cmin, ca.cmax], [2, 8]); // floor(2.95), ceil(7.02)
  assert.deepEqual(sharedColorRange(heatmapInput.panels, 1, 10), [1, 10]);
  const texts = annotations(fig).map((a) => a["text"]);
  assert.ok(texts.includes("6.61") && texts.includes("–"), "cells are annotated, a missing cell as a dash");
  assert.ok(texts.includes("no runs"), "an empty panel says so");
  assert.ok(texts.some((t) => typeof t === "string" && t.includes("EXAMPLE DATA")), "example data mark");
  // annotations sit on the category index, not on the label read as a number
  const cell = annotations(fig).find((a) => a["text"] === "3.10");
  assert.deepEqual([cell?.["x"], cell?.["y"]], [1, 1]);
  assert.equal(heatmapGridHeight(heatmapInput, { title: "decoding", exampleData: true }), (fig.layout["height"] as number) / 96, "the height function is the height the builder sets");
  const oneRow = { ...heatmapInput, rowTitles: heatmapInput.rowTitles.slice(0, 1), panels: heatmapInput.panels.slice(0, 1) };
  assert.ok(heatmapGridHeight(oneRow) < heatmapGridHeight(heatmapInput), "a panel row more is taller");
  assert.equal(fig.layout["width"], 6.9 * 96, "double column by default");
  assert.equal(heatmapGrid(heatmapInput, { width: "single" }).layout["width"], 3.3 * 96);
  matchSnapshot("heatmap-grid", fig);
});

test("heatmap grid rejects a panel row of the wrong width", () => {
  assert.throws(() => heatmapGrid({ ...heatmapInput, panels: [[null], [null, null]] }), /1 panels for 2 columns/);
});

const curveInput = {
  rowTitles: ["M"],
  colTitles: ["1st turn", "2nd turn"],
  panels: [
    [
      {
        series: [
          { name: "ICL random + URIAL", points: [{ x: 3, y: 7.0 }, { x: 10, y: 7.3, error: 0.2, low: 7.0, high: 7.6 }, { x: 50, y: 7.4, error: 0.1, low: 7.1, high: 7.7 }] },
          { name: "URIAL + greedy search", points: [{ x: 4, y: 7.5 }] },
        ],
        references: [{ name: "base model", y: 6.5 }, { name: "instruct model", y: 8.1 }],
      },
      {
        series: [{ name: "ICL random + URIAL", points: [{ x: 3, y: 5.5 }, { x: 10, y: 5.2, error: 0.3 }] }],
        references: [{ name: "base model", y: 5.4 }, { name: "unknown ref", y: null }],
      },
    ],
  ],
  xTitle: "number of demonstrations",
  yTitle: "MT-Bench score",
};

test("curve grid: series keep colour and legend entry across panels; references are lines", () => {
  const fig = curveGrid(curveInput, { xType: "log", exampleData: true });
  const named = (name: string) => fig.data.filter((t) => t["name"] === name);
  const icl = named("ICL random + URIAL");
  assert.equal(icl.length, 2);
  assert.deepEqual(icl.map((t) => t["showlegend"]), [true, false]);
  assert.equal((icl[0]?.["line"] as { color: string }).color, (icl[1]?.["line"] as { color: string }).color);
  assert.deepEqual((icl[0]?.["error_y"] as { array: number[] }).array, [0, 0.2, 0.1]);
  const band = fig.data.find((t) => t["fill"] === "toself") as PlotlyTrace;
  assert.deepEqual(band["x"], [10, 50, 50, 10], "band spans the points that have an interval");
  const base = named("base model");
  assert.deepEqual(base[0]?.["x"], [3, 50], "a reference spans the panel's x range");
  assert.equal(named("unknown ref").length, 0, "a null reference is not drawn");
  assert.equal((fig.layout["xaxis"] as { type: string }).type, "log");
  assert.deepEqual(curveYRange(curveInput.panels), [4, 9]); // 4.9 and 8.1 padded by 0.5, then to half points
  assert.equal(curveGridHeight(curveInput, { xType: "log", exampleData: true }), (fig.layout["height"] as number) / 96);
  // log ticks lie within the data (3..50 in the first panel), never beyond it
  assert.deepEqual((fig.layout["xaxis"] as { tickvals: number[] }).tickvals, [3, 5, 10, 20, 50]);
  assert.deepEqual(logTicks(3, 3000, 5), [3, 10, 100, 1000, 3000]);
  assert.deepEqual(logTicks(3, 3000, 40), [3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]);
  assert.ok(curveGridHeight({ ...curveInput, rowTitles: ["M", "N"], panels: [...curveInput.panels, ...curveInput.panels] }) > curveGridHeight(curveInput));
  matchSnapshot("scaling-curves", fig);
});

test("greedy steps: bars from the given bins, dashed marks, threshold from step 2", () => {
  const input = {
    rowTitles: ["M"],
    colTitles: ["step 1: 4th demo, candidates", "step 2: 5th demo, candidates"],
    panels: [
      [
        { bins: [{ x0: 6.0, x1: 6.1, count: 2 }, { x0: 6.1, x1: 6.2, count: 0 }, { x0: 6.2, x1: 6.3, count: 1 }], marks: [{ name: "URIAL", score: 6.05 }, { name: "chosen at step 1 (4th demo)", score: 6.25 }], threshold: null, nCandidates: 3 },
        { bins: [{ x0: 6.3, x1: 6.4, count: 1 }], marks: [{ name: "URIAL", score: 6.05 }, { name: "chosen at step 1 (4th demo)", score: 6.25 }, { name: "chosen at step 2 (5th demo)", score: 6.35 }], threshold: 6.2, nCandidates: 1 },
      ],
    ],
    xTitle: "1st-turn MT-Bench score (search judge)",
  };
  const fig = greedySteps(input, { exampleData: true });
  const bars = fig.data.filter((t) => t.type === "bar");
  assert.deepEqual(bars[0]?.["y"], [2, 0, 1]);
  const urial = fig.data.filter((t) => t["name"] === "URIAL");
  assert.equal(urial.length, 2);
  assert.deepEqual(urial[0]?.["x"], [6.05, 6.05]);
  assert.equal((urial[0]?.["line"] as { dash: string }).dash, "dash");
  assert.equal(fig.data.filter((t) => t["name"] === "search threshold").length, 1);
  assert.deepEqual((fig.layout["xaxis"] as { range: number[] }).range.map((x) => Number(x.toFixed(6))), [5.95, 6.45], "every bin and mark, to a tenth, padded");
  assert.equal(greedyStepsHeight(input, { exampleData: true }), (fig.layout["height"] as number) / 96);
  matchSnapshot("greedy-steps", fig);
});

test("gap forest: asymmetric error bars, published gaps as open diamonds, a zero line", () => {
  const rows = [
    { label: "M: greedy 1 ex. − URIAL", group: "M", gap: 0.5, low: 0.1, high: 0.8, published: 0.52 },
    { label: "L: greedy 1 ex. − URIAL", group: "L", gap: -0.2, low: -0.6, high: 0.3, published: null },
  ];
  const fig = gapForest(rows, { level: 0.95, exampleData: true });
  const m = fig.data[0] as PlotlyTrace;
  assert.deepEqual((m["error_x"] as { array: number[]; arrayminus: number[] }).array.map((x) => Number(x.toFixed(6))), [0.3]);
  assert.deepEqual((m["error_x"] as { array: number[]; arrayminus: number[] }).arrayminus.map((x) => Number(x.toFixed(6))), [0.4]);
  assert.match(String(m["name"]), /paired 95% CI/);
  const pub = fig.data.find((t) => t["name"] === "published gap") as PlotlyTrace;
  assert.deepEqual(pub["x"], [0.52]);
  assert.equal((pub["marker"] as { symbol: string }).symbol, "diamond-open");
  // the group is said once, in a header; rows show the label without it
  const ya = fig.layout["yaxis"] as { tickvals: number[]; ticktext: string[] };
  assert.deepEqual(ya.ticktext, ["greedy 1 ex. − URIAL", "greedy 1 ex. − URIAL"]);
  assert.ok((ya.tickvals[0] as number) < (ya.tickvals[1] as number), "rows top to bottom");
  const headers = annotations(fig).filter((a) => a["text"] === "<b>M</b>" || a["text"] === "<b>L</b>");
  assert.equal(headers.length, 2);
  assert.equal(gapForestHeight(rows, { level: 0.95, exampleData: true }), (fig.layout["height"] as number) / 96);
  // groups are ordered by base model: Llama-3.1-8B before Mistral-7B-v0.2 whatever the input order
  const named = gapForest([{ ...rows[0]!, group: "Mistral-7B-v0.2", label: "Mistral-7B-v0.2: x" }, { ...rows[1]!, group: "Llama-3.1-8B", label: "Llama-3.1-8B: x" }]);
  const order = annotations(named).filter((a) => String(a["text"]).startsWith("<b>")).map((a) => [a["text"], a["y"]] as [string, number]).sort((a, b) => a[1] - b[1]).map((a) => a[0]);
  assert.deepEqual(order, ["<b>Llama-3.1-8B</b>", "<b>Mistral-7B-v0.2</b>"]);
  matchSnapshot("gap-forest", fig);
});
