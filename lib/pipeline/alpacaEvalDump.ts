/**
 * The AlpacaEval part of a dump: `alpaca_eval/<model_id>/annotations.json` (+ optional
 * `model_outputs.json`) per run, and optionally alpaca_eval's leaderboard CSV
 * (`alpaca_eval/*_leaderboard.csv`), as alpaca_eval writes them (the layout of
 * `alpaca_eval/results/`). Win rates are recomputed from the annotations
 * (lib/analysis/alpacaEval.ts). The length-controlled win rate is read from the leaderboard CSV
 * when the dump has one; when the dump also holds alpaca_eval's
 * `alpaca_eval/instruction_difficulty.csv` (and optionally `alpaca_eval/df_gamed.csv`) it is
 * recomputed as glm_winrate.py does (lib/analysis/lengthControlled.ts), used where the
 * leaderboard has no value, and `lengthControlledSource` says which one a table shows.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type AlpacaWinRate, alpacaWinRate } from "../analysis/alpacaEval";
import { lengthControlledWinRate } from "../analysis/lengthControlled";
import { type AlpacaAnnotation, type AlpacaLeaderboard, loadAlpacaAnnotations, loadGamedCsv, loadInstructionDifficulty, loadLeaderboardCsv, loadModelOutputs } from "../io/alpacaEval";

export interface AlpacaDumpModel {
  model: string;
  annotationsFile: string;
  annotations: AlpacaAnnotation[];
  winRate: AlpacaWinRate;
  /** LC win rate recomputed from the dump's instruction_difficulty.csv; null without it. */
  recomputedLengthControlled: number | null;
  /** Whether the recomputation included df_gamed.csv's rows (as alpaca_eval's leaderboard does). */
  recomputedWithGamedRows: boolean;
}

export interface AlpacaDump {
  dir: string;
  /** Model directory name -> its annotations and recomputed win rate. */
  models: Map<string, AlpacaDumpModel>;
  leaderboard: AlpacaLeaderboard | null;
  leaderboardFile: string | null;
}

/** Loads `<dumpDir>/alpaca_eval/`; null when the dump has no such folder. */
export function loadAlpacaEvalDump(dumpDir: string, subdir = "alpaca_eval"): AlpacaDump | null {
  const dir = path.resolve(dumpDir, subdir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return null;
  const models = new Map<string, AlpacaDumpModel>();
  let leaderboardFile: string | null = null;
  const difficultyFile = path.join(dir, "instruction_difficulty.csv");
  const difficulty = fs.existsSync(difficultyFile) ? loadInstructionDifficulty(difficultyFile) : null;
  const gamedFile = path.join(dir, "df_gamed.csv");
  const gamedRows = difficulty !== null && fs.existsSync(gamedFile) ? loadGamedCsv(gamedFile) : undefined;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith("_leaderboard.csv") && leaderboardFile === null) leaderboardFile = p;
    if (!entry.isDirectory()) continue;
    const annotationsFile = path.join(p, "annotations.json");
    if (!fs.existsSync(annotationsFile)) continue;
    const annotations = loadAlpacaAnnotations(annotationsFile);
    const outputsFile = path.join(p, "model_outputs.json");
    const outputs = fs.existsSync(outputsFile) ? loadModelOutputs(outputsFile) : undefined;
    const lc = difficulty === null ? null : lengthControlledWinRate(annotations, difficulty, { file: annotationsFile, ...(gamedRows === undefined ? {} : { gamedRows }) });
    models.set(entry.name, {
      model: entry.name,
      annotationsFile,
      annotations,
      winRate: alpacaWinRate(annotations, outputs),
      recomputedLengthControlled: lc === null ? null : lc.lengthControlledWinRate,
      recomputedWithGamedRows: lc?.usedGamedRows ?? false,
    });
  }
  return { dir, models, leaderboard: leaderboardFile === null ? null : loadLeaderboardCsv(leaderboardFile), leaderboardFile };
}

/** One run's AlpacaEval numbers: the recomputed win rate and, when available, the LC win rate. */
export interface AlpacaRunSummary {
  winRate: number | null;
  standardError: number | null;
  nTotal: number;
  /** Length-controlled win rate from the dump's leaderboard CSV; null when absent. */
  lengthControlled: number | null;
  lengthControlledSource: "dump leaderboard" | "recomputed" | "recomputed without gamed rows" | null;
}

/** The AlpacaEval summary of `model`, or null when the dump has no annotations for it. */
export function alpacaRunSummary(dump: AlpacaDump | null, model: string): AlpacaRunSummary | null {
  const m = dump?.models.get(model);
  if (dump === null || m === undefined) return null;
  const fromBoard = dump.leaderboard?.byName.get(model)?.lengthControlledWinRate ?? null;
  const recomputed = m.recomputedLengthControlled;
  return {
    winRate: m.winRate.winRate,
    standardError: m.winRate.standardError,
    nTotal: m.winRate.nTotal,
    lengthControlled: fromBoard ?? recomputed,
    lengthControlledSource:
      fromBoard !== null ? "dump leaderboard" : recomputed === null ? null : m.recomputedWithGamedRows ? "recomputed" : "recomputed without gamed rows",
  };
}

/** Every model's summary (empty when the dump has no alpaca_eval folder). */
export function alpacaSummaries(dump: AlpacaDump | null): Map<string, AlpacaRunSummary> {
  const out = new Map<string, AlpacaRunSummary>();
  if (dump === null) return out;
  for (const model of dump.models.keys()) {
    const s = alpacaRunSummary(dump, model);
    if (s !== null) out.set(model, s);
  }
  return out;
}

/** A line saying what the AlpacaEval columns of a table show. */
export function describeAlpacaDump(dump: AlpacaDump | null): string {
  if (dump === null) return "AlpacaEval: the dump has no alpaca_eval/ folder; tables show the published LC win rates (lc_source: published).";
  const recomputed = [...dump.models.values()].some((m) => m.recomputedLengthControlled !== null);
  const board =
    dump.leaderboardFile !== null
      ? `LC win rates read from ${dump.leaderboardFile} (lc_source: dump leaderboard)${recomputed ? ", recomputed from instruction_difficulty.csv where it has none" : ""}`
      : recomputed
        ? "LC win rates recomputed from the dump's instruction_difficulty.csv as glm_winrate.py does (lc_source: recomputed)"
        : "no leaderboard CSV and no instruction_difficulty.csv, so the LC column shows the published values (lc_source: published)";
  return `AlpacaEval: ${dump.models.size} models' annotations in ${dump.dir}; win rates recomputed from annotations.json; ${board}.`;
}
