/**
 * Token and cost accounting for API runs, with an optional budget: the run stops starting new
 * requests once the spent amount reaches the budget (requests already in flight finish and are
 * kept, so the overshoot is at most one request per concurrency slot).
 */

/** Price of a model in US dollars per 1,000 tokens. */
export interface TokenPrices {
  inputPer1k: number;
  outputPer1k: number;
}

/**
 * List prices (USD per 1k tokens) of common judge models at the time of writing; pass explicit
 * prices (`--price-in`, `--price-out`) for anything else or when prices change.
 */
export const KNOWN_PRICES: Readonly<Record<string, TokenPrices>> = {
  "gpt-4": { inputPer1k: 0.03, outputPer1k: 0.06 },
  "gpt-4-0613": { inputPer1k: 0.03, outputPer1k: 0.06 },
  "gpt-4-turbo": { inputPer1k: 0.01, outputPer1k: 0.03 },
  "gpt-4-turbo-2024-04-09": { inputPer1k: 0.01, outputPer1k: 0.03 },
  "gpt-4-1106-preview": { inputPer1k: 0.01, outputPer1k: 0.03 },
  "gpt-4-0125-preview": { inputPer1k: 0.01, outputPer1k: 0.03 },
  "gpt-4o": { inputPer1k: 0.0025, outputPer1k: 0.01 },
  "gpt-3.5-turbo": { inputPer1k: 0.0005, outputPer1k: 0.0015 },
};

/** The `usage` object of an OpenAI response (fields may be missing on some servers). */
export interface UsageLike {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
}

export class UsageMeter {
  requests = 0;
  promptTokens = 0;
  completionTokens = 0;
  /** Responses that carried no usage (their cost is unknown and not counted). */
  withoutUsage = 0;

  constructor(
    readonly prices: TokenPrices | null,
    readonly budgetUsd: number | null,
  ) {}

  add(usage: UsageLike | null | undefined): void {
    this.requests++;
    if (!usage || (usage.prompt_tokens == null && usage.completion_tokens == null)) {
      this.withoutUsage++;
      return;
    }
    this.promptTokens += usage.prompt_tokens ?? 0;
    this.completionTokens += usage.completion_tokens ?? 0;
  }

  /** Dollars spent so far (0 when no prices are known). */
  get costUsd(): number {
    if (this.prices === null) return 0;
    return (this.promptTokens / 1000) * this.prices.inputPer1k + (this.completionTokens / 1000) * this.prices.outputPer1k;
  }

  /** A reason to stop when the budget is spent, else null. */
  budgetStop(): string | null {
    if (this.budgetUsd === null || this.costUsd < this.budgetUsd) return null;
    return `budget of $${this.budgetUsd.toFixed(2)} reached ($${this.costUsd.toFixed(4)} spent)`;
  }

  summary(): string {
    const cost = this.prices === null ? "cost unknown (no prices)" : `$${this.costUsd.toFixed(4)}`;
    const missing = this.withoutUsage > 0 ? `, ${this.withoutUsage} responses without usage` : "";
    return `${this.requests} responses, ${this.promptTokens} prompt + ${this.completionTokens} completion tokens, ${cost}${missing}`;
  }
}

/** Prices for a model: explicit values win, else the known table, else null. */
export function resolvePrices(model: string, inputPer1k?: number, outputPer1k?: number): TokenPrices | null {
  if (inputPer1k !== undefined || outputPer1k !== undefined) return { inputPer1k: inputPer1k ?? 0, outputPer1k: outputPer1k ?? 0 };
  return KNOWN_PRICES[model] ?? null;
}
