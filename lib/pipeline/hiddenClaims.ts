/**
 * Duan et al.'s claims next to what a set of hidden-state dumps gives: one row per claim of the
 * paper (footnote 6 and Figs. 3–8, 10), with the paper's statement and number, the quantity
 * measured on the dumps (means at full precision), the one-tailed Wilcoxon signed-rank test in
 * the paper's direction (scipy's defaults, paired over runs or seeds) and a verdict that says no
 * more than the test: "agrees (p < 0.05)", "not shown (p >= 0.05)", or why there is no test.
 *
 * Complexity: O(runs x states x hidden) for the similarities of every dump, once per claim.
 *
 * @example
 * const rows = duanClaimRows(loadHiddenExperiments(hiddenDumpRoot()));
 * rows.find((r) => r.figure === "Fig. 3a / fn. 6")?.p_value; // p of s(ICL,IT) > s(anchor,IT)
 */
import * as aq from "arquero";
import {
  type HiddenTestRow,
  type RunSimilarity,
  type SignedRankTest,
  groupedSimilarities,
  layerSimilarities,
  lossDecreaseByKind,
  meanSimilarityByLayer,
  pairedGroupTest,
  runSimilarities,
  signedRankRow,
  wilcoxonPaired,
  wrongLabelAccuracy,
} from "../analysis/hiddenStates";
import type { HiddenDump } from "../io/hiddenDump";
import type { TableView } from "../model/table";
import type { TableResult } from "../notebook/shown";
import { mean } from "../stats/mean";
import type { HiddenExperiments } from "./hiddenSections";

/** The significance level the verdicts use (the paper reports p-values, not a level). */
export const CLAIM_ALPHA = 0.05;

export type ClaimVerdict = "agrees (p < 0.05)" | "not shown (p >= 0.05)" | "agrees (no significant drop)" | "disagrees (significant drop)" | "no test" | "no dump";

/** One claim of the paper and what the dumps give for it. */
export interface DuanClaimRow {
  figure: string;
  /** The paper's statement, shortened. */
  claim: string;
  /** What the paper reports for it (LLaMA-2-7B unless said otherwise). */
  paper: string;
  /** The dump it is measured on. */
  experiment: string;
  /** What `value` and `compared_to` are. */
  quantity: string;
  value: number | null;
  compared_to: number | null;
  /** The test in the paper's direction (one-tailed Wilcoxon signed-rank), or null. */
  test: string | null;
  statistic: number | null;
  p_value: number | null;
  /** Pairs in the test (or runs behind `value` where there is no test). */
  n: number | null;
  verdict: ClaimVerdict;
  note: string;
}

function meanOf(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : mean(xs);
}

function verdictOf(row: HiddenTestRow): ClaimVerdict {
  if (row.p_value === null) return "no test";
  return row.p_value < CLAIM_ALPHA ? "agrees (p < 0.05)" : "not shown (p >= 0.05)";
}

type ClaimBase = Pick<DuanClaimRow, "figure" | "claim" | "paper" | "experiment">;

function noDump(base: ClaimBase, why = `no ${base.experiment}/ dump`): DuanClaimRow {
  return { ...base, quantity: "", value: null, compared_to: null, test: null, statistic: null, p_value: null, n: null, verdict: "no dump", note: why };
}

function tested(base: ClaimBase, quantity: string, value: number | null, comparedTo: number | null, row: HiddenTestRow, note = ""): DuanClaimRow {
  return {
    ...base,
    quantity,
    value,
    compared_to: comparedTo,
    test: row.name,
    statistic: row.statistic,
    p_value: row.p_value,
    n: row.n,
    verdict: verdictOf(row),
    note: [row.note, note].filter((s) => s !== undefined && s !== "").join("; "),
  };
}

/** s(ICL,IT) against another similarity on one dump's last layer (footnote 6's pair tests). */
function pairClaim(base: ClaimBase, sims: readonly RunSimilarity[], other: "anchorIt" | "anchorIcl", test: SignedRankTest, label = "IT"): DuanClaimRow {
  const otherName = other === "anchorIt" ? `s(anchor,${label})` : "s(anchor,ICL)";
  const row = signedRankRow(`s(ICL,${label}) > ${otherName}`, sims.map((s) => s.iclIt), sims.map((s) => s[other]), "greater", test);
  return tested(base, `mean s(ICL,${label}) | mean ${otherName}`, meanOf(sims.map((s) => s.iclIt)), meanOf(sims.map((s) => s[other])), row);
}

function groupKey(g: string | null): number | null {
  return g === null ? null : Number(g.split("=")[1]);
}

