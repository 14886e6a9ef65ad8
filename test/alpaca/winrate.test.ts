/**
 * AlpacaEval 2.0 win rates recomputed from annotations.json against the real leaderboard.
 *
 * Reference implementation: alpaca_eval (tatsu-lab/alpaca_eval, src/alpaca_eval/metrics/
 * winrate.py `get_winrate` -> helpers.py `AbsoluteScoringRule().describe_head2head` and
 * `ZeroOneScoringRule().describe_head2head(...)["win_rate"]`; main.py
 * `int(model_outputs["output"].str.len().mean())` for avg_length). The expected values of the
 * small cases are worked by hand from that code and checked with pandas 1.5.3 / numpy 1.24.2:
 * `p = pd.Series(prefs).replace({0: 1.5}).astype(float); q = p[(p >= 1) & (p <= 2)] - 1;
 * q.mean()*100, q.sem()*100` and
 * `pd.Series(prefs).replace({1.5: 0}).round()` for the discrete rate.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { alpacaWinRate, codePointLength, discretePoint, roundHalfEven, winRateToJson } from "../../lib/analysis/alpacaEval";
import {
  classifyPreference,
  lineOfArrayElement,
  loadAlpacaAnnotations,
  loadLeaderboardCsv,
  loadModelOutputs,
  parseAlpacaAnnotations,
  parseInstructionDifficulty,
  parseLeaderboardCsv,
  parseModelOutputs,
} from "../../lib/io/alpacaEval";
import { InputError } from "../../lib/model/errors";
import { main } from "../../lib/cli/main";
import { captureIO, sharedMissing, sharedPath, tempDir } from "../helpers";

const LEADERBOARD = ["data", "alpaca_eval", "weighted_alpaca_eval_gpt4_turbo_leaderboard.csv"];
const MODELS = ["alpaca-7b", "falcon-7b-instruct"] as const;

function ann(preference: unknown, output2: string | null = "x", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { instruction: "i", output_1: "base", output_2: output2, generator_1: "base", generator_2: "m", preference, ...extra };
}
function parse(items: Record<string, unknown>[]) {
  return parseAlpacaAnnotations(JSON.stringify(items, null, 2), "a.json");
}

for (const model of MODELS) {
  test(`win rate of ${model} equals the leaderboard row to 1e-9`, (t) => {
    const missing = sharedMissing("data", "alpaca_eval", model) || sharedMissing(...LEADERBOARD);
    if (missing) return t.skip(missing);
    const board = loadLeaderboardCsv(sharedPath(...LEADERBOARD));
    const row = board.byName.get(model);
    assert.ok(row, `leaderboard has a row for ${model}`);
    const annotations = loadAlpacaAnnotations(sharedPath("data", "alpaca_eval", model, "annotations.json"));
    const outputs = loadModelOutputs(sharedPath("data", "alpaca_eval", model, "model_outputs.json"));
    const w = alpacaWinRate(annotations, outputs);
    assert.deepEqual(w.models, [model]);
    assert.ok(Math.abs((w.winRate as number) - row.winRate) <= 1e-9, `win_rate ${w.winRate} vs ${row.winRate}`);
    assert.ok(Math.abs((w.standardError as number) - (row.standardError as number)) <= 1e-9, `se ${w.standardError} vs ${row.standardError}`);
    assert.ok(Math.abs((w.discreteWinRate as number) - (row.discreteWinRate as number)) <= 1e-9, `discrete ${w.discreteWinRate} vs ${row.discreteWinRate}`);
    assert.equal(w.nWins, row.nWins);
    assert.equal(w.nWinsBase, row.nWinsBase);
    assert.equal(w.nDraws, row.nDraws);
    assert.equal(w.nTotal, row.nTotal);
    assert.equal(w.avgLength, row.avgLength);
    assert.equal(w.avgLengthSource, "model_outputs");
  });

  test(`alpaca-winrate --json on ${model} prints exactly the leaderboard's fields`, async (t) => {
    const missing = sharedMissing("data", "alpaca_eval", model) || sharedMissing(...LEADERBOARD);
    if (missing) return t.skip(missing);
    const row = loadLeaderboardCsv(sharedPath(...LEADERBOARD)).byName.get(model);
    assert.ok(row);
    const c = captureIO();
    const dir = sharedPath("data", "alpaca_eval", model);
    const code = await main(["alpaca-winrate", "--annotations", path.join(dir, "annotations.json"), "--model-outputs", path.join(dir, "model_outputs.json"), "--json"], c.io);
    assert.equal(code, 0, c.stderr());
    const o = JSON.parse(c.stdout()) as Record<string, number>;
    assert.deepEqual(Object.keys(o), ["win_rate", "standard_error", "n_wins", "n_wins_base", "n_draws", "n_total", "discrete_win_rate", "avg_length"]);
    assert.ok(Math.abs((o["win_rate"] as number) - row.winRate) <= 1e-9);
    assert.ok(Math.abs((o["standard_error"] as number) - (row.standardError as number)) <= 1e-9);
    assert.deepEqual([o["n_wins"], o["n_wins_base"], o["n_draws"], o["n_total"], o["avg_length"]], [row.nWins, row.nWinsBase, row.nDraws, row.nTotal, row.avgLength]);
    assert.equal(c.stderr(), "");
  });
}

test("alpaca-winrate --json with only --annotations has the same keys and says where avg_length came from", async () => {
  const dir = tempDir();
  const file = path.join(dir, "annotations.json");
  fs.writeFileSync(file, JSON.stringify([ann(2, "abc", { instruction: "i1" }), ann(1, "a", { instruction: "i2" }), ann(1.5, "ab", { instruction: "i3" }), ann(0, "abcd", { instruction: "i4" })]));
  const c = captureIO();
  assert.equal(await main(["alpaca-winrate", "--annotations", file, "--json"], c.io), 0);
  const o = JSON.parse(c.stdout()) as Record<string, unknown>;
  // p - 1 = [1, 0, 0.5, 0.5]: mean 0.5; sem = sqrt(1/6)/2 (pandas Series([1,0,.5,.5]).sem() = 0.2041241452)
  assert.deepEqual(o, {
    win_rate: 50,
    standard_error: (100 * Math.sqrt(1 / 6)) / 2,
    n_wins: 1,
    n_wins_base: 1,
    n_draws: 2,
    n_total: 4,
    discrete_win_rate: 50,
    avg_length: 2, // int((3 + 1 + 2 + 4) / 4) = int(2.5)
  });
  assert.match(c.stderr(), /avg_length measured on the annotations' output_2/);
});

test("alpaca-winrate with --leaderboard prints the LC win rate read from it, and says so", async (t) => {
  const missing = sharedMissing("data", "alpaca_eval", "alpaca-7b") || sharedMissing(...LEADERBOARD);
  if (missing) return t.skip(missing);
  const dir = sharedPath("data", "alpaca_eval", "alpaca-7b");
  const c = captureIO();
  const code = await main(["alpaca-winrate", "--annotations", path.join(dir, "annotations.json"), "--model-outputs", path.join(dir, "model_outputs.json"), "--leaderboard", sharedPath(...LEADERBOARD), "--json"], c.io);
  assert.equal(code, 0, c.stderr());
  const o = JSON.parse(c.stdout()) as Record<string, unknown>;
  assert.equal(o["length_controlled_winrate"], 5.875487163278986);
  assert.equal(o["length_controlled_source"], "leaderboard");
  const plain = captureIO();
  assert.equal(await main(["alpaca-winrate", "--annotations", path.join(dir, "annotations.json"), "--leaderboard", sharedPath(...LEADERBOARD)], plain.io), 0);
  assert.match(plain.stdout(), /length_controlled_winrate \(read from .*\): 5\.875487\n {2}\(not recomputed: give --instruction-difficulty/);
  assert.match(plain.stdout(), /win_rate\s+2\.591451\s+2\.591451/);
});

test("alpaca-winrate: a missing --annotations is a usage error, a bad file an input error naming it", async () => {
  const c = captureIO();
  assert.equal(await main(["alpaca-winrate", "--json"], c.io), 2);
  assert.match(c.stderr(), /annotations/);
  const dir = tempDir();
  const file = path.join(dir, "annotations.json");
  fs.writeFileSync(file, JSON.stringify([ann(2), ann("two")], null, 2));
  const d = captureIO();
  assert.equal(await main(["alpaca-winrate", "--annotations", file], d.io), 1);
  assert.match(d.stderr(), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:10: field "preference": element 1`));
});

test("preferences are read as alpaca_eval reads them: draws, nulls, out of range", () => {
  const w = alpacaWinRate(parse([ann(2), ann(1.75), ann(1), ann(1.25), ann(1.5), ann(0), ann(null), ann(3), ann(-1)]));
  // kept: [1, .75, 0, .25, .5, .5] -> mean .5; pandas Series([1,.75,0,.25,.5,.5]).sem()*100 = 14.433756729740645
  assert.equal(w.winRate, 50);
  assert.ok(Math.abs((w.standardError as number) - 14.433756729740645) < 1e-12);
  assert.deepEqual([w.nWins, w.nWinsBase, w.nDraws, w.nTotal], [2, 2, 2, 6]);
  assert.equal(w.nNullPreference, 1);
  assert.equal(w.nOutOfRangePreference, 2);
  // discrete (ZeroOneScoringRule): 2->2, 1.75->2, 1->1, 1.25->1, 1.5->0->draw, 0->draw, null dropped,
  // 3->3 dropped (outside [1, 2]), -1 dropped: [1, 1, 0, 0, .5, .5] -> 50
  assert.equal(w.discreteWinRate, 50);
  assert.equal(w.nDiscreteDropped, 3);
});

test("discrete win rate rounds half to even like numpy (1.5 is a draw, 2.5 would round to 2)", () => {
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(roundHalfEven(0.5), 0);
  assert.equal(roundHalfEven(1.4999), 1);
  assert.equal(discretePoint(classifyPreference(1.5)), 0.5);
  assert.equal(discretePoint(classifyPreference(1.51)), 1);
  assert.equal(discretePoint(classifyPreference(1.49)), 0);
  assert.equal(discretePoint(classifyPreference(0)), 0.5);
  assert.equal(discretePoint({ kind: "null", raw: null }), null);
  // 2.4 rounds to 2 and is kept by the discrete rate though the win rate drops it (as in alpaca_eval)
  const w = alpacaWinRate(parse([ann(2.4), ann(1)]));
  assert.equal(w.winRate, 0);
  assert.equal(w.discreteWinRate, 50);
});

test("avg_length comes from model_outputs.json (which can hold rows the annotations lack), in code points", () => {
  const annotations = parse([ann(2, "ab"), ann(1, "abcd")]);
  const outputs = parseModelOutputs(
    JSON.stringify([
      { instruction: "i", output: "ab", generator: "m" },
      { instruction: "j", output: "abcd", generator: "m" },
      { instruction: "k", output: "a😀😀😀😀😀😀😀😀", generator: "m" }, // 9 code points, 17 UTF-16 units
      { instruction: "l", output: null, generator: "m" },
    ]),
    "outputs.json",
  );
  const w = alpacaWinRate(annotations, outputs);
  assert.equal(w.avgLength, 5); // int((2 + 4 + 9) / 3): pandas str.len() skips the null
  assert.equal(w.nOutputsWithoutText, 1);
  assert.equal(w.avgLengthSource, "model_outputs");
  const fromAnnotations = alpacaWinRate(annotations);
  assert.equal(fromAnnotations.avgLength, 3);
  assert.equal(fromAnnotations.avgLengthSource, "annotations");
});

test("codePointLength counts like Python's len (doc example)", () => {
  assert.equal(codePointLength("a😀"), 2);
  assert.equal("a😀".length, 3);
  assert.equal(codePointLength("\ud800x"), 2); // lone surrogate counts as one
  assert.equal(codePointLength(""), 0);
});

test("doc examples: alpacaWinRate 75, roundHalfEven(2.5) = 2", () => {
  assert.equal(alpacaWinRate(parse([ann(2), ann(1.5)])).winRate, 75);
  assert.equal(roundHalfEven(2.5), 2);
});

test("winRateToJson uses the leaderboard's column names; empty input gives nulls, not NaN", () => {
  const w = alpacaWinRate([]);
  assert.deepEqual(winRateToJson(w), { win_rate: null, standard_error: null, n_wins: 0, n_wins_base: 0, n_draws: 0, n_total: 0, discrete_win_rate: null, avg_length: null });
  assert.equal(alpacaWinRate(parse([ann(2)])).standardError, null);
});

test("annotation errors name the file, line and field", () => {
  const text = JSON.stringify([ann(2), { ...ann(1), generator_2: 7 }], null, 2);
  assert.throws(
    () => parseAlpacaAnnotations(text, "ann.json"),
    (e: unknown) => e instanceof InputError && /ann\.json/.test(e.message) && /generator_2/.test(e.message) && /element 1/.test(e.message) && e.message.includes(`ann.json:${lineOfArrayElement(text, 1)}:`),
  );
  assert.equal(lineOfArrayElement(text, 1), 10); // "[" on line 1, element 0 on lines 2-9
  assert.throws(() => parseAlpacaAnnotations("{}", "ann.json"), /ann\.json.*JSON array/);
  assert.throws(() => parseAlpacaAnnotations("[1", "ann.json"), /ann\.json.*not valid JSON/);
  // pandas writes NaN as null: a null preference is kept as "no preference", not an error
  assert.equal(parseAlpacaAnnotations(JSON.stringify([ann(Number.NaN)]), "ann.json")[0]?.preference.kind, "null");
  assert.throws(() => parseAlpacaAnnotations(JSON.stringify([ann(true)]), "ann.json"), /ann\.json:1: field "preference": element 0/);
});

test("leaderboard CSV: first column is the name, empty LC cells are null, duplicates rejected", () => {
  const csv = ",win_rate,standard_error,n_wins,n_wins_base,n_draws,n_total,discrete_win_rate,mode,avg_length,length_controlled_winrate,lc_standard_error\n" + "a,2.5,0.5,17,785,3,805,2.3,minimal,396,5.8,\n" + "b,1,0.1,1,2,0,3,1,dev,100,,\n";
  const b = parseLeaderboardCsv(csv, "lb.csv");
  assert.equal(b.byName.get("a")?.lengthControlledWinRate, 5.8);
  assert.equal(b.byName.get("a")?.lcStandardError, null);
  assert.equal(b.byName.get("b")?.lengthControlledWinRate, null);
  assert.equal(b.byName.get("b")?.line, 3);
  assert.throws(() => parseLeaderboardCsv(csv + "a,1,1,1,1,1,3,1,dev,1,1,1\n", "lb.csv"), /lb\.csv:4: .*already listed on line 2/);
  assert.throws(() => parseLeaderboardCsv(csv.replace("17,785", "17.5,785"), "lb.csv"), /n_wins.*count/);
});

test("instruction difficulty CSV parses index,difficulty rows", () => {
  const m = parseInstructionDifficulty("index,instruction_difficulty\n0,-1.5\n1,0.25\n", "d.csv");
  assert.deepEqual([...m], [[0, -1.5], [1, 0.25]]);
  assert.throws(() => parseInstructionDifficulty("index,d\n0,x\n", "d.csv"), /d\.csv:2: field "d": expected a number/);
  assert.throws(() => parseInstructionDifficulty("index,d\n0,1\n0,2\n", "d.csv"), /listed twice/);
});
