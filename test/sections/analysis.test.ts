/**
 * Section analyses of notebooks 02-07 on small hand-made dumps: every expected number is worked
 * out in the comment beside it (or names the Python call that gives it).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodingGapSpecs, decodingGrids, decodingHeatmapInput, decodingReproductionLayout, publishedDecodingPoints } from "../../lib/analysis/decoding";
import { greedySearches, greedyStepsInput, histogram, promptComparisons, promptGapSpecs, promptRuns, promptTableLayout } from "../../lib/analysis/greedy";
import { iclVsIftComparisons, iclVsIftResult } from "../../lib/analysis/iclVsIft";
import { describeJudgeNoise, judgeNoise } from "../../lib/analysis/judgeNoise";
import { scoreJudgments } from "../../lib/analysis/mtbenchScores";
import { qaComparisons, qaMatchingCells, sameFactorsExceptAblation, table3Layout } from "../../lib/analysis/qaMatching";
import { pairScores, questionScoreTable, scoreMatrix } from "../../lib/analysis/questionScores";
import { atSameDecoding, scoredRuns } from "../../lib/analysis/runJoin";
import { scalingCurveInput, scalingGapSpecs, scalingPublishedLayout, scalingResult } from "../../lib/analysis/scaling";
import { transferRuns } from "../../lib/analysis/transfer";
import { parseManifest } from "../../lib/io/manifest";
import { parseJudgments, parseQuestions } from "../../lib/io/mtbench";
import type { PublishedPromptRow, PublishedQaCell } from "../../lib/io/paperTablesMore";
import type { Judgment } from "../../lib/model/mtbench";

const QIDS = [1, 2, 3, 4];
const questions = parseQuestions(QIDS.map((q) => JSON.stringify({ question_id: q, category: q <= 2 ? "math" : "writing", turns: ["a", "b"] })).join("\n"));

/** Judgment rows: `scores[i]` is question i+1's score (-1 = failed); turn 2 when given. */
function rows(model: string, turn1: number[], turn2: number[] = [], judge = "gpt-4"): string[] {
  const out: string[] = [];
  turn1.forEach((s, i) => out.push(JSON.stringify({ question_id: i + 1, model, judge: [judge, "single-v1"], score: s, turn: 1 })));
  turn2.forEach((s, i) => out.push(JSON.stringify({ question_id: i + 1, model, judge: [judge, "single-v1-multi-turn"], score: s, turn: 2 })));
  return out;
}

function dump(manifestLines: object[], judgmentLines: string[]) {
  const manifest = parseManifest(manifestLines.map((o) => JSON.stringify(o)).join("\n"), "manifest.jsonl");
  const judgments = parseJudgments(judgmentLines.join("\n"), "j.jsonl");
  const scores = scoreJudgments(judgments, { questions, dedupe: "last" });
  return { judgments, runs: scoredRuns(scores, manifest.rows), manifest };
}

// ---------------------------------------------------------------- per-question scores, judge noise

test("questionScoreTable follows the dedupe policies; failures never enter a cell", () => {
  const js = parseJudgments(
    [
      '{"question_id": 1, "model": "m", "judge": ["gpt-4", "single-v1"], "score": 4, "turn": 1}',
      '{"question_id": 1, "model": "m", "judge": ["gpt-4", "single-v1"], "score": 8, "turn": 1}',
      '{"question_id": 2, "model": "m", "judge": ["gpt-4", "single-v1"], "score": 6, "turn": 1}',
      '{"question_id": 2, "model": "m", "judge": ["gpt-4", "single-v1"], "score": -1, "turn": 1}',
    ].join("\n"),
  );
  const cell = (p: "last" | "first" | "all", q: number) => questionScoreTable(js, p).cells.get("m")?.get(`${q}\u00001`);
  assert.equal(cell("last", 1), 8);
  assert.equal(cell("first", 1), 4);
  assert.equal(cell("all", 1), 6); // (4 + 8) / 2
  assert.equal(cell("last", 2), undefined, "the last row failed");
  assert.equal(cell("first", 2), 6);
  assert.equal(cell("all", 2), 6);
  assert.throws(() => questionScoreTable(js, "error"), /several rows/);
});

