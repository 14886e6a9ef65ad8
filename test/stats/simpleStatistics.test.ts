/**
 * The simple-statistics wrappers of lib/stats (mean, sample/population standard deviation, sum of
 * squared deviations, quantile, median) against numpy, to 1e-12 relative (absolute 1e-12 times
 * the data's scale for values near zero), and their rejection of non-finite input. Reference:
 * test/fixtures/descriptive-reference.json, written by scripts/reference/descriptive_reference.py
 * (numpy 2.4.6; each call is stored in the fixture's "calls").
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../lib/paths";
import { ss } from "../../lib/stats";
import { finiteValues } from "../../lib/stats/finiteValues";
import { compensatedSum, mean } from "../../lib/stats/mean";
import { median } from "../../lib/stats/median";
import { populationStandardDeviation } from "../../lib/stats/populationStandardDeviation";
import { quantile } from "../../lib/stats/quantile";
import { sampleStandardDeviation } from "../../lib/stats/sampleStandardDeviation";
import { sumOfSquaredDeviations } from "../../lib/stats/sumOfSquaredDeviations";

interface Ref {
  numpy_version: string;
  probs: number[];
  cases: { name: string; values: number[]; mean: number; sample_sd: number | null; population_sd: number; median: number; quantiles: number[] }[];
}
const ref = JSON.parse(fs.readFileSync(path.join(repoRoot, "test", "fixtures", "descriptive-reference.json"), "utf8")) as Ref;

function close(actual: number, expected: number, scale: number, what: string): void {
  const err = Math.abs(actual - expected);
  const tol = 1e-12 * Math.max(Math.abs(expected), scale * 1e-3);
  assert.ok(err <= tol, `${what}: ${actual} vs numpy ${expected} (|error| ${err} > ${tol})`);
}

test(`mean, sample/population sd, median, type-7 quantiles agree with numpy ${ref.numpy_version} to 1e-12`, () => {
  assert.ok(ref.cases.length >= 9);
  for (const c of ref.cases) {
    const scale = Math.max(...c.values.map(Math.abs));
    close(mean(c.values), c.mean, scale, `${c.name}: numpy.mean`);
    close(populationStandardDeviation(c.values), c.population_sd, c.population_sd, `${c.name}: numpy.std ddof=0`);
    if (c.sample_sd !== null) close(sampleStandardDeviation(c.values), c.sample_sd, c.sample_sd, `${c.name}: numpy.std ddof=1`);
    else assert.throws(() => sampleStandardDeviation(c.values), /needs at least 2 values \(got 1\)/);
    close(sumOfSquaredDeviations(c.values), c.population_sd ** 2 * c.values.length, c.population_sd ** 2 * c.values.length, `${c.name}: n·var`);
    close(median(c.values), c.median, scale, `${c.name}: numpy.median`);
    const sorted = [...c.values].sort((a, b) => a - b);
    ref.probs.forEach((p, i) => close(quantile(sorted, p), c.quantiles[i] as number, scale, `${c.name}: numpy.quantile(p=${p}, method="linear")`));
  }
});

test("median neither sorts nor modifies its input; quantile reads sorted input as given", () => {
  const xs = [5, 1, 4, 2, 3];
  assert.equal(median(xs), 3);
  assert.deepEqual(xs, [5, 1, 4, 2, 3]);
  assert.equal(median(new Float64Array([2, 1])), 1.5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.3), 2.2); // numpy.quantile([1,2,3,4,5], 0.3) = 2.2
});

test("the wrappers reject non-finite and empty input with an error naming the function and index", () => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.throws(() => mean([1, bad]), new RegExp(`mean: value 1 is not a finite number \\(${String(bad)}\\)`));
    assert.throws(() => sampleStandardDeviation([1, 2, bad]), /sampleStandardDeviation: value 2 is not a finite number/);
    assert.throws(() => populationStandardDeviation([bad]), /populationStandardDeviation: value 0 is not a finite number/);
    assert.throws(() => sumOfSquaredDeviations([bad, 1]), /sumOfSquaredDeviations: value 0/);
    assert.throws(() => median([3, bad]), /median: value 1 is not a finite number/);
    assert.throws(() => quantile([1, bad], 0.5), /quantile: value 1 is not a finite number/);
    assert.throws(() => compensatedSum([bad]), /sum: value 0/);
  }
  assert.throws(() => mean([1, "2" as unknown as number]), /mean: value 1 is not a finite number \(2\)/);
  assert.throws(() => mean([]), /mean: no values/);
  assert.throws(() => median([]), /median: no values/);
  assert.throws(() => quantile([], 0.5), /quantile: no values/);
  assert.throws(() => quantile([1, 2], Number.NaN), /p must be in \[0, 1\], got NaN/);
  assert.throws(() => quantile([1, 2], 1.5), /p must be in \[0, 1\], got 1.5/);
  assert.throws(() => finiteValues(null as unknown as number[], "mean"), /expected an array of numbers, got null/);
  // simple-statistics alone returns NaN here, which is why the wrappers exist
  assert.ok(Number.isNaN(ss.mean([1, Number.NaN])));
});

test("compensated sum keeps what naive summation loses", () => {
  assert.equal(compensatedSum([1e16, 1, -1e16]), 1);
  assert.equal(compensatedSum([0.1, 0.2, 0.3]), 0.6); // math.fsum([0.1, 0.2, 0.3]) = 0.6
  assert.equal(mean(new Array<number>(10).fill(0.1)), 0.1); // numpy.mean([0.1] * 10) = 0.1
});
