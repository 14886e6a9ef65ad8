/**
 * Strict UTF-8 decoding of input files, one policy for every loader (JSONL, JSON, CSV, prompts):
 *
 * - a UTF-8 byte order mark (EF BB BF) at the very start of a file is accepted and stripped
 *   (Windows editors write one; it is never part of the data);
 * - bytes that are not valid UTF-8 are an InputError naming the file, the line and the byte
 *   offset of the first bad byte: they are never replaced silently by U+FFFD.
 *
 * Line endings are left alone here (JSONL and CSV readers accept CRLF; URIAL prompts normalize
 * it, see lib/experiment/prompts.ts).
 *
 * Complexity: O(bytes) (node's native `isUtf8`; the bad byte is searched for only on failure).
 *
 * @example decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), "a.txt") // "a"
 */
import { isUtf8 } from "node:buffer";
import { InputError } from "../model/errors";

export const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** Whether `buf` starts with the UTF-8 byte order mark. */
export function hasUtf8Bom(buf: Uint8Array): boolean {
  return buf.length >= 3 && buf[0] === UTF8_BOM[0] && buf[1] === UTF8_BOM[1] && buf[2] === UTF8_BOM[2];
}

/** Length of the UTF-8 sequence starting with lead byte `b`, or 0 for a byte that cannot lead one. */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/**
 * Offset of the first byte of `buf` that does not start or continue a valid UTF-8 sequence
 * (overlong forms, surrogates and code points above U+10FFFF are invalid, as in WHATWG's
 * decoder), or -1 when all of `buf` is valid.
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] as number;
    const n = sequenceLength(b);
    if (n === 0) return i;
    if (n === 1) {
      i++;
      continue;
    }
    if (i + n > buf.length) return i;
    const b1 = buf[i + 1] as number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b === 0xe0) lo = 0xa0;
    else if (b === 0xed) hi = 0x9f;
    else if (b === 0xf0) lo = 0x90;
    else if (b === 0xf4) hi = 0x8f;
    if (b1 < lo || b1 > hi) return i;
    for (let k = 2; k < n; k++) {
      const c = buf[i + k] as number;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += n;
  }
  return -1;
}

/** 1-based line of byte `offset` in `buf` (counting "\n" bytes before it). */
function lineOfByte(buf: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (buf[i] === 0x0a) line++;
  return line;
}

/**
 * Decodes `buf` (a whole file) as strict UTF-8, stripping a leading BOM; `file` labels errors.
 */
export function decodeUtf8(buf: Uint8Array, file: string): string {
  const start = hasUtf8Bom(buf) ? 3 : 0;
  const body = start === 0 ? buf : buf.subarray(start);
  if (!isUtf8(body)) {
    const bad = start + Math.max(0, firstInvalidUtf8(body));
    throw invalidUtf8Error(file, lineOfByte(buf, bad), bad, buf[bad]);
  }
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

/** The InputError for a bad byte at file offset `offset` (0-based) on `line`. */
export function invalidUtf8Error(file: string, line: number, offset: number, byte: number | undefined): InputError {
  const hex = byte === undefined ? "end of data" : `0x${byte.toString(16).padStart(2, "0")}`;
  return new InputError({ file, line }, `not valid UTF-8: byte ${hex} at byte offset ${offset}; save the file as UTF-8 (bad bytes are never replaced silently)`);
}