test("pairScores and scoreMatrix keep only questions every run has", () => {
  const js = parseJudgments([...rows("a", [5, 6, -1, 8]), ...rows("b", [7, 7, 7, 7])].join("\n"));
  const t = questionScoreTable(js, "last");
  const p = pairScores(t, QIDS, "a", "b", 1);
  assert.deepEqual(p.questionIds, [1, 2, 4]);
  assert.deepEqual([p.a, p.b, p.nUnpaired], [[5, 6, 8], [7, 7, 7], 1]);
  const m = scoreMatrix(t, QIDS, ["a", "b"], 1);
  assert.deepEqual([m.rows, m.nDropped], [[[5, 6, 8], [7, 7, 7]], 1]);
});

test("judgeNoise: pooled within-cell SD of repeated judgments", () => {
  const js = parseJudgments(
    [...rows("m", [7, 5]), ...rows("m", [8, 5]), ...rows("m", [9]), ...rows("other", [3, 3])].join("\n"),
  );
  const noise = judgeNoise(js);
  assert.deepEqual(noise.map((n) => n.model), ["m", "all models"]);
  const m = noise[0];
  // cells {7, 8, 9} and {5, 5}: SS = 2 + 0, df = 2 + 1; numpy: np.sqrt(2 / 3) = 0.816496580927726
  assert.ok(Math.abs((m?.withinSd ?? 0) - 0.816496580927726) < 1e-12);
  assert.equal(m?.exactAgreement, 0.5);
  assert.equal(m?.meanRepeats, 2.5);
  assert.equal(m?.nQuestions, 2);
  assert.ok(Math.abs((m?.seOfRunMean ?? 0) - 0.816496580927726 / Math.SQRT2) < 1e-12);
  assert.match(describeJudgeNoise(noise), /pooled within-cell SD 0\.82/);
  assert.deepEqual(judgeNoise(parseJudgments(rows("x", [1, 2]).join("\n"))), []);
  assert.match(describeJudgeNoise([]), /cannot be estimated/);
});

// ---------------------------------------------------------------- decoding (02)

const decodingManifest = [
  { model_id: "b-t0", base_model: "M", setting: "base", temperature: 0, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "b-t1", base_model: "M", setting: "base", temperature: 1, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "b-t1-seed2", base_model: "M", setting: "base", temperature: 1, top_p: 1, repetition_penalty: 1.15, seed: 2 },
  { model_id: "u-t0", base_model: "M", setting: "urial", temperature: 0, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "u-t0-p09", base_model: "M", setting: "urial", temperature: 0, top_p: 0.9, repetition_penalty: 1.15 },
  { model_id: "b-rp1", base_model: "M", setting: "base", temperature: 0, top_p: 1, repetition_penalty: 1 },
  { model_id: "g", base_model: "M", setting: "icl-greedy", temperature: 0, top_p: 1, repetition_penalty: 1.15 },
];

test("decodingGrids: shared axes, cells averaged over runs, penalty 1.15 first", () => {
  const d = dump(decodingManifest, [
    ...rows("b-t0", [6, 6, 7, 7]),
    ...rows("b-t1", [3, 3, 4, 4]),
    ...rows("b-t1-seed2", [5, 5, 4, 4]),
    ...rows("u-t0", [7, 7, 7, 7]),
    ...rows("u-t0-p09", [8, 8, 8, 8]),
    ...rows("b-rp1", [5, 5, 5, 5]),
    ...rows("g", [9, 9, 9, 9]),
  ]);
  const grids = decodingGrids(d.runs);
  assert.deepEqual(grids.map((g) => `${g.setting}@${g.repetitionPenalty}`), ["base@1.15", "urial@1.15", "base@1"]);
  const base = grids[0];
  assert.deepEqual(base?.temperatures, [0, 1]);
  assert.deepEqual(base?.topPs, [0.9, 1]);
  assert.deepEqual(base?.score, [[null, 6.5], [null, 4]]); // (3+3+4+4)/4 = 3.5 and (5+5+4+4)/4 = 4.5 -> 4
  assert.deepEqual(base?.n, [[0, 1], [0, 2]]);
  const input = decodingHeatmapInput(grids);
  assert.deepEqual(input.rowTitles, ["M, rep. penalty 1.15", "M, rep. penalty 1.0"]);
  assert.deepEqual(input.colTitles, ["base (no ICL)", "base + URIAL"]);
  assert.equal(input.panels[1]?.[1], null);
  const specs = decodingGapSpecs(grids, "base", "urial");
  assert.deepEqual(specs.map((s) => [s.label, s.modelsA, s.modelsB]), [["urial − base at T=0, top-p=1", ["b-t0"], ["u-t0"]]]);
  const report = decodingReproductionLayout(grids, publishedDecodingPoints([]).map((p) => ({ ...p, baseModel: "M" })));
  assert.deepEqual(report.rows.map((r) => [r["setting"], r["published"], r["dump"], r["difference"]]), [["base", 6.61, 6.5, 6.5 - 6.61], ["urial", 7, 7, 0]], "full precision: the difference is not rounded (6.5 - 6.61 = -0.11000000000000032)");
});

