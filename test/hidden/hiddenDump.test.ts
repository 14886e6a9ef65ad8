/**
 * Loading the backend's dumps (test/fixtures/hidden, written by `python3 -m backend.make_fixtures`
 * on the tiny random Llama): one process vs a 2-task job array, and damaged or mixed-up shards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { HIDDEN_CONDITIONS, hiddenVector, loadHiddenDump, mergeHiddenShards, parseHiddenManifest } from "../../lib/io/hiddenDump";
import { loadSafetensors } from "../../lib/io/safetensors";
import { InputError } from "../../lib/model/errors";
import { fromRepo } from "../../lib/paths";
import { tempDir } from "../helpers";

const FIX = fromRepo("test", "fixtures", "hidden");

function copyDir(src: string, dst: string): void {
  fs.cpSync(src, dst, { recursive: true });
}

function editJson(p: string, edit: (o: Record<string, unknown>) => void): void {
  const o = JSON.parse(fs.readFileSync(p, "utf8")) as Record<string, unknown>;
  edit(o);
  fs.writeFileSync(p, JSON.stringify(o));
}

function throwsInput(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test("loads the single-process dump: shapes, job hash of job.json, run order, last tokens", () => {
  const d = loadHiddenDump(path.join(FIX, "single"));
  assert.equal(d.runs.length, 6);
  assert.equal(d.exampleData, null);
  assert.equal(d.nStates, 3); // 2 decoder layers + embeddings
  assert.equal(d.hiddenSize, 64);
  assert.equal(d.hidden.length, 6 * 3 * 3 * 64);
  const jobBytes = fs.readFileSync(path.join(FIX, "job.json"));
  assert.equal(d.job.hash, "sha256:" + crypto.createHash("sha256").update(jobBytes).digest("hex"));
  assert.deepEqual(d.runs.map((r) => r.id), ["fixture-0", "fixture-1", "fixture-2", "fixture-3", "fixture-4", "fixture-5"]);
  assert.deepEqual(d.runs.map((r) => r.index), [0, 1, 2, 3, 4, 5]);
  for (const r of d.runs) {
    assert.equal(r.lastTokenIds.anchor, r.lastTokenIds.icl);
    assert.equal(r.lastTokenIds.anchor, r.lastTokenIds.it);
    assert.equal(r.lastTokenText, ":");
  }
  assert.deepEqual(d.tokenKinds, ["special", "instruction", "separator", "example_input", "example_prefix", "example_label", "query"]);
  // one training text per demonstration (run 3 has two)
  assert.deepEqual(d.losses.map((s) => [s.run, s.demo]), [[0, 0], [1, 0], [2, 0], [3, 0], [3, 1], [4, 0], [5, 0]]);
  assert.equal(d.runs[5]?.optimizerSteps, 0);
  // run 5 was not tuned: IT is the anchor, bit for bit, at every layer
  for (let l = 0; l < d.nStates; l++) assert.deepEqual(hiddenVector(d, 5, "it", l), hiddenVector(d, 5, "anchor", l));
});

test("hiddenVector returns the tensor's [run, condition, layer] slice", () => {
  const d = loadHiddenDump(path.join(FIX, "single"));
  const raw = loadSafetensors(path.join(FIX, "single", "hidden.safetensors")).tensors.get("hidden");
  assert.ok(raw);
  const v = hiddenVector(d, 4, "icl", 2);
  const start = ((4 * 3 + 1) * 3 + 2) * 64;
  assert.deepEqual(v, (raw.data as Float32Array).subarray(start, start + 64));
  assert.throws(() => hiddenVector(d, 6, "it", 0), /run 6 out of range/);
  assert.throws(() => hiddenVector(d, 0, "it", 3), /layer 3 out of range/);
});

test("the 2-shard job array merges to the same dump as one process", () => {
  const one = loadHiddenDump(path.join(FIX, "single"));
  const two = loadHiddenDump(path.join(FIX, "sharded"));
  assert.equal(two.shards.length, 2);
  assert.deepEqual(two.shards.map((s) => s.runs), [[0, 3], [3, 6]]);
  assert.equal(two.job.hash, one.job.hash);
  assert.deepEqual(two.runs.map((r) => r.id), one.runs.map((r) => r.id));
  assert.deepEqual(two.runs.map((r) => r.lastTokenIds), one.runs.map((r) => r.lastTokenIds));
  assert.equal(two.hidden.length, one.hidden.length);
  let maxDiff = 0;
  for (let i = 0; i < one.hidden.length; i++) maxDiff = Math.max(maxDiff, Math.abs((one.hidden[i] as number) - (two.hidden[i] as number)));
  assert.ok(maxDiff <= 1e-6, `max difference ${maxDiff}`);
  assert.equal(two.losses.length, one.losses.length);
});

test("a missing shard or run is reported with the shard and run numbers", () => {
  const dir = tempDir();
  copyDir(path.join(FIX, "sharded"), dir);
  fs.rmSync(path.join(dir, "shard-001-of-002"), { recursive: true });
  throwsInput(() => loadHiddenDump(dir), /incomplete dump: shard\(s\) 1 of 2 missing \(did those job-array tasks fail\?\); run\(s\) 3, 4, 5 of 6 missing/);
});

test("shards of different jobs are refused", () => {
  const dir = tempDir();
  copyDir(path.join(FIX, "sharded"), dir);
  editJson(path.join(dir, "shard-001-of-002", "manifest.json"), (o) => {
    (o["job"] as Record<string, unknown>)["hash"] = "sha256:" + "0".repeat(64);
  });
  throwsInput(() => loadHiddenDump(dir, { verifyChecksums: false }), /job\.hash.*differs from .* the shards come from different jobs|__metadata__\.job_hash/);
});

test("a shard directory whose manifest names another shard is refused", () => {
  const dir = tempDir();
  copyDir(path.join(FIX, "sharded"), dir);
  fs.renameSync(path.join(dir, "shard-001-of-002"), path.join(dir, "shard-001-of-003"));
  throwsInput(() => loadHiddenDump(dir), /shard directories of different job arrays/);
});

test("duplicated shards and runs are refused", () => {
  const dir = path.join(FIX, "sharded", "shard-000-of-002");
  const m = parseHiddenManifest(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"), path.join(dir, "manifest.json"));
  const files = [loadSafetensors(path.join(dir, "hidden.safetensors")).tensors];
  throwsInput(() => mergeHiddenShards([{ manifest: m, files }, { manifest: m, files }]), /shard 0 appears twice/);
  const other = { ...m, shard: { ...m.shard, index: 1 } };
  throwsInput(() => mergeHiddenShards([{ manifest: m, files }, { manifest: other, files }]), /run 0 \("fixture-0"\) is duplicated/);
  const foreign = { ...other, job: { ...m.job, hash: "sha256:feed" } };
  throwsInput(() => mergeHiddenShards([{ manifest: m, files }, { manifest: foreign, files }]), /job\.hash": sha256:feed differs from .* the shards come from different jobs/);
});

test("a damaged tensor file is caught: size, checksum, then shapes against the manifest", () => {
  const dir = tempDir();
  copyDir(path.join(FIX, "single"), dir);
  const p = path.join(dir, "hidden.safetensors");
  const bytes = fs.readFileSync(p);
  fs.writeFileSync(p, bytes.subarray(0, bytes.length - 100));
  throwsInput(() => loadHiddenDump(dir), /hidden\.safetensors: \d+ bytes, the manifest says \d+ \(truncated or replaced\?\)/);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 0xff;
  fs.writeFileSync(p, flipped);
  throwsInput(() => loadHiddenDump(dir), /checksum sha256:[0-9a-f]+ differs from the manifest's/);
  fs.writeFileSync(p, bytes);
  editJson(path.join(dir, "manifest.json"), (o) => {
    const f = (o["files"] as Record<string, unknown>[])[0] as Record<string, unknown>;
    ((f["tensors"] as Record<string, unknown>)["hidden"] as Record<string, unknown>)["shape"] = [6, 3, 3, 32];
  });
  throwsInput(() => loadHiddenDump(dir), /field "hidden": expected F32 \[6,3,3,32\], the file holds F32 \[6,3,3,64\]/);
});

test("manifest problems name the field", () => {
  const text = fs.readFileSync(path.join(FIX, "single", "manifest.json"), "utf8");
  const edit = (f: (o: Record<string, unknown>) => void) => {
    const o = JSON.parse(text) as Record<string, unknown>;
    f(o);
    return JSON.stringify(o);
  };
  const runs = (o: Record<string, unknown>) => o["runs"] as Record<string, unknown>[];
  throwsInput(() => parseHiddenManifest("{", "m.json"), /^m\.json: not valid JSON/);
  throwsInput(() => parseHiddenManifest(edit((o) => (o["format"] = "x")), "m.json"), /field "format": expected "icl-workbench.hidden-dump"/);
  throwsInput(() => parseHiddenManifest(edit((o) => delete (runs(o)[2] as Record<string, unknown>)["seed"]), "m.json"), /field "runs\[2\]\.seed": expected an integer, got nothing \(missing\)/);
  throwsInput(
    () => parseHiddenManifest(edit((o) => ((runs(o)[1] as Record<string, unknown>)["last_token_ids"] = { anchor: 1, icl: 2, it: 1 })), "m.json"),
    /field "runs\[1\]\.last_token_ids": differ across conditions \(anchor 1, icl 2, it 1\)/,
  );
  throwsInput(() => parseHiddenManifest(edit((o) => runs(o).pop()), "m.json"), /field "runs": run indices \[0, 1, 2, 3, 4\] do not match the shard's block \[0, 6\)/);
  throwsInput(() => parseHiddenManifest(edit((o) => (o["conditions"] = ["icl", "anchor", "it"])), "m.json"), /field "conditions"/);
});

test("not a dump: a clear message", () => {
  const dir = tempDir();
  throwsInput(() => loadHiddenDump(dir), /no manifest\.json and no shard-iii-of-nnn\/ directories/);
  throwsInput(() => loadHiddenDump(path.join(dir, "nope")), /not a directory/);
  assert.deepEqual([...HIDDEN_CONDITIONS], ["anchor", "icl", "it"]);
});
