/** `icl-workbench hidden-job`: writes the backend's job.json for one experiment of Duan et al. */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BUILTIN_TASKS,
  type BuiltinTaskName,
  type DatasetFormat,
  HIDDEN_EXPERIMENTS,
  type HiddenJobConfig,
  type TaskInput,
  buildHiddenJob,
  builtinTask,
  embeddingSimilarity,
  formatHiddenJob,
  parseLabelledDataset,
} from "../../experiment/hiddenJob";
import { writeFileAtomic } from "../../io/atomic";
import { readTextFile } from "../../io/jsonl";
import { loadTensor } from "../../io/safetensors";
import { boolOpt, choiceOpt, parseCommandLine, parseDecimal, stringOpt } from "../args";
import { type CliIO, type Command, UsageError } from "../io";


const usage = `usage: icl-workbench hidden-job --experiment E --dataset FILE --model PATH --out job.json [options]

Writes the job.json that \`python3 -m backend.hidden_states --job job.json --out DIR\` runs (one
experiment of Duan et al.; format in backend/README.md). Each seed draws its inference example,
instruction and demonstrations with a seeded generator (lib/stats/rng.ts), so the same inputs
and seeds always give the same job.

  --experiment E        ${HIDDEN_EXPERIMENTS.join(" | ")}
  --task T              sentiment (default; SST-2 style, labels negative/positive) | translation
                        (WMT16 en-cs style: text = translation.en, label = translation.cs)
  --dataset FILE        labelled examples, .jsonl or .tsv (GLUE SST-2 train.tsv: sentence, label 0/1)
  --text-field F, --label-field F, --id-field F
                        override the task's default fields (dotted paths reach nested JSON)
  --label-names MAP     raw label -> name, e.g. "0=negative,1=positive" (SST-2 TSV default)
  --instructions FILE   instruction pool, one per line (default: the paper's pool, App. A)
  --demo-dataset FILE   "different-task": the demonstrations' dataset (task: translation unless
                        --task translation, then sentiment)
  --seeds S             "1-30" (default) or "1,2,3"
  --model PATH          model directory on the machine that runs the job (relative: to job.json)
  --dtype D             auto | float32 | bfloat16 | float16 (backend default: bf16 on GPU)
  --device D            e.g. cuda, cpu
  --embeddings FILE     "similarity": backend.embed's safetensors of the dataset's texts (row i =
                        example i), for the similarity levels
  --levels N            "similarity": number of levels on [0, 1] (default 10)
  --similarity-model P  let the backend compute demo-inference similarity (sentence-transformers)
  --name NAME           job name (default hidden-<experiment>)
  --out FILE            where to write job.json (atomic); --force to replace an existing file
`;

function taskDefaults(task: BuiltinTaskName, file: string): DatasetFormat {
  const format = file.endsWith(".tsv") ? "tsv" : "jsonl";
  if (task === "translation") return { format, textField: "translation.en", labelField: "translation.cs" };
  return format === "tsv" ? { format, textField: "sentence", labelField: "label", labelNames: { "0": "negative", "1": "positive" } } : { format };
}

function parseLabelNames(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(",")) {
    const [k, v] = part.split("=");
    if (k === undefined || v === undefined || k.trim() === "" || v.trim() === "") throw new UsageError(`--label-names: "${part}" is not raw=name`);
    out[k.trim()] = v.trim();
  }
  return out;
}

/** "1-30" or "1,2,3" (integers). */
export function parseSeeds(raw: string): number[] {
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(raw);
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a) throw new UsageError(`--seeds: empty range "${raw}"`);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  return raw.split(",").map((s) => {
    const x = parseDecimal(s);
    if (!Number.isSafeInteger(x)) throw new UsageError(`--seeds: "${s}" is not an integer`);
    return x;
  });
}

function loadTask(name: BuiltinTaskName, file: string, overrides: Partial<DatasetFormat>, instructionsFile: string | undefined): TaskInput {
  const fmt = { ...taskDefaults(name, file), ...overrides };
  const examples = parseLabelledDataset(readTextFile(file), file, fmt);
  const instructions = instructionsFile === undefined ? undefined : readTextFile(instructionsFile).split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return builtinTask(name, examples, instructions);
}

