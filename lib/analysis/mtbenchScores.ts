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
 * Memory: the rows and the judges' texts are never held. What stays is one small record per
 * distinct (model, question, turn) cell, which duplicate detection and the `last` policy need:
 * question ids are numbered once for the whole file, and each model keeps dense typed arrays
 * indexed by (question number, turn) slot, in first-seen order. A cell costs 4 bytes under
 * `all` and `first` (the slot lookup), 9 under `last` (+ slot, + last score as a byte code),
 * 32 under `error` (+ count and first/last line for the message); a model whose question
 * numbers are sparse switches its lookup to a Map. `first` and `error` add each cell's score
 * when the cell first appears, `last` at `finish`, both in first-seen order, so every sum is
 * made of the same additions in the same order as with one Map entry per cell (bit-identical).
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

/** A lookup larger than this many slots must be at least 1/SPARSE_RATIO full, else it becomes a Map. */
const DENSE_MIN_SLOTS = 4096;
const SPARSE_RATIO = 8;

type Growable = Uint8Array | Int32Array | Float64Array;

/** Columns a policy does not use share these (a typed array costs ~300 bytes even when empty). */
const NO_INT32 = new Int32Array(0);
const NO_FLOAT64 = new Float64Array(0);

function grown<T extends Growable>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/**
 * State of one model. Cells are numbered 0, 1, ... in first-seen order; per-cell columns are
 * typed arrays holding only what the policy needs.
 */
class ModelState {
  nRows = 0;
  nDuplicates = 0;
  nFailed = 0;
  nCells = 0;
  t1Sum = 0;
  t1N = 0;
  t2Sum = 0;
  t2N = 0;
  /** Per category index c: [2c] sum and [2c + 1] count of the rows entering the category mean. */
  readonly cat: Float64Array;
  /** slot (question number * 2 + turn - 1) -> cell + 1; 0 = not seen. `null` once sparse. */
  dense: Int32Array | null;
  sparse: Map<number, number> | null = null;
  /** Per cell: its slot (`last`, `error`). */
  slot: Int32Array;
  /**
   * Per cell: last score, FAILED for a failed judgment (`last`). While the file has at most 256
   * distinct scores (MT-Bench has ~20), one byte per cell: the score's number in `ScoreTable`;
   * the model's column widens to the scores themselves the first time one does not fit.
   */
  lastScore: Uint8Array | Float64Array;
  /** Per cell: rows, first and last line (`error`, for the message). */
  count: Float64Array;
  firstLine: Float64Array;
  lastLine: Float64Array;

  constructor(policy: DedupePolicy, slotsKnown: number, nCategories: number) {
    this.cat = nCategories > 0 ? new Float64Array(2 * nCategories) : NO_FLOAT64;
    this.dense = new Int32Array(Math.max(16, Math.min(slotsKnown, DENSE_MIN_SLOTS)));
    const cells = this.dense.length;
    this.slot = policy === "last" || policy === "error" ? new Int32Array(cells) : NO_INT32;
    this.lastScore = policy === "last" ? new Uint8Array(cells) : NO_FLOAT64;
    this.count = policy === "error" ? new Float64Array(cells) : NO_FLOAT64;
    this.firstLine = policy === "error" ? new Float64Array(cells) : NO_FLOAT64;
    this.lastLine = policy === "error" ? new Float64Array(cells) : NO_FLOAT64;
  }

  /** The cell of `slot`, or -1. */
  cellOf(slot: number): number {
    if (this.dense !== null) return slot < this.dense.length ? (this.dense[slot] as number) - 1 : -1;
    return (this.sparse as Map<number, number>).get(slot) ?? -1;
  }

  /** Numbers a new cell for `slot` (not seen before). */
  newCell(slot: number): number {
    const cell = this.nCells++;
    if (this.dense !== null && slot >= this.dense.length) {
      const want = Math.max(slot + 1, this.dense.length * 2);
      if (want > DENSE_MIN_SLOTS && want > SPARSE_RATIO * this.nCells) {
        this.sparse = new Map();
        this.dense.forEach((c, s) => {
          if (c > 0) (this.sparse as Map<number, number>).set(s, c - 1);
        });
        this.dense = null;
      } else {
        this.dense = grown(this.dense, want, (n) => new Int32Array(n));
      }
    }
    if (this.dense !== null) this.dense[slot] = cell + 1;
    else (this.sparse as Map<number, number>).set(slot, cell);
    return cell;
  }

