/**
 * `alpaca-winrate` on ambiguous inputs (issue 11, item 9): each case runs the real
 * bin/icl-workbench and must end in an error naming the file, the line and the field, never in
 * numbers with exit 0. The one legitimate choice (a partial pair of files) is an explicit option
 * with a coverage report. Expected numbers are worked from alpaca_eval's get_winrate as in
 * winrate.test.ts: p - 1 over kept preferences, 100 · mean.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { lineOfArrayElement } from "../../lib/io/alpacaEval";
import { hasStackTrace, runCli } from "../support/cli";
import { tempDir } from "../helpers";

function annotation(i: number, preference: unknown, generator = "m"): Record<string, unknown> {
  return { instruction: `instruction ${i}`, output_1: "base answer", output_2: `answer ${i}`, generator_1: "base", generator_2: generator, preference };
}
function output(i: number, generator = "m", text = `answer ${i}`): Record<string, unknown> {
  return { instruction: `instruction ${i}`, output: text, generator, dataset: "helpful_base" };
}

/** Writes the two files (pretty-printed, so elements start on distinct lines). */
function files(anns: unknown[], outs?: unknown[]): { dir: string; ann: string; out: string; annText: string; outText: string } {
  const dir = tempDir("icl-wb-alpaca-");
  const ann = path.join(dir, "annotations.json");
  const out = path.join(dir, "model_outputs.json");
  const annText = JSON.stringify(anns, null, 2);
  fs.writeFileSync(ann, annText);
  const outText = JSON.stringify(outs ?? [], null, 2);
  if (outs !== undefined) fs.writeFileSync(out, outText);
  return { dir, ann, out, annText, outText };
}

const five = [annotation(0, 2), annotation(1, 1), annotation(2, 1.5), annotation(3, 2), annotation(4, 1)];

test("alpaca-winrate: another model's model_outputs.json is an error naming the outputs file, its line and field generator", async () => {
  const f = files(five, [0, 1, 2, 3, 4].map((i) => output(i, "other-model")));
  const r = await runCli(["alpaca-winrate", "--annotations", f.ann, "--model-outputs", f.out, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.ok(r.stderr.includes(`${f.out}:${lineOfArrayElement(f.outText, 0)}: field "generator": element 0`), r.stderr);
  assert.match(r.stderr, /generator "other-model" is not the annotated model "m"/);
  assert.ok(!hasStackTrace(r.stderr));
});

test("alpaca-winrate: model outputs covering 2 of 5 instructions are a coverage error; --allow-partial computes and reports", async () => {
  const f = files(five, [output(0), output(1)]);
  const r = await runCli(["alpaca-winrate", "--annotations", f.ann, "--model-outputs", f.out, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  // the first annotated instruction without an output is element 2
  assert.ok(r.stderr.includes(`${f.ann}:${lineOfArrayElement(f.annText, 2)}: field "instruction": element 2`), r.stderr);
  assert.match(r.stderr, /5 annotations, 2 model outputs: 3 annotated instruction\(s\) without an output, 0 output\(s\) without an annotation/);
  assert.match(r.stderr, /--allow-partial/);

  const ok = await runCli(["alpaca-winrate", "--annotations", f.ann, "--model-outputs", f.out, "--allow-partial", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  const o = JSON.parse(ok.stdout) as Record<string, unknown>;
  // p - 1 = [1, 0, 0.5, 1, 0] -> 100 · mean = 50; avg_length over the 2 outputs: len("answer 0") = 8
  assert.equal(o["win_rate"], 50);
  assert.equal(o["avg_length"], 8);
  assert.deepEqual(o["coverage"], { n_annotations: 5, n_model_outputs: 2, annotations_without_output: 3, outputs_without_annotation: 0 });
  assert.match(ok.stderr, /partial coverage \(--allow-partial\): 5 annotations, 2 model outputs/);

  // outputs the annotations lack are the other direction of the same error
  const g = files(five.slice(0, 2), [0, 1, 2].map((i) => output(i)));
  const r2 = await runCli(["alpaca-winrate", "--annotations", g.ann, "--model-outputs", g.out]);
  assert.equal(r2.code, 1);
  assert.ok(r2.stderr.includes(`${g.out}:${lineOfArrayElement(g.outText, 2)}: field "instruction": element 2: instruction "instruction 2" has no annotation`), r2.stderr);
});

test("alpaca-winrate: a preference of 3.0 is an error with line and field, never silently dropped (--json too)", async () => {
  const anns = [...five, annotation(5, 3.0)];
  const f = files(anns);
  for (const extra of [[], ["--json"]]) {
    const r = await runCli(["alpaca-winrate", "--annotations", f.ann, ...extra]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.ok(r.stderr.includes(`${f.ann}:${lineOfArrayElement(f.annText, 5)}: field "preference": element 5: preference 3 is outside [1, 2]`), r.stderr);
  }
});

test("alpaca-winrate: a duplicated instruction is an error naming both elements, never counted twice", async () => {
  const anns = [...five, annotation(1, 2)];
  const f = files(anns);
  const r = await runCli(["alpaca-winrate", "--annotations", f.ann, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.ok(r.stderr.includes(`${f.ann}:${lineOfArrayElement(f.annText, 5)}: field "instruction": element 5: instruction "instruction 1" already appears in element 1 (line ${lineOfArrayElement(f.annText, 1)})`), r.stderr);
  // the same in model_outputs.json
  const g = files(five, [0, 1, 2, 3, 4, 4].map((i) => output(i)));
  const r2 = await runCli(["alpaca-winrate", "--annotations", g.ann, "--model-outputs", g.out, "--json"]);
  assert.equal(r2.code, 1);
  assert.ok(r2.stderr.includes(`${g.out}:${lineOfArrayElement(g.outText, 5)}: field "instruction": element 5: instruction "instruction 4" already appears in element 4`), r2.stderr);
});

test("alpaca-winrate: a consistent pair still gives exit 0 and the numbers; a BOM is accepted, invalid UTF-8 is an error with the byte offset", async () => {
  const f = files(five, [0, 1, 2, 3, 4].map((i) => output(i)));
  fs.writeFileSync(f.out, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(f.outText)]));
  const r = await runCli(["alpaca-winrate", "--annotations", f.ann, "--model-outputs", f.out, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(o["win_rate"], 50);
  assert.equal(o["n_total"], 5);
  assert.equal(o["avg_length"], 8);
  assert.equal(o["coverage"], undefined);

  const bytes = Buffer.from(f.annText);
  const at = bytes.indexOf("answer 3");
  bytes[at] = 0xff; // not a UTF-8 byte
  fs.writeFileSync(f.ann, bytes);
  const bad = await runCli(["alpaca-winrate", "--annotations", f.ann]);
  assert.equal(bad.code, 1);
  const line = bytes.subarray(0, at).toString("latin1").split("\n").length;
  assert.ok(bad.stderr.includes(`${f.ann}:${line}: not valid UTF-8: byte 0xff at byte offset ${at}`), bad.stderr);
});
