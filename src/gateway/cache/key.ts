import { toHex } from "../../util/encoding";

/**
 * Request fields that do not change the answer: routing and transport only. Everything else
 * (messages, sampling, tools, response format, seed, ...) is part of the key.
 */
const NOT_IN_KEY = new Set(["model", "stream", "stream_options", "user", "metadata", "store"]);

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
 * SHA-256 of the tenant, the resolved vendor and model, and the normalised request (after the
 * model config's defaults): one tenant never reads another's answer, and `fast` and
 * `openai/gpt-4o-mini` share entries when they are the same model with the same parameters.
 */
export async function cacheKey(
  tenant: string,
  vendorModel: string,
  body: Record<string, unknown>,
): Promise<string> {
  const kept = Object.fromEntries(Object.entries(body).filter(([k]) => !NOT_IN_KEY.has(k)));
  const text = canonical({ tenant, model: vendorModel, request: kept });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `resp:v1:${toHex(new Uint8Array(digest))}`;
}
