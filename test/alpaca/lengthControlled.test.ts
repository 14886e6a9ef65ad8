/**
 * Length-controlled AlpacaEval win rate (lib/analysis/lengthControlled.ts) against a reference
 * that follows alpaca_eval's glm_winrate.py step for step with scikit-learn doing every fit:
 * test/alpaca/reference/lc_reference.py, run with Debian bookworm's python3-sklearn 1.2.1,
 * python3-numpy 1.24.2, python3-pandas 1.5.3 (`apt-get install python3-sklearn`, then
 * `/usr/bin/python3 test/alpaca/reference/lc_reference.py > test/alpaca/fixtures/lc_synthetic.json`,
 * about 5 minutes). Each fit there is
 * `LogisticRegression(penalty="l1", solver="liblinear", fit_intercept=False, C=C,
 * random_state=123, tol=1e-12, max_iter=100000).fit(X2, labels, sample_weight=w)` on the rows
 * duplicated with labels 1 / 0 and weights y·s / (1 - y)·s, as glm_winrate.fit_LogisticRegressionCV
 * does; the cross-validation over Cs = np.logspace(-4, 4, 10) with its logloss_continuous scorer
 * is written out (glm_winrate.py itself needs sklearn >= 1.4's metadata routing).
 *
 * No instruction-difficulty file of alpaca_eval is available offline, so the data are synthetic
 * (300 annotations with draws, an old-style 0 draw and a null preference; 200 "gamed" rows).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  DEFAULT_CS,
  fitL1LogisticRegression,
  groupKFoldOfEqualGroups,
  lengthControlledWinRate,
  logistic,
} from "../../lib/analysis/lengthControlled";
import { parseAlpacaAnnotations, parseGamedCsv, type AlpacaAnnotation } from "../../lib/io/alpacaEval";
import { main } from "../../lib/cli/main";
import { captureIO, tempDir } from "../helpers";
import { InputError } from "../../lib/model/errors";

interface LcRef {
  lc: number;
  C: number;
  coef: number[];
  cv_scores: number[];
}
interface Fixture {
  generator: string;
  len_1: number[];
  len_2: number[];
  difficulty: number[];
  preference: (number | null)[];
  gamed: { std_delta_len: number[]; instruction_difficulty: number[]; preference: number[] };
  fixed_c: { x: number[][]; y: number[]; s: number[]; fits: { C: number; coef: number[] }[] };
  without_gamed: LcRef;
  with_gamed: LcRef;
  without_gamed_liblinear_default_tol: LcRef;
  with_gamed_liblinear_default_tol: LcRef;
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "lc_synthetic.json"), "utf8")) as Fixture;

function annotations(): AlpacaAnnotation[] {
  const items = fixture.len_1.map((l1, i) => ({
    instruction: `instruction ${i}`,
    output_1: "b".repeat(l1),
    output_2: "m".repeat(fixture.len_2[i] as number),
    generator_1: "baseline",
    generator_2: "model",
    preference: fixture.preference[i] ?? null,
  }));
  return parseAlpacaAnnotations(JSON.stringify(items), "synthetic.json");
}
const difficulty = new Map(fixture.difficulty.map((d, i) => [i, d]));
const gamedRows = fixture.gamed.std_delta_len.map((s, i) => ({
  stdDeltaLen: s,
  instructionDifficulty: fixture.gamed.instruction_difficulty[i] as number,
  preference: fixture.gamed.preference[i] as number,
}));

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}

test("the fixture was produced by the sklearn reference", () => {
  assert.match(fixture.generator, /lc_reference\.py with sklearn 1\.2\.1/);
  assert.equal(fixture.len_1.length, 300);
});

test("L1 logistic fits at fixed C equal liblinear's (tol 1e-12) to 1e-6", () => {
  const { x, y, s, fits } = fixture.fixed_c;
  for (const { C, coef } of fits) {
    const fit = fitL1LogisticRegression({ x, y, s }, C);
    // the gradient sums C·s_i over ~300 rows: optimality is judged relative to that scale
    assert.ok(fit.optimalityViolation < 1e-10 * Math.max(1, C * y.length), `C=${C}: violation ${fit.optimalityViolation}`);
    coef.forEach((c, j) => close(fit.coef[j] as number, c, 1e-6 * Math.max(1, Math.abs(c)), `C=${C} coef[${j}]`));
    // L1 sparsity: a coefficient liblinear sets to exactly 0 is exactly 0 here too
    coef.forEach((c, j) => {
      if (c === 0) assert.equal(fit.coef[j], 0, `C=${C} coef[${j}] should be exactly 0`);
    });
  }
});

test("doc example: fitL1LogisticRegression one feature, C = 100", () => {
  // Optimum of |w| + 100·(0.9·softplus(-w) + 0.1·softplus(w) + 0.7·softplus(-w) + 0.3·softplus(w)):
  // σ(w) = 0.8 - 1/200 → w = logit(0.795) = 1.35634...
  const w = fitL1LogisticRegression({ x: [[1], [1]], y: [0.9, 0.7], s: [1, 1] }, 100).coef[0] as number;
  close(w, Math.log(0.795 / 0.205), 1e-9, "w");
  close(logistic(w), 0.795, 1e-9, "σ(w)");
});

test("Cs grid is np.logspace(-4, 4, 10) and GroupKFold assigns equal groups round robin from the end", () => {
  assert.equal(DEFAULT_CS.length, 10);
  close(DEFAULT_CS[0] as number, 1e-4, 1e-18, "Cs[0]");
  close(DEFAULT_CS[6] as number, 21.54434690031882, 1e-12, "Cs[6]"); // np.logspace(-4, 4, 10)[6] (numpy 1.24.2)
  assert.equal(DEFAULT_CS[9], 1e4);
  assert.deepEqual(groupKFoldOfEqualGroups(7, 5), [1, 0, 4, 3, 2, 1, 0]);
  assert.throws(() => groupKFoldOfEqualGroups(3, 5), RangeError);
});

for (const [name, withGamed] of [["without_gamed", false], ["with_gamed", true]] as const) {
  test(`LC win rate ${name.replace("_", " ")} rows equals the sklearn reference (tol 1e-12) to 1e-6`, () => {
    const ref = fixture[name];
    const r = lengthControlledWinRate(annotations(), difficulty, withGamed ? { gamedRows } : {});
    assert.equal(r.C, ref.C);
    assert.equal(r.usedGamedRows, withGamed);
    assert.equal(r.nFitted, 299 + (withGamed ? 200 : 0)); // one null preference is not fitted
    assert.equal(r.glmPreferences.length, 300); // but it is predicted
    close(r.lengthControlledWinRate, ref.lc, 1e-6, "LC");
    const coef = [r.coefficients["np.tanh(std_delta_len)"], r.coefficients.instruction_difficulty, r.coefficients["not_gamed_baseline.astype(float)"]];
    ref.coef.forEach((c, j) => close(coef[j] as number, c, 1e-6, `coef[${j}]`));
    ref.cv_scores.forEach((c, j) => close(r.cvScores[j] as number, c, 1e-6, `cv score of C[${j}]`));
  });

  test(`LC ${name.replace("_", " ")} rows is within 0.002 points of sklearn at liblinear's default tolerance (what alpaca_eval runs)`, () => {
    const ref = fixture[`${name}_liblinear_default_tol`];
    const r = lengthControlledWinRate(annotations(), difficulty, withGamed ? { gamedRows } : {});
    assert.equal(r.C, ref.C);
    // liblinear stops at tol 1e-4: its LC differs from the exact optimum by ~1e-3 points here
    close(r.lengthControlledWinRate, ref.lc, 2e-3, "LC");
  });
}

test("LC of the baseline against itself is 50 by construction", () => {
  const items = [0, 1].map((i) => ({ instruction: `${i}`, output_1: "a", output_2: "ab", generator_1: "x", generator_2: "x", preference: 1.5 }));
  const r = lengthControlledWinRate(parseAlpacaAnnotations(JSON.stringify(items)), new Map([[0, 0], [1, 0]]));
  assert.equal(r.lengthControlledWinRate, 50);
});

test("LC errors: missing difficulty, several models, null outputs", () => {
  const a = annotations();
  const partial = new Map([...difficulty].filter(([k]) => k !== 17));
  assert.throws(() => lengthControlledWinRate(a, partial, { file: "ann.json" }), (e: unknown) => e instanceof InputError && /ann\.json/.test(e.message) && /instruction_difficulty/.test(e.message) && /row 17/.test(e.message));
  const mixed = a.map((x, i) => (i === 3 ? { ...x, generator2: "other" } : x));
  assert.throws(() => lengthControlledWinRate(mixed, difficulty), /one model, got 2/);
  const nullOut = a.map((x, i) => (i === 4 ? { ...x, output2: null } : x));
  assert.throws(() => lengthControlledWinRate(nullOut, difficulty), /output_2.*element 4/);
});

test("alpaca-winrate --instruction-difficulty [--gamed] recomputes the LC win rate and says how", async () => {
  const dir = tempDir();
  const annFile = path.join(dir, "annotations.json");
  fs.writeFileSync(
    annFile,
    JSON.stringify(
      fixture.len_1.map((l1, i) => ({ instruction: `instruction ${i}`, output_1: "b".repeat(l1), output_2: "m".repeat(fixture.len_2[i] as number), generator_1: "baseline", generator_2: "model", preference: fixture.preference[i] ?? null })),
    ),
  );
  const diffFile = path.join(dir, "instruction_difficulty.csv");
  fs.writeFileSync(diffFile, "index,instruction_difficulty\n" + fixture.difficulty.map((d, i) => `${i},${d}`).join("\n") + "\n");
  const gamedFile = path.join(dir, "df_gamed.csv");
  fs.writeFileSync(
    gamedFile,
    "model,index,preference,std_delta_len,instruction_difficulty,not_gamed_baseline\n" +
      fixture.gamed.preference.map((p, i) => `gamed_${i % 2},${i},${p},${fixture.gamed.std_delta_len[i]},${fixture.gamed.instruction_difficulty[i]},False`).join("\n") +
      "\n",
  );
  const a = captureIO();
  assert.equal(await main(["alpaca-winrate", "--annotations", annFile, "--instruction-difficulty", diffFile, "--json"], a.io), 0, a.stderr());
  const o = JSON.parse(a.stdout()) as Record<string, unknown>;
  assert.equal(o["length_controlled_source"], "recomputed without gamed rows");
  close(o["length_controlled_winrate"] as number, fixture.without_gamed.lc, 1e-6, "LC without gamed rows");
  const b = captureIO();
  assert.equal(await main(["alpaca-winrate", "--annotations", annFile, "--instruction-difficulty", diffFile, "--gamed", gamedFile, "--json"], b.io), 0, b.stderr());
  const g = JSON.parse(b.stdout()) as Record<string, unknown>;
  assert.equal(g["length_controlled_source"], "recomputed");
  close(g["length_controlled_winrate"] as number, fixture.with_gamed.lc, 1e-6, "LC with gamed rows");
  const c = captureIO();
  assert.equal(await main(["alpaca-winrate", "--annotations", annFile, "--gamed", gamedFile], c.io), 2);
  assert.match(c.stderr(), /--gamed needs --instruction-difficulty/);
  const d = captureIO();
  assert.equal(await main(["alpaca-winrate", "--annotations", annFile, "--instruction-difficulty", diffFile], d.io), 0);
  assert.match(d.stdout(), /length_controlled_winrate \(recomputed without gamed rows, glm_winrate\.py length_controlled_v1, C = 21\.54\): 15\.4547/);
});

test("df_gamed.csv parsing: needed columns, preferences in [0, 1], empty preference is null", () => {
  const rows = parseGamedCsv("model,preference,std_delta_len,instruction_difficulty\ng,0.25,-1.5,0.3\ng,,0.1,0.2\n", "g.csv");
  assert.deepEqual(rows, [
    { stdDeltaLen: -1.5, instructionDifficulty: 0.3, preference: 0.25 },
    { stdDeltaLen: 0.1, instructionDifficulty: 0.2, preference: null },
  ]);
  assert.throws(() => parseGamedCsv("preference,std_delta_len\n0.5,1\n", "g.csv"), /g\.csv:1: field "instruction_difficulty": missing column/);
  assert.throws(() => parseGamedCsv("preference,std_delta_len,instruction_difficulty\n1.5,1,0\n", "g.csv"), /g\.csv:2: field "preference".*\[0, 1\]/);
});