export const command: Command = {
  summary: "write the hidden-state backend's job.json for one experiment of Duan et al.",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, {
      experiment: { type: "string" },
      task: { type: "string" },
      dataset: { type: "string" },
      "text-field": { type: "string" },
      "label-field": { type: "string" },
      "id-field": { type: "string" },
      "label-names": { type: "string" },
      instructions: { type: "string" },
      "demo-dataset": { type: "string" },
      seeds: { type: "string" },
      model: { type: "string" },
      dtype: { type: "string" },
      device: { type: "string" },
      embeddings: { type: "string" },
      levels: { type: "string" },
      "similarity-model": { type: "string" },
      name: { type: "string" },
      out: { type: "string" },
      force: { type: "boolean" },
    });
    const experiment = choiceOpt(p, "experiment", HIDDEN_EXPERIMENTS, "main");
    if (stringOpt(p, "experiment") === undefined) throw new UsageError("--experiment is required");
    const taskName = choiceOpt(p, "task", BUILTIN_TASKS, "sentiment");
    const dataset = stringOpt(p, "dataset", true);
    const out = stringOpt(p, "out", true);
    const modelPath = stringOpt(p, "model", true);
    if (fs.existsSync(out) && !boolOpt(p, "force")) throw new UsageError(`${out} exists (--force replaces it)`);
    const overrides: Partial<DatasetFormat> = {};
    const tf = stringOpt(p, "text-field");
    const lf = stringOpt(p, "label-field");
    const idf = stringOpt(p, "id-field");
    const ln = stringOpt(p, "label-names");
    if (tf !== undefined) overrides.textField = tf;
    if (lf !== undefined) overrides.labelField = lf;
    if (idf !== undefined) overrides.idField = idf;
    if (ln !== undefined) overrides.labelNames = parseLabelNames(ln);
    const task = loadTask(taskName, dataset, overrides, stringOpt(p, "instructions"));
    const cfg: HiddenJobConfig = {
      name: stringOpt(p, "name") ?? `hidden-${experiment}`,
      experiment,
      modelPath,
      seeds: parseSeeds(stringOpt(p, "seeds") ?? "1-30"),
      task,
    };
    const dtype = choiceOpt(p, "dtype", ["auto", "float32", "bfloat16", "float16"] as const, "auto");
    if (stringOpt(p, "dtype") !== undefined) cfg.dtype = dtype;
    const device = stringOpt(p, "device");
    if (device !== undefined) cfg.device = device;
    const simModel = stringOpt(p, "similarity-model");
    if (simModel !== undefined) cfg.similarityModelPath = simModel;
    if (experiment === "different-task") {
      const demoFile = stringOpt(p, "demo-dataset");
      if (demoFile === undefined) throw new UsageError('--demo-dataset is required for "different-task"');
      cfg.demoTask = loadTask(taskName === "translation" ? "sentiment" : "translation", demoFile, {}, undefined);
    }
    if (experiment === "similarity") {
      const emb = stringOpt(p, "embeddings");
      if (emb === undefined) throw new UsageError('--embeddings is required for "similarity" (python3 -m backend.embed writes it)');
      cfg.similarity = embeddingSimilarity(loadTensor(emb, "embeddings"), task.examples.map((e) => e.id));
      const levels = stringOpt(p, "levels");
      if (levels !== undefined) {
        const n = parseDecimal(levels);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--levels: "${levels}" is not a positive integer`);
        cfg.similarityLevels = n;
      }
    }
    let built;
    try {
      built = buildHiddenJob(cfg);
    } catch (e) {
      if (e instanceof RangeError) {
        io.stderr(`icl-workbench hidden-job: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
    for (const s of built.skipped) io.stderr(`skipped: ${s}\n`);
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeFileAtomic(out, formatHiddenJob(built.job));
    io.stdout(`${out}: ${built.job.runs.length} runs of "${experiment}" (${task.examples.length} examples, ${cfg.seeds.length} seeds)\n`);
    return 0;
  },
};
