/**
 * Duan et al., "Exploring the relationship between in-context learning and instruction tuning":
 * the analyses of a hidden-state dump (lib/io/hiddenDump.ts). All functions are pure.
 *
 * - s(anchor, ICL), s(anchor, IT), s(ICL, IT): cosine similarity of the last input token's hidden
 *   states, per run, at one layer (Sec. 2, Fig. 3) or at every layer (Fig. 7);
 * - the one-tailed Wilcoxon signed-rank tests of footnote 6 (paired over runs);
 * - means by group (demo–inference similarity level, Fig. 4; number of demonstrations, Fig. 5);
 * - the per-token loss decrease by token kind, "Instruction" vs "Example" (Sec. 4.3, Fig. 10);
 * - label accuracy per condition, right vs wrong labels (Fig. 6).
 */
import { cosineSimilarity } from "../stats/cosineSimilarity";
import { wilcoxonSignedRank } from "../stats/wilcoxon";
import { HIDDEN_CONDITIONS, type HiddenCondition, type HiddenDump, type HiddenRunMeta, hiddenVector } from "../io/hiddenDump";
import { mean as statsMean } from "../stats/mean";

/** The three similarities of one run at one layer. */
export interface RunSimilarity {
  run: number;
  id: string;
  seed: number;
  group: string | null;
  layer: number;
  anchorIcl: number;
  anchorIt: number;
  iclIt: number;
}

export type SimilarityPair = "anchorIcl" | "anchorIt" | "iclIt";
export const SIMILARITY_PAIRS: readonly SimilarityPair[] = ["anchorIcl", "anchorIt", "iclIt"];
/** Display names, as in the paper's figures. */
export const PAIR_LABELS: Record<SimilarityPair, string> = { anchorIcl: "s(anchor, ICL)", anchorIt: "s(anchor, IT)", iclIt: "s(ICL, IT)" };

/** "last" = the final state (after the model's final norm), else a state index 0..L. */
export type LayerChoice = "last" | number;

export function resolveLayer(dump: Pick<HiddenDump, "nStates">, layer: LayerChoice): number {
  const l = layer === "last" ? dump.nStates - 1 : layer;
  if (!Number.isInteger(l) || l < 0 || l >= dump.nStates) throw new RangeError(`layer ${layer} is not within 0..${dump.nStates - 1} (index 0 = embeddings)`);
  return l;
}

function similarityAt(dump: HiddenDump, run: number, layer: number): Record<SimilarityPair, number> {
  const h = (c: HiddenCondition) => hiddenVector(dump, run, c, layer);
  return { anchorIcl: cosineSimilarity(h("anchor"), h("icl")), anchorIt: cosineSimilarity(h("anchor"), h("it")), iclIt: cosineSimilarity(h("icl"), h("it")) };
}

/**
 * s(anchor, ICL), s(anchor, IT), s(ICL, IT) per run at one layer (default: the last, as in
 * Fig. 3). O(runs x hidden).
 *
 * @example
 * const sims = runSimilarities(dump, "last");
 * sims[0].iclIt; // cosine of the ICL and IT hidden states of run 0
 */
export function runSimilarities(dump: HiddenDump, layer: LayerChoice = "last"): RunSimilarity[] {
  const l = resolveLayer(dump, layer);
  const layerNo = dump.stateLayers[l] ?? l;
  return dump.runs.map((r, i) => ({ run: r.index, id: r.id, seed: r.seed, group: r.group, layer: layerNo, ...similarityAt(dump, i, l) }));
}

/** The three similarities of one run at every state 0..L (Fig. 7). */
export interface RunLayerSimilarity {
  run: number;
  id: string;
  seed: number;
  anchorIcl: number[];
  anchorIt: number[];
  iclIt: number[];
}

/** Per run, the similarities at every layer. O(runs x states x hidden). */
export function layerSimilarities(dump: HiddenDump): RunLayerSimilarity[] {
  return dump.runs.map((r, i) => {
    const out: RunLayerSimilarity = { run: r.index, id: r.id, seed: r.seed, anchorIcl: [], anchorIt: [], iclIt: [] };
    for (let l = 0; l < dump.nStates; l++) {
      const s = similarityAt(dump, i, l);
      out.anchorIcl.push(s.anchorIcl);
      out.anchorIt.push(s.anchorIt);
      out.iclIt.push(s.iclIt);
    }
    return out;
  });
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : statsMean(xs);
}

