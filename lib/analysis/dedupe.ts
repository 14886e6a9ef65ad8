/**
 * The one dedupe implementation: which rows of a judgment file enter the MT-Bench scores when a
 * (model, question, turn) cell has several rows. Used by `openDump` (lib/dump.ts), the
 * `mtbench-scores` command and every in-memory adapter (lib/analysis/mtbenchScores.ts,
 * lib/analysis/questionScores.ts).
 *
 * Policies:
 * - `all`: keep every row (FastChat `show_result.py --mode single`);
 * - `last`: keep the last row of each cell (URIAL `show_results.py`, pandas
 *   `drop_duplicates(keep="last")`); the default, `DEFAULT_DEDUPE`;
 * - `first`: keep the first row of each cell;
 * - `error`: a cell with several rows is an InputError naming how many, with examples and lines.
 * Failed judgments are kept like any row (they are dropped from the means later, and counted).
 *
 * Cells are numbered in first-seen order. Kept rows are returned in file order.
 *
 * Complexity: O(rows) time (plus an O(cells log cells) sort under `last`); memory 4 bytes a row
 * (the row's cell) and 12 a cell, plus the cell lookup: one Int32Array slot per
 * (model, question, turn) combination while that is at most 8x the rows, else a Map per model.
 *
 * @example
 * const kept = dedupeJudgments(await loadJudgmentColumns(file), "last");
 * kept.rows; // row numbers of the kept rows, in file order
 */
import { InputError } from "../model/errors";
import type { JudgmentColumns } from "../io/judgmentColumns";

export const DEDUPE_POLICIES = ["all", "last", "first", "error"] as const;
export type DedupePolicy = (typeof DEDUPE_POLICIES)[number];

/**
 * The default policy of the CLI (`mtbench-scores --dedupe`) and of the notebooks (`openDump`):
 * URIAL's show_results.py keeps the last judgment of a cell, and the paper's numbers come from
 * that code base.
 */
export const DEFAULT_DEDUPE: DedupePolicy = "last";

/** The cells of a judgment file and the rows a policy keeps. */
export interface DedupedRows {
  policy: DedupePolicy;
  /** Row numbers (into the columns) of the kept rows, in file order. */
  rows: Uint32Array;
  /** Per stored row: its cell number. */
  cellOfRow: Uint32Array;
  nCells: number;
  /** Per cell (first-seen order): model number, question number, turn, row count, first and last row. */
  cellModel: Uint32Array;
  cellQuestion: Uint32Array;
  cellTurn: Uint8Array;
  cellRows: Uint32Array;
  cellFirstRow: Uint32Array;
  cellLastRow: Uint32Array;
  /** Per model number: rows in the file, rows whose cell appeared earlier, rows the policy set aside. */
  modelRows: Uint32Array;
  modelDuplicates: Uint32Array;
  modelDropped: Uint32Array;
}

/** Above this many (model, question, turn) slots per row, cells are looked up in Maps. */
const DENSE_SLOTS_PER_ROW = 8;
const DENSE_MIN_SLOTS = 1 << 16;

