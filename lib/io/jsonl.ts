/**
 * JSON Lines: pure parsing of text (`parseJsonl`) and streaming of files
 * (`streamJsonlFile`), both yielding `{line, value}` with 1-based line numbers. Blank lines are
 * skipped; a line that is not JSON is an InputError naming the file and line. The text policy
 * of lib/io/text.ts holds here too: a leading UTF-8 BOM is stripped, invalid UTF-8 is an
 * InputError with the line and byte offset; CRLF line ends are accepted. A directory given
 * where a file is expected is an InputError that lists the directory's JSONL files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isUtf8 } from "node:buffer";
import { InputError } from "../model/errors";
import { decodeUtf8, firstInvalidUtf8, hasUtf8Bom, invalidUtf8Error } from "./text";

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
  let start = text.startsWith("\ufeff") ? 1 : 0;
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
    if ((await fh.stat()).isDirectory()) {
      await fh.close();
      throw directoryError(file);
    }
  } catch (e) {
    throw fileOpenError(e, file);
  }
  let buf = Buffer.allocUnsafe(Math.max(1, chunkBytes));
  let filled = 0; // buf[0, filled) holds the start of a line not yet ended
  let line = 0;
  let consumed = 0; // file offset of buf[0]
  let first = true;
  const decode = (from: number, to: number): string => {
    const bytes = buf.subarray(from, to);
    if (!isUtf8(bytes)) {
      const bad = from + Math.max(0, firstInvalidUtf8(bytes));
      throw invalidUtf8Error(file, line, consumed + bad, buf[bad]);
    }
    return buf.toString("utf8", from, to);
  };
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
      if (first && end >= 3) {
        first = false;
        if (hasUtf8Bom(data)) start = 3;
      }
      for (let nl = data.indexOf(NEWLINE, filled); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
        line++;
        let stop = nl;
        if (stop > start && data[stop - 1] === 0x0d) stop--;
        if (stop > start) {
          const s = decode(start, stop);
          if (!isBlank(s)) yield { line, value: parseLine(s, file, line) };
        }
        start = nl + 1;
      }
      if (start > 0) buf.copyWithin(0, start, end);
      consumed += start;
      if (consumed > 0) first = false;
      filled = end - start;
    }
  } finally {
    await fh.close();
  }
  if (filled > 0) {
    line++;
    const bom = first && hasUtf8Bom(buf.subarray(0, filled)) ? 3 : 0;
    let s = decode(bom, filled);
    if (s.endsWith("\r")) s = s.slice(0, -1);
    if (!isBlank(s)) yield { line, value: parseLine(s, file, line) };
  }
}

/** "is a directory" with the JSONL files inside it, so the user can pick the one meant. */
function directoryError(file: string): InputError {
  let inside: string[] = [];
  try {
    inside = fs.readdirSync(file).filter((f) => f.endsWith(".jsonl") || f.endsWith(".json")).sort();
  } catch {
    inside = [];
  }
  const hint = inside.length === 0 ? "" : `; it holds ${inside.slice(0, 5).map((f) => path.join(file, f)).join(", ")}${inside.length > 5 ? ", ..." : ""}`;
  return new InputError({ file }, `is a directory, expected a file${hint}`);
}

/** A missing, unreadable or directory path as an InputError naming it (other errors unchanged). */
function fileOpenError(e: unknown, file: string): unknown {
  if (e instanceof InputError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new InputError({ file }, "file not found");
  if (code === "EISDIR") return directoryError(file);
  if (code === "EACCES") return new InputError({ file }, "permission denied");
  return e;
}

/**
 * Reads a whole text file as strict UTF-8 (a leading BOM stripped, invalid bytes an error with
 * line and byte offset), turning a missing file or a directory into an InputError naming it.
 */
export function readTextFile(file: string): string {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw fileOpenError(e, file);
  }
  return decodeUtf8(buf, file);
}
