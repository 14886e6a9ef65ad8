/**
 * Zhao et al. §3.1 (Fig. 2 and 6) and §4 / App. C (Fig. 3 and 7): MT-Bench score against the
 * number of demonstrations (ICL) or fine-tuning examples (IFT), mean ± std over seeds, with base,
 * URIAL and instruct reference lines, 1st and 2nd turn.
 *
 * Series come from the manifest:
 * - ICL random: `setting: icl-random`, grouped by `with_urial_demos` and `demo_source`; x =
 *   `n_demos` (URIAL's 3 included). The "+ URIAL" series' point at 3 demonstrations is URIAL
 *   itself (the paper adds N ∈ {0, 7, 17, ...} demos to URIAL), taken from the `urial` runs when
 *   the dump has no icl-random run there.
 * - greedy search: `setting: icl-greedy` (no Table 3 ablation), grouped by `demo_source`; x = `n_demos`.
 * - IFT: `setting: ift`, grouped by `demo_source`; x = `n_train`.
 * - references: `base`, `urial`, `instruct` runs, restricted to the decoding configuration most
 *   used by the curves' runs of that base model when some reference runs use it.
 * A point's runs are its seeds: mean and sample std (n − 1) of their scores over seeds.
 */
import type { PublishedPromptRow, PublishedQaCell } from "../io/paperTablesMore";
import type { RunManifestRow, Setting } from "../model/manifest";
import type { QuestionId } from "../model/mtbench";
import type { PublishedTurnRow } from "../model/paper";
import type { TableView } from "../model/table";
import type { Rng } from "../stats/rng";
import type { CurveGridInput, CurvePanel, CurvePoint } from "../figures/scalingCurves";
import { type GapBootstrapOptions, type GapSpec, groupMeanInterval } from "./pairedGaps";
import type { QuestionScoreTable } from "./questionScores";
import { type ScoredRun, decodingKey, turnScore } from "./runJoin";
import { mean as statsMean } from "../stats/mean";
import { sampleStandardDeviation } from "../stats/sampleStandardDeviation";

/** What a curve is made of. */
export type CurveKind = "icl-random" | "icl-greedy" | "ift";

export interface CurveKey {
  kind: CurveKind;
  /** For icl-random: whether URIAL's demos are in the prompt (null otherwise). */
  withUrialDemos: boolean | null;
  demoSource: string | null;
}

/** One point of a curve: its runs (seeds) and their mean and spread on one turn. */
export interface CurveStat {
  x: number;
  mean: number | null;
  /** Sample standard deviation over seeds; null with fewer than two runs. */
  sd: number | null;
  nRuns: number;
  models: string[];
  /** True for the "+ URIAL" series' point at 3 demonstrations filled from the `urial` runs. */
  fromUrialRuns: boolean;
  /** A bootstrap interval, when one was computed (see lib/analysis/curveBootstrap.ts). */
  ciLow?: number | null;
  ciHigh?: number | null;
}

export interface Curve {
  baseModel: string;
  turn: 1 | 2;
  key: CurveKey;
  name: string;
  points: CurveStat[];
}

export interface Reference {
  baseModel: string;
  turn: 1 | 2;
  setting: Setting;
  name: string;
  mean: number | null;
  nRuns: number;
  models: string[];
}

export interface CurveOptions {
  /** Which kinds of curves to build; default all three. */
  kinds?: readonly CurveKind[];
  /** Keep only these demo sources (e.g. ["skillmix"]); default all. */
  demoSources?: readonly string[];
  /** Keep only ICL random curves with (true) or without (false) URIAL's demos; default both. */
  withUrialDemos?: boolean;
  /** Reference settings; default base, urial, instruct. */
  references?: readonly Setting[];
}

const REFERENCE_NAMES: Record<string, string> = { base: "base model", urial: "URIAL (3 demos)", instruct: "instruct model" };

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : statsMean(xs);
}

function sampleSd(xs: readonly number[]): number | null {
  return xs.length < 2 ? null : sampleStandardDeviation(xs);
}