/** The trend claims of Figs. 4 and 5: the last group's mean against the first, paired by seed. */
function trendClaim(base: ClaimBase, d: HiddenDump, prefix: "level=" | "n=", pair: "iclIt" | "anchorIt", alternative: "greater" | "less", test: SignedRankTest): DuanClaimRow {
  const sims = runSimilarities(d, "last");
  const groups = groupedSimilarities(sims, d.runs, (r) => groupKey(r.group));
  const first = groups[0];
  const last = groups[groups.length - 1];
  if (first === undefined || last === undefined || first.key === last.key) {
    return { ...base, quantity: "", value: null, compared_to: null, test: null, statistic: null, p_value: null, n: sims.length, verdict: "no test", note: "fewer than two groups have runs" };
  }
  const row = pairedGroupTest(sims, { pair, a: `${prefix}${last.key}`, b: `${prefix}${first.key}`, alternative }, test);
  const name = pair === "iclIt" ? "s(ICL,IT)" : "s(anchor,IT)";
  return tested(base, `mean ${name} at ${prefix}${last.key} | at ${prefix}${first.key}`, last[pair], first[pair], row, `groups: ${groups.map((g) => `${prefix}${g.key} (${g.n} runs)`).join(", ")}`);
}

/**
 * Every claim of Duan et al. that the experiments of notebook 08 measure, against `x`'s dumps
 * (last layer unless said otherwise). Absent experiments give a "no dump" row, never a number.
 */
