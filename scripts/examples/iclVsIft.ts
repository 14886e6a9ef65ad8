/**
 * Example dump for notebooks/06-icl-vs-ift.ipynb (Zhao et al. §4, App. C, Fig. 3 and 7): MT-Bench
 * (both turns) of ICL with N random demonstrations and of IFT on N examples, from SkillMix and
 * Evol-Instruct, over seeds, with base and instruct references, for Mistral-7B-v0.2 and
 * Llama-3.1-8B. NOT results: synthetic scores shaped after the paper's text.
 *
 *   node --import tsx scripts/examples/iclVsIft.ts     # rewrites data/examples/icl-vs-ift
 */
import type { RunManifestRow } from "../../lib/model/manifest";
import { createRng } from "../../lib/stats/rng";
import { JudgedRuns, exampleRun, failureIndices, normal, writeExampleDump } from "./common";
import { publishedTargets } from "./published";

export const ICL_VS_IFT_SEED = 2006;
const SCRIPT = "scripts/examples/iclVsIft.ts";
/** Seeds per point (the paper: 5 for Mistral-7B-v0.2, 3 for Llama-3.1-8B IFT). */
export const ICL_VS_IFT_EXAMPLE_SEEDS = 2;

type Curve = (n: number) => number;
const logRamp = (a: number, b: number, n0: number, n1: number): Curve => (n) => a + ((b - a) * Math.log(n / n0)) / Math.log(n1 / n0);
const sat = (start: number, top: number, rate: number): Curve => (n) => top - (top - start) * Math.exp(-(n - 3) / rate);

interface Family {
  baseModel: string;
  slug: string;
  iclSizes: number[];
  iftSizes: number[];
  base: [number, number];
  /** [turn 1, turn 2] curves by source. */
  icl: Record<string, [Curve, Curve]>;
  ift: Record<string, [Curve, Curve]>;
}

/**
 * Shapes from §4 / App. C: on SkillMix, ICL and IFT match in 1st turn up to ~50 examples (Mistral),
 * ICL beats IFT for 3-30 examples on Llama-3.1-8B, IFT keeps improving with data; in 2nd turn IFT
 * rises towards the instruct model while ICL falls; Evol-Instruct is worse for both, with a
 * smaller IFT gap on Llama-3.1-8B.
 */
const FAMILIES: Family[] = [
  {
    baseModel: "Mistral-7B-v0.2",
    slug: "mistral-7b-v0.2",
    iclSizes: [3, 10, 50],
    iftSizes: [3, 30, 300, 4000],
    base: [6.52, 5.4],
    icl: { skillmix: [sat(6.95, 7.45, 12), logRamp(5.5, 4.7, 3, 50)], "evol-instruct": [sat(6.45, 6.8, 12), logRamp(5.2, 4.5, 3, 50)] },
    ift: { skillmix: [logRamp(6.95, 7.85, 3, 4000), logRamp(5.6, 7.0, 3, 4000)], "evol-instruct": [logRamp(6.3, 6.95, 3, 4000), logRamp(5.2, 6.3, 3, 4000)] },
  },
  {
    baseModel: "Llama-3.1-8B",
    slug: "llama-3.1-8b",
    iclSizes: [3, 30, 100],
    iftSizes: [3, 30, 300, 4000],
    base: [6.25, 5.2],
    icl: { skillmix: [sat(7.2, 7.6, 8), logRamp(5.3, 4.6, 3, 100)], "evol-instruct": [sat(6.6, 6.9, 8), logRamp(5.0, 4.4, 3, 100)] },
    ift: { skillmix: [logRamp(6.7, 7.75, 3, 4000), logRamp(5.6, 7.2, 3, 4000)], "evol-instruct": [logRamp(6.5, 7.5, 3, 4000), logRamp(5.4, 6.9, 3, 4000)] },
  },
];

const SOURCE_SLUG: Record<string, string> = { skillmix: "sm", "evol-instruct": "evol" };

