/**
 * Which notebook sections a dump can feed. Each notebook declares in its metadata what it needs
 * (`metadata.icl_workbench.requires`); `sectionAvailability` checks a dump against it so
 * `icl-workbench reproduce` runs the sections it can and names the rest with the reason.
 *
 * `requires` keys (all optional):
 * - `judgments: true`       a `model_judgment/<judge>_single.jsonl` file;
 * - `manifest: true`        a run manifest (in the dump or given with --manifest);
 * - `settings: [..]`        each setting appears in the manifest (e.g. "urial", "ift");
 * - `factors: [..]`         each manifest key (snake_case, e.g. "temperature") is set on some row;
 * - `ablations: [..]`       each ablation appears in the manifest;
 * - `files: [..]`           each path exists in the dump (e.g. "alpaca_eval");
 * - `hidden: true`          hidden-state dumps (Duan et al.): `<dump>/hidden/` or `$ICL_HIDDEN_DUMP`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { asObject } from "../io/fields";
import { readTextFile } from "../io/jsonl";
import { MANIFEST_FIELDS } from "../io/manifest";
import { InputError } from "../model/errors";
import type { RunManifest, RunManifestRow } from "../model/manifest";
import type { DumpFiles } from "./mtbench";

export interface SectionRequirements {
  judgments?: boolean;
  manifest?: boolean;
  settings?: string[];
  factors?: string[];
  ablations?: string[];
  files?: string[];
  hidden?: boolean;
}

export interface NotebookSection {
  /** File name, e.g. "02-decoding.ipynb". */
  name: string;
  /** The two-digit prefix, e.g. "02". */
  id: string;
  path: string;
  requires: SectionRequirements;
  figures: string[];
}

function stringList(v: unknown, file: string, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new InputError({ file, field }, "expected a list of strings");
  return v as string[];
}

/** Reads a notebook's `icl_workbench` metadata (pure: takes the .ipynb text). */
export function parseNotebookSection(text: string, file: string): NotebookSection {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new InputError({ file }, `not a notebook (${e instanceof Error ? e.message : String(e)})`);
  }
  const meta = asObject(asObject(nb, { file, line: 1 })["metadata"] ?? {}, { file, line: 1 });
  const wbMeta = asObject(meta["icl_workbench"] ?? {}, { file, line: 1 });
  const req = asObject(wbMeta["requires"] ?? {}, { file, line: 1 });
  const requires: SectionRequirements = {};
  if (req["judgments"] === true) requires.judgments = true;
  if (req["manifest"] === true) requires.manifest = true;
  if (req["hidden"] === true) requires.hidden = true;
  for (const k of ["settings", "factors", "ablations", "files"] as const) {
    const v = stringList(req[k], file, `metadata.icl_workbench.requires.${k}`);
    if (v) requires[k] = v;
  }
  const name = path.basename(file);
  return { name, id: name.slice(0, 2), path: file, requires, figures: stringList(wbMeta["figures"], file, "metadata.icl_workbench.figures") ?? [] };
}

/** The notebooks of a directory in order, with their declared requirements. */
export function loadNotebookSections(dir: string): NotebookSection[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => parseNotebookSection(readTextFile(path.join(dir, f)), path.join(dir, f)));
}

/** Whether a dump has what a section needs, and if not, every reason. */
export function sectionAvailability(req: SectionRequirements, files: DumpFiles, manifest: RunManifest | null): { available: boolean; missing: string[] } {
  const missing: string[] = [];
  if (req.judgments && Object.keys(files.judgments).length === 0) missing.push("no model_judgment/<judge>_single.jsonl");
  const needsManifest = req.manifest || req.settings || req.factors || req.ablations;
  if (needsManifest && manifest === null) missing.push("no run manifest (manifest.jsonl or --manifest)");
  const rows: RunManifestRow[] = manifest?.rows ?? [];
  if (manifest !== null) {
    for (const s of req.settings ?? []) if (!rows.some((r) => r.setting === s)) missing.push(`no run with setting "${s}"`);
    for (const a of req.ablations ?? []) if (!rows.some((r) => r.ablation === a)) missing.push(`no run with ablation "${a}"`);
    for (const f of req.factors ?? []) {
      const spec = MANIFEST_FIELDS[f];
      if (spec === undefined) missing.push(`unknown manifest factor "${f}" in the notebook's requirements`);
      else if (!rows.some((r) => r[spec.key] !== null)) missing.push(`no run sets "${f}"`);
    }
  }
  for (const f of req.files ?? []) if (!fs.existsSync(path.join(files.dir, f))) missing.push(`no ${f} in the dump`);
  if (req.hidden && !process.env["ICL_HIDDEN_DUMP"] && !fs.existsSync(path.join(files.dir, "hidden"))) missing.push("no hidden/ directory of hidden-state dumps (or $ICL_HIDDEN_DUMP)");
  return { available: missing.length === 0, missing };
}
