/** `icl-workbench hidden-sims`: per-run hidden-state similarities and the footnote-6 tests of a dump. */
import { FOOTNOTE6_TESTS, type HiddenSimsReport, formatTestRows, hiddenSimsReport } from "../../analysis/hiddenStates";
import { checkHiddenStates } from "../../io/hiddenChecks";
import { loadHiddenDump } from "../../io/hiddenDump";
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
  --json         print {"runs": [...], "tests": [{"name", "statistic", "p_value", "n", ...}]}
`;

function plain(r: HiddenSimsReport, example: string | null): string {
  let out = example !== null ? `EXAMPLE DATA: ${example}\n\n` : "";
  if (r.layer === "last") {
    out += `last layer (state ${r.n_states - 1} of 0..${r.n_states - 1}); ${r.runs.length} runs\n\n`;
    out += textTable(
      ["run", "id", "seed", "s(anchor,ICL)", "s(anchor,IT)", "s(ICL,IT)"],
      r.runs.map((x) => [String(x["run"]), String(x["id"]), String(x["seed"]), fmt(x["anchor_icl"] as number, 4), fmt(x["anchor_it"] as number, 4), fmt(x["icl_it"] as number, 4)]),
    );
  } else {
    out += `every layer (states 0..${r.n_states - 1}, 0 = embeddings); ${r.runs.length} runs; s(ICL,IT) per layer:\n\n`;
    out += textTable(
      ["run", "id", ...Array.from({ length: r.n_states }, (_, l) => `L${l}`)],
      r.runs.map((x) => [String(x["run"]), String(x["id"]), ...(x["icl_it"] as number[]).map((v) => fmt(v, 4))]),
    );
  }
  out += "\n" + formatTestRows(r.tests.map((t) => (r.layer === "all" ? { ...t, name: `layer ${t.layer}: ${t.name}` } : t))) + "\n";
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
    if (boolOpt(p, "json")) io.stdout(JSON.stringify({ ...report, example_data: dump.exampleData }) + "\n");
    else io.stdout(plain(report, dump.exampleData));
    return 0;
  },
};
