/**
 * The fake OpenAI server as its own process (for benchmarks, so the server's work does not
 * share the client's event loop): `node --import tsx test/support/fakeServerMain.ts <latencyMs>`
 * prints `{"url": ...}` on its first stdout line and serves judge replies after `latencyMs`
 * until stdin closes or it gets SIGTERM. Listens on 127.0.0.1 only.
 */
import { chatCompletion, fakeJudgeScore, lastUserMessage, startFakeOpenAI } from "./fakeOpenAI";

async function main(): Promise<void> {
  const latencyMs = Number(process.argv[2] ?? "20");
  const server = await startFakeOpenAI(
    (req) => ({ kind: "json", body: chatCompletion(`Judged. Rating: [[${fakeJudgeScore(lastUserMessage(req.body))}]]`, { prompt_tokens: 800, completion_tokens: 150 }), delayMs: latencyMs }),
    { recordLimit: 0 },
  );
  process.stdout.write(JSON.stringify({ url: server.url }) + "\n");
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.stdin.on("end", stop);
  process.stdin.resume();
  process.on("SIGTERM", stop);
}

void main();
