/**
 * Example dump for notebooks/03-scaling.ipynb (Zhao et al. §3.1, Fig. 2 and 6): MT-Bench (both
 * turns) of ICL with N random SkillMix demonstrations added to URIAL or replacing URIAL's, over
 * seeds, the greedy-search prompts, and base / URIAL / instruct references, for Mistral-7B-v0.2
 * and Llama-3.1-8B. NOT results: synthetic scores shaped after the paper's text and tables.
 *
 *   node --import tsx scripts/examples/scaling.ts     # rewrites data/examples/scaling
 */
import { createRng, type Rng } from "../../lib/stats/rng";
import { JudgedRuns, exampleRun, failureIndices, normal, writeExampleDump } from "./common";
import { publishedTargets } from "./published";

export const SCALING_SEED = 2003;
const SCRIPT = "scripts/examples/scaling.ts";
/** Seeds per point in the example (the paper uses 5; 3 keep the dump small). */
export const SCALING_EXAMPLE_SEEDS = 3;

interface Family {
  baseModel: string;
  slug: string;
  /** Total demonstrations (URIAL's 3 included for the "+ URIAL" series). */
  sizes: number[];
  /** 1st-turn curve of ICL random + URIAL and without URIAL, and 2nd-turn curve, by size. */
  withUrial1: (n: number) => number;
  noUrial1: (n: number) => number;
  turn2: (n: number, urial2: number) => number;
  base: [number, number];
  greedy2: number;
}

const plateau = (start: number, top: number, n: number, rate = 12) => top - (top - start) * Math.exp(-(n - 3) / rate);

/**
 * Shapes read from the text: the 1st-turn score rises with 3, 10, 20 demos and plateaus after
 * 30 (slightly negative beyond 100 on Llama-3.1-8B); 3 random SkillMix demos beat URIAL's 3 on
 * Llama-3.1-8B; the 2nd-turn score falls with more demos, below the base model's.
 */
const FAMILIES: Family[] = [
  {
    baseModel: "Mistral-7B-v0.2",
    slug: "mistral-7b-v0.2",
    sizes: [3, 10, 30, 50],
    withUrial1: (n) => plateau(7.0, 7.5, n),
    noUrial1: (n) => plateau(6.95, 7.45, n),
    turn2: (n, u2) => u2 - 0.9 * Math.log10(n / 3) - 0.05,
    base: [6.52, 5.4],
    greedy2: 5.3,
  },
  {
    baseModel: "Llama-3.1-8B",
    slug: "llama-3.1-8b",
    sizes: [3, 10, 30, 100, 250],
    withUrial1: (n) => plateau(6.95, 7.6, n, 8) - (n > 100 ? 0.0015 * (n - 100) : 0),
    noUrial1: (n) => plateau(7.2, 7.6, n, 8) - (n > 100 ? 0.0015 * (n - 100) : 0),
    turn2: (n, u2) => u2 - 0.7 * Math.log10(n / 3) - 0.05,
    base: [6.25, 5.2],
    greedy2: 5.1,
  },
];

function runSeedOffset(rng: Rng): number {
  return 0.15 * normal(rng);
}

/** Builds the files of the scaling example dump: relative path -> content. */
export function scalingExample(seed = SCALING_SEED): Record<string, string> {
  const rng = createRng(seed);
  const pub = publishedTargets();
  const mt = new JudgedRuns(rng, 2);
  for (const fam of FAMILIES) {
    const t2 = pub.table2(fam.baseModel);
    const urial: [number, number] = [t2.urial[0], t2.urial[1]];
    mt.add(exampleRun({ modelId: `${fam.slug}-base`, baseModel: fam.baseModel, setting: "base", label: `${fam.baseModel} base`, nDemos: 0 }), fam.base[0], fam.base[1]);
    mt.add(exampleRun({ modelId: `${fam.slug}-urial`, baseModel: fam.baseModel, setting: "urial", label: `${fam.baseModel} + URIAL`, nDemos: 3, withUrialDemos: true, demoSource: "urial" }), urial[0], urial[1]);
    mt.add(exampleRun({ modelId: `${fam.slug}-instruct`, baseModel: fam.baseModel, setting: "instruct", label: `${fam.baseModel} instruct`, repetitionPenalty: 1 }), t2.instruct[0], t2.instruct[1]);
    for (const withUrial of [true, false]) {
      for (const n of fam.sizes) {
        if (withUrial && n === 3) continue; // URIAL itself (the paper adds 0 demos to URIAL)
        for (let s = 1; s <= SCALING_EXAMPLE_SEEDS; s++) {
          const off = runSeedOffset(rng);
          const t1 = (withUrial ? fam.withUrial1(n) : fam.noUrial1(n)) + off;
          mt.add(
            exampleRun({
              modelId: `${fam.slug}-rand${withUrial ? "" : "-nourial"}-n${n}-s${s}`,
              baseModel: fam.baseModel,
              setting: "icl-random",
              label: `${fam.baseModel} ICL random${withUrial ? " + URIAL" : ""} N=${n} seed ${s}`,
              nDemos: n,
              withUrialDemos: withUrial,
              seed: s,
              demoSource: "skillmix",
            }),
            t1,
            fam.turn2(n, urial[1]) + off / 2,
          );
        }
      }
    }
    for (let k = 1; k <= 3; k++) {
      mt.add(
        exampleRun({
          modelId: `${fam.slug}-greedy-${k}`,
          baseModel: fam.baseModel,
          setting: "icl-greedy",
          label: `${fam.baseModel} + URIAL + greedy (${k} ex.)`,
          nDemos: 3 + k,
          withUrialDemos: true,
          greedyStep: k,
          demoSource: "skillmix",
        }),
        pub.table1(fam.baseModel, "skillmix", k).mtbench,
        fam.greedy2,
      );
    }
  }
  mt.judgments.injectFailures(failureIndices(rng, mt.judgments.length, 5), 6);
  const body = `
## What is in it

- \`manifest.jsonl\`: ${mt.rows.length} runs of Mistral-7B-v0.2 and Llama-3.1-8B:
  - \`setting: icl-random\`, \`demo_source: skillmix\`, \`n_demos\` = total demonstrations,
    \`with_urial_demos\` true (N − 3 random demos added to URIAL's 3; N = 3 is URIAL itself, the
    \`urial\` run) or false (N random demos replace URIAL's), \`seed\` 1..${SCALING_EXAMPLE_SEEDS} (the paper used 5
    seeds; the example uses ${SCALING_EXAMPLE_SEEDS} to stay small). Sizes: Mistral ${FAMILIES[0]?.sizes.join(", ")};
    Llama ${FAMILIES[1]?.sizes.join(", ")} (a subset of the paper's).
  - \`setting: icl-greedy\`, \`greedy_step\` 1..3 (\`n_demos\` 4..6): the greedy-search prompts.
  - \`base\`, \`urial\`, \`instruct\`: the reference lines.
- \`question.jsonl\`: 80 two-turn placeholder questions.
- \`model_judgment/gpt-4_single.jsonl\`: GPT-4 judgments of both turns.

Aimed at: URIAL and instruct from Table 2, greedy 1st turn from Table 1, base 1st turn from
Table 3 ("no demonstrations"); the curves' shapes follow §3.1's text.
`;
  return mt.files({ title: "Scaling the number of demonstrations (Zhao et al. §3.1)", script: SCRIPT, seed, notebook: "03-scaling.ipynb", body });
}

if (require.main === module) console.log(`wrote ${writeExampleDump("scaling", scalingExample())}`);
