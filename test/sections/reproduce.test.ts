/**
 * `icl-workbench reproduce` on the shared FastChat dump (no manifest): it runs the sections it
 * can and names every other one with the reason. The plan is checked with --dry-run (a real run
 * on a dump: test/runner/runner.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../lib/cli/main";
import { loadNotebookSections } from "../../lib/pipeline/sections";
import { fromRepo } from "../../lib/paths";
import { captureIO, sharedMissing, sharedPath, tempDir } from "../helpers";

const SECTIONS = ["02-decoding", "03-scaling", "04-greedy-search", "05-qa-matching", "06-icl-vs-ift", "07-transferability"];

test("reproduce --dry-run on the shared FastChat dump: 01 runs, 02-07 are named as skipped with the reason", async (t) => {
  const why = sharedMissing("data", "mt_bench", "model_judgment", "gpt-4_single.jsonl");
  if (why) return t.skip(why);
  const c = captureIO();
  assert.equal(await main(["reproduce", "--dumps", sharedPath("data", "mt_bench"), "--out", tempDir(), "--dry-run"], c.io), 0, c.stderr());
  const out = c.stdout();
  assert.match(out, /manifest: none/);
  assert.match(out, /sections to run: 01\n/);
  for (const s of SECTIONS) assert.match(out, new RegExp(`  ${s}\\.ipynb: no run manifest \\(manifest\\.jsonl or --manifest\\)`), s);
  // every notebook is either run or named
  for (const s of loadNotebookSections(fromRepo("notebooks"))) assert.ok(out.includes(s.name) || s.id === "01", s.name);
});

test("reproduce with a manifest of instruct runs names the missing settings and factors per section", async (t) => {
  const why = sharedMissing("data", "mt_bench", "model_judgment", "gpt-4_single.jsonl");
  if (why) return t.skip(why);
  const dir = tempDir();
  const manifest = path.join(dir, "manifest.jsonl");
  fs.writeFileSync(
    manifest,
    ["Normal", "Griffin"].map((v) => JSON.stringify({ model_id: `Meta-Llama-3-8B-Instruct-${v}`, base_model: "Llama-3-8B", setting: "instruct" })).join("\n") + "\n",
  );
  const c = captureIO();
  assert.equal(await main(["reproduce", "--dumps", sharedPath("data", "mt_bench"), "--manifest", manifest, "--only", "02,05,06", "--dry-run"], c.io), 0, c.stderr());
  const out = c.stdout();
  assert.match(out, /sections to run: none/);
  assert.match(out, /02-decoding\.ipynb: .*no run with setting "base".*no run sets "temperature"/);
  assert.match(out, /05-qa-matching\.ipynb: .*no run with ablation "x_only"/);
  assert.match(out, /06-icl-vs-ift\.ipynb: .*no run sets "n_train"/);
});

test("reproduce: --only matching no notebook is a usage error", async () => {
  const c = captureIO();
  assert.equal(await main(["reproduce", "--dumps", fromRepo("data", "examples", "decoding"), "--only", "99", "--dry-run"], c.io), 2);
  assert.match(c.stderr(), /--only 99 matches no notebook/);
});
