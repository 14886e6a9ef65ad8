/**
 * Shared pieces of the section example-dump generators (scripts/examples/*.ts): placeholder
 * questions, a score model with per-question effects (so paired comparisons are paired), FastChat
 * judgment rows with short texts, AlpacaEval annotations, and the README / EXAMPLE_DATA texts.
 *
 * None of this is data: scores are drawn from a seeded generator around the numbers the paper
 * publishes (data/paper/) or around values read from its text. The same seed gives byte-identical
 * files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { alpacaWinRate } from "../../lib/analysis/alpacaEval";
import { emptyManifestRow } from "../../lib/experiment/manifestRows";
import { parseAlpacaAnnotations } from "../../lib/io/alpacaEval";
import { writeFileAtomic } from "../../lib/io/atomic";
import { formatManifest } from "../../lib/io/manifest";
import type { RunManifestRow } from "../../lib/model/manifest";
import { fromRepo } from "../../lib/paths";
import type { Rng } from "../../lib/stats/rng";

/** MT-Bench's 8 categories in the order of FastChat's question.jsonl (10 questions each). */
export const QUESTION_CATEGORY_ORDER = ["writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities"] as const;

/** FastChat judges these categories with the reference-guided ("math") prompts. */
const REFERENCE_CATEGORIES = new Set(["math", "reasoning", "coding"]);

/**
 * Category offsets of the synthetic scores (centred: they sum to zero), shaped like real
 * MT-Bench results where math, coding and reasoning score lowest (Zhao et al. Table 7).
 */
const CATEGORY_OFFSET: Record<string, number> = {
  writing: 0.9,
  roleplay: 0.6,
  reasoning: -0.9,
  math: -1.6,
  coding: -1.3,
  extraction: 0.3,
  stem: 0.9,
  humanities: 1.1,
};

/** Standard normal deviate (Box–Muller) from a seeded generator. */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export interface PlaceholderQuestion {
  question_id: number;
  category: string;
  turns: string[];
}

/**
 * 80 synthetic placeholder questions, ids 81-160, 10 per MT-Bench category, with one turn
 * (dumps of sections the paper reports for the 1st turn only) or two.
 */
export function placeholderQuestions(turns: 1 | 2): PlaceholderQuestion[] {
  return QUESTION_CATEGORY_ORDER.flatMap((category, ci) =>
    Array.from({ length: 10 }, (_, k) => {
      const id = 81 + ci * 10 + k;
      const t = [`Example ${category} question ${id} (synthetic placeholder, not an MT-Bench question).`];
      if (turns === 2) t.push(`Example follow-up to question ${id} (placeholder).`);
      return { question_id: id, category, turns: t };
    }),
  );
}

/** Standard deviations of the score model's parts (1-10 scale, before rounding and clamping). */
export const SCORE_MODEL = { questionSd: 0.9, noiseSd: 1.3 } as const;

/** Probability mass of round(clamp(X)) for X ~ N(mu, sd) folded into 1..10; returns its mean. */
function expectedRoundedClamped(mu: number, sd: number): number {
  const cdf = (x: number) => 0.5 * (1 + erf((x - mu) / (sd * Math.SQRT2)));
  let mean = 0;
  for (let k = 1; k <= 10; k++) {
    const lo = k === 1 ? 0 : cdf(k - 0.5);
    const hi = k === 10 ? 1 : cdf(k + 0.5);
    mean += k * (hi - lo);
  }
  return mean;
}

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough to aim synthetic scores. */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

const TOTAL_SD = Math.sqrt(
  SCORE_MODEL.questionSd ** 2 + SCORE_MODEL.noiseSd ** 2 + Object.values(CATEGORY_OFFSET).reduce((a, c) => a + c * c, 0) / 8,
);

