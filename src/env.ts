import type { Principal } from "./auth/principal";
import type { PrefetchedTurn } from "./db/queries/turn-prefetch";
import type { CallRecord } from "./gateway/call-record";
import type { ModelRows } from "./gateway/resolve-model";

/**
 * Optional configuration (PRODUCT.md "Configuration"). Typed here by hand rather than generated,
 * because none of it is required and `wrangler types` would otherwise type whatever a machine's
 * .dev.vars holds.
 */
export interface OptionalConfig {
  ADMIN_API_KEY?: string;
  ENCRYPTION_KEY?: string;
  OPENAI_API_KEY?: string;
  ANTHROPIC_API_KEY?: string;
  GEMINI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  ANTHROPIC_BASE_URL?: string;
  GEMINI_BASE_URL?: string;
  ENABLE_MOCK_VENDOR?: string;
  CORS_ORIGINS?: string;
  /** Default upstream timeout in milliseconds (a request's `x-timeout-ms` header overrides it). */
  UPSTREAM_TIMEOUT_MS?: string;
  /** Retries after a retryable upstream failure (default 2); `x-max-retries` overrides. */
  UPSTREAM_MAX_RETRIES?: string;
  RETRY_BASE_DELAY_MS?: string;
  RETRY_MAX_DELAY_MS?: string;
  /** Consecutive failures that open a model's circuit (default 5), and for how long (30000). */
  CIRCUIT_FAILURE_THRESHOLD?: string;
  CIRCUIT_COOLDOWN_MS?: string;
  /** Default response-cache TTL in seconds (unset or 0: caching only where a model config or request asks). */
  CACHE_TTL_SECONDS?: string;
  /** Seconds an isolate may reuse the hot path's key/user/model read (default 5; 0: every call reads D1). */
  AUTH_CACHE_SECONDS?: string;
  /** How long usage records wait in an isolate to share one queue message (default 1000 ms; 0: none). */
  USAGE_FLUSH_MS?: string;
  /** Silence in a translated stream before a ping is sent (default 15000 ms; 0: never). */
  STREAM_PING_MS?: string;
  /** Days a stored Responses API response is kept (default 30, as OpenAI keeps them). */
  RESPONSE_RETENTION_DAYS?: string;
  /** Days raw usage records are kept before the schedule rolls them into daily sums (default 30). */
  USAGE_RETENTION_DAYS?: string;
  /** Raw records one roll-up transaction moves (default 5000), and transactions per run (default 20). */
  USAGE_ROLLUP_BATCH_ROWS?: string;
  USAGE_ROLLUP_MAX_BATCHES?: string;
}

declare global {
  // Both the global Env and cloudflare:workers' Cloudflare.Env carry the optional config.
  interface Env extends OptionalConfig {}
  namespace Cloudflare {
    interface Env extends OptionalConfig {}
  }
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
    /** What the request's gateway call did, set by the pipelines; the request log reads it. */
    call?: CallRecord;
    /** Rows resolving the body's model, read by auth in the same D1 batch as the key. */
    prefetchedModel?: { model: string; rows: ModelRows };
    /** A conversation message's turn, read by auth in the same D1 round trip as the key. */
    prefetchedTurn?: PrefetchedTurn;
  };
};
