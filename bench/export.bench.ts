/**
 * Figure export through headless Chromium: a batch of 10 figures (SVG + PDF + PNG at 300 dpi
 * each, double column) exported with ONE reused browser, then with a browser launched (and
 * closed) per figure. Launching Chromium and parsing plotly.js (4.6 MB) is most of a cold
 * export, which is why notebooks share one exporter.
 *
 * Run: node --import tsx bench/export.bench.ts   (or npm run bench -- export)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromiumMissing } from "../lib/export/chromium";
import { FigureExporter } from "../lib/export/exportFigure";
import { categoryBars } from "../lib/figures/categoryBars";
import type { FigureSpec } from "../lib/figures/types";

const N = 10;
const CATEGORIES = ["writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities"];

/** Ten different figures (deterministic values, no randomness). */
function figures(): FigureSpec[] {
  return Array.from({ length: N }, (_, k) =>
    categoryBars(
      {
        categories: CATEGORIES,
        series: [0, 1, 2].map((j) => ({ name: `run ${k}.${j}`, values: CATEGORIES.map((_, c) => 1 + ((k * 7 + j * 3 + c * 5) % 90) / 10) })),
      },
      { title: `figure ${k}` },
    ),
  );
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await f();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) {
    console.log(`export bench skipped: ${missing}`);
    return;
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "icl-export-bench-"));
  const figs = figures();
  const opts = { size: "double" as const, heightIn: 3, dpi: 300, outDir: out };
  console.log(`${N} figures, SVG + PDF + PNG (6.9 × 3 in, 300 dpi) each; ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);

  // One browser for the batch.
  const shared = new FigureExporter({ idleCloseMs: 0 });
  const perFigureShared: number[] = [];
  const [, sharedTotal] = await timed(async () => {
    for (const [i, f] of figs.entries()) perFigureShared.push((await timed(() => shared.export(f, `shared-${i}`, opts)))[1]);
  });
  await shared.close();

  // A browser per figure.
  const perFigureFresh: number[] = [];
  const [, freshTotal] = await timed(async () => {
    for (const [i, f] of figs.entries()) {
      const e = new FigureExporter({ idleCloseMs: 0 });
      perFigureFresh.push((await timed(async () => { await e.export(f, `fresh-${i}`, opts); await e.close(); }))[1]);
    }
  });

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const s = (x: number) => `${x.toFixed(2)} s`;
  console.log(`one browser     : total ${s(sharedTotal)} (launches: ${shared.launches}); first figure ${s(perFigureShared[0] ?? 0)} (launch + plotly load), then ${s(mean(perFigureShared.slice(1)))} per figure`);
  console.log(`browser / figure: total ${s(freshTotal)}; ${s(mean(perFigureFresh))} per figure`);
  console.log(`ratio (per-figure browsers / one browser): ${(freshTotal / sharedTotal).toFixed(1)}x`);
  fs.rmSync(out, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
