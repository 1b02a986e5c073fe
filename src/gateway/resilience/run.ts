import type { Db } from "../../db/client";
import type { OptionalConfig } from "../../env";
import { GatewayError } from "../../errors/gateway-error";
import type { UpstreamContext } from "../../providers/types";
import { type ResolvedModel, resolveModel } from "../resolve-model";
import { type PreparedVendor, prepareVendor, startAttempt } from "../upstream-call";
import type { CircuitBreaker } from "./circuit-breaker";
import { nextDelay, type RetryPolicy, sleep } from "./retry";

export interface ResilienceOptions {
  clientSignal?: AbortSignal;
  timeoutMs: number;
  retry: RetryPolicy;
  breaker: CircuitBreaker | null;
  /** Called before each attempt (and skipped candidates) — for logs and the call record. */
  onAttempt?: (model: string) => void;
}

export interface Outcome<T> {
  value: T;
  /** The model string that answered, and how it resolved. */
  model: string;
  resolved: ResolvedModel;
  /** Attempts beyond the first, across every model tried. */
  retries: number;
  /** Set when a fallback answered instead of the model asked for. */
  fallbackUsed: string | null;
}

/**
 * One attempt: may throw a GatewayError (retryable ones are retried, then fall back). It gets the
 * model's preparation and a fresh context (its own timeout); it must call `settle` once the
 * vendor has answered (for streams: once the stream has started), after which nothing retries.
 */
export type Attempt<T> = (p: PreparedVendor, attempt: { ctx: UpstreamContext; settle(): void }) => Promise<T>;

/**
 * Calls the model, retrying retryable failures with backoff (honouring Retry-After), then the
 * model config's fallbacks in order, skipping models whose circuit is open. Client errors (4xx)
 * end the run at once: another model would refuse them too. A fallback that cannot be prepared
 * (no key, a capability it lacks) is skipped, not fatal. Fallbacks are one level deep: a fallback
 * alias's own fallbacks are not followed, so chains cannot loop.
 */
export async function runResilient<T>(
  env: OptionalConfig,
  db: Db,
  requested: ResolvedModel & { model: string },
  opts: ResilienceOptions,
  attempt: Attempt<T>,
  /** Per-candidate checks before any call (e.g. the model config's capabilities). */
  admit?: (resolved: ResolvedModel) => void,
): Promise<Outcome<T>> {
  const chain = [requested.model, ...(requested.config?.fallbacks ?? [])];
  const tried = new Set<string>();
  let retries = 0;
  let lastError: unknown;
  let circuitOpenMs = 0;

  for (const [index, model] of chain.entries()) {
    const isFallback = index > 0;
    let prepared: PreparedVendor;
    try {
      const resolved = isFallback ? await resolveModel(env, db, model, "model") : requested;
      const key = `${resolved.vendor.slug}/${resolved.upstreamModel}`;
      if (tried.has(key)) continue;
      tried.add(key);
      admit?.(resolved);
      prepared = await prepareVendor(env, resolved);
    } catch (err) {
      if (!isFallback) throw err;
      lastError ??= err;
      continue; // an unusable fallback is skipped
    }
    const { slug } = prepared.resolved.vendor;
    const upstreamModel = prepared.resolved.upstreamModel;
    const health = opts.breaker
      ? await opts.breaker.check(slug, upstreamModel)
      : { openForMs: 0, failures: 0 };
    if (health.openForMs > 0) {
      circuitOpenMs = circuitOpenMs ? Math.min(circuitOpenMs, health.openForMs) : health.openForMs;
      continue;
    }

    for (let retry = 0; ; retry++) {
      opts.onAttempt?.(model);
      const a = startAttempt(prepared, { clientSignal: opts.clientSignal, timeoutMs: opts.timeoutMs });
      try {
        const value = await attempt(prepared, a);
        if (health.failures > 0) await opts.breaker?.recordSuccess(slug, upstreamModel);
        else opts.breaker?.refreshAfterCall(slug, upstreamModel);
        return {
          value,
          model,
          resolved: prepared.resolved,
          retries,
          fallbackUsed: isFallback ? model : null,
        };
      } catch (err) {
        a.settle();
        if (opts.clientSignal?.aborted) throw err;
        const delay = nextDelay(err, retry, opts.retry);
        if (delay === null) {
          if (!(err instanceof GatewayError) || !err.retryable) throw err;
          if (err.status >= 500) await opts.breaker?.recordFailure(slug, upstreamModel);
          lastError = err;
          break;
        }
        retries += 1;
        await sleep(delay, opts.clientSignal);
      }
    }
  }

  if (lastError instanceof GatewayError && lastError.retryable) throw lastError;
  if (circuitOpenMs > 0) {
    throw new GatewayError(
      502,
      "upstream_error",
      "circuit_open",
      "The model is failing and is being given a short rest; retry shortly.",
      { retryable: true, headers: { "retry-after": String(Math.ceil(circuitOpenMs / 1000)) } },
    );
  }
  throw lastError ?? new GatewayError(502, "upstream_error", "no_model_available", "No model could answer.");
}
