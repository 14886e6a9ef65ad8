/**
 * A single-grading judgment file held as columns: one typed-array entry per row, in file order,
 * with model names, question ids, categories, judges and prompt names interned in dictionaries.
 * This is what every MT-Bench score is computed from (lib/analysis/dedupe.ts keeps the rows a
 * dedupe policy keeps; lib/analysis/mtbenchScores.ts averages them; lib/dump.ts turns them into
 * arquero tables). The judges' texts are never held.
 *
 * Memory: 24 bytes a row (model and question numbers, line: 4 each; score: 8; judge and prompt
 * numbers: 2 each; turn and failure kind: 1 each), in arrays that double as they fill, plus the
 * dictionaries (one string per distinct model, question, judge, prompt).
 *
 * Reading a file (`parseJudgmentColumns(text)` / `loadJudgmentColumns(path)`) also refuses
 * ambiguous input, naming the file, line and field `judge`:
 * - rows of more than one judge model, unless `judge` selects one: the other judges' rows are then
 *   dropped and counted in `otherJudges`;
 * - a turn-1 row graded with a multi-turn judge prompt (FastChat names them `*-multi-turn`), or a
 *   turn-2 row graded with a single-turn one.
 * `JudgmentColumnsBuilder` alone (the in-memory adapters' path) takes rows as given.
 */
import { InputError } from "../model/errors";
import type { Judgment, Question, QuestionId } from "../model/mtbench";
import { judgmentFromRow, streamJudgments } from "./mtbench";
import { parseJsonl } from "./jsonl";

/** Failure kinds in `JudgmentColumns.failure`. */
export const FAILURE_NONE = 0;
export const FAILURE_NO_RATING = 1;
export const FAILURE_ERROR = 2;

/** A judgment file as columns (row r of every per-row array is the file's r-th stored row). */
export interface JudgmentColumns {
  /** The file (labels errors). */
  file: string;
  /** Stored rows (rows of judges dropped by `judge` are not stored). */
  nRows: number;
  /** Per row: number into `models`. */
  model: Uint32Array;
  /** Per row: number into `questionIds`. */
  question: Uint32Array;
  /** Per row: 1 or 2. */
  turn: Uint8Array;
  /** Per row: the score; NaN for a failed judgment. */
  score: Float64Array;
  /** Per row: FAILURE_NONE, FAILURE_NO_RATING (`-1`) or FAILURE_ERROR (`"$ERROR$"`, null). */
  failure: Uint8Array;
  /** Per row: number into `judges`. */
  judge: Uint16Array;
  /** Per row: number into `prompts`. */
  prompt: Uint16Array;
  /** Per row: 1-based line in the file. */
  line: Uint32Array;
  /** Model names in first-seen order. */
  models: string[];
  /**
   * Question ids in first-seen order; one entry per key: integer ids by value, other ids by their
   * text (so 1.5 and "1.5" are one question, 81 and "81" two), the first spelling kept.
   */
  questionIds: QuestionId[];
  /** Per question number: number into `categories`, -1 without questions. */
  questionCategory: Int32Array;
  /** Category names in the order of the questions file; empty without questions. */
  categories: string[];
  /** Whether questions were given (then every question id was checked against them). */
  hasQuestions: boolean;
  /** Judge models in first-seen order. */
  judges: string[];
  /** Judge prompt names in first-seen order. */
  prompts: string[];
  /** Rows of other judge models dropped because a judge was selected: judge -> rows. */
  otherJudges: Record<string, number>;
}

export interface JudgmentColumnsOptions {
  /** Labels errors (the judgment file's path). */
  file?: string;
  /** Questions give the categories; judgments of unknown questions are then an InputError. */
  questions?: readonly Question[];
}

const MAX_DICTIONARY = 0xffff;

type Grow = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

function grown<T extends Grow>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2, 64));
  b.set(a);
  return b;
}

/** Question ids that a per-key Map of `String(id)` would tell apart, except large integers. */
export function questionKey(questionId: QuestionId): number | string {
  if (typeof questionId === "number" && Number.isSafeInteger(questionId) && Math.abs(questionId) < 2 ** 50) return questionId;
  return String(questionId);
}

