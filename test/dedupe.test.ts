/**
 * dedupeJudgments, the one dedupe implementation, on both of its cell lookups (a dense slot array
 * and, when models x questions is large against the rows, a Map per model).
 *
 * Reference: the policies as documented in data/README.md applied literally with one Map entry
 * per (model, question key, turn) in the test (keep every row / the first / the last row of each
 * key, kept rows in file order), as pandas `drop_duplicates(keep=...)` does in
 * scripts/reference/mtbench_reference.py.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { dedupeJudgments } from "../lib/analysis/dedupe";
import { JudgmentColumnsBuilder } from "../lib/io/judgmentColumns";
import { InputError } from "../lib/model/errors";
import type { Judgment } from "../lib/model/mtbench";

function judgments(nModels: number, nQuestions: number, nRows: number): Judgment[] {
  const out: Judgment[] = [];
  for (let i = 0; i < nRows; i++) {
    // a deterministic scatter with repeats: (i * 7919) mod primes
    const model = `m${(i * 7919) % nModels}`;
    const questionId = (i * 104729 + Math.floor(i / 3)) % nQuestions;
    const turn = ((i * 31) % 2) + 1;
    out.push({ model, questionId, turn: turn as 1 | 2, judge: ["gpt-4", "p"], score: i % 13 === 0 ? { kind: "failed", reason: "no_rating", raw: -1 } : { kind: "scored", score: i % 11 }, line: i + 1 });
  }
  // re-judged cells: every 10th row's key again at the end, with another score
  for (let i = 0; i < nRows; i += 10) out.push({ ...(out[i] as Judgment), score: { kind: "scored", score: (i % 7) + 1 }, line: out.length + 1 });
  return out;
}

function reference(js: Judgment[], policy: "all" | "first" | "last"): number[] {
  if (policy === "all") return js.map((_, i) => i);
  const keep = new Map<string, number>();
  js.forEach((j, i) => {
    const k = `${j.model}\u0000${j.questionId}\u0000${j.turn}`;
    if (policy === "last" || !keep.has(k)) keep.set(k, i);
  });
  return [...keep.values()].sort((a, b) => a - b);
}

for (const [name, nModels, nQuestions, nRows] of [
  ["dense lookup", 7, 40, 2000],
  ["Map lookup (200 models x 2,000 questions, 1,500 rows)", 200, 2000, 1500],
] as const) {
  test(`${name}: kept rows, cells and counts follow the documented policies`, () => {
    const js = judgments(nModels, nQuestions, nRows);
    const n = js.length;
    const b = new JudgmentColumnsBuilder();
    for (const j of js) b.add(j);
    const cols = b.finish();
    assert.ok((name.startsWith("Map") ? 1 : 0) === (cols.models.length * 2 * cols.questionIds.length > Math.max(1 << 16, 8 * n) ? 1 : 0), "the input reaches the lookup it is named for");
    for (const policy of ["all", "first", "last"] as const) {
      const d = dedupeJudgments(cols, policy);
      const want = reference(js, policy);
      assert.deepEqual([...d.rows], want, policy);
      const keys = new Set(js.map((j) => `${j.model}\u0000${j.questionId}\u0000${j.turn}`));
      assert.equal(d.nCells, keys.size);
      const dups = n - keys.size;
      assert.ok(dups >= nRows / 10, "the input has duplicates");
      assert.equal(d.modelDuplicates.reduce((a, x) => a + x, 0), dups);
      assert.equal(d.modelDropped.reduce((a, x) => a + x, 0), policy === "all" ? 0 : dups);
      assert.equal(d.modelRows.reduce((a, x) => a + x, 0), n);
      // every row's cell is the cell of its key
      for (let r = 0; r < n; r++) {
        const c = d.cellOfRow[r] as number;
        const j = js[r] as Judgment;
        assert.equal(cols.models[d.cellModel[c] as number], j.model);
        assert.equal(cols.questionIds[d.cellQuestion[c] as number], j.questionId);
        assert.equal(d.cellTurn[c], j.turn);
      }
    }
    assert.throws(() => dedupeJudgments(cols, "error"), (e: unknown) => e instanceof InputError && e.message.includes(`duplicated (model, question, turn) keys`));
  });
}
