/**
 * The one run path (bin/run_notebooks.py, reached by `bin/main` and `icl-workbench reproduce`)
 * on a user's FastChat dump with instruct models only (../shared's MT-Bench dump and a manifest
 * written by hand, kept outside the dump): only section 01 runs, 02-08 are listed as skipped with
 * their reasons, nothing under the output folder carries the example-data mark, stale outputs of
 * an earlier run are gone, the tables hold the dump's numbers, the executed notebook's HTML
 * shows its figures in headless Chromium (rendered size, painted pixels, no failed request), the
 * index renders, and the dump is byte-identical afterwards. One real run (~1-2 min: notebook 01).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadMtBenchRun } from "../../lib/pipeline/mtbench";
import { hashPaths } from "../../lib/pipeline/runPlan";
import { fromRepo } from "../../lib/paths";
import { parseCsv } from "../../lib/io/csv";
import { sharedMissing, sharedPath, tempDir } from "../helpers";
import { inspectPage } from "../../lib/export/pageCheck";

const CLI = fromRepo("bin", "icl-workbench");
const RUNNER = fromRepo("bin", "run_notebooks.py");

function jupyterMissing(): string | false {
  const probe = spawnSync("/usr/bin/python3", ["-c", "import nbclient, nbformat, nbconvert"], { encoding: "utf8" });
  return probe.status === 0 ? false : "Jupyter (nbclient, nbconvert) is not installed: run bin/setup";
}

function instructManifest(dir: string, baseModel: string): string {
  const file = path.join(dir, "manifest.jsonl");
  fs.writeFileSync(
    file,
    ["Normal", "Griffin"].map((v) => JSON.stringify({ model_id: `Meta-Llama-3-8B-Instruct-${v}`, base_model: baseModel, setting: "instruct", label: `Instruct ${v}` })).join("\n") + "\n",
  );
  return file;
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

test("default output folders: results/ for the bundled data, one folder per dump path (same name, different paths: different folders)", (t) => {
  const why = jupyterMissing();
  if (why) return t.skip(why);
  const a = path.join(tempDir(), "dump");
  const b = path.join(tempDir(), "dump");
  for (const d of [a, b]) {
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, "question.jsonl"), JSON.stringify({ question_id: 1, category: "writing", turns: ["a", "b"] }) + "\n");
  }
  const outOf = (args: string[]): string => {
    const r = spawnSync("/usr/bin/python3", [RUNNER, ...args, "--dry-run"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const m = /^output: (\S+) \(dry run/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    return m[1] as string;
  };
  const oa = outOf(["--dumps", a]);
  const ob = outOf(["--dumps", b]);
  assert.notEqual(oa, ob);
  assert.match(oa, new RegExp(`^${fromRepo("results", "dumps")}/dump-[0-9a-f]{10}$`));
  assert.equal(outOf([]), fromRepo("results"));
});

test("a dump with no run the paper has: 01 only, no example data, no stale outputs, figures shown, dump unchanged", async (t) => {
  const why = sharedMissing("data", "mt_bench", "model_judgment", "gpt-4_single.jsonl") || jupyterMissing();
  if (why) return t.skip(why);
  const dump = sharedPath("data", "mt_bench");
  const before = hashPaths([dump]).sha256;
  const manifest = instructManifest(tempDir(), "NotInThePaper-8B");
  const out = tempDir("icl-run-out-");
  // left by an earlier run: a skipped section's figure and table, an old index; and a file not the runner's
  for (const [sub, f] of [["figures", "02-decoding-heatmaps.svg"], ["tables", "08-fig3.csv"], ["notebooks", "02-decoding.html"], [".", "index.html"], [".", "notes.txt"]] as const) {
    fs.mkdirSync(path.join(out, sub), { recursive: true });
    fs.writeFileSync(path.join(out, sub, f), "stale");
  }

  const r = spawnSync(CLI, ["reproduce", "--dumps", dump, "--manifest", manifest, "--out", out], { encoding: "utf8", timeout: 600_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /sections to run: 01\n/);
  assert.match(r.stdout, /01-urial-vs-instruct\.ipynb: cell 3 of \d+/, "progress inside the notebook");
  assert.match(r.stdout, /1 passed, 0 failed/);
  assert.match(r.stdout, /01-category-bars-published: not drawn — no base model of the dump \(NotInThePaper-8B\)/);

  // only 01's outputs (stale ones cleared, the user's own file kept)
  const files = listFiles(out);
  assert.deepEqual(files.filter((f) => !/^(index\.(html|md)|notes\.txt)$/.test(f) && !/^(figures|tables|notebooks)\/01-/.test(f)), []);
  assert.ok(files.includes("notes.txt"));
  assert.ok(files.includes("figures/01-category-bars.svg") && files.includes("figures/01-category-bars.png"));
  assert.ok(!files.some((f) => f.startsWith("figures/01-category-bars-published")), "no empty published figure");
  // nothing carries the example-data mark: no figure or table, no output of the executed notebook
  const MARK = /EXAMPLE DATA|EXAMPLE dump|not a finding/i;
  for (const f of files.filter((x) => /^(figures|tables)\//.test(x) && !x.endsWith(".png") && !x.endsWith(".pdf"))) {
    assert.doesNotMatch(fs.readFileSync(path.join(out, f), "utf8"), MARK, f);
  }
  const executed = JSON.parse(fs.readFileSync(path.join(out, "notebooks", "01-urial-vs-instruct.ipynb"), "utf8")) as { cells: { outputs?: unknown[] }[] };
  assert.doesNotMatch(JSON.stringify(executed.cells.map((c) => c.outputs ?? [])), MARK);
  // the tables hold the dump's numbers (lib's scores of the same judgments, dedupe "last")
  const run = await loadMtBenchRun(dump, { dedupe: "last", manifest });
  const table = parseCsv(fs.readFileSync(path.join(out, "tables", "01-table2-dump.csv"), "utf8"), "01-table2-dump.csv");
  for (const m of run.scores.models) {
    const label = m.model.includes("Normal") ? "Instruct Normal" : "Instruct Griffin";
    const row = table.rows.find((x) => x.values["model"] === label)?.values;
    assert.ok(row, label);
    assert.ok(Math.abs(Number(row["turn1"]) - (m.turn1 as number)) < 1e-9, `${label} turn1 ${row["turn1"]} vs ${m.turn1}`);
  }
  // the index: dump, hash, sections 02-08 skipped with reasons, the reproduction headline
  const index = fs.readFileSync(path.join(out, "index.html"), "utf8");
  assert.ok(index.includes(dump));
  assert.ok(index.includes(hashPaths([dump, manifest]).sha256), "the content hash of the files read (the dump and the manifest beside it)");
  assert.match(index, /data-section="01" data-status="ran"/);
  for (const id of ["02", "03", "04", "05", "06", "07", "08"]) assert.match(index, new RegExp(`data-section="${id}" data-status="skipped"><td>[^<]+</td><td[^>]*>skipped</td><td>[^<]*no [^<]+</td>`), id);
  assert.match(index, /id="reproduction">no number of the dump has a published counterpart/);
  assert.match(fs.readFileSync(path.join(out, "index.md"), "utf8"), /\| 08-hidden-states\.ipynb \| skipped \| no hidden\/ directory/);

  // the executed notebook's HTML shows its figure; the index shows its thumbnail
  const nb = await inspectPage(path.join(out, "notebooks", "01-urial-vs-instruct.html"), "img.icl-figure");
  assert.deepEqual(nb.failedRequests, []);
  assert.equal(nb.elements.length, 1, "one figure (the published one is not drawn)");
  for (const e of nb.elements) {
    assert.ok(e.width > 100 && e.height > 50, `figure ${e.index} rendered ${e.width} x ${e.height}`);
    assert.ok(e.painted > 0.02, `figure ${e.index}: ${(e.painted * 100).toFixed(1)}% painted`);
  }
  const idx = await inspectPage(path.join(out, "index.html"), "img.thumb");
  assert.deepEqual(idx.failedRequests, []);
  assert.equal(idx.elements.length, 1);
  assert.ok((idx.elements[0]?.painted ?? 0) > 0.02);

  assert.equal(hashPaths([dump]).sha256, before, "the dump is byte-identical afterwards");
});

test("the runner refuses an output folder inside the dump", (t) => {
  const why = jupyterMissing();
  if (why) return t.skip(why);
  const dump = tempDir();
  fs.writeFileSync(path.join(dump, "question.jsonl"), JSON.stringify({ question_id: 1, category: "writing", turns: ["a", "b"] }) + "\n");
  const r = spawnSync("/usr/bin/python3", [RUNNER, "--dumps", dump, "--out", path.join(dump, "out")], { encoding: "utf8" });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /must not be inside the dump/);
  assert.ok(!fs.existsSync(path.join(dump, "out")));
});
