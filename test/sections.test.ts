import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseManifest } from "../lib/io/manifest";
import { locateDump } from "../lib/pipeline/mtbench";
import { loadNotebookSections, parseNotebookSection, sectionAvailability } from "../lib/pipeline/sections";
import { fromRepo } from "../lib/paths";
import { InputError } from "../lib/model/errors";
import { tempDir } from "./helpers";

function dump(withJudgments: boolean, extra: string[] = []): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "question.jsonl"), '{"question_id": 1, "category": "c", "turns": ["a"]}\n');
  if (withJudgments) {
    fs.mkdirSync(path.join(dir, "model_judgment"));
    fs.writeFileSync(path.join(dir, "model_judgment", "gpt-4_single.jsonl"), "");
  }
  for (const e of extra) fs.mkdirSync(path.join(dir, e));
  return dir;
}

test("every committed notebook declares parseable requirements and its figures", () => {
  const sections = loadNotebookSections(fromRepo("notebooks"));
  assert.ok(sections.length >= 1);
  for (const s of sections) {
    assert.match(s.id, /^\d\d$/);
    assert.ok(s.figures.every((f) => f.startsWith(s.id)), `${s.name}: figure names start with the section id`);
  }
});

test("availability names every missing piece", () => {
  const manifest = parseManifest('{"model_id": "a", "base_model": "b", "setting": "urial", "temperature": 0.5}');
  const files = locateDump(dump(false), undefined, {});
  const r = sectionAvailability({ judgments: true, settings: ["urial", "ift"], factors: ["temperature", "top_p"], files: ["alpaca_eval"] }, files, manifest);
  assert.equal(r.available, false);
  assert.deepEqual(r.missing, ['no model_judgment/<judge>_single.jsonl', 'no run with setting "ift"', 'no run sets "top_p"', "no alpaca_eval in the dump"]);
  const ok = sectionAvailability({ judgments: true, settings: ["urial"], factors: ["temperature"], files: ["alpaca_eval"] }, locateDump(dump(true, ["alpaca_eval"]), undefined, {}), manifest);
  assert.deepEqual(ok, { available: true, missing: [] });
  assert.deepEqual(sectionAvailability({ settings: ["urial"] }, files, null).missing, ["no run manifest (manifest.jsonl or --manifest)"]);
});

test("a manifest outside the dump is used; a missing one is an error naming it", () => {
  const dir = dump(true);
  const m = path.join(tempDir(), "my-manifest.jsonl");
  fs.writeFileSync(m, '{"model_id": "a", "base_model": "b", "setting": "base"}\n');
  assert.equal(locateDump(dir, m, {}).manifest, m);
  assert.equal(locateDump(dir, undefined, { ICL_MANIFEST: m }).manifest, m);
  assert.equal(locateDump(dir, undefined, {}).manifest, null);
  assert.throws(() => locateDump(dir, "/nope/manifest.jsonl", {}), (e: unknown) => e instanceof InputError && /manifest not found/.test(e.message));
  assert.throws(() => parseNotebookSection("{", "x.ipynb"), (e: unknown) => e instanceof InputError && e.file === "x.ipynb");
});
