/**
 * Zhao et al. §2.2 (Fig. 1, 10, 11): 1st-turn MT-Bench score of base, base + URIAL and instruct
 * runs over a temperature x top-p grid, per base model and repetition penalty.
 *
 * A run enters a grid when its manifest sets `temperature` and `top_p`, its setting is base,
 * urial or instruct, and it is not a Table 3 ablation. Runs sharing a grid cell (e.g. several
 * sampling seeds) are averaged; `n` counts them.
 */
import type { RunManifestRow, Setting } from "../model/manifest";
import type { PublishedTurnRow } from "../model/paper";
import type { TableView } from "../model/table";
import type { HeatmapGridInput, HeatmapPanel } from "../figures/heatmap";
import type { GapSpec } from "./pairedGaps";
import { type ScoredRun, turnScore } from "./runJoin";

export const DECODING_SETTINGS: readonly Setting[] = ["base", "urial", "instruct"];

const SETTING_TITLES: Record<string, string> = { base: "base (no ICL)", urial: "base + URIAL", instruct: "instruct" };

/** One heatmap: a base model, a setting and a repetition penalty over temperature x top-p. */
export interface DecodingGrid {
  baseModel: string;
  setting: Setting;
  /** null when the runs do not set it. */
  repetitionPenalty: number | null;
  /** Row values (ascending) and column values (ascending), shared by every grid of the figure. */
  temperatures: number[];
  topPs: number[];
  /** `score[i][j]` at temperatures[i], topPs[j]; null where no run. */
  score: (number | null)[][];
  /** Runs averaged into each cell. */
  n: number[][];
  /** Model ids of each cell (for the paired comparisons). */
  models: string[][][];
}

function isDecodingRun(r: RunManifestRow): boolean {
  return r.temperature !== null && r.topP !== null && DECODING_SETTINGS.includes(r.setting) && (r.ablation === "none" || r.ablation === "no_demos");
}