  addScore(turn: 1 | 2, category: number, score: number): void {
    if (turn === 1) {
      this.t1Sum += score;
      this.t1N++;
    } else {
      this.t2Sum += score;
      this.t2N++;
    }
    if (category >= 0) {
      (this.cat[2 * category] as number) += score;
      (this.cat[2 * category + 1] as number)++;
    }
  }
}

/** Numbers the distinct scores of a file (-0 apart from 0), to store a cell's score in a byte. */
class ScoreTable {
  private readonly code = new Map<number, number>();
  private readonly values: number[] = [];
  private codeOfNegativeZero = -1;

  private codeOf(score: number): number {
    let c = Object.is(score, -0) ? this.codeOfNegativeZero : (this.code.get(score) ?? -1);
    if (c < 0) {
      c = this.values.length;
      this.values.push(score);
      if (Object.is(score, -0)) this.codeOfNegativeZero = c;
      else this.code.set(score, c);
    }
    return c;
  }

  store(m: ModelState, cell: number, score: number): void {
    if (m.lastScore instanceof Uint8Array) {
      const c = this.codeOf(score);
      if (c < 256) {
        m.lastScore[cell] = c;
        return;
      }
      m.lastScore = Float64Array.from(m.lastScore, (k) => this.values[k] as number);
    }
    m.lastScore[cell] = score;
  }

  load(m: ModelState, cell: number): number {
    const v = m.lastScore[cell] as number;
    return m.lastScore instanceof Uint8Array ? (this.values[v] as number) : v;
  }
}

/** Question ids that the old per-key Map told apart map to distinct question numbers. */
function questionKey(questionId: number | string): number | string {
  if (typeof questionId === "number" && Number.isSafeInteger(questionId) && Math.abs(questionId) < 2 ** 50) return questionId;
  return String(questionId);
}

/** Streaming accumulator: `add` each judgment in file order, then `finish`. */
export class MtBenchScoreAccumulator {
  private readonly policy: DedupePolicy;
  private readonly file: string;
  private readonly categoryOf: Map<string, number> | undefined;
  private readonly categories: string[];
  private readonly models = new Map<string, ModelState>();
  /** Question id key -> question number, for the whole file. */
  private readonly questionNumber = new Map<number | string, number>();
  /** Per question number: its id (for messages) and category index (-1 without questions). */
  private readonly questionIds: (number | string)[] = [];
  private readonly questionCategory: number[] = [];
  private readonly scores = new ScoreTable();
  private nRows = 0;

  constructor(opts: ScoreOptions = {}) {
    this.policy = opts.dedupe ?? "all";
    this.file = opts.file ?? "<judgments>";
    if (opts.questions) {
      this.categories = [...new Set(opts.questions.map((q) => q.category))];
      const index = new Map(this.categories.map((c, i) => [c, i]));
      this.categoryOf = new Map(opts.questions.map((q) => [String(q.questionId), index.get(q.category) as number]));
    } else {
      this.categoryOf = undefined;
      this.categories = [];
    }
  }

