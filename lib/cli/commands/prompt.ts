/** `icl-workbench prompt`: build a URIAL-format prompt (demos added, ablated, a query rendered) on stdout. */
import { InputError } from "../../model/errors";
import { ABLATIONS, type Ablation } from "../../model/manifest";
import { createRng } from "../../stats/rng";
import {
  ablatePrompt,
  loadDemoPool,
  loadUrialPrompt,
  prependDemos,
  renderQuery,
  renderUrialPrompt,
  replaceDemos,
  sampleDemos,
  withCategories,
} from "../../experiment/prompts";
import { boolOpt, choiceOpt, parseCommandLine, parseDecimal, stringOpt } from "../args";
import { type CliIO, type Command, UsageError } from "../io";

const usage = `usage: icl-workbench prompt --base FILE [--prepend DEMOS.jsonl [--n N] [--no-urial]]
                           [--ablation none|no_demos|x_only|y_only|circular_shift|in_domain_random|out_of_domain_random]
                           [--shift K] [--pool DEMOS.jsonl] [--categories C1,C2,...] [--seed N] [--query TEXT]

Writes a URIAL-format prompt to stdout, byte for byte (no trailing newline is added).

  --base FILE         URIAL-format prompt file (rules preamble + demonstrations), e.g. urial.txt
  --prepend FILE      JSONL demonstrations {"instruction", "output", "category"?} inserted before
                      the base prompt's demonstrations (paper Fig. 8)
  --n N               prepend N demonstrations drawn at random (with --seed) instead of all
  --no-urial          drop the base prompt's own demonstrations (keep its rules preamble)
  --ablation KIND     Table 3 Q/A-matching ablation of all demonstrations, named as in the run
                      manifest: none (correct pairs, the default), no_demos, x_only, y_only,
                      circular_shift, in_domain_random, out_of_domain_random
  --shift K           circular_shift: query i gets answer i+K (default 1: Q1 gets A2, ..., Qn gets A1;
                      reproduces qa_matching/urial.circular_shift.txt)
  --pool FILE         JSONL pool with a "category" per row: where in_domain_random /
                      out_of_domain_random draw new answers (default: the demonstrations themselves)
  --categories LIST   categories of the base prompt's demonstrations, in order (comma-separated);
                      prepended demonstrations take theirs from the "category" field
  --seed N            seed of the random draws (default 0)
  --query TEXT        render this first-turn query after the demonstrations, ending in an open
                      answer block (what generation sends)
`;

function intOpt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const x = parseDecimal(raw);
  if (!Number.isInteger(x)) throw new UsageError(`--${name} must be an integer (got "${raw}")`);
  return x;
}

export const command: Command = {
  summary: "build a URIAL-format prompt (added demos, Table 3 ablations, a query) on stdout",
  usage,
  run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, {
      base: { type: "string" },
      prepend: { type: "string" },
      n: { type: "string" },
      "no-urial": { type: "boolean" },
      ablation: { type: "string" },
      shift: { type: "string" },
      pool: { type: "string" },
      categories: { type: "string" },
      seed: { type: "string" },
      query: { type: "string" },
    });
    const base = stringOpt(p, "base", true);
    const prependFile = stringOpt(p, "prepend");
    const seed = intOpt(stringOpt(p, "seed"), "seed", 0);
    const nRaw = stringOpt(p, "n");
    const shift = intOpt(stringOpt(p, "shift"), "shift", 1);
    const ablation: Ablation = choiceOpt(p, "ablation", ABLATIONS, "none");
    if (nRaw !== undefined && prependFile === undefined) throw new UsageError("--n needs --prepend (the pool to draw from)");
    if (stringOpt(p, "shift") !== undefined && ablation !== "circular_shift") throw new UsageError("--shift applies to --ablation circular_shift only");

    let prompt = loadUrialPrompt(base);
    const cats = stringOpt(p, "categories");
    if (cats !== undefined) {
      const list = cats.split(",").map((c) => c.trim());
      if (list.length !== prompt.demos.length || list.some((c) => c === "")) {
        throw new UsageError(`--categories: ${base} has ${prompt.demos.length} demonstrations, got ${list.length} non-empty categories`);
      }
      prompt = withCategories(prompt, list);
    }
    // One stream of draws per command: sampling first, then the random-answer ablation.
    const rng = createRng(seed);
    if (prependFile !== undefined) {
      const pool = loadDemoPool(prependFile);
      const n = nRaw === undefined ? pool.length : intOpt(nRaw, "n", 0);
      if (n < 0 || n > pool.length) throw new InputError({ file: prependFile }, `--n ${n}: the pool has ${pool.length} demonstrations`);
      const chosen = nRaw === undefined ? pool : sampleDemos(pool, n, rng);
      prompt = boolOpt(p, "no-urial") ? replaceDemos(prompt, chosen) : prependDemos(prompt, chosen);
    } else if (boolOpt(p, "no-urial")) {
      prompt = replaceDemos(prompt, []);
    }
    if (ablation !== "none") {
      const poolFile = stringOpt(p, "pool");
      const pool = poolFile === undefined ? undefined : loadDemoPool(poolFile);
      try {
        prompt = ablatePrompt(prompt, ablation, { shift, rng, ...(pool ? { pool } : {}) });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(`--ablation ${ablation}: ${e.message}`);
        throw e;
      }
    }
    const q = stringOpt(p, "query");
    io.stdout(q === undefined ? renderUrialPrompt(prompt) : renderQuery(prompt, q));
    return Promise.resolve(0);
  },
};
