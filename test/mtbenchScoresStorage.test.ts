/**
 * The compact per-cell storage of MtBenchScoreAccumulator (dense typed arrays, a Map for sparse
 * question numbers, byte-coded scores widening past 256 distinct values) on inputs the real
 * dump never exercises.
 *
 * Reference: the policies as documented, applied literally to the rows held in memory (keep every
 * row / the last / the first row of each (model, question, turn) key, drop failures, take means),
 * i.e. what scripts/reference/mtbench_reference.py does with pandas drop_duplicates and groupby
 * means. Means agree to 1e-12, counts exactly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { scoreJudgments } from "../lib/analysis/mtbenchScores";
import { InputError } from "../lib/model/errors";
import type { Judgment, Question, QuestionId } from "../lib/model/mtbench";

function row(model: string, questionId: QuestionId, turn: 1 | 2, score: number, line: number): Judgment {
  return {
    model,
    questionId,
    turn,
    judge: ["gpt-4", "single-v1"],
    score: score === -1 ? { kind: "failed", reason: "no_rating", raw: -1 } : { kind: "scored", score },
    line,
  };
}

/** Key identity as documented: integer ids by value, other ids by their text (1.5 = "1.5"). */
function key(j: Judgment): string {
  const q = j.questionId;
  const id = typeof q === "number" && Number.isSafeInteger(q) && Math.abs(q) < 2 ** 50 ? `n${q}` : `s${String(q)}`;
  return `${j.model}\u0000${id}\u0000${j.turn}`;
}

function reference(js: Judgment[], policy: "all" | "last" | "first", categoryOf: Map<string, string>) {
  const byKey = new Map<string, Judgment[]>();
  for (const j of js) byKey.set(key(j), [...(byKey.get(key(j)) ?? []), j]);
  const kept = policy === "all" ? js : [...byKey.values()].map((rs) => (policy === "last" ? rs[rs.length - 1] : rs[0]) as Judgment);
  const out = new Map<string, { t1: number[]; t2: number[]; failed: number; dups: number; cat: Map<string, number[]> }>();
  const model = (m: string) => {
    let o = out.get(m);
    if (o === undefined) out.set(m, (o = { t1: [], t2: [], failed: 0, dups: 0, cat: new Map() }));
    return o;
  };
  for (const rs of byKey.values()) model((rs[0] as Judgment).model).dups += rs.length - 1;
  for (const j of kept) {
    const o = model(j.model);
    if (j.score.kind !== "scored") {
      o.failed++;
      continue;
    }
    (j.turn === 1 ? o.t1 : o.t2).push(j.score.score);
    const c = categoryOf.get(String(j.questionId)) as string;
    o.cat.set(c, [...(o.cat.get(c) ?? []), j.score.score]);
  }
  return out;
}

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

function close(actual: number | null | undefined, expected: number | null, what: string): void {
  if (expected === null || actual === null || actual === undefined) assert.equal(actual, expected, what);
  else assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: ${actual} vs ${expected}`);
}

// "wide": 3,000 questions (slots up to 5,999) with 400 distinct scores, then re-judged with other
// scores and some failures. "sparse": created once 3,000 questions are known, judges only the
// last one (a lookup of 6,000 slots for 1 cell: stored as a Map). "mixed": string, non-integer
// and integer ids, where 1.5 and "1.5" are one key but 81 and "81" are two.
const js: Judgment[] = [];
const questions: Question[] = [];
const cats = ["writing", "math", "coding"];
for (let i = 0; i < 3000; i++) {
  questions.push({ questionId: i, category: cats[i % 3] as string, turns: ["a", "b"] });
  js.push(row("wide", i, 1, (i % 400) / 40, js.length + 1));
}
for (let i = 0; i < 3000; i += 7) js.push(row("wide", i, 1, i % 11 === 0 ? -1 : ((i * 13) % 101) / 10.1, js.length + 1));
js.push(row("sparse", 2999, 2, 7, js.length + 1), row("sparse", 2999, 2, 3.3, js.length + 1), row("sparse", 5, 1, -1, js.length + 1));
for (const id of ["q1", 1.5, "1.5", 81, "81", 2 ** 51, "q1"]) {
  if (!questions.some((q) => String(q.questionId) === String(id))) questions.push({ questionId: id, category: "mixed", turns: ["a"] });
  js.push(row("mixed", id, 1, js.length % 10, js.length + 1));
}
const categoryOf = new Map(questions.map((q) => [String(q.questionId), q.category]));

for (const policy of ["all", "last", "first"] as const) {
  test(`${policy}: dense, sparse and byte-coded cells give the documented policy's numbers`, () => {
    const got = scoreJudgments(js, { dedupe: policy, questions });
    const want = reference(js, policy, categoryOf);
    assert.deepEqual(got.models.map((m) => m.model), ["wide", "sparse", "mixed"]);
    for (const m of got.models) {
      const w = want.get(m.model);
      assert.ok(w, m.model);
      close(m.turn1, mean(w.t1), `${m.model} turn1`);
      close(m.turn2, mean(w.t2), `${m.model} turn2`);
      close(m.pooled, mean([...w.t1, ...w.t2]), `${m.model} pooled`);
      assert.equal(m.nTurn1, w.t1.length);
      assert.equal(m.nTurn2, w.t2.length);
      assert.equal(m.nFailed, w.failed, `${m.model} failed`);
      assert.equal(m.nDuplicates, w.dups, `${m.model} duplicates`);
      for (const c of [...cats, "mixed"]) close(m.byCategory?.[c], mean(w.cat.get(c) ?? []), `${m.model} ${c}`);
    }
    // The inputs reach the paths they are meant for.
    assert.equal(got.models.find((m) => m.model === "sparse")?.nDuplicates, 1);
    assert.equal(got.models.find((m) => m.model === "mixed")?.nDuplicates, 2); // 1.5 = "1.5", "q1" twice
  });
}

test("error: the duplicated keys of dense, sparse and mixed cells are counted and shown with their lines", () => {
  const nDup = [...new Set(js.map(key))].filter((k) => js.filter((j) => key(j) === k).length > 1).length;
  assert.throws(
    () => scoreJudgments(js, { dedupe: "error", file: "x.jsonl" }),
    (e: unknown) => e instanceof InputError && e.message.includes(`${nDup} duplicated`) && e.message.includes("(wide, question 0, turn 1) x2, lines 1..3001"),
  );
  const clean = js.filter((j) => j.model === "sparse").slice(1);
  assert.equal(scoreJudgments(clean, { dedupe: "error" }).models[0]?.turn2, 3.3);
});