// ---------------------------------------------------------------- scaling (03) and ICL vs IFT (06)

const scalingManifest = [
  { model_id: "base", base_model: "M", setting: "base", temperature: 0, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "base-hot", base_model: "M", setting: "base", temperature: 1, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "urial", base_model: "M", setting: "urial", n_demos: 3, temperature: 0, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "inst", base_model: "M", setting: "instruct", temperature: 0, top_p: 1, repetition_penalty: 1 },
  { model_id: "r10s1", base_model: "M", setting: "icl-random", n_demos: 10, with_urial_demos: true, demo_source: "skillmix", seed: 1, temperature: 0, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "r10s2", base_model: "M", setting: "icl-random", n_demos: 10, with_urial_demos: true, demo_source: "skillmix", seed: 2, temperature: 0, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "n3s1", base_model: "M", setting: "icl-random", n_demos: 3, with_urial_demos: false, demo_source: "skillmix", seed: 1, temperature: 0, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "g1", base_model: "M", setting: "icl-greedy", n_demos: 4, greedy_step: 1, demo_source: "skillmix", temperature: 0, top_p: 1, repetition_penalty: 1.15 },
  { model_id: "ift3", base_model: "M", setting: "ift", n_train: 3, demo_source: "skillmix", seed: 1 },
];
const scalingJudgments = [
  ...rows("base", [6, 6, 6, 6], [5, 5, 5, 5]),
  ...rows("base-hot", [2, 2, 2, 2], [2, 2, 2, 2]),
  ...rows("urial", [7, 7, 7, 7], [5, 5, 5, 5]),
  ...rows("inst", [8, 8, 8, 8], [7, 7, 7, 7]),
  ...rows("r10s1", [7, 8, 7, 8], [4, 4, 4, 4]),
  ...rows("r10s2", [8, 8, 8, 8], [4, 4, 5, 5]),
  ...rows("n3s1", [6, 7, 7, 8], [5, 5, 5, 5]),
  ...rows("g1", [8, 8, 8, 7], [5, 5, 5, 5]),
  ...rows("ift3", [7, 7, 7, 7], [6, 6, 6, 6]),
];

test("scalingResult: seeds averaged with their sample SD; URIAL fills the + URIAL series at 3; references at the curves' decoding", () => {
  const d = dump(scalingManifest, scalingJudgments);
  const res = scalingResult(d.runs, { kinds: ["icl-random", "icl-greedy"] });
  const t1 = res.curves.filter((c) => c.turn === 1);
  assert.deepEqual(t1.map((c) => c.name), ["ICL random + URIAL", "ICL random, no URIAL", "URIAL + greedy search"]);
  const withUrial = t1[0];
  assert.deepEqual(withUrial?.points.map((p) => [p.x, p.mean, p.nRuns, p.fromUrialRuns]), [[3, 7, 1, true], [10, 7.75, 2, false]]);
  // seeds 7.5 and 8: Python statistics.stdev([7.5, 8]) = 0.3535533905932738
  assert.ok(Math.abs((withUrial?.points[1]?.sd ?? 0) - 0.3535533905932738) < 1e-12);
  const refs = res.references.filter((r) => r.turn === 1);
  assert.deepEqual(refs.map((r) => [r.setting, r.mean, r.models]), [["base", 6, ["base"]], ["urial", 7, ["urial"]], ["instruct", 8, ["inst"]]]);
  const input = scalingCurveInput(res);
  assert.deepEqual(input.colTitles, ["1st turn", "2nd turn"]);
  assert.equal(input.panels[0]?.[0]?.references.length, 3);
  const specs = scalingGapSpecs(res);
  assert.ok(specs.every((s) => s.modelsA[0] === "urial"));
  assert.deepEqual(specs.filter((s) => s.turn === 1).map((s) => s.modelsB), [["r10s1", "r10s2"], ["n3s1"], ["g1"]]);
  const table1: PublishedPromptRow[] = [{ baseModel: "M", demoSource: "skillmix", greedyExamples: 1, mtbenchTurn1: 7.5, alpacaEvalLc: 8, promptFrom: null, table: "table1" }];
  const pub = scalingPublishedLayout(res, table1, [{ rowLabel: "M + URIAL", baseModel: "M", setting: "urial", source: "this_paper", turn1: 6.9, turn2: 5.5, average: 6.2 }]);
  assert.deepEqual(pub.rows.map((r) => [r["what"], r["turn"], r["difference"]]), [["URIAL (3 demos)", 1, 7 - 6.9], ["URIAL (3 demos)", 2, -0.5], ["URIAL + greedy search, N=4", 1, 0.25]], "full precision: 7 - 6.9 = 0.09999999999999964, not rounded");
});