  add(j: Judgment): void {
    this.nRows++;
    let m = this.models.get(j.model);
    if (m === undefined) {
      m = new ModelState(this.policy, 2 * this.questionIds.length, this.categories.length);
      this.models.set(j.model, m);
    }
    m.nRows++;
    const qKey = questionKey(j.questionId);
    let q = this.questionNumber.get(qKey);
    if (q === undefined) {
      let category = -1;
      if (this.categoryOf) {
        const c = this.categoryOf.get(String(j.questionId));
        if (c === undefined) {
          throw new InputError({ file: this.file, line: j.line, field: "question_id" }, `question ${j.questionId} is not in the questions file`);
        }
        category = c;
      }
      q = this.questionIds.length;
      this.questionNumber.set(qKey, q);
      this.questionIds.push(j.questionId);
      this.questionCategory.push(category);
    }
    const category = this.questionCategory[q] as number;
    const score = j.score.kind === "scored" ? j.score.score : FAILED;
    const slot = 2 * q + (j.turn - 1);
    let cell = m.cellOf(slot);
    const isNew = cell < 0;
    if (isNew) {
      cell = m.newCell(slot);
      if (this.policy === "last" || this.policy === "error") {
        m.slot = grown(m.slot, cell + 1, (n) => new Int32Array(n));
        m.slot[cell] = slot;
      }
      if (this.policy === "error") {
        m.count = grown(m.count, cell + 1, (n) => new Float64Array(n));
        m.firstLine = grown(m.firstLine, cell + 1, (n) => new Float64Array(n));
        m.lastLine = grown(m.lastLine, cell + 1, (n) => new Float64Array(n));
        m.firstLine[cell] = j.line;
      }
      if (this.policy === "last") {
        m.lastScore = m.lastScore instanceof Uint8Array ? grown(m.lastScore, cell + 1, (n) => new Uint8Array(n)) : grown(m.lastScore, cell + 1, (n) => new Float64Array(n));
      }
    } else {
      m.nDuplicates++;
    }
    if (this.policy === "error") {
      (m.count[cell] as number)++;
      m.lastLine[cell] = j.line;
    }
    if (this.policy === "last") {
      this.scores.store(m, cell, score);
    } else if (this.policy === "all" || isNew) {
      // `all` keeps every row; `first` (and `error`, which finishes only without duplicates)
      // keeps a cell's first row, added here in first-seen order.
      if (score === FAILED) m.nFailed++;
      else m.addScore(j.turn, category, score);
    }
  }

  finish(): MtBenchScores {
    if (this.policy === "error") this.throwOnDuplicates();
    const models: ModelScores[] = [];
    for (const [model, m] of this.models) {
      if (this.policy === "last") {
        // Only `finish` adds under `last`: start from zero so that calling it twice is harmless.
        m.nFailed = m.t1Sum = m.t1N = m.t2Sum = m.t2N = 0;
        m.cat.fill(0);
        for (let cell = 0; cell < m.nCells; cell++) {
          const score = this.scores.load(m, cell);
          if (score === FAILED) {
            m.nFailed++;
            continue;
          }
          const slot = m.slot[cell] as number;
          m.addScore(((slot & 1) + 1) as 1 | 2, this.questionCategory[slot >> 1] as number, score);
        }
      }
      const turn1 = m.t1N === 0 ? null : m.t1Sum / m.t1N;
      const turn2 = m.t2N === 0 ? null : m.t2Sum / m.t2N;
      const nPooled = m.t1N + m.t2N;
      const s: ModelScores = {
        model,
        turn1,
        turn2,
        pooled: nPooled === 0 ? null : (m.t1Sum + m.t2Sum) / nPooled,
        meanOfTurns: turn1 === null || turn2 === null ? null : (turn1 + turn2) / 2,
        nTurn1: m.t1N,
        nTurn2: m.t2N,
        nRows: m.nRows,
        nFailed: m.nFailed,
        nDuplicates: m.nDuplicates,
        nDroppedByDedupe: this.policy === "all" ? 0 : m.nDuplicates,
      };
      if (this.categoryOf) {
        s.byCategory = {};
        s.byCategoryN = {};
        this.categories.forEach((c, i) => {
          const n = m.cat[2 * i + 1] as number;
          (s.byCategory as Record<string, number | null>)[c] = n === 0 ? null : (m.cat[2 * i] as number) / n;
          (s.byCategoryN as Record<string, number>)[c] = n;
        });
      }
      models.push(s);
    }
    return { policy: this.policy, models, categories: [...this.categories], nRows: this.nRows };
  }

  private throwOnDuplicates(): void {
    const dups: string[] = [];
    let total = 0;
    for (const [model, m] of this.models) {
      for (let cell = 0; cell < m.nCells; cell++) {
        const count = m.count[cell] as number;
        if (count < 2) continue;
        total++;
        if (dups.length < 5) {
          const slot = m.slot[cell] as number;
          const question = String(this.questionIds[slot >> 1]);
          dups.push(`(${model}, question ${question}, turn ${(slot & 1) + 1}) x${count}, lines ${m.firstLine[cell]}..${m.lastLine[cell]}`);
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
