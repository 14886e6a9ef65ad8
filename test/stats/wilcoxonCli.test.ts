/** `icl-workbench wilcoxon`: options, the --x=-0.5 form, JSON output, errors. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { main } from "../../lib/cli/main";
import { captureIO } from "../helpers";

async function runJson(args: string[]): Promise<Record<string, unknown>> {
  const c = captureIO();
  const code = await main(["wilcoxon", ...args, "--json"], c.io);
  assert.equal(code, 0, c.stderr());
  return JSON.parse(c.stdout()) as Record<string, unknown>;
}

test("wilcoxon --json prints statistic, p_value, method, n (scipy 1.17.1: wilcoxon(range(1, 31), alternative='greater') -> 465, 9.313225746154785e-10)", async () => {
  const xs = Array.from({ length: 30 }, (_, i) => i + 1).join(",");
  const o = await runJson(["--x", xs, "--alternative", "greater"]);
  assert.equal(o["statistic"], 465);
  assert.equal(o["p_value"], 2 ** -30);
  assert.equal(o["method"], "exact");
  assert.equal(o["n"], 30);
});

test("negative values with --x=-0.5,... and paired --y; every option is passed through", async () => {
  // scipy 1.17.1: wilcoxon([-0.5, 1.2, 2, 3.5, 0], [0, 0, 0, 0, 0], zero_method='zsplit', method='approx', correction=True, alternative='less')
  const o = await runJson(["--x=-0.5,1.2,2,3.5,0", "--y=0,0,0,0,0", "--zero-method", "zsplit", "--method", "approx", "--correction", "--alternative", "less"]);
  assert.equal(o["method"], "approx");
  assert.equal(o["n"], 5);
  assert.equal(o["statistic"], 12.5);
  assert.ok(Math.abs((o["p_value"] as number) / 0.9309946312156702 - 1) < 1e-9, String(o["p_value"]));
  const two = await runJson(["--x=-0.5,1.2,2,3.5"]);
  assert.equal(two["statistic"], 1);
  assert.equal(two["p_value"], 0.25);
});

test("plain output names the convention; bad input exits 2 with a clear message", async () => {
  const c = captureIO();
  assert.equal(await main(["wilcoxon", "--x=1,2,-3,4,5,6"], c.io), 0);
  assert.match(c.stdout(), /statistic min\(W\+, W-\) = 3/);
  assert.match(c.stdout(), /p-value = 0\.15625/);
  const bad = async (args: string[], re: RegExp) => {
    const e = captureIO();
    assert.equal(await main(["wilcoxon", ...args], e.io), 2);
    assert.match(e.stderr(), re);
  };
  await bad(["--x", "1,2,3", "--y", "1,2"], /same length \(got 3 and 2\)/);
  await bad(["--x", "1,2,3", "--y", "1,2,3"], /all 3 differences are zero/);
  await bad(["--x", "1,abc,3"], /--x: entry 2 \("abc"\) is not a finite number/);
  await bad(["--x", "1,2", "--method", "fast"], /--method must be one of/);
  await bad([], /--x is required/);
});
