/**
 * URIAL-format prompts (lib/experiment/prompts) and the `prompt` command: byte-exact round trips
 * of every real prompt file in ../shared/data/urial, byte-exact Table 3 ablations, query
 * rendering, seeded sampling, answer cleaning.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  ablateDemos,
  ablatePrompt,
  cleanAnswer,
  loadDemoPool,
  loadUrialPrompt,
  parseDemoPool,
  parseUrialPrompt,
  prependDemos,
  randomPrompts,
  renderQuery,
  renderSecondTurn,
  renderUrialPrompt,
  sampleDemos,
  withCategories,
  type PromptDemo,
} from "../../lib/experiment/prompts";
import { InputError } from "../../lib/model/errors";
import { createRng } from "../../lib/stats/rng";
import { main } from "../../lib/cli/main";
import { captureIO, sharedMissing, sharedPath, tempDir } from "../helpers";

const urialDir = sharedPath("data", "urial");
const skipShared = sharedMissing("data", "urial", "urial.txt");
const read = (...p: string[]) => fs.readFileSync(path.join(urialDir, ...p), "utf8");

function promptFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".txt")) out.push(p);
    }
  };
  walk(urialDir);
  return out.sort();
}

const TINY = "# Instruction\n\nRules here. \nMore rules.\n\n# Query:\n```\nQ1\n```\n\n# Answer:\n```\nA1\n```\n\n# Query:\n```\nQ2\n```\n\n# Answer:\n```\nA2 with code:\n```py\nprint(1)\n```\ndone\n```\n\n# Query:\n```\nQ3\n```\n\n# Answer:\n```\nA3\n```\n";

test("module @example: parse, render a query, clean an answer", () => {
  const p = parseUrialPrompt("# Instruction\n\nBe nice. \n\n# Query:\n```\nHi?\n```\n\n# Answer:\n```\nHello!\n```\n");
  assert.deepEqual(p.demos, [{ query: "Hi?", answer: "Hello!" }]);
  assert.equal(renderQuery(p, "2+2?").endsWith("```\n\n# Query:\n```\n2+2?\n```\n\n# Answer:\n```\n"), true);
  assert.equal(cleanAnswer("4\n```\n\n"), "4");
});

test("every URIAL prompt file in ../shared round-trips byte for byte", { skip: skipShared }, () => {
  const files = promptFiles();
  assert.ok(files.length >= 10, `expected the 10 URIAL prompt files, found ${files.length}`);
  const counts: Record<string, number> = {};
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    const p = loadUrialPrompt(f);
    assert.equal(renderUrialPrompt(p), text, path.relative(urialDir, f));
    assert.ok(p.preamble.startsWith("# Instruction\n"), f);
    assert.ok(p.preamble.includes("(you). \n"), "the preamble keeps its trailing spaces");
    counts[path.relative(urialDir, f)] = p.demos.length;
  }
  assert.equal(counts["urial.txt"], 3);
  assert.equal(counts["urial.plus.best_4&5&6.examples.txt"], 6);
  assert.equal(counts["urial.random.10.examples.txt"], 10, "N counts URIAL's 3");
  assert.equal(counts["qa_matching/urial.no_answer.txt"], 3);
});

test("answers keep their own code fences; the greedy demos precede URIAL's", { skip: skipShared }, () => {
  const urial = loadUrialPrompt(path.join(urialDir, "urial.txt"));
  const best = loadUrialPrompt(path.join(urialDir, "urial.plus.best_4.examples.txt"));
  const first = best.demos[0];
  assert.ok(first?.answer?.includes("```c++\n"), "the 4th demo's C++ code blocks stay inside its answer");
  assert.ok(first?.answer?.endsWith("```"), "the answer ends with its inner closing fence");
  assert.deepEqual(best.demos.slice(1), urial.demos);
  assert.equal(renderUrialPrompt(prependDemos(urial, best.demos.slice(0, 1))), read("urial.plus.best_4.examples.txt"));
  assert.equal(best.preamble, urial.preamble);
  const ood = loadUrialPrompt(path.join(urialDir, "qa_matching", "urial.ood.random_answer.txt"));
  assert.match(ood.demos[0]?.answer ?? "", /# Example dictionary/, "a '# ' comment inside code is not a heading");
});

test("circular shift k=1 and X-only reproduce the paper's qa_matching files byte for byte", { skip: skipShared }, () => {
  const urial = loadUrialPrompt(path.join(urialDir, "urial.txt"));
  assert.equal(renderUrialPrompt(ablatePrompt(urial, "circular_shift", { shift: 1 })), read("qa_matching", "urial.circular_shift.txt"));
  assert.notEqual(renderUrialPrompt(ablatePrompt(urial, "circular_shift", { shift: -1 })), read("qa_matching", "urial.circular_shift.txt"));
  assert.equal(renderUrialPrompt(ablatePrompt(urial, "x_only")), read("qa_matching", "urial.no_answer.txt"));
  assert.equal(renderUrialPrompt(urial), read("qa_matching", "urial.correct.txt"));
});

test("ablations of a small demo set: none, no_demos, x_only, y_only, shifts ±1, round trip of Y-only text", () => {
  const p = parseUrialPrompt(TINY);
  assert.equal(renderUrialPrompt(p), TINY);
  assert.deepEqual(p.demos.map((d) => d.query), ["Q1", "Q2", "Q3"]);
  assert.equal(p.demos[1]?.answer, "A2 with code:\n```py\nprint(1)\n```\ndone");
  const answers = (ds: PromptDemo[]) => ds.map((d) => d.answer);
  assert.deepEqual(answers(ablateDemos(p.demos, "circular_shift", { shift: 1 })), ["A2 with code:\n```py\nprint(1)\n```\ndone", "A3", "A1"]);
  assert.deepEqual(answers(ablateDemos(p.demos, "circular_shift", { shift: -1 })), ["A3", "A1", "A2 with code:\n```py\nprint(1)\n```\ndone"]);
  assert.deepEqual(answers(ablateDemos(p.demos, "circular_shift", { shift: 3 })), answers(p.demos));
  assert.deepEqual(ablateDemos(p.demos, "none"), p.demos, "none = the correct pairs (manifest vocabulary)");
  assert.deepEqual(ablateDemos(p.demos, "no_demos"), []);
  const none = ablatePrompt(p, "no_demos");
  assert.equal(renderQuery(none, "q"), "# Instruction\n\nRules here. \nMore rules.\n\n# Query:\n```\nq\n```\n\n# Answer:\n```\n", "no demos: one blank line before the query");
  const y = ablatePrompt(p, "y_only");
  const yText = renderUrialPrompt(y);
  assert.ok(!yText.includes("# Query:"));
  assert.equal(yText.split("# Answer:").length - 1, 3);
  assert.deepEqual(parseUrialPrompt(yText), y, "a Y-only prompt parses back to answer-only demos");
  const x = renderUrialPrompt(ablatePrompt(p, "x_only"));
  assert.equal(x, "# Instruction\n\nRules here. \nMore rules.\n\n# Query:\n```\nQ1\n```\n\n# Query:\n```\nQ2\n```\n\n# Query:\n```\nQ3\n```\n");
  assert.deepEqual(parseUrialPrompt(x).demos.map((d) => d.answer), [null, null, null]);
});

test("in-domain / out-of-domain random answers: right category, never the demo's own answer, seeded", () => {
  const base = withCategories(parseUrialPrompt(TINY), ["general", "coding", "general"]);
  const pool = parseDemoPool(
    [
      { instruction: "G1", output: "gen answer 1", category: "general" },
      { instruction: "G2", output: "gen answer 2", category: "general" },
      { instruction: "C1", output: "code answer 1", category: "coding" },
      { instruction: "M1", output: "math answer 1", category: "math" },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n"),
  );
  const cat = (a: string | null) => (a?.startsWith("gen") ? "general" : a?.startsWith("code") ? "coding" : "math");
  for (let seed = 0; seed < 20; seed++) {
    const id = ablateDemos(base.demos, "in_domain_random", { rng: createRng(seed), pool });
    assert.deepEqual(id.map((d) => cat(d.answer)), ["general", "coding", "general"]);
    assert.deepEqual(id.map((d) => d.query), ["Q1", "Q2", "Q3"]);
    const ood = ablateDemos(base.demos, "out_of_domain_random", { rng: createRng(seed), pool });
    ood.forEach((d, i) => assert.notEqual(cat(d.answer), base.demos[i]?.category));
  }
  const a = ablateDemos(base.demos, "out_of_domain_random", { rng: createRng(7), pool });
  assert.deepEqual(ablateDemos(base.demos, "out_of_domain_random", { rng: createRng(7), pool }), a, "same seed, same answers");
  const seen = new Set<string>();
  for (let seed = 0; seed < 20; seed++) seen.add(String(ablateDemos(base.demos, "in_domain_random", { rng: createRng(seed), pool })[0]?.answer));
  assert.deepEqual([...seen].sort(), ["gen answer 1", "gen answer 2"], "both in-domain answers get drawn");
  // Without a pool, answers come from the demo set itself: the lone "coding" demo has no in-domain partner.
  assert.throws(() => ablateDemos(base.demos, "in_domain_random", { rng: createRng(1) }), /no answer of another instruction of category "coding" for demonstration 2/);
  const allGeneral = withCategories(parseUrialPrompt(TINY), ["general", "general", "general"]).demos;
  for (let seed = 0; seed < 10; seed++) {
    const own = ablateDemos(allGeneral, "in_domain_random", { rng: createRng(seed) });
    own.forEach((d, i) => assert.notEqual(d.answer, allGeneral[i]?.answer, "never the demo's own answer"));
  }
  assert.throws(() => ablateDemos(parseUrialPrompt(TINY).demos, "in_domain_random", { rng: createRng(1), pool }), /demonstration 1 has no category/);
  assert.throws(() => ablateDemos(base.demos, "in_domain_random", { pool }), /seeded rng/);
});

test("render a query and MT-Bench's second turn", () => {
  const p = parseUrialPrompt(TINY);
  const q1 = renderQuery(p, "What is 2+2?");
  assert.equal(q1, `${TINY}\n# Query:\n\`\`\`\nWhat is 2+2?\n\`\`\`\n\n# Answer:\n\`\`\`\n`);
  const t2 = renderSecondTurn(p, "What is 2+2?", "4", "And 3+3?");
  assert.equal(t2, `${q1}4\n\`\`\`\n\n# Query:\n\`\`\`\nAnd 3+3?\n\`\`\`\n\n# Answer:\n\`\`\`\n`);
  assert.deepEqual(
    parseUrialPrompt(`${q1}4\n\`\`\`\n`).demos.slice(-1),
    [{ query: "What is 2+2?", answer: "4" }],
    "turn 1 and its answer become one more demonstration",
  );
});

test("prepended demos go before the prompt's own; pool JSONL errors name file, line and field", () => {
  const p = parseUrialPrompt(TINY);
  const pp = prependDemos(p, [{ query: "NEW", answer: "new answer" }]);
  assert.deepEqual(pp.demos.map((d) => d.query), ["NEW", "Q1", "Q2", "Q3"]);
  assert.ok(renderUrialPrompt(pp).indexOf("NEW") < renderUrialPrompt(pp).indexOf("Q1"));
  assert.throws(() => parseDemoPool('{"instruction": "a", "output": "b"}\n{"instruction": "a"}\n', "pool.jsonl"), (e: unknown) => e instanceof InputError && /pool\.jsonl:2: field "output"/.test(e.message));
  assert.throws(() => parseDemoPool('{"instruction": 3, "output": "b"}\n', "pool.jsonl"), /pool\.jsonl:1: field "instruction"/);
  assert.throws(() => parseDemoPool('{"instruction": "a", "output": "b", "category": 5}\n', "pool.jsonl"), /pool\.jsonl:1: field "category"/);
  assert.throws(() => parseDemoPool("[1]\n", "pool.jsonl"), /pool\.jsonl:1: expected a JSON object/);
  assert.throws(() => parseDemoPool("\n", "pool.jsonl"), /no demonstrations/);
  assert.throws(() => parseUrialPrompt("pre\n# Query:\n```\nunclosed", "p.txt"), /p\.txt:2: the query block opened here is never closed/);
});

test("random demo sets: seeded, without replacement, 5 seeds per N, with and without URIAL's demos", () => {
  const base = parseUrialPrompt(TINY);
  const pool = Array.from({ length: 30 }, (_, i) => ({ query: `q${i}`, answer: `a${i}` }));
  const s = sampleDemos(pool, 10, createRng(3));
  assert.equal(new Set(s.map((d) => d.query)).size, 10);
  assert.deepEqual(sampleDemos(pool, 10, createRng(3)), s);
  assert.notDeepEqual(sampleDemos(pool, 10, createRng(4)), s);
  assert.equal(sampleDemos(pool, 30, createRng(1)).length, 30);
  assert.throws(() => sampleDemos(pool, 31, createRng(1)), /pool has 30/);
  const sets = randomPrompts(base, pool, [0, 7]);
  assert.deepEqual(sets.map((r) => [r.n, r.seed]), [[0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [7, 0], [7, 1], [7, 2], [7, 3], [7, 4]]);
  for (const r of sets) {
    assert.equal(r.prompt.demos.length, r.n + 3);
    assert.deepEqual(r.prompt.demos.slice(r.n), base.demos, "URIAL's demos come last");
  }
  const s7 = sets.find((r) => r.n === 7 && r.seed === 2)?.prompt.demos ?? [];
  const s17 = randomPrompts(base, pool, [17], { seeds: [2] })[0]?.prompt.demos ?? [];
  assert.deepEqual(s17.slice(0, 7), s7.slice(0, 7), "one seed: nested sets across N");
  const without = randomPrompts(base, pool, [3], { withUrial: false, seeds: [11] });
  assert.equal(without[0]?.prompt.demos.length, 3);
  assert.equal(without[0]?.prompt.preamble, base.preamble, "the rules stay");
  assert.ok(!without[0]?.prompt.demos.some((d) => d.query?.startsWith("Q")));
});

test("cleanAnswer: stop sequences, closing fence, inner code fences kept, idempotent", () => {
  assert.equal(cleanAnswer("Sure:\n```js\nx()\n```\nEnd.\n```\n\n"), "Sure:\n```js\nx()\n```\nEnd.");
  assert.equal(cleanAnswer("Hello\n```\n\n# Query:\n```\nnext question"), "Hello");
  assert.equal(cleanAnswer("Hello\n\n# User: hi"), "Hello");
  assert.equal(cleanAnswer("```python\nprint(1)\n```\n```\n"), "```python\nprint(1)\n```");
  assert.equal(cleanAnswer(cleanAnswer("```python\nprint(1)\n```\n```\n")), "```python\nprint(1)\n```", "a second clean keeps the inner block");
  assert.equal(cleanAnswer("Code:\n```py\nx = 1\n```"), "Code:\n```py\nx = 1\n```", "an answer ending in its own code block");
  assert.equal(cleanAnswer("cut mid-code\n```py\nx = 1"), "cut mid-code\n```py\nx = 1");
  assert.equal(cleanAnswer("\n\n  indented first line\n"), "  indented first line");
});

test("CLI prompt: --base writes the file exactly; circular shift and x_only reproduce the shared files", { skip: skipShared }, async () => {
  const base = path.join(urialDir, "urial.txt");
  const run = async (...args: string[]) => {
    const c = captureIO();
    const code = await main(["prompt", "--base", base, ...args], c.io);
    assert.equal(code, 0, c.stderr());
    return c.stdout();
  };
  assert.equal(await run(), read("urial.txt"));
  assert.equal(await run("--ablation", "none"), read("qa_matching", "urial.correct.txt"));
  assert.equal(await run("--ablation", "circular_shift"), read("qa_matching", "urial.circular_shift.txt"));
  assert.equal(await run("--ablation", "circular_shift", "--shift", "1"), read("qa_matching", "urial.circular_shift.txt"));
  assert.equal(await run("--ablation", "x_only"), read("qa_matching", "urial.no_answer.txt"));
  assert.equal(await run("--query", "Hi there"), `${read("urial.txt")}\n# Query:\n\`\`\`\nHi there\n\`\`\`\n\n# Answer:\n\`\`\`\n`);
});

test("CLI prompt: --prepend --n --seed is deterministic and puts the new demos first; --no-urial; errors", async () => {
  const dir = tempDir();
  const base = path.join(dir, "base.txt");
  fs.writeFileSync(base, TINY);
  const pool = path.join(dir, "pool.jsonl");
  fs.writeFileSync(pool, Array.from({ length: 8 }, (_, i) => JSON.stringify({ instruction: `POOL-${i}`, output: `out ${i}`, category: i % 2 ? "odd" : "even" })).join("\n") + "\n");
  const run = async (...args: string[]) => {
    const c = captureIO();
    const code = await main(["prompt", "--base", base, ...args], c.io);
    return { code, out: c.stdout(), err: c.stderr() };
  };
  const a = await run("--prepend", pool, "--n", "3", "--seed", "5");
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, (await run("--prepend", pool, "--n", "3", "--seed", "5")).out);
  assert.notEqual(a.out, (await run("--prepend", pool, "--n", "3", "--seed", "6")).out);
  const parsed = parseUrialPrompt(a.out);
  assert.equal(parsed.demos.length, 6);
  assert.ok(parsed.demos.slice(0, 3).every((d) => d.query?.startsWith("POOL-")));
  assert.deepEqual(parsed.demos.slice(3).map((d) => d.query), ["Q1", "Q2", "Q3"]);
  const all = parseUrialPrompt((await run("--prepend", pool)).out);
  assert.deepEqual(all.demos.map((d) => d.query).slice(0, 8), loadDemoPool(pool).map((d) => d.query), "without --n: the whole file, in order");
  const noUrial = parseUrialPrompt((await run("--prepend", pool, "--n", "2", "--no-urial")).out);
  assert.equal(noUrial.demos.length, 2);
  const id = parseUrialPrompt((await run("--ablation", "in_domain_random", "--categories", "even,odd,even", "--pool", pool, "--seed", "2")).out);
  assert.match(id.demos[0]?.answer ?? "", /^out [0246]$/);
  assert.match(id.demos[1]?.answer ?? "", /^out [1357]$/);
  const missingCats = await run("--ablation", "in_domain_random", "--pool", pool);
  assert.equal(missingCats.code, 2);
  assert.match(missingCats.err, /has no category/);
  const badCats = await run("--categories", "a,b");
  assert.equal(badCats.code, 2);
  assert.match(badCats.err, /3 demonstrations, got 2/);
  const badAbl = await run("--ablation", "reverse");
  assert.equal(badAbl.code, 2);
  assert.match(badAbl.err, /--ablation must be one of none, no_demos, x_only/);
  const noDemos = await run("--ablation", "no_demos", "--query", "q");
  assert.equal(noDemos.out, "# Instruction\n\nRules here. \nMore rules.\n\n# Query:\n```\nq\n```\n\n# Answer:\n```\n");
  const badPool = path.join(dir, "bad.jsonl");
  fs.writeFileSync(badPool, '{"instruction": "x"}\n');
  const bad = await run("--prepend", badPool);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /bad\.jsonl:1: field "output"/);
});
