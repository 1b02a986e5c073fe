import type { Db } from "../../db/client";
import { recordKeyRefused } from "../../db/queries/vendor-keys";
import type { OptionalConfig } from "../../env";
import { GatewayError } from "../../errors/gateway-error";
import type { UpstreamContext } from "../../providers/types";
import { atTarget, type ResolvedModel, resolveModel } from "../resolve-model";
import { keyOrder, refuseKey, refusesKey } from "../routing/key-pool";
import { targetOrder } from "../routing/target-order";
import { type PreparedVendor, prepareVendor, startAttempt } from "../upstream-call";
import type { CircuitBreaker } from "./circuit-breaker";
import { nextDelay, type RetryPolicy, sleep } from "./retry";

export interface ResilienceOptions {
  clientSignal?: AbortSignal;
  timeoutMs: number;
  retry: RetryPolicy;
  breaker: CircuitBreaker | null;
  /** The call's session (routing/affinity.ts): the same one picks the same target and key. */
  affinity?: string | null;
  /** Work that may finish after the response (recording a refused key). */
  background?: (p: Promise<unknown>) => void;
  /** Called before each attempt (and skipped candidates) — for logs and the call record. */
  onAttempt?: (model: string) => void;
}

export interface Outcome<T> {
  value: T;
  /** The model string that answered, and how it resolved (its `vendor`: the target that answered). */
  model: string;
  resolved: ResolvedModel;
  /** Which of the vendor's keys answered (VendorKey.id); null for keyless vendors. */
  keyId: string | null;
  /** Attempts beyond the first, across every model, target and key tried. */
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

/** How one target's attempts ended when none answered. */
type Miss = { kind: "retryable"; error: unknown } | { kind: "keys_refused"; error: unknown };

/**
 * Calls the model, then the model config's fallbacks in order. Each model is tried on its targets
 * (an alias with several deployments) in weighted order among those whose circuit is closed (the
 * session's rendezvous order when it has one, routing/target-order.ts): a target whose attempts
 * fail in a way another could fix (retryable failures after their retries with backoff, honouring
 * Retry-After; or every key refused) passes the call to its next sibling, and only once every
 * sibling failed does a fallback model get it: siblings serve the very model asked for, fallbacks
 * another one. A key the vendor refuses as unauthorised is skipped for a while and the attempt is
 * made again at once with the vendor's next key. Client errors (4xx) end the run at once: another
 * model would refuse them too. A fallback that cannot be prepared (no key, a capability it lacks)
 * is skipped, not fatal. Fallbacks are one level deep: a fallback alias's own fallbacks are not
 * followed, so chains cannot loop.
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
    let resolved: ResolvedModel;
    try {
      resolved = isFallback ? await resolveModel(env, db, model, "model") : requested;
    } catch (err) {
      if (!isFallback) throw err;
      lastError ??= err;
      continue; // an unusable fallback is skipped
    }
    const fresh = resolved.targets.filter((t) => !tried.has(`${t.vendor.slug}/${t.upstreamModel}`));
    const order = await targetOrder(fresh, opts.breaker, opts.affinity ?? null);
    if (order.openForMs > 0) {
      circuitOpenMs = circuitOpenMs ? Math.min(circuitOpenMs, order.openForMs) : order.openForMs;
    }
    let unprepared: unknown;
    let preparedAny = false;
    let keysRefused: unknown;
    for (const { target, failures } of order.healthy) {
      tried.add(`${target.vendor.slug}/${target.upstreamModel}`);
      const candidate = atTarget(resolved, target);
      const keys = keyOrder(target.vendor, opts.affinity ?? null);
      let prepared: PreparedVendor;
      try {
        admit?.(candidate);
        prepared = await prepareVendor(env, candidate, keys[0]);
      } catch (err) {
        unprepared ??= err;
        continue; // another sibling may be usable
      }
      preparedAny = true;
      const { slug, kind } = target.vendor;
      const upstreamModel = target.upstreamModel;
      let keyIndex = 0;
      let miss: Miss | undefined;
      for (let retry = 0; !miss; ) {
        opts.onAttempt?.(model);
        const a = startAttempt(prepared, { clientSignal: opts.clientSignal, timeoutMs: opts.timeoutMs });
        try {
          const value = await attempt(prepared, a);
          if (failures > 0) await opts.breaker?.recordSuccess(slug, upstreamModel);
          else opts.breaker?.refreshAfterCall(slug, upstreamModel);
          return {
            value,
            model,
            resolved: prepared.resolved,
            keyId: prepared.keyId,
            retries,
            fallbackUsed: isFallback ? model : null,
          };
        } catch (err) {
          a.settle();
          if (opts.clientSignal?.aborted) throw err;
          if (prepared.keyId && refusesKey(kind, err)) {
            const until = refuseKey(slug, prepared.keyId);
            opts.background?.(recordRefusal(db, target.vendor, prepared.keyId, until));
            const next = keys[++keyIndex];
            if (!next) {
              miss = { kind: "keys_refused", error: err };
              continue;
            }
            // At once and outside the retry budget: the key was the problem, not the vendor.
            prepared = await prepareVendor(env, candidate, next);
            retries += 1;
            continue;
          }
          const delay = nextDelay(err, retry, opts.retry);
          if (delay === null) {
            if (!(err instanceof GatewayError) || !err.retryable) throw err;
            if (err.status >= 500) await opts.breaker?.recordFailure(slug, upstreamModel);
            miss = { kind: "retryable", error: err };
            continue;
          }
          retry += 1;
          retries += 1;
          await sleep(delay, opts.clientSignal);
        }
      }
      if (miss.kind === "keys_refused") keysRefused ??= miss.error;
      lastError = miss.error;
    }
    // The model asked for could not be prepared on any target: the client's problem to hear.
    if (!preparedAny && unprepared !== undefined) {
      if (!isFallback) throw unprepared;
      lastError ??= unprepared;
    }
    // Every key of the model's targets refused: an admin's problem, not the next model's to hide.
    if (keysRefused !== undefined && lastError === keysRefused) throw keysRefused;
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

/** Records a refused key in D1 after the response; a failure only leaves it to this isolate. */
async function recordRefusal(
  db: Db,
  vendor: Parameters<typeof recordKeyRefused>[1],
  keyId: string,
  until: number,
): Promise<void> {
  try {
    await recordKeyRefused(db, vendor, keyId, until);
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "refused vendor key not recorded",
        vendor: vendor.slug,
        key_id: keyId,
        error: String(error),
      }),
    );
  }
}
