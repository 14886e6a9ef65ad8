/**
 * The bundled pipeline example data/examples/hidden-tiny (scripts/make-hidden-example.ts): each
 * experiment's dump loads, matches its committed job.json, and has the experiment's structure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { hiddenSimsReport, lossDecreaseByKind, runSimilarities } from "../../lib/analysis/hiddenStates";
import { loadHiddenDump } from "../../lib/io/hiddenDump";
import { fromRepo } from "../../lib/paths";

const EX = fromRepo("data", "examples", "hidden-tiny");
const EXPERIMENTS = ["main", "wrong-label", "n-demos", "different-task", "supervised", "similarity"];

test("every example dump loads, is marked as example data and matches its job.json", () => {
  for (const e of EXPERIMENTS) {
    const dir = path.join(EX, e, "dump");
    const d = loadHiddenDump(dir);
    assert.match(d.exampleData ?? "", /not a finding/, e);
    const job = fs.readFileSync(path.join(EX, e, "job.json"));
    assert.equal(d.job.hash, "sha256:" + crypto.createHash("sha256").update(job).digest("hex"), e);
    assert.equal(d.job.experiment, e);
    assert.equal(d.runs.length, (JSON.parse(job.toString("utf8")) as { runs: unknown[] }).runs.length, e);
    assert.equal(d.nStates, 3);
    for (const s of runSimilarities(d)) assert.ok(s.iclIt > -1 && s.iclIt <= 1 + 1e-12);
  }
});

test("experiment structure survives the round trip through the backend", () => {
  const nd = loadHiddenDump(path.join(EX, "n-demos", "dump"));
  assert.deepEqual(nd.runs.slice(0, 4).map((r) => [r.nDemos, r.epochs, r.optimizerSteps]), [[1, 10, 10], [2, 5, 10], [5, 2, 10], [10, 1, 10]]);
  const wl = loadHiddenDump(path.join(EX, "wrong-label", "dump"));
  assert.deepEqual(wl.runs.slice(0, 2).map((r) => r.group), ["right", "wrong"]);
  assert.notEqual(wl.runs[0]?.demos[0]?.label, wl.runs[1]?.demos[0]?.label);
  const sl = loadHiddenDump(path.join(EX, "supervised", "dump"));
  assert.ok(lossDecreaseByKind(sl).every((d) => d.instruction === null));
  const dt = loadHiddenDump(path.join(EX, "different-task", "dump"));
  assert.ok(dt.runs.every((r) => r.demoTasks[0] === "translation" && r.prompts.icl.includes("\nEnglish: ")));
  const sim = loadHiddenDump(path.join(EX, "similarity", "dump"));
  assert.ok(sim.runs.every((r) => r.similaritySource === "job" && r.similarity !== null));
  const main = loadHiddenDump(path.join(EX, "main", "dump"));
  const report = hiddenSimsReport(main, "last", () => ({ statistic: 0, pValue: 1 }));
  assert.equal(report.runs.length, 12);
});

test("the Fig. 8 stand-ins: a larger model (hidden 80, 3 layers) and translation as the task", () => {
  const lm = loadHiddenDump(path.join(EX, "larger-model", "dump"));
  assert.match(lm.exampleData ?? "", /not a finding/);
  assert.deepEqual([lm.nStates, lm.hiddenSize, lm.runs.length], [4, 80, 8]);
  const mt = loadHiddenDump(path.join(EX, "translation", "dump"));
  assert.match(mt.exampleData ?? "", /not a finding/);
  assert.ok(mt.runs.every((r) => r.task === "translation" && r.labels === null && r.prompts.anchor.includes("English: ")));
  for (const [dir, d] of [["larger-model", lm], ["translation", mt]] as const) {
    const job = fs.readFileSync(path.join(EX, dir, "job.json"));
    assert.equal(d.job.hash, "sha256:" + crypto.createHash("sha256").update(job).digest("hex"), dir);
  }
});