/**
 * Mean over runs of each similarity at each stored state: the curves of Fig. 7. `stateLayers`
 * (the dump's) names the layer of each state; without it the state index is the layer.
 */
export function meanSimilarityByLayer(sims: readonly RunLayerSimilarity[], stateLayers?: readonly number[]): { layer: number; anchorIcl: number; anchorIt: number; iclIt: number }[] {
  const first = sims[0];
  if (first === undefined) return [];
  return first.iclIt.map((_, l) => ({
    layer: stateLayers?.[l] ?? l,
    anchorIcl: mean(sims.map((s) => s.anchorIcl[l] as number)),
    anchorIt: mean(sims.map((s) => s.anchorIt[l] as number)),
    iclIt: mean(sims.map((s) => s.iclIt[l] as number)),
  }));
}

export type SignedRankAlternative = "two-sided" | "greater" | "less";

/**
 * A paired Wilcoxon signed-rank test of x against y (differences x - y), as
 * `scipy.stats.wilcoxon(x, y, alternative=...)`: pass lib/stats's `wilcoxon` through a one-line
 * adapter. Injected so this module never implements its own.
 */
export type SignedRankTest = (x: readonly number[], y: readonly number[], alternative: SignedRankAlternative) => { statistic: number; pValue: number };

/**
 * The tests of footnote 6 (Sec. 4.4, machine translation; applied to every experiment here):
 * "a one-tailed Wilcoxon signed-rank test between each pair of them" over the paired runs.
 * - s(ICL,IT) against s(anchor,IT) and against s(anchor,ICL), alternative "greater" (the paper
 *   reports p = 2.79e-9 and 9.31e-10 for n = 30; its footnote words the null hypothesis as
 *   "the difference is greater than zero", but only the alternative "s(ICL,IT) is greater" gives
 *   such p-values with ICL-IT near 0.9 and the others lower);
 * - s(anchor,IT) against s(anchor,ICL): the paper gives neither direction nor p-value for this
 *   pair; it is tested one-tailed as well, alternative "s(anchor,IT) is greater" (tuning on one
 *   demonstration moves the state less than putting it in context, Fig. 4a vs 4b).
 */
export const FOOTNOTE6_TESTS: readonly { name: string; x: SimilarityPair; y: SimilarityPair; alternative: SignedRankAlternative }[] = [
  { name: "s(ICL,IT) > s(anchor,IT)", x: "iclIt", y: "anchorIt", alternative: "greater" },
  { name: "s(ICL,IT) > s(anchor,ICL)", x: "iclIt", y: "anchorIcl", alternative: "greater" },
  { name: "s(anchor,IT) > s(anchor,ICL)", x: "anchorIt", y: "anchorIcl", alternative: "greater" },
];

export interface SimilarityTestResult {
  name: string;
  x: SimilarityPair;
  y: SimilarityPair;
  alternative: SignedRankAlternative;
  layer: number;
  statistic: number;
  pValue: number;
  n: number;
}

/**
 * `scipy.stats.wilcoxon(x, y, alternative=...)` with scipy's defaults (zero_method "wilcox",
 * method "auto", no continuity correction) through lib/stats's signed-rank test.
 */
export const wilcoxonPaired: SignedRankTest = (x, y, alternative) => {
  const r = wilcoxonSignedRank([...x], [...y], { alternative });
  return { statistic: r.statistic, pValue: r.pValue };
};

/** One printed test: statistic / p_value null (with a note) where the test is undefined. */
export interface HiddenTestRow {
  name: string;
  alternative: SignedRankAlternative;
  statistic: number | null;
  p_value: number | null;
  /** Pairs given to the test (zero differences included). */
  n: number;
  note?: string;
}

/**
 * A paired test that never throws: an undefined test (every difference zero, fewer than one
 * pair, a non-finite result) becomes statistic / p_value null with the reason in `note`.
 */
export function signedRankRow(name: string, x: readonly number[], y: readonly number[], alternative: SignedRankAlternative, test: SignedRankTest = wilcoxonPaired): HiddenTestRow {
  const base = { name, alternative, n: x.length };
  if (x.length === 0) return { ...base, statistic: null, p_value: null, note: "no pairs" };
  if (x.every((v, i) => v === y[i])) return { ...base, statistic: null, p_value: null, note: "every difference is zero" };
  try {
    const r = test(x, y, alternative);
    return Number.isFinite(r.statistic) && Number.isFinite(r.pValue)
      ? { ...base, statistic: r.statistic, p_value: r.pValue }
      : { ...base, statistic: null, p_value: null, note: "test undefined (non-finite result)" };
  } catch (e) {
    return { ...base, statistic: null, p_value: null, note: e instanceof Error ? e.message : String(e) };
  }
}

