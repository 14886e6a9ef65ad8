/** The alpaca_eval part of a dump: win rates recomputed, the LC win rate's source named. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { alpacaRunSummary, alpacaSummaries, describeAlpacaDump, loadAlpacaEvalDump } from "../../lib/pipeline/alpacaEvalDump";
import { lengthControlledWinRate } from "../../lib/analysis/lengthControlled";
import { loadAlpacaAnnotations, loadInstructionDifficulty } from "../../lib/io/alpacaEval";
import { tempDir } from "../helpers";

function writeModel(dump: string, model: string, prefs: number[]): void {
  const dir = path.join(dump, "alpaca_eval", model);
  fs.mkdirSync(dir, { recursive: true });
  const items = prefs.map((p, i) => ({ instruction: `q${i}`, output_1: "b".repeat(10 + ((i * 7) % 13)), output_2: "m".repeat(5 + ((i * 5) % 17)), generator_1: "base", generator_2: model, preference: p }));
  fs.writeFileSync(path.join(dir, "annotations.json"), JSON.stringify(items, null, 2));
}

const prefs = Array.from({ length: 40 }, (_, i) => 1 + ((i * 37) % 100) / 100);

test("no alpaca_eval folder: null, and the description says the published LC is shown", () => {
  const d = tempDir();
  assert.equal(loadAlpacaEvalDump(d), null);
  assert.match(describeAlpacaDump(null), /published/);
  assert.equal(alpacaSummaries(null).size, 0);
});

test("leaderboard LC is read; without one and without difficulty there is no LC", () => {
  const d = tempDir();
  writeModel(d, "m1", prefs);
  writeModel(d, "m2", prefs.map((p) => 3 - p));
  fs.writeFileSync(path.join(d, "alpaca_eval", "x_leaderboard.csv"), ",win_rate,n_wins,n_wins_base,n_draws,n_total,length_controlled_winrate\nm1,1,1,1,0,2,42.5\n");
  const dump = loadAlpacaEvalDump(d);
  assert.ok(dump);
  assert.deepEqual([...dump.models.keys()], ["m1", "m2"]);
  const s1 = alpacaRunSummary(dump, "m1");
  assert.equal(s1?.lengthControlled, 42.5);
  assert.equal(s1?.lengthControlledSource, "dump leaderboard");
  const s2 = alpacaRunSummary(dump, "m2");
  assert.equal(s2?.lengthControlled, null);
  assert.equal(s2?.lengthControlledSource, null);
  // mean(p - 1) of the two mirror models sums to 100
  assert.ok(Math.abs((s1?.winRate as number) + (s2?.winRate as number) - 100) < 1e-9);
  assert.equal(alpacaRunSummary(dump, "absent"), null);
  assert.match(describeAlpacaDump(dump), /2 models.*read from .*x_leaderboard\.csv/);
});

test("with instruction_difficulty.csv the LC is recomputed where the leaderboard has none, and labelled", () => {
  const d = tempDir();
  writeModel(d, "m1", prefs);
  fs.writeFileSync(path.join(d, "alpaca_eval", "instruction_difficulty.csv"), "index,instruction_difficulty\n" + prefs.map((_, i) => `${i},${((i * 13) % 7) / 3 - 1}`).join("\n") + "\n");
  const dump = loadAlpacaEvalDump(d);
  const s = alpacaRunSummary(dump, "m1");
  const expected = lengthControlledWinRate(
    loadAlpacaAnnotations(path.join(d, "alpaca_eval", "m1", "annotations.json")),
    loadInstructionDifficulty(path.join(d, "alpaca_eval", "instruction_difficulty.csv")),
  ).lengthControlledWinRate;
  assert.equal(s?.lengthControlled, expected);
  assert.equal(s?.lengthControlledSource, "recomputed without gamed rows");
  assert.match(describeAlpacaDump(dump), /recomputed from the dump's instruction_difficulty\.csv/);
});