test("atSameDecoding keeps the candidates decoded like most of the section's runs", () => {
  const d = dump(scalingManifest, scalingJudgments);
  const bases = d.runs.filter((r) => r.row.setting === "base");
  assert.deepEqual(atSameDecoding(bases, d.runs.filter((r) => r.row.setting === "icl-random")).map((r) => r.row.modelId), ["base"]);
});

test("iclVsIftResult: ICL without URIAL against IFT at the same size and source", () => {
  const d = dump(scalingManifest, scalingJudgments);
  const res = iclVsIftResult(d.runs);
  assert.deepEqual([...new Set(res.curves.map((c) => c.name))], ["ICL random, no URIAL", "IFT"]);
  assert.deepEqual(res.references.filter((r) => r.turn === 1).map((r) => r.setting), ["base", "instruct"]);
  const cmp = iclVsIftComparisons(res);
  assert.deepEqual(cmp.map((c) => [c.turn, c.size, c.modelsA, c.modelsB]), [[1, 3, ["n3s1"], ["ift3"]], [2, 3, ["n3s1"], ["ift3"]]]);
});

// ---------------------------------------------------------------- greedy search (04) and transfer (07)

const greedyManifest = [
  { model_id: "u", base_model: "M", setting: "urial", n_demos: 3 },
  { model_id: "c1", base_model: "M", setting: "icl-greedy", greedy_step: 1, n_demos: 4, demo_source: "skillmix", judge: "gpt-4-turbo", prompt_file: "p/c1.txt" },
  { model_id: "c2", base_model: "M", setting: "icl-greedy", greedy_step: 1, n_demos: 4, demo_source: "skillmix", prompt_file: "p/c2.txt" },
  { model_id: "c3", base_model: "M", setting: "icl-greedy", greedy_step: 2, n_demos: 5, demo_source: "skillmix", judge: "gpt-4-turbo", prompt_file: "p/c3.txt" },
  { model_id: "c4", base_model: "M", setting: "icl-greedy", greedy_step: 2, n_demos: 5, demo_source: "skillmix", judge: "gpt-4-turbo", prompt_file: "p/c4.txt" },
  { model_id: "final2", base_model: "M", setting: "icl-greedy", greedy_step: 2, n_demos: 5, demo_source: "skillmix", prompt_file: "p/c3.txt" },
  { model_id: "e1", base_model: "M", setting: "icl-greedy", greedy_step: 1, n_demos: 4, demo_source: "evol-instruct" },
  { model_id: "t-u", base_model: "T", setting: "urial", n_demos: 3 },
  { model_id: "t-g1", base_model: "T", setting: "icl-greedy", greedy_step: 1, n_demos: 4, demo_source: "evol-instruct", prompt_from: "M" },
];

