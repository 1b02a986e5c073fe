import { GatewayError } from "../../errors/gateway-error";

export interface RetryPolicy {
  /** Attempts after the first. */
  maxRetries: number;
  baseDelayMs: number;
  /** Longest wait between attempts; a vendor's Retry-After beyond it is not waited for. */
  maxDelayMs: number;
}

/**
 * Full-jitter exponential backoff: a random wait in [0, min(max, base·2^n)], which spreads the
 * retries of many clients instead of synchronising them.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffMs(retry: number, policy: RetryPolicy, random = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * cap);
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(err: GatewayError, now = Date.now()): number | undefined {
  const raw = err.headers?.["retry-after"];
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retrying after `err`, or null to stop: the error is not retryable,
 * retries are used up, or the vendor asks for a longer pause than the policy allows (better to
 * answer or fall back now than to hold the client).
 */
export function nextDelay(
  err: unknown,
  retry: number,
  policy: RetryPolicy,
  random = Math.random,
): number | null {
  if (!(err instanceof GatewayError) || !err.retryable || retry >= policy.maxRetries) return null;
  const asked = retryAfterMs(err);
  if (asked !== undefined && asked > policy.maxDelayMs) return null;
  return Math.max(asked ?? 0, backoffMs(retry, policy, random));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
