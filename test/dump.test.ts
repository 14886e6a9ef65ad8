/**
 * openDump: one read of a dump into arquero tables, scored by the same code as
 * `icl-workbench mtbench-scores`, and the refusal of ambiguous judgment files.
 *
 * References:
 * - the shared FastChat dump's scores: test/fixtures/mtbench-reference.gpt-4_single.json (pandas
 *   1.5.3 running FastChat show_result.py / URIAL show_results.py logic, see
 *   test/mtbenchScores.test.ts), to 1e-12;
 * - `mtbench-scores --json` run as a subprocess (bin/icl-workbench): must agree exactly;
 * - arquero's own `op.mean` over `dump.judgments` (a running mean, not sum / n): to 1e-12;
 * - the small dump's numbers are worked out by hand beside each assertion.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as aq from "arquero";
import { type Dump, openDump } from "../lib/dump";
import { DEFAULT_DEDUPE } from "../lib/analysis/dedupe";
import { parseJudgmentColumns } from "../lib/io/judgmentColumns";
import { InputError } from "../lib/model/errors";
import { repoRoot } from "../lib/paths";
import { sharedMissing, sharedPath, tempDir } from "./helpers";

const run = promisify(execFile);
const sharedDump = sharedPath("data", "mt_bench");
const skip = sharedMissing("data", "mt_bench");
const reference = JSON.parse(fs.readFileSync(require.resolve("./fixtures/mtbench-reference.gpt-4_single.json"), "utf8")) as {
  policies: Record<"all" | "last" | "first", Record<string, Record<string, number>>>;
};

function close(actual: unknown, expected: number, what: string): void {
  assert.equal(typeof actual, "number", `${what}: ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= 1e-12, `${what}: ${String(actual)} vs ${expected}`);
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [path.join(repoRoot, "bin", "icl-workbench"), ...args], { maxBuffer: 1 << 24 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

const SCORE_COLUMNS = ["turn1", "turn2", "pooled", "mean_of_turns", "n_turn1", "n_turn2", "n_failed", "n_duplicates"] as const;

/** The arquero turn means over dump.judgments equal dump.scores' turn means (failed rows are null and drop out). */
function assertRollupMatchesScores(dump: Dump): void {
  const rolled = dump.judgments
    .groupby("model", "turn")
    .rollup({ m: aq.op.mean("score"), n: aq.op.valid("score") })
    .objects() as { model: string; turn: number; m: number | undefined; n: number }[];
  const scores = dump.scores.objects() as Record<string, unknown>[];
  assert.ok(rolled.length > 0);
  for (const r of rolled) {
    const s = scores.find((x) => x["model"] === r.model);
    assert.ok(s, r.model);
    const want = s[`turn${r.turn}`] as number | null;
    assert.equal(r.n, s[`n_turn${r.turn}`], `${r.model} turn ${r.turn}: rows entering the mean`);
    if (want === null) assert.ok(r.m === undefined || r.m === null, `${r.model} turn ${r.turn}: no usable row`);
    else close(r.m, want, `${r.model} turn ${r.turn}`);
  }
  // every model and turn with a mean appears in the rollup
  for (const s of scores) for (const t of [1, 2]) if (s[`turn${t}`] !== null) assert.ok(rolled.some((r) => r.model === s["model"] && r.turn === t));
}

// ---------------------------------------------------------------- the shared FastChat dump

for (const policy of ["all", "last", "first"] as const) {
  test(`shared FastChat dump, dedupe ${policy}: dump.scores equal mtbench-scores --json and the pandas reference`, { skip }, async () => {
    const dump = await openDump(sharedDump, { dedupe: policy });
    assert.equal(dump.judge, "gpt-4");
    assert.equal(dump.dedupe, policy);
    const out = await cli(["mtbench-scores", "--judgments", path.join(sharedDump, "model_judgment", "gpt-4_single.jsonl"), "--questions", path.join(sharedDump, "question.jsonl"), "--dedupe", policy, "--json"]);
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout) as { models: Record<string, unknown>[] };
    const rows = dump.scores.objects() as Record<string, unknown>[];
    assert.deepEqual(rows.map((r) => r["model"]), json.models.map((m) => m["model"]));
    const cats = dump.categories.objects() as Record<string, unknown>[];
    for (const m of json.models) {
      const row = rows.find((r) => r["model"] === m["model"]) as Record<string, unknown>;
      for (const c of SCORE_COLUMNS) assert.equal(row[c], m[c], `${String(m["model"])} ${c}: same code, same number`);
      const ref = reference.policies[policy][m["model"] as string] as Record<string, number>;
      for (const c of ["turn1", "turn2", "pooled", "mean_of_turns"] as const) close(row[c], ref[c] as number, `${String(m["model"])} ${c} vs pandas`);
      for (const [cat, v] of Object.entries(m["by_category"] as Record<string, number>)) {
        assert.equal(cats.find((x) => x["model"] === m["model"] && x["category"] === cat)?.["pooled"], v, `${cat} pooled`);
      }
    }
    assertRollupMatchesScores(dump);
    // 330 rows, 10 duplicated rows in the Normal model: all keeps 330, last/first 320
    assert.equal(dump.judgments.numRows(), policy === "all" ? 330 : 320);
    assert.equal(dump.runs.numRows(), 0, "the shared dump has no manifest");
    assert.ok(dump.runs.columnNames().includes("base_model"));
    assert.equal(dump.questionScores.numRows(), 320, "2 models x 80 questions x 2 turns");
  });
}

