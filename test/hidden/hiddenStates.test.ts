/**
 * The Duan et al. analyses on the committed fixture dump. Expected numbers come from
 * test/fixtures/hidden/expected.json, computed by backend/make_fixtures.py with numpy (float64
 * cosine, loss means) and scipy.stats.wilcoxon from the same tensors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  FOOTNOTE6_TESTS,
  type SignedRankTest,
  groupedSimilarities,
  hiddenSimsReport,
  labelAccuracy,
  layerSimilarities,
  lossDecreaseByKind,
  meanSimilarityByLayer,
  resolveLayer,
  runSimilarities,
  similarityTests,
  formatTestRows,
  lossDecreaseTests,
  pairedGroupTest,
  signedRankRow,
  wrongLabelAccuracy,
} from "../../lib/analysis/hiddenStates";
import type { HiddenRunMeta } from "../../lib/io/hiddenDump";
import { loadHiddenDump } from "../../lib/io/hiddenDump";
import { fromRepo } from "../../lib/paths";

const FIX = fromRepo("test", "fixtures", "hidden");
const dump = loadHiddenDump(path.join(FIX, "single"));
const expected = JSON.parse(fs.readFileSync(path.join(FIX, "expected.json"), "utf8")) as {
  similarities: { anchor_icl: number[]; anchor_it: number[]; icl_it: number[] }[];
  loss_decrease: { instruction: number | null; example: number | null }[];
  wilcoxon_last_layer: { name: string; alternative: string; statistic: number; p_value: number; n: number }[];
};

function close(actual: number, want: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - want) <= tol, `${what}: ${actual} vs ${want}`);
}

/** A stand-in for lib/stats's wilcoxon that records its inputs (the wiring is what is tested). */
function recordingTest(): { fn: SignedRankTest; calls: { x: readonly number[]; y: readonly number[]; alternative: string }[] } {
  const calls: { x: readonly number[]; y: readonly number[]; alternative: string }[] = [];
  return {
    calls,
    fn: (x, y, alternative) => {
      calls.push({ x, y, alternative });
      return { statistic: calls.length, pValue: 0.5 };
    },
  };
}

test("last-layer similarities match numpy's float64 cosine", () => {
  const sims = runSimilarities(dump);
  assert.equal(sims.length, 6);
  sims.forEach((s, r) => {
    const e = expected.similarities[r];
    assert.ok(e);
    assert.equal(s.layer, 2);
    close(s.anchorIcl, e.anchor_icl[2] as number, 1e-12, `run ${r} anchor-icl`);
    close(s.anchorIt, e.anchor_it[2] as number, 1e-12, `run ${r} anchor-it`);
    close(s.iclIt, e.icl_it[2] as number, 1e-12, `run ${r} icl-it`);
  });
  // the untrained run: IT is the anchor
  assert.equal(sims[5]?.anchorIt, 1);
});

test("similarities at every layer match numpy; layer 0 is the same token embedding everywhere", () => {
  const all = layerSimilarities(dump);
  all.forEach((s, r) => {
    const e = expected.similarities[r];
    assert.ok(e);
    for (let l = 0; l < 3; l++) {
      close(s.anchorIcl[l] as number, e.anchor_icl[l] as number, 1e-12, `run ${r} layer ${l}`);
      close(s.anchorIt[l] as number, e.anchor_it[l] as number, 1e-12, `run ${r} layer ${l}`);
      close(s.iclIt[l] as number, e.icl_it[l] as number, 1e-12, `run ${r} layer ${l}`);
    }
    close(s.anchorIcl[0] as number, 1, 1e-12, "layer 0");
  });
  const means = meanSimilarityByLayer(all);
  assert.equal(means.length, 3);
  const want = expected.similarities.reduce((a, s) => a + (s.icl_it[2] as number), 0) / 6;
  close(means[2]?.iclIt as number, want, 1e-12, "mean icl-it at the last layer");
  assert.equal(resolveLayer(dump, "last"), 2);
  assert.throws(() => resolveLayer(dump, 3), /layer 3 is not within 0\.\.2/);
});

