/**
 * Loaders for the published tables in data/paper/ (see data/paper/README.md for provenance).
 * `parseX(text, file)` are pure; `loadX()` read the bundled CSV from the repository.
 */
import { InputError } from "../model/errors";
import { MTBENCH_CATEGORIES, type PublishedCategoryRow, type PublishedTurnRow } from "../model/paper";
import { fromRepo } from "../paths";
import { type CsvTable, parseCsv } from "./csv";
import { readTextFile } from "./jsonl";

type Row = CsvTable["rows"][number];

function num(r: Row, field: string, file: string): number | null {
  const v = r.values[field];
  if (v === undefined) throw new InputError({ file, line: r.line, field }, "column missing");
  if (v.trim() === "") return null;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new InputError({ file, line: r.line, field }, `expected a number, got "${v}"`);
  return x;
}

function str(r: Row, field: string, file: string, allowed?: readonly string[]): string {
  const v = r.values[field];
  if (v === undefined || v === "") throw new InputError({ file, line: r.line, field }, "is required");
  if (allowed && !allowed.includes(v)) throw new InputError({ file, line: r.line, field }, `expected one of ${allowed.join(", ")}, got "${v}"`);
  return v;
}

function keyColumns(r: Row, file: string) {
  return {
    rowLabel: str(r, "row_label", file),
    baseModel: str(r, "base_model", file),
    setting: str(r, "setting", file, ["urial", "instruct"]) as "urial" | "instruct",
    source: str(r, "source", file, ["urial_repo", "this_paper"]) as "urial_repo" | "this_paper",
  };
}

/** Table 2: `row_label,base_model,setting,source,turn1,turn2,average`. */
export function parsePublishedTurnTable(text: string, file = "<table2.csv>"): PublishedTurnRow[] {
  return parseCsv(text, file).rows.map((r) => ({
    ...keyColumns(r, file),
    turn1: num(r, "turn1", file),
    turn2: num(r, "turn2", file),
    average: num(r, "average", file),
  }));
}

/** Table 7: `row_label,base_model,setting,source,<8 categories>,average`. */
export function parsePublishedCategoryTable(text: string, file = "<table7.csv>"): PublishedCategoryRow[] {
  return parseCsv(text, file).rows.map((r) => {
    const byCategory: Record<string, number | null> = {};
    for (const c of MTBENCH_CATEGORIES) byCategory[c] = num(r, c, file);
    return { ...keyColumns(r, file), byCategory, average: num(r, "average", file) };
  });
}

/** Path of a bundled published table, e.g. `paperTablePath("table2")`. */
export function paperTablePath(name: string): string {
  return fromRepo("data", "paper", `${name}.csv`);
}

/** Zhao et al. Table 2 as bundled in data/paper/table2.csv. */
export function loadPublishedTable2(path = paperTablePath("table2")): PublishedTurnRow[] {
  return parsePublishedTurnTable(readTextFile(path), path);
}

/** Zhao et al. Table 7 as bundled in data/paper/table7.csv. */
export function loadPublishedTable7(path = paperTablePath("table7")): PublishedCategoryRow[] {
  return parsePublishedCategoryTable(readTextFile(path), path);
}

/** Any bundled table as raw string records (for tables without a typed loader yet). */
export function loadPaperTable(name: string): Record<string, string>[] {
  const path = paperTablePath(name);
  return parseCsv(readTextFile(path), path).rows.map((r) => r.values);
}