test("shared FastChat dump, dedupe error: openDump and mtbench-scores both refuse it (it has duplicates)", { skip }, async () => {
  await assert.rejects(openDump(sharedDump, { dedupe: "error" }), (e: unknown) => e instanceof InputError && /10 duplicated \(model, question, turn\) keys/.test(e.message) && e.message.includes("gpt-4_single.jsonl"));
  const out = await cli(["mtbench-scores", "--judgments", path.join(sharedDump, "model_judgment", "gpt-4_single.jsonl"), "--dedupe", "error"]);
  assert.equal(out.code, 1);
  assert.match(out.stderr, /10 duplicated \(model, question, turn\) keys/);
});

test("the default policy is last for openDump and for mtbench-scores", { skip }, async () => {
  assert.equal(DEFAULT_DEDUPE, "last");
  const dump = await openDump(sharedDump);
  assert.equal(dump.dedupe, "last");
  const out = await cli(["mtbench-scores", "--judgments", path.join(sharedDump, "model_judgment", "gpt-4_single.jsonl"), "--json"]);
  const json = JSON.parse(out.stdout) as { models: Record<string, unknown>[] };
  const ref = reference.policies.last;
  for (const m of json.models) close(m["pooled"], (ref[m["model"] as string] as Record<string, number>)["pooled"] as number, `${String(m["model"])} default pooled = last`);
  assert.deepEqual(json.models.map((m) => m["pooled"]), dump.scores.array("pooled"));
});

// ---------------------------------------------------------------- a small dump with failures and duplicates

const QUESTIONS = [
  { question_id: 1, category: "math", turns: ["a", "b"] },
  { question_id: 2, category: "math", turns: ["a", "b"] },
  { question_id: 3, category: "writing", turns: ["a", "b"] },
];

function jrow(model: string, q: number, turn: 1 | 2, score: number | string, judge = "gpt-4", prompt?: string): string {
  const p = prompt ?? (turn === 1 ? "single-v1" : "single-v1-multi-turn");
  return JSON.stringify({ question_id: q, model, judge: [judge, p], score, turn, judgment: "long text [[x]]" });
}

function writeDump(lines: string[], manifest?: object[]): string {
  const dir = tempDir("icl-wb-dump-");
  fs.writeFileSync(path.join(dir, "question.jsonl"), QUESTIONS.map((q) => JSON.stringify(q)).join("\n") + "\n");
  fs.mkdirSync(path.join(dir, "model_judgment"));
  fs.writeFileSync(path.join(dir, "model_judgment", "gpt-4_single.jsonl"), lines.join("\n") + "\n");
  if (manifest) fs.writeFileSync(path.join(dir, "manifest.jsonl"), manifest.map((o) => JSON.stringify(o)).join("\n") + "\n");
  return dir;
}

const SMALL = [
  jrow("a", 1, 1, 4), // line 1
  jrow("a", 1, 1, 8), // line 2: duplicate of line 1
  jrow("a", 2, 1, -1), // line 3: failed
  jrow("a", 3, 1, 6), // line 4
  jrow("a", 1, 2, "$ERROR$"), // line 5: failed
  jrow("a", 1, 2, 5), // line 6: duplicate of line 5, scored
  jrow("a", 2, 2, 7), // line 7
  jrow("b", 1, 1, 9), // line 8: b is not in the manifest
  jrow("b", 2, 1, 3), // line 9
];
const MANIFEST = [
  { model_id: "a", base_model: "X", setting: "urial", temperature: 0.5 },
  { model_id: "c", base_model: "X", setting: "instruct" },
];

