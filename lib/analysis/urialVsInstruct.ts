/**
 * Zhao et al. Section 2.1: base models + URIAL vs instruct models on MT-Bench (Table 2: 1st turn,
 * 2nd turn, average; Table 7: per category). Joins per-model scores to the manifest's factors and
 * compares them with the published numbers.
 */
import type { RunManifestRow, Setting } from "../model/manifest";
import type { PublishedCategoryRow, PublishedTurnRow } from "../model/paper";
import type { TableView } from "../model/table";
import type { ModelScores, MtBenchScores } from "./mtbenchScores";

/** One run of the comparison: its factors and scores. */
export interface UrialVsInstructRow {
  baseModel: string;
  /** "unspecified" when the dump has no manifest to say what the run is. */
  setting: Setting | "unspecified";
  label: string;
  modelId: string;
  turn1: number | null;
  turn2: number | null;
  /** FastChat's pooled average over both turns (the paper's "Average"). */
  average: number | null;
  meanOfTurns: number | null;
  nFailed: number;
  byCategory: Record<string, number | null>;
}

const SETTING_ORDER: Record<string, number> = { base: 0, urial: 1, "icl-random": 2, "icl-greedy": 3, ift: 4, instruct: 5 };

/**
 * Rows for the runs of `settings` (default base, urial, instruct), grouped by base model in the
 * manifest's order of first appearance, settings in the order base, urial, instruct. Runs without
 * any judgment are left out (coverage reports them). Without a manifest (`null`), every judged
 * model is a row of its own with setting "unspecified" (it matches no published row).
 */
export function urialVsInstructRows(
  scores: MtBenchScores,
  manifest: readonly RunManifestRow[] | null,
  settings: readonly Setting[] = ["base", "urial", "instruct"],
): UrialVsInstructRow[] {
  if (manifest === null) {
    return scores.models.map((s) => ({
      baseModel: s.model,
      setting: "unspecified" as const,
      label: s.model,
      modelId: s.model,
      turn1: s.turn1,
      turn2: s.turn2,
      average: s.pooled,
      meanOfTurns: s.meanOfTurns,
      nFailed: s.nFailed,
      byCategory: { ...(s.byCategory ?? {}) },
    }));
  }
  const byModel = new Map<string, ModelScores>(scores.models.map((m) => [m.model, m]));
  const familyOrder = new Map<string, number>();
  for (const r of manifest) if (!familyOrder.has(r.baseModel)) familyOrder.set(r.baseModel, familyOrder.size);
  const rows: UrialVsInstructRow[] = [];
  for (const r of manifest) {
    if (!settings.includes(r.setting)) continue;
    const s = byModel.get(r.modelId);
    if (s === undefined) continue;
    rows.push({
      baseModel: r.baseModel,
      setting: r.setting,
      label: r.label,
      modelId: r.modelId,
      turn1: s.turn1,
      turn2: s.turn2,
      average: s.pooled,
      meanOfTurns: s.meanOfTurns,
      nFailed: s.nFailed,
      byCategory: { ...(s.byCategory ?? {}) },
    });
  }
  return rows.sort(
    (a, b) =>
      (familyOrder.get(a.baseModel) as number) - (familyOrder.get(b.baseModel) as number) ||
      (SETTING_ORDER[a.setting] ?? 9) - (SETTING_ORDER[b.setting] ?? 9),
  );
}

/** One number of the reproduction report. */
export interface ReproductionRow {
  baseModel: string;
  setting: string;
  /** "turn1", "turn2", "average" or a category name. */
  measure: string;
  published: number | null;
  reproduced: number | null;
  /** reproduced − published, null when either is missing. */
  difference: number | null;
  /** Where the published number comes from: "table2" or "table7". */
  table: string;
}

