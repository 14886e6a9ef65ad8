/**
 * Zhao et al. §3.2 and App. A.3 (Fig. 5, 9; Tables 1, 5): greedy search for demonstrations added
 * to URIAL.
 *
 * The search's candidates are `setting: icl-greedy` runs with `greedy_step` k (k = 1: the 4th
 * demonstration) judged by the search's judge (GPT-4-Turbo in the paper). The prompt chosen at a
 * step is, in this order: the candidate the final judge also scored (same model id: the chosen
 * prompt's answers re-judged with GPT-4); the candidate whose `prompt_file` another icl-greedy run
 * of the same base model, source and step shares; else the candidate with the best 1st-turn score.
 * Tables 1 and 5 are the final judge's 1st-turn scores of URIAL and the chosen prompts, beside
 * AlpacaEval 2.0.
 */
import type { PublishedPromptRow } from "../io/paperTablesMore";
import type { RunManifestRow } from "../model/manifest";
import type { TableView } from "../model/table";
import type { GreedyStepPanel, GreedyStepsInput, HistogramBin } from "../figures/greedySteps";
import type { GapSpec } from "./pairedGaps";
import { median } from "../stats/median";
import type { ScoredRun } from "./runJoin";

/** The search-space threshold of App. A.3 (1st-turn MT-Bench, GPT-4-Turbo judge). */
export const GREEDY_THRESHOLD = 6.2;

export interface GreedyStepCandidate {
  modelId: string;
  label: string;
  promptFile: string | null;
  turn1: number | null;
}

export interface GreedyStep {
  baseModel: string;
  demoSource: string | null;
  step: number;
  candidates: GreedyStepCandidate[];
  /** The prompt kept at this step, and how it was identified. */
  chosen: GreedyStepCandidate | null;
  chosenBy: "final judge" | "prompt_file" | "best score" | null;
  /** The best-scoring candidate (equals `chosen` unless the manifest says otherwise). */
  best: GreedyStepCandidate | null;
}

export interface GreedySearch {
  baseModel: string;
  demoSource: string | null;
  /** URIAL's score under the search's judge (the starting point), when the dump has it. */
  urial: number | null;
  steps: GreedyStep[];
}

/**
 * The search of each (base model, demo source) in the runs of the search's judge. `manifest`
 * is the whole manifest and `finalRuns` the runs scored by the final judge (both identify the
 * chosen prompts; either may be empty).
 */
export function greedySearches(candidateRuns: readonly ScoredRun[], manifest: readonly RunManifestRow[] = [], finalRuns: readonly ScoredRun[] = []): GreedySearch[] {
  const finalIds = new Set(finalRuns.map((r) => r.row.modelId));
  const cands = candidateRuns.filter((r) => r.row.setting === "icl-greedy" && r.row.greedyStep !== null && r.row.greedyStep >= 1 && r.row.ablation === "none");
  const groups: { baseModel: string; demoSource: string | null }[] = [];
  for (const r of cands) if (!groups.some((g) => g.baseModel === r.row.baseModel && g.demoSource === r.row.demoSource)) groups.push({ baseModel: r.row.baseModel, demoSource: r.row.demoSource });
  const candidateIds = new Set(cands.map((r) => r.row.modelId));
  return groups.map(({ baseModel, demoSource }) => {
    const mine = cands.filter((r) => r.row.baseModel === baseModel && r.row.demoSource === demoSource);
    const stepsN = [...new Set(mine.map((r) => r.row.greedyStep as number))].sort((a, b) => a - b);
    const steps = stepsN.map((step): GreedyStep => {
      const candidates = mine
        .filter((r) => r.row.greedyStep === step)
        .map((r) => ({ modelId: r.row.modelId, label: r.row.label, promptFile: r.row.promptFile, turn1: r.scores.turn1 }));
      let best: GreedyStepCandidate | null = null;
      for (const c of candidates) if (c.turn1 !== null && (best === null || c.turn1 > (best.turn1 as number))) best = c;
      const finals = manifest.filter((m) => m.setting === "icl-greedy" && m.greedyStep === step && m.baseModel === baseModel && m.demoSource === demoSource && !candidateIds.has(m.modelId) && m.promptFile !== null);
      const byJudge = candidates.find((c) => finalIds.has(c.modelId)) ?? null;
      const byFile = candidates.find((c) => c.promptFile !== null && finals.some((f) => f.promptFile === c.promptFile)) ?? null;
      const chosen = byJudge ?? byFile ?? best;
      const chosenBy = byJudge ? "final judge" : byFile ? "prompt_file" : best ? "best score" : null;
      return { baseModel, demoSource, step, candidates, chosen, chosenBy, best };
    });
    const urialRuns = candidateRuns.filter((r) => r.row.baseModel === baseModel && r.row.setting === "urial" && r.row.ablation === "none");
    const u = urialRuns.map((r) => r.scores.turn1).filter((x): x is number => x !== null);
    return { baseModel, demoSource, urial: u.length === 0 ? null : u.reduce((a, b) => a + b, 0) / u.length, steps };
  });
}