test("small dump: judgments, scores, categories and per-question tables under each policy", async () => {
  const dir = writeDump(SMALL, MANIFEST);
  // Hand-worked means of model a (failed rows never enter):
  //   all:   turn 1 {4, 8, 6} = 6;  turn 2 {5, 7} = 6;    failed 2 (lines 3, 5)
  //   last:  turn 1 {8, 6} = 7;     turn 2 {5, 7} = 6;    failed 1 (line 3; line 5 replaced by 6)
  //   first: turn 1 {4, 6} = 5;     turn 2 {7} = 7;       failed 2 (line 3, line 5 kept over 6)
  const want = {
    all: { turn1: 6, turn2: 6, n_turn1: 3, n_turn2: 2, n_failed: 2, rows: 9, q11: 6 },
    last: { turn1: 7, turn2: 6, n_turn1: 2, n_turn2: 2, n_failed: 1, rows: 7, q11: 8 },
    first: { turn1: 5, turn2: 7, n_turn1: 2, n_turn2: 1, n_failed: 2, rows: 7, q11: 4 },
  } as const;
  for (const policy of ["all", "last", "first"] as const) {
    const dump = await openDump(dir, { dedupe: policy, env: {} });
    const w = want[policy];
    const a = (dump.scores.objects() as Record<string, unknown>[]).find((r) => r["model"] === "a") as Record<string, unknown>;
    assert.deepEqual([a["turn1"], a["turn2"], a["n_turn1"], a["n_turn2"], a["n_failed"], a["n_duplicates"]], [w.turn1, w.turn2, w.n_turn1, w.n_turn2, w.n_failed, 2], policy);
    assert.equal(a["pooled"], (w.turn1 * w.n_turn1 + w.turn2 * w.n_turn2) / (w.n_turn1 + w.n_turn2));
    // factors joined from the manifest; b is judged but not in the manifest: null factors
    assert.deepEqual([a["base_model"], a["setting"], a["temperature"], a["ablation"]], ["X", "urial", 0.5, "none"]);
    const b = (dump.scores.objects() as Record<string, unknown>[]).find((r) => r["model"] === "b") as Record<string, unknown>;
    assert.deepEqual([b["turn1"], b["turn2"], b["setting"]], [6, null, null]); // (9 + 3) / 2
    assert.equal(dump.judgments.numRows(), w.rows);
    const j = dump.judgments.objects() as Record<string, unknown>[];
    assert.deepEqual(j.map((r) => r["line"]), [...j.map((r) => r["line"] as number)].sort((x, y) => x - y), "file order");
    const failedRows = j.filter((r) => r["failed"] === true);
    assert.equal(failedRows.length, w.n_failed);
    assert.ok(failedRows.every((r) => r["score"] === null));
    assert.ok(j.every((r) => r["judge"] === "gpt-4" && typeof r["judge_prompt"] === "string"));
    assertRollupMatchesScores(dump);
    const q = dump.questionScores.objects() as Record<string, unknown>[];
    const cell = (m: string, qid: number, t: number) => q.find((r) => r["model"] === m && r["question_id"] === qid && r["turn"] === t);
    assert.equal(cell("a", 1, 1)?.["score"], w.q11);
    assert.deepEqual([cell("a", 2, 1)?.["score"], cell("a", 2, 1)?.["n"]], [null, 0], "question 2 turn 1 only failed");
    assert.equal(cell("a", 1, 1)?.["category"], "math");
    const cats = dump.categories.objects() as Record<string, unknown>[];
    const aw = cats.find((r) => r["model"] === "a" && r["category"] === "writing");
    assert.deepEqual([aw?.["turn1"], aw?.["turn2"], aw?.["pooled"]], [6, null, 6]);
  }
  const last = await openDump(dir, { env: {} });
  assert.equal(last.dedupe, "last");
  assert.deepEqual(last.runs.columnNames().slice(0, 4), ["model_id", "base_model", "setting", "label"]);
  assert.deepEqual(last.runs.array("model_id"), ["a", "c"]);
  assert.deepEqual(last.problems.runsWithoutJudgments, ["c"]);
  assert.deepEqual(last.problems.unexpectedModels, ["b"]);
  assert.equal(last.alpacaEval, null);
  assert.equal(last.hidden, null);
  assert.match(last.describe(), /runs without any judgment: c/);
  assert.match(last.describe(), /judged models missing from the manifest \(ignored\): b/);
  await assert.rejects(openDump(dir, { dedupe: "error", env: {} }), (e: unknown) => e instanceof InputError && e.message.includes("2 duplicated") && e.message.includes("(a, question 1, turn 1) x2, lines 1..2"));
});