/** Numbers the cells of `cols` and keeps the rows `policy` keeps. */
export function dedupeJudgments(cols: JudgmentColumns, policy: DedupePolicy): DedupedRows {
  const n = cols.nRows;
  const nModels = cols.models.length;
  const nSlots = 2 * cols.questionIds.length;
  const cellOfRow = new Uint32Array(n);
  let cap = Math.max(16, Math.min(n, 1 << 12));
  let cellModel = new Uint32Array(cap);
  let cellQuestion = new Uint32Array(cap);
  let cellTurn = new Uint8Array(cap);
  let cellRows = new Uint32Array(cap);
  let cellFirstRow = new Uint32Array(cap);
  let cellLastRow = new Uint32Array(cap);
  const modelRows = new Uint32Array(nModels);
  const modelDuplicates = new Uint32Array(nModels);
  let nCells = 0;

  const total = nModels * nSlots;
  const dense = total <= Math.max(DENSE_MIN_SLOTS, DENSE_SLOTS_PER_ROW * n) ? new Int32Array(total) : null;
  const sparse = dense === null ? Array.from({ length: nModels }, () => new Map<number, number>()) : null;

  for (let r = 0; r < n; r++) {
    const m = cols.model[r] as number;
    const q = cols.question[r] as number;
    const t = cols.turn[r] as number;
    const slot = 2 * q + (t - 1);
    let cell: number;
    if (dense !== null) cell = (dense[m * nSlots + slot] as number) - 1;
    else cell = (sparse as Map<number, number>[])[m]?.get(slot) ?? -1;
    modelRows[m]++;
    if (cell < 0) {
      cell = nCells++;
      if (cell >= cap) {
        cap *= 2;
        const g32 = (a: Uint32Array) => {
          const b = new Uint32Array(cap);
          b.set(a);
          return b;
        };
        cellModel = g32(cellModel);
        cellQuestion = g32(cellQuestion);
        cellRows = g32(cellRows);
        cellFirstRow = g32(cellFirstRow);
        cellLastRow = g32(cellLastRow);
        const b = new Uint8Array(cap);
        b.set(cellTurn);
        cellTurn = b;
      }
      if (dense !== null) dense[m * nSlots + slot] = cell + 1;
      else (sparse as Map<number, number>[])[m]?.set(slot, cell);
      cellModel[cell] = m;
      cellQuestion[cell] = q;
      cellTurn[cell] = t;
      cellFirstRow[cell] = r;
    } else {
      modelDuplicates[m]++;
    }
    cellRows[cell]++;
    cellLastRow[cell] = r;
    cellOfRow[r] = cell;
  }

  const out: DedupedRows = {
    policy,
    rows: new Uint32Array(0),
    cellOfRow,
    nCells,
    cellModel: cellModel.subarray(0, nCells),
    cellQuestion: cellQuestion.subarray(0, nCells),
    cellTurn: cellTurn.subarray(0, nCells),
    cellRows: cellRows.subarray(0, nCells),
    cellFirstRow: cellFirstRow.subarray(0, nCells),
    cellLastRow: cellLastRow.subarray(0, nCells),
    modelRows,
    modelDuplicates,
    modelDropped: policy === "all" || policy === "error" ? new Uint32Array(nModels) : modelDuplicates.slice(),
  };
  if (policy === "error") throwOnDuplicates(cols, out);
  if (policy === "all" || policy === "error") out.rows = Uint32Array.from({ length: n }, (_, r) => r);
  else if (policy === "first") out.rows = out.cellFirstRow.slice(); // first rows appear in file order
  else out.rows = out.cellLastRow.slice().sort();
  return out;
}

function throwOnDuplicates(cols: JudgmentColumns, d: DedupedRows): void {
  const dups: number[] = [];
  for (let c = 0; c < d.nCells; c++) if ((d.cellRows[c] as number) > 1) dups.push(c);
  if (dups.length === 0) return;
  // Examples model by model (models in first-seen order), cells in first-seen order within one.
  const shown = dups
    .sort((a, b) => (d.cellModel[a] as number) - (d.cellModel[b] as number) || a - b)
    .slice(0, 5)
    .map((c) => {
      const model = cols.models[d.cellModel[c] as number] as string;
      const question = String(cols.questionIds[d.cellQuestion[c] as number]);
      const lines = `${cols.line[d.cellFirstRow[c] as number]}..${cols.line[d.cellLastRow[c] as number]}`;
      return `(${model}, question ${question}, turn ${d.cellTurn[c]}) x${d.cellRows[c]}, lines ${lines}`;
    });
  throw new InputError(
    { file: cols.file },
    `${dups.length} duplicated (model, question, turn) keys (cells with several rows) under the dedupe policy "error" (--dedupe error), e.g. ${shown.join("; ")}. ` +
      `Choose a policy: all (FastChat show_result.py), last (URIAL show_results.py) or first.`,
  );
}
