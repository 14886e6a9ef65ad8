/**
 * Headless Chromium for figure export: Debian's `chromium` package driven by `playwright-core`
 * (no browser download, no CDN). The only module that launches a browser; `exportFigure.ts`
 * keeps one launched browser per batch.
 */
import * as fs from "node:fs";
import type { Browser } from "playwright-core";

/** Where Debian's `chromium` package installs the browser (bin/setup installs it). */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags for a headless, offline, sandbox-free Chromium (containers run as root). */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The Chromium executable: `$ICL_CHROMIUM` if set, else /usr/bin/chromium. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const v = env["ICL_CHROMIUM"];
  return v && v.length > 0 ? v : DEFAULT_CHROMIUM_PATH;
}

/**
 * Why Chromium cannot be used at `executablePath` (a sentence naming the path and the fix), or
 * `null` when an executable file is there.
 */
export function chromiumMissing(executablePath: string = chromiumPath()): string | null {
  try {
    fs.accessSync(executablePath, fs.constants.X_OK);
    if (!fs.statSync(executablePath).isFile()) throw new Error("not a file");
    return null;
  } catch {
    return (
      `figure export needs headless Chromium, but ${executablePath} is missing or not executable; ` +
      `run bin/setup (it installs Debian's chromium package) or set ICL_CHROMIUM to a Chromium binary`
    );
  }
}

/**
 * The DevTools endpoint of a Chromium shared by a whole run (`$ICL_CHROMIUM_ENDPOINT`, e.g.
 * `ws://127.0.0.1:PORT/devtools/browser/ID`, set by bin/run_notebooks.py), or null when unset.
 * Only loopback endpoints are accepted.
 */
export function sharedChromiumEndpoint(env: NodeJS.ProcessEnv = process.env): string | null {
  const v = env["ICL_CHROMIUM_ENDPOINT"];
  if (!v) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new Error(`ICL_CHROMIUM_ENDPOINT=${JSON.stringify(v)} is not a URL (expected ws://127.0.0.1:PORT/devtools/browser/ID)`);
  }
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new Error(`ICL_CHROMIUM_ENDPOINT must point at a loopback address, got ${url.hostname}`);
  }
  return v;
}

/**
 * A headless Chromium for figure export. When {@link sharedChromiumEndpoint} is set, connects to
 * that browser over CDP (one browser serves every notebook of a run; `close()` then only
 * disconnects and drops this connection's pages); if the connection fails it says so on stderr
 * and launches its own. Otherwise launches headless Chromium with {@link CHROMIUM_ARGS}. Throws
 * a clear error when the executable is missing or the launch fails (naming the path and flags).
 */
export async function launchChromium(executablePath: string = chromiumPath()): Promise<Browser> {
  const endpoint = sharedChromiumEndpoint();
  if (endpoint !== null) {
    const { chromium } = await import("playwright-core");
    try {
      return await chromium.connectOverCDP(endpoint, { timeout: 15_000 });
    } catch (e) {
      const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
      process.stderr.write(`figure export: could not connect to the shared Chromium at ${endpoint} (${why}); launching one\n`);
    }
  }
  const missing = chromiumMissing(executablePath);
  if (missing) throw new Error(missing);
  // Loaded here, not at the top: importing lib/index must not load playwright.
  const { chromium } = await import("playwright-core");
  try {
    return await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`could not launch Chromium at ${executablePath} (flags ${CHROMIUM_ARGS.join(" ")}): ${why}`);
  }
}