// ---------------------------------------------------------------- ambiguous input

test("a file with rows of two judges is refused with file, line and field, unless one is selected", async () => {
  const lines = [jrow("a", 1, 1, 4), jrow("a", 2, 1, 6), jrow("a", 1, 1, 9, "gpt-4-turbo"), jrow("a", 3, 1, 8), jrow("a", 2, 1, 2, "gpt-4-turbo")];
  const dir = writeDump(lines);
  const file = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
  const atLine3 = (e: unknown) => e instanceof InputError && e.file === file && e.line === 3 && e.field === "judge" && /more than one judge/.test(e.message);
  await assert.rejects(openDump(dir, { env: {} }), atLine3);
  const out = await cli(["mtbench-scores", "--judgments", file]);
  assert.equal(out.code, 1);
  assert.ok(out.stderr.includes(`${file}:3: field "judge"`), out.stderr);

  const gpt4 = await openDump(dir, { judge: "gpt-4", env: {} });
  assert.deepEqual(gpt4.problems.otherJudges, { "gpt-4-turbo": 2 });
  assert.deepEqual(gpt4.scores.array("turn1"), [6]); // (4 + 6 + 8) / 3
  assert.match(gpt4.describe(), /rows of other judges left out \(judge gpt-4 selected\): gpt-4-turbo 2/);
  const turbo = await openDump(dir, { judge: "gpt-4-turbo", env: {} });
  assert.deepEqual(turbo.scores.array("turn1"), [5.5]); // (9 + 2) / 2
  assert.deepEqual(turbo.problems.otherJudges, { "gpt-4": 3 });
  assert.deepEqual(turbo.judgments.array("line"), [3, 5]);
  const sel = await cli(["mtbench-scores", "--judgments", file, "--judge-model", "gpt-4-turbo", "--json"]);
  assert.equal(sel.code, 0, sel.stderr);
  const json = JSON.parse(sel.stdout) as { other_judges: Record<string, number>; models: Record<string, unknown>[] };
  assert.deepEqual(json.other_judges, { "gpt-4": 3 });
  assert.equal(json.models[0]?.["turn1"], 5.5);
  await assert.rejects(openDump(dir, { judge: "claude", env: {} }), (e: unknown) => e instanceof InputError && e.field === "judge" && /no row of judge "claude"/.test(e.message));
});

test("a turn graded with the other turn's judge prompt is refused with file, line and field", () => {
  const turn1Multi = [jrow("a", 1, 1, 4), jrow("a", 2, 1, 6, "gpt-4", "single-math-v1-multi-turn")].join("\n");
  assert.throws(
    () => parseJudgmentColumns(turn1Multi, "j.jsonl"),
    (e: unknown) => e instanceof InputError && e.file === "j.jsonl" && e.line === 2 && e.field === "judge" && /turn 1 graded with the multi-turn judge prompt "single-math-v1-multi-turn"/.test(e.message),
  );
  const turn2Single = [jrow("a", 1, 1, 4), jrow("a", 1, 2, 5), jrow("a", 2, 2, 6, "gpt-4", "single-v1")].join("\n");
  assert.throws(
    () => parseJudgmentColumns(turn2Single, "j.jsonl"),
    (e: unknown) => e instanceof InputError && e.line === 3 && e.field === "judge" && /turn 2 graded with the single-turn judge prompt "single-v1"/.test(e.message),
  );
  const ok = parseJudgmentColumns([jrow("a", 1, 1, 4), jrow("a", 1, 2, 5, "gpt-4", "single-math-v1-multi-turn")].join("\n"), "j.jsonl");
  assert.deepEqual([ok.nRows, ok.prompts], [2, ["single-v1", "single-math-v1-multi-turn"]]);
});

test("openDump reports a wrong prompt in a dump file with its path and line", async () => {
  const dir = writeDump([jrow("a", 1, 1, 4), jrow("a", 1, 2, 5, "gpt-4", "single-v1")]);
  await assert.rejects(openDump(dir, { env: {} }), (e: unknown) => e instanceof InputError && e.file.endsWith("gpt-4_single.jsonl") && e.line === 2 && e.field === "judge");
});
