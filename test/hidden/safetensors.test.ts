/**
 * The safetensors reader against files written by the Python `safetensors` package
 * (test/fixtures/hidden, written by `python3 -m backend.make_fixtures`) and against damaged files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  decodeTensor,
  encodeSafetensors,
  formatTensorIndex,
  loadSafetensors,
  loadTensor,
  parseSafetensors,
  readSafetensorsHeader,
} from "../../lib/io/safetensors";
import { InputError } from "../../lib/model/errors";
import { fromRepo } from "../../lib/paths";
import { tempDir } from "../helpers";

const FIX = fromRepo("test", "fixtures", "hidden");

/** A file from an arbitrary header object and data bytes (for malformed headers). */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const h = Buffer.from(headerText ?? JSON.stringify(header), "utf8");
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function rejects(bytes: Uint8Array, pattern: RegExp, opts: { allowNonFinite?: boolean } = {}): void {
  assert.throws(
    () => parseSafetensors(bytes, { file: "bad.safetensors", ...opts }),
    (e: unknown) => {
      assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
      assert.match(e.message, /^bad\.safetensors/);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

test("decodes every dtype written by safetensors.torch.save_file to the values torch holds", () => {
  const expected = JSON.parse(fs.readFileSync(path.join(FIX, "dtypes.json"), "utf8")) as {
    tensors: Record<string, { shape: number[]; values: number[] }>;
  };
  const f = loadSafetensors(path.join(FIX, "dtypes.safetensors"));
  assert.deepEqual(f.header.metadata, { written_by: "safetensors.torch.save_file" });
  assert.deepEqual([...f.tensors.keys()].sort(), Object.keys(expected.tensors).sort());
  for (const [name, want] of Object.entries(expected.tensors)) {
    const t = f.tensors.get(name);
    assert.ok(t, name);
    assert.deepEqual(t.shape, want.shape, name);
    assert.deepEqual(Array.from(t.data), want.values, name);
  }
  assert.equal(f.tensors.get("f16")?.dtype, "F16");
  assert.ok(f.tensors.get("bf16")?.data instanceof Float32Array);
  assert.ok(f.tensors.get("i64")?.data instanceof Float64Array);
  assert.ok(f.tensors.get("u8")?.data instanceof Int32Array);
});

test("encodeSafetensors round-trips and is read back by the strict parser", () => {
  const bytes = encodeSafetensors(
    [
      { name: "a", dtype: "F32", shape: [2, 2], data: [1, -2, 0.5, 3] },
      { name: "b", dtype: "I64", shape: [3], data: [0, -7, 2 ** 40] },
      { name: "c", dtype: "U8", shape: [1], data: [9] },
      { name: "d", dtype: "F64", shape: [], data: [Math.PI] },
      { name: "e", dtype: "I32", shape: [0], data: [] },
    ],
    { k: "v" },
  );
  assert.equal(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8, 0); // padded header
  const f = parseSafetensors(bytes);
  assert.deepEqual(f.header.metadata, { k: "v" });
  assert.deepEqual(Array.from(f.tensors.get("a")?.data ?? []), [1, -2, 0.5, 3]);
  assert.deepEqual(Array.from(f.tensors.get("b")?.data ?? []), [0, -7, 2 ** 40]);
  assert.deepEqual(Array.from(f.tensors.get("c")?.data ?? []), [9]);
  assert.deepEqual(Array.from(f.tensors.get("d")?.data ?? []), [Math.PI]);
  assert.deepEqual(f.tensors.get("e")?.shape, [0]);
});

test("reads the backend's hidden.safetensors header, and one tensor alone", () => {
  const p = path.join(FIX, "single", "hidden.safetensors");
  const h = readSafetensorsHeader(p);
  assert.equal(h.dataStart + h.dataLength, fs.statSync(p).size);
  const hidden = h.tensors.find((t) => t.name === "hidden");
  assert.deepEqual(hidden?.shape, [6, 3, 3, 64]);
  assert.equal(hidden?.dtype, "F32");
  assert.ok(h.metadata["job_hash"]?.startsWith("sha256:"));
  const whole = loadSafetensors(p).tensors.get("hidden");
  const one = loadTensor(p, "hidden");
  assert.deepEqual(one.data, whole?.data);
  assert.throws(() => loadTensor(p, "nope"), /field "nope": no such tensor/);
});

test("rejects truncated files with the cause", () => {
  const good = fs.readFileSync(path.join(FIX, "single", "hidden.safetensors"));
  rejects(good.subarray(0, good.length - 10), /truncated: the tensors need \d+ bytes of data but the file holds \d+/);
  rejects(good.subarray(0, 50), /truncated: the header is \d+ bytes but the file has only 42 after the length/);
  rejects(good.subarray(0, 5), /truncated: 5 bytes, but a safetensors file starts with an 8-byte header length/);
  const dir = tempDir();
  const p = path.join(dir, "cut.safetensors");
  fs.writeFileSync(p, good.subarray(0, good.length - 1));
  assert.throws(() => loadSafetensors(p), (e: unknown) => e instanceof InputError && e.file === p && /truncated/.test(e.message));
  assert.throws(() => readSafetensorsHeader(p), /truncated/);
});

test("rejects headers that do not describe the data", () => {
  const data8 = new Uint8Array(8);
  rejects(rawFile(null, data8, "[1, 2]"), /header must be a JSON object starting with/);
  rejects(rawFile(null, data8, "{not json"), /header is not valid JSON/);
  rejects(rawFile({ x: { dtype: "F8_E4M3", shape: [8], data_offsets: [0, 8] } }, data8), /field "x": unsupported dtype "F8_E4M3"/);
  rejects(rawFile({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, data8), /field "x": F32 \[3\] needs 12 bytes but data_offsets \[0, 8\] span 8/);
  rejects(rawFile({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 8] } }, data8), /field "x": shape must be an array of non-negative integers/);
  rejects(rawFile({ x: { dtype: "F32", shape: [2], data_offsets: [8, 0] } }, data8), /data_offsets must be|end before they begin/);
  rejects(rawFile({ x: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, data8), /field "x": data_offsets \[4, 8\] leave a gap: the previous tensor ends at 0/);
  rejects(
    rawFile({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, y: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, data8),
    /overlap the previous tensor/,
  );
  rejects(rawFile({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, data8), /4 trailing bytes that no tensor covers/);
  rejects(rawFile({ __metadata__: { a: 1 } }, new Uint8Array(0)), /field "__metadata__.a": must be a string/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
  rejects(huge, /header length 1099511627776 exceeds the 100000000-byte limit/);
});

test("non-finite values are an error naming the tensor and index, unless allowed", () => {
  const bytes = fs.readFileSync(path.join(FIX, "nonfinite.safetensors"));
  rejects(bytes, /field "has_(nan|inf)": non-finite value (NaN|Infinity) at index \[(1, 2|1)\]/);
  assert.throws(() => parseSafetensors(bytes, { names: ["has_nan"] }), /field "has_nan": non-finite value NaN at index \[1, 2\]/);
  assert.throws(() => parseSafetensors(bytes, { names: ["has_inf"] }), /field "has_inf": non-finite value Infinity at index \[1\]/);
  const ok = parseSafetensors(bytes, { names: ["ok"] });
  assert.deepEqual([...ok.tensors.keys()], ["ok"]);
  const all = parseSafetensors(bytes, { allowNonFinite: true });
  assert.ok(Number.isNaN(all.tensors.get("has_nan")?.data[5]));
  assert.equal(all.tensors.get("has_inf")?.data[1], Infinity);
  assert.throws(() => parseSafetensors(bytes, { names: ["missing"] }), /field "missing": no such tensor/);
});

test("I64 beyond 2^53 is refused rather than rounded; unaligned data is decoded correctly", () => {
  const raw = new Uint8Array(8);
  new DataView(raw.buffer).setBigInt64(0, 2n ** 60n, true);
  assert.throws(
    () => decodeTensor({ name: "big", dtype: "I64", shape: [1], begin: 0, end: 8 }, raw, { file: "f" }),
    /field "big": I64 value 1152921504606846976 at \[0\] is beyond 2\^53/,
  );
  const buf = new Uint8Array(9);
  new DataView(buf.buffer).setFloat32(1, 1.5, true);
  new DataView(buf.buffer).setFloat32(5, -2, true);
  const t = decodeTensor({ name: "u", dtype: "F32", shape: [2], begin: 0, end: 8 }, buf.subarray(1));
  assert.deepEqual(Array.from(t.data), [1.5, -2]);
  assert.equal(formatTensorIndex([2, 3, 4], 23), "[1, 2, 3]");
});