/** The location whose rounded, clamped scores average `target` (bisection). */
export function locationForTarget(target: number): number {
  let lo = -5;
  let hi = 16;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (expectedRoundedClamped(mid, TOTAL_SD) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Per-question effects shared by every run of a dump (a hard question is hard for every model),
 * which is what makes per-question paired comparisons informative. Centred per turn.
 */
export function questionEffects(rng: Rng, questions: readonly PlaceholderQuestion[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const turn of [1, 2]) {
    const raw = questions.map(() => SCORE_MODEL.questionSd * normal(rng));
    const m = raw.reduce((a, b) => a + b, 0) / raw.length;
    questions.forEach((q, i) => out.set(`${q.question_id}:${turn}`, (raw[i] as number) - m + (CATEGORY_OFFSET[q.category] ?? 0)));
  }
  return out;
}

/** One synthetic integer score in 1..10 for a run aiming at mean `target`. */
export function drawScore(rng: Rng, target: number, questionEffect: number, noiseSd: number = SCORE_MODEL.noiseSd): number {
  const x = locationForTarget(target) + questionEffect + noiseSd * normal(rng);
  return Math.min(10, Math.max(1, Math.round(x)));
}

/**
 * Two-level draws for dumps with repeated judgments: an answer's quality (location + question
 * effect + answer noise) is drawn once; each judgment of it adds the judge's own noise. The two
 * noise parts together have the score model's `noiseSd`.
 */
export const JUDGE_NOISE_SD = 0.45;

export function drawAnswerValue(rng: Rng, target: number, questionEffect: number): number {
  const answerSd = Math.sqrt(SCORE_MODEL.noiseSd ** 2 - JUDGE_NOISE_SD ** 2);
  return locationForTarget(target) + questionEffect + answerSd * normal(rng);
}

export function judgeOnce(rng: Rng, answerValue: number): number {
  return Math.min(10, Math.max(1, Math.round(answerValue + JUDGE_NOISE_SD * normal(rng))));
}

/** Builds a FastChat `<judge>_single.jsonl` with short judgment texts. */
export class JudgmentFile {
  private readonly rows: Record<string, unknown>[] = [];
  private tstamp: number;

  constructor(
    readonly judge: string,
    tstampStart = 1717200000,
  ) {
    this.tstamp = tstampStart;
  }

  get length(): number {
    return this.rows.length;
  }

  /** Appends a judgment row; `score` -1 writes a failed judgment (no rating parsed). */
  add(questionId: number, model: string, turn: 1 | 2, category: string, score: number): void {
    const prompt = `single-${REFERENCE_CATEGORIES.has(category) ? "math-" : ""}v1${turn === 2 ? "-multi-turn" : ""}`;
    this.rows.push({
      question_id: questionId,
      model,
      judge: [this.judge, prompt],
      user_prompt: "(example)",
      judgment: score === -1 ? "Example, no rating." : `Example. Rating: [[${score}]]`,
      score,
      turn,
      tstamp: this.tstamp++,
    });
  }

  /**
   * Real dumps have failed judgments (score -1) and reruns appended to the file. Turns the rows at
   * `indices` into failures and appends a successful rerun of the first of them.
   */
  injectFailures(indices: readonly number[], rerunScore: number): void {
    for (const i of indices) {
      const row = this.rows[i];
      if (row === undefined) throw new Error(`injectFailures: no row ${i}`);
      row["score"] = -1;
      row["judgment"] = "Example, no rating.";
    }
    const first = indices[0] === undefined ? undefined : this.rows[indices[0]];
    if (first !== undefined) {
      this.rows.push({ ...first, judgment: `Example rerun. Rating: [[${rerunScore}]]`, score: rerunScore, tstamp: this.tstamp++ });
    }
  }

  /** Appends a repeated judgment of an already judged cell (judge-noise repeats). */
  addRepeat(questionId: number, model: string, turn: 1 | 2, category: string, score: number): void {
    this.add(questionId, model, turn, category, score);
  }

  text(): string {
    return this.rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
  }
}

/** `count` distinct row indices below `n`, spread by the generator. */
export function failureIndices(rng: Rng, n: number, count: number): number[] {
  const out = new Set<number>();
  while (out.size < Math.min(count, n)) out.add(Math.floor(rng.next() * n));
  return [...out].sort((a, b) => a - b);
}

/** The `notes` of every example run: says it is not a result. */
export const EXAMPLE_NOTES = "synthetic example data; not a result";

/** A manifest row with the defaults of this project's example runs. */
export function exampleRun(r: Pick<RunManifestRow, "modelId" | "baseModel" | "setting"> & Partial<RunManifestRow>): RunManifestRow {
  return { ...emptyManifestRow(r.modelId, r.baseModel, r.setting), temperature: 0, topP: 1, repetitionPenalty: 1.15, notes: EXAMPLE_NOTES, ...r };
}

/**
 * The MT-Bench part of a section dump: placeholder questions with their per-question effects,
 * the runs' manifest rows and their GPT-4 judgments. The effects are drawn from `rng` when it is
 * built, so build it right after the generator to keep a dump's draws in order.
 */
export class JudgedRuns {
  readonly questions: PlaceholderQuestion[];
  readonly effects: Map<string, number>;
  readonly judgments = new JudgmentFile("gpt-4");
  readonly rows: RunManifestRow[] = [];

  constructor(
    private readonly rng: Rng,
    readonly turns: 1 | 2,
  ) {
    this.questions = placeholderQuestions(turns);
    this.effects = questionEffects(rng, this.questions);
  }

  /** The effect of a question in a turn (see `questionEffects`). */
  effect(questionId: number, turn: 1 | 2): number {
    return this.effects.get(`${questionId}:${turn}`) as number;
  }

  /**
   * Adds a run: its manifest row, then one GPT-4 judgment per turn and question (turn by turn),
   * scores drawn around `targets[turn - 1]`.
   */
  add(row: RunManifestRow, ...targets: number[]): void {
    if (targets.length !== this.turns) throw new Error(`JudgedRuns.add: ${row.modelId} has ${targets.length} targets for ${this.turns} turns`);
    this.rows.push(row);
    targets.forEach((target, t) => {
      const turn = (t + 1) as 1 | 2;
      for (const q of this.questions) this.judgments.add(q.question_id, row.modelId, turn, q.category, drawScore(this.rng, target, this.effect(q.question_id, turn)));
    });
  }

  /** The dump's MT-Bench files (`mtbenchDumpFiles`): GPT-4's judgments, then those of `others`. */
  files(d: DumpDescription, ...others: JudgmentFile[]): Record<string, string> {
    return mtbenchDumpFiles(d, this.rows, this.questions, [this.judgments, ...others]);
  }
}

/** Content of the EXAMPLE_DATA marker file. */
export function exampleMarker(script: string, seed: number): string {
  return `Example data, not results: synthetic, generated by ${script} (seed ${seed}). Every figure drawn from this dump is marked "example data".\n`;
}

/** What names and describes a section dump (see `exampleReadme`). */
export interface DumpDescription {
  title: string;
  script: string;
  seed: number;
  notebook: string;
  body: string;
}

/** README.md of an example dump: what it is, how it was made, and its layout. */
export function exampleReadme(o: DumpDescription): string {
  return [
    `# ${o.title}: EXAMPLE DATA (synthetic, not results)`,
    "",
    `Made by \`${o.script}\` with seed ${o.seed} (regenerate: \`node --import tsx ${o.script}\`).`,
    `Read by \`notebooks/${o.notebook}\` when \`ICL_DUMP_DIR\` is not set. The scores are drawn from a`,
    "seeded generator around the numbers published in Zhao et al. (`data/paper/`) or around values",
    "read from the paper's text; they are **not results** and must never be cited. Every figure drawn",
    "from this directory carries an \"example data\" mark (the `EXAMPLE_DATA` file triggers it).",
    "",
    "The questions are synthetic placeholders with MT-Bench's 8 categories (ids 81-160, 10 per",
    "category); they are not the MT-Bench questions. Judgment texts are short stand-ins; a few",
    "judgments fail (`score: -1`) and one is rerun (a duplicated row), as in real dumps.",
    "",
    o.body.trim(),
    "",
  ].join("\n");
}

/**
 * The files every MT-Bench section dump has: EXAMPLE_DATA, README.md, manifest.jsonl,
 * question.jsonl and one `model_judgment/<judge>_single.jsonl` per judgment file.
 */
export function mtbenchDumpFiles(
  d: DumpDescription,
  rows: readonly RunManifestRow[],
  questions: readonly PlaceholderQuestion[],
  judgments: readonly JudgmentFile[],
): Record<string, string> {
  const files: Record<string, string> = {
    EXAMPLE_DATA: exampleMarker(d.script, d.seed),
    "README.md": exampleReadme(d),
    "manifest.jsonl": formatManifest(rows),
    "question.jsonl": questions.map((q) => JSON.stringify(q)).join("\n") + "\n",
  };
  for (const j of judgments) files[`model_judgment/${j.judge}_single.jsonl`] = j.text();
  return files;
}

/** Rewrites data/examples/<dirName> wholly (no stale file survives) with `files`; returns the directory. */
export function writeExampleDump(dirName: string, files: Record<string, string>): string {
  const dir = fromRepo("data", "examples", dirName);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(files)) writeFileAtomic(path.join(dir, rel), text);
  return dir;
}

// ---------------------------------------------------------------- AlpacaEval

export const ALPACA_ANNOTATOR = "weighted_alpaca_eval_gpt4_turbo";
export const ALPACA_BASELINE = "gpt4_1106_preview";

/** Per-instruction effects shared by every model of a dump (paired comparisons). */
export function instructionEffects(rng: Rng, n: number): number[] {
  const raw = Array.from({ length: n }, () => 1.2 * normal(rng));
  const m = raw.reduce((a, b) => a + b, 0) / n;
  return raw.map((x) => x - m);
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/**
 * alpaca_eval `annotations.json` text for one model against the GPT-4-Turbo baseline: weighted
 * (fractional) preferences in [1, 2] whose mean lands near `targetWinRate` (percent).
 */
export function alpacaAnnotationsJson(rng: Rng, model: string, targetWinRate: number, effects: readonly number[]): string {
  const base = logit(Math.min(0.99, Math.max(0.01, targetWinRate / 100)));
  const rows = effects.map((e, i) => {
    const q = 1 / (1 + Math.exp(-(base + e + 0.8 * normal(rng))));
    return {
      instruction: `Example AlpacaEval instruction ${i + 1} (synthetic placeholder).`,
      output_1: `Baseline answer ${i + 1} (placeholder).`,
      generator_1: ALPACA_BASELINE,
      dataset: "example",
      output_2: `Answer of ${model} to instruction ${i + 1} (placeholder).${" More words.".repeat(Math.floor(rng.next() * 6))}`,
      generator_2: model,
      annotator: ALPACA_ANNOTATOR,
      preference: Number((1 + q).toFixed(10)),
      price_per_example: 0,
      time_per_example: 0,
      raw_completion: null,
    };
  });
  return JSON.stringify(rows) + "\n";
}

/**
 * The leaderboard CSV alpaca_eval writes (`<annotator>_leaderboard.csv`) for the example models:
 * win rate, standard error and counts recomputed from their annotations with the workbench's
 * alpaca_eval port; the length-controlled win rate (which needs alpaca_eval's GLM and instruction
 * difficulties) is drawn around `lc` (the published value) — example data.
 */
export function alpacaLeaderboardCsv(rng: Rng, models: readonly { model: string; annotationsJson: string; lc: number }[]): string {
  const header = ",win_rate,standard_error,n_wins,n_wins_base,n_draws,n_total,discrete_win_rate,mode,avg_length,length_controlled_winrate,lc_standard_error";
  const lines = models.map(({ model, annotationsJson, lc }) => {
    const w = alpacaWinRate(parseAlpacaAnnotations(annotationsJson, `${model}/annotations.json`));
    const lcDrawn = Math.max(0.1, lc + 0.4 * normal(rng));
    const f = (x: number | null) => (x === null ? "" : String(Number(x.toFixed(10))));
    return [model, f(w.winRate), f(w.standardError), w.nWins, w.nWinsBase, w.nDraws, w.nTotal, f(w.discreteWinRate), "example", w.avgLength ?? "", f(lcDrawn), "0.5"].join(",");
  });
  return [header, ...lines].join("\n") + "\n";
}

/**
 * The AlpacaEval part of a dump: per-instruction effects, then each run's `annotations.json`
 * aimed at 0.9 × its published LC, and the leaderboard CSV recomputed from them.
 */
export function alpacaExampleFiles(rng: Rng, runs: readonly { model: string; lc: number }[], nInstructions: number): Record<string, string> {
  const files: Record<string, string> = {};
  const ie = instructionEffects(rng, nInstructions);
  const board: { model: string; annotationsJson: string; lc: number }[] = [];
  for (const r of runs) {
    const json = alpacaAnnotationsJson(rng, r.model, 0.9 * r.lc, ie);
    files[`alpaca_eval/${r.model}/annotations.json`] = json;
    board.push({ model: r.model, annotationsJson: json, lc: r.lc });
  }
  files[`alpaca_eval/${ALPACA_ANNOTATOR}_leaderboard.csv`] = alpacaLeaderboardCsv(rng, board);
  return files;
}
