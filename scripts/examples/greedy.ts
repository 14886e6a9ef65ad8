/**
 * Example dump for notebooks/04-greedy-search.ipynb (Zhao et al. §3.2, App. A.3, Fig. 5 and 9,
 * Tables 1 and 5): the greedy search's candidates judged by GPT-4-Turbo (with repeated judgments
 * of the best candidates), the chosen prompts and URIAL judged by GPT-4, and AlpacaEval
 * annotations plus a leaderboard CSV for them. NOT results.
 *
 *   node --import tsx scripts/examples/greedy.ts     # rewrites data/examples/greedy
 */
import { createRng, type Rng } from "../../lib/stats/rng";
import { EXAMPLE_NOTES, JudgedRuns, JudgmentFile, alpacaExampleFiles, drawAnswerValue, exampleRun, failureIndices, judgeOnce, normal, writeExampleDump } from "./common";
import { publishedTargets } from "./published";

export const GREEDY_SEED = 2004;
const SCRIPT = "scripts/examples/greedy.ts";
/** Candidates per step (the paper: 100 at step 1, then those above the 6.2 threshold). */
export const GREEDY_EXAMPLE_CANDIDATES = [20, 8, 5] as const;
/** Judgments per question of the best candidates of steps 2 and 3 ("run multiple times"). */
export const GREEDY_EXAMPLE_REPEATS = 3;
const TOP_REPEATED = 2;
const ALPACA_INSTRUCTIONS = 60;

interface Family {
  baseModel: string;
  slug: string;
  /** GPT-4-Turbo 1st-turn level of URIAL and the centre of each step's candidates. */
  turboUrial: number;
  stepCentre: [number, number, number];
  /** Evol-Instruct greedy prompts (Table 5) exist for this base model. */
  evol: boolean;
}

const FAMILIES: Family[] = [
  { baseModel: "Mistral-7B-v0.2", slug: "mistral-7b-v0.2", turboUrial: 6.1, stepCentre: [6.35, 6.7, 6.75], evol: true },
  { baseModel: "Llama-3.1-8B", slug: "llama-3.1-8b", turboUrial: 6.0, stepCentre: [6.3, 6.75, 6.8], evol: false },
];

interface Candidate {
  id: string;
  modelId: string;
  promptFile: string;
  /** Per-question answer values (the judge noise is added per judgment). */
  values: number[];
  scores: number[][];
  mean: number;
}

function pad3(n: number): string {
  return String(n).padStart(3, "0");
}

