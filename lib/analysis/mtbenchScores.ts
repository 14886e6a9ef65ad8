/**
 * MT-Bench single-grading scores per model, from a judgment file's columns
 * (lib/io/judgmentColumns.ts) and the rows the dedupe policy keeps (lib/analysis/dedupe.ts: the
 * one dedupe implementation, shared with `openDump` and the `mtbench-scores` command).
 *
 * Means, over the kept rows that are not failed judgments:
 * - `turn1`, `turn2`: mean score of that turn's rows;
 * - `pooled`: mean of both turns' rows (what FastChat's show_result.py prints as "Average"; it
 *   weights a turn by its number of rows);
 * - `meanOfTurns`: (turn1 + turn2) / 2 (equals `pooled` when both turns have as many rows);
 * - `byCategory`: mean over both turns per question category (URIAL's table), and per category
 *   and turn in `categoryScores`.
 * Failures (`score: -1`, `"$ERROR$"`) are counted in `nFailed` and never enter a mean. Sums are
 * taken over the kept rows in file order.
 *
 * Complexity: O(rows) time; memory: the columns (24 bytes a row) and the dedupe's cells.
 *
 * @example
 * const cols = await loadJudgmentColumns(file, { questions });
 * const s = scoreColumns(cols, dedupeJudgments(cols, "last"));
 * s.models[0].pooled;
 */
import type { Judgment, Question } from "../model/mtbench";
import { type JudgmentColumns, JudgmentColumnsBuilder } from "../io/judgmentColumns";
import { DEDUPE_POLICIES, DEFAULT_DEDUPE, type DedupePolicy, type DedupedRows, dedupeJudgments } from "./dedupe";

export { DEDUPE_POLICIES, DEFAULT_DEDUPE, type DedupePolicy };

/** Scores of one model. Means are `null` when no row entered them. */
export interface ModelScores {
  model: string;
  turn1: number | null;
  turn2: number | null;
  pooled: number | null;
  meanOfTurns: number | null;
  /** Rows that entered the turn-1 / turn-2 means. */
  nTurn1: number;
  nTurn2: number;
  /** Rows of this model in the file. */
  nRows: number;
  /** Failed judgments among the kept rows (after the dedupe policy), never averaged in. */
  nFailed: number;
  /** Rows whose (question, turn) key already appeared earlier in the file. */
  nDuplicates: number;
  /** Rows set aside by the dedupe policy (0 for `all`). */
  nDroppedByDedupe: number;
  /** Mean over both turns per question category; present when questions were given. */
  byCategory?: Record<string, number | null>;
  /** Rows entering each category mean. */
  byCategoryN?: Record<string, number>;
}

/** One model's scores in one question category (both turns, and each turn). */
export interface CategoryScores {
  model: string;
  category: string;
  turn1: number | null;
  turn2: number | null;
  pooled: number | null;
  meanOfTurns: number | null;
  nTurn1: number;
  nTurn2: number;
  nFailed: number;
}

export interface ScoreOptions {
  dedupe?: DedupePolicy;
  /** Questions give the categories; judgments of unknown questions are then an error. */
  questions?: readonly Question[];
  /** Labels errors (the judgment file's path). */
  file?: string;
}

/** Result of scoring one judgment file. */
export interface MtBenchScores {
  policy: DedupePolicy;
  models: ModelScores[];
  /** Category names in the order of the questions file. */
  categories: string[];
  /** Rows read (of the selected judge when one was selected). */
  nRows: number;
  /** Per model and category (models in first-seen order, categories in file order); empty without questions. */
  categoryScores: CategoryScores[];
  /** Rows of other judge models left out because a judge was selected: judge -> rows. */
  otherJudges: Record<string, number>;
}

const meanOrNull = (sum: number, n: number): number | null => (n === 0 ? null : sum / n);
const halfOrNull = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : (a + b) / 2);

