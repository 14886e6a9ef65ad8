import { test } from "node:test";
import assert from "node:assert/strict";
import { scoreJudgments } from "../lib/analysis/mtbenchScores";
import {
  reproductionReport,
  reproductionSummary,
  formatReproductionSummary,
  table2Layout,
  table7Layout,
  unmatchedRuns,
  urialVsInstructRows,
} from "../lib/analysis/urialVsInstruct";
import { BASE_MODEL_COLORS, baseModelInLabel } from "../lib/figures/theme";
import { categoryBars } from "../lib/figures/categoryBars";
import { parseCsv, formatCsv } from "../lib/io/csv";
import { parseManifest } from "../lib/io/manifest";
import { parseJudgments, parseQuestions } from "../lib/io/mtbench";
import { parsePublishedCategoryTable, parsePublishedTurnTable } from "../lib/io/paperTables";
import { InputError } from "../lib/model/errors";
import { matchSnapshot } from "./snapshot";
import { formatTable } from "../lib/notebook/table";

const questions = parseQuestions(
  ['{"question_id": 1, "category": "math", "turns": ["a", "b"]}', '{"question_id": 2, "category": "writing", "turns": ["a", "b"]}'].join("\n"),
);
const manifest = parseManifest(
  [
    '{"model_id": "x-inst", "base_model": "X", "setting": "instruct", "label": "X-Instruct"}',
    '{"model_id": "x-urial", "base_model": "X", "setting": "urial", "label": "X + URIAL"}',
    '{"model_id": "y-urial", "base_model": "Y", "setting": "urial"}',
    '{"model_id": "x-greedy", "base_model": "X", "setting": "icl-greedy"}',
  ].join("\n"),
  "manifest.jsonl",
);
function j(model: string, q: number, turn: number, score: number): string {
  return JSON.stringify({ question_id: q, model, judge: ["gpt-4", "single-v1"], score, turn });
}
const judgments = parseJudgments(
  [
    j("x-urial", 1, 1, 4), j("x-urial", 1, 2, 2), j("x-urial", 2, 1, 8), j("x-urial", 2, 2, 6),
    j("x-inst", 1, 1, 6), j("x-inst", 1, 2, 5), j("x-inst", 2, 1, 9), j("x-inst", 2, 2, 8),
    j("y-urial", 1, 1, 3), j("y-urial", 2, 1, 5),
    j("x-greedy", 1, 1, 7),
  ].join("\n"),
);
const scores = scoreJudgments(judgments, { questions });

test("rows are grouped by base model, URIAL before instruct, other settings left out", () => {
  const rows = urialVsInstructRows(scores, manifest.rows);
  assert.deepEqual(rows.map((r) => r.modelId), ["x-urial", "x-inst", "y-urial"]);
  const xu = rows[0];
  assert.equal(xu?.turn1, 6); // (4 + 8) / 2
  assert.equal(xu?.turn2, 4); // (2 + 6) / 2
  assert.equal(xu?.average, 5);
  assert.deepEqual(xu?.byCategory, { math: 3, writing: 7 });
  assert.equal(rows[2]?.turn2, null);
  const t2 = table2Layout(rows);
  assert.deepEqual(t2.columns, ["model", "base_model", "setting", "turn1", "turn2", "average", "failed"]);
  assert.equal(t2.rows[0]?.["model"], "X + URIAL");
  const t7 = table7Layout(rows, ["math", "writing"]);
  assert.deepEqual(t7.rows[1], { model: "X-Instruct", math: 5.5, writing: 8.5, average: 7 });
});

