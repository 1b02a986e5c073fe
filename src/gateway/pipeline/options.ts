import type { Context } from "hono";
import type { AppEnv, OptionalConfig } from "../../env";
import { circuitBreaker, retryPolicy } from "../resilience/config";
import type { ResilienceOptions } from "../resilience/run";
import { affinityOf } from "../routing/affinity";
import { timeoutFor } from "../upstream-call";
import { DEFAULT_PING_MS } from "./stream/encode-events";

/** A call's options from its request, read once (a bad value is a 400 naming its header). */
export interface CallOptions {
  /** `x-timeout-ms`, `x-max-retries`, the client's disconnect, the circuit breaker. */
  resilience: ResilienceOptions;
  /** `x-cache-ttl` and `Cache-Control`, for plans that cache (gateway/cache/policy.ts). */
  cache: { ttl?: string | undefined; cacheControl?: string | undefined };
  /** Streams the gateway encodes: how long the client may hear nothing before a ping. */
  stream: { pingMs: number };
}

export function callOptions(c: Context<AppEnv>): CallOptions {
  return {
    resilience: {
      clientSignal: c.req.raw.signal,
      timeoutMs: timeoutFor(c.env, c.req.header("x-timeout-ms")),
      retry: retryPolicy(c.env, c.req.header("x-max-retries")),
      breaker: circuitBreaker(c.env),
      affinity: affinityOf(c),
      background: (p) => c.executionCtx.waitUntil(p),
    },
    cache: { ttl: c.req.header("x-cache-ttl"), cacheControl: c.req.header("cache-control") },
    stream: { pingMs: pingInterval(c.env) },
  };
}

/** STREAM_PING_MS: 0 turns pings off; a value that is not a whole number of ms keeps the default. */
function pingInterval(env: OptionalConfig): number {
  const raw = env.STREAM_PING_MS;
  const ms = Number(raw);
  return raw !== undefined && raw !== "" && Number.isInteger(ms) && ms >= 0 && ms <= 3_600_000
    ? ms
    : DEFAULT_PING_MS;
}
