/**
 * Hidden-state dumps written by the Python backend (`python3 -m backend.hidden_states`):
 *
 *   DIR/manifest.json + DIR/hidden.safetensors            one process ran the whole job
 *   DIR/shard-000-of-004/{manifest.json, hidden*.safetensors}, ...   a job array (--shard i/n)
 *
 * A shard's tensors may be split into `hidden-00001-of-0000K.safetensors` files, each holding
 * a contiguous block of runs. `loadHiddenDump(dir)` reads either layout, checks every shard
 * comes from the same job (job hash), that no run is missing or duplicated, that each file's
 * tensors match its manifest (dtype, shape, run block, checksum, last-token ids), and merges
 * everything in run order. `mergeHiddenShards` does the same on parsed inputs (pure).
 *
 * Tensor layout (per file, n = runs in the file, S = L+1 states, H = hidden size):
 *   hidden F32 [n, 3, S, H] (conditions anchor, icl, it), last_token_id I64 [n, 3],
 *   run_index I64 [n], and the per-token losses of the training texts, flat:
 *   loss_before / loss_after F32 [T], loss_kind U8 [T], loss_token_id I64 [T],
 *   loss_offsets I64 [q+1], loss_seq_run I64 [q], loss_seq_demo I64 [q] for q training texts.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError } from "../model/errors";
import { readTextFile } from "./jsonl";
import { loadSafetensors, type Tensor } from "./safetensors";

export const HIDDEN_DUMP_FORMAT = "icl-workbench.hidden-dump";
export const HIDDEN_CONDITIONS = ["anchor", "icl", "it"] as const;
export type HiddenCondition = (typeof HIDDEN_CONDITIONS)[number];
export type PerCondition<T> = Record<HiddenCondition, T>;

export interface HiddenRunLabels {
  options: string[];
  gold: string | null;
  logprob: PerCondition<number[]>;
  predicted: PerCondition<string>;
  correct: PerCondition<boolean | null>;
}

/** One run's metadata from the manifest (snake_case fields of the JSON in camelCase). */
export interface HiddenRunMeta {
  index: number;
  id: string;
  seed: number;
  group: string | null;
  flags: Record<string, unknown>;
  task: string;
  demoTasks: string[];
  nDemos: number;
  epochs: number;
  optimizerSteps: number;
  instruction: string;
  demos: { text: string; label: string; goldLabel: string | null; task: string }[];
  inference: { text: string; label: string | null };
  prompts: { anchor: string; icl: string; it: string; train: string[] };
  promptTokens: PerCondition<number>;
  lastTokenIds: PerCondition<number>;
  lastTokenText: string;
  trainEpochLoss: number[];
  meanTokenLoss: { before: number; after: number };
  labels: HiddenRunLabels | null;
  similarity: number[] | null;
  similaritySource: "model" | "job" | null;
  timings: Record<string, number>;
  peakGpuMemoryBytes: number | null;
}

export interface HiddenFileEntry {
  name: string;
  runs: [number, number];
  bytes: number;
  sha256: string;
  tensors: Record<string, { dtype: string; shape: number[] }>;
}

/** One manifest.json: a whole job (shard 0 of 1) or one shard of it. */
export interface HiddenShardManifest {
  file: string;
  version: number;
  job: { hash: string; name: string; experiment: string; nRuns: number };
  shard: { index: number; count: number; runs: [number, number] };
  /** The model block as written (source, config, dtype, device, ...). */
  model: Record<string, unknown>;
  nStates: number;
  /** The layer of each stored state (0 = embeddings, L = after the final norm); 0..nStates-1 when the manifest has no `state_layers`. */
  stateLayers: number[];
  hiddenSize: number;
  layerConvention: Record<string, string>;
  tokenKinds: string[];
  training: Record<string, unknown>;
  template: Record<string, unknown>;
  versions: Record<string, string | null>;
  timings: Record<string, number | null>;
  runs: HiddenRunMeta[];
  files: HiddenFileEntry[];
}

