/**
 * `icl-workbench hidden-sims` and `hidden-job`. Reference values: test/fixtures/hidden/expected.json
 * (numpy float64 cosines; scipy 1.17.1 `scipy.stats.wilcoxon(x, y, alternative="greater")` for
 * the first two tests, scipy 1.10.1 for the third — no zeros or ties there, exact in both).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../lib/cli/main";
import { parseSeeds } from "../../lib/cli/commands/hiddenJob";
import { fromRepo } from "../../lib/paths";
import { captureIO, tempDir } from "../helpers";

interface Expected {
  similarities: { anchor_icl: number[]; anchor_it: number[]; icl_it: number[] }[];
  wilcoxon_last_layer: { name: string; alternative: string; statistic: number; p_value: number; n: number }[];
}
const FIX = fromRepo("test", "fixtures", "hidden");
const expected = JSON.parse(fs.readFileSync(path.join(FIX, "expected.json"), "utf8")) as Expected;
const EX = fromRepo("data", "examples", "hidden-tiny");

interface Report {
  layer: string;
  n_states: number;
  runs: Record<string, unknown>[];
  tests: { name: string; layer: number; alternative: string; statistic: number | null; p_value: number | null; n: number; note?: string }[];
  example_data: string | null;
}

async function sims(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIO();
  const code = await main(["hidden-sims", ...args], c.io);
  return { code, out: c.stdout(), err: c.stderr() };
}

for (const layout of ["single", "sharded"]) {
  test(`hidden-sims --json on the backend fixture (${layout}) matches numpy and scipy`, async () => {
    const r = await sims(["--dump", path.join(FIX, layout), "--json"]);
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out) as Report;
    assert.equal(rep.layer, "last");
    assert.equal(rep.example_data, null);
    assert.equal(rep.runs.length, expected.similarities.length);
    rep.runs.forEach((run, i) => {
      const e = expected.similarities[i];
      assert.ok(e);
      for (const k of ["anchor_icl", "anchor_it", "icl_it"] as const) {
        assert.ok(Math.abs((run[k] as number) - (e[k][e[k].length - 1] as number)) < 1e-12, `run ${i} ${k}`);
      }
    });
    assert.deepEqual(
      rep.tests.map((t) => [t.name, t.alternative, t.statistic, t.n]),
      expected.wilcoxon_last_layer.map((t) => [t.name, t.alternative, t.statistic, t.n]),
    );
    rep.tests.forEach((t, i) => assert.ok(Math.abs((t.p_value as number) - (expected.wilcoxon_last_layer[i]?.p_value as number)) < 1e-12, t.name));
  });
}

test("hidden-sims --layer all: every state, tests per layer, layer 0 undefined with a note", async () => {
  const r = await sims(["--dump", path.join(FIX, "single"), "--layer", "all", "--json"]);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out) as Report;
  assert.equal(rep.tests.length, 3 * rep.n_states);
  assert.deepEqual((rep.runs[0] as { icl_it: number[] }).icl_it.map((v) => Number(v.toFixed(12))), expected.similarities[0]?.icl_it.map((v) => Number(v.toFixed(12))));
  const l0 = rep.tests.filter((t) => t.layer === 0);
  assert.deepEqual(l0.map((t) => [t.statistic, t.p_value, t.note]), Array(3).fill([null, null, "every difference is zero"]));
  const last = rep.tests.filter((t) => t.layer === rep.n_states - 1);
  assert.deepEqual(last.map((t) => t.statistic), expected.wilcoxon_last_layer.map((t) => t.statistic));
});

test("hidden-sims on the bundled example: marked as example data, 12 runs, three one-tailed tests", async () => {
  const r = await sims(["--dump", path.join(EX, "main", "dump")]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^EXAMPLE DATA: Pipeline example on a tiny random Llama: not a finding/);
  assert.match(r.out, /s\(ICL,IT\) > s\(anchor,IT\)\s+greater/);
  const j = JSON.parse((await sims(["--dump", path.join(EX, "main", "dump"), "--json"])).out) as Report;
  assert.equal(j.runs.length, 12);
  assert.deepEqual(j.tests.map((t) => t.alternative), ["greater", "greater", "greater"]);
  for (const t of j.tests) {
    assert.ok(t.p_value !== null && t.p_value > 0 && t.p_value <= 1, t.name);
    assert.equal(t.n, 12);
  }
  assert.match(j.example_data ?? "", /not a finding/);
});

test("hidden-sims: usage and dump errors are clear", async () => {
  const none = await sims([]);
  assert.equal(none.code, 2);
  assert.match(none.err, /--dump is required/);
  const bad = await sims(["--dump", path.join(FIX, "single"), "--layer", "middle"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--layer must be one of last, all/);
  const missing = await sims(["--dump", path.join(FIX, "nope")]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope: not a directory/);
});

test("hidden-job writes the same job.json as the example generator", async () => {
  const dir = tempDir();
  const out = path.join(dir, "job.json");
  const c = captureIO();
  const code = await main(
    ["hidden-job", "--experiment", "wrong-label", "--dataset", path.join(EX, "toy-reviews.jsonl"), "--id-field", "id", "--seeds", "1-6", "--model", "../tiny-llama", "--device", "cpu", "--dtype", "float32", "--name", "hidden-tiny-wrong-label", "--out", out],
    c.io,
  );
  assert.equal(code, 0, c.stderr());
  assert.match(c.stdout(), /12 runs of "wrong-label"/);
  assert.equal(fs.readFileSync(out, "utf8"), fs.readFileSync(path.join(EX, "wrong-label", "job.json"), "utf8"));
  const again = captureIO();
  assert.equal(await main(["hidden-job", "--experiment", "main", "--dataset", path.join(EX, "toy-reviews.jsonl"), "--model", "m", "--out", out], again.io), 2);
  assert.match(again.stderr(), /exists \(--force replaces it\)/);
  const dt = captureIO();
  assert.equal(await main(["hidden-job", "--experiment", "different-task", "--dataset", path.join(EX, "toy-reviews.jsonl"), "--model", "m", "--out", path.join(dir, "dt.json")], dt.io), 2);
  assert.match(dt.stderr(), /--demo-dataset is required/);
});

test("parseSeeds reads ranges and lists", () => {
  assert.deepEqual(parseSeeds("1-3"), [1, 2, 3]);
  assert.deepEqual(parseSeeds("7, 9"), [7, 9]);
  assert.throws(() => parseSeeds("3-1"), /empty range/);
  assert.throws(() => parseSeeds("1,x"), /"x" is not an integer/);
});
