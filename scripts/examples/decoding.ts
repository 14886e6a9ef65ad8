/**
 * Example dump for notebooks/02-decoding.ipynb (Zhao et al. §2.2, Fig. 1, 10, 11): 1st-turn
 * MT-Bench judgments of base, base + URIAL and instruct runs over a temperature x top-p grid, at
 * repetition penalty 1.0 and 1.15, for Mistral-7B-v0.2 (base, URIAL, instruct) and Llama-3.1-8B
 * (base, URIAL, as in Fig. 11). NOT results: synthetic scores shaped after the paper's text.
 *
 *   node --import tsx scripts/examples/decoding.ts     # rewrites data/examples/decoding
 */
import type { Setting } from "../../lib/model/manifest";
import { createRng } from "../../lib/stats/rng";
import { JudgedRuns, exampleRun, failureIndices, writeExampleDump } from "./common";

export const DECODING_SEED = 2002;
const SCRIPT = "scripts/examples/decoding.ts";

/** The example grid (the paper's exact grid is only in its figures). */
export const DECODING_TEMPERATURES = [0, 0.5, 1] as const;
export const DECODING_TOP_PS = [0.8, 0.9, 1] as const;
export const DECODING_PENALTIES = [1, 1.15] as const;

interface Family {
  baseModel: string;
  slug: string;
  settings: Setting[];
  /** 1st-turn score at temperature 0, per setting and repetition penalty. */
  atZero: Record<string, Record<string, number>>;
}

/**
 * Anchors from the paper: Mistral-7B-v0.2 base 6.61 and URIAL 7.00 at T = 0, top-p = 1,
 * penalty 1.15 (§2.2); Llama-3.1-8B base 6.25 (Table 3, no demonstrations) and URIAL 6.95
 * (Table 2); instruct from Table 2's 1st turn. The penalty-1.0 values and the shape over the
 * grid are invented to look like the paper's description (temperature hurts the base model
 * most; URIAL is flat except at T = 1, top-p = 1; instruct is flat).
 */
const FAMILIES: Family[] = [
  {
    baseModel: "Mistral-7B-v0.2",
    slug: "mistral-7b-v0.2",
    settings: ["base", "urial", "instruct"],
    atZero: { base: { "1": 5.9, "1.15": 6.61 }, urial: { "1": 6.8, "1.15": 7.0 }, instruct: { "1": 8.0, "1.15": 8.06 } },
  },
  {
    baseModel: "Llama-3.1-8B",
    slug: "llama-3.1-8b",
    settings: ["base", "urial"],
    atZero: { base: { "1": 5.6, "1.15": 6.25 }, urial: { "1": 6.7, "1.15": 6.95 } },
  },
];

function target(setting: Setting, at0: number, t: number, p: number, rp: number): number {
  const tail = t === 1 && p === 1 ? 1 : 0;
  switch (setting) {
    case "base": {
      // without a repetition penalty, greedy decoding loops; a little temperature helps first
      const loopRelief = rp === 1 ? 0.5 * Math.sin(Math.PI * Math.min(t, 0.6) / 0.6) * (t < 0.6 ? 1 : 0.4) : 0;
      return at0 + loopRelief - 3.0 * Math.pow(t, 1.5) * (0.6 + 2 * (p - 0.8));
    }
    case "urial":
      return at0 - 0.25 * t - 1.4 * tail;
    default:
      return at0 - 0.1 * t - 0.3 * tail;
  }
}

function slugNumber(x: number): string {
  return String(x);
}

/** Builds the files of the decoding example dump: relative path -> content. */
export function decodingExample(seed = DECODING_SEED): Record<string, string> {
  const rng = createRng(seed);
  const mt = new JudgedRuns(rng, 1);
  for (const fam of FAMILIES) {
    for (const rp of DECODING_PENALTIES) {
      for (const setting of fam.settings) {
        for (const t of DECODING_TEMPERATURES) {
          for (const p of DECODING_TOP_PS) {
            const modelId = `${fam.slug}-${setting}-t${slugNumber(t)}-p${slugNumber(p)}-rp${slugNumber(rp)}`;
            const name = setting === "instruct" ? `${fam.baseModel} instruct` : setting === "urial" ? `${fam.baseModel} + URIAL` : `${fam.baseModel} base`;
            const at0 = (fam.atZero[setting] as Record<string, number>)[String(rp)] as number;
            mt.add(
              exampleRun({
                modelId,
                baseModel: fam.baseModel,
                setting,
                label: `${name} (T=${t}, top-p=${p}, rp=${rp})`,
                nDemos: setting === "urial" ? 3 : setting === "base" ? 0 : null,
                withUrialDemos: setting === "urial" ? true : null,
                demoSource: setting === "urial" ? "urial" : null,
                temperature: t,
                topP: p,
                repetitionPenalty: rp,
              }),
              target(setting, at0, t, p, rp),
            );
          }
        }
      }
    }
  }
  mt.judgments.injectFailures(failureIndices(rng, mt.judgments.length, 4), 7);
  const body = `
## What is in it

- \`manifest.jsonl\`: ${mt.rows.length} runs. Factors: \`base_model\` (Mistral-7B-v0.2, Llama-3.1-8B),
  \`setting\` (\`base\` = no demonstrations, \`urial\`, \`instruct\`; Llama-3.1-8B has no instruct
  runs, as in Fig. 11), \`temperature\` (${DECODING_TEMPERATURES.join(", ")}), \`top_p\`
  (${DECODING_TOP_PS.join(", ")}) and \`repetition_penalty\` (${DECODING_PENALTIES.join(", ")}).
- \`question.jsonl\`: 80 one-turn placeholder questions (the section uses 1st-turn scores only).
- \`model_judgment/gpt-4_single.jsonl\`: one GPT-4 judgment per run and question (turn 1).

Scores are aimed at: Mistral-7B-v0.2 base 6.61 and URIAL 7.00 at T = 0, top-p = 1, penalty 1.15
(§2.2); Llama-3.1-8B base 6.25 (Table 3) and URIAL 6.95 (Table 2); instruct 8.06 (Table 2). The
rest of the grid is invented to follow the paper's description. The grid itself is an example
grid: the paper's exact grid is only drawn in its figures.
`;
  return mt.files({ title: "Decoding parameters (Zhao et al. §2.2)", script: SCRIPT, seed, notebook: "02-decoding.ipynb", body });
}

if (require.main === module) console.log(`wrote ${writeExampleDump("decoding", decodingExample())}`);
