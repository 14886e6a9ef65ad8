/**
 * Zhao et al. App. B (Table 3): importance of question-answer matching in the demonstrations.
 * For a demo set of N examples (3 = URIAL's; 6 = URIAL + 3 greedy-search examples), each
 * ablation run (`ablation`: x_only, y_only, circular_shift, in_domain_random,
 * out_of_domain_random) is compared with its "correct Y" counterpart: the run whose manifest
 * factors are identical except `ablation: none`. The no-demonstration run (`ablation: no_demos`,
 * the plain base model) is shared by every demo set of its base model, as in the paper.
 */
import type { PublishedQaCell } from "../io/paperTablesMore";
import type { Ablation, RunManifestRow } from "../model/manifest";
import type { TableView } from "../model/table";
import type { GapSpec } from "./pairedGaps";
import type { ScoredRun } from "./runJoin";

/** Table 3's rows, in its order ("none" is "correct Y"). */
export const TABLE3_ROWS: readonly Ablation[] = ["no_demos", "x_only", "y_only", "circular_shift", "in_domain_random", "out_of_domain_random", "none"];

export const ABLATION_LABELS: Record<Ablation, string> = {
  no_demos: "no demonstrations",
  x_only: "X only (no Y)",
  y_only: "Y only (no X)",
  circular_shift: "circular shift of Y",
  in_domain_random: "in-domain random Y",
  out_of_domain_random: "out-of-domain random Y",
  none: "correct Y",
};

/** Short labels for figure axes. */
export const ABLATION_SHORT_LABELS: Record<Ablation, string> = {
  no_demos: "no demos",
  x_only: "X only",
  y_only: "Y only",
  circular_shift: "shifted Y",
  in_domain_random: "in-domain Y",
  out_of_domain_random: "out-of-domain Y",
  none: "correct Y",
};

/** One cell of Table 3: a base model, a demo-set size and an ablation. */
export interface QaCell {
  baseModel: string;
  /** Size of the demo set (3, 6, ...). */
  demoSet: number;
  ablation: Ablation;
  turn1: number | null;
  /** Runs averaged into the cell (usually one). */
  models: string[];
  nFailed: number;
}

const IGNORED: (keyof RunManifestRow)[] = ["modelId", "label", "notes", "promptFile", "ablation"];

/** Whether two manifest rows differ only in ablation (and names, notes, prompt files). */
export function sameFactorsExceptAblation(a: RunManifestRow, b: RunManifestRow): boolean {
  return (Object.keys(a) as (keyof RunManifestRow)[]).every((k) => IGNORED.includes(k) || a[k] === b[k]);
}

function cell(baseModel: string, demoSet: number, ablation: Ablation, rs: readonly ScoredRun[]): QaCell {
  const xs = rs.map((r) => r.scores.turn1).filter((x): x is number => x !== null);
  return {
    baseModel,
    demoSet,
    ablation,
    turn1: xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length,
    models: rs.map((r) => r.row.modelId),
    nFailed: rs.reduce((a, r) => a + r.scores.nFailed, 0),
  };
}

/** The cells of Table 3 found in a dump, in base-model order, then demo set, then Table 3's row order. */
export function qaMatchingCells(runs: readonly ScoredRun[]): QaCell[] {
  const ablated = runs.filter((r) => r.row.ablation !== "none" && r.row.ablation !== "no_demos" && r.row.nDemos !== null);
  const out: QaCell[] = [];
  for (const bm of [...new Set(ablated.map((r) => r.row.baseModel))]) {
    const mine = ablated.filter((r) => r.row.baseModel === bm);
    const sets = [...new Set(mine.map((r) => r.row.nDemos as number))].sort((a, b) => a - b);
    const noDemos = runs.filter((r) => r.row.baseModel === bm && r.row.ablation === "no_demos");
    for (const n of sets) {
      const inSet = mine.filter((r) => r.row.nDemos === n);
      const correct = runs.filter((r) => r.row.ablation === "none" && inSet.some((a) => sameFactorsExceptAblation(a.row, r.row)));
      for (const ab of TABLE3_ROWS) {
        const rs = ab === "no_demos" ? noDemos : ab === "none" ? correct : inSet.filter((r) => r.row.ablation === ab);
        if (rs.length > 0) out.push(cell(bm, n, ab, rs));
      }
    }
  }
  return out;
}

function columnName(demoSet: number, baseModel: string): string {
  return `${demoSet} demos · ${baseModel}`;
}

/**
 * Table 3's layout: one row per ablation, one column per (demo set, base model) of the dump,
 * each followed by the published value ("· paper") where the paper has the base model.
 */
