/**
 * show(): one HTML + text output per table, and the CSV (full precision), .tex (booktabs) and
 * .md files beside it; empty and text results; the legacy showTable path. Outside a tslab kernel
 * displayBundle prints the text/plain part, which these tests capture.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import * as aq from "arquero";
import { nothingToShow } from "../../lib/notebook/shown";
import { show, tableBundle } from "../../lib/notebook/show";
import { formatTable, showTable } from "../../lib/notebook/table";
import { displayCell, inferColumnFormat, toDisplayTable } from "../../lib/notebook/tableFormat";
import { escapeLatex } from "../../lib/notebook/tableLatex";

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "icl-show-"));
}

function captureLog(t: { mock: { method: typeof import("node:test").mock.method } }): string[] {
  const lines: string[] = [];
  t.mock.method(console, "log", (...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  return lines;
}

const MEAN12 = 7.12345678901; // 12 significant digits
const table = () =>
  aq.table({
    model: ["llama_7b & co", "mistral 5%"],
    mean_a: [MEAN12, -0.5],
    wilcoxon_p: [1e-9, 0.0465],
    n: [80, 12],
  });

test("show(arquero table): CSV at full precision, .tex booktabs with escapes and scientific p, .md pipe table", (t) => {
  const dir = tmpDir();
  const logged = captureLog(t);
  const r = show(table(), "t-gaps", { outDir: dir });
  assert.equal(r, undefined, "a table cell shows nothing but the display (no returned value for tslab to print)");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["t-gaps.csv", "t-gaps.md", "t-gaps.tex"]);

  const csv = fs.readFileSync(path.join(dir, "t-gaps.csv"), "utf8");
  assert.equal(csv, 'model,mean_a,wilcoxon_p,n\nllama_7b & co,7.12345678901,1e-9,80\nmistral 5%,-0.5,0.0465,12\n');
  assert.equal(Number(csv.split("\n")[1]!.split(",")[1]), MEAN12, "the mean reads back bit for bit");

  const tex = fs.readFileSync(path.join(dir, "t-gaps.tex"), "utf8");
  for (const rule of ["\\toprule", "\\midrule", "\\bottomrule", "\\begin{tabular}{lrrr}"]) assert.ok(tex.includes(rule), `${rule} in\n${tex}`);
  assert.ok(tex.indexOf("\\toprule") < tex.indexOf("\\midrule") && tex.indexOf("\\midrule") < tex.indexOf("\\bottomrule"));
  assert.ok(tex.includes("model & mean\\_a & wilcoxon\\_p & n \\\\"), "header escaped");
  assert.ok(tex.includes("llama\\_7b \\& co & 7.12 & $1.00\\times10^{-9}$ & 80 \\\\"), tex);
  assert.ok(tex.includes("mistral 5\\% & $-$0.50 & 0.0465 & 12 \\\\"), tex);
  const body = tex.slice(tex.indexOf("\\toprule"), tex.indexOf("\\bottomrule"));
  assert.doesNotMatch(body.replace(/\\[_%&]/g, "").replace(/ & /g, " "), /[_%&]/, "no unescaped _ % & in the header or cells");

  const md = fs.readFileSync(path.join(dir, "t-gaps.md"), "utf8");
  assert.equal(md, "| model | mean\\_a | wilcoxon\\_p | n |\n| :--- | ---: | ---: | ---: |\n| llama\\_7b & co | 7.12 | 1.00e-9 | 80 |\n| mistral 5% | -0.50 | 0.0465 | 12 |\n");

  assert.equal(logged.length, 1, "one output");
  assert.deepEqual(logged[0]!.split("\n"), [
    "model          mean_a  wilcoxon_p   n",
    "-------------  ------  ----------  --",
    "llama_7b & co    7.12     1.00e-9  80",
    "mistral 5%      -0.50      0.0465  12",
  ]);
});

test("tableBundle: text/html is a real table, numbers right-aligned, p-values in significant digits, counts without decimals", () => {
  const d = toDisplayTable({ kind: "table", table: table(), title: "Gaps <1st turn>", notes: ["2 failed judgments dropped"], example: true });
  const b = tableBundle(d);
  assert.deepEqual(Object.keys(b.data), ["text/html", "text/plain"]);
  const html = b.data["text/html"] as string;
  assert.match(html, /<table[^>]*>/);
  assert.match(html, /<caption[^>]*>Gaps &lt;1st turn&gt;<\/caption>/);
  assert.match(html, /<th align="left"[^>]*>model<\/th>/);
  assert.match(html, /<th align="right"[^>]*>wilcoxon_p<\/th>/);
  assert.match(html, /<td align="right" style="text-align:right[^"]*">7\.12<\/td>/);
  assert.match(html, /<table style="[^"]*tabular-nums/);
  assert.match(html, /<td align="right"[^>]*>1\.00e-9<\/td>/);
  assert.match(html, /<td align="right"[^>]*>0\.0465<\/td>/);
  assert.match(html, /<td align="right"[^>]*>80<\/td>/);
  assert.match(html, /<td align="left"[^>]*>llama_7b &amp; co<\/td>/);
  assert.match(html, /<li>2 failed judgments dropped<\/li>/);
  assert.match(html, /EXAMPLE DATA \(not results\)/);
  const text = b.data["text/plain"] as string;
  assert.equal(text.split("\n")[0], "EXAMPLE DATA (not results)");
  assert.equal(text.split("\n")[1], "Gaps <1st turn>");
  assert.equal(text.split("\n").at(-1), "2 failed judgments dropped");
});

test("TableResult formats override inference; a format for a missing column is an error", (t) => {
  const dir = tmpDir();
  captureLog(t);
  show({ kind: "table", table: table(), formats: { mean_a: { kind: "number", digits: 4 }, wilcoxon_p: { kind: "pvalue", significant: 2 } }, title: "T" }, "t-formats", { outDir: dir });
  const md = fs.readFileSync(path.join(dir, "t-formats.md"), "utf8");
  assert.match(md, /\| 7\.1235 \| 1\.0e-9 \| 80 \|/);
  assert.match(md, /\| -0\.5000 \| 0\.046 \| 12 \|/, "0.0465 is 0.04649999… in binary: 2 significant digits give 0.046");
  assert.match(fs.readFileSync(path.join(dir, "t-formats.tex"), "utf8"), /\\caption\{T\}/);
  assert.match(fs.readFileSync(path.join(dir, "t-formats.csv"), "utf8"), /7\.12345678901,1e-9/, "formats never reach the CSV");
  assert.throws(() => show({ kind: "table", table: table(), formats: { nope: { kind: "count" } } }, "t-bad", { outDir: dir }), /formats names column "nope"/);
  assert.throws(() => show({ kind: "table", table: table(), formats: { mean_a: { kind: "number", digits: -1 } } }, "t-bad", { outDir: dir }), /bad format/);
  assert.ok(!fs.existsSync(path.join(dir, "t-bad.csv")));
});

test("an empty result prints why and writes no file; a text result is printed; bad names are refused", (t) => {
  const dir = tmpDir();
  const logged = captureLog(t);
  show(nothingToShow("table", "the dump has no URIAL run"), "02-gaps", { outDir: dir });
  show({ kind: "text", text: "3 models, 80 questions" }, "02-describe", { outDir: dir });
  assert.deepEqual(logged, ["02-gaps: not drawn — the dump has no URIAL run", "3 models, 80 questions"]);
  assert.deepEqual(fs.readdirSync(dir), []);
  assert.throws(() => show(table(), "../escape", { outDir: dir }), /name must be/);
  assert.throws(() => show({ nonsense: true } as never, "x", { outDir: dir }), /expected an arquero table/);
});

test("showTable(TableView) goes through the same path: HTML/text display, CSV, .tex and .md", (t) => {
  const dir = tmpDir();
  const logged = captureLog(t);
  showTable({ columns: ["model", "turn1", "failed", "wilcoxon_p"], rows: [{ model: "a", turn1: 8.123456789012, failed: 1, wilcoxon_p: 9.313225746154785e-10 }], caption: "Table 2" }, "t-legacy", { outDir: dir });
  assert.equal(fs.readFileSync(path.join(dir, "t-legacy.csv"), "utf8"), "model,turn1,failed,wilcoxon_p\na,8.123456789012,1,9.313225746154785e-10\n");
  assert.match(fs.readFileSync(path.join(dir, "t-legacy.tex"), "utf8"), /\\caption\{Table 2\}[\s\S]*a & 8\.12 & 1 & \$9\.31\\times10\^\{-10\}\$ \\\\/);
  assert.match(fs.readFileSync(path.join(dir, "t-legacy.md"), "utf8"), /^\*\*Table 2\*\*\n\n\| model \| turn1 \| failed \| wilcoxon\\_p \|/);
  assert.equal(logged.length, 1);
  assert.equal(logged[0], formatTable({ columns: ["model", "turn1", "failed", "wilcoxon_p"], rows: [{ model: "a", turn1: 8.123456789012, failed: 1, wilcoxon_p: 9.313225746154785e-10 }], caption: "Table 2" }));
});

test("displayCell: p-values in significant digits, exponent below 0.001; counts; fixed decimals; missing and non-finite", () => {
  const p = { kind: "pvalue", significant: 3 } as const;
  assert.equal(displayCell(1e-9, p), "1.00e-9");
  assert.equal(displayCell(0.000999, p), "9.99e-4");
  assert.equal(displayCell(0.001, p), "0.001");
  assert.equal(displayCell(0.5, p), "0.5");
  assert.equal(displayCell(1, p), "1");
  assert.equal(inferColumnFormat("top_p", [0.8, 0.9]).kind, "number", "top_p is a decoding parameter, not a p-value");
  assert.equal(inferColumnFormat("published_p", [0.8, 0.9]).kind, "pvalue");
  assert.equal(inferColumnFormat("setting", ["urial", null]).kind, "text");
  assert.equal(inferColumnFormat("steps", [1, 2]).kind, "count");
  assert.equal(displayCell(0, p), "0");
  assert.equal(displayCell(12, { kind: "count" }), "12");
  assert.equal(displayCell(2.5, { kind: "count" }), "2.50");
  assert.equal(displayCell(1234, { kind: "number", digits: 2 }), "1234");
  assert.equal(displayCell(-0.125, { kind: "number", digits: 1 }), "-0.1");
  assert.equal(displayCell(null, { kind: "number", digits: 2 }), "-");
  assert.equal(displayCell(Number.NaN, { kind: "number", digits: 2 }), "NaN");
  assert.equal(displayCell(-Infinity, p), "-inf");
  assert.equal(escapeLatex("a\\b{c}~^ $x$ #1 − 2 × 3"), "a\\textbackslash{}b\\{c\\}\\textasciitilde{}\\textasciicircum{} \\$x\\$ \\#1 $-$ 2 $\\times$ 3");
});
