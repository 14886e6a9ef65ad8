/** `icl-workbench wilcoxon`: Wilcoxon signed-rank test on values given on the command line. */
import { wilcoxonSignedRank, type WilcoxonAlternative, type WilcoxonMethod, type WilcoxonZeroMethod } from "../../stats/wilcoxon";
import { boolOpt, choiceOpt, numberListOpt, parseCommandLine } from "../args";
import type { CliIO, Command } from "../io";
import { UsageError } from "../io";

const usage = `usage: icl-workbench wilcoxon --x V1,V2,... [--y W1,W2,...] [--alternative two-sided|greater|less]
                            [--zero-method wilcox|pratt|zsplit] [--method auto|exact|approx|permutation]
                            [--correction] [--json]

Wilcoxon signed-rank test of the differences x - y (or of x alone), as scipy.stats.wilcoxon
(scipy 1.17 semantics). The statistic is min(W+, W-) when two-sided and W+ otherwise. Exact
p-values are exact to the last digit (BigInt counts) up to n = 1000.

  --x LIST            comma-separated numbers; write negative values as --x=-0.5,1.2
  --y LIST            paired values (same length as --x); omitted: x are the differences
  --alternative ALT   two-sided (default), greater (x > y), less
  --zero-method ZM    wilcox (default: drop zero differences), pratt, zsplit
  --method M          auto (default, scipy's rule), exact, approx (normal approximation,
                      tie-corrected), permutation (exact sign-flip distribution with ties)
  --correction        continuity correction in the normal approximation (default off, as scipy)
  --json              print {"statistic", "p_value", "method", "n", ...} as JSON
`;

const ALTERNATIVES: readonly WilcoxonAlternative[] = ["two-sided", "greater", "less"];
const ZERO_METHODS: readonly WilcoxonZeroMethod[] = ["wilcox", "pratt", "zsplit"];
const METHODS: readonly WilcoxonMethod[] = ["auto", "exact", "approx", "permutation"];

export const command: Command = {
  summary: "Wilcoxon signed-rank test (scipy.stats.wilcoxon semantics, exact tails)",
  usage,
  run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, {
      x: { type: "string" },
      y: { type: "string" },
      alternative: { type: "string" },
      "zero-method": { type: "string" },
      method: { type: "string" },
      correction: { type: "boolean" },
      json: { type: "boolean" },
    });
    const x = numberListOpt(p, "x", true);
    const y = numberListOpt(p, "y");
    const alternative = choiceOpt(p, "alternative", ALTERNATIVES, "two-sided");
    const zeroMethod = choiceOpt(p, "zero-method", ZERO_METHODS, "wilcox");
    const method = choiceOpt(p, "method", METHODS, "auto");
    const correction = boolOpt(p, "correction");
    let r;
    try {
      r = wilcoxonSignedRank(x, y ?? null, { alternative, zeroMethod, method, correction });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message.replace(/^wilcoxonSignedRank: /, ""));
      throw e;
    }
    if (boolOpt(p, "json")) {
      io.stdout(
        JSON.stringify({
          statistic: r.statistic,
          p_value: r.pValue,
          method: r.method,
          n: r.n,
          w_plus: r.wPlus,
          w_minus: r.wMinus,
          z: r.z,
          zeros: r.zeros,
          alternative: r.alternative,
          zero_method: r.zeroMethod,
          correction: r.correction,
        }) + "\n",
      );
    } else {
      const stat = r.alternative === "two-sided" ? "min(W+, W-)" : "W+";
      io.stdout(
        [
          `Wilcoxon signed-rank test, ${r.alternative}, zero method ${r.zeroMethod}, ${r.method}${r.method === "approx" && r.correction ? " with continuity correction" : ""}`,
          `n = ${r.n} (${r.zeros} zero difference${r.zeros === 1 ? "" : "s"})`,
          `statistic ${stat} = ${r.statistic}   (W+ = ${r.wPlus}, W- = ${r.wMinus}${r.z === null ? "" : `, z = ${r.z.toPrecision(6)}`})`,
          `p-value = ${r.pValue.toPrecision(10)}`,
          "",
        ].join("\n"),
      );
    }
    return Promise.resolve(0);
  },
};
