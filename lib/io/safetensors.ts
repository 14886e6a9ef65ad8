/**
 * safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
 * length N, N bytes of JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, ...,
 * "__metadata__": {string: string}}` (offsets relative to the data section), then the raw
 * little-endian data. No maintained npm reader exists, so this one validates strictly, with the
 * same rules as the Rust reference (`SafeTensors::deserialize`): header within the file, JSON
 * object, known dtypes, byte length = prod(shape) x dtype size, tensors contiguous from 0 with
 * no gap or overlap and covering the whole data section. Non-finite floats are an error naming
 * the tensor and index unless `allowNonFinite` is set.
 *
 * Decoded data: F32, F16, BF16 -> Float32Array; F64 -> Float64Array; I8, I16, I32, U8, U16,
 * BOOL -> Int32Array; I64, U32, U64 -> Float64Array of exact integers (an error beyond 2^53).
 *
 * `parseSafetensors(bytes)` is pure; `loadSafetensors(path)`, `readSafetensorsHeader(path)` and
 * `loadTensor(path, name)` are the file-system edge (the last two read only what they need).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { InputError } from "../model/errors";

export const SAFETENSORS_DTYPES = ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL"] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const DTYPE_SIZE: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};
/** The Rust reader's limit on the header size. */
export const MAX_HEADER_BYTES = 100_000_000;

export type TensorData = Float32Array | Float64Array | Int32Array;

/** One header entry; `begin`/`end` are byte offsets into the data section. */
export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** N, the JSON header's length in bytes. */
  headerLength: number;
  /** Byte offset of the data section in the file (8 + N). */
  dataStart: number;
  /** Length of the data section (file size - 8 - N). */
  dataLength: number;
  /** Tensors in data order (by `begin`). */
  tensors: TensorInfo[];
  metadata: Record<string, string>;
}

export interface Tensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorData;
}

export interface SafetensorsFile {
  header: SafetensorsHeader;
  tensors: Map<string, Tensor>;
}

export interface ReadOptions {
  /** Label used in error messages (the path when loading a file). */
  file?: string;
  /** Accept NaN and ±Infinity in float tensors instead of failing. */
  allowNonFinite?: boolean;
  /** Decode only these tensors (all are still validated in the header). */
  names?: readonly string[];
}

const LITTLE_ENDIAN_HOST = os.endianness() === "LE";

