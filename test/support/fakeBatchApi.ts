/**
 * OpenAI's Batch API (files upload, batches create/list/retrieve, file content) as a responder
 * for the fake server, for tests of lib/experiment/batchJudging over real HTTP. Each batch runs
 * its requests through `answer` when it is first retrieved after `pollsUntilDone` polls.
 */
import type { RecordedRequest, Reply } from "./fakeOpenAI";

export interface FakeBatch {
  id: string;
  input_file_id: string;
  status: string;
  polls: number;
  output_file_id: string | null;
  error_file_id: string | null;
}

export interface FakeBatchApi {
  responder: (req: RecordedRequest) => Reply;
  /** Uploaded file contents by id. */
  files: Map<string, string>;
  batches: FakeBatch[];
  /** Requests per route, e.g. "POST /batches". */
  counts: Map<string, number>;
  /** Status polls before a batch completes (can be changed between runs). */
  pollsUntilDone: number;
}

/** The content of the file part of a multipart/form-data body. */
export function multipartFile(req: RecordedRequest): string {
  const ct = String(req.headers["content-type"] ?? "");
  const m = /boundary=("?)([^";]+)\1/.exec(ct);
  if (!m) throw new Error(`not multipart: ${ct}`);
  const boundary = `--${m[2]}`;
  for (const part of req.rawBody.split(boundary)) {
    if (!/name="file"/.test(part)) continue;
    const start = part.indexOf("\r\n\r\n");
    return part.slice(start + 4, part.endsWith("\r\n") ? -2 : undefined);
  }
  throw new Error("no file part");
}

/**
 * `answer(body)` gives each request's result: a chat completion body (status 200), or
 * `{status, error}` for a request that fails inside the batch (written to the error file when
 * status is 0, else to the output file with that status).
 */
export function fakeBatchApi(answer: (customId: string, body: unknown) => { body: unknown } | { status: number; error: string }): FakeBatchApi {
  const api: FakeBatchApi = { responder: () => ({ kind: "json", body: {} }), files: new Map(), batches: [], counts: new Map(), pollsUntilDone: 1 };
  const json = (body: unknown, status = 200): Reply => ({ kind: "json", status, body });
  const batchJson = (b: FakeBatch) => ({
    id: b.id,
    object: "batch",
    endpoint: "/v1/chat/completions",
    input_file_id: b.input_file_id,
    completion_window: "24h",
    status: b.status,
    output_file_id: b.output_file_id,
    error_file_id: b.error_file_id,
    created_at: 0,
    request_counts: { total: (api.files.get(b.input_file_id) ?? "").split("\n").filter((l) => l).length, completed: b.status === "completed" ? 1 : 0, failed: 0 },
  });
  const run = (b: FakeBatch): void => {
    const out: string[] = [];
    const errs: string[] = [];
    for (const line of (api.files.get(b.input_file_id) ?? "").split("\n").filter((l) => l !== "")) {
      const r = JSON.parse(line) as { custom_id: string; body: unknown };
      const a = answer(r.custom_id, r.body);
      if ("body" in a) out.push(JSON.stringify({ id: `req-${out.length}`, custom_id: r.custom_id, response: { status_code: 200, request_id: "x", body: a.body }, error: null }));
      else if (a.status === 0) errs.push(JSON.stringify({ id: `err-${errs.length}`, custom_id: r.custom_id, response: null, error: { code: "batch_failed", message: a.error } }));
      else out.push(JSON.stringify({ id: `req-${out.length}`, custom_id: r.custom_id, response: { status_code: a.status, request_id: "x", body: { error: { message: a.error } } }, error: null }));
    }
    b.output_file_id = `file-out-${b.id}`;
    api.files.set(b.output_file_id, out.map((l) => `${l}\n`).join(""));
    if (errs.length > 0) {
      b.error_file_id = `file-err-${b.id}`;
      api.files.set(b.error_file_id, errs.map((l) => `${l}\n`).join(""));
    }
    b.status = "completed";
  };
  api.responder = (req) => {
    const route = `${req.method} ${req.path.replace(/^\/v1/, "").replace(/\/(file|batch)[-_][\w-]+/, "/:id")}`;
    api.counts.set(route, (api.counts.get(route) ?? 0) + 1);
    const id = /\/((?:file|batch)[-_][\w-]+)/.exec(req.path)?.[1] ?? "";
    switch (route) {
      case "POST /files": {
        const fid = `file-in-${[...api.files.keys()].filter((k) => k.startsWith("file-in-")).length + 1}`;
        api.files.set(fid, multipartFile(req));
        return json({ id: fid, object: "file", bytes: 0, created_at: 0, filename: "judge-batch.jsonl", purpose: "batch", status: "processed" });
      }
      case "POST /batches": {
        const body = req.body as { input_file_id: string };
        const b: FakeBatch = { id: `batch_${api.batches.length + 1}`, input_file_id: body.input_file_id, status: "validating", polls: 0, output_file_id: null, error_file_id: null };
        api.batches.push(b);
        return json(batchJson(b));
      }
      case "GET /batches":
        return json({ object: "list", data: [...api.batches].reverse().map(batchJson), has_more: false, first_id: null, last_id: null });
      case "GET /batches/:id": {
        const b = api.batches.find((x) => x.id === id);
        if (!b) return json({ error: { message: "no such batch" } }, 404);
        if (b.status !== "completed") {
          b.polls++;
          b.status = "in_progress";
          if (b.polls > api.pollsUntilDone) run(b);
        }
        return json(batchJson(b));
      }
      case "GET /files/:id/content": {
        const text = api.files.get(id);
        if (text === undefined) return json({ error: { message: "no such file" } }, 404);
        return { kind: "raw", contentType: "application/octet-stream", text };
      }
      default:
        return json({ error: { message: `no route ${route}` } }, 404);
    }
  };
  return api;
}
