import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { emptyManifestRow, mergeManifestRows, upsertManifestRows } from "../../lib/experiment/manifestRows";
import { Progress } from "../../lib/experiment/progress";
import { backoffMs, hashJitter, retryAfterMs, withRetries, RetriesExhaustedError, MalformedResponseError } from "../../lib/experiment/retry";
import { redactSecrets, readApiKey } from "../../lib/experiment/secrets";
import { resolvePrices, UsageMeter } from "../../lib/experiment/usage";
import { loadManifest } from "../../lib/io/manifest";
import { tempDir } from "../helpers";

function headers(h: Record<string, string>) {
  return { get: (k: string) => h[k.toLowerCase()] ?? null };
}

test("retryAfterMs: retry-after-ms, Retry-After seconds and HTTP dates", () => {
  const now = Date.parse("2024-01-01T00:00:00Z");
  assert.equal(retryAfterMs(headers({ "retry-after-ms": "250" }), now), 250);
  assert.equal(retryAfterMs(headers({ "retry-after": "3" }), now), 3000);
  assert.equal(retryAfterMs(headers({ "retry-after": "Mon, 01 Jan 2024 00:00:05 GMT" }), now), 5000);
  assert.equal(retryAfterMs(headers({ "retry-after": "soon" }), now), null);
  assert.equal(retryAfterMs(headers({}), now), null);
});

test("backoffMs: doubling from the base, jitter in [50%, 100%], capped; a server's wait wins but is capped", () => {
  const p = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(backoffMs(1, p, 1 - 1e-12, null) > 99, true);
  assert.equal(backoffMs(1, p, 0, null), 50);
  assert.equal(backoffMs(3, p, 0, null), 200);
  assert.equal(backoffMs(10, p, 0.5, null), 1000);
  assert.equal(backoffMs(1, p, 0, 700), 700);
  assert.equal(backoffMs(1, p, 0, 90_000), 1000);
  const j = hashJitter("key#1");
  assert.ok(j >= 0 && j < 1);
  assert.equal(hashJitter("key#1"), j, "deterministic");
});

test("withRetries: retries retryable errors up to maxAttempts, stops at once on others", async () => {
  const waits: number[] = [];
  let n = 0;
  const v = await withRetries(
    async () => {
      if (++n < 3) throw new MalformedResponseError("no choices");
      return "ok";
    },
    { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100 },
    { sleep: async (ms) => void waits.push(ms) },
  );
  assert.equal(v, "ok");
  assert.equal(waits.length, 2);
  let m = 0;
  await assert.rejects(
    withRetries(async () => {
      m++;
      throw new TypeError("bug");
    }, { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 }),
    (e: unknown) => e instanceof RetriesExhaustedError && e.attempts === 1 && !e.fatal,
  );
  assert.equal(m, 1);
});

test("Progress: one redrawn line on a terminal, plain periodic lines elsewhere", () => {
  let t = 0;
  const tty: string[] = [];
  const p = new Progress({ label: "judging", total: 4, write: (s) => tty.push(s), isTTY: true, now: () => t, ttyIntervalMs: 100 });
  for (let i = 0; i < 4; i++) {
    t += 60;
    p.tick();
  }
  p.finish();
  assert.ok(tty.every((s) => s.startsWith("\r")), "terminal output redraws in place");
  assert.equal(tty.filter((s) => s.includes("\n")).length, 1, "one newline, at the end");
  assert.match(tty[tty.length - 1] ?? "", /judging \[#+\] 4\/4 \(100%\)/);

  t = 0;
  const plain: string[] = [];
  const q = new Progress({ label: "gen", total: 100, write: (s) => plain.push(s), isTTY: false, now: () => t, plainIntervalMs: 10_000 });
  for (let i = 0; i < 100; i++) {
    t += 500; // 50 s in all: a line at the first tick, then every 10 s
    q.tick(1, i === 0);
  }
  q.finish();
  assert.ok(plain.every((s) => !s.includes("\r") && s.endsWith("\n")));
  assert.equal(plain.length, 6);
  assert.match(plain[plain.length - 1] ?? "", /^gen 100\/100 \(100%, 1 failed\)/);
});

test("manifest rows: merged by model id, identical rows kept once, conflicts named, round trip through the lead's parser", () => {
  const file = path.join(tempDir(), "manifest.jsonl");
  const a = { ...emptyManifestRow("llama-urial", "Llama-3.1-8B", "urial"), nDemos: 3, withUrialDemos: true, demoSource: "urial", temperature: 0, topP: 1, repetitionPenalty: 1.15 };
  const b = { ...emptyManifestRow("llama-instruct", "Llama-3.1-8B", "instruct"), label: "Llama-3.1-8B-Instruct" };
  upsertManifestRows(file, [a]);
  upsertManifestRows(file, [a, b]);
  upsertManifestRows(file, [a]);
  const m = loadManifest(file);
  assert.deepEqual(m.rows, [a, b]);
  assert.throws(() => mergeManifestRows(m.rows, [{ ...a, repetitionPenalty: 1.0 }], file), /"llama-urial" is already in the manifest with other settings \(repetitionPenalty: 1\.15 -> 1\)/);
  assert.deepEqual(mergeManifestRows(m.rows, [{ ...a, repetitionPenalty: 1.0 }], file, true)[0]?.repetitionPenalty, 1.0);
  assert.equal(fs.readFileSync(file, "utf8").split("\n").length - 1, 2);
});

test("usage meter, prices and the budget; secrets are redacted and read only from the environment", () => {
  const m = new UsageMeter(resolvePrices("gpt-4"), 0.1);
  m.add({ prompt_tokens: 1000, completion_tokens: 500 });
  // gpt-4 list price: $0.03 / 1k prompt, $0.06 / 1k completion -> 0.03 + 0.03
  assert.ok(Math.abs(m.costUsd - 0.06) < 1e-12);
  assert.equal(m.budgetStop(), null);
  m.add({ prompt_tokens: 2000, completion_tokens: 0 });
  assert.match(m.budgetStop() ?? "", /budget of \$0\.10 reached/);
  m.add(undefined);
  assert.match(m.summary(), /1 responses without usage/);
  assert.deepEqual(resolvePrices("my-local-judge"), null);
  assert.deepEqual(resolvePrices("gpt-4", 0.5), { inputPer1k: 0.5, outputPer1k: 0 });

  assert.equal(redactSecrets("key sk-abc123 and sk-abc123", ["sk-abc123"]), "key [redacted] and [redacted]");
  assert.deepEqual(readApiKey({ K: " sk-x1 " }, "K", true), { key: "sk-x1", source: "env K" });
  assert.deepEqual(readApiKey({}, "K", false), { key: "EMPTY", source: "none (placeholder)" });
  assert.throws(() => readApiKey({}, "K", true), /environment variable K, which is not set/);
});