function keyOf(r: RunManifestRow): CurveKey | null {
  if (r.ablation !== "none") return null;
  if (r.setting === "icl-random" && r.nDemos !== null) return { kind: "icl-random", withUrialDemos: r.withUrialDemos ?? false, demoSource: r.demoSource };
  if (r.setting === "icl-greedy" && r.nDemos !== null) return { kind: "icl-greedy", withUrialDemos: null, demoSource: r.demoSource };
  if (r.setting === "ift" && r.nTrain !== null) return { kind: "ift", withUrialDemos: null, demoSource: r.demoSource };
  return null;
}

function sameKey(a: CurveKey, b: CurveKey): boolean {
  return a.kind === b.kind && a.withUrialDemos === b.withUrialDemos && a.demoSource === b.demoSource;
}

const SOURCE_NAMES: Record<string, string> = { skillmix: "SkillMix", "evol-instruct": "Evol-Instruct", urial: "URIAL" };

/** Legend name of a curve; the source is named when the dump has several for this kind. */
export function curveName(k: CurveKey, showSource: boolean): string {
  const src = k.demoSource === null ? "" : ` (${SOURCE_NAMES[k.demoSource] ?? k.demoSource})`;
  const s = showSource ? src : "";
  switch (k.kind) {
    case "icl-random":
      return k.withUrialDemos ? `ICL random + URIAL${s}` : `ICL random, no URIAL${s}`;
    case "icl-greedy":
      return `URIAL + greedy search${s}`;
    default:
      return `IFT${s}`;
  }
}

function xOf(r: RunManifestRow, kind: CurveKind): number {
  return (kind === "ift" ? r.nTrain : r.nDemos) as number;
}

function stat(x: number, rs: readonly ScoredRun[], turn: 1 | 2, fromUrialRuns = false): CurveStat {
  const scores = rs.map((r) => turnScore(r.scores, turn)).filter((s): s is number => s !== null);
  return { x, mean: mean(scores), sd: sampleSd(scores), nRuns: scores.length, models: rs.filter((r) => turnScore(r.scores, turn) !== null).map((r) => r.row.modelId), fromUrialRuns };
}

/** The curves of one base model and turn. */
export function scalingCurves(runs: readonly ScoredRun[], baseModel: string, turn: 1 | 2, opts: CurveOptions = {}): Curve[] {
  const kinds = opts.kinds ?? ["icl-random", "icl-greedy", "ift"];
  const fam = runs.filter((r) => r.row.baseModel === baseModel);
  const keyed: { key: CurveKey; run: ScoredRun }[] = [];
  for (const run of fam) {
    const key = keyOf(run.row);
    if (key === null || !kinds.includes(key.kind)) continue;
    if (opts.demoSources && !opts.demoSources.includes(key.demoSource ?? "")) continue;
    if (opts.withUrialDemos !== undefined && key.kind === "icl-random" && key.withUrialDemos !== opts.withUrialDemos) continue;
    keyed.push({ key, run });
  }
  const keys: CurveKey[] = [];
  for (const { key } of keyed) if (!keys.some((k) => sameKey(k, key))) keys.push(key);
  const order: Record<CurveKind, number> = { "icl-random": 0, "icl-greedy": 1, ift: 2 };
  keys.sort((a, b) => order[a.kind] - order[b.kind] || Number(b.withUrialDemos) - Number(a.withUrialDemos) || (a.demoSource ?? "").localeCompare(b.demoSource ?? ""));
  const urialRuns = fam.filter((r) => r.row.setting === "urial" && r.row.ablation === "none");
  const showSource = new Set(keys.map((k) => k.demoSource)).size > 1;
  return keys.map((key) => {
    const mine = keyed.filter((k) => sameKey(k.key, key)).map((k) => k.run);
    const xs = [...new Set(mine.map((r) => xOf(r.row, key.kind)))].sort((a, b) => a - b);
    const points = xs.map((x) => stat(x, mine.filter((r) => xOf(r.row, key.kind) === x), turn));
    if (key.kind === "icl-random" && key.withUrialDemos && !xs.includes(3) && urialRuns.length > 0) {
      const decoding = modeDecoding(mine);
      const matching = urialRuns.filter((r) => decoding === null || decodingKey(r.row) === decoding);
      points.unshift(stat(3, matching.length > 0 ? matching : urialRuns, turn, true));
    }
    return { baseModel, turn, key, name: curveName(key, showSource), points };
  });
}