/** Appends judgments (in file order) to columns; `finish` returns them. */
export class JudgmentColumnsBuilder {
  private readonly file: string;
  private readonly categoryOf: Map<string, number> | undefined;
  private readonly categories: string[];
  private n = 0;
  private model = new Uint32Array(0);
  private question = new Uint32Array(0);
  private turn = new Uint8Array(0);
  private score = new Float64Array(0);
  private failure = new Uint8Array(0);
  private judge = new Uint16Array(0);
  private prompt = new Uint16Array(0);
  private line = new Uint32Array(0);
  private readonly modelNumber = new Map<string, number>();
  private readonly models: string[] = [];
  private readonly questionNumber = new Map<number | string, number>();
  private readonly questionIds: QuestionId[] = [];
  private questionCategory = new Int32Array(0);
  private readonly judgeNumber = new Map<string, number>();
  private readonly judges: string[] = [];
  private readonly promptNumber = new Map<string, number>();
  private readonly prompts: string[] = [];
  private readonly otherJudges: Record<string, number> = {};

  constructor(opts: JudgmentColumnsOptions = {}) {
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

  private intern(map: Map<string, number>, list: string[], s: string, what: string, line: number): number {
    let k = map.get(s);
    if (k === undefined) {
      k = list.length;
      if (k > MAX_DICTIONARY) throw new InputError({ file: this.file, line, field: what }, `more than ${MAX_DICTIONARY + 1} distinct values`);
      map.set(s, k);
      list.push(s);
    }
    return k;
  }

  private questionOf(j: Judgment): number {
    const key = questionKey(j.questionId);
    let q = this.questionNumber.get(key);
    if (q !== undefined) return q;
    let category = -1;
    if (this.categoryOf) {
      const c = this.categoryOf.get(String(j.questionId));
      if (c === undefined) throw new InputError({ file: this.file, line: j.line, field: "question_id" }, `question ${j.questionId} is not in the questions file`);
      category = c;
    }
    q = this.questionIds.length;
    this.questionNumber.set(key, q);
    this.questionIds.push(j.questionId);
    this.questionCategory = grown(this.questionCategory, q + 1, (n) => new Int32Array(n));
    this.questionCategory[q] = category;
    return q;
  }

  add(j: Judgment): void {
    const r = this.n;
    if (r >= this.model.length) {
      const need = r + 1;
      this.model = grown(this.model, need, (n) => new Uint32Array(n));
      this.question = grown(this.question, need, (n) => new Uint32Array(n));
      this.turn = grown(this.turn, need, (n) => new Uint8Array(n));
      this.score = grown(this.score, need, (n) => new Float64Array(n));
      this.failure = grown(this.failure, need, (n) => new Uint8Array(n));
      this.judge = grown(this.judge, need, (n) => new Uint16Array(n));
      this.prompt = grown(this.prompt, need, (n) => new Uint16Array(n));
      this.line = grown(this.line, need, (n) => new Uint32Array(n));
    }
    let m = this.modelNumber.get(j.model);
    if (m === undefined) {
      m = this.models.length;
      this.modelNumber.set(j.model, m);
      this.models.push(j.model);
    }
    this.model[r] = m;
    this.question[r] = this.questionOf(j);
    this.turn[r] = j.turn;
    if (j.score.kind === "scored") {
      this.score[r] = j.score.score;
      this.failure[r] = FAILURE_NONE;
    } else {
      this.score[r] = NaN;
      this.failure[r] = j.score.reason === "no_rating" ? FAILURE_NO_RATING : FAILURE_ERROR;
    }
    this.judge[r] = this.intern(this.judgeNumber, this.judges, j.judge[0], "judge", j.line);
    this.prompt[r] = this.intern(this.promptNumber, this.prompts, j.judge[1], "judge", j.line);
    this.line[r] = j.line;
    this.n = r + 1;
  }

  /** Counts a row of another judge model that the caller's judge selection drops. */
  dropOtherJudge(judge: string): void {
    this.otherJudges[judge] = (this.otherJudges[judge] ?? 0) + 1;
  }

  finish(): JudgmentColumns {
    const n = this.n;
    return {
      file: this.file,
      nRows: n,
      model: this.model.subarray(0, n),
      question: this.question.subarray(0, n),
      turn: this.turn.subarray(0, n),
      score: this.score.subarray(0, n),
      failure: this.failure.subarray(0, n),
      judge: this.judge.subarray(0, n),
      prompt: this.prompt.subarray(0, n),
      line: this.line.subarray(0, n),
      models: [...this.models],
      questionIds: [...this.questionIds],
      questionCategory: this.questionCategory.slice(0, this.questionIds.length),
      categories: [...this.categories],
      hasQuestions: this.categoryOf !== undefined,
      judges: [...this.judges],
      prompts: [...this.prompts],
      otherJudges: { ...this.otherJudges },
    };
  }
}

/** FastChat's multi-turn judge prompts (`single-v1-multi-turn`, `single-math-v1-multi-turn`) grade turn 2. */
export function isMultiTurnPrompt(name: string): boolean {
  return name.endsWith("-multi-turn");
}

export interface ReadJudgmentOptions extends JudgmentColumnsOptions {
  /** Keep only this judge model's rows (the others are dropped and counted in `otherJudges`). */
  judge?: string;
}

/** The checks of a judgment file's rows (one judge model, prompts matching turns), row by row. */
class JudgmentFileChecks {
  private firstJudge: { name: string; line: number } | null = null;
  private kept = 0;
  private other = 0;

