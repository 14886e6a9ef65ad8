/**
 * The join every section starts from: a dump's per-model scores matched to the run manifest's
 * factors. Runs of the manifest without any judgment are left out (coverage reports them);
 * judged models missing from the manifest are ignored (describeRun lists them).
 */
import type { RunManifestRow, Setting } from "../model/manifest";
import type { ModelScores, MtBenchScores } from "./mtbenchScores";

/** One run: its manifest factors and its scores. */
export interface ScoredRun {
  row: RunManifestRow;
  scores: ModelScores;
}

/**
 * Manifest rows (in manifest order) joined to their scores. Without a manifest (`null`) nothing
 * can be matched to a section's factors, so the result is empty.
 */
export function scoredRuns(scores: MtBenchScores, manifest: readonly RunManifestRow[] | null): ScoredRun[] {
  if (manifest === null) return [];
  const byModel = new Map<string, ModelScores>(scores.models.map((m) => [m.model, m]));
  const out: ScoredRun[] = [];
  for (const row of manifest) {
    const s = byModel.get(row.modelId);
    if (s !== undefined) out.push({ row, scores: s });
  }
  return out;
}

/** Base models in order of first appearance among `runs`. */
export function baseModelsOf(runs: readonly { row: RunManifestRow }[]): string[] {
  return [...new Set(runs.map((r) => r.row.baseModel))];
}

/** The score of a run on `turn` (1 or 2). */
export function turnScore(s: ModelScores, turn: 1 | 2): number | null {
  return turn === 1 ? s.turn1 : s.turn2;
}

/** Runs of one base model and setting. */
export function runsOf(runs: readonly ScoredRun[], baseModel: string, setting: Setting): ScoredRun[] {
  return runs.filter((r) => r.row.baseModel === baseModel && r.row.setting === setting);
}

/** A run's decoding configuration as one comparable key. */
export function decodingKey(r: RunManifestRow): string {
  return `${r.temperature}|${r.topP}|${r.repetitionPenalty}`;
}

/**
 * Of `candidates`, those decoded like most of `like` (the section's own runs), when any is; else
 * all of them. A dump with a decoding grid has many base/URIAL runs; a section's reference is
 * the one at its own decoding.
 */
export function atSameDecoding<T extends { row: RunManifestRow }>(candidates: readonly T[], like: readonly { row: RunManifestRow }[]): T[] {
  const counts = new Map<string, number>();
  for (const r of like) counts.set(decodingKey(r.row), (counts.get(decodingKey(r.row)) ?? 0) + 1);
  let mode: string | null = null;
  let n = 0;
  for (const [k, c] of counts) if (c > n) [mode, n] = [k, c];
  const same = candidates.filter((r) => mode !== null && decodingKey(r.row) === mode);
  return same.length > 0 ? same : [...candidates];
}