/**
 * Histogram of `values` with bins of `width` aligned on multiples of `width` (the last bin
 * closed on the right). Empty input gives no bins.
 */
export function histogram(values: readonly number[], width: number): HistogramBin[] {
  if (values.length === 0) return [];
  const eps = 1e-9;
  const lo = Math.floor(Math.min(...values) / width + eps);
  const hi = Math.floor(Math.max(...values) / width + eps);
  const bins: HistogramBin[] = [];
  for (let k = lo; k <= hi; k++) bins.push({ x0: k * width, x1: (k + 1) * width, count: 0 });
  for (const v of values) {
    const k = Math.min(hi, Math.floor(v / width + eps)) - lo;
    (bins[k] as HistogramBin).count++;
  }
  return bins;
}

/** Step k adds the (k + 3)th demonstration to URIAL's three. */
function demoOrdinal(step: number): string {
  return `${step + 3}th demo`;
}

/**
 * Figure input: rows = searches (base model, source), columns = steps. Each panel marks URIAL's
 * score and the chosen prompt of every step up to this one.
 */
export function greedyStepsInput(searches: readonly GreedySearch[], binWidth = 0.1, threshold: number | null = GREEDY_THRESHOLD): GreedyStepsInput {
  const maxStep = Math.max(0, ...searches.flatMap((s) => s.steps.map((st) => st.step)));
  const stepNums = Array.from({ length: maxStep }, (_, i) => i + 1);
  const multiSource = new Set(searches.map((s) => s.demoSource)).size > 1;
  const panels = searches.map((s) =>
    stepNums.map((k): GreedyStepPanel | null => {
      const st = s.steps.find((x) => x.step === k);
      if (st === undefined) return null;
      const scores = st.candidates.map((c) => c.turn1).filter((x): x is number => x !== null);
      const marks = [{ name: "URIAL", score: s.urial }];
      for (const prev of s.steps.filter((x) => x.step <= k)) marks.push({ name: `chosen at step ${prev.step} (${demoOrdinal(prev.step)})`, score: prev.chosen?.turn1 ?? null });
      return { bins: histogram(scores, binWidth), marks, threshold: k > 1 ? threshold : null, nCandidates: scores.length };
    }),
  );
  return {
    rowTitles: searches.map((s) => (multiSource && s.demoSource ? `${s.baseModel} (${s.demoSource})` : s.baseModel)),
    colTitles: stepNums.map((k) => `step ${k}: ${demoOrdinal(k)}, candidates`),
    panels,
    xTitle: "1st-turn MT-Bench score (search judge)",
  };
}

/** One row per step: candidates, spread, best, chosen and how. */
export function greedyStepsLayout(searches: readonly GreedySearch[], caption?: string): TableView {
  const rows: TableView["rows"] = [];
  for (const s of searches) {
    for (const st of s.steps) {
      const xs = st.candidates.map((c) => c.turn1).filter((x): x is number => x !== null).sort((a, b) => a - b);
      const med = xs.length === 0 ? null : median(xs);
      rows.push({
        base_model: s.baseModel,
        demo_source: s.demoSource,
        step: st.step,
        candidates: xs.length,
        min: xs[0] ?? null,
        median: med,
        max: xs[xs.length - 1] ?? null,
        above_urial: s.urial === null ? null : xs.filter((x) => x > (s.urial as number)).length,
        urial: s.urial,
        chosen: st.chosen?.label ?? null,
        chosen_score: st.chosen?.turn1 ?? null,
        chosen_by: st.chosenBy,
      });
    }
  }
  return {
    columns: ["base_model", "demo_source", "step", "candidates", "min", "median", "max", "above_urial", "urial", "chosen", "chosen_score", "chosen_by"],
    rows,
    countColumns: ["step", "candidates", "above_urial"],
    ...(caption ? { caption } : {}),
  };
}