test("greedySearches: steps, candidates, and the chosen prompt by final judge, prompt file or best score", () => {
  const turbo = dump(greedyManifest, [...rows("u", [6, 6, 6, 6], [], "gpt-4-turbo"), ...rows("c1", [7, 7, 7, 7], [], "gpt-4-turbo"), ...rows("c2", [6, 7, 6, 7], [], "gpt-4-turbo"), ...rows("c3", [7, 7, 7, 6], [], "gpt-4-turbo"), ...rows("c4", [7, 7, 7, 7], [], "gpt-4-turbo")]);
  const final = dump(greedyManifest, [...rows("u", [7, 7, 7, 7]), ...rows("c2", [8, 8, 8, 8]), ...rows("final2", [8, 8, 7, 7])]);
  const [s] = greedySearches(turbo.runs, turbo.manifest.rows, final.runs);
  assert.equal(s?.urial, 6);
  assert.deepEqual(s?.steps.map((st) => [st.step, st.candidates.length, st.chosen?.modelId, st.chosenBy, st.best?.modelId]), [
    [1, 2, "c2", "final judge", "c1"], // c2 was re-judged by GPT-4, although c1 scored best
    [2, 2, "c3", "prompt_file", "c4"], // final2 shares c3's prompt file
  ]);
  const [alone] = greedySearches(turbo.runs);
  assert.deepEqual(alone?.steps.map((st) => [st.chosen?.modelId, st.chosenBy]), [["c1", "best score"], ["c4", "best score"]]);
  const input = greedyStepsInput(greedySearches(turbo.runs, turbo.manifest.rows, final.runs), 0.5);
  assert.deepEqual(input.panels[0]?.[0]?.bins, [{ x0: 6.5, x1: 7, count: 1 }, { x0: 7, x1: 7.5, count: 1 }]);
  assert.deepEqual(input.panels[0]?.[1]?.marks.map((m) => [m.name, m.score]), [["URIAL", 6], ["chosen at step 1 (4th demo)", 6.5], ["chosen at step 2 (5th demo)", 6.75]]);
  assert.equal(input.panels[0]?.[1]?.threshold, 6.2);
});

test("histogram: bins aligned on multiples of the width, the maximum in the last bin", () => {
  assert.deepEqual(histogram([6.0, 6.05, 6.1, 6.3], 0.1).map((b) => b.count), [2, 1, 0, 1]);
  assert.deepEqual(histogram([], 0.1), []);
});

test("promptRuns and promptTableLayout: own prompts by source, transferred prompts apart, LC source said", () => {
  const d = dump(greedyManifest, [...rows("u", [7, 7, 7, 7]), ...rows("c2", [8, 8, 8, 8]), ...rows("final2", [8, 8, 7, 7]), ...rows("e1", [6, 6, 6, 6]), ...rows("t-u", [5, 5, 5, 5]), ...rows("t-g1", [6, 5, 5, 5])]);
  const sm = promptRuns(d.runs, { demoSources: ["skillmix"] });
  assert.deepEqual(sm.map((r) => [r.modelId, r.greedyExamples]), [["u", 0], ["c2", 1], ["final2", 2]]);
  const published: PublishedPromptRow[] = [
    { baseModel: "M", demoSource: "urial", greedyExamples: 0, mtbenchTurn1: 7.0, alpacaEvalLc: 8.2, promptFrom: null, table: "table1" },
    { baseModel: "M", demoSource: "skillmix", greedyExamples: 1, mtbenchTurn1: 7.5, alpacaEvalLc: 7.5, promptFrom: null, table: "table1" },
    { baseModel: "T", demoSource: "urial", greedyExamples: 0, mtbenchTurn1: 5.2, alpacaEvalLc: 1.8, promptFrom: null, table: "table6" },
    { baseModel: "T", demoSource: "evol-instruct", greedyExamples: 1, mtbenchTurn1: 5.6, alpacaEvalLc: 1.5, promptFrom: "M", table: "table6" },
  ];
  const alpaca = new Map([["c2", { winRate: 9, lengthControlled: 8.8, lengthControlledSource: "dump leaderboard" }]]);
  const t = promptTableLayout(sm, published, alpaca);
  assert.deepEqual(t.rows.map((r) => [r["prompt"], r["mtbench_1st"], r["published_mtbench_1st"], r["lc"], r["lc_source"]]), [
    ["URIAL (3 examples)", 7, 7, 8.2, "published"],
    ["URIAL + greedy search (1 ex.)", 8, 7.5, 8.8, "dump leaderboard"],
    ["URIAL + greedy search (2 ex.)", 7.5, null, null, null],
  ]);
  const tr = transferRuns(d.runs);
  assert.deepEqual(tr.map((r) => [r.modelId, r.promptFrom]), [["t-u", "M"], ["t-g1", "M"]]);
  const cmp = promptComparisons(tr, published);
  assert.deepEqual(cmp.map((c) => [c.modelA, c.modelB, c.publishedMtBench, c.publishedLc]).map((x) => x.map((v) => (typeof v === "number" ? Number(v.toFixed(6)) : v))), [["t-u", "t-g1", 0.4, -0.3]]);
  assert.deepEqual(promptGapSpecs(cmp)[0]?.label, "greedy 1 ex. − URIAL (evol-instruct)");
});

