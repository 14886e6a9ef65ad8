/**
 * lib/stats/wilcoxon.ts against scipy.stats.wilcoxon. Reference: test/fixtures/wilcoxon-reference.json,
 * written by scripts/reference/wilcoxon_reference.py with scipy 1.17.1 (version and the exact
 * call are stored beside every case).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../lib/paths";
import { signedRankCdf, signedRankCounts, signedRankSf } from "../../lib/stats/signedRankDistribution";
import { type WilcoxonAlternative, type WilcoxonMethod, type WilcoxonZeroMethod, wilcoxonSignedRank } from "../../lib/stats/wilcoxon";

interface Case {
  dataset: string;
  zero_method: WilcoxonZeroMethod;
  alternative: WilcoxonAlternative;
  method: "exact" | "asymptotic" | "auto";
  correction: boolean;
  call: string;
  statistic: number;
  pvalue: number;
  method_used: "exact" | "approx" | "permutation";
  n: number;
  p_exact?: number;
  scipy_tail_via_complement?: boolean;
}
interface Reference {
  scipy_version: string;
  datasets: { id: string; x: number[]; y: number[] | null }[];
  cases: Case[];
}

const ref = JSON.parse(fs.readFileSync(path.join(repoRoot, "test", "fixtures", "wilcoxon-reference.json"), "utf8")) as Reference;
const datasets = new Map(ref.datasets.map((d) => [d.id, d]));

function relErr(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

test(`reference grid: ${ref.cases.length} cases match scipy ${ref.scipy_version}`, () => {
  assert.ok(ref.cases.length > 1000, "the grid should be large");
  assert.match(ref.scipy_version, /^1\.(1[4-9]|[2-9]\d)/, "reference written with scipy >= 1.14 semantics");
  const failures: string[] = [];
  const methods = new Set<string>();
  for (const c of ref.cases) {
    const ds = datasets.get(c.dataset);
    assert.ok(ds, `dataset ${c.dataset}`);
    const method: WilcoxonMethod = c.method === "asymptotic" ? "approx" : c.method;
    const r = wilcoxonSignedRank(ds.x, ds.y, { alternative: c.alternative, zeroMethod: c.zero_method, method, correction: c.correction });
    methods.add(r.method);
    const where = `${c.dataset}: ${c.call}`;
    if (r.statistic !== c.statistic) failures.push(`${where}: statistic ${r.statistic} vs scipy ${c.statistic}`);
    if (r.method !== c.method_used) failures.push(`${where}: method ${r.method} vs scipy ${c.method_used}`);
    if (r.n !== c.n) failures.push(`${where}: n ${r.n} vs ${c.n}`);
    if (c.scipy_tail_via_complement === true) {
      // scipy computed 1 - cdf in float64 with n > 53: only ~1e-16 absolute; p_exact is the reference.
      if (Math.abs(r.pValue - c.pvalue) > 1e-14) failures.push(`${where}: p ${r.pValue} vs scipy ${c.pvalue} (abs)`);
    } else if (relErr(r.pValue, c.pvalue) > 1e-9) {
      failures.push(`${where}: p ${r.pValue} vs scipy ${c.pvalue} (rel ${relErr(r.pValue, c.pvalue)})`);
    }
    if (c.p_exact !== undefined && relErr(r.pValue, c.p_exact) > 1e-14) {
      failures.push(`${where}: p ${r.pValue} vs exact-arithmetic ${c.p_exact}`);
    }
  }
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} mismatches`);
  assert.deepEqual([...methods].sort(), ["approx", "exact", "permutation"], "grid covers every resolved method");
});

test("acceptance: n = 30, all positive, greater: p = 2^-30 (scipy 1.17.1: wilcoxon(d, alternative='greater') = 9.313225746154785e-10)", () => {
  const d = Array.from({ length: 30 }, (_, i) => (i + 1) / 100);
  const r = wilcoxonSignedRank(d, null, { alternative: "greater" });
  assert.equal(r.pValue, 2 ** -30);
  assert.equal(r.statistic, 465);
  assert.equal(r.method, "exact");
  assert.equal(r.n, 30);
});

test("acceptance: n = 30, W+ = 463, greater: p = 3·2^-30 = 2.793967724e-9 (scipy 1.17.1 gives 2.7939677238464355e-09)", () => {
  const d = Array.from({ length: 30 }, (_, i) => (i === 1 ? -2 : i + 1));
  const r = wilcoxonSignedRank(d, null, { alternative: "greater" });
  assert.equal(r.wPlus, 463);
  assert.equal(r.pValue, 3 * 2 ** -30);
  assert.equal(r.pValue.toPrecision(10), "2.793967724e-9");
  // paired form: x − y gives the same differences
  const y = d.map(() => 1);
  const x = d.map((v) => v + 1);
  assert.equal(wilcoxonSignedRank(x, y, { alternative: "greater" }).pValue, 3 * 2 ** -30);
});

test("exact tails keep every digit: n = 50 all positive is 2^-50 (scipy 1.17.1: 8.881784197001252e-16), n = 200 is 2^-200", () => {
  const d50 = Array.from({ length: 50 }, (_, i) => i + 1);
  assert.equal(wilcoxonSignedRank(d50, null, { alternative: "greater" }).pValue, 2 ** -50);
  assert.equal(wilcoxonSignedRank(d50, null, { alternative: "two-sided" }).pValue, 2 ** -49);
  assert.equal(wilcoxonSignedRank(d50.map((v) => -v), null, { alternative: "less" }).pValue, 2 ** -50);
  const d200 = Array.from({ length: 200 }, (_, i) => i + 1);
  assert.equal(wilcoxonSignedRank(d200, null, { alternative: "greater", method: "exact" }).pValue, 2 ** -200);
  // W+ = N − 1 at n = 200: two subsets reach it
  d200[0] = -1;
  assert.equal(wilcoxonSignedRank(d200, null, { alternative: "greater", method: "exact" }).pValue, 2 * 2 ** -200);
});

test("null distribution: counts sum to 2^n, symmetric, and cdf + sf(k+1) = 1", () => {
  for (const n of [0, 1, 5, 20, 60]) {
    const c = signedRankCounts(n);
    assert.equal(c.reduce((a, b) => a + b, 0n), 2n ** BigInt(n));
    for (let k = 0; k < c.length; k++) assert.equal(c[k], c[c.length - 1 - k]);
  }
  for (const k of [0, 10, 55, 100, 209, 210]) assert.ok(Math.abs(signedRankCdf(20, k) + signedRankSf(20, k + 1) - 1) < 1e-15);
  assert.equal(signedRankCounts(4).join(","), "1,1,1,2,2,2,2,2,1,1,1");
});

test("bad input is a clear error", () => {
  assert.throws(() => wilcoxonSignedRank([1, 2, 3], [1, 2]), /x and y must have the same length \(got 3 and 2\)/);
  assert.throws(() => wilcoxonSignedRank([1, Number.NaN, 3]), /x\[1\] is not a finite number \(NaN\)/);
  assert.throws(() => wilcoxonSignedRank([1, 2, 3], [1, 2, Number.POSITIVE_INFINITY]), /y\[2\] is not a finite number/);
  assert.throws(() => wilcoxonSignedRank([1, 2, 3], [1, 2, 3]), /all 3 differences are zero; the test needs at least one non-zero difference/);
  assert.throws(() => wilcoxonSignedRank([0, 0], null, { zeroMethod: "pratt" }), /at least one non-zero difference/);
  assert.throws(() => wilcoxonSignedRank([]), /no observations/);
  assert.throws(() => wilcoxonSignedRank([1, 2], null, { alternative: "bigger" as WilcoxonAlternative }), /alternative must be one of two-sided, greater, less \(got "bigger"\)/);
  assert.throws(() => wilcoxonSignedRank([1, 2], null, { zeroMethod: "drop" as WilcoxonZeroMethod }), /zeroMethod must be one of/);
  assert.throws(() => wilcoxonSignedRank([1, 2], null, { method: "asymptotic" as WilcoxonMethod }), /method must be one of/);
});

test("statistic convention: two-sided min(W+, W−), one-sided W+", () => {
  const d = [1, -2, 3, 4, -5, 6];
  const two = wilcoxonSignedRank(d);
  assert.equal(two.wPlus, 14);
  assert.equal(two.wMinus, 7);
  assert.equal(two.statistic, 7);
  assert.equal(wilcoxonSignedRank(d, null, { alternative: "less" }).statistic, 14);
  assert.equal(wilcoxonSignedRank(d, null, { alternative: "greater" }).statistic, 14);
});

test("permutation method equals the exact method without ties, and handles ties exactly at any n", () => {
  const d = [0.3, -1.1, 2.4, 0.7, 1.9, -0.2, 3.3, 1.4, -0.9, 2.8, 0.5, 1.2, -1.6, 2.1, 0.1, 1.7, -0.4, 2.6, 0.95, 1.3];
  for (const alternative of ["two-sided", "greater", "less"] as const) {
    const e = wilcoxonSignedRank(d, null, { method: "exact", alternative });
    const p = wilcoxonSignedRank(d, null, { method: "permutation", alternative });
    assert.equal(p.pValue, e.pValue, alternative);
    assert.equal(p.method, "permutation");
  }
  // scipy 1.17.1: wilcoxon([1, -1, 2], alternative="greater") = 0.375 (auto → permutation). Ties: ranks 1.5, 1.5, 3 → W+ ∈ {0, 1.5, 1.5, 3, 3, 4.5, 4.5, 6}; observed W+ = 1.5 + 3 = 4.5 → P(W+ ≥ 4.5) = 3/8
  assert.equal(wilcoxonSignedRank([1, -1, 2], null, { method: "permutation", alternative: "greater" }).pValue, 3 / 8);
  // n = 200 with heavy ties stays exact and fast enough
  const big = Array.from({ length: 200 }, (_, i) => ((i % 7) - 2) || 1);
  const r = wilcoxonSignedRank(big, null, { method: "permutation", alternative: "greater" });
  assert.ok(r.pValue > 0 && r.pValue < 1);
});