// ---------------------------------------------------------------- Tables 1, 5 (and 6)

/** The dump's runs of the prompt table: URIAL and URIAL + k greedy examples per base model. */
export interface PromptRun {
  baseModel: string;
  demoSource: string | null;
  promptFrom: string | null;
  greedyExamples: number;
  modelId: string;
  label: string;
  turn1: number | null;
  nFailed: number;
}

/**
 * Runs of the final judge for a prompt table: URIAL runs (k = 0) and icl-greedy runs (k =
 * greedy_step), no ablation; `transferred` keeps only prompts found on another base model
 * (`prompt_from` set, Table 6), else only the base models' own prompts; `demoSources` keeps only
 * greedy prompts of these sources (Table 1: skillmix; Table 5: evol-instruct). URIAL runs appear under every demo source of
 * their base model's greedy runs (they are the shared first row of each table).
 */
export function promptRuns(runs: readonly ScoredRun[], opts: { transferred?: boolean; demoSources?: readonly string[] } = {}): PromptRun[] {
  const transferred = opts.transferred ?? false;
  const greedy = runs.filter(
    (r) =>
      r.row.setting === "icl-greedy" &&
      r.row.greedyStep !== null &&
      r.row.ablation === "none" &&
      (r.row.promptFrom !== null) === transferred &&
      (opts.demoSources === undefined || opts.demoSources.includes(r.row.demoSource ?? "")),
  );
  const out: PromptRun[] = [];
  const groups: { baseModel: string; demoSource: string | null; promptFrom: string | null }[] = [];
  for (const r of greedy) if (!groups.some((g) => g.baseModel === r.row.baseModel && g.demoSource === r.row.demoSource && g.promptFrom === r.row.promptFrom)) groups.push({ baseModel: r.row.baseModel, demoSource: r.row.demoSource, promptFrom: r.row.promptFrom });
  for (const g of groups) {
    const urial = runs.filter((r) => r.row.baseModel === g.baseModel && r.row.setting === "urial" && r.row.ablation === "none");
    for (const r of urial) out.push({ ...g, greedyExamples: 0, modelId: r.row.modelId, label: r.row.label, turn1: r.scores.turn1, nFailed: r.scores.nFailed });
    const mine = greedy.filter((r) => r.row.baseModel === g.baseModel && r.row.demoSource === g.demoSource && r.row.promptFrom === g.promptFrom).sort((a, b) => (a.row.greedyStep as number) - (b.row.greedyStep as number));
    for (const r of mine) out.push({ ...g, greedyExamples: r.row.greedyStep as number, modelId: r.row.modelId, label: r.row.label, turn1: r.scores.turn1, nFailed: r.scores.nFailed });
  }
  return out;
}

/** AlpacaEval numbers of a run, as shown in the prompt tables. */
export interface PromptAlpaca {
  winRate: number | null;
  lengthControlled: number | null;
  lengthControlledSource: string | null;
}

function promptName(k: number): string {
  return k === 0 ? "URIAL (3 examples)" : `URIAL + greedy search (${k} ex.)`;
}

/**
 * Tables 1, 5 and 6 in one layout: per base model and prompt, the dump's 1st-turn MT-Bench and
 * AlpacaEval numbers beside the published ones. The `lc` column is the dump leaderboard's LC win
 * rate when it has one (`lc_source` says "dump leaderboard"), else the published value (`lc_source`
 * "published"); `win_rate` is recomputed from the dump's annotations.
 */