/** Scores the rows `deduped` keeps. */
export function scoreColumns(cols: JudgmentColumns, deduped: DedupedRows): MtBenchScores {
  const nModels = cols.models.length;
  const nCat = cols.categories.length;
  // Per model: [t1 sum, t1 n, t2 sum, t2 n]; per (model, category): [pooled sum, t1 sum, t1 n, t2 sum, t2 n, failed].
  const acc = new Float64Array(4 * nModels);
  const failed = new Uint32Array(nModels);
  const cat = new Float64Array(6 * nModels * nCat);
  const { rows } = deduped;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    const m = cols.model[r] as number;
    const c = nCat === 0 ? -1 : (cols.questionCategory[cols.question[r] as number] as number);
    const score = cols.score[r] as number;
    const k = 6 * (m * nCat + c);
    if (Number.isNaN(score)) {
      failed[m]++;
      if (c >= 0) cat[k + 5]++;
      continue;
    }
    const t = 2 * ((cols.turn[r] as number) - 1);
    (acc[4 * m + t] as number) += score;
    (acc[4 * m + t + 1] as number)++;
    if (c >= 0) {
      (cat[k] as number) += score;
      (cat[k + 1 + t] as number) += score;
      (cat[k + 2 + t] as number)++;
    }
  }
  const models: ModelScores[] = [];
  const categoryScores: CategoryScores[] = [];
  for (let m = 0; m < nModels; m++) {
    const [s1, n1, s2, n2] = [acc[4 * m], acc[4 * m + 1], acc[4 * m + 2], acc[4 * m + 3]] as [number, number, number, number];
    const turn1 = meanOrNull(s1, n1);
    const turn2 = meanOrNull(s2, n2);
    const s: ModelScores = {
      model: cols.models[m] as string,
      turn1,
      turn2,
      pooled: meanOrNull(s1 + s2, n1 + n2),
      meanOfTurns: halfOrNull(turn1, turn2),
      nTurn1: n1,
      nTurn2: n2,
      nRows: deduped.modelRows[m] as number,
      nFailed: failed[m] as number,
      nDuplicates: deduped.modelDuplicates[m] as number,
      nDroppedByDedupe: deduped.modelDropped[m] as number,
    };
    if (cols.hasQuestions) {
      const byCategory: Record<string, number | null> = {};
      const byCategoryN: Record<string, number> = {};
      cols.categories.forEach((name, c) => {
        const k = 6 * (m * nCat + c);
        const [ps, t1s, t1n, t2s, t2n, f] = [cat[k], cat[k + 1], cat[k + 2], cat[k + 3], cat[k + 4], cat[k + 5]] as number[] as [number, number, number, number, number, number];
        byCategory[name] = meanOrNull(ps, t1n + t2n);
        byCategoryN[name] = t1n + t2n;
        const c1 = meanOrNull(t1s, t1n);
        const c2 = meanOrNull(t2s, t2n);
        categoryScores.push({ model: s.model, category: name, turn1: c1, turn2: c2, pooled: byCategory[name] ?? null, meanOfTurns: halfOrNull(c1, c2), nTurn1: t1n, nTurn2: t2n, nFailed: f });
      });
      s.byCategory = byCategory;
      s.byCategoryN = byCategoryN;
    }
    models.push(s);
  }
  return { policy: deduped.policy, models, categories: [...cols.categories], nRows: cols.nRows, categoryScores, otherJudges: { ...cols.otherJudges } };
}

/** Streaming adapter: `add` each judgment in file order, then `finish` (rows are held as columns). */
export class MtBenchScoreAccumulator {
  private readonly policy: DedupePolicy;
  private readonly builder: JudgmentColumnsBuilder;

  constructor(opts: ScoreOptions = {}) {
    this.policy = opts.dedupe ?? DEFAULT_DEDUPE;
    this.builder = new JudgmentColumnsBuilder({ file: opts.file ?? "<judgments>", ...(opts.questions ? { questions: opts.questions } : {}) });
  }

  add(j: Judgment): void {
    this.builder.add(j);
  }

  finish(): MtBenchScores {
    const cols = this.builder.finish();
    return scoreColumns(cols, dedupeJudgments(cols, this.policy));
  }
}

/** Scores an in-memory list of judgments (in file order), taken as given (no file checks). */
export function scoreJudgments(judgments: Iterable<Judgment>, opts: ScoreOptions = {}): MtBenchScores {
  const acc = new MtBenchScoreAccumulator(opts);
  for (const j of judgments) acc.add(j);
  return acc.finish();
}

/** Scores a stream of judgments (e.g. `streamJudgments(path)`) without holding the rows' texts. */
export async function scoreJudgmentStream(judgments: AsyncIterable<Judgment>, opts: ScoreOptions = {}): Promise<MtBenchScores> {
  const acc = new MtBenchScoreAccumulator(opts);
  for await (const j of judgments) acc.add(j);
  return acc.finish();
}
