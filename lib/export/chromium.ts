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
 * Launches headless Chromium with {@link CHROMIUM_ARGS}. Throws a clear error when the
 * executable is missing or the launch fails (the message names the path and the flags).
 */
export async function launchChromium(executablePath: string = chromiumPath()): Promise<Browser> {
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
