/**
 * A fake OpenAI-compatible server for tests and benchmarks: a real HTTP server on 127.0.0.1
 * (never another interface) speaking `/v1/chat/completions` and `/v1/completions`, so the
 * `openai` client is exercised over real HTTP. A responder decides each reply, which makes
 * fault injection easy: 429 with Retry-After, 500, a hung request, a malformed body, a judgment
 * without a rating. Every request is recorded (path, parsed JSON body, headers).
 *
 * Bounded: a hung request is released after `maxHangMs` at the latest, and `close()` destroys
 * every open connection, so a test never waits on the server.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined when the body was not JSON). */
  body: unknown;
  rawBody: string;
}

export type Reply =
  | { kind: "json"; status?: number; body: unknown; headers?: Record<string, string>; delayMs?: number }
  | { kind: "raw"; status?: number; contentType: string; text: string; headers?: Record<string, string>; delayMs?: number }
  /** Never answers (until `maxHangMs` or close): the client's timeout must fire. */
  | { kind: "hang" };

export type Responder = (req: RecordedRequest) => Reply;

export interface FakeServer {
  /** Base URL for the `openai` client, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  requests: RecordedRequest[];
  setResponder(r: Responder): void;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Upper bound on a hung request (default 5 s). */
  maxHangMs?: number;
  /** Keep at most this many recorded requests (default unlimited; benchmarks pass 0). */
  recordLimit?: number;
}

/** FNV-1a of a string: a stable pseudo-random integer for deterministic fake replies. */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A chat completion body with the given content and token counts. */
export function chatCompletion(content: string, usage = { prompt_tokens: 100, completion_tokens: 20 }): unknown {
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: 0,
    model: "fake",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

/** A legacy completion body. */
export function textCompletion(text: string, usage = { prompt_tokens: 100, completion_tokens: 20 }): unknown {
  return {
    id: "cmpl-fake",
    object: "text_completion",
    created: 0,
    model: "fake",
    choices: [{ index: 0, text, finish_reason: "stop", logprobs: null }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

/** The last user message of a chat request body ("" when absent). */
export function lastUserMessage(body: unknown): string {
  const msgs = (body as { messages?: { role: string; content: string }[] } | undefined)?.messages;
  if (!Array.isArray(msgs)) return "";
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]?.role === "user") return msgs[i]?.content ?? "";
  return "";
}

/** The deterministic score the default judge gives a user prompt: 1..10. */
export function fakeJudgeScore(userPrompt: string): number {
  return 1 + (stableHash(userPrompt) % 10);
}

/**
 * The default responder: a chat request gets `Rating: [[s]]` with s = fakeJudgeScore(last user
 * message); a completion request gets `Answer <hash>.\n```\n\n` (a URIAL-style answer block
 * end, which cleaning removes).
 */
export const defaultResponder: Responder = (req) => {
  if (req.path.endsWith("/chat/completions")) {
    const u = lastUserMessage(req.body);
    return { kind: "json", body: chatCompletion(`The answer is fine. Rating: [[${fakeJudgeScore(u)}]]`) };
  }
  if (req.path.endsWith("/completions")) {
    const prompt = String((req.body as { prompt?: unknown } | undefined)?.prompt ?? "");
    return { kind: "json", body: textCompletion(`Answer ${stableHash(prompt).toString(16)}.\n\`\`\`\n\n`) };
  }
  return { kind: "json", status: 404, body: { error: { message: `no route ${req.path}`, type: "invalid_request_error" } } };
};

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startFakeOpenAI(responder: Responder = defaultResponder, opts: FakeServerOptions = {}): Promise<FakeServer> {
  let current = responder;
  const requests: RecordedRequest[] = [];
  let count = 0;
  const hung = new Set<http.ServerResponse>();
  const maxHangMs = opts.maxHangMs ?? 5000;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = rawBody === "" ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const rec: RecordedRequest = { index: count++, method: req.method ?? "", path: (req.url ?? "").split("?")[0] ?? "", headers: req.headers, body, rawBody };
      if (opts.recordLimit === undefined || requests.length < opts.recordLimit) requests.push(rec);
      let reply: Reply;
      try {
        reply = current(rec);
      } catch (e) {
        reply = { kind: "json", status: 500, body: { error: { message: `responder threw: ${String(e)}` } } };
      }
      send(res, reply);
    });
  });

  const send = (res: http.ServerResponse, reply: Reply): void => {
    if (reply.kind === "hang") {
      hung.add(res);
      const t = setTimeout(() => {
        hung.delete(res);
        if (!res.writableEnded) res.destroy();
      }, maxHangMs);
      t.unref();
      res.on("close", () => {
        clearTimeout(t);
        hung.delete(res);
      });
      return;
    }
    const write = (): void => {
      if (res.destroyed) return;
      const text = reply.kind === "json" ? JSON.stringify(reply.body) : reply.text;
      res.writeHead(reply.status ?? 200, {
        "content-type": reply.kind === "json" ? "application/json" : reply.contentType,
        "content-length": Buffer.byteLength(text),
        ...(reply.headers ?? {}),
      });
      res.end(text);
    };
    if (reply.delayMs !== undefined && reply.delayMs > 0) setTimeout(write, reply.delayMs).unref();
    else write();
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  server.keepAliveTimeout = 60_000;
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setResponder(r: Responder) {
      current = r;
    },
    close() {
      for (const res of hung) res.destroy();
      hung.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