/** The three footnote-6 tests on the per-run similarities of one layer, as printable rows. */
export function footnote6Tests(sims: readonly RunSimilarity[], test: SignedRankTest = wilcoxonPaired): HiddenTestRow[] {
  const layers = new Set(sims.map((s) => s.layer));
  if (layers.size > 1) throw new RangeError(`footnote6Tests: similarities of several layers (${[...layers].join(", ")}); test one layer at a time`);
  return FOOTNOTE6_TESTS.map((t) => signedRankRow(t.name, sims.map((s) => s[t.x]), sims.map((s) => s[t.y]), t.alternative, test));
}

/**
 * A similarity of two groups of runs paired by seed (e.g. s(ICL,IT) with 10 vs 1 demonstrations,
 * Fig. 5; at the highest vs the lowest similarity level, Fig. 4; right vs wrong labels, Fig. 3b).
 * Seeds present in only one group are left out; the test says how many pairs remain.
 */
export function pairedGroupTest(
  sims: readonly RunSimilarity[],
  opts: { pair: SimilarityPair; a: string; b: string; alternative: SignedRankAlternative; name?: string },
  test: SignedRankTest = wilcoxonPaired,
): HiddenTestRow {
  const bySeed = (g: string) => new Map(sims.filter((s) => s.group === g).map((s) => [s.seed, s[opts.pair]]));
  const a = bySeed(opts.a);
  const b = bySeed(opts.b);
  const seeds = [...a.keys()].filter((k) => b.has(k)).sort((p, q) => p - q);
  const sign = opts.alternative === "greater" ? ">" : opts.alternative === "less" ? "<" : "!=";
  const name = opts.name ?? `${PAIR_LABELS[opts.pair]}: ${opts.a} ${sign} ${opts.b} (paired by seed)`;
  const row = signedRankRow(name, seeds.map((k) => a.get(k) as number), seeds.map((k) => b.get(k) as number), opts.alternative, test);
  return seeds.length === 0 ? { ...row, note: `no seed has runs in both groups "${opts.a}" and "${opts.b}"` } : row;
}

/**
 * Fig. 6: label accuracy with right vs wrong demonstration labels and its one-tailed Wilcoxon
 * signed-rank test per condition (ICL, IT), paired by seed over the 0/1 correctness of each run
 * ("right" and "wrong" groups of the wrong-label experiment); alternative: right > wrong.
 */
export function wrongLabelAccuracy(
  runs: readonly HiddenRunMeta[],
  test: SignedRankTest = wilcoxonPaired,
): { accuracy: { condition: HiddenCondition; right: number; wrong: number; n: number }[]; tests: HiddenTestRow[] } {
  const right = runs.filter((r) => r.group === "right");
  const wrong = runs.filter((r) => r.group === "wrong");
  const accR = labelAccuracy(right);
  const accW = labelAccuracy(wrong);
  const conditions: HiddenCondition[] = ["icl", "it"];
  const wrongBySeed = new Map(wrong.map((r) => [r.seed, r]));
  const tests = conditions.map((c) => {
    const x: number[] = [];
    const y: number[] = [];
    for (const r of right) {
      const w = wrongBySeed.get(r.seed);
      const cr = r.labels?.correct[c];
      const cw = w?.labels?.correct[c];
      if (cr === null || cr === undefined || cw === null || cw === undefined) continue;
      x.push(cr ? 1 : 0);
      y.push(cw ? 1 : 0);
    }
    return signedRankRow(`${c === "icl" ? "ICL" : "IT"} accuracy: right > wrong labels (paired by seed)`, x, y, "greater", test);
  });
  return { accuracy: conditions.map((c) => ({ condition: c, right: accR[c].accuracy, wrong: accW[c].accuracy, n: Math.min(accR[c].n, accW[c].n) })), tests };
}

/**
 * Fig. 10's comparison: per run, the mean loss decrease of instruction tokens against that of
 * example tokens (paired over runs that have both, two-sided: the paper states no direction),
 * and each against zero (one-tailed: tuning lowers the loss).
 */
