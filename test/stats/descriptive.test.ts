/**
 * Descriptive statistics, distributions, cosine similarity and the BCa arithmetic against
 * numpy / scipy. Reference: test/fixtures/stats-reference.json, written by
 * scripts/reference/wilcoxon_reference.py (scipy 1.17.1, numpy 2.4.6; each call is stored in
 * the fixture's "calls").
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../lib/paths";
import { bcaInterval, bootstrapMean, jackknifeMeans, percentileInterval } from "../../lib/stats/bootstrap";
import { cosineSimilarity } from "../../lib/stats/cosineSimilarity";
import { mean } from "../../lib/stats/mean";
import { normalCdf, normalQuantile, normalSf } from "../../lib/stats/normal";
import { pairedBootstrapMeanDifference } from "../../lib/stats/pairedBootstrap";
import { alignByQuestion, pairedScoreTest } from "../../lib/stats/pairedScoreTest";
import { populationStandardDeviation } from "../../lib/stats/populationStandardDeviation";
import { createRng } from "../../lib/stats/rng";
import { sampleStandardDeviation } from "../../lib/stats/sampleStandardDeviation";
import { standardError } from "../../lib/stats/standardError";
import { studentTCdf, studentTQuantile } from "../../lib/stats/studentT";
import { tConfidenceInterval } from "../../lib/stats/tConfidenceInterval";
import { wilcoxonSignedRank } from "../../lib/stats/wilcoxon";

interface StatsRef {
  scipy_version: string;
  descriptive: { values: number[]; mean: number; sample_sd: number; population_sd: number; sem: number; t_interval_95: [number, number]; t_interval_90: [number, number] }[];
  t_ppf: { p: number; df: number; value: number }[];
  norm: { z: number; cdf: number; sf: number }[];
  norm_ppf: { p: number; value: number }[];
  cosine: { a: number[]; b: number[]; value: number }[];
  bca: {
    data: number[];
    estimate: number;
    replicates: number[];
    results: { level: number; alpha_low: number; alpha_high: number; acceleration: number; low: number; high: number; percentile_low: number; percentile_high: number }[];
  };
}
const ref = JSON.parse(fs.readFileSync(path.join(repoRoot, "test", "fixtures", "stats-reference.json"), "utf8")) as StatsRef;

function close(actual: number, expected: number, rel: number, what: string): void {
  const err = actual === expected ? 0 : Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(err <= rel, `${what}: ${actual} vs ${expected} (relative error ${err})`);
}

test(`mean, sample/population sd, sem, t interval match numpy/scipy ${ref.scipy_version} (numpy.mean, numpy.std ddof=1/0, scipy.stats.sem, scipy.stats.t.interval)`, () => {
  for (const [i, d] of ref.descriptive.entries()) {
    close(mean(d.values), d.mean, 1e-15, `mean #${i}`);
    close(sampleStandardDeviation(d.values), d.sample_sd, 1e-14, `sample sd #${i}`);
    close(populationStandardDeviation(d.values), d.population_sd, 1e-14, `population sd #${i}`);
    close(standardError(d.values), d.sem, 1e-14, `sem #${i}`);
    const ci = tConfidenceInterval(d.values, 0.95);
    close(ci.low, d.t_interval_95[0], 1e-12, `t 95% low #${i}`);
    close(ci.high, d.t_interval_95[1], 1e-12, `t 95% high #${i}`);
    const ci90 = tConfidenceInterval(d.values, 0.9);
    close(ci90.low, d.t_interval_90[0], 1e-12, `t 90% low #${i}`);
    close(ci90.high, d.t_interval_90[1], 1e-12, `t 90% high #${i}`);
  }
});

test("Student t quantile matches scipy.stats.t.ppf(p, df) to 1e-12 relative for df 1..1e5, p 1e-12..1−1e-6", () => {
  assert.ok(ref.t_ppf.length > 100);
  for (const c of ref.t_ppf) {
    const v = studentTQuantile(c.p, c.df);
    if (c.value === 0) assert.equal(v, 0);
    else close(v, c.value, 1e-12, `t.ppf(${c.p}, ${c.df})`);
    if (c.p > 1e-12 && c.p < 0.999999) close(studentTCdf(v, c.df), c.p, 1e-11, `t.cdf(t.ppf(${c.p}), ${c.df})`);
  }
});

test("normal cdf / sf / ppf match scipy.stats.norm to 1e-13 relative, deep tails included", () => {
  for (const c of ref.norm) {
    close(normalCdf(c.z), c.cdf, 1e-13, `norm.cdf(${c.z})`);
    close(normalSf(c.z), c.sf, 1e-13, `norm.sf(${c.z})`);
  }
  for (const c of ref.norm_ppf) {
    if (c.value === 0) assert.equal(normalQuantile(c.p), 0);
    else close(normalQuantile(c.p), c.value, 1e-13, `norm.ppf(${c.p})`);
  }
});

test("cosine similarity of float32 vectors matches 1 − scipy.spatial.distance.cosine on float64 copies", () => {
  for (const c of ref.cosine) {
    close(cosineSimilarity(Float32Array.from(c.a), Float32Array.from(c.b)), c.value, 1e-14, `cosine dim ${c.a.length}`);
    close(cosineSimilarity(c.a, c.b), c.value, 1e-14, `cosine (number[]) dim ${c.a.length}`);
  }
  assert.throws(() => cosineSimilarity([1, 2], [1, 2, 3]), /differ in length \(2 and 3\)/);
  assert.throws(() => cosineSimilarity([0, 0], [1, 2]), /first vector is all zeros/);
  assert.throws(() => cosineSimilarity([1, Number.NaN], [1, 2]), /non-finite/);
  assert.equal(cosineSimilarity([1, 2, 3], [-2, -4, -6]), -1);
});

test("BCa arithmetic matches scipy.stats._resampling._bca_interval on the same bootstrap replicates", () => {
  const { data, estimate, replicates, results } = ref.bca;
  for (const r of results) {
    const parts = bcaInterval(replicates, estimate, jackknifeMeans(data), r.level);
    close(parts.acceleration, r.acceleration, 1e-10, `acceleration (level ${r.level})`);
    close(parts.alphaLow, r.alpha_low, 1e-12, `alpha_1 (level ${r.level})`);
    close(parts.alphaHigh, r.alpha_high, 1e-12, `alpha_2 (level ${r.level})`);
    close(parts.low, r.low, 1e-12, `BCa low (level ${r.level})`);
    close(parts.high, r.high, 1e-12, `BCa high (level ${r.level})`);
    const p = percentileInterval(replicates, r.level);
    close(p.low, r.percentile_low, 1e-14, "percentile low");
    close(p.high, r.percentile_high, 1e-14, "percentile high");
  }
});

test("bootstrap: deterministic per seed, different across seeds, interval contains the estimate", () => {
  const x = [3.1, 4.7, 2.2, 5.9, 4.4, 3.8, 6.1, 2.9, 4.0, 5.2, 3.3, 4.9];
  for (const method of ["percentile", "bca"] as const) {
    const a = bootstrapMean(x, createRng(11), { resamples: 3000, method });
    const b = bootstrapMean(x, createRng(11), { resamples: 3000, method });
    const c = bootstrapMean(x, createRng(12), { resamples: 3000, method });
    assert.deepEqual(a, b);
    assert.notEqual(a.low, c.low);
    assert.equal(a.method, method);
    assert.ok(a.low < a.estimate && a.estimate < a.high, `${method}: ${a.low} < ${a.estimate} < ${a.high}`);
    // close to the t interval for a roughly normal sample
    const t = tConfidenceInterval(x);
    assert.ok(Math.abs(a.low - t.low) < 0.25 && Math.abs(a.high - t.high) < 0.25, `${method} vs t: [${a.low}, ${a.high}] vs [${t.low}, ${t.high}]`);
  }
  // symmetric data: BCa ≈ percentile (z0 ≈ 0, acceleration = 0)
  const sym = [-3, -2, -1, 0, 1, 2, 3];
  const pb = bootstrapMean(sym, createRng(5), { resamples: 20000, method: "percentile" });
  const bb = bootstrapMean(sym, createRng(5), { resamples: 20000, method: "bca" });
  assert.equal(bcaInterval([0], 0, jackknifeMeans(sym), 0.95).acceleration, 0);
  assert.ok(Math.abs(pb.low - bb.low) < 0.05 && Math.abs(pb.high - bb.high) < 0.05);
  // degenerate: constant values
  assert.deepEqual([bootstrapMean([2, 2, 2], createRng(1)).low, bootstrapMean([2, 2, 2], createRng(1)).high], [2, 2]);
  assert.throws(() => bootstrapMean([1, 2], createRng(1), { level: 95 }), /level must be in \(0, 1\)/);
  assert.throws(() => bootstrapMean([1], createRng(1)), /at least 2 values/);
});

test("paired bootstrap resamples pairs: mean(b − a) and errors", () => {
  const a = [5, 6, 7, 8, 9, 10];
  const b = [6, 8, 7, 9, 12, 11];
  const r = pairedBootstrapMeanDifference(b, a, createRng(1), { resamples: 2000, method: "percentile" });
  assert.equal(r.estimate, 8 / 6);
  assert.ok(r.low >= 0 && r.high <= 3 && r.low < r.high);
  // pairing matters: a huge common per-item offset does not widen the interval
  const shifted = pairedBootstrapMeanDifference(b.map((v, i) => v + 100 * i), a.map((v, i) => v + 100 * i), createRng(1), { resamples: 2000, method: "percentile" });
  assert.ok(Math.abs(shifted.low - r.low) < 1e-9 && Math.abs(shifted.high - r.high) < 1e-9);
  assert.throws(() => pairedBootstrapMeanDifference([1, 2, 3], [1, 2], createRng(1)), /same length \(got 3 and 2\)/);
  assert.throws(() => pairedBootstrapMeanDifference([1, Number.NaN], [1, 2], createRng(1)), /x\[1\] is not a finite number/);
});

test("paired score test: A higher than B on the same questions", () => {
  const a = [8, 9, 7, 9, 8, 10, 6, 9, 8, 9, 7, 8, 9, 10, 6, 8];
  const b = [7, 8, 7, 6, 8, 9, 5, 7, 6, 8, 7, 6, 9, 8, 6, 7];
  const r = pairedScoreTest(a, b, createRng(3), { resamples: 2000 });
  assert.equal(r.n, 16);
  assert.equal(r.wins + r.losses + r.ties, 16);
  assert.equal(r.meanDifference, mean(a) - mean(b));
  // the Wilcoxon part is exactly wilcoxonSignedRank(a, b, greater)
  assert.deepEqual(r.wilcoxon, wilcoxonSignedRank(a, b, { alternative: "greater" }));
  assert.equal(r.wilcoxon.method, "approx"); // ties, n = 16 > 13: scipy's auto falls back to the normal approximation
  close(r.pValue, 0.0013430411379358334, 1e-9, "p"); // scipy 1.17.1: wilcoxon(a, b, alternative="greater").pvalue
  assert.ok(r.ci.low > 0);
  // reversed: B higher than A is not supported
  assert.ok(pairedScoreTest(b, a, createRng(3), { resamples: 500 }).pValue > 0.99);
  const al = alignByQuestion({ "81": 8, "82": 7, "100": 9 }, new Map([["82", 6], ["100", 9], ["90", 1]]));
  assert.deepEqual(al, { ids: ["82", "100"], a: [7, 9], b: [6, 9], onlyA: ["81"], onlyB: ["90"] });
  assert.throws(() => pairedScoreTest([1, 2, 3], [1, 2, 3], createRng(1)), /all 3 differences are zero/);
});
