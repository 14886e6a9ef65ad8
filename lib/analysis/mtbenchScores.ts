/**
 * MT-Bench single-grading scores per model, computed in one streaming pass.
 *
 * Duplicated (model, question, turn) judgments follow an explicit policy:
 * - `all`: keep every row (FastChat `show_result.py --mode single`), then drop failures;
 * - `last`: keep the last row of each key, then drop failures (URIAL `show_results.py`);
 * - `first`: keep the first row of each key, then drop failures;
 * - `error`: any duplicated key is an InputError listing them.
 *
 * Means:
 * - `turn1`, `turn2`: mean score of the kept, non-failed rows of that turn;
 * - `pooled`: mean of all kept, non-failed rows of both turns (what show_result.py prints as
 *   "Average"; it weights a turn by its number of rows);
 * - `meanOfTurns`: (turn1 + turn2) / 2 (equals `pooled` when both turns have as many rows);
 * - `byCategory`: mean over both turns of the kept rows per question category (URIAL's table).
 * Failures (`score: -1`, `"$ERROR$"`) are counted in `nFailed` and never enter a mean.
 *
 * Memory grows with the number of distinct (model, question, turn) keys, never with the
 * file's size or the judges' texts.
 */
import { InputError } from "../model/errors";
import type { Judgment, Question } from "../model/mtbench";

export const DEDUPE_POLICIES = ["all", "last", "first", "error"] as const;
export type DedupePolicy = (typeof DEDUPE_POLICIES)[number];

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
  nRows: number;
}

const FAILED = -1;

interface KeyEntry {
  count: number;
  firstScore: number; // FAILED marks a failed judgment
  lastScore: number;
  firstLine: number;
  lastLine: number;
  turn: 1 | 2;
  category: string | undefined;
}

class Sums {
  sum = 0;
  n = 0;
  add(x: number): void {
    this.sum += x;
    this.n++;
  }
  mean(): number | null {
    return this.n === 0 ? null : this.sum / this.n;
  }
}

class ModelState {
  /** (question, turn) -> entry; integer question ids use a numeric key (cheaper than a string). */
  readonly keys = new Map<number | string, KeyEntry>();
  nRows = 0;
  nDuplicates = 0;
  // Used by the `all` policy, which needs no per-key choice.
  readonly turn = [new Sums(), new Sums()];
  readonly category = new Map<string, Sums>();
  nFailedAll = 0;
}

function questionTurnKey(questionId: number | string, turn: 1 | 2): number | string {
  if (typeof questionId === "number" && Number.isSafeInteger(questionId) && Math.abs(questionId) < 2 ** 50) return questionId * 2 + (turn - 1);
  return `${questionId}\u0000${turn}`;
}

function questionOfKey(key: number | string): string {
  return typeof key === "number" ? String(Math.floor(key / 2)) : (key.split("\u0000")[0] as string);
}

/** Streaming accumulator: `add` each judgment in file order, then `finish`. */
export class MtBenchScoreAccumulator {
  private readonly policy: DedupePolicy;
  private readonly file: string;
  private readonly categoryOf: Map<string, string> | undefined;
  private readonly categories: string[];
  private readonly models = new Map<string, ModelState>();
  private nRows = 0;

  constructor(opts: ScoreOptions = {}) {
    this.policy = opts.dedupe ?? "all";
    this.file = opts.file ?? "<judgments>";
    if (opts.questions) {
      this.categoryOf = new Map(opts.questions.map((q) => [String(q.questionId), q.category]));
      this.categories = [...new Set(opts.questions.map((q) => q.category))];
    } else {
      this.categoryOf = undefined;
      this.categories = [];
    }
  }

