/**
 * Example dump for notebooks/07-transferability.ipynb (Zhao et al. App. D, Table 6): URIAL and
 * the greedy-search prompts found on Mistral-7B-v0.2 with Evol-Instruct (Table 5), applied to
 * Llama-2-7B-80k and Mixtral-8x22B-v0.1-4bit: 1st-turn MT-Bench (GPT-4) and AlpacaEval
 * annotations plus a leaderboard CSV. NOT results.
 *
 *   node --import tsx scripts/examples/transfer.ts     # rewrites data/examples/transfer
 */
import { createRng } from "../../lib/stats/rng";
import { JudgedRuns, alpacaExampleFiles, exampleRun, failureIndices, writeExampleDump } from "./common";
import { publishedTargets } from "./published";

export const TRANSFER_SEED = 2007;
const SCRIPT = "scripts/examples/transfer.ts";
const ALPACA_INSTRUCTIONS = 60;

const FAMILIES = [
  { baseModel: "Llama-2-7B-80k", slug: "llama-2-7b-80k" },
  { baseModel: "Mixtral-8x22B-v0.1-4bit", slug: "mixtral-8x22b-v0.1-4bit" },
];

/** Builds the files of the transferability example dump: relative path -> content. */
export function transferExample(seed = TRANSFER_SEED): Record<string, string> {
  const rng = createRng(seed);
  const pub = publishedTargets();
  const mt = new JudgedRuns(rng, 1);
  const alpacaRuns: { model: string; lc: number }[] = [];
  for (const fam of FAMILIES) {
    for (let k = 0; k <= 3; k++) {
      const p = pub.table6(fam.baseModel, k);
      const modelId = k === 0 ? `${fam.slug}-urial` : `${fam.slug}-greedy-from-mistral-${k}`;
      mt.add(
        exampleRun({
          modelId,
          baseModel: fam.baseModel,
          setting: k === 0 ? "urial" : "icl-greedy",
          label: k === 0 ? `${fam.baseModel} + URIAL` : `${fam.baseModel} + URIAL + greedy (${k} ex., from Mistral-7B-v0.2)`,
          nDemos: 3 + k,
          withUrialDemos: true,
          demoSource: k === 0 ? "urial" : "evol-instruct",
          greedyStep: k === 0 ? null : k,
          promptFrom: k === 0 ? null : "Mistral-7B-v0.2",
          promptFile: k === 0 ? null : `prompts/mistral-7b-v0.2/greedy-evol-${k}.txt`,
        }),
        p.mtbench,
      );
      alpacaRuns.push({ model: modelId, lc: p.lc });
    }
  }
  mt.judgments.injectFailures(failureIndices(rng, mt.judgments.length, 3), 6);
  const alpaca = alpacaExampleFiles(rng, alpacaRuns, ALPACA_INSTRUCTIONS);
  const body = `
## What is in it

- \`manifest.jsonl\`: ${mt.rows.length} runs. Per target base model (Llama-2-7B-80k,
  Mixtral-8x22B-v0.1-4bit): URIAL (\`setting: urial\`) and the greedy prompts transferred from
  Mistral-7B-v0.2 (\`setting: icl-greedy\`, \`greedy_step\` 1..3, \`demo_source: evol-instruct\`,
  \`prompt_from: Mistral-7B-v0.2\`).
- \`question.jsonl\`: 80 one-turn placeholder questions.
- \`model_judgment/gpt-4_single.jsonl\`: GPT-4 judgments (1st turn).
- \`alpaca_eval/<model_id>/annotations.json\` (${ALPACA_INSTRUCTIONS} placeholder instructions; AlpacaEval has 805)
  and \`alpaca_eval/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv\` (win rates recomputed from the
  annotations; \`length_controlled_winrate\` drawn around Table 6's LC).

Aimed at the published Table 6.
`;
  return {
    ...mt.files({ title: "Transferability of greedy prompts (Zhao et al. App. D, Table 6)", script: SCRIPT, seed, notebook: "07-transferability.ipynb", body }),
    ...alpaca,
  };
}

if (require.main === module) console.log(`wrote ${writeExampleDump("transfer", transferExample())}`);
