/**
 * MT-Bench scores against the Python tools' own logic on a real FastChat dump.
 *
 * Expected values: test/fixtures/mtbench-reference.gpt-4_single.json, produced by
 *   /usr/bin/python3 scripts/reference/mtbench_reference.py \
 *     ../shared/data/mt_bench/model_judgment/gpt-4_single.jsonl ../shared/data/mt_bench/question.jsonl
 * with Debian's python3-pandas 1.5.3 (the fixture records the version): policy "all" is FastChat
 * show_result.py --mode single (drop score == -1, groupby means; "Average" pooled over turns),
 * "last" is URIAL show_results.py (last row per (model, turn, question_id), then drop -1),
 * "first" is pandas drop_duplicates(keep="first") then drop -1; per-category means are both turns
 * pooled per question category.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { scoreJudgments, scoreJudgmentStream, type DedupePolicy } from "../lib/analysis/mtbenchScores";
import { loadJudgments, loadQuestions, parseJudgments, streamJudgments } from "../lib/io/mtbench";
import { InputError } from "../lib/model/errors";
import { main } from "../lib/cli/main";
import { captureIO, sharedMissing, sharedPath } from "./helpers";

const judgmentsFile = sharedPath("data", "mt_bench", "model_judgment", "gpt-4_single.jsonl");
const questionsFile = sharedPath("data", "mt_bench", "question.jsonl");
const skip = sharedMissing("data", "mt_bench");

interface RefModel {
  turn1: number;
  turn2: number;
  pooled: number;
  mean_of_turns: number;
  n_turn1: number;
  n_turn2: number;
  n_failed: number;
  n_duplicates: number;
  by_category: Record<string, number>;
}
const reference = JSON.parse(fs.readFileSync(require.resolve("./fixtures/mtbench-reference.gpt-4_single.json"), "utf8")) as {
  policies: Record<"all" | "last" | "first", Record<string, RefModel>> & { error: { duplicated_keys: number } };
};

function close(actual: number | null | undefined, expected: number, what: string): void {
  assert.ok(actual !== null && actual !== undefined, `${what}: missing`);
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: ${actual} vs reference ${expected}`);
}

for (const policy of ["all", "last", "first"] as const) {
  test(`scores with --dedupe ${policy} equal the pandas reference to 1e-12`, { skip }, async () => {
    const questions = loadQuestions(questionsFile);
    const got = await scoreJudgmentStream(streamJudgments(judgmentsFile), { dedupe: policy, questions, file: judgmentsFile });
    const ref = reference.policies[policy];
    assert.deepEqual(got.models.map((m) => m.model).sort(), Object.keys(ref).sort());
    for (const m of got.models) {
      const r = ref[m.model] as RefModel;
      close(m.turn1, r.turn1, `${m.model} turn1`);
      close(m.turn2, r.turn2, `${m.model} turn2`);
      close(m.pooled, r.pooled, `${m.model} pooled`);
      close(m.meanOfTurns, r.mean_of_turns, `${m.model} mean of turns`);
      assert.equal(m.nTurn1, r.n_turn1);
      assert.equal(m.nTurn2, r.n_turn2);
      assert.equal(m.nFailed, r.n_failed);
      assert.equal(m.nDuplicates, r.n_duplicates);
      for (const [c, v] of Object.entries(r.by_category)) close(m.byCategory?.[c], v, `${m.model} ${c}`);
    }
  });
}

test("--dedupe error refuses the file and counts the duplicated keys as pandas does", { skip }, () => {
  const js = loadJudgments(judgmentsFile);
  assert.throws(
    () => scoreJudgments(js, { dedupe: "error", file: judgmentsFile }),
    (e: unknown) => e instanceof InputError && e.message.includes(`${reference.policies.error.duplicated_keys} duplicated`) && e.message.includes("gpt-4_single.jsonl"),
  );
});

test("in-memory and streaming scoring agree, whatever the chunk boundaries", { skip }, async () => {
  const inMemory = scoreJudgments(loadJudgments(judgmentsFile), { dedupe: "last" });
  const streamed = await scoreJudgmentStream(streamJudgments(judgmentsFile), { dedupe: "last" });
  assert.deepEqual(streamed, inMemory);
});

test("the CLI prints the documented JSON for each policy", { skip }, async () => {
  for (const policy of ["all", "last", "first"] as DedupePolicy[]) {
    const c = captureIO();
    const code = await main(["mtbench-scores", "--judgments", judgmentsFile, "--questions", questionsFile, "--dedupe", policy, "--json"], c.io);
    assert.equal(code, 0, c.stderr());
    const out = JSON.parse(c.stdout()) as { models: Record<string, unknown>[] };
    for (const m of out.models) {
      assert.deepEqual(Object.keys(m), ["model", "turn1", "turn2", "pooled", "mean_of_turns", "n_turn1", "n_turn2", "n_failed", "n_duplicates", "by_category"]);
      const r = (reference.policies[policy as "all" | "last" | "first"] as Record<string, RefModel>)[m["model"] as string] as RefModel;
      close(m["pooled"] as number, r.pooled, `${policy} pooled`);
    }
  }
  const c = captureIO();
  assert.equal(await main(["mtbench-scores", "--judgments", judgmentsFile, "--dedupe", "error"], c.io), 1);
  assert.match(c.stderr(), /duplicated \(model, question, turn\) keys/);
});

test("scores: failures never enter a mean; counts travel with the result", () => {
  const rows = [
    { question_id: 1, model: "m", judge: ["gpt-4", "single-v1"], score: 8, turn: 1 },
    { question_id: 1, model: "m", judge: ["gpt-4", "single-v1"], score: -1, turn: 1 },
    { question_id: 1, model: "m", judge: ["gpt-4", "single-v1-multi-turn"], score: "$ERROR$", turn: 2 },
    { question_id: 2, model: "m", judge: ["gpt-4", "single-v1"], score: 6, turn: 1 },
  ];
  const text = rows.map((r) => JSON.stringify(r)).join("\n");
  const js = parseJudgments(text, "t.jsonl");
  assert.deepEqual(js[1]?.score, { kind: "failed", reason: "no_rating", raw: -1 });
  assert.deepEqual(js[2]?.score, { kind: "failed", reason: "error", raw: "$ERROR$" });
  const all = scoreJudgments(js, { dedupe: "all" }).models[0];
  assert.equal(all?.turn1, 7); // (8 + 6) / 2; the -1 row is dropped
  assert.equal(all?.turn2, null);
  assert.equal(all?.nFailed, 2);
  assert.equal(all?.nDuplicates, 1);
  const last = scoreJudgments(js, { dedupe: "last" }).models[0];
  assert.equal(last?.turn1, 6); // question 1's last row failed, so only question 2 counts
  assert.equal(last?.nFailed, 2);
  const first = scoreJudgments(js, { dedupe: "first" }).models[0];
  assert.equal(first?.turn1, 7);
  assert.equal(first?.nFailed, 1);
});
