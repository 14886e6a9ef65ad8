/**
 * Crash-safe append-only JSON Lines files: the storage of every long-running experiment
 * (answers, judgments, search logs).
 *
 * - One record is one line, written with a single `write` of the full line (or of several
 *   full lines, see group commit below) followed by `fsync`; an append resolves only after the
 *   fsync that covers it, so a record the caller saw as written survives `kill -9` and power loss.
 * - Opening a file recovers from a kill in the middle of a write: an unterminated trailing
 *   fragment is dropped and truncated away before anything is appended, so the file never holds
 *   a half record followed by a whole one. Any other line that is not JSON is an InputError
 *   naming the file and line (a corrupted file is not silently "repaired").
 * - Group commit: appends that arrive while an fsync is in flight are written together in the
 *   next single write + fsync, so throughput does not collapse to one fsync per request when
 *   64 requests finish at once.
 * - One writer: opening takes the output's lock (outputLock.ts; refused while another live
 *   process writes the file), closing releases it.
 * - No secrets: every record is redacted with the registered API keys before it is written
 *   (a key a server echoed inside a 200 response never reaches the file).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError } from "../model/errors";
import { type JsonlRow, parseJsonl } from "../io/jsonl";
import { writeFileAtomic } from "../io/atomic";
import { acquireOutputLock, type OutputLock } from "./outputLock";
import { redactKnownSecrets } from "./secrets";

/** What {@link readAppendLog} found in an existing file. */
export interface AppendLogContents {
  /** Complete records, in file order, with 1-based line numbers. */
  rows: JsonlRow[];
  /** Byte length of the complete lines (where the next append starts). */
  validBytes: number;
  /** Bytes of an unterminated trailing fragment (a torn write), 0 when the file ends cleanly. */
  tornBytes: number;
  /**
   * True when the file's last line is a whole JSON object that only lacks its newline (a file
   * written by hand or by a tool that omits the final newline): it is kept in `rows`, and
   * opening the log adds the newline instead of truncating.
   */
  missingFinalNewline: boolean;
}

function isWholeJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/**
 * Reads an append-only JSONL file without modifying it. A missing file reads as empty. An
 * unterminated last line that is not a whole JSON object is a torn write: it is reported in
 * `tornBytes` and left out of `rows`. (No proper prefix of a JSON object is itself a JSON
 * object, so a torn record can never be mistaken for a whole one.)
 */
export function readAppendLog(file: string): AppendLogContents {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { rows: [], validBytes: 0, tornBytes: 0, missingFinalNewline: false };
    throw e;
  }
  const validBytes = buf.lastIndexOf(0x0a) + 1;
  const tail = buf.toString("utf8", validBytes);
  if (tail.trim().length > 0 && isWholeJsonObject(tail)) {
    return { rows: Array.from(parseJsonl(buf.toString("utf8"), file)), validBytes: buf.length, tornBytes: 0, missingFinalNewline: true };
  }
  const rows = Array.from(parseJsonl(buf.toString("utf8", 0, validBytes), file));
  return { rows, validBytes, tornBytes: buf.length - validBytes, missingFinalNewline: false };
}

