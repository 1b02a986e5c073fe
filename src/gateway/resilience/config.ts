import type { OptionalConfig } from "../../env";
import { invalidRequest } from "../../errors/gateway-error";
import { type BreakerPolicy, CircuitBreaker } from "./circuit-breaker";
import type { RetryPolicy } from "./retry";

const MAX_RETRIES_CEILING = 5;

function intFrom(raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

/**
 * Retry policy: UPSTREAM_MAX_RETRIES (default 2), RETRY_BASE_DELAY_MS (200), RETRY_MAX_DELAY_MS
 * (5000); a request's `x-max-retries` header (0–5) overrides the count.
 */
export function retryPolicy(env: OptionalConfig, header: string | undefined): RetryPolicy {
  let maxRetries = intFrom(env.UPSTREAM_MAX_RETRIES, 2, 0, MAX_RETRIES_CEILING);
  if (header !== undefined) {
    const n = Number(header);
    if (!Number.isInteger(n) || n < 0 || n > MAX_RETRIES_CEILING) {
      throw invalidRequest(
        "invalid_max_retries",
        `x-max-retries must be an integer from 0 to ${MAX_RETRIES_CEILING}.`,
        "x-max-retries",
      );
    }
    maxRetries = n;
  }
  return {
    maxRetries,
    baseDelayMs: intFrom(env.RETRY_BASE_DELAY_MS, 200, 0, 60_000),
    maxDelayMs: intFrom(env.RETRY_MAX_DELAY_MS, 5_000, 0, 120_000),
  };
}

/** CIRCUIT_FAILURE_THRESHOLD (default 5 consecutive failures), CIRCUIT_COOLDOWN_MS (30000). */
export function breakerPolicy(env: OptionalConfig): BreakerPolicy {
  return {
    threshold: intFrom(env.CIRCUIT_FAILURE_THRESHOLD, 5, 1, 1000),
    cooldownMs: intFrom(env.CIRCUIT_COOLDOWN_MS, 30_000, 1, 3_600_000),
  };
}

export const circuitBreaker = (env: OptionalConfig) => new CircuitBreaker(caches.default, breakerPolicy(env));
