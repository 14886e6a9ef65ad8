/**
 * API keys: read from an environment variable, never written anywhere. Everything the
 * experiment commands print or store goes through {@link redactSecrets}, so a key echoed back
 * by a server in an error message does not reach a log either.
 */

/** Placeholder key for local OpenAI-compatible servers (vLLM) that do not check keys. */
export const NO_KEY_PLACEHOLDER = "EMPTY";

export interface ApiKeyChoice {
  /** The key itself; keep it in memory only. */
  key: string;
  /** Where it came from, safe to print: `env OPENAI_API_KEY` or `none (placeholder)`. */
  source: string;
}

/**
 * The API key from `env[varName]`. When the variable is unset or empty: an error if `required`
 * (OpenAI's own API), else vLLM's placeholder `EMPTY`.
 */
export function readApiKey(env: NodeJS.ProcessEnv, varName: string, required: boolean): ApiKeyChoice {
  const v = env[varName];
  if (v !== undefined && v.trim() !== "") return { key: v.trim(), source: `env ${varName}` };
  if (required) throw new Error(`the API key is read from the environment variable ${varName}, which is not set`);
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

/** Replaces every occurrence of each secret (at least 4 characters long) with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4 || s === NO_KEY_PLACEHOLDER) continue;
    out = out.split(s).join("[redacted]");
  }
  return out;
}
