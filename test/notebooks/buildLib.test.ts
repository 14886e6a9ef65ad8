/**
 * bin/build-lib.cjs, the compiled library the notebooks import (build/lib): run for real with
 * the project's TypeScript on a small checkout in a temporary directory (package.json, the
 * project's tsconfig.json, node_modules linked to this checkout's, a lib/ of a few files).
 * Checks that it compiles every lib/ file (any entry, not one list of exports) to JavaScript
 * and declarations, that a fresh build is left alone, that an edit, an added file and a deleted
 * file make it stale and are reflected after the rebuild, and that type errors are reported
 * without stopping the emit. Also: lib/paths.ts finds the repository root from build/lib.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { findRepoRoot, repoRoot } from "../../lib/paths";
import { tempDir } from "../helpers";

const script = path.join(repoRoot, "bin", "build-lib.cjs");

function build(root: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, "--root", root, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

/** Loads build/lib/<rel>.js in a fresh Node process (no require cache between builds) and prints JSON of `expr`. */
function evalBuilt(root: string, rel: string, expr: string): unknown {
  const code = `const m = require(${JSON.stringify(path.join(root, "build", "lib", rel))}); console.log(JSON.stringify(${expr}));`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

const stamp = (root: string): { hash: string; built: string; errors: number; files: number } =>
  JSON.parse(fs.readFileSync(path.join(root, "build", "lib", ".build.json"), "utf8")) as { hash: string; built: string; errors: number; files: number };

function fixture(): string {
  const root = tempDir("icl-wb-build-lib-");
  write(root, "package.json", '{ "name": "fixture", "private": true }\n');
  fs.copyFileSync(path.join(repoRoot, "tsconfig.json"), path.join(root, "tsconfig.json"));
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(root, "node_modules"));
  write(root, "lib/stats/mean.ts", "/** Mean. */\nexport function mean(xs: readonly number[]): number {\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n}\n");
  write(root, "lib/index.ts", 'export { mean } from "./stats/mean";\nexport const answer = 41;\n');
  write(root, "lib/experiment/index.ts", 'import * as path from "node:path";\nexport const sep: string = path.sep;\n');
  return root;
}

test("build-lib compiles every lib/ file to JavaScript and declarations, and rebuilds only when the sources change", () => {
  const root = fixture();
  try {
    assert.equal(build(root, "--check").status, 3, "no build yet: stale");
    const first = build(root);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /compiled 3 lib\/ files/);
    for (const f of ["index.js", "index.d.ts", "stats/mean.js", "stats/mean.d.ts", "experiment/index.js", "experiment/index.d.ts"]) {
      assert.ok(fs.existsSync(path.join(root, "build", "lib", f)), `build/lib/${f}`);
    }
    assert.match(fs.readFileSync(path.join(root, "build", "lib", "stats", "mean.d.ts"), "utf8"), /export declare function mean\(xs: readonly number\[\]\): number;/);
    assert.deepEqual(evalBuilt(root, "index", "[m.answer, m.mean([1, 2, 6])]"), [41, 3]);
    assert.deepEqual(evalBuilt(root, "experiment/index", "m.sep"), path.sep, "a second entry is built as well");
    const s1 = stamp(root);
    assert.equal(s1.errors, 0);
    assert.equal(s1.files, 3);

    // fresh: nothing rebuilt, the stamp is the same file
    const again = build(root);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /up to date/);
    assert.equal(build(root, "--quiet").stdout, "");
    assert.deepEqual(stamp(root), s1);
    assert.equal(build(root, "--check").status, 0);

    // an edit makes it stale; the rebuild carries the new value
    write(root, "lib/index.ts", 'export { mean } from "./stats/mean";\nexport const answer = 42;\n');
    assert.equal(build(root, "--check").status, 3);
    assert.equal(build(root).status, 0);
    assert.deepEqual(evalBuilt(root, "index", "m.answer"), 42);
    const s2 = stamp(root);
    assert.notEqual(s2.hash, s1.hash);

    // a deleted file: stale, and its outputs are gone after the rebuild; an added file is built
    fs.rmSync(path.join(root, "lib", "experiment"), { recursive: true });
    write(root, "lib/sections/one.ts", 'import { mean } from "../stats/mean";\nexport const one = mean([1]);\n');
    assert.equal(build(root, "--check").status, 3);
    assert.equal(build(root).status, 0);
    assert.ok(!fs.existsSync(path.join(root, "build", "lib", "experiment")), "outputs of a deleted source are removed");
    assert.deepEqual(evalBuilt(root, "sections/one", "m.one"), 1);
    assert.deepEqual(
      fs.readdirSync(path.join(root, "build")).filter((f) => f !== "lib"),
      [],
      "no temporary or old build left behind",
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("build-lib reports type errors with file and line but still emits the JavaScript", () => {
  const root = fixture();
  try {
    write(root, "lib/index.ts", 'export { mean } from "./stats/mean";\nexport const answer: number = "forty-two";\n');
    const r = build(root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /1 type error/);
    assert.match(r.stderr, /lib\/index\.ts\(2,14\): error TS2322/);
    assert.equal(stamp(root).errors, 1);
    assert.deepEqual(evalBuilt(root, "index", "m.answer"), "forty-two");
    // the up-to-date message keeps saying so
    assert.match(build(root).stdout, /1 type error\(s\) at build time/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("the repository root is found from lib/ and from build/lib/", () => {
  assert.equal(findRepoRoot(path.join(repoRoot, "lib")), repoRoot);
  assert.equal(findRepoRoot(path.join(repoRoot, "build", "lib", "notebook")), repoRoot);
  assert.ok(fs.existsSync(path.join(repoRoot, "package.json")));
  assert.throws(() => findRepoRoot(path.parse(repoRoot).root + "no-such-dir-for-icl-workbench"), /no package\.json/);
});

test("the kernel launcher brings the build up to date before it starts tslab", () => {
  const root = fixture();
  try {
    fs.mkdirSync(path.join(root, "bin"));
    for (const f of ["build-lib.cjs", "tslab-kernel"]) fs.copyFileSync(path.join(repoRoot, "bin", f), path.join(root, "bin", f));
    fs.chmodSync(path.join(root, "bin", "tslab-kernel"), 0o755);
    const env = { ...process.env };
    delete env["ICL_WORKBENCH_ROOT"]; // found from the working directory, as Jupyter starts it
    const run = () => spawnSync(path.join(root, "bin", "tslab-kernel"), ["--version"], { cwd: path.join(root, "lib"), env, encoding: "utf8" });
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^tslab \d+\.\d+\.\d+/, "tslab itself ran after the build");
    assert.match(first.stderr, /compiled 3 lib\/ files/);
    assert.deepEqual(evalBuilt(root, "index", "m.answer"), 41);
    // an edit of lib/ takes effect at the next kernel start; a fresh build is silent
    write(root, "lib/index.ts", 'export { mean } from "./stats/mean";\nexport const answer = 43;\n');
    assert.match(run().stderr, /compiled 3 lib\/ files/);
    assert.deepEqual(evalBuilt(root, "index", "m.answer"), 43);
    const again = run();
    assert.equal(again.status, 0);
    assert.equal(again.stderr, "");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