test("footnote-6 tests: the right pairs, directions and vectors reach the test", () => {
  const sims = runSimilarities(dump);
  const rec = recordingTest();
  const res = similarityTests(sims, rec.fn);
  assert.deepEqual(res.map((t) => t.name), expected.wilcoxon_last_layer.map((t) => t.name));
  assert.deepEqual(res.map((t) => t.alternative), expected.wilcoxon_last_layer.map((t) => t.alternative));
  assert.deepEqual(rec.calls[0]?.x, sims.map((s) => s.iclIt));
  assert.deepEqual(rec.calls[0]?.y, sims.map((s) => s.anchorIt));
  assert.deepEqual(rec.calls[1]?.y, sims.map((s) => s.anchorIcl));
  assert.deepEqual(rec.calls[2]?.x, sims.map((s) => s.anchorIt));
  assert.deepEqual(res.map((t) => [t.statistic, t.pValue, t.n, t.layer]), [[1, 0.5, 6, 2], [2, 0.5, 6, 2], [3, 0.5, 6, 2]]);
  assert.equal(FOOTNOTE6_TESTS.length, 3);
  assert.throws(() => similarityTests([...sims, { ...(sims[0] as (typeof sims)[0]), layer: 1 }], rec.fn), /several layers/);
});

test("hidden-sims report: per-run rows and tests; an undefined test becomes null with a note", () => {
  const rec = recordingTest();
  const last = hiddenSimsReport(dump, "last", rec.fn);
  assert.equal(last.runs.length, 6);
  assert.deepEqual(Object.keys(last.runs[0] ?? {}), ["run", "id", "seed", "layer", "anchor_icl", "anchor_it", "icl_it"]);
  assert.deepEqual(last.tests.map((t) => t.p_value), [0.5, 0.5, 0.5]);
  const failing: SignedRankTest = (x, y) => {
    if (x.every((v, i) => v === y[i])) throw new RangeError("all differences are zero");
    return { statistic: 0, pValue: 1 };
  };
  const all = hiddenSimsReport(dump, "all", failing);
  assert.equal(all.tests.length, 9); // 3 tests x 3 layers
  const layer0 = all.tests.filter((t) => t.layer === 0);
  assert.deepEqual(layer0.map((t) => t.p_value), [null, null, null]);
  assert.equal(layer0[0]?.note, "every difference is zero"); // caught before the test is called
  const thrower: SignedRankTest = () => {
    throw new RangeError("boom");
  };
  assert.deepEqual(hiddenSimsReport(dump, "last", thrower).tests.map((t) => [t.p_value, t.note]), [[null, "boom"], [null, "boom"], [null, "boom"]]);
  assert.deepEqual((all.runs[0] as { icl_it: number[] }).icl_it.length, 3);
  assert.doesNotThrow(() => JSON.stringify(all));
});

test("loss decrease by token kind matches numpy; the SL run has no instruction tokens", () => {
  const dec = lossDecreaseByKind(dump);
  dec.forEach((d, r) => {
    const e = expected.loss_decrease[r];
    assert.ok(e);
    if (e.instruction === null) assert.equal(d.instruction, null);
    else close(d.instruction as number, e.instruction, 1e-9, `run ${r} instruction`);
    close(d.example as number, e.example as number, 1e-9, `run ${r} example`);
  });
  assert.equal(dec[4]?.instruction, null); // fixture run 4 has no_instruction
  assert.equal(dec[4]?.nTokens["instruction"], 0);
  assert.equal(dec[5]?.example, 0); // untrained
  assert.ok((dec[0]?.example as number) > 0);
});

test("label accuracy counts the manifest's correctness per condition", () => {
  const acc = labelAccuracy(dump.runs);
  for (const c of ["anchor", "icl", "it"] as const) {
    const want = dump.runs.filter((r) => r.labels?.correct[c] === true).length;
    assert.equal(acc[c].n, 6);
    assert.equal(acc[c].correct, want);
    assert.equal(acc[c].accuracy, want / 6);
  }
});

test("grouped similarities average the runs of each group", () => {
  const sims = runSimilarities(dump);
  const g = groupedSimilarities(sims, dump.runs, (r) => r.nDemos);
  assert.deepEqual(g.map((x) => [x.key, x.n]), [[1, 5], [2, 1]]);
  const ones = sims.filter((s) => s.run !== 3);
  close(g[0]?.iclIt as number, ones.reduce((a, s) => a + s.iclIt, 0) / 5, 1e-15, "mean of the 1-demo runs");
  const skipped = groupedSimilarities(sims, dump.runs, (r) => (r.flags["wrong_labels"] === true ? "wrong" : null));
  assert.deepEqual(skipped.map((x) => [x.key, x.n]), [["wrong", 1]]);
});

