/**
 * Parsing and validation of a dump's `manifest.jsonl`. Keys are snake_case in the file and
 * camelCase in memory. Unknown keys are errors (a misspelled `repitition_penalty` must not
 * silently disappear), as are wrong types, duplicate model ids and missing required fields.
 */
import { InputError } from "../model/errors";
import { ABLATIONS, type Ablation, type RunManifest, type RunManifestRow, SETTINGS, type Setting } from "../model/manifest";
import { asObject, type JsonObject, type RecordLocation } from "./fields";
import { parseJsonl, readTextFile } from "./jsonl";
import { closestName } from "./suggest";

type FieldKind = "string" | "int" | "number" | "boolean";

interface FieldSpec {
  key: keyof RunManifestRow;
  kind: FieldKind;
  required?: boolean;
  min?: number;
  max?: number;
}

/** File key -> spec. The order is the documented order in data/README.md. */
export const MANIFEST_FIELDS: Record<string, FieldSpec> = {
  model_id: { key: "modelId", kind: "string", required: true },
  base_model: { key: "baseModel", kind: "string", required: true },
  setting: { key: "setting", kind: "string", required: true },
  label: { key: "label", kind: "string" },
  n_demos: { key: "nDemos", kind: "int", min: 0 },
  with_urial_demos: { key: "withUrialDemos", kind: "boolean" },
  demo_source: { key: "demoSource", kind: "string" },
  n_train: { key: "nTrain", kind: "int", min: 0 },
  greedy_step: { key: "greedyStep", kind: "int", min: 0 },
  seed: { key: "seed", kind: "int" },
  temperature: { key: "temperature", kind: "number", min: 0 },
  top_p: { key: "topP", kind: "number", min: 0, max: 1 },
  repetition_penalty: { key: "repetitionPenalty", kind: "number", min: 0 },
  ablation: { key: "ablation", kind: "string" },
  prompt_from: { key: "promptFrom", kind: "string" },
  judge: { key: "judge", kind: "string" },
  prompt_file: { key: "promptFile", kind: "string" },
  notes: { key: "notes", kind: "string" },
};

function closest(key: string): string | undefined {
  // A known key at edit distance <= 2, e.g. "repitition_penalty" -> "repetition_penalty".
  return closestName(key, Object.keys(MANIFEST_FIELDS), 2);
}

function readField(o: JsonObject, name: string, spec: FieldSpec, loc: RecordLocation): string | number | boolean | null {
  const v = o[name];
  const where = { ...loc, field: name };
  if (v === undefined || v === null) {
    if (spec.required) throw new InputError(where, "is required");
    return null;
  }
  switch (spec.kind) {
    case "string":
      if (typeof v !== "string" || v.length === 0) throw new InputError(where, `expected a non-empty string, got ${JSON.stringify(v)}`);
      return v;
    case "boolean":
      if (typeof v !== "boolean") throw new InputError(where, `expected true or false, got ${JSON.stringify(v)}`);
      return v;
    case "int":
    case "number": {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new InputError(where, `expected a number, got ${JSON.stringify(v)}`);
      if (spec.kind === "int" && !Number.isInteger(v)) throw new InputError(where, `expected an integer, got ${v}`);
      if (spec.min !== undefined && v < spec.min) throw new InputError(where, `must be >= ${spec.min}, got ${v}`);
      if (spec.max !== undefined && v > spec.max) throw new InputError(where, `must be <= ${spec.max}, got ${v}`);
      return v;
    }
  }
}

function rowFromObject(o: JsonObject, loc: RecordLocation): RunManifestRow {
  for (const key of Object.keys(o)) {
    if (!(key in MANIFEST_FIELDS)) {
      const hint = closest(key);
      throw new InputError({ ...loc, field: key }, `unknown manifest field${hint ? ` (did you mean "${hint}"?)` : ""}; known: ${Object.keys(MANIFEST_FIELDS).join(", ")}`);
    }
  }
  const values: Record<string, string | number | boolean | null> = {};
  for (const [name, spec] of Object.entries(MANIFEST_FIELDS)) values[spec.key] = readField(o, name, spec, loc);

  const setting = values["setting"] as string;
  if (!(SETTINGS as readonly string[]).includes(setting)) {
    throw new InputError({ ...loc, field: "setting" }, `expected one of ${SETTINGS.join(", ")}, got "${setting}"`);
  }
  const ablation = (values["ablation"] as string | null) ?? "none";
  if (!(ABLATIONS as readonly string[]).includes(ablation)) {
    throw new InputError({ ...loc, field: "ablation" }, `expected one of ${ABLATIONS.join(", ")}, got "${ablation}"`);
  }
  const modelId = values["modelId"] as string;
  return {
    modelId,
    baseModel: values["baseModel"] as string,
    setting: setting as Setting,
    label: (values["label"] as string | null) ?? modelId,
    nDemos: values["nDemos"] as number | null,
    withUrialDemos: values["withUrialDemos"] as boolean | null,
    demoSource: values["demoSource"] as string | null,
    nTrain: values["nTrain"] as number | null,
    greedyStep: values["greedyStep"] as number | null,
    seed: values["seed"] as number | null,
    temperature: values["temperature"] as number | null,
    topP: values["topP"] as number | null,
    repetitionPenalty: values["repetitionPenalty"] as number | null,
    ablation: ablation as Ablation,
    promptFrom: values["promptFrom"] as string | null,
    judge: (values["judge"] as string | null) ?? "gpt-4",
    promptFile: values["promptFile"] as string | null,
    notes: values["notes"] as string | null,
  };
}

/** Parses and validates `manifest.jsonl` text. */
export function parseManifest(text: string, file = "<manifest>"): RunManifest {
  const rows: RunManifestRow[] = [];
  const seen = new Map<string, number>();
  for (const r of parseJsonl(text, file)) {
    const loc = { file, line: r.line };
    const row = rowFromObject(asObject(r.value, loc), loc);
    const prev = seen.get(row.modelId);
    if (prev !== undefined) throw new InputError({ ...loc, field: "model_id" }, `"${row.modelId}" already listed on line ${prev}`);
    seen.set(row.modelId, r.line);
    rows.push(row);
  }
  if (rows.length === 0) throw new InputError({ file }, "the manifest lists no runs");
  return { file, rows };
}

export function loadManifest(path: string): RunManifest {
  return parseManifest(readTextFile(path), path);
}

/** Serialises rows back to manifest.jsonl text (snake_case keys, nulls omitted). */
export function formatManifest(rows: readonly RunManifestRow[]): string {
  return rows
    .map((row) => {
      const o: Record<string, unknown> = {};
      for (const [name, spec] of Object.entries(MANIFEST_FIELDS)) {
        const v = row[spec.key];
        if (v === null || (name === "ablation" && v === "none") || (name === "label" && v === row.modelId)) continue;
        o[name] = v;
      }
      return JSON.stringify(o);
    })
    .join("\n")
    .concat(rows.length > 0 ? "\n" : "");
}
