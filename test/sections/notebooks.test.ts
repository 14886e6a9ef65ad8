/**
 * Static checks of the section notebooks 02-07 (their execution is `bin/run_notebooks.py
 * --check`): metadata, no committed outputs, cells that only call into lib, and a bundled
 * example dump that meets the notebook's own declared requirements.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { loadManifest } from "../../lib/io/manifest";
import { fromRepo } from "../../lib/paths";
import { locateDump } from "../../lib/pipeline/mtbench";
import { parseNotebookSection, sectionAvailability } from "../../lib/pipeline/sections";

const BOOKS: { file: string; example: string }[] = [
  { file: "02-decoding.ipynb", example: "decoding" },
  { file: "03-scaling.ipynb", example: "scaling" },
  { file: "04-greedy-search.ipynb", example: "greedy" },
  { file: "05-qa-matching.ipynb", example: "qa-matching" },
  { file: "06-icl-vs-ift.ipynb", example: "icl-vs-ift" },
  { file: "07-transferability.ipynb", example: "transfer" },
];

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

for (const b of BOOKS) {
  test(`${b.file}: metadata, no outputs, calls into lib, figures declared and drawn`, () => {
    const file = fromRepo("notebooks", b.file);
    const text = fs.readFileSync(file, "utf8");
    const nb = JSON.parse(text) as { cells: Cell[]; metadata: { kernelspec: { name: string } } };
    assert.equal(nb.metadata.kernelspec.name, "icl-workbench");
    const section = parseNotebookSection(text, file);
    assert.ok(section.figures.length > 0);
    const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
    for (const c of nb.cells) {
      assert.deepEqual(c.outputs ?? [], [], "no committed outputs");
      assert.ok(c.execution_count === undefined || c.execution_count === null);
    }
    for (const src of code) {
      assert.doesNotMatch(src, /\bfunction\b|=>\s*\{/, "no function definitions in cells");
      // tslab does not resolve a shorthand property that names a previous cell's variable
      assert.doesNotMatch(src, /(?<!\$)\{\s*(dump|judge|dedupe|resamples|searchJudge)\s*[,}]/, "no shorthand properties of parameters");
    }
    const all = code.join("\n");
    for (const name of section.figures) assert.ok(all.includes(`"${name}"`), `figure ${name} is drawn by a cell`);
    // a figure cell awaits show (export); a table cell does not need to
    const drawn = [...all.matchAll(/await wb\.show\([^\n]*?"(\d\d-[a-z0-9-]+)"\);/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(drawn)].sort(), [...section.figures].sort(), "every drawn figure is declared");
    // the set-up is one call (the section's open) on the bundled example; every other cell is one call plus show
    assert.match(code[0] ?? "", new RegExp(`const s = await wb\\.\\w+\\.open\\(\\{ dump: "data/examples/${b.example}"`));
    for (const src of code.slice(1, -1)) assert.match(src.trim(), /^(await )?wb\.show\([\s\S]*\);$/, `one call plus show per cell: ${src}`);
    assert.match(code[code.length - 1] ?? "", /await wb\.closeFigureExporter\(\);/);
  });

  test(`${b.file}: its bundled example dump meets the notebook's declared requirements`, () => {
    const file = fromRepo("notebooks", b.file);
    const section = parseNotebookSection(fs.readFileSync(file, "utf8"), file);
    const files = locateDump(fromRepo("data", "examples", b.example), undefined, {});
    const manifest = files.manifest === null ? null : loadManifest(files.manifest);
    assert.deepEqual(sectionAvailability(section.requires, files, manifest), { available: true, missing: [] });
  });
}

test("the section requirements skip a dump that lacks the section's runs", () => {
  const file = fromRepo("notebooks", "05-qa-matching.ipynb");
  const section = parseNotebookSection(fs.readFileSync(file, "utf8"), file);
  const files = locateDump(fromRepo("data", "examples", "decoding"), undefined, {});
  const a = sectionAvailability(section.requires, files, loadManifest(files.manifest as string));
  assert.equal(a.available, false);
  assert.ok(a.missing.some((m) => m.includes("x_only")));
});