function modeDecoding(rs: readonly ScoredRun[]): string | null {
  const counts = new Map<string, number>();
  for (const r of rs) counts.set(decodingKey(r.row), (counts.get(decodingKey(r.row)) ?? 0) + 1);
  let best: string | null = null;
  let n = 0;
  for (const [k, c] of counts) if (c > n) [best, n] = [k, c];
  return best;
}

/**
 * Reference lines of one base model and turn: the mean of the runs of each setting, restricted
 * to the decoding configuration the curves use most when some reference runs share it (a dump
 * with a decoding grid has many base runs; the reference is the one at the curves' decoding).
 */
export function scalingReferences(runs: readonly ScoredRun[], baseModel: string, turn: 1 | 2, opts: CurveOptions = {}): Reference[] {
  const fam = runs.filter((r) => r.row.baseModel === baseModel);
  const curveRuns = fam.filter((r) => keyOf(r.row) !== null);
  const decoding = modeDecoding(curveRuns);
  const out: Reference[] = [];
  for (const setting of opts.references ?? (["base", "urial", "instruct"] as Setting[])) {
    const all = fam.filter((r) => r.row.setting === setting && (r.row.ablation === "none" || r.row.ablation === "no_demos"));
    if (all.length === 0) continue;
    const same = all.filter((r) => decoding !== null && decodingKey(r.row) === decoding);
    const sameTp = all.filter((r) => decoding !== null && decodingKey(r.row).split("|").slice(0, 2).join("|") === decoding.split("|").slice(0, 2).join("|"));
    const chosen = same.length > 0 ? same : sameTp.length > 0 ? sameTp : all;
    const scores = chosen.map((r) => turnScore(r.scores, turn)).filter((s): s is number => s !== null);
    out.push({ baseModel, turn, setting, name: REFERENCE_NAMES[setting] ?? setting, mean: mean(scores), nRuns: scores.length, models: chosen.map((r) => r.row.modelId) });
  }
  return out;
}

/** Curves and references of every base model for both turns. */
export interface ScalingResult {
  baseModels: string[];
  curves: Curve[];
  references: Reference[];
}

export function scalingResult(runs: readonly ScoredRun[], opts: CurveOptions = {}): ScalingResult {
  const curves: Curve[] = [];
  const references: Reference[] = [];
  const baseModels: string[] = [];
  for (const bm of [...new Set(runs.map((r) => r.row.baseModel))]) {
    const c1 = scalingCurves(runs, bm, 1, opts);
    if (c1.length === 0) continue;
    baseModels.push(bm);
    curves.push(...c1, ...scalingCurves(runs, bm, 2, opts));
    references.push(...scalingReferences(runs, bm, 1, opts), ...scalingReferences(runs, bm, 2, opts));
  }
  return { baseModels, curves, references };
}

/** Figure input: rows = base models, columns = 1st and 2nd turn. Error bars = std over seeds. */
export function scalingCurveInput(res: ScalingResult, xTitle = "number of demonstrations"): CurveGridInput {
  const panels = res.baseModels.map((bm) =>
    ([1, 2] as const).map((turn): CurvePanel | null => {
      const curves = res.curves.filter((c) => c.baseModel === bm && c.turn === turn && c.points.some((p) => p.mean !== null));
      if (curves.length === 0) return null;
      return {
        series: curves.map((c) => ({
          name: c.name,
          points: c.points.map((p): CurvePoint => ({ x: p.x, y: p.mean, error: p.sd, low: p.ciLow ?? null, high: p.ciHigh ?? null })),
        })),
        references: res.references.filter((r) => r.baseModel === bm && r.turn === turn).map((r) => ({ name: r.name, y: r.mean })),
      };
    }),
  );
  return { rowTitles: res.baseModels, colTitles: ["1st turn", "2nd turn"], panels, xTitle, yTitle: "MT-Bench score" };
}

