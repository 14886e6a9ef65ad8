/**
 * One or more OpenAI-compatible servers (OpenAI, a vLLM node, a fleet of vLLM nodes) behind
 * the official `openai` client. Requests are spread over the base URLs: each call goes to the
 * server with the fewest requests in flight (ties in turn), and a server that just failed with
 * a connection error or 5xx is avoided for a short cool-down while others are healthy, so a
 * retry lands on another node.
 *
 * The clients are created with `maxRetries: 0` (retries are ours, see retry.ts) and
 * `logLevel: "off"` (the client's own logging could print request details).
 */
import OpenAI from "openai";
import { classifyError, MalformedResponseError } from "./retry";
import type { UsageLike } from "./usage";

export interface EndpointPoolOptions {
  baseUrls: readonly string[];
  apiKey: string;
  /** Per-request timeout in milliseconds (a hung request fails after this and is retried). */
  timeoutMs: number;
  /** How long a failing server is avoided (default 2 s). */
  coolDownMs?: number;
  now?: () => number;
}

interface Endpoint {
  baseUrl: string;
  client: OpenAI;
  inFlight: number;
  downUntil: number;
  served: number;
}

export class EndpointPool {
  private readonly endpoints: Endpoint[];
  private next = 0;
  private readonly now: () => number;
  private readonly coolDownMs: number;
  /** The per-request timeout (ms): an attempt never waits longer. */
  readonly timeoutMs: number;

  constructor(opts: EndpointPoolOptions) {
    this.timeoutMs = opts.timeoutMs;
    if (opts.baseUrls.length === 0) throw new Error("at least one base URL is needed");
    this.now = opts.now ?? Date.now;
    this.coolDownMs = opts.coolDownMs ?? 2000;
    this.endpoints = opts.baseUrls.map((baseUrl) => ({
      baseUrl,
      // organization/project null: the client would otherwise send OPENAI_ORG_ID / OPENAI_PROJECT_ID
      // from the environment to every server, a generation node included.
      client: new OpenAI({ baseURL: baseUrl, apiKey: opts.apiKey, organization: null, project: null, maxRetries: 0, timeout: opts.timeoutMs, logLevel: "off" }),
      inFlight: 0,
      downUntil: 0,
      served: 0,
    }));
  }

  get baseUrls(): string[] {
    return this.endpoints.map((e) => e.baseUrl);
  }

  /** The client of the first base URL (for APIs that are not spread over a fleet, e.g. OpenAI's Batch API). */
  firstClient(): OpenAI {
    return (this.endpoints[0] as Endpoint).client;
  }

  /** Requests answered per base URL (for the end-of-run report). */
  servedCounts(): Record<string, number> {
    return Object.fromEntries(this.endpoints.map((e) => [e.baseUrl, e.served]));
  }

  /** Runs `fn` with the client of the least-loaded healthy server. */
  async call<T>(fn: (client: OpenAI) => Promise<T>): Promise<T> {
    const ep = this.pick();
    ep.inFlight++;
    try {
      const r = await fn(ep.client);
      ep.served++;
      return r;
    } catch (e) {
      const c = classifyError(e, this.now());
      if (c.retryable && this.endpoints.length > 1) ep.downUntil = this.now() + this.coolDownMs;
      throw e;
    } finally {
      ep.inFlight--;
    }
  }

  private pick(): Endpoint {
    const t = this.now();
    const n = this.endpoints.length;
    const healthy = this.endpoints.filter((e) => e.downUntil <= t);
    const candidates = healthy.length > 0 ? healthy : this.endpoints;
    let best: Endpoint | undefined;
    for (let k = 0; k < n; k++) {
      const ep = this.endpoints[(this.next + k) % n] as Endpoint;
      if (!candidates.includes(ep)) continue;
      if (best === undefined || ep.inFlight < best.inFlight) best = ep;
    }
    this.next = (this.next + 1) % n;
    return best as Endpoint;
  }
}

/** Sampling parameters of a generation or judge request. */
export interface SamplingParams {
  temperature: number;
  maxTokens: number;
  topP?: number | undefined;
  /** vLLM's extra sampling parameter; sent inline in the request body. */
  repetitionPenalty?: number | undefined;
  stop?: readonly string[] | undefined;
  seed?: number | undefined;
}

