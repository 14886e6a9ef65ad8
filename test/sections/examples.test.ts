/**
 * The bundled section example dumps (data/examples/<section>/): made by their seeded generators
 * (scripts/examples/*.ts), byte for byte; marked as example data; small; loadable; synthetic
 * questions (never MT-Bench's).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadQuestions } from "../../lib/io/mtbench";
import { MTBENCH_CATEGORIES } from "../../lib/model/paper";
import { fromRepo } from "../../lib/paths";
import { loadMtBenchRun } from "../../lib/pipeline/mtbench";
import { alpacaSummaries, describeAlpacaDump, loadAlpacaEvalDump } from "../../lib/pipeline/alpacaEvalDump";
import { dumpJudges, loadMtBenchRunIfJudged } from "../../lib/pipeline/judgeFiles";
import { SECTION_EXAMPLES } from "../../scripts/examples/sections";
import { allExampleDumps, examplesReadme } from "../../scripts/make-example-dumps";
import { sharedMissing, sharedPath } from "../helpers";

/** Judge files of each example dump. */
const JUDGES: Record<string, string[]> = { greedy: ["gpt-4", "gpt-4-turbo"] };
const SECTIONS = SECTION_EXAMPLES.map((s) => ({ ...s, judges: JUDGES[s.dir] ?? ["gpt-4"] }));

function listFiles(dir: string, rel = ""): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel === "" ? e.name : `${rel}/${e.name}`;
    return e.isDirectory() ? listFiles(dir, r) : [r];
  });
}

for (const s of SECTIONS) {
  test(`data/examples/${s.dir} is exactly what its generator writes, and the generator is deterministic`, () => {
    const files = s.make();
    assert.deepEqual(s.make(s.seed), files, "the default seed is the declared one, and the same seed gives the same files");
    const dir = fromRepo("data", "examples", s.dir);
    assert.deepEqual(listFiles(dir).sort(), Object.keys(files).sort(), `files of ${dir}`);
    for (const [rel, text] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(dir, rel), "utf8") === text, `${rel} differs from the generator's output (regenerate: node --import tsx scripts/examples/<section>.ts)`);
    const bytes = Object.values(files).reduce((a, t) => a + Buffer.byteLength(t), 0);
    assert.ok(bytes < 2.5 * 1024 * 1024, `${s.dir} is ${bytes} bytes`);
    assert.match(files["EXAMPLE_DATA"] ?? "", /not results/);
    assert.match(files["README.md"] ?? "", /not results/);
    assert.match(files["README.md"] ?? "", new RegExp(`scripts/examples/\\w+\\.ts\` with seed \\d+`));
  });

  test(`data/examples/${s.dir} loads, is marked as example data and has failed judgments`, async () => {
    const dir = fromRepo("data", "examples", s.dir);
    const questions = loadQuestions(path.join(dir, "question.jsonl"));
    assert.deepEqual(questions.map((q) => q.questionId), Array.from({ length: 80 }, (_, i) => 81 + i));
    for (const c of MTBENCH_CATEGORIES) assert.equal(questions.filter((q) => q.category === c).length, 10, c);
    for (const judge of s.judges) {
      const run = await loadMtBenchRun(dir, { judge, dedupe: "last" });
      assert.ok(run.files.example);
      assert.ok(run.manifest !== null);
      assert.ok(run.scores.models.some((m) => m.nFailed > 0), `${judge}: a few judgments fail, as in real dumps`);
      assert.ok(run.scores.models.some((m) => m.nDuplicates > 0), `${judge}: a rerun appended to the file`);
    }
  });
}

test("the example AlpacaEval folders hold one annotations.json per run and a leaderboard", () => {
  for (const dir of ["greedy", "transfer"]) {
    const a = loadAlpacaEvalDump(fromRepo("data", "examples", dir));
    assert.ok(a !== null && a.leaderboard !== null);
    for (const [model, m] of a.models) {
      const row = a.leaderboard.byName.get(model);
      assert.ok(row !== undefined, `${dir}: leaderboard row for ${model}`);
      // the leaderboard's win rate is the one recomputed from the annotations (alpaca_eval's get_winrate)
      assert.ok(Math.abs(row.winRate - (m.winRate.winRate ?? -1)) < 1e-8, `${dir}/${model}: ${row.winRate} vs ${m.winRate.winRate}`);
      assert.ok(row.lengthControlledWinRate !== null);
      assert.equal(alpacaSummaries(a).get(model)?.lengthControlledSource, "dump leaderboard");
    }
    assert.match(describeAlpacaDump(a), /lc_source: dump leaderboard/);
  }
  assert.equal(loadAlpacaEvalDump(fromRepo("data", "examples", "decoding")), null);
  assert.match(describeAlpacaDump(null), /published LC/);
});

test("the example questions are placeholders, never MT-Bench's", (t) => {
  const why = sharedMissing("data", "mt_bench", "question.jsonl");
  if (why) return t.skip(why);
  const real = new Set(loadQuestions(sharedPath("data", "mt_bench", "question.jsonl")).flatMap((q) => q.turns));
  for (const s of SECTIONS) {
    for (const q of loadQuestions(fromRepo("data", "examples", s.dir, "question.jsonl"))) {
      for (const turn of q.turns) assert.ok(!real.has(turn), `${s.dir} question ${q.questionId}`);
      assert.match(q.turns[0] ?? "", /placeholder/);
    }
  }
});

test("a judge's file is loaded only when the dump has it", async () => {
  assert.deepEqual(dumpJudges(fromRepo("data", "examples", "greedy")), ["gpt-4", "gpt-4-turbo"]);
  assert.equal(await loadMtBenchRunIfJudged(fromRepo("data", "examples", "decoding"), { judge: "gpt-4-turbo" }), null);
  const run = await loadMtBenchRunIfJudged(fromRepo("data", "examples", "greedy"), { judge: "gpt-4-turbo", dedupe: "all" });
  assert.equal(run?.judge, "gpt-4-turbo");
});

test("npm run examples writes every dump byte for byte, and data/examples/README.md says they are not results", () => {
  const all = allExampleDumps();
  assert.deepEqual(Object.keys(all).sort(), ["mtbench-urial", ...SECTION_EXAMPLES.map((s) => s.dir)].sort());
  let total = 0;
  for (const [dir, files] of Object.entries(all)) {
    for (const [rel, text] of Object.entries(files)) {
      assert.ok(fs.readFileSync(fromRepo("data", "examples", dir, rel), "utf8") === text, `data/examples/${dir}/${rel} differs from the generator (npm run examples)`);
      total += Buffer.byteLength(text);
    }
  }
  assert.ok(total < 10 * 1024 * 1024, `generated example data is ${total} bytes`);
  const readme = fs.readFileSync(fromRepo("data", "examples", "README.md"), "utf8");
  assert.equal(readme, examplesReadme());
  assert.match(readme, /NOT results/);
  assert.match(readme, /not results and say nothing/);
  for (const dir of Object.keys(all)) assert.ok(readme.includes(`\`${dir}/\``), `README lists ${dir}`);
  assert.match(all["mtbench-urial"]?.["EXAMPLE_DATA"] ?? "", /not results/);
});
