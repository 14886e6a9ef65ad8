/** Paired gaps and the crossed bootstrap (lib/analysis/pairedGaps.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { alpacaPairedGap, crossedBootstrapReplicates, gapForestRows, groupMeanInterval, pairedGap, pairedGapLayout } from "../../lib/analysis/pairedGaps";
import { questionScoreTable } from "../../lib/analysis/questionScores";
import { parseAlpacaAnnotations } from "../../lib/io/alpacaEval";
import { parseJudgments } from "../../lib/io/mtbench";
import { createRng } from "../../lib/stats/rng";

function rows(model: string, scores: number[]): string[] {
  return scores.map((s, i) => JSON.stringify({ question_id: i + 1, model, judge: ["gpt-4", "single-v1"], score: s, turn: 1 }));
}

const QIDS = Array.from({ length: 12 }, (_, i) => i + 1);
const A = [3, 5, 7, 6, 4, 6, 8, 2, 5, 7, 6, 4];

test("a constant per-question shift has a zero-width interval at the shift, whatever the questions' spread", () => {
  const t = questionScoreTable(parseJudgments([...rows("a", A), ...rows("b", A.map((x) => x + 1))].join("\n")), "last");
  const g = pairedGap(t, QIDS, { label: "b − a", group: "M", modelsA: ["a"], modelsB: ["b"], turn: 1, published: 0.8 }, createRng(1), { resamples: 500 });
  assert.equal(g.method, "paired bootstrap");
  assert.equal(g.nQuestions, 12);
  assert.ok(Math.abs((g.gap ?? 0) - 1) < 1e-12);
  assert.ok(Math.abs((g.ciLow ?? 0) - 1) < 1e-9 && Math.abs((g.ciHigh ?? 0) - 1) < 1e-9, `interval [${g.ciLow}, ${g.ciHigh}]`);
  assert.ok(g.wilcoxonP !== null && g.wilcoxonP > 0 && g.wilcoxonP <= 1);
  assert.equal(g.published, 0.8);
  const layout = pairedGapLayout([g]);
  assert.equal(layout.rows[0]?.["gap"], 1);
  assert.deepEqual(gapForestRows([g])[0]?.label, "M: b − a");
});

test("crossed bootstrap: one run per side is a paired bootstrap; seeds widen the interval", () => {
  const a = [A];
  const b = [A.map((x) => x + 1)];
  assert.ok(crossedBootstrapReplicates(a, b, createRng(2), 200).every((r) => Math.abs(r - 1) < 1e-12));
  // two seeds per side that disagree by ±0.5 on every question: replicates vary with the seeds drawn
  const bSeeds = [A.map((x) => x + 0.5), A.map((x) => x + 1.5)];
  const reps = crossedBootstrapReplicates(a, bSeeds, createRng(3), 400);
  const distinct = new Set(reps.map((r) => r.toFixed(9)));
  assert.deepEqual([...distinct].sort(), ["0.500000000", "1.000000000", "1.500000000"]); // seeds drawn (l,l), (l,h)/(h,l), (h,h)
  // deterministic for a seed
  assert.deepEqual(crossedBootstrapReplicates(a, bSeeds, createRng(3), 50), crossedBootstrapReplicates(a, bSeeds, createRng(3), 50));
});

test("several runs per side use the crossed bootstrap; the group mean interval covers its mean", () => {
  const t = questionScoreTable(parseJudgments([...rows("a1", A), ...rows("a2", A.map((x) => x + 1)), ...rows("b", A.map((x) => x + 2))].join("\n")), "last");
  const g = pairedGap(t, QIDS, { label: "b − a", group: "M", modelsA: ["a1", "a2"], modelsB: ["b"], turn: 1 }, createRng(4), { resamples: 400 });
  assert.equal(g.method, "crossed bootstrap (questions x runs)");
  assert.ok(Math.abs((g.gap ?? 0) - 1.5) < 1e-12); // b − mean(a1, a2) = 2 − 0.5
  assert.ok((g.ciLow ?? 9) >= 1 - 1e-12 && (g.ciHigh ?? 0) <= 2 + 1e-12 && (g.ciLow ?? 9) < (g.ciHigh ?? 0));
  assert.equal(g.wilcoxonP, null);
  const m = groupMeanInterval(t, QIDS, ["a1", "a2"], 1, createRng(5), { resamples: 400 });
  const mean = A.reduce((x, y) => x + y, 0) / A.length + 0.5;
  assert.ok(Math.abs((m.mean ?? 0) - mean) < 1e-12);
  assert.ok((m.low ?? 99) < mean && mean < (m.high ?? 0));
});

test("a gap without two paired questions has no interval", () => {
  const t = questionScoreTable(parseJudgments([...rows("a", [5]), ...rows("b", [6])].join("\n")), "last");
  const g = pairedGap(t, [1], { label: "b − a", group: "M", modelsA: ["a"], modelsB: ["b"], turn: 1 }, createRng(6));
  assert.deepEqual([g.nQuestions, g.gap, g.ciLow], [1, null, null]);
});

test("alpacaPairedGap pairs annotations by instruction; draws count 0.5, null preferences drop", () => {
  const ann = (model: string, prefs: (number | null)[]) =>
    parseAlpacaAnnotations(
      JSON.stringify(prefs.map((p, i) => ({ instruction: `i${i}`, output_1: "x", output_2: "y", generator_1: "base", generator_2: model, preference: p }))),
    );
  const a = ann("a", [1, 2, 1.5, null, 1]);
  const b = ann("b", [2, 2, 2, 2, 1.5]);
  const g = alpacaPairedGap("b − a", "M", a, b, createRng(7), { resamples: 300, published: 0.7 });
  // instructions 0, 1, 2, 4 pair: a = (0, 1, 0.5, 0), b = (1, 1, 1, 0.5) -> 100 · (3.5 − 1.5) / 4 = 50
  assert.equal(g.nQuestions, 4);
  assert.ok(Math.abs((g.meanA ?? 0) - 37.5) < 1e-9 && Math.abs((g.meanB ?? 0) - 87.5) < 1e-9);
  assert.ok(Math.abs((g.gap ?? 0) - 50) < 1e-9);
  assert.ok((g.ciLow ?? 99) <= 50 && 50 <= (g.ciHigh ?? 0));
  assert.equal(g.published, 0.7);
});
