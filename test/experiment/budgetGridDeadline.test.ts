/**
 * Issue 11, defects 5, 6 and 8: a hard budget at concurrency 8 (checked against the fake
 * server's own ledger of what it billed), one shared pool of --concurrency requests for all
 * points of a decoding grid (in flight measured by the server), a per-item deadline that bounds
 * a hung item, and the distinct exit status of a quota stop. Real HTTP on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../lib/cli/main";
import { chatCompletion, fakeJudgeScore, lastUserMessage, stableHash, startFakeOpenAI } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { captureIO, tempDir } from "../helpers";

const PRICE_IN = 0.01;
const PRICE_OUT = 0.03;

function promptBytes(body: unknown): number {
  const msgs = (body as { messages?: { content: string }[] }).messages ?? [];
  return msgs.reduce((n, m) => n + Buffer.byteLength(m.content, "utf8"), 0);
}

test("defect 5: --budget-usd is a ceiling at concurrency 8: the server's bill stays under it; the rerun pays only for the rest", async (t) => {
  const dir = tempDir();
  writeSyntheticDump(dir, 30, ["model-a"]);
  let billed = 0;
  let answered = 0;
  // An honest priced server: about 4 bytes a prompt token, 200..1999 completion tokens (max_tokens is 2048).
  const server = await startFakeOpenAI((req) => {
    const usage = { prompt_tokens: Math.ceil(promptBytes(req.body) / 4), completion_tokens: 200 + (stableHash(lastUserMessage(req.body)) % 1800) };
    billed += (usage.prompt_tokens / 1000) * PRICE_IN + (usage.completion_tokens / 1000) * PRICE_OUT;
    answered++;
    return { kind: "json", body: chatCompletion(`Rating: [[${fakeJudgeScore(lastUserMessage(req.body))}]]`, usage), delayMs: 30 };
  });
  const args = ["judge", "--dump", dir, "--base-url", server.url, "--concurrency", "8", "--price-in", String(PRICE_IN), "--price-out", String(PRICE_OUT)];
  try {
    const c = captureIO();
    assert.equal(await main([...args, "--budget-usd", "0.6"], c.io), 3, c.stderr());
    t.diagnostic(`budget $0.60: billed $${billed.toFixed(4)} over ${answered} requests`);
    assert.ok(billed <= 0.6, `billed $${billed.toFixed(4)} on a $0.60 budget`);
    assert.ok(answered >= 5 && answered < 60, `made progress and stopped (${answered} requests)`);
    assert.match(c.stdout(), /stopped: budget of \$0\.60 reached/);
    const output = path.join(dir, "model_judgment", "gpt-4_single.jsonl");
    assert.equal(fs.readFileSync(output, "utf8").trimEnd().split("\n").length, answered, "every paid request is written");

    const rest = captureIO();
    assert.equal(await main([...args, "--budget-usd", "100"], rest.io), 0, rest.stderr());
    assert.equal(answered, 60, "0 re-paid: 60 items, 60 requests over both runs");
  } finally {
    await server.close();
  }
});

test("defect 6: the points of a decoding grid run side by side over one pool of --concurrency requests", async (t) => {
  const dir = tempDir();
  writeSyntheticDump(dir, 8, []);
  const ends: { end: number; point: string }[] = [];
  let maxInFlight = 0;
  let maxPointsAtOnce = 0;
  const server = await startFakeOpenAI((req) => {
    const b = req.body as { temperature: number; repetition_penalty: number };
    const now = Date.now();
    const live = ends.filter((e) => e.end > now);
    const point = `${b.temperature}/${b.repetition_penalty}`;
    ends.push({ end: now + 300, point });
    maxInFlight = Math.max(maxInFlight, live.length + 1);
    maxPointsAtOnce = Math.max(maxPointsAtOnce, new Set([...live.map((e) => e.point), point]).size);
    return { kind: "json", body: chatCompletion(`answer ${point}`), delayMs: 300 };
  });
  try {
    const c = captureIO();
    const code = await main(
      ["generate", "--dump", dir, "--base-url", server.url, "--model", "org/inst", "--model-id", "g", "--mode", "chat", "--no-manifest", "--turns", "1", "--temperature", "0,0.5", "--repetition-penalty", "1,1.1", "--concurrency", "4"],
      c.io,
    );
    assert.equal(code, 0, c.stderr());
    t.diagnostic(`grid: max in flight ${maxInFlight} (concurrency 4), up to ${maxPointsAtOnce} points at once`);
    assert.equal(server.requests.length, 32, "4 points x 8 questions");
    assert.equal(maxInFlight, 4, "never more than --concurrency in flight, and the pool was full");
    assert.ok(maxPointsAtOnce >= 2, `several grid points in flight at once (${maxPointsAtOnce})`);
  } finally {
    await server.close();
  }
});

test("defect 8: a hung item gives up at its deadline (not timeout x attempts); an exhausted quota exits 5, transient failures exit 4", { timeout: 30_000 }, async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 1, ["model-a"]);
  const server = await startFakeOpenAI(() => ({ kind: "hang" }), { maxHangMs: 3000 });
  try {
    const c = captureIO();
    const code = await main(["judge", "--dump", dir, "--base-url", server.url, "--timeout", "0.2", "--item-deadline", "0.6", "--max-attempts", "8"], c.io);
    assert.equal(code, 4, "transient failures left");
    assert.equal((c.stderr().match(/failed: .*item deadline reached/g) ?? []).length, 2, c.stderr());
    assert.ok(server.requests.length <= 4, `at most 2 attempts per item within the deadline, not 8 (${server.requests.length} requests)`);

    server.setResponder(() => ({
      kind: "json",
      status: 429,
      body: { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } },
    }));
    const q = captureIO();
    assert.equal(await main(["judge", "--dump", dir, "--base-url", server.url], q.io), 5, q.stderr());
    assert.match(q.stdout(), /stopped: fatal error: .*quota/);
  } finally {
    await server.close();
  }
});