export function lossDecreaseTests(dec: readonly RunLossDecrease[], test: SignedRankTest = wilcoxonPaired): HiddenTestRow[] {
  const both = dec.filter((d) => d.instruction !== null && d.example !== null);
  const instr = dec.filter((d) => d.instruction !== null).map((d) => d.instruction as number);
  const ex = dec.filter((d) => d.example !== null).map((d) => d.example as number);
  return [
    signedRankRow("loss decrease: instruction != example tokens", both.map((d) => d.instruction as number), both.map((d) => d.example as number), "two-sided", test),
    signedRankRow("loss decrease of instruction tokens > 0", instr, instr.map(() => 0), "greater", test),
    signedRankRow("loss decrease of example tokens > 0", ex, ex.map(() => 0), "greater", test),
  ];
}

/** Test rows as an aligned plain-text table (statistic, p-value, n, note). */
export function formatTestRows(rows: readonly HiddenTestRow[]): string {
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  const fmtP = (p: number | null) => (p === null ? "—" : p < 1e-3 ? p.toExponential(2) : p.toFixed(4));
  const lines = [`${"test".padEnd(width)}  ${"alternative".padEnd(11)}  ${"statistic".padStart(9)}  ${"p".padStart(9)}  ${"n".padStart(3)}`];
  for (const r of rows) {
    lines.push(`${r.name.padEnd(width)}  ${r.alternative.padEnd(11)}  ${(r.statistic === null ? "—" : r.statistic.toFixed(1)).padStart(9)}  ${fmtP(r.p_value).padStart(9)}  ${String(r.n).padStart(3)}${r.note ? `  (${r.note})` : ""}`);
  }
  return lines.join("\n");
}

/** Runs the footnote-6 tests on per-run similarities of one layer. */
export function similarityTests(sims: readonly RunSimilarity[], test: SignedRankTest): SimilarityTestResult[] {
  const layers = new Set(sims.map((s) => s.layer));
  if (layers.size > 1) throw new RangeError(`similarityTests: similarities of several layers (${[...layers].join(", ")}); test one layer at a time`);
  const layer = sims[0]?.layer ?? -1;
  return FOOTNOTE6_TESTS.map((t) => {
    const r = test(sims.map((s) => s[t.x]), sims.map((s) => s[t.y]), t.alternative);
    return { ...t, layer, statistic: r.statistic, pValue: r.pValue, n: sims.length };
  });
}

/** Mean similarities of the runs grouped by `key` (e.g. similarity level, number of demos). */
export function groupedSimilarities<K extends string | number>(
  sims: readonly RunSimilarity[],
  runs: readonly HiddenRunMeta[],
  key: (run: HiddenRunMeta) => K | null,
): { key: K; n: number; anchorIcl: number; anchorIt: number; iclIt: number }[] {
  const byIndex = new Map(runs.map((r) => [r.index, r]));
  const groups = new Map<K, RunSimilarity[]>();
  for (const s of sims) {
    const meta = byIndex.get(s.run);
    if (meta === undefined) throw new RangeError(`run ${s.run} has no metadata`);
    const k = key(meta);
    if (k === null) continue;
    const g = groups.get(k) ?? [];
    g.push(s);
    groups.set(k, g);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, g]) => ({ key: k, n: g.length, anchorIcl: mean(g.map((s) => s.anchorIcl)), anchorIt: mean(g.map((s) => s.anchorIt)), iclIt: mean(g.map((s) => s.iclIt)) }));
}

/** Token kinds that make up the paper's "Example" group (Sec. 4.3): input text, label prefix, label. */
export const EXAMPLE_TOKEN_KINDS = ["example_input", "example_prefix", "example_label"] as const;

export interface RunLossDecrease {
  run: number;
  id: string;
  /** Mean (before - after) over instruction tokens; null when the run has none (SL variant). */
  instruction: number | null;
  /** Mean (before - after) over example tokens (input, label prefix, label). */
  example: number | null;
  /** Mean decrease per token kind (every kind in dump.tokenKinds; null when absent). */
  byKind: Record<string, number | null>;
  nTokens: Record<string, number>;
}

/**
 * Per-token loss decrease due to tuning, averaged by token kind (Fig. 10): for each run, all
 * of its training texts pooled; a positive value means the loss dropped. O(tokens).
 */