/** A finished request's text and usage. */
export interface CallResult {
  text: string;
  usage: UsageLike | null;
  finishReason: string | null;
}

function samplingFields(p: SamplingParams): Record<string, unknown> {
  const o: Record<string, unknown> = { temperature: p.temperature, max_tokens: p.maxTokens, n: 1 };
  if (p.topP !== undefined) o["top_p"] = p.topP;
  // Not an OpenAI parameter: vLLM reads it from the JSON body. It goes inline in the params
  // object; the `body` request option would replace the whole body instead of adding a field.
  if (p.repetitionPenalty !== undefined) o["repetition_penalty"] = p.repetitionPenalty;
  if (p.stop !== undefined && p.stop.length > 0) o["stop"] = [...p.stop];
  if (p.seed !== undefined) o["seed"] = p.seed;
  return o;
}

/** The JSON body of a chat completion request (exported for tests). */
export function chatRequestBody(model: string, messages: readonly { role: string; content: string }[], p: SamplingParams): Record<string, unknown> {
  return { model, messages: messages.map((m) => ({ role: m.role, content: m.content })), ...samplingFields(p) };
}

/** The JSON body of a legacy completion request (exported for tests). */
export function completionRequestBody(model: string, prompt: string, p: SamplingParams): Record<string, unknown> {
  return { model, prompt, ...samplingFields(p) };
}

/** Per-request options: `timeoutMs` shortens the client's timeout (an item's deadline). */
export interface RequestOptions {
  timeoutMs?: number | undefined;
}

function clientOptions(o: RequestOptions | undefined): { timeout: number } | undefined {
  return o?.timeoutMs === undefined ? undefined : { timeout: Math.max(1, Math.floor(o.timeoutMs)) };
}

/** One chat completion (no retries here); a body without a text choice is a MalformedResponseError. */
export async function chatOnce(
  client: OpenAI,
  model: string,
  messages: readonly { role: string; content: string }[],
  p: SamplingParams,
  options?: RequestOptions,
): Promise<CallResult> {
  const params = chatRequestBody(model, messages, p) as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
  const r = (await client.chat.completions.create(params, clientOptions(options))) as unknown;
  const choice = firstChoice(r);
  const message = choice["message"];
  const content = typeof message === "object" && message !== null ? (message as Record<string, unknown>)["content"] : undefined;
  if (typeof content !== "string") throw new MalformedResponseError("choices[0].message.content is not a string");
  return { text: content, usage: usageOf(r), finishReason: typeof choice["finish_reason"] === "string" ? choice["finish_reason"] : null };
}

/** One legacy completion (base models); a body without `choices[0].text` is a MalformedResponseError. */
export async function completeOnce(client: OpenAI, model: string, prompt: string, p: SamplingParams, options?: RequestOptions): Promise<CallResult> {
  const params = completionRequestBody(model, prompt, p) as unknown as OpenAI.CompletionCreateParamsNonStreaming;
  const r = (await client.completions.create(params, clientOptions(options))) as unknown;
  const choice = firstChoice(r);
  const text = choice["text"];
  if (typeof text !== "string") throw new MalformedResponseError("choices[0].text is not a string");
  return { text, usage: usageOf(r), finishReason: typeof choice["finish_reason"] === "string" ? choice["finish_reason"] : null };
}

function firstChoice(r: unknown): Record<string, unknown> {
  if (typeof r !== "object" || r === null) throw new MalformedResponseError(`expected a JSON object, got ${typeof r}`);
  const choices = (r as Record<string, unknown>)["choices"];
  if (!Array.isArray(choices) || choices.length === 0 || typeof choices[0] !== "object" || choices[0] === null) {
    throw new MalformedResponseError("no choices in the response");
  }
  return choices[0] as Record<string, unknown>;
}

function usageOf(r: unknown): UsageLike | null {
  const u = (r as Record<string, unknown>)["usage"];
  if (typeof u !== "object" || u === null) return null;
  const o = u as Record<string, unknown>;
  return {
    prompt_tokens: typeof o["prompt_tokens"] === "number" ? o["prompt_tokens"] : null,
    completion_tokens: typeof o["completion_tokens"] === "number" ? o["completion_tokens"] : null,
  };
}