test("footnote-6 tests through lib/stats's Wilcoxon match scipy.stats.wilcoxon on the fixture", () => {
  // expected.json: scipy 1.17.1 scipy.stats.wilcoxon(x, y, alternative=...) for tests 1-2 (test 2
  // has a zero difference: scipy 1.17 drops it and uses the exact distribution of n = 5), scipy
  // 1.10.1 for test 3 (no zeros, no ties: exact in both versions).
  const report = hiddenSimsReport(dump, "last");
  assert.equal(report.tests.length, expected.wilcoxon_last_layer.length);
  report.tests.forEach((t, i) => {
    const e = expected.wilcoxon_last_layer[i];
    assert.ok(e);
    assert.equal(t.name, e.name);
    assert.equal(t.alternative, e.alternative);
    assert.equal(t.statistic, e.statistic, t.name);
    close(t.p_value as number, e.p_value, 1e-12, t.name);
    assert.equal(t.n, e.n);
  });
});

test("pairedGroupTest pairs runs by seed and leaves out unpaired seeds", () => {
  const mk = (seed: number, group: string, iclIt: number) => ({ run: 0, id: `${group}-${seed}`, seed, group, layer: 2, anchorIcl: 0, anchorIt: 0, iclIt });
  const sims = [mk(1, "n=10", 0.9), mk(2, "n=10", 0.8), mk(3, "n=10", 0.7), mk(1, "n=1", 0.5), mk(2, "n=1", 0.6), mk(4, "n=1", 0.1)];
  const rec = recordingTest();
  const row = pairedGroupTest(sims, { pair: "iclIt", a: "n=10", b: "n=1", alternative: "greater" }, rec.fn);
  assert.deepEqual(rec.calls, [{ x: [0.9, 0.8], y: [0.5, 0.6], alternative: "greater" }]);
  assert.equal(row.n, 2);
  assert.equal(row.name, "s(ICL, IT): n=10 > n=1 (paired by seed)");
  const none = pairedGroupTest(sims, { pair: "iclIt", a: "n=10", b: "n=5", alternative: "greater" }, rec.fn);
  assert.equal(none.p_value, null);
  assert.match(none.note ?? "", /no seed has runs in both groups/);
  // with lib/stats: 2 pairs, W+ = 3 -> exact P(W+ >= 3) = 1/4 (scipy 1.10.1 scipy.stats.wilcoxon([0.9, 0.8], [0.5, 0.6], alternative="greater"))
  const real = pairedGroupTest(sims, { pair: "iclIt", a: "n=10", b: "n=1", alternative: "greater" });
  assert.deepEqual([real.statistic, real.p_value], [3, 0.25]);
});

test("wrongLabelAccuracy: accuracy per group and a right > wrong test per condition, paired by seed", () => {
  const run = (seed: number, group: string, icl: boolean, it: boolean) =>
    ({ seed, group, labels: { correct: { anchor: true, icl, it } } }) as unknown as HiddenRunMeta;
  const runs = [run(1, "right", true, true), run(1, "wrong", false, true), run(2, "right", true, false), run(2, "wrong", true, false), run(3, "right", true, true), run(3, "wrong", false, true)];
  const rec = recordingTest();
  const r = wrongLabelAccuracy(runs, rec.fn);
  assert.deepEqual(r.accuracy, [
    { condition: "icl", right: 1, wrong: 1 / 3, n: 3 },
    { condition: "it", right: 2 / 3, wrong: 2 / 3, n: 3 },
  ]);
  assert.deepEqual(rec.calls, [{ x: [1, 1, 1], y: [0, 1, 0], alternative: "greater" }]); // IT: every difference zero, not called
  assert.equal(r.tests[1]?.note, "every difference is zero");
  // differences [1, 0, 1]: the zero is dropped, the two tied ranks are 1.5 each, W+ = 3; scipy 1.10.1
  // scipy.stats.wilcoxon([1, 1, 1], [0, 1, 0], alternative="greater").statistic == 3.0
  assert.equal(wrongLabelAccuracy(runs).tests[0]?.statistic, 3);
});

test("lossDecreaseTests: instruction vs example paired over runs with both; each against zero", () => {
  const rec = recordingTest();
  const rows = lossDecreaseTests(lossDecreaseByKind(dump), rec.fn);
  assert.deepEqual(rows.map((r) => [r.alternative, r.n]), [["two-sided", 5], ["greater", 5], ["greater", 6]]);
  assert.deepEqual(rec.calls[1]?.y, [0, 0, 0, 0, 0]);
  const text = formatTestRows([...rows, signedRankRow("empty", [], [], "less", rec.fn)]);
  assert.match(text, /^test\s+alternative\s+statistic\s+p\s+n$/m);
  assert.match(text, /empty\s+less\s+—\s+—\s+0 {2}\(no pairs\)/);
});
