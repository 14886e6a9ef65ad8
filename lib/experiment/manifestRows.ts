/**
 * Manifest rows for runs the workbench generates: built from the generation settings, merged
 * into a dump's `manifest.jsonl` without duplicating model ids, written atomically.
 *
 * A model id already in the manifest with the same factors is left alone (a resumed run); with
 * different factors it is a conflict, raised before any request is made, because resuming
 * into an answer file produced under other settings would mix two runs.
 */
import { writeSecretFreeFile } from "./secrets";
import * as fs from "node:fs";
import { formatManifest, parseManifest } from "../io/manifest";
import { InputError } from "../model/errors";
import type { RunManifestRow } from "../model/manifest";

/** A row with every optional factor null; callers override what applies. */
export function emptyManifestRow(modelId: string, baseModel: string, setting: RunManifestRow["setting"]): RunManifestRow {
  return {
    modelId,
    baseModel,
    setting,
    label: modelId,
    nDemos: null,
    withUrialDemos: null,
    demoSource: null,
    nTrain: null,
    greedyStep: null,
    seed: null,
    temperature: null,
    topP: null,
    repetitionPenalty: null,
    ablation: "none",
    promptFrom: null,
    judge: "gpt-4",
    promptFile: null,
    notes: null,
  };
}

/** Reads a manifest's rows; a missing file has none. */
export function readManifestRows(file: string): RunManifestRow[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, "utf8");
  if (text.trim() === "") return [];
  return parseManifest(text, file).rows;
}

/** The factors of a row that differ from another row's, as `field: a -> b` strings. */
export function manifestDifferences(a: RunManifestRow, b: RunManifestRow): string[] {
  const out: string[] = [];
  for (const k of Object.keys(a) as (keyof RunManifestRow)[]) {
    if (a[k] !== b[k]) out.push(`${k}: ${JSON.stringify(a[k])} -> ${JSON.stringify(b[k])}`);
  }
  return out;
}

/**
 * `existing` with `incoming` merged in: new model ids are appended; an identical row is kept
 * once; a row with the same id and other factors throws an InputError naming the differences
 * (unless `replace`, which puts the new row in the old one's place).
 */
export function mergeManifestRows(existing: readonly RunManifestRow[], incoming: readonly RunManifestRow[], file: string, replace = false): RunManifestRow[] {
  const out = [...existing];
  for (const row of incoming) {
    const i = out.findIndex((r) => r.modelId === row.modelId);
    if (i === -1) {
      out.push(row);
      continue;
    }
    const diff = manifestDifferences(out[i] as RunManifestRow, row);
    if (diff.length === 0) continue;
    if (!replace) {
      throw new InputError(
        { file, field: "model_id" },
        `"${row.modelId}" is already in the manifest with other settings (${diff.join("; ")}); use another model id, or --replace-manifest-row if the old run's answers were removed`,
      );
    }
    out[i] = row;
  }
  return out;
}

/** Merges `incoming` into the manifest file (created if absent) and writes it atomically. */
export function upsertManifestRows(file: string, incoming: readonly RunManifestRow[], replace = false): RunManifestRow[] {
  const merged = mergeManifestRows(readManifestRows(file), incoming, file, replace);
  writeSecretFreeFile(file, formatManifest(merged));
  return merged;
}
