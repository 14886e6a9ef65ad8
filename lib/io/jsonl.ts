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
 * Streams a JSON Lines file in chunks; memory stays bounded by the longest line, whatever the
 * file's size. The I/O edge for every JSONL loader.
 */
export async function* streamJsonlFile(file: string, chunkBytes = 1 << 22): AsyncGenerator<JsonlRow> {
  const stream = fs.createReadStream(file, { highWaterMark: chunkBytes });
  let carry: Buffer | null = null;
  let line = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
        line++;
        let end = nl;
        if (end > start && buf[end - 1] === 0x0d) end--;
        if (end > start) {
          const s = buf.toString("utf8", start, end);
          if (!isBlank(s)) yield { line, value: parseLine(s, file, line) };
        }
        start = nl + 1;
      }
      carry = start < buf.length ? buf.subarray(start) : null;
      buf = Buffer.alloc(0);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError({ file }, "file not found");
    throw e;
  } finally {
    stream.destroy();
  }
  if (carry !== null && carry.length > 0) {
    line++;
    let s = carry.toString("utf8");
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
