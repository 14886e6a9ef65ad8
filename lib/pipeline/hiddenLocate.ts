/**
 * Where a dump's hidden-state experiments are (Duan et al., notebook 08), without loading them:
 * the experiment directory names and the test for a backend dump directory. Import-light, for
 * `openDump` (lib/dump.ts); lib/pipeline/hiddenSections.ts loads what this finds.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Experiment directories a hidden-state root may hold, and the figures each feeds. */
export const HIDDEN_EXPERIMENT_DIRS: Readonly<Record<string, string>> = {
  main: "Fig. 3a, 7, 10: 1 demonstration, right label",
  "wrong-label": "Fig. 3b, 6: right and wrong demonstration labels",
  "different-task": "Fig. 3c: translation demonstrations, sentiment query",
  similarity: "Fig. 4: demonstration–inference similarity levels",
  "n-demos": "Fig. 5: 1, 2, 5, 10 demonstrations",
  "larger-model": "Fig. 8a: the larger model (LLaMA-2-13B in the paper)",
  supervised: "Fig. 8b: supervised learning (tuning without the instruction)",
  translation: "Fig. 8c: machine translation as the inference task",
};

/** `<root>/<name>/dump/` or `<root>/<name>/` when it holds a backend dump (manifest.json or shards), else null. */
export function hiddenExperimentDir(root: string, name: string): string | null {
  for (const d of [path.join(root, name, "dump"), path.join(root, name)]) {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) continue;
    if (fs.existsSync(path.join(d, "manifest.json")) || fs.readdirSync(d).some((n) => /^shard-\d{3,}-of-\d{3,}$/.test(n))) return d;
  }
  return null;
}

/** A hidden-state root and which experiments it holds. */
export interface HiddenLocation {
  root: string;
  /** Experiment name -> its dump directory, for the experiments found. */
  experiments: Record<string, string>;
  /** Experiments of HIDDEN_EXPERIMENT_DIRS the root lacks. */
  missing: string[];
}

/** Finds the experiments under `root`; null when `root` is not a directory. */
export function locateHiddenExperiments(root: string): HiddenLocation | null {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) return null;
  const experiments: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of Object.keys(HIDDEN_EXPERIMENT_DIRS)) {
    const d = hiddenExperimentDir(root, name);
    if (d === null) missing.push(name);
    else experiments[name] = d;
  }
  return { root: path.resolve(root), experiments, missing };
}
