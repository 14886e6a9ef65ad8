/**
 * Static checks on the committed notebooks, for what tslab (which compiles each cell on its own
 * with TypeScript 5.0 and ignores tsconfig) gets wrong or what the project's style forbids:
 * - no outputs committed, kernel "icl-workbench";
 * - cells are calls into lib and display: no function or class definitions;
 * - no shorthand property naming a variable from an earlier cell (`{ dedupe }`): tslab does not
 *   rewrite it and the cell fails with "ReferenceError: dedupe is not defined" (seen with
 *   tslab 1.0.22); write `{ dedupe: dedupe }`;
 * - the library is imported compiled (`./build/lib/...`, bin/build-lib.cjs), never from the
 *   sources (`./lib/...`): tslab would type-check and compile the whole lib/ tree in every kernel.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { fromRepo } from "../../lib/paths";

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

function notebooks(): { name: string; cells: Cell[]; kernel: string | undefined }[] {
  const dir = fromRepo("notebooks");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => {
      const nb = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { cells: Cell[]; metadata: { kernelspec?: { name?: string } } };
      return { name: f, cells: nb.cells, kernel: nb.metadata.kernelspec?.name };
    });
}

const src = (c: Cell): string => (Array.isArray(c.source) ? c.source.join("") : c.source);

/** Names declared at the top level of a cell (`const x`, `let x`, `const { a, b }`). */
export function topLevelNames(code: string): string[] {
  const names: string[] = [];
  for (const m of code.matchAll(/^(?:const|let|var)\s+([A-Za-z_$][\w$]*)/gm)) names.push(m[1] as string);
  for (const m of code.matchAll(/^(?:const|let|var)\s*\{([^}]*)\}/gm)) {
    for (const part of (m[1] as string).split(",")) {
      const name = part.split(":").pop()?.split("=")[0]?.trim();
      if (name !== undefined && /^[A-Za-z_$][\w$]*$/.test(name)) names.push(name);
    }
  }
  return names;
}

/** Shorthand properties (`{ name }`) in `code` that name one of `names` (parsed with TypeScript). */
export function shorthandUses(code: string, names: ReadonlySet<string>): string[] {
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(node) && names.has(node.name.text)) found.push(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

test("the shorthand detector finds what tslab breaks and leaves the rest", () => {
  const names = new Set(topLevelNames('const dedupe = "last";\nconst { a, b: c } = x;'));
  assert.deepEqual([...names].sort(), ["a", "c", "dedupe"]);
  assert.deepEqual(shorthandUses("f(dump, { dedupe });", names), ["dedupe"]);
  assert.deepEqual(shorthandUses("f({ x: 1, c, y: 2 });", names), ["c"]);
  assert.deepEqual(shorthandUses("f(dump, { dedupe: dedupe });", names), []);
  assert.deepEqual(shorthandUses("{\n  g(a, c);\n  const { a: z } = y;\n}", names), []);
});

for (const nb of notebooks()) {
  test(`${nb.name}: no outputs, tslab kernel, no definitions, no cross-cell shorthand properties, compiled library imported`, () => {
    assert.equal(nb.kernel, "icl-workbench", "kernelspec name");
    const earlier = new Set<string>();
    nb.cells.forEach((cell, i) => {
      if (cell.cell_type !== "code") return;
      const code = src(cell);
      assert.deepEqual(cell.outputs ?? [], [], `cell ${i}: committed outputs`);
      assert.ok(cell.execution_count === null || cell.execution_count === undefined, `cell ${i}: execution count committed`);
      assert.doesNotMatch(code, /^\s*(export\s+)?(async\s+)?(function|class)\s/m, `cell ${i}: defines a function or class (put it in lib/)`);
      assert.deepEqual(shorthandUses(code, earlier), [], `cell ${i}: shorthand property naming an earlier cell's variable (tslab breaks it; write name: name)`);
      assert.doesNotMatch(code, /from\s+["']\.\/lib\//, `cell ${i}: imports lib/ sources (import the compiled library: "./build/lib/...")`);
      for (const n of topLevelNames(code)) earlier.add(n);
    });
  });
}
