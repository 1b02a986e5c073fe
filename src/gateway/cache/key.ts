import { toHex } from "../../util/encoding";
import type { CacheDialect } from "./types";

/**
 * Request fields that do not change the answer: routing and transport only. Everything else
 * (messages, sampling, tools, response format, seed, ...) is part of the key.
 */
const NOT_IN_KEY = new Set([
  "model",
  "stream",
  "stream_options",
  "user",
  "metadata",
  "store",
  // Responses: who asks (abuse monitoring) and a routing hint for OpenAI's own prompt cache.
  "safety_identifier",
  "prompt_cache_key",
]);

/** JSON with object keys sorted at every depth, so equal requests hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 of the tenant, the client dialect, the resolved vendor and model, the normalised
 * request (after the model config's defaults) and whatever else changes the answer (`vary`:
 * Anthropic's version and beta headers): one tenant never reads another's answer, a dialect
 * never reads another's shape, and `fast` and `openai/gpt-4o-mini` share entries when they are
 * the same model with the same parameters.
 */
export async function cacheKey(entry: {
  tenant: string;
  dialect: CacheDialect;
  vendorModel: string;
  body: Record<string, unknown>;
  vary?: Record<string, string | undefined>;
}): Promise<string> {
  const kept = Object.fromEntries(Object.entries(entry.body).filter(([k]) => !NOT_IN_KEY.has(k)));
  const text = canonical({
    tenant: entry.tenant,
    dialect: entry.dialect,
    model: entry.vendorModel,
    request: kept,
    vary: entry.vary ?? {},
  });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `resp:v2:${toHex(new Uint8Array(digest))}`;
}