/** The per-token losses of one training text (one demonstration of one run). */
export interface LossSequence {
  run: number;
  demo: number;
  /** Loss of token t+1 given tokens 0..t, before and after tuning. */
  before: Float32Array;
  after: Float32Array;
  /** Index into `tokenKinds` for each predicted token. */
  kinds: Int32Array;
  tokenIds: Float64Array;
}

/** A merged dump: every run of the job, in run order. */
export interface HiddenDump {
  dir: string;
  job: HiddenShardManifest["job"];
  model: Record<string, unknown>;
  nStates: number;
  /** The layer of each stored state index (the job's output.states; all layers by default). */
  stateLayers: number[];
  hiddenSize: number;
  tokenKinds: string[];
  layerConvention: Record<string, string>;
  training: Record<string, unknown>;
  versions: Record<string, string | null>;
  shards: { file: string; index: number; count: number; runs: [number, number]; timings: Record<string, number | null> }[];
  runs: HiddenRunMeta[];
  /** Float32 [runs, 3, nStates, hiddenSize], conditions in HIDDEN_CONDITIONS order. */
  hidden: Float32Array;
  losses: LossSequence[];
  /**
   * The text of the dump's `EXAMPLE_DATA` marker (bundled pipeline examples on a tiny random
   * model), or null for a real dump. Figures and reports must say "example data" when set.
   */
  exampleData: string | null;
}

/** The hidden state of one run, condition and layer (a view into `dump.hidden`). */
export function hiddenVector(dump: Pick<HiddenDump, "hidden" | "nStates" | "hiddenSize" | "runs">, run: number, condition: HiddenCondition, layer: number): Float32Array {
  if (!Number.isInteger(run) || run < 0 || run >= dump.runs.length) throw new RangeError(`run ${run} out of range 0..${dump.runs.length - 1}`);
  if (!Number.isInteger(layer) || layer < 0 || layer >= dump.nStates) throw new RangeError(`layer ${layer} out of range 0..${dump.nStates - 1}`);
  const c = HIDDEN_CONDITIONS.indexOf(condition);
  const start = ((run * 3 + c) * dump.nStates + layer) * dump.hiddenSize;
  return dump.hidden.subarray(start, start + dump.hiddenSize);
}

// ---- manifest parsing ------------------------------------------------------------------------

type Obj = Record<string, unknown>;

class Fields {
  constructor(readonly file: string) {}
  err(field: string, problem: string): InputError {
    return new InputError({ file: this.file, field }, problem);
  }
  obj(v: unknown, field: string): Obj {
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw this.err(field, `expected an object, got ${show(v)}`);
    return v as Obj;
  }
  str(o: Obj, k: string, where: string): string {
    const v = o[k];
    if (typeof v !== "string") throw this.err(join(where, k), `expected a string, got ${show(v)}`);
    return v;
  }
  strOrNull(o: Obj, k: string, where: string): string | null {
    return o[k] === null || o[k] === undefined ? null : this.str(o, k, where);
  }
  int(o: Obj, k: string, where: string): number {
    const v = o[k];
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw this.err(join(where, k), `expected an integer, got ${show(v)}`);
    return v;
  }
  num(o: Obj, k: string, where: string): number {
    const v = o[k];
    if (typeof v !== "number" || !Number.isFinite(v)) throw this.err(join(where, k), `expected a finite number, got ${show(v)}`);
    return v;
  }
  numArray(o: Obj, k: string, where: string): number[] {
    const v = o[k];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isFinite(x))) throw this.err(join(where, k), `expected an array of numbers, got ${show(v)}`);
    return v as number[];
  }
  strArray(o: Obj, k: string, where: string): string[] {
    const v = o[k];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw this.err(join(where, k), `expected an array of strings, got ${show(v)}`);
    return v as string[];
  }
  range(o: Obj, k: string, where: string): [number, number] {
    const v = this.numArray(o, k, where);
    if (v.length !== 2 || !v.every(Number.isSafeInteger) || (v[0] as number) > (v[1] as number) || (v[0] as number) < 0) {
      throw this.err(join(where, k), `expected [start, end) run indices, got ${show(v)}`);
    }
    return [v[0] as number, v[1] as number];
  }
  perCondition<T>(o: Obj, k: string, where: string, read: (c: Obj, key: string, w: string) => T): PerCondition<T> {
    const p = this.obj(o[k], join(where, k));
    const w = join(where, k);
    return { anchor: read(p, "anchor", w), icl: read(p, "icl", w), it: read(p, "it", w) };
  }
}

