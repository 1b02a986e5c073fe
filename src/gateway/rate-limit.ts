import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";

/**
 * Per-API-key requests per minute, with the Workers Rate Limiting binding. A binding's limit is
 * fixed in wrangler.toml, so limits come in tiers, one binding each; a key's
 * `rate_limit_per_minute` picks its tier (null = the default). Runs right after authentication,
 * on the key row auth already read: no storage read of its own.
 *
 * The binding counts per Cloudflare location and is eventually consistent (it is meant to stop
 * abuse, not to meter exactly), and it cannot say how much is left: responses carry
 * `RateLimit-Limit` and `RateLimit-Policy`, never `RateLimit-Remaining` except 0 on a refusal.
 * @see https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 */

export const RATE_LIMIT_TIERS = [60, 600, 3000, 10000] as const;
export type RateLimitTier = (typeof RATE_LIMIT_TIERS)[number];
export const DEFAULT_RATE_LIMIT: RateLimitTier = 600;
/** The bindings' period, in seconds (the binding allows 10 or 60). */
const WINDOW_SECONDS = 60;

const BINDINGS = {
  60: "RATE_LIMIT_60",
  600: "RATE_LIMIT_600",
  3000: "RATE_LIMIT_3000",
  10000: "RATE_LIMIT_10000",
} as const satisfies Record<RateLimitTier, keyof Env>;

export const isRateLimitTier = (n: number): n is RateLimitTier =>
  (RATE_LIMIT_TIERS as readonly number[]).includes(n);

/**
 * The tier for a stored value. The API only stores tiers; a value set by hand in the database
 * gets the nearest tier below it (the safe side), or the lowest.
 */
export function tierFor(perMinute: number | null): RateLimitTier {
  if (perMinute === null) return DEFAULT_RATE_LIMIT;
  if (isRateLimitTier(perMinute)) return perMinute;
  let tier: RateLimitTier = RATE_LIMIT_TIERS[0];
  for (const t of RATE_LIMIT_TIERS) if (t <= perMinute) tier = t;
  return tier;
}

export const tierListText = (): string => RATE_LIMIT_TIERS.join(", ");

/** Refuses a key past its tier; the operator's ADMIN_API_KEY is never limited. */
export const keyRateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const p = c.get("principal");
  if (p.kind === "root") return next();
  const tier = tierFor(p.rateLimitPerMinute);
  const headers = {
    "ratelimit-limit": String(tier),
    "ratelimit-policy": `${tier};w=${WINDOW_SECONDS}`,
  };
  const { success } = await c.env[BINDINGS[tier]].limit({ key: p.keyId });
  if (!success) {
    // The binding does not say when its window ends: the whole period is the honest bound.
    throw new GatewayError(
      429,
      "rate_limit_error",
      "key_rate_limited",
      `Rate limit reached: ${tier} requests per minute for this API key. Retry after ${WINDOW_SECONDS} seconds.`,
      {
        retryable: true,
        headers: {
          ...headers,
          "retry-after": String(WINDOW_SECONDS),
          "ratelimit-remaining": "0",
          "ratelimit-reset": String(WINDOW_SECONDS),
        },
      },
    );
  }
  // Set before the route answers, so they join its response as it is built: set after, each
  // header would copy the finished Response.
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  await next();
});
