/**
 * CSV (RFC 4180): quoted fields, doubled quotes, CRLF or LF line ends. `parseCsv` is pure and
 * returns records keyed by the header; errors name the file and line. `formatCsv` writes the
 * same dialect.
 */
import { InputError } from "../model/errors";

export interface CsvTable {
  header: string[];
  /** Each record with its 1-based line number in the source. */
  rows: { line: number; values: Record<string, string> }[];
}

function splitRecords(text: string, file: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let sawAny = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (cell.length > 0) throw new InputError({ file, line }, "a quote inside an unquoted field");
      inQuotes = true;
      sawAny = true;
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
      sawAny = true;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      if (sawAny || cell.length > 0) {
        cells.push(cell);
        out.push({ line: recordLine, cells });
      }
      cells = [];
      cell = "";
      sawAny = false;
      line++;
      recordLine = line;
    } else {
      cell += ch;
      sawAny = true;
    }
  }
  if (inQuotes) throw new InputError({ file, line: recordLine }, "unterminated quoted field");
  if (sawAny || cell.length > 0) {
    cells.push(cell);
    out.push({ line: recordLine, cells });
  }
  return out;
}

/** Parses CSV text with a header row. Every record must have as many fields as the header. */
export function parseCsv(text: string, file = "<csv>"): CsvTable {
  const records = splitRecords(text.startsWith("\ufeff") ? text.slice(1) : text, file);
  const first = records[0];
  if (first === undefined) throw new InputError({ file }, "empty CSV (no header row)");
  const header = first.cells;
  const rows = records.slice(1).map((r) => {
    if (r.cells.length !== header.length) {
      throw new InputError({ file, line: r.line }, `expected ${header.length} fields (${header.join(",")}), got ${r.cells.length}`);
    }
    const values: Record<string, string> = {};
    header.forEach((h, i) => (values[h] = r.cells[i] as string));
    return { line: r.line, values };
  });
  return { header, rows };
}

function quote(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Formats records as CSV with the given column order; null/undefined become empty cells. */
export function formatCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? "" : quote(String(v)));
  return [columns.map(quote).join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}