/** Every point as a table row: mean, std over seeds, runs, and the bootstrap CI when computed. */
export function scalingTableLayout(res: ScalingResult, caption?: string): TableView {
  const rows: TableView["rows"] = [];
  for (const c of res.curves) {
    for (const p of c.points) {
      rows.push({
        base_model: c.baseModel,
        turn: c.turn,
        series: c.name,
        x: p.x,
        mean: p.mean,
        sd_seeds: p.sd,
        runs: p.nRuns,
        ci_low: p.ciLow ?? null,
        ci_high: p.ciHigh ?? null,
        note: p.fromUrialRuns ? "URIAL runs" : "",
      });
    }
  }
  for (const r of res.references) rows.push({ base_model: r.baseModel, turn: r.turn, series: `reference: ${r.name}`, x: null, mean: r.mean, sd_seeds: null, runs: r.nRuns, ci_low: null, ci_high: null, note: "" });
  return { columns: ["base_model", "turn", "series", "x", "mean", "sd_seeds", "runs", "ci_low", "ci_high", "note"], rows, countColumns: ["turn", "runs"], ...(caption ? { caption } : {}) };
}

/**
 * The same result with every curve point's crossed bootstrap interval over questions and seeds
 * (lib/analysis/pairedGaps.ts `groupMeanInterval`); pure (returns new curves).
 */
export function withCurveIntervals(res: ScalingResult, t: QuestionScoreTable, questionIds: readonly QuestionId[], rng: Rng, opts: GapBootstrapOptions = {}): ScalingResult {
  return {
    ...res,
    curves: res.curves.map((c) => ({
      ...c,
      points: c.points.map((p) => {
        const ci = groupMeanInterval(t, questionIds, p.models, c.turn, rng, opts);
        return { ...p, ciLow: ci.low, ciHigh: ci.high };
      }),
    })),
  };
}

/**
 * Each curve point against the URIAL reference of its base model and turn ("point − URIAL"):
 * does adding demonstrations beat URIAL on the same questions?
 */
export function scalingGapSpecs(res: ScalingResult): GapSpec[] {
  const out: GapSpec[] = [];
  for (const c of res.curves) {
    const urial = res.references.find((r) => r.baseModel === c.baseModel && r.turn === c.turn && r.setting === "urial");
    if (urial === undefined || urial.models.length === 0) continue;
    for (const p of c.points) {
      if (p.fromUrialRuns || p.models.length === 0) continue;
      out.push({ label: `${c.name}, N=${p.x} − URIAL (turn ${c.turn})`, group: c.baseModel, modelsA: urial.models, modelsB: p.models, turn: c.turn });
    }
  }
  return out;
}

/**
 * The published numbers the scaling figures can be checked against (the curves themselves have
 * none in the text): URIAL and instruct references (Table 2), the base model's 1st turn (Table 3,
 * "no demonstrations") and the greedy points' 1st turn (Table 1).
 */
export function scalingPublishedLayout(res: ScalingResult, table1: readonly PublishedPromptRow[], table2: readonly PublishedTurnRow[], table3: readonly PublishedQaCell[] = []): TableView {
  const rows: TableView["rows"] = [];
  const push = (baseModel: string, what: string, turn: number, dump: number | null, published: number | null | undefined, source: string) => {
    if (published === null || published === undefined) return;
    rows.push({ base_model: baseModel, what, turn, dump, published, difference: dump === null ? null : dump - published, source });
  };
  for (const r of res.references) {
    const t2 = table2.find((p) => p.baseModel === r.baseModel && p.setting === r.setting);
    if (t2) push(r.baseModel, r.name, r.turn, r.mean, r.turn === 1 ? t2.turn1 : t2.turn2, "Table 2");
    if (r.setting === "base" && r.turn === 1) push(r.baseModel, r.name, 1, r.mean, table3.find((p) => p.baseModel === r.baseModel && p.ablation === "no_demos")?.turn1, "Table 3 (no demonstrations)");
  }
  for (const c of res.curves) {
    if (c.key.kind !== "icl-greedy" || c.turn !== 1) continue;
    for (const p of c.points) {
      const k = p.x - 3;
      push(c.baseModel, `${c.name}, N=${p.x}`, 1, p.mean, table1.find((x) => x.baseModel === c.baseModel && x.greedyExamples === k && x.demoSource === c.key.demoSource)?.mtbenchTurn1, "Table 1");
    }
  }
  return {
    columns: ["base_model", "what", "turn", "dump", "published", "difference", "source"],
    rows,
    caption: "Published numbers beside the dump's (difference = dump − published); the curves have no published numbers",
  };
}