/** An open append-only JSONL file (see the module comment for the guarantees). */
export class AppendLog {
  /** Records that were complete in the file when it was opened. */
  readonly existing: JsonlRow[];
  /** Bytes of a torn trailing fragment that opening removed (0 when the file ended cleanly). */
  readonly truncatedBytes: number;
  private readonly fd: number;
  private pending: { line: Buffer; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  private failure: unknown = null;

  private constructor(readonly file: string, fd: number, existing: JsonlRow[], truncatedBytes: number, private readonly lock: OutputLock) {
    this.fd = fd;
    this.existing = existing;
    this.truncatedBytes = truncatedBytes;
  }

  /**
   * Opens (creating it and its directory if needed) `file` for appending: reads the complete
   * records, truncates a torn tail, and returns the log. Synchronous, so a caller builds its set
   * of finished keys before the first request.
   */
  static open(file: string): AppendLog {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lock = acquireOutputLock(file);
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o644);
    } catch (e) {
      lock.release();
      throw e;
    }
    try {
      const contents = readAppendLog(file);
      if (contents.tornBytes > 0) {
        fs.ftruncateSync(fd, contents.validBytes);
        fs.fsyncSync(fd);
      } else if (contents.missingFinalNewline) {
        fs.writeSync(fd, "\n");
        fs.fsyncSync(fd);
      }
      return new AppendLog(file, fd, contents.rows, contents.tornBytes, lock);
    } catch (e) {
      fs.closeSync(fd);
      lock.release();
      throw e;
    }
  }

  /** Appends one record (serialised with JSON.stringify); resolves once it is on disk. */
  append(record: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.file}: append after close`));
    if (this.failure !== null) return Promise.reject(this.failure);
    const raw = JSON.stringify(record) as string | undefined;
    const text = raw === undefined ? undefined : redactKnownSecrets(raw);
    if (text === undefined) return Promise.reject(new Error(`${this.file}: record is not serialisable as JSON`));
    if (text.includes("\n")) return Promise.reject(new Error(`${this.file}: serialised record contains a raw newline`));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: Buffer.from(text + "\n", "utf8"), resolve, reject });
      if (this.flushing === null) this.flushing = this.flushLoop();
    });
  }

  /** Waits for every pending append, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushing !== null) await this.flushing;
    this.closed = true;
    fs.closeSync(this.fd);
    this.lock.release();
  }

  private async flushLoop(): Promise<void> {
    // Yield once so appends issued in the same tick share the first write.
    await Promise.resolve();
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await writeAllAndSync(this.fd, Buffer.concat(batch.map((b) => b.line)));
        for (const b of batch) b.resolve();
      } catch (e) {
        this.failure = e;
        for (const b of [...batch, ...this.pending]) b.reject(e);
        this.pending = [];
      }
    }
    this.flushing = null;
  }
}

function writeAllAndSync(fd: number, buf: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const writeFrom = (offset: number): void => {
      fs.write(fd, buf, offset, buf.length - offset, null, (err, n) => {
        if (err) return reject(err);
        if (offset + n < buf.length) return writeFrom(offset + n);
        fs.fsync(fd, (e) => (e ? reject(e) : resolve()));
      });
    };
    writeFrom(0);
  });
}

/**
 * Moves the given lines (1-based) of a JSONL file to `<file>.stale-<nowMs>` (appended there)
 * and rewrites the file atomically without them; returns the aside file, or null when no line
 * was given. The caller holds the file's lock. Used when a rerun's inputs changed: the old rows
 * are kept for inspection, never mixed with the new ones.
 */
export function moveRowsAside(file: string, lines: ReadonlySet<number>, nowMs: number): string | null {
  if (lines.size === 0) return null;
  const text = fs.readFileSync(file, "utf8");
  const all = text.split("\n");
  const tail = all.pop() ?? ""; // "" after the final newline, a torn fragment (dropped), or a record without its newline
  if (tail.trim() !== "" && isWholeJsonObject(tail)) all.push(tail);
  const kept: string[] = [];
  const moved: string[] = [];
  all.forEach((l, i) => (lines.has(i + 1) ? moved : kept).push(l));
  const aside = `${file}.stale-${nowMs}`;
  fs.appendFileSync(aside, moved.map((l) => `${l}\n`).join(""));
  writeFileAtomic(file, kept.map((l) => `${l}\n`).join(""));
  return aside;
}

/** Throws an InputError naming the file and line when a record is not a JSON object. */
export function requireObjectRow(row: JsonlRow, file: string): Record<string, unknown> {
  if (typeof row.value !== "object" || row.value === null || Array.isArray(row.value)) {
    throw new InputError({ file, line: row.line }, "expected a JSON object");
  }
  return row.value as Record<string, unknown>;
}