export function promptTableLayout(
  runs: readonly PromptRun[],
  published: readonly PublishedPromptRow[],
  alpaca: ReadonlyMap<string, PromptAlpaca>,
  caption?: string,
): TableView {
  const rows: TableView["rows"] = runs.map((r) => {
    const p = published.find((x) => x.baseModel === r.baseModel && x.greedyExamples === r.greedyExamples && (r.greedyExamples === 0 || (x.demoSource === r.demoSource && (x.promptFrom ?? null) === (r.promptFrom ?? null))));
    const a = alpaca.get(r.modelId) ?? null;
    const lcDump = a?.lengthControlled ?? null;
    return {
      base_model: r.baseModel,
      demo_source: r.greedyExamples === 0 ? "urial" : r.demoSource,
      prompt: promptName(r.greedyExamples),
      mtbench_1st: r.turn1,
      published_mtbench_1st: p?.mtbenchTurn1 ?? null,
      difference: r.turn1 === null || p?.mtbenchTurn1 === null || p === undefined ? null : r.turn1 - (p.mtbenchTurn1 as number),
      win_rate: a?.winRate ?? null,
      lc: lcDump ?? p?.alpacaEvalLc ?? null,
      lc_source: lcDump !== null ? (a?.lengthControlledSource ?? "dump") : p?.alpacaEvalLc !== null && p !== undefined ? "published" : null,
      published_lc: p?.alpacaEvalLc ?? null,
      failed: r.nFailed,
    };
  });
  return {
    columns: ["base_model", "demo_source", "prompt", "mtbench_1st", "published_mtbench_1st", "difference", "win_rate", "lc", "lc_source", "published_lc", "failed"],
    rows,
    ...(caption ? { caption } : {}),
  };
}

/** Published rows as their own table (the paper's layout, long form). */
export function publishedPromptLayout(published: readonly PublishedPromptRow[], caption: string): TableView {
  return {
    columns: ["base_model", "demo_source", "prompt_from", "prompt", "mtbench_1st", "alpacaeval_lc"],
    rows: published.map((p) => ({ base_model: p.baseModel, demo_source: p.demoSource, prompt_from: p.promptFrom, prompt: promptName(p.greedyExamples), mtbench_1st: p.mtbenchTurn1, alpacaeval_lc: p.alpacaEvalLc })),
    caption,
  };
}

/** "URIAL + greedy (k ex.) − URIAL" for each base model of a prompt table. */
export interface PromptComparison {
  baseModel: string;
  demoSource: string | null;
  promptFrom: string | null;
  greedyExamples: number;
  /** A = URIAL, B = URIAL + k greedy examples. */
  modelA: string;
  modelB: string;
  /** Published gap (1st-turn MT-Bench) and published LC gap, when the paper has both rows. */
  publishedMtBench: number | null;
  publishedLc: number | null;
}

/**
 * Each greedy prompt against its base model's URIAL run. Works for Tables 1, 5 (own prompts)
 * and 6 (transferred ones).
 */
export function promptComparisons(rows: readonly PromptRun[], published: readonly PublishedPromptRow[] = []): PromptComparison[] {
  const out: PromptComparison[] = [];
  for (const r of rows) {
    if (r.greedyExamples === 0) continue;
    const urial = rows.find((u) => u.greedyExamples === 0 && u.baseModel === r.baseModel && u.demoSource === r.demoSource && u.promptFrom === r.promptFrom);
    if (urial === undefined) continue;
    const pub = (k: number) => published.find((p) => p.baseModel === r.baseModel && p.greedyExamples === k && (k === 0 || (p.demoSource === r.demoSource && (p.promptFrom ?? null) === (r.promptFrom ?? null))));
    const p0 = pub(0);
    const pk = pub(r.greedyExamples);
    const gap = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined || b === null || b === undefined ? null : b - a);
    out.push({
      baseModel: r.baseModel,
      demoSource: r.demoSource,
      promptFrom: r.promptFrom,
      greedyExamples: r.greedyExamples,
      modelA: urial.modelId,
      modelB: r.modelId,
      publishedMtBench: gap(p0?.mtbenchTurn1, pk?.mtbenchTurn1),
      publishedLc: gap(p0?.alpacaEvalLc, pk?.alpacaEvalLc),
    });
  }
  return out;
}

/** Gap specs "URIAL + greedy (k ex.) − URIAL" (1st turn) for lib/analysis/pairedGaps.ts. */
export function promptGapSpecs(comparisons: readonly PromptComparison[]): GapSpec[] {
  return comparisons.map((c) => ({
    label: `greedy ${c.greedyExamples} ex. − URIAL${c.demoSource && c.demoSource !== "skillmix" ? ` (${c.demoSource})` : ""}`,
    group: c.baseModel,
    modelsA: [c.modelA],
    modelsB: [c.modelB],
    turn: 1 as const,
    published: c.publishedMtBench,
  }));
}