export function duanClaimRows(x: HiddenExperiments, test: SignedRankTest = wilcoxonPaired): DuanClaimRow[] {
  const rows: DuanClaimRow[] = [];
  const last = (name: string) => {
    const d = x.dumps[name];
    return d === undefined ? null : runSimilarities(d, "last");
  };

  const main = last("main");
  const fn6a: ClaimBase = { figure: "Fig. 3a / fn. 6", claim: "ICL and IT converge: s(ICL,IT) > s(anchor,IT)", paper: "s(ICL,IT) about 0.9, s(anchor,IT) about 0; p = 2.79e-9 (n = 30)", experiment: "main" };
  const fn6b: ClaimBase = { figure: "Fig. 3a / fn. 6", claim: "s(ICL,IT) > s(anchor,ICL)", paper: "s(anchor,ICL) about 0; p = 9.31e-10 (n = 30)", experiment: "main" };
  rows.push(main === null ? noDump(fn6a) : pairClaim(fn6a, main, "anchorIt", test));
  rows.push(main === null ? noDump(fn6b) : pairClaim(fn6b, main, "anchorIcl", test));

  const wl = x.dumps["wrong-label"];
  const wrongBase: ClaimBase = { figure: "Fig. 3b", claim: "wrong labels lower the convergence slightly: s(ICL,IT) right > wrong", paper: "slightly lower, wider spread (no test reported)", experiment: "wrong-label" };
  const accBase = (c: string): ClaimBase => ({ figure: "Fig. 6", claim: `${c} accuracy drops with wrong labels, not significantly`, paper: "a drop, not statistically significant (one-tailed Wilcoxon)", experiment: "wrong-label" });
  if (wl === undefined) {
    rows.push(noDump(wrongBase), noDump(accBase("ICL")), noDump(accBase("IT")));
  } else {
    const sims = runSimilarities(wl, "last");
    const row = pairedGroupTest(sims, { pair: "iclIt", a: "right", b: "wrong", alternative: "greater" }, test);
    const m = (g: string) => meanOf(sims.filter((s) => s.group === g).map((s) => s.iclIt));
    rows.push(tested(wrongBase, "mean s(ICL,IT) right | wrong", m("right"), m("wrong"), row));
    const acc = wrongLabelAccuracy(wl.runs, test);
    acc.tests.forEach((t, i) => {
      const a = acc.accuracy[i];
      const c = a?.condition === "icl" ? "ICL" : "IT";
      const r = tested(accBase(c), `${c} accuracy right | wrong`, a?.right ?? null, a?.wrong ?? null, t);
      // the paper's claim is the null result: no significant drop
      const verdict: ClaimVerdict = t.p_value === null ? "no test" : t.p_value < CLAIM_ALPHA ? "disagrees (significant drop)" : "agrees (no significant drop)";
      rows.push({ ...r, verdict, note: [r.note, t.p_value !== null && t.p_value >= CLAIM_ALPHA ? "a non-significant test on few runs is weak evidence of no effect" : ""].filter((s) => s !== "").join("; ") });
    });
  }

  const dt = last("different-task");
  const dtBase: ClaimBase = { figure: "Fig. 3c", claim: "translation demonstrations, sentiment query: still s(ICL,IT) > s(anchor,IT)", paper: "convergence not affected by the demonstration task", experiment: "different-task" };
  rows.push(dt === null ? noDump(dtBase) : pairClaim(dtBase, dt, "anchorIt", test));

  const simD = x.dumps["similarity"];
  const fig4a: ClaimBase = { figure: "Fig. 4a", claim: "s(ICL,IT) rises with demonstration–inference similarity", paper: "from about 0.4 (similarity 0) to 0.8 (similarity 1)", experiment: "similarity" };
  const fig4b: ClaimBase = { figure: "Fig. 4a", claim: "s(anchor,IT) falls with demonstration–inference similarity", paper: "the opposite trend to s(ICL,IT)", experiment: "similarity" };
  rows.push(simD === undefined ? noDump(fig4a) : trendClaim(fig4a, simD, "level=", "iclIt", "greater", test));
  rows.push(simD === undefined ? noDump(fig4b) : trendClaim(fig4b, simD, "level=", "anchorIt", "less", test));

  const nd = x.dumps["n-demos"];
  const fig5: ClaimBase = { figure: "Fig. 5", claim: "s(ICL,IT) rises with the number of demonstrations", paper: "a clear increasing trend from 1 to 10 demonstrations", experiment: "n-demos" };
  rows.push(nd === undefined ? noDump(fig5) : trendClaim(fig5, nd, "n=", "iclIt", "greater", test));

  const fig7: ClaimBase = { figure: "Fig. 7", claim: "U shape over layers: s(ICL,IT) dips in the middle layers and rises at the last", paper: "high at the lowest layers, low in the middle, high at the last", experiment: "main" };
  const mainD = x.dumps["main"];
  if (mainD === undefined) rows.push(noDump(fig7));
  else {
    const curve = meanSimilarityByLayer(layerSimilarities(mainD), mainD.stateLayers);
    const inner = curve.slice(1, -1);
    const lastPt = curve[curve.length - 1];
    const minPt = inner.reduce<(typeof curve)[number] | null>((m, p) => (m === null || p.iclIt < m.iclIt ? p : m), null);
    rows.push({
      ...fig7,
      quantity: minPt === null ? "" : `mean s(ICL,IT) at the last layer | at its minimum (layer ${minPt.layer})`,
      value: lastPt?.iclIt ?? null,
      compared_to: minPt?.iclIt ?? null,
      test: null,
      statistic: null,
      p_value: null,
      n: mainD.runs.length,
      verdict: "no test",
      note: `states stored: layers ${mainD.stateLayers.join(", ")}; a shape, read off the curve of Fig. 7`,
    });
  }

  const fig8a: ClaimBase = { figure: "Fig. 8a", claim: "a larger model still converges", paper: "LLaMA-2-13B: s(ICL,IT) stays high", experiment: "larger-model" };
  rows.push(x.dumps["larger-model"] === undefined ? noDump(fig8a, "no larger-model/ dump (no larger real model is bundled)") : pairClaim(fig8a, last("larger-model") ?? [], "anchorIt", test));

  const sl = last("supervised");
  const fig8b: ClaimBase = { figure: "Fig. 8b", claim: "tuning without the instruction (SL) converges less than IT", paper: "s(ICL,SL) significantly lower than s(ICL,IT) of Fig. 3a", experiment: "supervised" };
  if (sl === null || main === null) rows.push(noDump(fig8b, sl === null ? "no supervised/ dump" : "no main/ dump"));
  else {
    const bySeed = new Map(sl.map((s) => [s.seed, s.iclIt]));
    const paired = main.filter((s) => bySeed.has(s.seed));
    const row = signedRankRow("s(ICL,IT) of main > s(ICL,SL) of supervised (paired by seed)", paired.map((s) => s.iclIt), paired.map((s) => bySeed.get(s.seed) as number), "greater", test);
    rows.push(tested(fig8b, "mean s(ICL,IT) main | mean s(ICL,SL) supervised", meanOf(main.map((s) => s.iclIt)), meanOf(sl.map((s) => s.iclIt)), row, "seed k of both jobs draws the same instruction, demonstration and query"));
  }

  const tr = last("translation");
  const fig8c: ClaimBase = { figure: "Fig. 8c / fn. 6", claim: "translation task: s(ICL,IT) > s(anchor,IT)", paper: "s(ICL,IT) remarkably high; statistically greater (fn. 6)", experiment: "translation" };
  rows.push(tr === null ? noDump(fig8c) : pairClaim(fig8c, tr, "anchorIt", test));

  const fig10: ClaimBase = { figure: "Fig. 10", claim: "tuning lowers the loss of example tokens more than that of instruction tokens", paper: "a larger loss decrease for \"Example\" than for \"Instruction\" (30 seeds)", experiment: "main" };
  if (mainD === undefined) rows.push(noDump(fig10));
  else {
    const dec = lossDecreaseByKind(mainD).filter((r) => r.instruction !== null && r.example !== null);
    const row = signedRankRow("loss decrease: example > instruction tokens", dec.map((r) => r.example as number), dec.map((r) => r.instruction as number), "greater", test);
    rows.push(tested(fig10, "mean loss decrease example | instruction tokens", meanOf(dec.map((r) => r.example as number)), meanOf(dec.map((r) => r.instruction as number)), row));
  }
  return rows;
}