test("the reproduction report puts published and reproduced numbers side by side", () => {
  const rows = urialVsInstructRows(scores, manifest.rows);
  const table2 = parsePublishedTurnTable("row_label,base_model,setting,source,turn1,turn2,average\nX + URIAL,X,urial,this_paper,6.5,3.5,5.0\nX-Instruct,X,instruct,this_paper,7.5,6.5,\n", "t2.csv");
  const table7 = parsePublishedCategoryTable(
    "row_label,base_model,setting,source,coding,math,reasoning,extraction,humanities,roleplay,stem,writing,average\nX + URIAL,X,urial,urial_repo,,2.5,,,,,,7.5,5.0\n",
    "t7.csv",
  );
  const report = reproductionReport(rows, table2, table7);
  const get = (setting: string, measure: string) => report.find((r) => r.setting === setting && r.measure === measure);
  assert.deepEqual(get("urial", "turn1"), { baseModel: "X", setting: "urial", measure: "turn1", published: 6.5, reproduced: 6, difference: -0.5, table: "table2" });
  assert.equal(get("instruct", "average")?.difference, null); // published cell empty
  assert.equal(get("urial", "math")?.difference, 0.5);
  assert.equal(get("urial", "coding")?.published, null);
  assert.deepEqual(unmatchedRuns(rows, table2).map((r) => r.modelId), ["y-urial"]);
  const s = reproductionSummary(report);
  assert.equal(s.maxAbsDifference, 0.5);
  assert.match(formatReproductionSummary(s), /^\d+ cells compared: mean \|reproduced − published\| = \d\.\d\d, max = 0\.50$/);
  assert.equal(formatReproductionSummary({ n: 0, maxAbsDifference: null, meanAbsDifference: null }), "no cell has both a published and a reproduced number");
});

test("tables print counts without decimals and scores with two", () => {
  const text = formatTable({ columns: ["model", "turn1", "failed", "n_runs"], rows: [{ model: "a", turn1: 8, failed: 1, n_runs: 5 }] });
  assert.equal(text.split("\n")[2], "a       8.00       1       5");
  const listed = formatTable({ columns: ["model", "k"], rows: [{ model: "a", k: 3 }], countColumns: ["k"] });
  assert.equal(listed.split("\n")[2], "a      3");
  const p = formatTable({ columns: ["model", "wilcoxon_p", "mean"], rows: [{ model: "a", wilcoxon_p: 9.313225746154785e-10, mean: 7 }, { model: "b", wilcoxon_p: 0.0465, mean: 6.5 }] });
  assert.deepEqual(p.split("\n").slice(2), ["a        9.31e-10  7.00", "b          0.0465  6.50"]);
});

test("published tables: bad cells are errors naming file, line and field", () => {
  assert.throws(
    () => parsePublishedTurnTable("row_label,base_model,setting,source,turn1,turn2,average\nA,X,urial,this_paper,seven,1,1\n", "t2.csv"),
    (e: unknown) => e instanceof InputError && e.line === 2 && e.field === "turn1" && /seven/.test(e.message),
  );
  assert.throws(
    () => parsePublishedTurnTable("row_label,base_model,setting,source,turn1,turn2,average\nA,X,rlhf,this_paper,1,1,1\n", "t2.csv"),
    (e: unknown) => e instanceof InputError && e.field === "setting",
  );
});

test("csv: quotes, commas, CRLF, ragged rows", () => {
  const t = parseCsv('a,b\r\n"x, ""y""",2\r\n"multi\nline",3\n', "c.csv");
  assert.deepEqual(t.rows.map((r) => r.values), [{ a: 'x, "y"', b: "2" }, { a: "multi\nline", b: "3" }]);
  assert.equal(t.rows[1]?.line, 3);
  assert.deepEqual(parseCsv(formatCsv(["a", "b"], [{ a: 'x, "y"', b: 2 }, { a: null, b: "z" }])).rows.map((r) => r.values), [{ a: 'x, "y"', b: "2" }, { a: "", b: "z" }]);
  assert.throws(() => parseCsv("a,b\n1\n", "c.csv"), (e: unknown) => e instanceof InputError && e.line === 2);
});

test("category bars figure spec (snapshot)", () => {
  const rows = urialVsInstructRows(scores, manifest.rows);
  const fig = categoryBars(
    { categories: ["math", "writing"], series: rows.map((r) => ({ name: r.label, values: [r.byCategory["math"] ?? null, r.byCategory["writing"] ?? null] })) },
    { title: "MT-Bench per category", exampleData: true },
  );
  assert.equal(fig.data.length, 3);
  assert.equal(fig.layout["barmode"], "group");
  // a bar's colour is its base model's, the same in every figure (lib/figures/theme.ts)
  for (const t of fig.data) {
    const model = baseModelInLabel(String(t["name"]));
    if (model !== null && BASE_MODEL_COLORS[model] !== undefined) assert.equal((t["marker"] as { color: string }).color, BASE_MODEL_COLORS[model], String(t["name"]));
  }
  matchSnapshot("category-bars", fig);
  assert.throws(() => categoryBars({ categories: ["a"], series: [{ name: "s", values: [1, 2] }] }), /2 values for 1 categories/);
});
