/** The job builder: datasets, the experiments of Duan et al., and the backend accepting its jobs. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type HiddenJobConfig,
  type LabelledExample,
  PAPER_N_DEMOS,
  SENTIMENT_INSTRUCTIONS,
  SENTIMENT_TASK,
  TRANSLATION_INSTRUCTIONS,
  TRANSLATION_TASK,
  buildHiddenJob,
  builtinTask,
  embeddingSimilarity,
  flipLabel,
  formatHiddenJob,
  parseLabelledDataset,
} from "../../lib/experiment/hiddenJob";
import { InputError } from "../../lib/model/errors";
import { fromRepo } from "../../lib/paths";
import { exampleJobConfig, hiddenExamplePlans, loadToyTasks } from "../../scripts/make-hidden-example";
import { tempDir } from "../helpers";

const reviews: LabelledExample[] = Array.from({ length: 20 }, (_, i) => ({
  id: `r${i}`,
  text: `review number ${i}`,
  label: i % 2 === 0 ? "positive" : "negative",
  line: i + 1,
}));
const pairs: LabelledExample[] = Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, text: `english ${i}`, label: `czech ${i}`, line: i + 1 }));
const sentiment = builtinTask("sentiment", reviews);
const translation = builtinTask("translation", pairs);

function cfg(extra: Partial<HiddenJobConfig>): HiddenJobConfig {
  return { name: "t", experiment: "main", modelPath: "/models/llama-2-7b", seeds: [1, 2, 3], task: sentiment, ...extra };
}

test("parses an SST-2 style TSV and a WMT16 style JSONL", () => {
  const tsv = "sentence\tlabel\nit 's a charming journey . \t1\nunfunny and \"dull\"\t0\n\n";
  const ex = parseLabelledDataset(tsv, "train.tsv", { format: "tsv", labelNames: { "0": "negative", "1": "positive" } });
  assert.deepEqual(ex, [
    { id: "line:2", text: "it 's a charming journey . ", label: "positive", line: 2 },
    { id: "line:3", text: 'unfunny and "dull"', label: "negative", line: 3 },
  ]);
  const jsonl = '{"translation": {"en": "Good morning.", "cs": "Dobré ráno."}, "id": 7}\n';
  assert.deepEqual(parseLabelledDataset(jsonl, "wmt.jsonl", { format: "jsonl", textField: "translation.en", labelField: "translation.cs", idField: "id" }), [
    { id: "7", text: "Good morning.", label: "Dobré ráno.", line: 1 },
  ]);
});

test("dataset errors name the file, line and field", () => {
  const bad = (text: string, fmt: Parameters<typeof parseLabelledDataset>[2], pattern: RegExp) =>
    assert.throws(() => parseLabelledDataset(text, "d", fmt), (e: unknown) => e instanceof InputError && pattern.test(e.message));
  bad("sentence\tlabel\nx\t2\n", { format: "tsv", labelNames: { "0": "negative", "1": "positive" } }, /^d:2: field "label": label "2" is not in labelNames/);
  bad("sentence\tlabel\nx\t1\textra\n", { format: "tsv" }, /^d:2: 3 tab-separated cells, the header has 2/);
  bad("text\tgold\nx\t1\n", { format: "tsv" }, /^d:1: field "label": column missing from the header \(text, gold\)/);
  bad('{"text": "a", "label": "x"}\n{"label": "y"}\n', { format: "jsonl" }, /^d:2: field "text": missing, empty or not a string/);
  bad("{oops\n", { format: "jsonl" }, /^d:1: not valid JSON/);
  bad("\n", { format: "jsonl" }, /^d: no examples/);
});

test("the paper's instruction pools and templates", () => {
  assert.equal(SENTIMENT_INSTRUCTIONS.length, 26);
  assert.equal(TRANSLATION_INSTRUCTIONS.length, 30);
  assert.equal(new Set(TRANSLATION_INSTRUCTIONS).size, 30);
  assert.equal(SENTIMENT_TASK.output, "Sentiment:");
  assert.deepEqual(PAPER_N_DEMOS.map((s) => s.n * s.epochs), [10, 10, 10, 10]); // equal parameter updates
});

test("builtinTask pairs each task with its template and instruction pool, or the given instructions", () => {
  assert.deepEqual(translation, { name: "translation", spec: TRANSLATION_TASK, instructions: TRANSLATION_INSTRUCTIONS, examples: pairs });
  assert.equal(sentiment.spec, SENTIMENT_TASK);
  assert.equal(sentiment.instructions, SENTIMENT_INSTRUCTIONS);
  assert.deepEqual(builtinTask("sentiment", reviews, ["Classify:"]).instructions, ["Classify:"]);
});

test("main: one run per seed, drawn from the seed alone, demo never the inference example", () => {
  const a = buildHiddenJob(cfg({})).job;
  const b = buildHiddenJob(cfg({ seeds: [3, 1] })).job;
  assert.equal(a.format, "icl-workbench.hidden-job");
  assert.equal(a.runs.length, 3);
  assert.deepEqual(b.runs[1], a.runs[0]); // seed 1 gives the same run whatever the other seeds
  for (const r of a.runs) {
    assert.equal(r.demos.length, 1);
    assert.notEqual(r.demos[0]?.text, r.inference.text);
    assert.ok(SENTIMENT_INSTRUCTIONS.includes(r.instruction));
    assert.equal(r.inference.task, "sentiment");
  }
  assert.deepEqual(Object.keys(a.tasks), ["sentiment"]);
  assert.deepEqual(a.tasks["sentiment"]?.labels, ["negative", "positive"]);
  assert.equal(formatHiddenJob(a), JSON.stringify(a, null, 2) + "\n");
  assert.throws(() => buildHiddenJob(cfg({ seeds: [1, 1] })), /seeds must be distinct/);
});

test("wrong-label: right and wrong runs share every draw; the label is flipped, the gold kept", () => {
  const { job } = buildHiddenJob(cfg({ experiment: "wrong-label" }));
  assert.equal(job.runs.length, 6);
  for (let i = 0; i < 6; i += 2) {
    const [right, wrong] = [job.runs[i], job.runs[i + 1]];
    assert.ok(right && wrong);
    assert.equal(right.group, "right");
    assert.equal(wrong.group, "wrong");
    assert.equal(wrong.instruction, right.instruction);
    assert.deepEqual(wrong.inference, right.inference);
    assert.equal(wrong.demos[0]?.text, right.demos[0]?.text);
    assert.equal(wrong.demos[0]?.gold_label, right.demos[0]?.label);
    assert.equal(wrong.demos[0]?.label, flipLabel(right.demos[0]?.label as string, ["negative", "positive"]));
    assert.deepEqual(wrong.flags, { wrong_labels: true });
  }
  assert.throws(() => buildHiddenJob(cfg({ experiment: "wrong-label", task: translation })), /needs a classification task/);
});

test("n-demos: 1/2/5/10 demonstrations with 10/5/2/1 epochs, nested, same inference example", () => {
  const { job } = buildHiddenJob(cfg({ experiment: "n-demos", seeds: [5] }));
  assert.deepEqual(job.runs.map((r) => [r.demos.length, r.epochs]), [[1, 10], [2, 5], [5, 2], [10, 1]]);
  const first = job.runs[0];
  assert.ok(first);
  for (const r of job.runs) {
    assert.deepEqual(r.inference, first.inference);
    assert.deepEqual(r.demos.slice(0, 1), first.demos);
    assert.equal(new Set(r.demos.map((d) => d.text)).size, r.demos.length);
    assert.ok(!r.demos.some((d) => d.text === r.inference.text));
  }
  assert.throws(() => buildHiddenJob(cfg({ experiment: "n-demos", task: { ...sentiment, examples: reviews.slice(0, 5) } })), /cannot draw 10 distinct demonstrations from 4/);
});

test("different-task: translation demos with their own instruction before a sentiment query", () => {
  const { job } = buildHiddenJob(cfg({ experiment: "different-task", demoTask: translation }));
  assert.deepEqual(Object.keys(job.tasks).sort(), ["sentiment", "translation"]);
  assert.equal(job.tasks["translation"]?.labels, undefined);
  for (const r of job.runs) {
    const d = r.demos[0];
    assert.ok(d);
    assert.equal(d.task, "translation");
    assert.ok(TRANSLATION_INSTRUCTIONS.includes(d.instruction as string));
    assert.ok(pairs.some((p) => p.text === d.text && p.label === d.label));
    assert.equal(r.inference.task, "sentiment");
  }
  assert.throws(() => buildHiddenJob(cfg({ experiment: "different-task" })), /needs demoTask/);
});

test("supervised: the no_instruction flag", () => {
  const { job } = buildHiddenJob(cfg({ experiment: "supervised" }));
  assert.ok(job.runs.every((r) => r.flags?.["no_instruction"] === true));
});

test("similarity: one run per populated level, the value inside its bin, levels missing reported", () => {
  // similarity 0.05 + 0.1 * (index mod 10): reviews 0..19 fill every level twice
  const sim = (d: LabelledExample) => 0.05 + 0.1 * (Number(d.id.slice(1)) % 10);
  const { job, skipped } = buildHiddenJob(cfg({ experiment: "similarity", seeds: [1, 2], similarity: sim }));
  assert.equal(skipped.length, 0);
  assert.equal(job.runs.length, 20);
  const first = job.runs[0];
  for (const r of job.runs.slice(0, 10)) assert.deepEqual(r.inference, first?.inference);
  for (const r of job.runs) {
    const level = r.flags?.["similarity_level"] as number;
    const s = r.similarity?.[0] as number;
    assert.ok(s >= level / 10 && s < (level + 1) / 10, `${s} in level ${level}`);
  }
  const sparse = buildHiddenJob(cfg({ experiment: "similarity", seeds: [1], similarity: () => 0.95 }));
  assert.equal(sparse.job.runs.length, 1);
  assert.equal(sparse.skipped.length, 9);
  assert.match(sparse.skipped[0] as string, /seed 1: no demonstration with similarity in \[0\.00, 0\.10\)/);
  assert.throws(() => buildHiddenJob(cfg({ experiment: "similarity" })), /needs a similarity function/);
});

test("embeddingSimilarity is the cosine of the rows (lib/stats cosineSimilarity)", () => {
  const f = embeddingSimilarity({ shape: [2, 2], data: [1, 0, Math.SQRT1_2, Math.SQRT1_2] }, ["r0", "r1"]);
  const [a, b] = [reviews[0] as LabelledExample, reviews[1] as LabelledExample];
  assert.ok(Math.abs(f(a, b) - Math.SQRT1_2) < 1e-15);
  assert.equal(f(a, a), 1);
  assert.throws(() => f(a, reviews[2] as LabelledExample), /no embedding for "r2"/);
  const g = embeddingSimilarity({ shape: [2, 2], data: new Float32Array([2, 0, 3, 3]) }, ["r0", "r1"]);
  assert.ok(Math.abs(g(a, b) - Math.SQRT1_2) < 1e-7); // not unit-norm: still the cosine
});

test("the job's draws come from lib/stats createRng: the committed example jobs rebuild byte for byte", () => {
  // data/examples/hidden-tiny/<experiment>/job.json were written by scripts/make-hidden-example.ts
  // with the same toy datasets and seeds; any change to the draws changes these files.
  // Every plan but "similarity" (its similarities come from the backend's sentence model).
  const ex = fromRepo("data", "examples", "hidden-tiny");
  const { sentiment: toy, translation: toyEnCs } = loadToyTasks();
  const noSimilarity = () => {
    throw new Error("not used");
  };
  const plans = hiddenExamplePlans(toyEnCs, noSimilarity).filter(([dir]) => dir !== "similarity");
  assert.equal(plans.length, 7);
  for (const plan of plans) {
    const { job } = buildHiddenJob(exampleJobConfig(plan, toy));
    assert.equal(formatHiddenJob(job), fs.readFileSync(path.join(ex, plan[0], "job.json"), "utf8"), plan[0]);
  }
});

const PYTHON = fromRepo(".venv", "bin", "python");
const noVenv = fs.existsSync(PYTHON) ? false : `no backend virtual environment at ${PYTHON} (scripts/setup-backend.sh)`;

test("the Python backend accepts every experiment's job (backend/job.py)", { skip: noVenv }, () => {
  const dir = tempDir();
  const experiments = [
    cfg({}),
    cfg({ experiment: "wrong-label" }),
    cfg({ experiment: "n-demos", seeds: [1] }),
    cfg({ experiment: "different-task", demoTask: translation }),
    cfg({ experiment: "supervised", training: { epochs: 3, loss_on: "label" }, template: { segment_sep: " " } }),
    cfg({ experiment: "similarity", seeds: [1], similarity: () => 0.5 }),
  ];
  const files = experiments.map((c, i) => {
    const p = path.join(dir, `job${i}.json`);
    fs.writeFileSync(p, formatHiddenJob(buildHiddenJob(c).job));
    return p;
  });
  const script = [
    "import json, sys",
    "from backend.job import parse_job",
    "from backend.prompts import build_prompts, render",
    "out = []",
    "for p in sys.argv[1:]:",
    "    job = parse_job(open(p, 'rb').read(), p)",
    "    out.append({'n': len(job.runs), 'experiment': job.experiment, 'icl': render(build_prompts(job, job.runs[0]).icl), 'epochs': [r.epochs for r in job.runs]})",
    "print(json.dumps(out))",
  ].join("\n");
  const r = spawnSync(PYTHON, ["-c", script, ...files], { cwd: fromRepo(), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const parsed = JSON.parse(r.stdout) as { n: number; experiment: string; icl: string; epochs: number[] }[];
  assert.deepEqual(parsed.map((p) => p.n), [3, 6, 4, 3, 3, 1]);
  assert.deepEqual(parsed[2]?.epochs, [10, 5, 2, 1]);
  assert.match(parsed[0]?.icl as string, /\nReview: .*\nSentiment: (positive|negative)\nReview: .*\nSentiment:$/);
  assert.match(parsed[3]?.icl as string, /\nEnglish: english \d\nCzech: czech \d\n.*\nReview: .*\nSentiment:$/);
});
