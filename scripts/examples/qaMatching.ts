/**
 * Example dump for notebooks/05-qa-matching.ipynb (Zhao et al. App. B, Table 3): 1st-turn
 * MT-Bench of Mistral-7B-v0.2 and Llama-3.1-8B with the question-answer matching ablations of
 * the 3 URIAL demonstrations and of the 6 URIAL + greedy-search demonstrations. NOT results.
 *
 *   node --import tsx scripts/examples/qaMatching.ts     # rewrites data/examples/qa-matching
 */
import type { Ablation } from "../../lib/model/manifest";
import { createRng } from "../../lib/stats/rng";
import { JudgedRuns, exampleRun, failureIndices, writeExampleDump } from "./common";
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
  const mt = new JudgedRuns(rng, 1);
  for (const fam of FAMILIES) {
    mt.add(
      exampleRun({ modelId: `${fam.slug}-no-demos`, baseModel: fam.baseModel, setting: "base", label: `${fam.baseModel}, no demonstrations`, nDemos: 0, ablation: "no_demos" }),
      pub.table3(fam.baseModel, 3, "no_demos"),
    );
    for (const demoSet of [3, 6]) {
      for (const ab of ABLATED) {
        const urialOnly = demoSet === 3;
        mt.add(
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
          }),
          pub.table3(fam.baseModel, demoSet, ab),
        );
      }
    }
  }
  mt.judgments.injectFailures(failureIndices(rng, mt.judgments.length, 3), 5);
  const body = `
## What is in it

- \`manifest.jsonl\`: ${mt.rows.length} runs. Per base model (Mistral-7B-v0.2, Llama-3.1-8B): the base
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
  return mt.files({ title: "Question-answer matching (Zhao et al. App. B, Table 3)", script: SCRIPT, seed, notebook: "05-qa-matching.ipynb", body });
}

if (require.main === module) console.log(`wrote ${writeExampleDump("qa-matching", qaMatchingExample())}`);