function sortedUnique(xs: readonly number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/**
 * The grids of a dump, ordered by base model (first appearance), repetition penalty (descending:
 * 1.15, URIAL's default, first) and setting (base, urial, instruct). `turn` defaults to 1.
 */
export function decodingGrids(runs: readonly ScoredRun[], turn: 1 | 2 = 1): DecodingGrid[] {
  const rs = runs.filter((r) => isDecodingRun(r.row));
  const temperatures = sortedUnique(rs.map((r) => r.row.temperature as number));
  const topPs = sortedUnique(rs.map((r) => r.row.topP as number));
  const families = [...new Set(rs.map((r) => r.row.baseModel))];
  const grids: DecodingGrid[] = [];
  for (const baseModel of families) {
    const fam = rs.filter((r) => r.row.baseModel === baseModel);
    const penalties = [...new Set(fam.map((r) => r.row.repetitionPenalty))].sort((a, b) => (b ?? -1) - (a ?? -1));
    for (const rp of penalties) {
      for (const setting of DECODING_SETTINGS) {
        const cellRuns = fam.filter((r) => r.row.repetitionPenalty === rp && r.row.setting === setting);
        if (cellRuns.length === 0) continue;
        const sum = temperatures.map(() => topPs.map(() => 0));
        const n = temperatures.map(() => topPs.map(() => 0));
        const models = temperatures.map(() => topPs.map((): string[] => []));
        for (const r of cellRuns) {
          const s = turnScore(r.scores, turn);
          if (s === null) continue;
          const i = temperatures.indexOf(r.row.temperature as number);
          const j = topPs.indexOf(r.row.topP as number);
          (sum[i] as number[])[j] = ((sum[i] as number[])[j] as number) + s;
          (n[i] as number[])[j] = ((n[i] as number[])[j] as number) + 1;
          ((models[i] as string[][])[j] as string[]).push(r.row.modelId);
        }
        const score = sum.map((row, i) => row.map((v, j) => ((n[i] as number[])[j] === 0 ? null : v / ((n[i] as number[])[j] as number))));
        grids.push({ baseModel, setting, repetitionPenalty: rp, temperatures, topPs, score, n, models });
      }
    }
  }
  return grids;
}

function rpTitle(rp: number | null): string {
  return rp === null ? "rep. penalty unset" : `rep. penalty ${Number.isInteger(rp) ? rp.toFixed(1) : rp}`;
}

/**
 * The heatmap figure's input: one panel row per (base model, repetition penalty), one column per
 * setting present in the dump; temperature on the y axis, top-p on the x axis.
 */
export function decodingHeatmapInput(grids: readonly DecodingGrid[]): HeatmapGridInput {
  const settings = DECODING_SETTINGS.filter((s) => grids.some((g) => g.setting === s));
  const rowKeys: { baseModel: string; rp: number | null }[] = [];
  for (const g of grids) if (!rowKeys.some((k) => k.baseModel === g.baseModel && k.rp === g.repetitionPenalty)) rowKeys.push({ baseModel: g.baseModel, rp: g.repetitionPenalty });
  const panels = rowKeys.map((k) =>
    settings.map((s): HeatmapPanel | null => {
      const g = grids.find((x) => x.baseModel === k.baseModel && x.repetitionPenalty === k.rp && x.setting === s);
      if (g === undefined) return null;
      return { x: g.topPs.map(String), y: g.temperatures.map(String), z: g.score };
    }),
  );
  return {
    rowTitles: rowKeys.map((k) => `${k.baseModel}, ${rpTitle(k.rp)}`),
    colTitles: settings.map((s) => SETTING_TITLES[s] ?? s),
    panels,
    xTitle: "top-p",
    yTitle: "temperature",
  };
}

/** All grids as one long table (one row per cell). */
export function decodingTableLayout(grids: readonly DecodingGrid[], caption?: string): TableView {
  const rows: TableView["rows"] = [];
  for (const g of grids) {
    g.temperatures.forEach((t, i) =>
      g.topPs.forEach((p, j) => {
        const s = (g.score[i] as (number | null)[])[j] ?? null;
        if (s === null) return;
        rows.push({ base_model: g.baseModel, setting: g.setting, repetition_penalty: g.repetitionPenalty, temperature: t, top_p: p, turn1: s, runs: (g.n[i] as number[])[j] ?? 0 });
      }),
    );
  }
  return { columns: ["base_model", "setting", "repetition_penalty", "temperature", "top_p", "turn1", "runs"], rows, countColumns: ["runs"], ...(caption ? { caption } : {}) };
}

/** A 1st-turn score the paper states for one decoding configuration. */
export interface PublishedDecodingPoint {
  baseModel: string;
  setting: Setting;
  temperature: number;
  topP: number;
  repetitionPenalty: number;
  turn1: number;
  source: string;
}

/**
 * The decoding configurations whose 1st-turn score the paper states in numbers. Its heatmaps
 * carry no numbers in the text; §2.2 gives Mistral-7B-v0.2 base 6.61 vs URIAL 7.00 at URIAL's
 * decoding (T = 0, top-p = 1, repetition penalty 1.15), and Table 2's URIAL rows were produced
 * with the same decoding (URIAL's codebase, App. A.1).
 */
export function publishedDecodingPoints(table2: readonly PublishedTurnRow[] = []): PublishedDecodingPoint[] {
  const pts: PublishedDecodingPoint[] = [
    { baseModel: "Mistral-7B-v0.2", setting: "base", temperature: 0, topP: 1, repetitionPenalty: 1.15, turn1: 6.61, source: "§2.2 text" },
    { baseModel: "Mistral-7B-v0.2", setting: "urial", temperature: 0, topP: 1, repetitionPenalty: 1.15, turn1: 7.0, source: "§2.2 text" },
  ];
  for (const r of table2) {
    if (r.setting !== "urial" || r.turn1 === null) continue;
    if (pts.some((p) => p.baseModel === r.baseModel && p.setting === "urial")) continue;
    pts.push({ baseModel: r.baseModel, setting: "urial", temperature: 0, topP: 1, repetitionPenalty: 1.15, turn1: r.turn1, source: "Table 2 (URIAL decoding)" });
  }
  return pts;
}

/** The dump's cells beside the published points (only points whose base model has a grid). */
export function decodingReproductionLayout(grids: readonly DecodingGrid[], points: readonly PublishedDecodingPoint[]): TableView {
  const rows: TableView["rows"] = [];
  for (const p of points) {
    const g = grids.find((x) => x.baseModel === p.baseModel && x.setting === p.setting && x.repetitionPenalty === p.repetitionPenalty);
    if (g === undefined) continue;
    const i = g.temperatures.indexOf(p.temperature);
    const j = g.topPs.indexOf(p.topP);
    const s = i < 0 || j < 0 ? null : ((g.score[i] as (number | null)[])[j] ?? null);
    rows.push({
      base_model: p.baseModel,
      setting: p.setting,
      config: `T=${p.temperature}, top-p=${p.topP}, rp=${p.repetitionPenalty}`,
      published: p.turn1,
      dump: s,
      difference: s === null ? null : s - p.turn1,
      source: p.source,
    });
  }
  return {
    columns: ["base_model", "setting", "config", "published", "dump", "difference", "source"],
    rows,
    caption: "Published 1st-turn scores at stated decoding configurations beside the dump's cells (difference = dump − published)",
  };
}

/** Which grid cells to compare: the model ids of setting A and B at each shared cell. */
export interface DecodingPair {
  baseModel: string;
  repetitionPenalty: number | null;
  temperature: number;
  topP: number;
  modelsA: string[];
  modelsB: string[];
}

/** Cells where both settings have runs, for paired gaps "settingB − settingA" (e.g. urial − base). */
export function decodingPairs(grids: readonly DecodingGrid[], settingA: Setting, settingB: Setting): DecodingPair[] {
  const out: DecodingPair[] = [];
  for (const ga of grids) {
    if (ga.setting !== settingA) continue;
    const gb = grids.find((g) => g.setting === settingB && g.baseModel === ga.baseModel && g.repetitionPenalty === ga.repetitionPenalty);
    if (gb === undefined) continue;
    ga.temperatures.forEach((t, i) =>
      ga.topPs.forEach((p, j) => {
        const a = (ga.models[i] as string[][])[j] as string[];
        const b = (gb.models[i] as string[][])[j] as string[];
        if (a.length > 0 && b.length > 0) out.push({ baseModel: ga.baseModel, repetitionPenalty: ga.repetitionPenalty, temperature: t, topP: p, modelsA: a, modelsB: b });
      }),
    );
  }
  return out;
}

/** Gap specs "settingB − settingA" at every shared cell, e.g. ("base", "urial"): URIAL − base. */
export function decodingGapSpecs(grids: readonly DecodingGrid[], settingA: Setting, settingB: Setting, turn: 1 | 2 = 1): GapSpec[] {
  return decodingPairs(grids, settingA, settingB).map((p) => ({
    label: `${settingB} − ${settingA} at T=${p.temperature}, top-p=${p.topP}`,
    group: `${p.baseModel}, ${rpTitle(p.repetitionPenalty)}`,
    modelsA: p.modelsA,
    modelsB: p.modelsB,
    turn,
  }));
}
