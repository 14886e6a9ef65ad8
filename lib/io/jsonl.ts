/**
 * JSON Lines: pure parsing of text (`parseJsonl`) and streaming of files
 * (`streamJsonlFile`), both yielding `{line, value}` with 1-based line numbers. Blank lines are
 * skipped; a line that is not JSON is an InputError naming the file and line.
 */
import * as fs from "node:fs";
import { InputError } from "../model/errors";

export interface JsonlRow {
  line: number;
  value: unknown;
}

function parseLine(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    throw new InputError({ file, line }, `not valid JSON (${why}): ${shown}`);
  }
}

function isBlank(s: string): boolean {
  return s.trim().length === 0;
}

/** Parses JSON Lines text; `file` only labels errors. */
export function* parseJsonl(text: string, file = "<string>"): Generator<JsonlRow> {
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    line++;
    let s = text.slice(start, end);
    if (s.endsWith("\r")) s = s.slice(0, -1);
    if (!isBlank(s)) yield { line, value: parseLine(s, file, line) };
    start = end + 1;
  }
}

const NEWLINE = 0x0a;

/**
 * Streams a JSON Lines file; memory stays bounded by `chunkBytes` or the longest line, whatever
 * the file's size. The file is read into one reused buffer (grown only for a line longer than
 * it), so reading allocates nothing per chunk; each row's text becomes garbage once parsed. The
 * I/O edge for every JSONL loader.
 */
export async function* streamJsonlFile(file: string, chunkBytes = 1 << 20): AsyncGenerator<JsonlRow> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new InputError({ file }, "file not found");
    throw e;
  }
  let buf = Buffer.allocUnsafe(Math.max(1, chunkBytes));
  let filled = 0; // buf[0, filled) holds the start of a line not yet ended
  let line = 0;
  try {
    for (;;) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, null);
      if (bytesRead === 0) break;
      const end = filled + bytesRead;
      const data = buf.subarray(0, end);
      let start = 0;
      for (let nl = data.indexOf(NEWLINE, filled); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
        line++;
        let stop = nl;
        if (stop > start && data[stop - 1] === 0x0d) stop--;
        if (stop > start) {
          const s = data.toString("utf8", start, stop);
          if (!isBlank(s)) yield { line, value: parseLine(s, file, line) };
        }
        start = nl + 1;
      }
      if (start > 0) buf.copyWithin(0, start, end);
      filled = end - start;
    }
  } finally {
    await fh.close();
  }
  if (filled > 0) {
    line++;
    let s = buf.toString("utf8", 0, filled);
    if (s.endsWith("\r")) s = s.slice(0, -1);
    if (!isBlank(s)) yield { line, value: parseLine(s, file, line) };
  }
}

/** Reads a whole text file, turning a missing file into an InputError naming it. */
export function readTextFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new InputError({ file }, "file not found");
    throw e;
  }
}