  add(j: Judgment): void {
    this.nRows++;
    let m = this.models.get(j.model);
    if (m === undefined) {
      m = new ModelState();
      this.models.set(j.model, m);
    }
    m.nRows++;
    let category: string | undefined;
    if (this.categoryOf) {
      category = this.categoryOf.get(String(j.questionId));
      if (category === undefined) {
        throw new InputError({ file: this.file, line: j.line, field: "question_id" }, `question ${j.questionId} is not in the questions file`);
      }
    }
    const score = j.score.kind === "scored" ? j.score.score : FAILED;
    const key = questionTurnKey(j.questionId, j.turn);
    const e = m.keys.get(key);
    if (e === undefined) {
      m.keys.set(key, { count: 1, firstScore: score, lastScore: score, firstLine: j.line, lastLine: j.line, turn: j.turn, category });
    } else {
      e.count++;
      e.lastScore = score;
      e.lastLine = j.line;
      m.nDuplicates++;
    }
    if (this.policy === "all") {
      if (score === FAILED) {
        m.nFailedAll++;
      } else {
        (m.turn[j.turn - 1] as Sums).add(score);
        if (category !== undefined) this.categorySums(m, category).add(score);
      }
    }
  }

  private categorySums(m: ModelState, category: string): Sums {
    let s = m.category.get(category);
    if (s === undefined) {
      s = new Sums();
      m.category.set(category, s);
    }
    return s;
  }

  finish(): MtBenchScores {
    if (this.policy === "error") this.throwOnDuplicates();
    const models: ModelScores[] = [];
    for (const [model, m] of this.models) {
      let nFailed = m.nFailedAll;
      if (this.policy !== "all") {
        nFailed = 0;
        for (const e of m.keys.values()) {
          const score = this.policy === "last" ? e.lastScore : e.firstScore;
          if (score === FAILED) {
            nFailed++;
            continue;
          }
          (m.turn[e.turn - 1] as Sums).add(score);
          if (e.category !== undefined) this.categorySums(m, e.category).add(score);
        }
      }
      const [t1, t2] = m.turn as [Sums, Sums];
      const pooled = new Sums();
      pooled.sum = t1.sum + t2.sum;
      pooled.n = t1.n + t2.n;
      const turn1 = t1.mean();
      const turn2 = t2.mean();
      const s: ModelScores = {
        model,
        turn1,
        turn2,
        pooled: pooled.mean(),
        meanOfTurns: turn1 === null || turn2 === null ? null : (turn1 + turn2) / 2,
        nTurn1: t1.n,
        nTurn2: t2.n,
        nRows: m.nRows,
        nFailed,
        nDuplicates: m.nDuplicates,
        nDroppedByDedupe: this.policy === "all" ? 0 : m.nDuplicates,
      };
      if (this.categoryOf) {
        s.byCategory = {};
        s.byCategoryN = {};
        for (const c of this.categories) {
          const sums = m.category.get(c);
          s.byCategory[c] = sums ? sums.mean() : null;
          s.byCategoryN[c] = sums ? sums.n : 0;
        }
      }
      models.push(s);
    }
    return { policy: this.policy, models, categories: [...this.categories], nRows: this.nRows };
  }

  private throwOnDuplicates(): void {
    const dups: string[] = [];
    let total = 0;
    for (const [model, m] of this.models) {
      for (const [key, e] of m.keys) {
        if (e.count < 2) continue;
        total++;
        if (dups.length < 5) {
          dups.push(`(${model}, question ${questionOfKey(key)}, turn ${e.turn}) x${e.count}, lines ${e.firstLine}..${e.lastLine}`);
        }
      }
    }
    if (total > 0) {
      throw new InputError(
        { file: this.file },
        `${total} duplicated (model, question, turn) keys with --dedupe error, e.g. ${dups.join("; ")}. ` +
          `Choose a policy: all (FastChat show_result.py), last (URIAL show_results.py) or first.`,
      );
    }
  }
}

/** Scores an in-memory list of judgments (in file order). */
export function scoreJudgments(judgments: Iterable<Judgment>, opts: ScoreOptions = {}): MtBenchScores {
  const acc = new MtBenchScoreAccumulator(opts);
  for (const j of judgments) acc.add(j);
  return acc.finish();
}

/** Scores a stream of judgments (e.g. `streamJudgments(path)`) without holding the rows. */
export async function scoreJudgmentStream(judgments: AsyncIterable<Judgment>, opts: ScoreOptions = {}): Promise<MtBenchScores> {
  const acc = new MtBenchScoreAccumulator(opts);
  for await (const j of judgments) acc.add(j);
  return acc.finish();
}