/** Builds the files of the ICL-vs-IFT example dump: relative path -> content. */
export function iclVsIftExample(seed = ICL_VS_IFT_SEED): Record<string, string> {
  const rng = createRng(seed);
  const pub = publishedTargets();
  const mt = new JudgedRuns(rng, 2);
  /** One run per size and seed on a curve pair; each run's level is offset around its curves. */
  const curveRuns = (sizes: readonly number[], [c1, c2]: [Curve, Curve], row: (n: number, s: number) => RunManifestRow) => {
    for (const n of sizes) {
      for (let s = 1; s <= ICL_VS_IFT_EXAMPLE_SEEDS; s++) {
        const off = 0.15 * normal(rng);
        mt.add(row(n, s), c1(n) + off, c2(n) + off / 2);
      }
    }
  };
  for (const fam of FAMILIES) {
    const t2 = pub.table2(fam.baseModel);
    mt.add(exampleRun({ modelId: `${fam.slug}-base`, baseModel: fam.baseModel, setting: "base", label: `${fam.baseModel} base`, nDemos: 0 }), fam.base[0], fam.base[1]);
    mt.add(exampleRun({ modelId: `${fam.slug}-instruct`, baseModel: fam.baseModel, setting: "instruct", label: `${fam.baseModel} instruct`, repetitionPenalty: 1 }), t2.instruct[0], t2.instruct[1]);
    for (const source of ["skillmix", "evol-instruct"]) {
      const src = SOURCE_SLUG[source] as string;
      curveRuns(fam.iclSizes, fam.icl[source] as [Curve, Curve], (n, s) =>
        exampleRun({ modelId: `${fam.slug}-icl-${src}-n${n}-s${s}`, baseModel: fam.baseModel, setting: "icl-random", label: `${fam.baseModel} ICL ${source} N=${n} seed ${s}`, nDemos: n, withUrialDemos: false, demoSource: source, seed: s }),
      );
      curveRuns(fam.iftSizes, fam.ift[source] as [Curve, Curve], (n, s) =>
        exampleRun({ modelId: `${fam.slug}-ift-${src}-n${n}-s${s}`, baseModel: fam.baseModel, setting: "ift", label: `${fam.baseModel} IFT ${source} n=${n} seed ${s}`, nTrain: n, demoSource: source, seed: s, repetitionPenalty: 1 }),
      );
    }
  }
  mt.judgments.injectFailures(failureIndices(rng, mt.judgments.length, 5), 6);
  const body = `
## What is in it

- \`manifest.jsonl\`: ${mt.rows.length} runs of Mistral-7B-v0.2 and Llama-3.1-8B:
  - ICL: \`setting: icl-random\`, \`with_urial_demos: false\` (the prompt holds the N examples and
    URIAL's rules), \`n_demos\` = N, \`demo_source\` \`skillmix\` or \`evol-instruct\`, \`seed\`.
    Sizes: Mistral ${FAMILIES[0]?.iclSizes.join(", ")}; Llama ${FAMILIES[1]?.iclSizes.join(", ")}.
  - IFT: \`setting: ift\`, \`n_train\` = N (${FAMILIES[0]?.iftSizes.join(", ")}; the paper has 3, 10, 20, 30, 40, 50, 100,
    300, 1000, 2000, 4000), \`demo_source\`, \`seed\`.
  - \`base\` and \`instruct\` reference runs.
  ${ICL_VS_IFT_EXAMPLE_SEEDS} seeds per point (the paper: 5 for Mistral-7B-v0.2, 3 for Llama-3.1-8B IFT).
- \`question.jsonl\`: 80 two-turn placeholder questions.
- \`model_judgment/gpt-4_single.jsonl\`: GPT-4 judgments of both turns.

Aimed at the instruct rows of Table 2 and the base 1st turn of Table 3; the curves follow §4 and
App. C's text (the paper's figures have no numbers in the text).
`;
  return mt.files({ title: "ICL vs IFT (Zhao et al. §4, App. C)", script: SCRIPT, seed, notebook: "06-icl-vs-ift.ipynb", body });
}

if (require.main === module) console.log(`wrote ${writeExampleDump("icl-vs-ift", iclVsIftExample())}`);