export function lossDecreaseByKind(dump: HiddenDump): RunLossDecrease[] {
  const kinds = dump.tokenKinds;
  const exampleCodes = new Set(EXAMPLE_TOKEN_KINDS.map((k) => kinds.indexOf(k)).filter((i) => i >= 0));
  const instructionCode = kinds.indexOf("instruction");
  return dump.runs.map((r) => {
    const sum = new Array<number>(kinds.length).fill(0);
    const cnt = new Array<number>(kinds.length).fill(0);
    for (const seq of dump.losses) {
      if (seq.run !== r.index) continue;
      for (let t = 0; t < seq.kinds.length; t++) {
        const k = seq.kinds[t] as number;
        if (k < 0 || k >= kinds.length) throw new RangeError(`run ${r.index}: token kind ${k} is not in token_kinds`);
        sum[k] = (sum[k] as number) + ((seq.before[t] as number) - (seq.after[t] as number));
        cnt[k] = (cnt[k] as number) + 1;
      }
    }
    const byKind: Record<string, number | null> = {};
    const nTokens: Record<string, number> = {};
    kinds.forEach((k, i) => {
      byKind[k] = cnt[i] === 0 ? null : (sum[i] as number) / (cnt[i] as number);
      nTokens[k] = cnt[i] as number;
    });
    let exSum = 0;
    let exN = 0;
    for (const c of exampleCodes) {
      exSum += sum[c] as number;
      exN += cnt[c] as number;
    }
    const instrN = instructionCode >= 0 ? (cnt[instructionCode] as number) : 0;
    return {
      run: r.index,
      id: r.id,
      instruction: instrN === 0 ? null : (sum[instructionCode] as number) / instrN,
      example: exN === 0 ? null : exSum / exN,
      byKind,
      nTokens,
    };
  });
}

/** Accuracy of the predicted label per condition over runs with a gold label (Fig. 6). */
export function labelAccuracy(runs: readonly HiddenRunMeta[]): Record<HiddenCondition, { correct: number; n: number; accuracy: number }> {
  const out = {} as Record<HiddenCondition, { correct: number; n: number; accuracy: number }>;
  for (const c of HIDDEN_CONDITIONS) {
    let correct = 0;
    let n = 0;
    for (const r of runs) {
      const v = r.labels?.correct[c];
      if (v === null || v === undefined) continue;
      n++;
      if (v) correct++;
    }
    out[c] = { correct, n, accuracy: n === 0 ? Number.NaN : correct / n };
  }
  return out;
}

/** The JSON printed by `icl-workbench hidden-sims --json` (snake_case). */
export interface HiddenSimsReport {
  layer: "last" | "all";
  n_states: number;
  /** The model layer of each stored state (0 = embeddings). */
  state_layers: number[];
  runs: Record<string, unknown>[];
  /** statistic / p_value are null (with a note) when the test is undefined, e.g. every
   * difference is zero at layer 0, where all three states are the same token embedding. */
  tests: (HiddenTestRow & { layer: number })[];
}

/**
 * Per-run similarities and the footnote-6 tests, at the last layer or at every layer (the tests
 * then run once per layer).
 */
export function hiddenSimsReport(dump: HiddenDump, layer: "last" | "all", test: SignedRankTest = wilcoxonPaired): HiddenSimsReport {
  const testsAt = (sims: RunSimilarity[]): HiddenSimsReport["tests"] => footnote6Tests(sims, test).map((r) => ({ ...r, layer: sims[0]?.layer ?? -1 }));
  if (layer === "last") {
    const sims = runSimilarities(dump, "last");
    return {
      layer,
      n_states: dump.nStates,
      state_layers: dump.stateLayers,
      runs: sims.map((s) => ({ run: s.run, id: s.id, seed: s.seed, layer: s.layer, anchor_icl: s.anchorIcl, anchor_it: s.anchorIt, icl_it: s.iclIt })),
      tests: testsAt(sims),
    };
  }
  const all = layerSimilarities(dump);
  const tests = [];
  for (let l = 0; l < dump.nStates; l++) tests.push(...testsAt(runSimilarities(dump, l)));
  return {
    layer,
    n_states: dump.nStates,
    state_layers: dump.stateLayers,
    runs: all.map((s) => ({ run: s.run, id: s.id, seed: s.seed, anchor_icl: s.anchorIcl, anchor_it: s.anchorIt, icl_it: s.iclIt })),
    tests,
  };
}