  constructor(
    private readonly file: string,
    private readonly select: string | undefined,
    private readonly builder: JudgmentColumnsBuilder,
  ) {}

  add(j: Judgment): void {
    const [judge, prompt] = j.judge;
    if (this.select !== undefined) {
      if (judge !== this.select) {
        this.other++;
        this.builder.dropOtherJudge(judge);
        return;
      }
    } else if (this.firstJudge === null) {
      this.firstJudge = { name: judge, line: j.line };
    } else if (judge !== this.firstJudge.name) {
      throw new InputError(
        { file: this.file, line: j.line, field: "judge" },
        `judge model "${judge}" differs from "${this.firstJudge.name}" (line ${this.firstJudge.line}): the file holds rows of more than one judge, ` +
          `whose scores must not be averaged together; select one (openDump's judge option, mtbench-scores --judge-model NAME)`,
      );
    }
    const multi = isMultiTurnPrompt(prompt);
    if (j.turn === 1 && multi) {
      throw new InputError({ file: this.file, line: j.line, field: "judge" }, `turn 1 graded with the multi-turn judge prompt "${prompt}" (FastChat's *-multi-turn prompts grade turn 2)`);
    }
    if (j.turn === 2 && !multi) {
      throw new InputError({ file: this.file, line: j.line, field: "judge" }, `turn 2 graded with the single-turn judge prompt "${prompt}" (turn 2 needs a *-multi-turn prompt, which shows the judge both turns)`);
    }
    this.kept++;
    this.builder.add(j);
  }

  finish(): JudgmentColumns {
    const cols = this.builder.finish();
    if (this.select !== undefined && this.kept === 0 && this.other > 0) {
      const have = Object.entries(cols.otherJudges).map(([k, v]) => `${k} (${v} rows)`).join(", ");
      throw new InputError({ file: this.file, field: "judge" }, `no row of judge "${this.select}"; the file holds ${have}`);
    }
    return cols;
  }
}

/** Parses a `<judge>_single.jsonl` text into checked columns (pure; `file` labels errors). */
export function parseJudgmentColumns(text: string, file = "<judgments>", opts: ReadJudgmentOptions = {}): JudgmentColumns {
  const checks = new JudgmentFileChecks(file, opts.judge, new JudgmentColumnsBuilder({ ...opts, file }));
  for (const row of parseJsonl(text, file)) checks.add(judgmentFromRow(row, file));
  return checks.finish();
}

/** Streams a judgment file of any size into checked columns (the judges' texts are never held). */
export async function loadJudgmentColumns(path: string, opts: ReadJudgmentOptions = {}): Promise<JudgmentColumns> {
  const checks = new JudgmentFileChecks(path, opts.judge, new JudgmentColumnsBuilder({ ...opts, file: path }));
  for await (const j of streamJudgments(path)) checks.add(j);
  return checks.finish();
}