// ---------------------------------------------------------------- QA matching (05)

const qaManifest = [
  { model_id: "none", base_model: "M", setting: "base", n_demos: 0, ablation: "no_demos" },
  { model_id: "u-ok", base_model: "M", setting: "urial", n_demos: 3, with_urial_demos: true },
  { model_id: "u-x", base_model: "M", setting: "urial", n_demos: 3, with_urial_demos: true, ablation: "x_only" },
  { model_id: "u-other-decoding", base_model: "M", setting: "urial", n_demos: 3, with_urial_demos: true, temperature: 1 },
  { model_id: "g-ok", base_model: "M", setting: "icl-greedy", n_demos: 6, greedy_step: 3, demo_source: "skillmix", with_urial_demos: true },
  { model_id: "g-shift", base_model: "M", setting: "icl-greedy", n_demos: 6, greedy_step: 3, demo_source: "skillmix", with_urial_demos: true, ablation: "circular_shift" },
];

test("qaMatchingCells: each ablation against the run with identical factors; no-demos shared by both demo sets", () => {
  const d = dump(qaManifest, [...rows("none", [6, 6, 6, 6]), ...rows("u-ok", [7, 7, 7, 7]), ...rows("u-x", [5, 5, 6, 6]), ...rows("u-other-decoding", [1, 1, 1, 1]), ...rows("g-ok", [8, 8, 8, 8]), ...rows("g-shift", [2, 2, 3, 3])]);
  const byId = new Map(d.manifest.rows.map((r) => [r.modelId, r]));
  assert.ok(sameFactorsExceptAblation(byId.get("u-x")!, byId.get("u-ok")!));
  assert.ok(!sameFactorsExceptAblation(byId.get("u-x")!, byId.get("u-other-decoding")!));
  const cells = qaMatchingCells(d.runs);
  assert.deepEqual(cells.map((c) => [c.demoSet, c.ablation, c.turn1, c.models]), [
    [3, "no_demos", 6, ["none"]],
    [3, "x_only", 5.5, ["u-x"]],
    [3, "none", 7, ["u-ok"]],
    [6, "no_demos", 6, ["none"]],
    [6, "circular_shift", 2.5, ["g-shift"]],
    [6, "none", 8, ["g-ok"]],
  ]);
  const published: PublishedQaCell[] = [
    { baseModel: "M", demoSet: 3, ablation: "x_only", turn1: 5.9 },
    { baseModel: "M", demoSet: 3, ablation: "none", turn1: 6.99 },
  ];
  const t = table3Layout(cells, published);
  assert.deepEqual(t.columns, ["in-context prompt", "3 demos · M", "3 demos · M · paper", "6 demos · M"]);
  assert.deepEqual(t.rows.map((r) => r["in-context prompt"]), ["no demonstrations", "X only (no Y)", "circular shift of Y", "correct Y"]);
  assert.deepEqual(t.rows[1], { "in-context prompt": "X only (no Y)", "3 demos · M": 5.5, "3 demos · M · paper": 5.9, "6 demos · M": null });
  const cmp = qaComparisons(cells, published);
  assert.deepEqual(cmp.map((c) => [c.demoSet, c.ablation, c.modelsA, c.modelsB]), [[3, "no_demos", ["u-ok"], ["none"]], [3, "x_only", ["u-ok"], ["u-x"]], [6, "no_demos", ["g-ok"], ["none"]], [6, "circular_shift", ["g-ok"], ["g-shift"]]]);
  assert.ok(Math.abs((cmp[1]?.published ?? 0) - (5.9 - 6.99)) < 1e-12);
});

test("a dump without a manifest has no section runs", () => {
  const js: Judgment[] = parseJudgments(rows("m", [5]).join("\n"));
  assert.deepEqual(scoredRuns(scoreJudgments(js), null), []);
});
