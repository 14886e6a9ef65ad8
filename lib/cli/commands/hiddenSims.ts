/** `icl-workbench hidden-sims`: per-run hidden-state similarities and the footnote-6 tests of a dump. */
import { FOOTNOTE6_TESTS, type HiddenSimsReport, formatTestRows, hiddenSimsReport } from "../../analysis/hiddenStates";
import { checkHiddenStates } from "../../io/hiddenChecks";
import { loadHiddenDump } from "../../io/hiddenDump";
import { footnote6Comparison } from "../../pipeline/hiddenClaims";
import { boolOpt, choiceOpt, parseCommandLine, stringOpt } from "../args";
import { fmt, textTable } from "../format";
import type { CliIO, Command } from "../io";

const usage = `usage: icl-workbench hidden-sims --dump DIR [--layer last|all] [--json]

Duan et al.: cosine similarities s(anchor, ICL), s(anchor, IT), s(ICL, IT) of the last input
token's hidden state per run, and the one-tailed Wilcoxon signed-rank tests of footnote 6
(paired over runs, scipy.stats.wilcoxon defaults):
${FOOTNOTE6_TESTS.map((t) => `  ${t.name} (alternative "${t.alternative}")`).join("\n")}

  --dump DIR     a backend dump: DIR/manifest.json, or DIR/shard-iii-of-nnn/ (merged)
  --layer L      last (default: the state after the final norm, as in Fig. 3) or all
                 (every state 0..L, index 0 = embeddings; the tests run at each layer)
  --json         print {"runs": [...], "tests": [{"name", "statistic", "p_value", "n", ...}],
                 "paper_footnote6": [{"name", "paper_p", "p_value", "verdict", ...}] (last layer)}

With --layer last the footnote-6 tests are printed next to the paper's p-values (LLaMA-2-7B,
30 runs), with a verdict that says no more than the test ("agrees (p < 0.05)" or "not shown").
`;

function fmtP(p: number): string {
  return p < 1e-3 ? p.toExponential(2) : p.toFixed(4);
}

function plain(r: HiddenSimsReport, example: string | null): string {
  let out = example !== null ? `EXAMPLE DATA: ${example}\n\n` : "";
  if (r.layer === "last") {
    out += `last layer (layer ${r.state_layers[r.n_states - 1] ?? r.n_states - 1}, stored state ${r.n_states - 1} of 0..${r.n_states - 1}); ${r.runs.length} runs\n\n`;
    out += textTable(
      ["run", "id", "seed", "s(anchor,ICL)", "s(anchor,IT)", "s(ICL,IT)"],
      r.runs.map((x) => [String(x["run"]), String(x["id"]), String(x["seed"]), fmt(x["anchor_icl"] as number, 4), fmt(x["anchor_it"] as number, 4), fmt(x["icl_it"] as number, 4)]),
    );
  } else {
    out += `every stored layer (${r.state_layers.join(", ")}; 0 = embeddings); ${r.runs.length} runs; s(ICL,IT) per layer:\n\n`;
    out += textTable(
      ["run", "id", ...r.state_layers.map((l) => `L${l}`)],
      r.runs.map((x) => [String(x["run"]), String(x["id"]), ...(x["icl_it"] as number[]).map((v) => fmt(v, 4))]),
    );
  }
  out += "\n" + formatTestRows(r.tests.map((t) => (r.layer === "all" ? { ...t, name: `layer ${t.layer}: ${t.name}` } : t))) + "\n";
  if (r.layer === "last") {
    out += "\nDuan et al., footnote 6 (LLaMA-2-7B, 30 runs) next to this dump:\n";
    out += textTable(
      ["test", "paper p", "this dump p", "n", "verdict"],
      footnote6Comparison(r.tests).map((c) => [c.name, c.paper_p === null ? "—" : c.paper_p.toExponential(2), c.p_value === null ? "—" : fmtP(c.p_value), String(c.n), c.verdict]),
    );
  }
  return out;
}

export const command: Command = {
  summary: "hidden-state similarities per run and the footnote-6 Wilcoxon tests (Duan et al.)",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, {
      dump: { type: "string" },
      layer: { type: "string" },
      json: { type: "boolean" },
    });
    const dir = stringOpt(p, "dump", true);
    const layer = choiceOpt(p, "layer", ["last", "all"] as const, "last");
    const dump = loadHiddenDump(dir);
    checkHiddenStates(dump, layer);
    const report = hiddenSimsReport(dump, layer);
    const paper = layer === "last" ? { paper_footnote6: footnote6Comparison(report.tests) } : {};
    if (boolOpt(p, "json")) io.stdout(JSON.stringify({ ...report, ...paper, example_data: dump.exampleData }) + "\n");
    else io.stdout(plain(report, dump.exampleData));
    return 0;
  },
};
