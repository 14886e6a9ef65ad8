/**
 * Retries with exponential backoff for calls to OpenAI-compatible servers. The `openai` client
 * is created with `maxRetries: 0`; this module decides what is retried and how long to wait, so
 * the behaviour is the same for every server and is testable against a local one.
 *
 * Retried: HTTP 408, 409, 429 and 5xx, connection errors and timeouts (a hung request), and
 * malformed response bodies (a 200 whose body is not the JSON the API promises). A
 * `Retry-After` / `retry-after-ms` header on the error response overrides the computed delay
 * (capped at `maxDelayMs`). Everything else (400, 401, 403, 404, 422...) fails at once; 401,
 * 403 and 404 are marked fatal because every later request would fail the same way.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";

export interface RetryPolicy {
  /** Total attempts per call, the first included (>= 1). */
  maxAttempts: number;
  /** Delay before the first retry; doubles at each further retry. */
  baseDelayMs: number;
  /** Cap on any single wait, a server's Retry-After included. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000 };

/** Why a call failed, as far as retrying is concerned. */
export interface ErrorClass {
  retryable: boolean;
  /** Every later request would fail the same way (bad key, unknown model or URL): stop the run. */
  fatal: boolean;
  /** Server-requested wait from Retry-After / retry-after-ms, when present. */
  retryAfterMs: number | null;
  /** Short description for logs (status and message; never request headers). */
  describe: string;
}

/** A 200 response whose body lacks what the API promises (no choices, no text). */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedResponseError";
  }
}

interface HeaderReader {
  get(name: string): string | null;
}

/**
 * Parses `retry-after-ms` (milliseconds) or `Retry-After` (seconds, or an HTTP date) into a
 * wait in milliseconds; `null` when absent or unparsable.
 */
export function retryAfterMs(headers: HeaderReader | undefined | null, nowMs: number): number | null {
  if (!headers) return null;
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get("retry-after");
  if (ra === null || ra.trim() === "") return null;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(ra);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : null;
}

/** Classifies an error thrown by the `openai` client (or by a response check). */
export function classifyError(e: unknown, nowMs: number): ErrorClass {
  if (e instanceof APIUserAbortError) return { retryable: false, fatal: true, retryAfterMs: null, describe: "aborted" };
  if (e instanceof APIConnectionTimeoutError) return { retryable: true, fatal: false, retryAfterMs: null, describe: "timeout" };
  if (e instanceof APIConnectionError) return { retryable: true, fatal: false, retryAfterMs: null, describe: `connection error: ${e.message}` };
  if (e instanceof APIError) {
    const status = e.status ?? 0;
    // OpenAI answers 429 both for rate limits (wait and retry) and for an exhausted quota
    // (`insufficient_quota`: every later request fails too, so stop instead of retrying).
    const noQuota = status === 429 && e.code === "insufficient_quota";
    const retryable = !noQuota && (status === 408 || status === 409 || status === 429 || status >= 500);
    const fatal = noQuota || status === 401 || status === 403 || status === 404;
    // The client's message starts with the status ("429 Rate limit..."); keep it once.
    const message = e.message.startsWith(`${status} `) ? e.message.slice(`${status} `.length) : e.message;
    return { retryable, fatal, retryAfterMs: retryAfterMs(e.headers, nowMs), describe: `HTTP ${status}: ${message}` };
  }
  if (e instanceof MalformedResponseError) return { retryable: true, fatal: false, retryAfterMs: null, describe: `malformed response: ${e.message}` };
  // response.json() on a truncated or non-JSON body throws a SyntaxError inside the client.
  if (e instanceof SyntaxError) return { retryable: true, fatal: false, retryAfterMs: null, describe: `malformed response body: ${e.message}` };
  return { retryable: false, fatal: false, retryAfterMs: null, describe: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}

/**
 * The wait before retry number `retry` (1 = first retry): `baseDelayMs · 2^(retry-1)`, scaled
 * by `jitter` in [0, 1) to a value in [50 %, 100 %] of that, capped at `maxDelayMs`. A server's
 * Retry-After, when given, replaces the computed value (still capped).
 */
export function backoffMs(retry: number, policy: RetryPolicy, jitter: number, serverMs: number | null): number {
  if (serverMs !== null) return Math.min(serverMs, policy.maxDelayMs);
  const raw = policy.baseDelayMs * 2 ** Math.max(0, retry - 1);
  return Math.min(policy.maxDelayMs, raw * (0.5 + 0.5 * jitter));
}

/** A deterministic jitter in [0, 1) from a string (the item's key and the attempt number). */
export function hashJitter(seed: string): number {
  // FNV-1a, 32 bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

/** The failure of a call after its retries; `fatal` asks the caller to stop the whole run. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly last: ErrorClass,
  ) {
    super(`${last.retryable ? `gave up after ${attempts} attempts` : "not retryable"}: ${last.describe}`);
    this.name = "RetriesExhaustedError";
  }
  get fatal(): boolean {
    return this.last.fatal;
  }
}

export interface RetryHooks {
  /** Waits `ms` milliseconds (tests pass a fast fake). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Called before each wait, e.g. to count or log retries. */
  onRetry?: (info: { attempt: number; waitMs: number; error: ErrorClass }) => void;
  /** Seed of the deterministic jitter (the item's key); the attempt number is appended. */
  jitterKey?: string;
  /**
   * The item's deadline (epoch milliseconds on `now`'s clock): no attempt starts after it, no
   * wait runs past it, and each attempt gets at most the time left (`fn`'s `timeoutMs`).
   */
  deadlineAt?: number;
}

/** The deadline of an item that started at `startMs` and may take `deadlineMs` in all (undefined: none). */
export function itemDeadline(startMs: number, deadlineMs: number | undefined): number | undefined {
  return deadlineMs === undefined ? undefined : startMs + deadlineMs;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn(attempt, timeoutMs)` until it succeeds, retrying per `policy`; `timeoutMs` is the
 * time left before `hooks.deadlineAt` (undefined without a deadline), for the request's own
 * timeout. Throws RetriesExhaustedError with the last error's classification when it gives up,
 * meets a non-retryable error, or the deadline leaves no time for another attempt.
 */
export async function withRetries<T>(fn: (attempt: number, timeoutMs: number | undefined) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  const now = hooks.now ?? Date.now;
  const deadline = hooks.deadlineAt;
  for (let attempt = 1; ; attempt++) {
    const left = deadline === undefined ? undefined : deadline - now();
    if (left !== undefined && left <= 0) throw new RetriesExhaustedError(attempt - 1, DEADLINE_PASSED);
    try {
      return await fn(attempt, left);
    } catch (e) {
      const c = classifyError(e, now());
      if (!c.retryable || attempt >= policy.maxAttempts) throw new RetriesExhaustedError(attempt, c);
      const waitMs = backoffMs(attempt, policy, hashJitter(`${hooks.jitterKey ?? ""}#${attempt}`), c.retryAfterMs);
      if (deadline !== undefined && now() + waitMs >= deadline) {
        throw new RetriesExhaustedError(attempt, { ...c, describe: `${c.describe}; item deadline reached before the next attempt` });
      }
      hooks.onRetry?.({ attempt, waitMs, error: c });
      await sleep(waitMs);
    }
  }
}

const DEADLINE_PASSED: ErrorClass = { retryable: true, fatal: false, retryAfterMs: null, describe: "item deadline reached" };
