/**
 * Rough edges of the command line (issue 11, item 10), each through the real bin/icl-workbench:
 * clear errors instead of stack traces, one text policy for every input (a UTF-8 BOM is
 * stripped, invalid UTF-8 is an error with line and byte offset, CRLF URIAL prompts are
 * normalized), strict numbers and negative values after a space.
 * Wilcoxon reference: scipy 1.17.1 `scipy.stats.wilcoxon([-1, 2, 3])` -> statistic 1.0,
 * pvalue 0.5 (exact), as in test/stats/wilcoxonCli.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseJsonl, streamJsonlFile } from "../../lib/io/jsonl";
import { parseDecimal } from "../../lib/cli/args";
import { parseSeeds } from "../../lib/cli/commands/hiddenJob";
import { decodeUtf8, firstInvalidUtf8 } from "../../lib/io/text";
import { InputError } from "../../lib/model/errors";
import { fromRepo } from "../../lib/paths";
import { hasStackTrace, runCli } from "../support/cli";
import { tempDir } from "../helpers";

const URIAL_LIKE = 'Rules: answer under "# Answer:".\n\n# Query:\n```\nHi?\n```\n\n# Answer:\n```\nHello!\n```\n\n# Query:\n```\nQ2\n```\n\n# Answer:\n```\nA2\n```\n';

test("hidden-sims on a dump with an all-zero state: an error naming the shard, run, situation and state, no stack trace", async () => {
  const dir = tempDir();
  const src = fromRepo("test", "fixtures", "hidden", "single");
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const st = path.join(dir, "hidden.safetensors");
  const bytes = fs.readFileSync(st);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8")) as Record<string, { shape: number[]; data_offsets: [number, number] }>;
  const h = header["hidden"];
  assert.ok(h);
  const [runs, conds, states, size] = h.shape as [number, number, number, number];
  assert.deepEqual([runs, conds, states, size], [6, 3, 3, 64]);
  // run 2, condition 1 (icl), last state (2): zero it
  const start = 8 + n + h.data_offsets[0] + ((2 * conds + 1) * states + 2) * size * 4;
  bytes.fill(0, start, start + size * 4);
  fs.writeFileSync(st, bytes);
  const manifestFile = path.join(dir, "manifest.json");
  const m = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { files: { sha256: string }[] };
  (m.files[0] as { sha256: string }).sha256 = `sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`;
  fs.writeFileSync(manifestFile, JSON.stringify(m));

  const r = await runCli(["hidden-sims", "--dump", dir, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  assert.match(r.stderr, /field "hidden": the icl hidden state of run 2 \(id [^)]*\) at state 2 of 0\.\.2 is all zeros/);
  assert.ok(r.stderr.includes(dir), r.stderr);
});

test("a UTF-8 BOM is stripped in JSONL (text and stream) as in JSON and CSV; invalid UTF-8 is an error with line and byte offset", async () => {
  const rows = '{"a": 1}\n{"a": 2}\n';
  assert.deepEqual(Array.from(parseJsonl(`\ufeff${rows}`), (r) => r.value), [{ a: 1 }, { a: 2 }]);
  const dir = tempDir();
  const f = path.join(dir, "x.jsonl");
  fs.writeFileSync(f, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows)]));
  const got: unknown[] = [];
  for await (const r of streamJsonlFile(f, 4)) got.push(r.value); // tiny chunks: the BOM spans reads
  assert.deepEqual(got, [{ a: 1 }, { a: 2 }]);

  const bad = Buffer.from('{"a": 1}\n{"a": "x\xff"}\n', "latin1"); // 0xff at byte 17 (9 + 8), line 2
  assert.equal(firstInvalidUtf8(bad), 17);
  fs.writeFileSync(f, bad);
  await assert.rejects(
    async () => {
      for await (const r of streamJsonlFile(f)) void r;
    },
    (e: unknown) => e instanceof InputError && e.line === 2 && e.message.includes("byte 0xff at byte offset 17"),
  );
  assert.throws(() => decodeUtf8(bad, "b.jsonl"), /b\.jsonl:2: not valid UTF-8: byte 0xff at byte offset 17/);
  // overlong encodings and surrogates are invalid too (WHATWG)
  assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf])), 1);
  assert.equal(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80])), 0);
  assert.equal(firstInvalidUtf8(Buffer.from("héllo ✓ 😀")), -1);

  // through the CLI: a judgment file with a BOM scores; one with a bad byte names line and offset
  const j = path.join(dir, "gpt-4_single.jsonl");
  const row = JSON.stringify({ question_id: 81, model: "m", judge: ["gpt-4", "single-v1"], score: 8, turn: 1 });
  fs.writeFileSync(j, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${row}\n`)]));
  const ok = await runCli(["mtbench-scores", "--judgments", j, "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { models: { turn1: number }[] }).models[0]?.turn1, 8);
  const badFile = Buffer.concat([Buffer.from(`${row}\n`), Buffer.from('{"question_id": 82, "model": "m\xfe"}\n', "latin1")]);
  fs.writeFileSync(j, badFile);
  const no = await runCli(["mtbench-scores", "--judgments", j]);
  assert.equal(no.code, 1);
  assert.ok(no.stderr.includes(`${j}:2: not valid UTF-8: byte 0xfe at byte offset ${badFile.indexOf(0xfe)}`), no.stderr);
});

test("a CRLF URIAL prompt is accepted and normalized to LF; a rules-only prompt (no demos) parses", async () => {
  const dir = tempDir();
  const lf = path.join(dir, "lf.txt");
  const crlf = path.join(dir, "crlf.txt");
  fs.writeFileSync(lf, URIAL_LIKE);
  fs.writeFileSync(crlf, URIAL_LIKE.replace(/\n/g, "\r\n"));
  const a = await runCli(["prompt", "--base", lf]);
  const b = await runCli(["prompt", "--base", crlf]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, a.stdout);
  assert.equal(a.stdout, URIAL_LIKE);
  const rules = await runCli(["prompt", "--base", crlf, "--ablation", "no_demos"]);
  assert.equal(rules.code, 0, rules.stderr);
  assert.equal(rules.stdout, 'Rules: answer under "# Answer:".\n\n');
});

test("numbers: --x=0x10 is refused (not 16), --shift -1 and --x -1,2,3 work after a space; reproduce --dump hints --dumps", async () => {
  assert.ok(Number.isNaN(parseDecimal("0x10")));
  assert.ok(Number.isNaN(parseDecimal("1_000")));
  assert.ok(Number.isNaN(parseDecimal("Infinity")));
  assert.ok(Number.isNaN(parseDecimal("")));
  assert.equal(parseDecimal(" -1.5e2 "), -150);
  assert.equal(parseDecimal(".5"), 0.5);

  const hex = await runCli(["wilcoxon", "--x=0x10,1,2"]);
  assert.equal(hex.code, 2);
  assert.match(hex.stderr, /--x: entry 1 \("0x10"\) is not a finite number/);
  assert.throws(() => parseSeeds("0x10"), /--seeds: "0x10" is not an integer/);
  assert.deepEqual(parseSeeds("1,2"), [1, 2]);

  const neg = await runCli(["wilcoxon", "--x", "-1,2,3", "--json"]);
  assert.equal(neg.code, 0, neg.stderr);
  const o = JSON.parse(neg.stdout) as { statistic: number; p_value: number };
  assert.equal(o.statistic, 1);
  assert.equal(o.p_value, 0.5);

  const dir = tempDir();
  const base = path.join(dir, "p.txt");
  fs.writeFileSync(base, URIAL_LIKE);
  const spaced = await runCli(["prompt", "--base", base, "--ablation", "circular_shift", "--shift", "-1"]);
  const joined = await runCli(["prompt", "--base", base, "--ablation", "circular_shift", "--shift=-1"]);
  assert.equal(spaced.code, 0, spaced.stderr);
  assert.equal(spaced.stdout, joined.stdout);
  assert.ok(spaced.stdout.includes("# Query:\n```\nHi?\n```\n\n# Answer:\n```\nA2\n```"), spaced.stdout); // Q1 gets A2 with a shift of -1 over 2 demos

  const hint = await runCli(["reproduce", "--dump", dir]);
  assert.equal(hint.code, 2);
  assert.match(hint.stderr, /unknown option --dump; did you mean --dumps\?/);
});
