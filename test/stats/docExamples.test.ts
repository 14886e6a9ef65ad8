/**
 * Executes every `@example` block in lib/stats/*.ts doc comments. In an example, a line
 * `expr; // value` is checked: `expr` must equal `value` (a JSON literal, optionally followed by
 * ": explanation"); `const`/`let` lines and lines without a comment just run. The examples see
 * every export of lib/stats. A malformed expected value fails the test, and so does an example
 * with no checked line.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { transformSync } from "esbuild";
import { repoRoot } from "../../lib/paths";

const dir = path.join(repoRoot, "lib", "stats");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "index.ts").sort();

/** The @example blocks of a source file: [first line number, lines]. */
export function extractExamples(source: string): { line: number; lines: string[] }[] {
  const out: { line: number; lines: string[] }[] = [];
  const re = /\/\*\*([\s\S]*?)\*\//g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    const body = (m[1] ?? "").split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
    const startLine = source.slice(0, m.index).split("\n").length;
    for (let i = 0; i < body.length; i++) {
      if (!/^@example\b/.test((body[i] ?? "").trim())) continue;
      const lines: string[] = [];
      let j = i + 1;
      for (; j < body.length && !/^\s*@\w/.test(body[j] ?? ""); j++) if ((body[j] ?? "").trim() !== "") lines.push(body[j] as string);
      out.push({ line: startLine + i, lines });
      i = j - 1;
    }
  }
  return out;
}

interface Check {
  code: string;
  expected: unknown;
  text: string;
}

/** Splits `expr; // value` into a check; returns null for a plain statement. */
export function parseCheck(line: string): Check | null {
  const m = /^(.*?);\s*\/\/\s*(.+)$/.exec(line);
  if (!m || /^\s*(const|let|var)\s/.test(line)) return null;
  const comment = (m[2] as string).trim();
  for (const candidate of [comment, comment.split(/:\s/)[0] as string]) {
    try {
      return { code: m[1] as string, expected: JSON.parse(candidate), text: line };
    } catch {
      /* try the next form */
    }
  }
  throw new Error(`example line has a comment that is not a JSON value: ${line}`);
}

function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof actual === "number" && typeof expected === "number") return Object.is(actual, expected) || actual === expected;
  if (ArrayBuffer.isView(actual)) actual = Array.from(actual as unknown as ArrayLike<number>);
  try {
    assert.deepStrictEqual(actual, expected);
    return true;
  } catch {
    return false;
  }
}

/** Runs one example; returns the failures (empty when every check holds) and how many checks ran. */
export function runExample(lines: string[], scope: Record<string, unknown>): { failures: string[]; checks: number } {
  const failures: string[] = [];
  const checks: Check[] = [];
  const body = lines
    .map((l) => {
      const c = parseCheck(l);
      if (c === null) return l;
      checks.push(c);
      return `__check(${checks.length - 1}, (${c.code}));`;
    })
    .join("\n");
  const js = transformSync(`(function(){\n${body}\n})();`, { loader: "ts" }).code;
  const names = Object.keys(scope);
  const fn = new Function("__check", ...names, js) as (...args: unknown[]) => void;
  const check = (i: number, actual: unknown) => {
    const c = checks[i] as Check;
    if (!sameValue(actual, c.expected)) failures.push(`${c.text.trim()}  → got ${JSON.stringify(actual)}`);
  };
  fn(check, ...names.map((n) => scope[n]));
  return { failures, checks: checks.length };
}

/* eslint-disable @typescript-eslint/no-require-imports -- the examples see every runtime export of lib/stats */
const scope: Record<string, unknown> = {};
for (const f of files) Object.assign(scope, require(path.join(dir, f)) as Record<string, unknown>);
/* eslint-enable @typescript-eslint/no-require-imports */

for (const f of files) {
  const examples = extractExamples(fs.readFileSync(path.join(dir, f), "utf8"));
  test(`lib/stats/${f}: every exported statistic has an executed @example`, () => {
    assert.ok(examples.length > 0, `lib/stats/${f} has no @example`);
  });
  for (const ex of examples) {
    test(`lib/stats/${f}:${ex.line} @example`, () => {
      const { failures, checks } = runExample(ex.lines, scope);
      assert.ok(checks > 0, `example at ${f}:${ex.line} checks nothing`);
      assert.deepEqual(failures, []);
    });
  }
}

test("the example runner fails on a wrong example (self-test)", () => {
  const good = runExample(["mean([1, 2, 3]); // 2", 'wilcoxonSignedRank([1, 2, 3, 4, 5]).method; // "exact"'], scope);
  assert.deepEqual(good, { failures: [], checks: 2 });
  const bad = runExample(["mean([1, 2, 3]); // 2.5", "const r = mean([4]);", "r; // 4", "r === 4; // false: deliberately wrong"], scope);
  assert.equal(bad.checks, 3);
  assert.equal(bad.failures.length, 2);
  assert.throws(() => parseCheck("mean([1]); // about one"), /not a JSON value/);
  assert.throws(() => runExample(["mean([]); // 0"], scope), /no values/);
  const blocks = extractExamples("/**\n * Doc.\n *\n * @example\n * f(1); // 2\n * f(2); // 3\n * @see x\n */");
  assert.deepEqual(blocks.map((b) => b.lines), [["f(1); // 2", "f(2); // 3"]]);
});