/** Footnote 6's p-values (LLaMA-2-7B, 30 runs; the paper's sentiment task and its machine translation task share them), null where the paper gives none. */
export const FOOTNOTE6_PAPER_P: Readonly<Record<string, number | null>> = {
  "s(ICL,IT) > s(anchor,IT)": 2.79e-9,
  "s(ICL,IT) > s(anchor,ICL)": 9.31e-10,
  "s(anchor,IT) > s(anchor,ICL)": null,
};

/** One footnote-6 test of a dump next to the paper's p-value. */
export interface Footnote6Comparison {
  name: string;
  paper_p: number | null;
  paper_n: number;
  p_value: number | null;
  n: number;
  verdict: ClaimVerdict;
}

/**
 * The footnote-6 rows of one dump (e.g. `hiddenSimsReport(d, "last").tests`) next to the paper's
 * p-values, with the same verdicts as `duanClaimRows`. O(rows).
 *
 * @example
 * footnote6Comparison(hiddenSimsReport(dump, "last").tests)[0].paper_p; // 2.79e-9
 */
export function footnote6Comparison(rows: readonly HiddenTestRow[]): Footnote6Comparison[] {
  return rows.map((r) => ({ name: r.name, paper_p: FOOTNOTE6_PAPER_P[r.name] ?? null, paper_n: 30, p_value: r.p_value, n: r.n, verdict: verdictOf(r) }));
}

/** The model a set of dumps ran, in words, for titles: e.g. "SmolLM2-135M-Instruct on invented data". */
export function claimsTitle(x: HiddenExperiments): string {
  return `Duan et al.'s claims next to ${x.example ? x.exampleNote : "these dumps"}`;
}

/** `duanClaimRows` as a table for `show` (full precision; p-values formatted at display). */
export function duanClaimsTable(x: HiddenExperiments, test: SignedRankTest = wilcoxonPaired): TableResult {
  const rows = duanClaimRows(x, test);
  const cols = ["figure", "claim", "paper", "experiment", "quantity", "value", "compared_to", "test", "statistic", "p_value", "n", "verdict", "note"] as const;
  const data: Record<string, unknown[]> = {};
  for (const c of cols) data[c] = rows.map((r) => r[c]);
  return {
    kind: "table",
    table: aq.table(data),
    title: claimsTitle(x),
    notes: [
      `one-tailed Wilcoxon signed-rank tests in the paper's direction (scipy.stats.wilcoxon defaults), level ${CLAIM_ALPHA}; last layer unless said otherwise`,
      "\"not shown\" means this data does not support the claim at that level, not that the claim is false; few runs, an invented data set and a small model carry little weight either way",
    ],
    formats: { value: { kind: "number", digits: 3 }, compared_to: { kind: "number", digits: 3 }, statistic: { kind: "number", digits: 1 }, p_value: { kind: "pvalue", significant: 3 }, n: { kind: "count" } },
    example: x.example,
  };
}

/** `duanClaimRows` as a TableView for `showTable` (prints with p-values formatted; the CSV keeps full precision). */
export function duanClaimsView(x: HiddenExperiments, test: SignedRankTest = wilcoxonPaired): TableView {
  const rows = duanClaimRows(x, test);
  const columns = ["figure", "claim", "paper", "experiment", "quantity", "value", "compared_to", "test", "p_value", "n", "verdict", "note"];
  return { columns, rows: rows.map((r) => ({ ...r })), caption: `${claimsTitle(x)} (one-tailed Wilcoxon in the paper's direction, level ${CLAIM_ALPHA}; last layer unless said otherwise)` };
}