export function table3Layout(cells: readonly QaCell[], published: readonly PublishedQaCell[], caption?: string): TableView {
  const cols: { demoSet: number; baseModel: string }[] = [];
  for (const c of cells) if (!cols.some((k) => k.demoSet === c.demoSet && k.baseModel === c.baseModel)) cols.push({ demoSet: c.demoSet, baseModel: c.baseModel });
  const columns = ["in-context prompt"];
  for (const k of cols) {
    columns.push(columnName(k.demoSet, k.baseModel));
    if (published.some((p) => p.baseModel === k.baseModel && p.demoSet === k.demoSet)) columns.push(`${columnName(k.demoSet, k.baseModel)} · paper`);
  }
  const rows = TABLE3_ROWS.filter((ab) => cells.some((c) => c.ablation === ab)).map((ab) => {
    const o: Record<string, string | number | null> = { "in-context prompt": ABLATION_LABELS[ab] };
    for (const k of cols) {
      o[columnName(k.demoSet, k.baseModel)] = cells.find((c) => c.ablation === ab && c.demoSet === k.demoSet && c.baseModel === k.baseModel)?.turn1 ?? null;
      const p = published.find((x) => x.ablation === ab && x.demoSet === k.demoSet && x.baseModel === k.baseModel);
      if (columns.includes(`${columnName(k.demoSet, k.baseModel)} · paper`)) o[`${columnName(k.demoSet, k.baseModel)} · paper`] = p?.turn1 ?? null;
    }
    return o;
  });
  return { columns, rows, ...(caption ? { caption } : {}) };
}

/** The published Table 3 in its own layout. */
export function publishedTable3Layout(published: readonly PublishedQaCell[]): TableView {
  const cols: { demoSet: number; baseModel: string }[] = [];
  for (const c of published) if (!cols.some((k) => k.demoSet === c.demoSet && k.baseModel === c.baseModel)) cols.push({ demoSet: c.demoSet, baseModel: c.baseModel });
  return {
    columns: ["in-context prompt", ...cols.map((k) => columnName(k.demoSet, k.baseModel))],
    rows: TABLE3_ROWS.map((ab) => {
      const o: Record<string, string | number | null> = { "in-context prompt": ABLATION_LABELS[ab] };
      for (const k of cols) o[columnName(k.demoSet, k.baseModel)] = published.find((p) => p.ablation === ab && p.demoSet === k.demoSet && p.baseModel === k.baseModel)?.turn1 ?? null;
      return o;
    }),
    caption: "Zhao et al. Table 3 (published): 1st-turn MT-Bench by question-answer matching of the demonstrations",
  };
}

/** Each ablation against the correct-Y run of the same base model and demo set ("ablation − correct"). */
export interface QaComparison {
  baseModel: string;
  demoSet: number;
  ablation: Ablation;
  /** Model ids: A = correct Y, B = the ablation. */
  modelsA: string[];
  modelsB: string[];
  published: number | null;
}

export function qaComparisons(cells: readonly QaCell[], published: readonly PublishedQaCell[] = []): QaComparison[] {
  const out: QaComparison[] = [];
  for (const c of cells) {
    if (c.ablation === "none") continue;
    const correct = cells.find((x) => x.ablation === "none" && x.baseModel === c.baseModel && x.demoSet === c.demoSet);
    if (correct === undefined) continue;
    const pa = published.find((p) => p.ablation === "none" && p.baseModel === c.baseModel && p.demoSet === c.demoSet)?.turn1 ?? null;
    const pb = published.find((p) => p.ablation === c.ablation && p.baseModel === c.baseModel && p.demoSet === c.demoSet)?.turn1 ?? null;
    out.push({ baseModel: c.baseModel, demoSet: c.demoSet, ablation: c.ablation, modelsA: correct.models, modelsB: c.models, published: pa === null || pb === null ? null : pb - pa });
  }
  return out;
}

/** Gap specs "ablation − correct Y" (1st turn) for lib/analysis/pairedGaps.ts. */
export function qaGapSpecs(comparisons: readonly QaComparison[]): GapSpec[] {
  return comparisons.map((c) => ({
    label: `${c.demoSet} demos: ${ABLATION_LABELS[c.ablation]} − correct Y`,
    group: c.baseModel,
    modelsA: c.modelsA,
    modelsB: c.modelsB,
    turn: 1 as const,
    published: c.published,
  }));
}

/** Table 3 as grouped bars (lib/figures/categoryBars.ts): one group per ablation, one bar per column. */
export function table3BarsInput(cells: readonly QaCell[]): { categories: string[]; series: { name: string; values: (number | null)[]; baseModel: string }[] } {
  const ablations = TABLE3_ROWS.filter((ab) => cells.some((c) => c.ablation === ab));
  const cols: { demoSet: number; baseModel: string }[] = [];
  for (const c of cells) if (!cols.some((k) => k.demoSet === c.demoSet && k.baseModel === c.baseModel)) cols.push({ demoSet: c.demoSet, baseModel: c.baseModel });
  return {
    categories: ablations.map((ab) => ABLATION_SHORT_LABELS[ab]),
    series: cols.map((k) => ({
      name: columnName(k.demoSet, k.baseModel),
      baseModel: k.baseModel,
      values: ablations.map((ab) => cells.find((c) => c.ablation === ab && c.demoSet === k.demoSet && c.baseModel === k.baseModel)?.turn1 ?? null),
    })),
  };
}
