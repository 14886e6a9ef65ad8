/**
 * Figure builders of the hidden-state section (lib/figures/hiddenStates.ts) as JSON snapshots, and
 * the section glue (lib/pipeline/hiddenSections.ts) on the bundled example and on made-up roots.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { HIDDEN_EXAMPLE_NOTE, hiddenBars, similarityBoxes, similarityLines } from "../../lib/figures/hiddenStates";
import {
  FIG3_PANELS,
  FIG8_PANELS,
  HIDDEN_EXAMPLE_ROOT,
  HIDDEN_EXPERIMENT_DIRS,
  groupedSimilarityFigure,
  hiddenDumpRoot,
  layerFigure,
  loadHiddenExperiments,
  lossDecreaseFigure,
  similarityBoxFigure,
  wrongLabelAccuracyFigure,
} from "../../lib/pipeline/hiddenSections";
import { InputError } from "../../lib/model/errors";
import { parseNotebookSection, sectionAvailability } from "../../lib/pipeline/sections";
import { fromRepo } from "../../lib/paths";
import { tempDir } from "../helpers";
import { matchSnapshot } from "../snapshot";

const EX = fromRepo("data", "examples", "hidden-tiny");

function annotationTexts(fig: { layout: Record<string, unknown> }): string[] {
  return ((fig.layout["annotations"] as { text: string }[] | undefined) ?? []).map((a) => a.text);
}

test("similarityBoxes: one panel per experiment, a box per similarity, 'no dump' panels, example mark", () => {
  const fig = similarityBoxes(
    {
      series: ["s(anchor, ICL)", "s(anchor, IT)", "s(ICL, IT)"],
      panels: [
        { title: "(a) basic", values: [[0.01, -0.02, 0.05], [0.1, 0.0, 0.12], [0.9, 0.88, Number.NaN]] },
        { title: "(b) wrong label", values: null },
      ],
    },
    { title: "Fig. 3", exampleData: true },
  );
  assert.equal(fig.data.length, 3);
  assert.deepEqual(fig.data[2]?.["y"], [0.9, 0.88, null]);
  assert.ok(annotationTexts(fig).includes("no dump"));
  assert.ok(annotationTexts(fig).some((t) => /EXAMPLE DATA/.test(t)));
  assert.ok(annotationTexts(fig).some((t) => t.replace(/<br>/g, " ").includes(HIDDEN_EXAMPLE_NOTE)), "the title (an annotation) carries the example note");
  matchSnapshot("hidden-similarity-boxes", fig);
  assert.throws(() => similarityBoxes({ series: ["a"], panels: [{ title: "x", values: [[1], [2]] }] }), /has 2 series, expected 1/);
});

test("similarityLines and hiddenBars snapshots; mismatched lengths throw", () => {
  const lines = similarityLines({ x: [0, 1, 2], xTitle: "layer", series: [{ name: "s(ICL, IT)", values: [1, 0.62, 0.91] }] }, { title: "Fig. 7" });
  assert.ok(!annotationTexts(lines).some((t) => /EXAMPLE DATA/.test(t)));
  matchSnapshot("hidden-similarity-lines", lines);
  const bars = hiddenBars(
    { categories: ["Instruction", "Example"], yTitle: "loss decrease", series: [{ name: "mean", values: [0.021, 0.013], errors: [0.004, null] }] },
    { title: "Fig. 10", exampleData: true },
  );
  assert.deepEqual((bars.data[0]?.["error_y"] as { array: number[] }).array, [0.004, 0]);
  matchSnapshot("hidden-bars", bars);
  assert.throws(() => similarityLines({ x: [0], xTitle: "l", series: [{ name: "a", values: [1, 2] }] }), /2 values for 1 x values/);
  assert.throws(() => hiddenBars({ categories: ["a"], yTitle: "y", series: [{ name: "s", values: [1], errors: [1, 2] }] }), /2 errors for 1 values/);
});

test("the bundled example holds every experiment; each figure is marked and carries its tests", () => {
  const x = loadHiddenExperiments(EX);
  assert.deepEqual(x.missing, []);
  assert.deepEqual(Object.keys(x.dumps).sort(), Object.keys(HIDDEN_EXPERIMENT_DIRS).sort());
  assert.equal(x.example, true);
  const results = [
    similarityBoxFigure(x, FIG3_PANELS, "Fig. 3"),
    groupedSimilarityFigure(x, "similarity", "Fig. 4"),
    groupedSimilarityFigure(x, "n-demos", "Fig. 5"),
    wrongLabelAccuracyFigure(x, "Fig. 6"),
    layerFigure(x, "Fig. 7"),
    similarityBoxFigure(x, FIG8_PANELS, "Fig. 8"),
    lossDecreaseFigure(x, "Fig. 10"),
  ];
  for (const r of results) {
    assert.ok(annotationTexts(r.figure).some((t) => /EXAMPLE DATA/.test(t)), r.text.split("\n")[0]);
    assert.ok(r.text.length > 0);
  }
  const [f3, , f5, f6, f7, f8, f10] = results as (typeof results)[number][];
  // Fig. 3: 3 footnote-6 tests per panel + right vs wrong
  assert.equal(f3?.tests.length, 10);
  assert.equal(f3?.figure.data.length, 9);
  assert.equal(f8?.tests.length, 9);
  // Fig. 5: 10 vs 1 demonstrations over the 4 seeds
  assert.equal(f5?.tests[0]?.n, 4);
  assert.match(f5?.tests[0]?.name ?? "", /n=10 > n=1/);
  assert.deepEqual(f6?.tests.map((t) => t.alternative), ["greater", "greater"]);
  assert.equal(f7?.tests.length, 9); // 3 states x 3 tests
  assert.equal(f10?.tests.length, 3);
  assert.match(f7?.text ?? "", /layer 0: .*every difference is zero/);
});

test("missing experiments draw empty figures and say so", () => {
  const root = tempDir();
  fs.cpSync(path.join(EX, "main"), path.join(root, "main"), { recursive: true });
  const x = loadHiddenExperiments(root);
  assert.deepEqual(Object.keys(x.dumps), ["main"]);
  assert.ok(x.missing.includes("wrong-label"));
  const f3 = similarityBoxFigure(x, FIG3_PANELS, "Fig. 3");
  assert.equal(f3.tests.length, 3);
  assert.match(f3.text, /\(b\) wrong label: no wrong-label\/ dump/);
  assert.equal(groupedSimilarityFigure(x, "n-demos", "Fig. 5").tests.length, 0);
  assert.equal(wrongLabelAccuracyFigure(x, "Fig. 6").figure.data.length, 0);
});

test("hiddenDumpRoot: ICL_HIDDEN_DUMP, then <ICL_DUMP_DIR>/hidden (refusing a dump without one), then the example", () => {
  const d = tempDir();
  assert.equal(hiddenDumpRoot({ ICL_HIDDEN_DUMP: d }), d);
  // a user's dump without hidden/ never falls back to the bundled example
  assert.throws(() => hiddenDumpRoot({ ICL_DUMP_DIR: d }), (e: Error) => e instanceof InputError && e.message.includes(path.join(d, "hidden")) && /never used for a user's dump/.test(e.message));
  // without a dump the default is the SmolLM2 example (data/examples/hidden-smollm2), not the tiny fixture
  assert.equal(hiddenDumpRoot({}), fromRepo(HIDDEN_EXAMPLE_ROOT));
  fs.mkdirSync(path.join(d, "hidden"));
  assert.equal(hiddenDumpRoot({ ICL_DUMP_DIR: d }), path.join(d, "hidden"));
  assert.equal(HIDDEN_EXAMPLE_ROOT, "data/examples/hidden-smollm2");
});

test("notebook 08 declares its figures and the hidden requirement; reproduce skips it without hidden/", () => {
  const file = fromRepo("notebooks", "08-hidden-states.ipynb");
  const s = parseNotebookSection(fs.readFileSync(file, "utf8"), file);
  assert.deepEqual(s.requires, { hidden: true });
  assert.deepEqual(s.figures, ["08-fig3", "08-fig4", "08-fig5", "08-fig6", "08-fig7", "08-fig8", "08-fig10"]);
  const dir = tempDir();
  const files = { dir, judgments: {}, manifest: null, example: false } as unknown as Parameters<typeof sectionAvailability>[1];
  const saved = process.env["ICL_HIDDEN_DUMP"];
  delete process.env["ICL_HIDDEN_DUMP"];
  try {
    assert.deepEqual(sectionAvailability(s.requires, files, null), { available: false, missing: ["no hidden/ directory of hidden-state dumps (or $ICL_HIDDEN_DUMP)"] });
    fs.mkdirSync(path.join(dir, "hidden"));
    assert.deepEqual(sectionAvailability(s.requires, files, null), { available: true, missing: [] });
  } finally {
    if (saved !== undefined) process.env["ICL_HIDDEN_DUMP"] = saved;
  }
});
