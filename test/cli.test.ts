import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../lib/cli/main";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }, out, err };
}

test("unknown command exits 2 and names the known ones", async () => {
  const c = capture();
  assert.equal(await main(["no-such-command"], c.io), 2);
  assert.match(c.err.join(""), /unknown command "no-such-command"/);
  assert.match(c.err.join(""), /mtbench-scores/);
});
