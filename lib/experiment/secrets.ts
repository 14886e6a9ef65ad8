/**
 * API keys: read from an environment variable, never written anywhere. Every key a command
 * reads is registered here ({@link registerSecret}); everything the experiment side prints or
 * stores goes through {@link redactKnownSecrets}: the CLI's stdout/stderr and its top-level error
 * handler (lib/cli/main.ts), every record of an append-only log (appendLog.ts), every file the
 * experiment side writes atomically ({@link writeSecretFreeFile}) and the Batch API input file.
 * So a key echoed back by a server, in an error or inside a 200 response, reaches no output.
 */
import { writeFileAtomic } from "../io/atomic";

/** Placeholder key for local OpenAI-compatible servers (vLLM) that do not check keys. */
export const NO_KEY_PLACEHOLDER = "EMPTY";

export interface ApiKeyChoice {
  /** The key itself; keep it in memory only. */
  key: string;
  /** Where it came from, safe to print: `env OPENAI_API_KEY` or `none (placeholder)`. */
  source: string;
}

/**
 * The API key from `env[varName]` (`varName` null: no key, the placeholder). When the variable
 * is unset or empty: an error if `required` (OpenAI's own API), else vLLM's placeholder `EMPTY`.
 * A key read here is registered for redaction.
 */
export function readApiKey(env: NodeJS.ProcessEnv, varName: string | null, required: boolean): ApiKeyChoice {
  const v = varName === null ? undefined : env[varName];
  if (varName !== null && v !== undefined && v.trim() !== "") {
    registerSecret(v.trim());
    return { key: v.trim(), source: `env ${varName}` };
  }
  if (required) {
    throw new Error(
      varName === null
        ? "api.openai.com needs an API key: name the environment variable holding it (--api-key-env NAME)"
        : `the API key is read from the environment variable ${varName}, which is not set`,
    );
  }
  return { key: NO_KEY_PLACEHOLDER, source: "none (placeholder)" };
}

/** True when a base URL points at OpenAI's own API (where a real key is required). */
export function isOpenAIHosted(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname.endsWith("openai.com");
  } catch {
    return false;
  }
}

/** Shortest string the registry accepts: shorter ones would redact ordinary words. */
const MIN_REGISTERED_LENGTH = 8;
const registry = new Set<string>();

/** Adds a secret to the process-wide set every output is redacted with (ignored when shorter than 8 characters). */
export function registerSecret(secret: string): void {
  const s = secret.trim();
  if (s.length >= MIN_REGISTERED_LENGTH && s !== NO_KEY_PLACEHOLDER) registry.add(s);
}

/** The registered secrets (for tests and for callers that redact with an explicit list). */
export function registeredSecrets(): string[] {
  return [...registry];
}

/** Environment variables whose values are treated as secrets even when no command reads them. */
export const SECRET_ENV_NAME = /(API_?KEY|TOKEN|SECRET|PASSWORD)/i;

/** Registers the value of every environment variable whose name looks like a key (`*_API_KEY`, `*TOKEN*`, ...). */
export function registerEnvSecrets(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) if (value !== undefined && SECRET_ENV_NAME.test(name)) registerSecret(value);
}

/**
 * Replaces every occurrence of each secret (at least 4 characters long) with `[redacted]`, in
 * plain form and in the form JSON.stringify gives it inside a string (a key with `"` or `\`).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4 || s === NO_KEY_PLACEHOLDER) continue;
    out = out.split(s).join("[redacted]");
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s) out = out.split(escaped).join("[redacted]");
  }
  return out;
}

/** {@link redactSecrets} with every registered secret. */
export function redactKnownSecrets(text: string): string {
  return registry.size === 0 ? text : redactSecrets(text, [...registry]);
}

/** writeFileAtomic of a text with every registered secret redacted (the experiment side's file writes). */
export function writeSecretFreeFile(target: string, text: string): void {
  writeFileAtomic(target, redactKnownSecrets(text));
}