function join(where: string, k: string): string {
  return where === "" ? k : `${where}.${k}`;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing (missing)";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function parseRun(f: Fields, v: unknown, i: number): HiddenRunMeta {
  const w = `runs[${i}]`;
  const r = f.obj(v, w);
  const prompts = f.obj(r["prompts"], `${w}.prompts`);
  const labelsRaw = r["labels"];
  let labels: HiddenRunLabels | null = null;
  if (labelsRaw !== null && labelsRaw !== undefined) {
    const l = f.obj(labelsRaw, `${w}.labels`);
    const lw = `${w}.labels`;
    labels = {
      options: f.strArray(l, "options", lw),
      gold: f.strOrNull(l, "gold", lw),
      logprob: f.perCondition(l, "logprob", lw, (o, k, ww) => f.numArray(o, k, ww)),
      predicted: f.perCondition(l, "predicted", lw, (o, k, ww) => f.str(o, k, ww)),
      correct: f.perCondition(l, "correct", lw, (o, k, ww) => {
        const x = o[k];
        if (x !== null && typeof x !== "boolean") throw f.err(join(ww, k), `expected true, false or null, got ${show(x)}`);
        return x as boolean | null;
      }),
    };
  }
  const sim = r["similarity"];
  const simSource = r["similarity_source"];
  if (simSource !== null && simSource !== undefined && simSource !== "model" && simSource !== "job") {
    throw f.err(`${w}.similarity_source`, `expected "model", "job" or null, got ${show(simSource)}`);
  }
  const demos = r["demos"];
  if (!Array.isArray(demos)) throw f.err(`${w}.demos`, `expected an array, got ${show(demos)}`);
  const inference = f.obj(r["inference"], `${w}.inference`);
  const timingsRaw = f.obj(r["timings"], `${w}.timings`);
  const timings: Record<string, number> = {};
  for (const k of Object.keys(timingsRaw)) timings[k] = f.num(timingsRaw, k, `${w}.timings`);
  const mtl = f.obj(r["mean_token_loss"], `${w}.mean_token_loss`);
  return {
    index: f.int(r, "index", w),
    id: f.str(r, "id", w),
    seed: f.int(r, "seed", w),
    group: f.strOrNull(r, "group", w),
    flags: f.obj(r["flags"], `${w}.flags`),
    task: f.str(r, "task", w),
    demoTasks: f.strArray(r, "demo_tasks", w),
    nDemos: f.int(r, "n_demos", w),
    epochs: f.int(r, "epochs", w),
    optimizerSteps: f.int(r, "optimizer_steps", w),
    instruction: f.str(r, "instruction", w),
    demos: demos.map((d, j) => {
      const o = f.obj(d, `${w}.demos[${j}]`);
      const dw = `${w}.demos[${j}]`;
      return { text: f.str(o, "text", dw), label: f.str(o, "label", dw), goldLabel: f.strOrNull(o, "gold_label", dw), task: f.str(o, "task", dw) };
    }),
    inference: { text: f.str(inference, "text", `${w}.inference`), label: f.strOrNull(inference, "label", `${w}.inference`) },
    prompts: {
      anchor: f.str(prompts, "anchor", `${w}.prompts`),
      icl: f.str(prompts, "icl", `${w}.prompts`),
      it: f.str(prompts, "it", `${w}.prompts`),
      train: f.strArray(prompts, "train", `${w}.prompts`),
    },
    promptTokens: f.perCondition(r, "prompt_tokens", w, (o, k, ww) => f.int(o, k, ww)),
    lastTokenIds: f.perCondition(r, "last_token_ids", w, (o, k, ww) => f.int(o, k, ww)),
    lastTokenText: f.str(r, "last_token_text", w),
    trainEpochLoss: f.numArray(r, "train_epoch_loss", w),
    meanTokenLoss: { before: f.num(mtl, "before", `${w}.mean_token_loss`), after: f.num(mtl, "after", `${w}.mean_token_loss`) },
    labels,
    similarity: sim === null || sim === undefined ? null : f.numArray(r, "similarity", w),
    similaritySource: (simSource ?? null) as "model" | "job" | null,
    timings,
    peakGpuMemoryBytes: r["peak_gpu_memory_bytes"] === null || r["peak_gpu_memory_bytes"] === undefined ? null : f.int(r, "peak_gpu_memory_bytes", w),
  };
}

