/**
 * Rewrites the bundled pipeline example data/examples/hidden-tiny/: the job builder
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
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { HiddenExperiment, HiddenJobConfig, LabelledExample, TaskInput } from "../lib/experiment/hiddenJob";
import { buildHiddenJob, builtinTask, embeddingSimilarity, formatHiddenJob, parseLabelledDataset } from "../lib/experiment/hiddenJob";
import { writeFileAtomic } from "../lib/io/atomic";
import { loadSafetensors } from "../lib/io/safetensors";
import { fromRepo } from "../lib/paths";

const OUT = fromRepo("data", "examples", "hidden-tiny");
const PYTHON = fromRepo(".venv", "bin", "python");

function python(args: string[], cwd = fromRepo()): void {
  const r = spawnSync(PYTHON, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`${PYTHON} ${args.join(" ")} failed (exit ${r.status})`);
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

if (require.main === module) main();
