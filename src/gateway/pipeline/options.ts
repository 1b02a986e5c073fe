import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { circuitBreaker, retryPolicy } from "../resilience/config";
import type { ResilienceOptions } from "../resilience/run";
import { timeoutFor } from "../upstream-call";

/** A call's options from its request, read once (a bad value is a 400 naming its header). */
export interface CallOptions {
  /** `x-timeout-ms`, `x-max-retries`, the client's disconnect, the circuit breaker. */
  resilience: ResilienceOptions;
  /** `x-cache-ttl` and `Cache-Control`, for plans that cache (gateway/cache/policy.ts). */
  cache: { ttl?: string | undefined; cacheControl?: string | undefined };
}

export function callOptions(c: Context<AppEnv>): CallOptions {
  return {
    resilience: {
      clientSignal: c.req.raw.signal,
      timeoutMs: timeoutFor(c.env, c.req.header("x-timeout-ms")),
      retry: retryPolicy(c.env, c.req.header("x-max-retries")),
      breaker: circuitBreaker(c.env),
    },
    cache: { ttl: c.req.header("x-cache-ttl"), cacheControl: c.req.header("cache-control") },
  };
}