/** Builds the files of the greedy-search example dump: relative path -> content. */
export function greedyExample(seed = GREEDY_SEED): Record<string, string> {
  const rng = createRng(seed);
  const pub = publishedTargets();
  // GPT-4 judges URIAL and the chosen prompts (mt.add); GPT-4-Turbo judges every candidate (judgeTurbo).
  const mt = new JudgedRuns(rng, 1);
  const questions = mt.questions;
  const qe = questions.map((q) => mt.effect(q.question_id, 1));
  const turbo = new JudgmentFile("gpt-4-turbo");
  const alpacaRuns: { model: string; lc: number }[] = [];

  const judgeTurbo = (rng: Rng, modelId: string, target: number, repeats: number): { values: number[]; scores: number[][] } => {
    const values = qe.map((e) => drawAnswerValue(rng, target, e));
    const scores = values.map(() => [] as number[]);
    for (let r = 0; r < repeats; r++) {
      questions.forEach((q, i) => {
        const s = judgeOnce(rng, values[i] as number);
        (scores[i] as number[]).push(s);
        turbo.add(q.question_id, modelId, 1, q.category, s);
      });
    }
    return { values, scores };
  };

  for (const fam of FAMILIES) {
    // URIAL: judged by GPT-4 (Table 1) and by GPT-4-Turbo (the search's starting point), same answers.
    const urialId = `${fam.slug}-urial`;
    const t1 = pub.table1(fam.baseModel, "skillmix", 0);
    mt.add(exampleRun({ modelId: urialId, baseModel: fam.baseModel, setting: "urial", label: `${fam.baseModel} + URIAL`, nDemos: 3, withUrialDemos: true, demoSource: "urial" }), t1.mtbench);
    judgeTurbo(rng, urialId, fam.turboUrial, 1);
    alpacaRuns.push({ model: urialId, lc: t1.lc });

    // The search on SkillMix: step k adds the (k + 3)th demonstration.
    let pool = Array.from({ length: 100 }, (_, i) => `sm${pad3(i + 1)}`);
    for (let k = 1; k <= 3; k++) {
      const nCand = GREEDY_EXAMPLE_CANDIDATES[k - 1] as number;
      const ids = pool.slice(0, nCand);
      const cands: Candidate[] = ids.map((id) => {
        const modelId = `${fam.slug}-greedy-s${k}-${id}`;
        const target = fam.stepCentre[k - 1] as number + 0.3 * normal(rng);
        const { values, scores } = judgeTurbo(rng, modelId, target, 1);
        const mean = scores.reduce((a, s) => a + (s[0] as number), 0) / scores.length;
        return { id, modelId, promptFile: `prompts/${fam.slug}/greedy-step${k}-${id}.txt`, values, scores, mean };
      });
      if (k > 1) {
        // the best few are judged again ("we run the evaluation multiple times and select the best")
        const top = [...cands].sort((a, b) => b.mean - a.mean).slice(0, TOP_REPEATED);
        for (let r = 1; r < GREEDY_EXAMPLE_REPEATS; r++) {
          for (const c of top) {
            questions.forEach((q, i) => {
              const s = judgeOnce(rng, c.values[i] as number);
              (c.scores[i] as number[]).push(s);
              turbo.addRepeat(q.question_id, c.modelId, 1, q.category, s);
            });
          }
        }
        for (const c of top) c.mean = c.scores.reduce((a, s) => a + s.reduce((x, y) => x + y, 0) / s.length, 0) / c.scores.length;
      }
      const chosen = [...cands].sort((a, b) => b.mean - a.mean)[0] as Candidate;
      for (const c of cands) {
        const isChosen = c === chosen;
        const row = exampleRun({
          modelId: c.modelId,
          baseModel: fam.baseModel,
          setting: "icl-greedy",
          label: isChosen ? `${fam.baseModel} + URIAL + greedy (${k} ex.)` : `${fam.baseModel} greedy step ${k} candidate ${c.id}`,
          nDemos: 3 + k,
          withUrialDemos: true,
          demoSource: "skillmix",
          greedyStep: k,
          judge: isChosen ? "gpt-4" : "gpt-4-turbo",
          promptFile: c.promptFile,
          notes: isChosen ? `${EXAMPLE_NOTES}; the prompt chosen at step ${k}, judged by GPT-4 and GPT-4-Turbo` : EXAMPLE_NOTES,
        });
        if (isChosen) {
          const p = pub.table1(fam.baseModel, "skillmix", k);
          mt.add(row, p.mtbench);
          alpacaRuns.push({ model: c.modelId, lc: p.lc });
        } else {
          mt.rows.push(row); // judged by GPT-4-Turbo only
        }
      }
      // the next step searches among this step's candidates above the threshold (A.3)
      pool = cands.filter((c) => c !== chosen && c.mean >= 6.2).map((c) => c.id);
      const refill = Array.from({ length: 100 }, (_, i) => `sm${pad3(i + 1)}`).filter((id) => !ids.includes(id));
      pool = [...pool, ...refill];
    }

    if (fam.evol) {
      // Table 5: greedy prompts from Evol-Instruct (no candidates in the example)
      for (let k = 1; k <= 3; k++) {
        const p = pub.table1(fam.baseModel, "evol-instruct", k);
        const modelId = `${fam.slug}-greedy-evol-${k}`;
        mt.add(
          exampleRun({
            modelId,
            baseModel: fam.baseModel,
            setting: "icl-greedy",
            label: `${fam.baseModel} + URIAL + greedy Evol-Instruct (${k} ex.)`,
            nDemos: 3 + k,
            withUrialDemos: true,
            demoSource: "evol-instruct",
            greedyStep: k,
            promptFile: `prompts/${fam.slug}/greedy-evol-${k}.txt`,
          }),
          p.mtbench,
        );
        alpacaRuns.push({ model: modelId, lc: p.lc });
      }
    }
  }
  mt.judgments.injectFailures(failureIndices(rng, mt.judgments.length, 3), 7);
  turbo.injectFailures(failureIndices(rng, turbo.length, 3), 6);

  const alpaca = alpacaExampleFiles(rng, alpacaRuns, ALPACA_INSTRUCTIONS);

  const body = `
## What is in it

- \`model_judgment/gpt-4_single.jsonl\`: GPT-4 judgments (1st turn) of URIAL and of the prompts
  chosen by the search (Tables 1 and 5).
- \`model_judgment/gpt-4-turbo_single.jsonl\`: the search's GPT-4-Turbo judgments (Fig. 5, 9) of
  URIAL and of every candidate: ${GREEDY_EXAMPLE_CANDIDATES.join(", ")} candidates at steps 1, 2, 3 (the paper: 100
  at step 1, then those above the 6.2 threshold). **Repeated judgments** (judge noise): the
  ${TOP_REPEATED} best candidates of steps 2 and 3 are judged ${GREEDY_EXAMPLE_REPEATS} times; each repeat is an
  ordinary FastChat row appended to the file (same \`model\`, \`question_id\`, \`turn\`; later
  \`tstamp\`), exactly as a rerun of \`gen_judgment.py\` appends. The repeat index is the row's order
  among the rows of its (model, question, turn).
- \`manifest.jsonl\`: one row per model id. Candidates: \`setting: icl-greedy\`, \`greedy_step\` k
  (k = 1 adds the 4th demonstration), \`demo_source: skillmix\`, \`prompt_file\` naming the
  candidate prompt, \`judge: gpt-4-turbo\`. The chosen candidate of each step keeps its model id
  (the same answers) and is also judged by GPT-4, so its row says \`judge: gpt-4\`. URIAL is judged
  by both. Mistral-7B-v0.2 also has Evol-Instruct greedy prompts (Table 5, \`demo_source:
  evol-instruct\`) judged by GPT-4 only.
- \`alpaca_eval/<model_id>/annotations.json\`: alpaca_eval annotations (weighted GPT-4-Turbo
  annotator format) of the GPT-4-judged runs on ${ALPACA_INSTRUCTIONS} placeholder instructions (AlpacaEval has 805).
- \`alpaca_eval/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv\`: win rates recomputed from those
  annotations; its \`length_controlled_winrate\` is drawn around the published LC (Tables 1, 5).
- \`question.jsonl\`: 80 one-turn placeholder questions.

Aimed at Tables 1 and 5 (GPT-4, 1st turn and AlpacaEval LC). The GPT-4-Turbo levels are
invented (the paper shows them only in Fig. 5 and 9), and so are the MT-Bench levels of the
Evol-Instruct prompts (\`data/paper/table5.csv\` has no MT-Bench score for them; the example uses
Table 1's SkillMix level of the same step).
`;
  return {
    ...mt.files({ title: "Greedy search for demonstrations (Zhao et al. §3.2)", script: SCRIPT, seed, notebook: "04-greedy-search.ipynb", body }, turbo),
    ...alpaca,
  };
}

if (require.main === module) console.log(`wrote ${writeExampleDump("greedy", greedyExample())}`);