function fail(file: string, field: string | undefined, problem: string): InputError {
  return new InputError(field === undefined ? { file } : { file, field }, problem);
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** Product of a shape's dimensions (1 for a scalar `[]`). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Reads and validates the header from the first bytes of a file of `fileSize` bytes. `bytes`
 * must hold at least the 8-byte length and the JSON header (more is ignored).
 */
export function parseSafetensorsHeader(bytes: Uint8Array, fileSize: number, file = "<safetensors>"): SafetensorsHeader {
  if (fileSize < 8 || bytes.length < 8) {
    throw fail(file, undefined, `truncated: ${fileSize} bytes, but a safetensors file starts with an 8-byte header length`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) {
    throw fail(file, "header", `header length ${n64} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  }
  const headerLength = Number(n64);
  if (8 + headerLength > fileSize) {
    throw fail(file, "header", `truncated: the header is ${headerLength} bytes but the file has only ${fileSize - 8} after the length`);
  }
  if (bytes.length < 8 + headerLength) {
    throw fail(file, "header", `internal: ${bytes.length} bytes given, the header needs ${8 + headerLength}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw fail(file, "header", "the header is not valid UTF-8");
  }
  if (!text.startsWith("{")) throw fail(file, "header", "the header must be a JSON object starting with '{'");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw fail(file, "header", `the header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw fail(file, "header", "the header must be a JSON object");

  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw fail(file, name, "must be an object of strings");
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== "string") throw fail(file, `__metadata__.${k}`, `must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    tensors.push(parseEntry(name, entry, file));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const t of tensors) {
    if (t.begin !== expected) {
      throw fail(file, t.name, t.begin < expected
        ? `data_offsets [${t.begin}, ${t.end}] overlap the previous tensor (which ends at ${expected})`
        : `data_offsets [${t.begin}, ${t.end}] leave a gap: the previous tensor ends at ${expected}`);
    }
    expected = t.end;
  }
  if (expected > dataLength) {
    const last = tensors[tensors.length - 1];
    throw fail(file, last?.name, `truncated: the tensors need ${expected} bytes of data but the file holds ${dataLength}`);
  }
  if (expected < dataLength) {
    throw fail(file, "header", `the data section has ${dataLength - expected} trailing bytes that no tensor covers`);
  }
  return { headerLength, dataStart, dataLength, tensors, metadata };
}

function parseEntry(name: string, entry: unknown, file: string): TensorInfo {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw fail(file, name, "header entry must be an object");
  const e = entry as Record<string, unknown>;
  const dtype = e["dtype"];
  if (typeof dtype !== "string" || !(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
    throw fail(file, name, `unsupported dtype ${JSON.stringify(dtype)} (supported: ${SAFETENSORS_DTYPES.join(", ")})`);
  }
  const shape = e["shape"];
  if (!Array.isArray(shape) || !shape.every(isNonNegInt)) {
    throw fail(file, name, `shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const offsets = e["data_offsets"];
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt)) {
    throw fail(file, name, `data_offsets must be [begin, end] (non-negative integers), got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw fail(file, name, `data_offsets [${begin}, ${end}] end before they begin`);
  const d = dtype as SafetensorsDtype;
  const want = numel(shape as number[]) * DTYPE_SIZE[d];
  if (end - begin !== want) {
    throw fail(file, name, `${d} ${JSON.stringify(shape)} needs ${want} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, dtype: d, shape: shape as number[], begin, end };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decodes one tensor's raw little-endian bytes (exactly its byte range). */
export function decodeTensor(info: TensorInfo, raw: Uint8Array, opts: ReadOptions = {}): Tensor {
  const file = opts.file ?? "<safetensors>";
  const n = numel(info.shape);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size = DTYPE_SIZE[info.dtype];
  const aligned = LITTLE_ENDIAN_HOST && raw.byteOffset % size === 0;
  let data: TensorData;
  switch (info.dtype) {
    case "F32":
      if (aligned) data = new Float32Array(raw.buffer, raw.byteOffset, n).slice();
      else {
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = dv.getFloat32(4 * i, true);
      }
      break;
    case "F64":
      if (aligned) data = new Float64Array(raw.buffer, raw.byteOffset, n).slice();
      else {
        data = new Float64Array(n);
        for (let i = 0; i < n; i++) data[i] = dv.getFloat64(8 * i, true);
      }
      break;
    case "BF16": {
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = dv.getUint16(2 * i, true) << 16;
      data = new Float32Array(bits.buffer);
      break;
    }
    case "F16":
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = halfToFloat(dv.getUint16(2 * i, true));
      break;
    case "I32":
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = dv.getInt32(4 * i, true);
      break;
    case "I16":
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = dv.getInt16(2 * i, true);
      break;
    case "I8":
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = dv.getInt8(i);
      break;
    case "U16":
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = dv.getUint16(2 * i, true);
      break;
    case "U8":
      data = Int32Array.from(raw.subarray(0, n));
      break;
    case "BOOL":
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const b = raw[i] ?? 0;
        if (b > 1) throw fail(file, info.name, `BOOL value ${b} at ${formatTensorIndex(info.shape, i)} is not 0 or 1`);
        data[i] = b;
      }
      break;
    case "U32":
      data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = dv.getUint32(4 * i, true);
      break;
    case "I64":
    case "U64": {
      data = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = info.dtype === "I64" ? dv.getBigInt64(8 * i, true) : dv.getBigUint64(8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw fail(file, info.name, `${info.dtype} value ${v} at ${formatTensorIndex(info.shape, i)} is beyond 2^53 and cannot be read exactly`);
        }
        data[i] = Number(v);
      }
      break;
    }
  }
  if (!opts.allowNonFinite && (info.dtype === "F32" || info.dtype === "F64" || info.dtype === "F16" || info.dtype === "BF16")) {
    for (let i = 0; i < n; i++) {
      const v = data[i] as number;
      if (!Number.isFinite(v)) {
        throw fail(file, info.name, `non-finite value ${v} at index ${formatTensorIndex(info.shape, i)} (pass allowNonFinite to accept NaN/Inf)`);
      }
    }
  }
  return { name: info.name, dtype: info.dtype, shape: [...info.shape], data };
}

/** `[i, j, ...]` of the flat (row-major) position `flat` in `shape`. */
export function formatTensorIndex(shape: readonly number[], flat: number): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d] as number;
    idx.unshift(s === 0 ? 0 : flat % s);
    flat = s === 0 ? 0 : Math.floor(flat / s);
  }
  return `[${idx.join(", ")}]`;
}

/** Parses a whole safetensors file held in memory. */
export function parseSafetensors(bytes: Uint8Array, opts: ReadOptions = {}): SafetensorsFile {
  const file = opts.file ?? "<safetensors>";
  const header = parseSafetensorsHeader(bytes, bytes.length, file);
  const wanted = opts.names === undefined ? undefined : new Set(opts.names);
  if (wanted !== undefined) {
    for (const w of wanted) {
      if (!header.tensors.some((t) => t.name === w)) throw fail(file, w, `no such tensor (the file holds ${header.tensors.map((t) => t.name).join(", ")})`);
    }
  }
  const tensors = new Map<string, Tensor>();
  for (const info of header.tensors) {
    if (wanted !== undefined && !wanted.has(info.name)) continue;
    const raw = bytes.subarray(header.dataStart + info.begin, header.dataStart + info.end);
    tensors.set(info.name, decodeTensor(info, raw, opts));
  }
  return { header, tensors };
}

/** A tensor to write: data in row-major order. */
export interface TensorToWrite {
  name: string;
  dtype: "F64" | "F32" | "I64" | "I32" | "U8";
  shape: number[];
  data: ArrayLike<number>;
}

/**
 * Serialises tensors (in the given order) with optional string metadata; the header is padded
 * with spaces to a multiple of 8 bytes, as the Python package does.
 */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header["__metadata__"] = metadata;
  let offset = 0;
  for (const t of tensors) {
    const n = numel(t.shape);
    if (t.data.length !== n) throw new Error(`tensor "${t.name}": ${t.data.length} values for shape ${JSON.stringify(t.shape)}`);
    const bytes = n * DTYPE_SIZE[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const pad = (8 - (Buffer.byteLength(json) % 8)) % 8;
  json += " ".repeat(pad);
  const headerBytes = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i] as number;
      switch (t.dtype) {
        case "F64": dv.setFloat64(p, v, true); p += 8; break;
        case "F32": dv.setFloat32(p, v, true); p += 4; break;
        case "I64": dv.setBigInt64(p, BigInt(v), true); p += 8; break;
        case "I32": dv.setInt32(p, v, true); p += 4; break;
        case "U8": dv.setUint8(p, v); p += 1; break;
      }
    }
  }
  return out;
}

function readRange(fd: number, start: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, Math.min(length - done, 1 << 30), start + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** Reads a whole safetensors file (in chunks, so files over 2 GiB work up to the Buffer limit). */
export function loadSafetensors(path: string, opts: Omit<ReadOptions, "file"> = {}): SafetensorsFile {
  const fd = fs.openSync(path, "r");
  try {
    const size = fs.fstatSync(fd).size;
    return parseSafetensors(readRange(fd, 0, size), { ...opts, file: path });
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads and validates only the header of a file. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = fs.openSync(path, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const head = readRange(fd, 0, Math.min(size, 8));
    if (head.length < 8) return parseSafetensorsHeader(head, size, path);
    const n = Number(new DataView(head.buffer).getBigUint64(0, true));
    const bytes = readRange(fd, 0, Math.min(size, 8 + Math.min(n, MAX_HEADER_BYTES)));
    return parseSafetensorsHeader(bytes, size, path);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads one tensor, touching only the header and that tensor's bytes. */
export function loadTensor(path: string, name: string, opts: Omit<ReadOptions, "file" | "names"> = {}): Tensor {
  const header = readSafetensorsHeader(path);
  const info = header.tensors.find((t) => t.name === name);
  if (info === undefined) throw fail(path, name, `no such tensor (the file holds ${header.tensors.map((t) => t.name).join(", ")})`);
  const fd = fs.openSync(path, "r");
  try {
    return decodeTensor(info, readRange(fd, header.dataStart + info.begin, info.end - info.begin), { ...opts, file: path });
  } finally {
    fs.closeSync(fd);
  }
}
