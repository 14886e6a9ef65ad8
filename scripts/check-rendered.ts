/**
 * Checks a run's rendered pages in headless Chromium (bin/run_notebooks.py --check runs it):
 * every notebooks/*.html shows each figure its executed notebook holds (as many <img
 * class="icl-figure"> as SVG outputs, each with a rendered size and painted pixels), the index's
 * thumbnails are painted, and no page makes a request that fails (a missing script or file).
 *
 *   node --import tsx scripts/check-rendered.ts OUT_DIR
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type PageToCheck, inspectPages } from "../lib/export/pageCheck";

/** Rendered size and painted share a figure must reach to count as shown. */
const MIN_PX = 50;
const MIN_PAINTED = 0.01;

function svgOutputs(ipynb: string): number {
  const nb = JSON.parse(fs.readFileSync(ipynb, "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  return nb.cells.reduce((n, c) => n + (c.outputs ?? []).filter((o) => o.data !== undefined && "image/svg+xml" in o.data).length, 0);
}

async function main(out: string): Promise<number> {
  const dir = path.join(out, "notebooks");
  const htmls = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".html")).sort() : [];
  const pages: (PageToCheck & { label: string; expected: number | null })[] = htmls.map((f) => ({
    label: `notebooks/${f}`,
    file: path.join(dir, f),
    selector: "img.icl-figure",
    expected: svgOutputs(path.join(dir, f.replace(/\.html$/, ".ipynb"))),
  }));
  if (fs.existsSync(path.join(out, "index.html"))) pages.push({ label: "index.html", file: path.join(out, "index.html"), selector: "img.thumb", expected: null });
  const reports = await inspectPages(pages);
  const problems: string[] = [];
  reports.forEach((r, i) => {
    const p = pages[i] as (typeof pages)[number];
    for (const f of r.failedRequests) problems.push(`${p.label}: request failed: ${f}`);
    if (p.expected !== null && r.elements.length !== p.expected) problems.push(`${p.label}: ${r.elements.length} figures shown, the notebook has ${p.expected}`);
    for (const e of r.elements) {
      if (e.width < MIN_PX || e.height < MIN_PX) problems.push(`${p.label}: figure ${e.index + 1} rendered ${e.width.toFixed(0)} x ${e.height.toFixed(0)} px`);
      else if (e.painted < MIN_PAINTED) problems.push(`${p.label}: figure ${e.index + 1} is blank (${(e.painted * 100).toFixed(2)}% painted)`);
    }
    const painted = r.elements.map((e) => `${(e.painted * 100).toFixed(0)}%`).join(" ");
    console.log(`rendered ${p.label}: ${r.elements.length} figure(s) shown${painted ? ` (painted ${painted})` : ""}, ${r.failedRequests.length} failed request(s)`);
  });
  for (const p of problems) console.error(p);
  return problems.length === 0 ? 0 : 1;
}

const out = process.argv[2];
if (out === undefined) {
  console.error("usage: node --import tsx scripts/check-rendered.ts OUT_DIR");
  process.exit(2);
}
main(path.resolve(out)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack : String(e));
    process.exit(1);
  },
);