function diff(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

/**
 * The dump's numbers beside the published ones for every (base model, setting) present in both.
 * Published rows without a matching run, and runs without a published row, are left out; the
 * caller can list them with `unmatchedRuns`.
 */
export function reproductionReport(
  rows: readonly UrialVsInstructRow[],
  table2: readonly PublishedTurnRow[],
  table7: readonly PublishedCategoryRow[],
): ReproductionRow[] {
  const out: ReproductionRow[] = [];
  for (const r of rows) {
    const p2 = table2.find((p) => p.baseModel === r.baseModel && p.setting === r.setting);
    if (p2) {
      for (const [measure, pub, rep] of [
        ["turn1", p2.turn1, r.turn1],
        ["turn2", p2.turn2, r.turn2],
        ["average", p2.average, r.average],
      ] as const) {
        out.push({ baseModel: r.baseModel, setting: r.setting, measure, published: pub, reproduced: rep, difference: diff(rep, pub), table: "table2" });
      }
    }
    const p7 = table7.find((p) => p.baseModel === r.baseModel && p.setting === r.setting);
    if (p7) {
      for (const [c, pub] of Object.entries(p7.byCategory)) {
        const rep = r.byCategory[c] ?? null;
        out.push({ baseModel: r.baseModel, setting: r.setting, measure: c, published: pub, reproduced: rep, difference: diff(rep, pub), table: "table7" });
      }
    }
  }
  return out;
}

/** Runs of `rows` with no published counterpart in Table 2. */
export function unmatchedRuns(rows: readonly UrialVsInstructRow[], table2: readonly PublishedTurnRow[]): UrialVsInstructRow[] {
  return rows.filter((r) => !table2.some((p) => p.baseModel === r.baseModel && p.setting === r.setting));
}

/** Summary of a reproduction report: largest absolute difference and mean absolute difference. */
export function reproductionSummary(report: readonly ReproductionRow[]): ReproductionSummary {
  const ds = report.map((r) => r.difference).filter((d): d is number => d !== null).map(Math.abs);
  if (ds.length === 0) return { n: 0, maxAbsDifference: null, meanAbsDifference: null };
  return { n: ds.length, maxAbsDifference: Math.max(...ds), meanAbsDifference: ds.reduce((a, b) => a + b, 0) / ds.length };
}

export interface ReproductionSummary {
  /** Cells with both a published and a reproduced number. */
  n: number;
  maxAbsDifference: number | null;
  meanAbsDifference: number | null;
}

/** One line for a notebook: how far the dump is from the paper over the compared cells. */
export function formatReproductionSummary(s: ReproductionSummary): string {
  if (s.n === 0 || s.maxAbsDifference === null || s.meanAbsDifference === null) return "no cell has both a published and a reproduced number";
  return `${s.n} cells compared: mean |reproduced − published| = ${s.meanAbsDifference.toFixed(2)}, max = ${s.maxAbsDifference.toFixed(2)}`;
}

// ---------------------------------------------------------------- table layouts

/** Table 2's layout (model, 1st turn, 2nd turn, average) for runs of a dump. */
export function table2Layout(rows: readonly UrialVsInstructRow[], caption?: string): TableView {
  return {
    columns: ["model", "base_model", "setting", "turn1", "turn2", "average", "failed"],
    rows: rows.map((r) => ({ model: r.label, base_model: r.baseModel, setting: r.setting, turn1: r.turn1, turn2: r.turn2, average: r.average, failed: r.nFailed })),
    ...(caption ? { caption } : {}),
  };
}

/** Table 7's layout (model, 8 categories, average) for runs of a dump. */
export function table7Layout(rows: readonly UrialVsInstructRow[], categories: readonly string[], caption?: string): TableView {
  return {
    columns: ["model", ...categories, "average"],
    rows: rows.map((r) => {
      const o: Record<string, string | number | null> = { model: r.label };
      for (const c of categories) o[c] = r.byCategory[c] ?? null;
      o["average"] = r.average;
      return o;
    }),
    ...(caption ? { caption } : {}),
  };
}

/** The published Table 2 in its own layout. */
export function publishedTable2Layout(rows: readonly PublishedTurnRow[]): TableView {
  return {
    columns: ["model", "turn1", "turn2", "average", "source"],
    rows: rows.map((r) => ({ model: r.rowLabel, turn1: r.turn1, turn2: r.turn2, average: r.average, source: r.source === "urial_repo" ? "URIAL repo (*)" : "this paper" })),
    caption: "Zhao et al. Table 2 (published): MT-Bench, base + URIAL vs instruct",
  };
}

/** The published Table 7 in its own layout. */
export function publishedTable7Layout(rows: readonly PublishedCategoryRow[], categories: readonly string[]): TableView {
  return {
    columns: ["model", ...categories, "average"],
    rows: rows.map((r) => {
      const o: Record<string, string | number | null> = { model: r.rowLabel };
      for (const c of categories) o[c] = r.byCategory[c] ?? null;
      o["average"] = r.average;
      return o;
    }),
    caption: "Zhao et al. Table 7 (published): MT-Bench per category",
  };
}

/** The reproduction report as a table (full precision; `show` rounds for display). */
export function reproductionLayout(report: readonly ReproductionRow[]): TableView {
  return {
    columns: ["base_model", "setting", "measure", "published", "reproduced", "difference", "table"],
    rows: report.map((r) => ({
      base_model: r.baseModel,
      setting: r.setting,
      measure: r.measure,
      published: r.published,
      reproduced: r.reproduced,
      difference: r.difference,
      table: r.table,
    })),
    caption: "Reproduction report: the dump's numbers beside the published ones (difference = reproduced − published)",
  };
}

// ---------------------------------------------------------------- figure inputs

/** Categories x runs, the input shape of `categoryBars` (lib/figures/categoryBars.ts). */
export interface CategorySeries {
  categories: string[];
  series: { name: string; values: (number | null)[]; baseModel?: string; setting?: string }[];
}

/** One bar series per run of the dump. */
export function categorySeriesFromRows(rows: readonly UrialVsInstructRow[], categories: readonly string[]): CategorySeries {
  return {
    categories: [...categories],
    series: rows.map((r) => ({ name: r.label, values: categories.map((c) => r.byCategory[c] ?? null), baseModel: r.baseModel, setting: r.setting })),
  };
}

/** One bar series per published Table 7 row of the given base models (all rows if none given). */
export function categorySeriesFromPublished(table7: readonly PublishedCategoryRow[], categories: readonly string[], baseModels?: readonly string[]): CategorySeries {
  const rows = baseModels ? table7.filter((r) => baseModels.includes(r.baseModel)) : [...table7];
  return {
    categories: [...categories],
    series: rows.map((r) => ({ name: r.rowLabel, values: categories.map((c) => r.byCategory[c] ?? null), baseModel: r.baseModel, setting: r.setting })),
  };
}