/** Parses and validates one manifest.json; `file` labels errors. */
export function parseHiddenManifest(text: string, file = "manifest.json"): HiddenShardManifest {
  const f = new Fields(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError({ file }, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const m = f.obj(raw, "(top level)");
  const format = f.str(m, "format", "");
  if (format !== HIDDEN_DUMP_FORMAT) throw f.err("format", `expected "${HIDDEN_DUMP_FORMAT}", got "${format}" (not a hidden-state dump manifest)`);
  const version = f.int(m, "version", "");
  if (version !== 1) throw f.err("version", `unsupported dump version ${version} (this reader knows 1)`);
  const job = f.obj(m["job"], "job");
  const shard = f.obj(m["shard"], "shard");
  const nStates = f.int(m, "n_states", "");
  const hiddenSize = f.int(m, "hidden_size", "");
  if (nStates < 1 || hiddenSize < 1) throw f.err("n_states", `n_states ${nStates} and hidden_size ${hiddenSize} must be positive`);
  let stateLayers = Array.from({ length: nStates }, (_, i) => i);
  if (m["state_layers"] !== undefined) {
    stateLayers = f.numArray(m, "state_layers", "");
    const ok = stateLayers.length === nStates && stateLayers.every((l, i) => Number.isInteger(l) && l >= 0 && (i === 0 || l > (stateLayers[i - 1] as number)));
    if (!ok) throw f.err("state_layers", `must be ${nStates} increasing layer indices (one per stored state), got ${show(stateLayers)}`);
  }
  const conditions = f.strArray(m, "conditions", "");
  if (conditions.join(",") !== HIDDEN_CONDITIONS.join(",")) throw f.err("conditions", `expected ${JSON.stringify(HIDDEN_CONDITIONS)}, got ${show(conditions)}`);
  const runsRaw = m["runs"];
  if (!Array.isArray(runsRaw)) throw f.err("runs", `expected an array, got ${show(runsRaw)}`);
  const filesRaw = m["files"];
  if (!Array.isArray(filesRaw) || filesRaw.length === 0) throw f.err("files", `expected a non-empty array, got ${show(filesRaw)}`);
  const stringMap = (o: Obj, where: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const k of Object.keys(o)) out[k] = f.str(o, k, where);
    return out;
  };
  const versionsRaw = f.obj(m["versions"], "versions");
  const versions: Record<string, string | null> = {};
  for (const k of Object.keys(versionsRaw)) versions[k] = f.strOrNull(versionsRaw, k, "versions");
  const timingsRaw = f.obj(m["timings"], "timings");
  const timings: Record<string, number | null> = {};
  for (const k of Object.keys(timingsRaw)) timings[k] = timingsRaw[k] === null ? null : f.num(timingsRaw, k, "timings");
  const manifest: HiddenShardManifest = {
    file,
    version,
    job: { hash: f.str(job, "hash", "job"), name: f.str(job, "name", "job"), experiment: f.str(job, "experiment", "job"), nRuns: f.int(job, "n_runs", "job") },
    shard: { index: f.int(shard, "index", "shard"), count: f.int(shard, "count", "shard"), runs: f.range(shard, "runs", "shard") },
    model: f.obj(m["model"], "model"),
    nStates,
    stateLayers,
    hiddenSize,
    layerConvention: stringMap(f.obj(m["layer_convention"], "layer_convention"), "layer_convention"),
    tokenKinds: f.strArray(m, "token_kinds", ""),
    training: f.obj(m["training"], "training"),
    template: f.obj(m["template"], "template"),
    versions,
    timings,
    runs: runsRaw.map((r, i) => parseRun(f, r, i)),
    files: filesRaw.map((e, i) => {
      const w = `files[${i}]`;
      const o = f.obj(e, w);
      const name = f.str(o, "name", w);
      if (name.includes("/") || name.includes("\\") || name.startsWith(".")) throw f.err(`${w}.name`, `must be a plain file name, got "${name}"`);
      const tensorsRaw = f.obj(o["tensors"], `${w}.tensors`);
      const tensors: HiddenFileEntry["tensors"] = {};
      for (const [k, t] of Object.entries(tensorsRaw)) {
        const to = f.obj(t, `${w}.tensors.${k}`);
        tensors[k] = { dtype: f.str(to, "dtype", `${w}.tensors.${k}`), shape: f.numArray(to, "shape", `${w}.tensors.${k}`) };
      }
      return { name, runs: f.range(o, "runs", w), bytes: f.int(o, "bytes", w), sha256: f.str(o, "sha256", w), tensors };
    }),
  };
  const { index, count, runs } = manifest.shard;
  if (count < 1 || index < 0 || index >= count) throw f.err("shard", `index ${index} is not within 0..${count - 1}`);
  if (runs[1] > manifest.job.nRuns) throw f.err("shard.runs", `[${runs[0]}, ${runs[1]}) goes past the job's ${manifest.job.nRuns} runs`);
  const indices = manifest.runs.map((r) => r.index);
  const expected = Array.from({ length: runs[1] - runs[0] }, (_, k) => runs[0] + k);
  if (indices.join(",") !== expected.join(",")) {
    throw f.err("runs", `run indices [${indices.join(", ")}] do not match the shard's block [${runs[0]}, ${runs[1]})`);
  }
  let next = runs[0];
  for (const [i, e] of manifest.files.entries()) {
    if (e.runs[0] !== next || e.runs[1] <= e.runs[0]) throw f.err(`files[${i}].runs`, `[${e.runs[0]}, ${e.runs[1]}) does not continue the previous file's runs (expected to start at ${next})`);
    next = e.runs[1];
  }
  if (next !== runs[1]) throw f.err("files", `the files cover runs up to ${next}, the shard's block ends at ${runs[1]}`);
  for (const r of manifest.runs) {
    const t = r.lastTokenIds;
    if (t.anchor !== t.icl || t.anchor !== t.it) {
      throw f.err(`runs[${r.index - runs[0]}].last_token_ids`, `differ across conditions (anchor ${t.anchor}, icl ${t.icl}, it ${t.it}): the prompts do not end with the same token`);
    }
  }
  return manifest;
}

// ---- merging ------------------------------------------------------------------------------

/** One shard as read from disk (or built in a test): its manifest and each file's tensors. */
export interface ShardInput {
  manifest: HiddenShardManifest;
  /** Tensors of `manifest.files[k]`, same order. */
  files: Map<string, Tensor>[];
}

function tensorOf(files: Map<string, Tensor>, name: string, file: string): Tensor {
  const t = files.get(name);
  if (t === undefined) throw new InputError({ file, field: name }, "tensor missing from the file");
  return t;
}

function checkShape(t: Tensor, dtype: string, shape: number[], file: string): void {
  if (t.dtype !== dtype || t.shape.join(",") !== shape.join(",")) {
    throw new InputError({ file, field: t.name }, `expected ${dtype} ${JSON.stringify(shape)}, the file holds ${t.dtype} ${JSON.stringify(t.shape)}`);
  }
}

/**
 * Merges shards into one dump in run order, after checking they belong to one job and together
 * hold every run exactly once. Pure: `loadHiddenDump` reads the inputs.
 */
export function mergeHiddenShards(shards: readonly ShardInput[], dir = "<dump>"): HiddenDump {
  if (shards.length === 0) throw new InputError({ file: dir }, "no shard to merge");
  const sorted = [...shards].sort((a, b) => a.manifest.shard.runs[0] - b.manifest.shard.runs[0]);
  const first = sorted[0] as ShardInput;
  const m0 = first.manifest;
  for (const s of sorted) {
    const m = s.manifest;
    if (m.job.hash !== m0.job.hash) {
      throw new InputError({ file: m.file, field: "job.hash" }, `${m.job.hash} differs from ${m0.job.hash} in ${m0.file}: the shards come from different jobs`);
    }
    if (m.shard.count !== m0.shard.count) throw new InputError({ file: m.file, field: "shard.count" }, `${m.shard.count} differs from ${m0.shard.count} in ${m0.file}`);
    if (m.nStates !== m0.nStates || m.hiddenSize !== m0.hiddenSize) {
      throw new InputError({ file: m.file, field: "n_states" }, `[${m.nStates} states, hidden ${m.hiddenSize}] differs from ${m0.file} [${m0.nStates}, ${m0.hiddenSize}]`);
    }
    if (m.stateLayers.join(",") !== m0.stateLayers.join(",")) {
      throw new InputError({ file: m.file, field: "state_layers" }, `[${m.stateLayers.join(", ")}] differs from ${m0.file} [${m0.stateLayers.join(", ")}]`);
    }
    if (JSON.stringify(m.model["config"]) !== JSON.stringify(m0.model["config"])) {
      throw new InputError({ file: m.file, field: "model.config" }, `differs from ${m0.file}: the shards ran different models`);
    }
  }
  const seenShards = new Map<number, string>();
  for (const s of sorted) {
    const prev = seenShards.get(s.manifest.shard.index);
    if (prev !== undefined) throw new InputError({ file: s.manifest.file, field: "shard.index" }, `shard ${s.manifest.shard.index} appears twice (also ${prev})`);
    seenShards.set(s.manifest.shard.index, s.manifest.file);
  }
  const count = m0.shard.count;
  const missingShards = Array.from({ length: count }, (_, i) => i).filter((i) => !seenShards.has(i));
  const nRuns = m0.job.nRuns;
  const owner = new Array<string | undefined>(nRuns);
  for (const s of sorted) {
    for (const r of s.manifest.runs) {
      const prev = owner[r.index];
      if (prev !== undefined) throw new InputError({ file: s.manifest.file, field: "runs" }, `run ${r.index} ("${r.id}") is duplicated: also in ${prev}`);
      owner[r.index] = s.manifest.file;
    }
  }
  const missingRuns: number[] = [];
  for (let i = 0; i < nRuns; i++) if (owner[i] === undefined) missingRuns.push(i);
  if (missingShards.length > 0 || missingRuns.length > 0) {
    const shardText = missingShards.length > 0 ? `shard(s) ${missingShards.join(", ")} of ${count} missing (did those job-array tasks fail?); ` : "";
    const runText = missingRuns.length > 0 ? `run(s) ${abbreviate(missingRuns)} of ${nRuns} missing` : "";
    throw new InputError({ file: dir }, `incomplete dump: ${shardText}${runText}`.replace(/; $/, ""));
  }

  const S = m0.nStates;
  const H = m0.hiddenSize;
  const per = 3 * S * H;
  const hidden = new Float32Array(nRuns * per);
  const runs: HiddenRunMeta[] = [];
  const losses: LossSequence[] = [];
  for (const s of sorted) {
    const m = s.manifest;
    runs.push(...m.runs);
    if (s.files.length !== m.files.length) throw new InputError({ file: m.file, field: "files" }, `${m.files.length} files listed, ${s.files.length} read`);
    for (const [k, entry] of m.files.entries()) {
      const t = s.files[k] as Map<string, Tensor>;
      const label = path.join(path.dirname(m.file), entry.name);
      const [a, b] = entry.runs;
      const n = b - a;
      for (const [name, spec] of Object.entries(entry.tensors)) {
        checkShape(tensorOf(t, name, label), spec.dtype, spec.shape, label);
      }
      const h = tensorOf(t, "hidden", label);
      checkShape(h, "F32", [n, 3, S, H], label);
      const ri = tensorOf(t, "run_index", label);
      checkShape(ri, "I64", [n], label);
      for (let j = 0; j < n; j++) {
        if (ri.data[j] !== a + j) throw new InputError({ file: label, field: "run_index" }, `position ${j} holds run ${ri.data[j]}, the manifest says ${a + j}`);
      }
      const lt = tensorOf(t, "last_token_id", label);
      checkShape(lt, "I64", [n, 3], label);
      for (let j = 0; j < n; j++) {
        const meta = m.runs[a + j - m.shard.runs[0]] as HiddenRunMeta;
        for (const [c, cond] of HIDDEN_CONDITIONS.entries()) {
          if (lt.data[3 * j + c] !== meta.lastTokenIds[cond]) {
            throw new InputError({ file: label, field: "last_token_id" }, `run ${a + j} ${cond}: tensor holds ${lt.data[3 * j + c]}, manifest ${meta.lastTokenIds[cond]}`);
          }
        }
      }
      hidden.set(h.data as Float32Array, a * per);
      losses.push(...lossSequences(t, label, a, b));
    }
  }
  return {
    dir,
    job: m0.job,
    model: m0.model,
    nStates: S,
    stateLayers: m0.stateLayers,
    hiddenSize: H,
    tokenKinds: m0.tokenKinds,
    layerConvention: m0.layerConvention,
    training: m0.training,
    versions: m0.versions,
    shards: sorted.map((s) => ({ file: s.manifest.file, index: s.manifest.shard.index, count: s.manifest.shard.count, runs: s.manifest.shard.runs, timings: s.manifest.timings })),
    runs,
    hidden,
    losses,
    exampleData: null,
  };
}

function abbreviate(xs: number[]): string {
  return xs.length <= 12 ? xs.join(", ") : `${xs.slice(0, 12).join(", ")}, … (${xs.length} in all)`;
}

function lossSequences(t: Map<string, Tensor>, file: string, a: number, b: number): LossSequence[] {
  const before = tensorOf(t, "loss_before", file);
  const after = tensorOf(t, "loss_after", file);
  const kind = tensorOf(t, "loss_kind", file);
  const tok = tensorOf(t, "loss_token_id", file);
  const offsets = tensorOf(t, "loss_offsets", file);
  const seqRun = tensorOf(t, "loss_seq_run", file);
  const seqDemo = tensorOf(t, "loss_seq_demo", file);
  const T = before.data.length;
  for (const x of [after, kind, tok]) {
    if (x.shape.length !== 1 || x.data.length !== T) throw new InputError({ file, field: x.name }, `expected [${T}] like loss_before, got ${JSON.stringify(x.shape)}`);
  }
  const q = seqRun.data.length;
  if (offsets.data.length !== q + 1 || seqDemo.data.length !== q) {
    throw new InputError({ file, field: "loss_offsets" }, `expected ${q + 1} offsets and ${q} demo indices for ${q} sequences`);
  }
  if (offsets.data[0] !== 0 || offsets.data[q] !== T) throw new InputError({ file, field: "loss_offsets" }, `must start at 0 and end at ${T}`);
  const out: LossSequence[] = [];
  for (let s = 0; s < q; s++) {
    const lo = offsets.data[s] as number;
    const hi = offsets.data[s + 1] as number;
    if (hi < lo) throw new InputError({ file, field: "loss_offsets" }, `decrease at sequence ${s} (${lo} -> ${hi})`);
    const run = seqRun.data[s] as number;
    if (run < a || run >= b) throw new InputError({ file, field: "loss_seq_run" }, `sequence ${s} belongs to run ${run}, outside the file's runs [${a}, ${b})`);
    out.push({
      run,
      demo: seqDemo.data[s] as number,
      before: (before.data as Float32Array).subarray(lo, hi),
      after: (after.data as Float32Array).subarray(lo, hi),
      kinds: (kind.data as Int32Array).subarray(lo, hi),
      tokenIds: (tok.data as Float64Array).subarray(lo, hi),
    });
  }
  return out;
}

// ---- loading from disk ----------------------------------------------------------------------

export interface LoadHiddenOptions {
  /** Accept NaN/Inf in the tensors (default: an error naming the tensor). */
  allowNonFinite?: boolean;
  /** Check each file's sha256 against its manifest (default true). */
  verifyChecksums?: boolean;
}

const SHARD_DIR = /^shard-(\d{3,})-of-(\d{3,})$/;

function sha256File(p: string): string {
  return "sha256:" + crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex");
}

function readShard(dir: string, opts: LoadHiddenOptions): ShardInput {
  const mpath = path.join(dir, "manifest.json");
  if (!fs.existsSync(mpath)) throw new InputError({ file: mpath }, "missing: every dump (or shard) directory holds a manifest.json");
  const manifest = parseHiddenManifest(readTextFile(mpath), mpath);
  const files = manifest.files.map((e) => {
    const p = path.join(dir, e.name);
    if (!fs.existsSync(p)) throw new InputError({ file: p }, `missing: listed in ${mpath}`);
    const size = fs.statSync(p).size;
    if (size !== e.bytes) throw new InputError({ file: p }, `${size} bytes, the manifest says ${e.bytes} (truncated or replaced?)`);
    if (opts.verifyChecksums !== false) {
      const sum = sha256File(p);
      if (sum !== e.sha256) throw new InputError({ file: p }, `checksum ${sum} differs from the manifest's ${e.sha256}`);
    }
    const st = loadSafetensors(p, opts.allowNonFinite === undefined ? {} : { allowNonFinite: opts.allowNonFinite });
    const jobHash = st.header.metadata["job_hash"];
    if (jobHash !== undefined && jobHash !== manifest.job.hash) {
      throw new InputError({ file: p, field: "__metadata__.job_hash" }, `${jobHash} differs from the manifest's ${manifest.job.hash}`);
    }
    return st.tensors;
  });
  return { manifest, files };
}

/**
 * Loads a dump directory: `DIR/manifest.json` (one process) or `DIR/shard-iii-of-nnn/` (a job
 * array), merged in run order. Errors name the file and field.
 */
export function loadHiddenDump(dir: string, opts: LoadHiddenOptions = {}): HiddenDump {
  const dump = loadMerged(dir, opts);
  const marker = path.join(dir, "EXAMPLE_DATA");
  dump.exampleData = fs.existsSync(marker) ? fs.readFileSync(marker, "utf8").trim() || "example data" : null;
  return dump;
}

function loadMerged(dir: string, opts: LoadHiddenOptions): HiddenDump {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError({ file: dir }, "not a directory");
  if (fs.existsSync(path.join(dir, "manifest.json"))) return mergeHiddenShards([readShard(dir, opts)], dir);
  const shardDirs = fs.readdirSync(dir).filter((n) => SHARD_DIR.test(n)).sort();
  if (shardDirs.length === 0) {
    throw new InputError({ file: dir }, "no manifest.json and no shard-iii-of-nnn/ directories: not a hidden-state dump");
  }
  const counts = new Set(shardDirs.map((n) => Number((SHARD_DIR.exec(n) as RegExpExecArray)[2])));
  if (counts.size > 1) throw new InputError({ file: dir }, `shard directories of different job arrays: ${shardDirs.join(", ")}`);
  const shards = shardDirs.map((n) => {
    const s = readShard(path.join(dir, n), opts);
    const [, i, c] = SHARD_DIR.exec(n) as RegExpExecArray;
    if (Number(i) !== s.manifest.shard.index || Number(c) !== s.manifest.shard.count) {
      throw new InputError({ file: s.manifest.file, field: "shard" }, `says shard ${s.manifest.shard.index} of ${s.manifest.shard.count}, but lies in ${n}`);
    }
    return s;
  });
  return mergeHiddenShards(shards, dir);
}
