import type { ModelConfigRow } from "../../db/schema";
import type { OptionalConfig } from "../../env";
import { invalidRequest } from "../../errors/gateway-error";

/** KV's shortest expiry. */
export const MIN_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 30 * 24 * 3600;

export interface CachePolicy {
  /** Serve a stored answer when there is one. */
  lookup: boolean;
  /** Store this answer. */
  store: boolean;
  ttlSeconds: number;
}

function ttlFrom(raw: string | number, param: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > MAX_TTL_SECONDS || (n > 0 && n < MIN_TTL_SECONDS)) {
    throw invalidRequest(
      "invalid_cache_ttl",
      `A cache TTL is 0 (off) or ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS} seconds.`,
      param,
    );
  }
  return n;
}

/**
 * Whether and for how long to cache: the request's `x-cache-ttl` header, else the model config's
 * `cache_ttl_seconds`, else CACHE_TTL_SECONDS, else off. A request's `Cache-Control: no-store`
 * neither reads nor writes; `no-cache` skips the read but stores the fresh answer (HTTP's meaning).
 */
export function cachePolicy(
  env: OptionalConfig,
  config: ModelConfigRow | null,
  headers: { ttl?: string; cacheControl?: string },
): CachePolicy {
  let ttlSeconds = 0;
  if (headers.ttl !== undefined) ttlSeconds = ttlFrom(headers.ttl, "x-cache-ttl");
  else if (config?.cacheTtlSeconds != null) ttlSeconds = config.cacheTtlSeconds;
  else if (env.CACHE_TTL_SECONDS) ttlSeconds = ttlFrom(env.CACHE_TTL_SECONDS, "CACHE_TTL_SECONDS");
  const directives = (headers.cacheControl ?? "").toLowerCase();
  const noStore = /\bno-store\b/.test(directives);
  const noCache = /\bno-cache\b/.test(directives);
  const on = ttlSeconds > 0;
  return { lookup: on && !noStore && !noCache, store: on && !noStore, ttlSeconds };
}

/** When an entry was made and when it goes stale. */
export const stamp = (ttlSeconds: number) => ({
  cachedAt: Date.now(),
  expiresAt: Date.now() + ttlSeconds * 1000,
});
