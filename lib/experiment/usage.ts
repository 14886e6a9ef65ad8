/**
 * Token and cost accounting for API runs, with an optional hard budget. Before a request is
 * sent its worst-case cost is reserved ({@link UsageMeter.reserve}: every prompt byte a token,
 * plus chat framing, plus `max_tokens` completion tokens); a request whose reservation does not
 * fit in what is left of the budget is not sent and the run stops. When the response arrives
 * the reservation is replaced by the reported usage (or kept whole when the server reported
 * none). So spent + reserved never exceeds `--budget-usd`, whatever the concurrency.
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

  /** Worst-case dollars of the requests in flight. */
  reservedUsd = 0;
  /** Worst-case dollars of finished responses that reported no usage (counted against the budget). */
  unknownUsd = 0;
  /** Set once a reservation was refused: the budget stop, with its reason. */
  private refused: string | null = null;

  constructor(
    readonly prices: TokenPrices | null,
    readonly budgetUsd: number | null,
  ) {}

  /**
   * Records a finished response's usage. With `reservation` (from {@link reserve}) the
   * reservation is released; a response without usage then counts its worst case.
   */
  add(usage: UsageLike | null | undefined, reservation?: Reservation | null): void {
    this.requests++;
    const worst = reservation?.release() ?? 0;
    if (!usage || (usage.prompt_tokens == null && usage.completion_tokens == null)) {
      this.withoutUsage++;
      this.unknownUsd += worst;
      return;
    }
    this.promptTokens += usage.prompt_tokens ?? 0;
    this.completionTokens += usage.completion_tokens ?? 0;
  }

  /**
   * Reserves the worst-case cost of one request of `promptBytes` UTF-8 bytes in `messages`
   * messages with up to `maxTokens` completion tokens, or returns null (and from then on
   * {@link budgetStop} says why) when it does not fit in the budget. Without a budget or prices
   * every reservation succeeds at zero cost.
   */
  reserve(promptBytes: number, messages: number, maxTokens: number): Reservation | null {
    if (this.prices === null || this.budgetUsd === null) return new Reservation(this, 0);
    const worst = worstCaseUsd(this.prices, promptBytes, messages, maxTokens);
    if (this.committedUsd + worst > this.budgetUsd) {
      this.refused ??= `budget of $${this.budgetUsd.toFixed(2)} reached ($${this.costUsd.toFixed(4)} spent; the next request could cost up to $${worst.toFixed(4)})`;
      return null;
    }
    this.reservedUsd += worst;
    return new Reservation(this, worst);
  }

  /** Spent (known and worst-case-of-unknown) plus reserved dollars: what the budget is checked against. */
  get committedUsd(): number {
    return this.costUsd + this.unknownUsd + this.reservedUsd;
  }

  /** Dollars spent so far (0 when no prices are known). */
  get costUsd(): number {
    if (this.prices === null) return 0;
    return (this.promptTokens / 1000) * this.prices.inputPer1k + (this.completionTokens / 1000) * this.prices.outputPer1k;
  }

  /** A reason to stop when the budget is spent, else null. */
  budgetStop(): string | null {
    if (this.refused !== null) return this.refused;
    if (this.budgetUsd === null || this.costUsd + this.unknownUsd < this.budgetUsd) return null;
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

/** Chat framing tokens per message and per request (OpenAI's documented overhead is 3-4 and 3). */
const FRAMING_TOKENS_PER_MESSAGE = 8;
const FRAMING_TOKENS_PER_REQUEST = 16;

/**
 * The most a request can cost: every UTF-8 byte of the prompt a token (no byte-level BPE token
 * is shorter than a byte), plus framing tokens, plus `maxTokens` completion tokens.
 */
export function worstCaseUsd(prices: TokenPrices, promptBytes: number, messages: number, maxTokens: number): number {
  const promptTokens = promptBytes + FRAMING_TOKENS_PER_MESSAGE * messages + FRAMING_TOKENS_PER_REQUEST;
  return (promptTokens / 1000) * prices.inputPer1k + (maxTokens / 1000) * prices.outputPer1k;
}

/** A reservation of {@link UsageMeter.reserve}; release it once when the request ends (released twice, the second is 0). */
export class Reservation {
  private open = true;
  constructor(
    private readonly meter: UsageMeter,
    readonly usd: number,
  ) {}
  /** Frees the reservation and returns its amount (0 when already released). */
  release(): number {
    if (!this.open) return 0;
    this.open = false;
    this.meter.reservedUsd -= this.usd;
    return this.usd;
  }
}

/** A request refused because its worst-case cost does not fit in the budget (the run stops; nothing was sent). */
export class BudgetExhaustedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BudgetExhaustedError";
  }
}

/** UTF-8 bytes and count of a request's messages (for {@link UsageMeter.reserve}). */
export function promptSize(texts: readonly string[]): { bytes: number; messages: number } {
  let bytes = 0;
  for (const t of texts) bytes += Buffer.byteLength(t, "utf8");
  return { bytes, messages: texts.length };
}

/**
 * Runs `send` under a reservation of its worst-case cost: throws BudgetExhaustedError without
 * sending when it does not fit; on failure the reservation is released (a failed request is
 * not billed); on success the caller's `add` receives it to replace by the reported usage.
 */
export async function withReservation<T>(
  meter: UsageMeter,
  prompt: readonly string[],
  maxTokens: number,
  send: () => Promise<T>,
): Promise<{ value: T; reservation: Reservation }> {
  const size = promptSize(prompt);
  const r = meter.reserve(size.bytes, size.messages, maxTokens);
  if (r === null) throw new BudgetExhaustedError(meter.budgetStop() ?? "budget reached");
  try {
    return { value: await send(), reservation: r };
  } catch (e) {
    r.release();
    throw e;
  }
}
