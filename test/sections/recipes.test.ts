/**
 * Every recipe of every section (lib/sections), run on its bundled example dump: each returns
 * what a cell shows (a table, a figure, an empty result with its reason, or text), and every
 * table reaches its CSV at full precision — each number written parses back to the very double
 * the computed table holds (no rounding before display), p-values included.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ColumnTable } from "arquero";
import * as decoding from "../../lib/sections/decoding";
import * as greedy from "../../lib/sections/greedy";
import * as hidden from "../../lib/sections/hidden";
import * as iclVsIft from "../../lib/sections/iclVsIft";
import * as qaMatching from "../../lib/sections/qaMatching";
import * as scaling from "../../lib/sections/scaling";
import * as transfer from "../../lib/sections/transfer";
import * as urialVsInstruct from "../../lib/sections/urialVsInstruct";
import { parseCsv } from "../../lib/io/csv";
import { toDisplayTable } from "../../lib/notebook/tableFormat";
import { writeTableFiles } from "../../lib/notebook/show";
import type { Shown } from "../../lib/notebook/shown";
import { tempDir } from "../helpers";

type Recipe = (s: never) => Shown;

function recipesOf(mod: Record<string, unknown>): [string, Recipe][] {
  return Object.entries(mod).filter(([k, v]) => typeof v === "function" && k !== "open" && k !== "runSimilarities") as [string, Recipe][];
}

function checkCsv(name: string, table: ColumnTable, dir: string): number {
  const files = writeTableFiles(toDisplayTable({ kind: "table", table }), name, dir);
  const csv = parseCsv(fs.readFileSync(files.csv, "utf8"), files.csv);
  assert.deepEqual(csv.header, table.columnNames(), `${name}: columns`);
  const rows = table.objects() as Record<string, unknown>[];
  assert.equal(csv.rows.length, rows.length, `${name}: rows`);
  let numbers = 0;
  rows.forEach((r, i) => {
    for (const c of csv.header) {
      const v = r[c];
      if (typeof v !== "number") continue;
      numbers++;
      assert.ok(Object.is(Number(csv.rows[i]?.values[c]), v), `${name} row ${i} ${c}: ${v} written as ${csv.rows[i]?.values[c]}`);
    }
  });
  for (const t of [files.tex, files.md]) assert.ok(fs.statSync(t).size > 0);
  return numbers;
}

const SECTIONS: [string, () => Promise<unknown>, Record<string, unknown>][] = [
  ["01", () => urialVsInstruct.open(), urialVsInstruct],
  ["02", () => decoding.open({ dump: decoding.EXAMPLE_DUMP, resamples: 50 }), decoding],
  ["03", () => scaling.open({ dump: scaling.EXAMPLE_DUMP, resamples: 50 }), scaling],
  ["04", () => greedy.open({ dump: greedy.EXAMPLE_DUMP, judge: "gpt-4", resamples: 50 }), greedy],
  ["05", () => qaMatching.open({ dump: qaMatching.EXAMPLE_DUMP, resamples: 50 }), qaMatching],
  ["06", () => iclVsIft.open({ dump: iclVsIft.EXAMPLE_DUMP, resamples: 50 }), iclVsIft],
  ["07", () => transfer.open({ dump: transfer.EXAMPLE_DUMP, resamples: 50 }), transfer],
  ["08", async () => hidden.open(), hidden],
];

for (const [nn, open, mod] of SECTIONS) {
  test(`section ${nn}: every recipe returns what a cell shows; every table reaches its CSV at full precision`, async () => {
    const env = process.env["ICL_DUMP_DIR"];
    delete process.env["ICL_DUMP_DIR"];
    try {
      const s = await open();
      const dir = tempDir();
      let tables = 0;
      let numbers = 0;
      for (const [name, recipe] of recipesOf(mod)) {
        const r = recipe(s as never);
        assert.ok(["table", "figure", "empty", "text"].includes(r.kind), `${name}: ${JSON.stringify(r).slice(0, 80)}`);
        if (r.kind === "empty") assert.ok(r.reason.length > 10, `${name}: an empty result says why`);
        if (r.kind === "figure") assert.ok(r.heightIn > 0.5 && r.figure.data.length > 0, `${name}: a figure with data and a height`);
        if (r.kind === "table") {
          tables++;
          numbers += checkCsv(`${nn}-${name}`, r.table, dir);
        }
      }
      assert.ok(tables > 0 && numbers > 0, `section ${nn} has tables with numbers (${tables} tables, ${numbers} numbers)`);
      assert.ok(fs.readdirSync(dir).every((f) => f.startsWith(`${nn}-`) && path.extname(f) !== ""));
    } finally {
      if (env !== undefined) process.env["ICL_DUMP_DIR"] = env;
    }
  });
}
