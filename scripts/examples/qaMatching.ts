/**
 * Example dump for notebooks/05-qa-matching.ipynb (Zhao et al. App. B, Table 3): 1st-turn
 * MT-Bench of Mistral-7B-v0.2 and Llama-3.1-8B with the question-answer matching ablations of
 * the 3 URIAL demonstrations and of the 6 URIAL + greedy-search demonstrations. NOT results.
 *
 *   node --import tsx scripts/examples/qaMatching.ts     # rewrites data/examples/qa-matching
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../lib/io/atomic";
import type { Ablation, RunManifestRow } from "../../lib/model/manifest";
import { fromRepo } from "../../lib/paths";
import { createRng } from "../../lib/stats/rng";
import { JudgmentFile, drawScore, exampleMarker, exampleReadme, exampleRun, failureIndices, formatManifest, placeholderQuestions, questionEffects } from "./common";
import { publishedTargets } from "./published";

export const QA_MATCHING_SEED = 2005;
const SCRIPT = "scripts/examples/qaMatching.ts";

const FAMILIES = [
  { baseModel: "Mistral-7B-v0.2", slug: "mistral-7b-v0.2" },
  { baseModel: "Llama-3.1-8B", slug: "llama-3.1-8b" },
];

const ABLATED: Ablation[] = ["x_only", "y_only", "circular_shift", "in_domain_random", "out_of_domain_random", "none"];
const SHORT: Record<string, string> = { x_only: "xonly", y_only: "yonly", circular_shift: "shift", in_domain_random: "idrand", out_of_domain_random: "oodrand", none: "correct" };

/** Builds the files of the QA-matching example dump: relative path -> content. */
export function qaMatchingExample(seed = QA_MATCHING_SEED): Record<string, string> {
  const rng = createRng(seed);
  const pub = publishedTargets();
  const questions = placeholderQuestions(1);
  const effects = questionEffects(rng, questions);
  const judgments = new JudgmentFile("gpt-4");
  const rows: RunManifestRow[] = [];
  const notes = "synthetic example data; not a result";
  const emit = (row: RunManifestRow, target: number) => {
    rows.push(row);
    for (const q of questions) judgments.add(q.question_id, row.modelId, 1, q.category, drawScore(rng, target, effects.get(`${q.question_id}:1`) as number));
  };
  for (const fam of FAMILIES) {
    emit(
      exampleRun({ modelId: `${fam.slug}-no-demos`, baseModel: fam.baseModel, setting: "base", label: `${fam.baseModel}, no demonstrations`, nDemos: 0, ablation: "no_demos", notes }),
      pub.table3(fam.baseModel, 3, "no_demos"),
    );
    for (const demoSet of [3, 6]) {
      for (const ab of ABLATED) {
        const urialOnly = demoSet === 3;
        emit(
          exampleRun({
            modelId: `${fam.slug}-${urialOnly ? "urial" : "greedy6"}-${SHORT[ab]}`,
            baseModel: fam.baseModel,
            setting: urialOnly ? "urial" : "icl-greedy",
            label: `${fam.baseModel}, ${urialOnly ? "URIAL" : "URIAL + greedy"} (${demoSet} demos), ${ab === "none" ? "correct Y" : ab}`,
            nDemos: demoSet,
            withUrialDemos: true,
            demoSource: urialOnly ? "urial" : "skillmix",
            greedyStep: urialOnly ? null : 3,
            ablation: ab,
            notes,
          }),
          pub.table3(fam.baseModel, demoSet, ab),
        );
      }
    }
  }
  judgments.injectFailures(failureIndices(rng, judgments.length, 3), 5);
  const body = `
## What is in it

- \`manifest.jsonl\`: ${rows.length} runs. Per base model (Mistral-7B-v0.2, Llama-3.1-8B): the base
  model without demonstrations (\`setting: base\`, \`ablation: no_demos\`, shared by both demo sets
  as in Table 3); for the 3 URIAL demonstrations (\`setting: urial\`, \`n_demos: 3\`) and the 6
  URIAL + greedy-search demonstrations (\`setting: icl-greedy\`, \`greedy_step: 3\`, \`n_demos: 6\`),
  one run per \`ablation\`: \`x_only\`, \`y_only\`, \`circular_shift\`, \`in_domain_random\`,
  \`out_of_domain_random\`, and \`none\` (correct Y). An ablation run and its correct-Y run share
  every other factor (that is how the notebook pairs them).
- \`question.jsonl\`: 80 one-turn placeholder questions.
- \`model_judgment/gpt-4_single.jsonl\`: GPT-4 judgments (1st turn).

Aimed at the published Table 3.
`;
  return {
    EXAMPLE_DATA: exampleMarker(SCRIPT, seed),
    "README.md": exampleReadme({ title: "Question-answer matching (Zhao et al. App. B, Table 3)", script: SCRIPT, seed, notebook: "05-qa-matching.ipynb", body }),
    "manifest.jsonl": formatManifest(rows),
    "question.jsonl": questions.map((q) => JSON.stringify(q)).join("\n") + "\n",
    "model_judgment/gpt-4_single.jsonl": judgments.text(),
  };
}

if (require.main === module) {
  const dir = fromRepo("data", "examples", "qa-matching");
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(qaMatchingExample())) writeFileAtomic(path.join(dir, rel), text);
  console.log(`wrote ${dir}`);
}
