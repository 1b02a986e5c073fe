import type { Context } from "hono";
import { assertModelAllowed } from "../../auth/key-scope";
import { scopeOfPrincipal } from "../../auth/principal";
import type { Usage } from "../../chat/types";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../env";
import { amountOf, budgetPayer, holdBudget, NO_HOLD } from "../budget";
import type { Amount } from "../budget-window";
import { KvResponseCache } from "../cache/kv";
import { cachePolicy, stamp } from "../cache/policy";
import type { CachedAnswer } from "../cache/types";
import type { CallRecord } from "../call-record";
import { priceFor } from "../pricing";
import { type Outcome, runResilient } from "../resilience/run";
import { type ResolvedModel, resolveModel } from "../resolve-model";
import {
  answeredCall,
  closeCall,
  failCall,
  recordCall,
  recordContext,
  startCall,
  targetCall,
} from "../usage";
import { type CallOptions, callOptions } from "./options";
import type { CallEnd, CallPlan, PlanCache, Reply } from "./types";

/** What a plan is built from: the request's bindings, options and caller, read once. */
export interface CallContext {
  env: Env;
  db: ReturnType<typeof getDb>;
  requestId: string;
  options: CallOptions;
  principal: AppEnv["Variables"]["principal"];
  /** Whose cache entries these are (a user id, or the admin key's own space). */
  tenant: string;
  origin: string;
  prefetchedTurn: AppEnv["Variables"]["prefetchedTurn"];
  /**
   * The model the client asked for, resolved (from the rows auth prefetched, when it did), once
   * the calling key may use it: a refused model is never read or revealed to exist.
   */
  requestedModel(model: string): Promise<ResolvedModel>;
  /** Throws 403 `model_not_allowed` when the calling key may not use this model. */
  assertModelAllowed(model: string): void;
  waitUntil(p: Promise<unknown>): void;
}

/**
 * One gateway call, start to finish, for every endpoint and dialect: open the record, read the
 * request's options, let the plan resolve the model, serve or fill the cache, hold the budget,
 * call the vendor with retries, fallbacks and the circuit breaker, hand the answer to the plan
 * to encode, then settle the budget and record usage exactly once, when the answer has finished
 * (or was cut off, or the client left). Nothing else writes the call record.
 */
export async function runCall<A, T>(
  c: Context<AppEnv>,
  route: CallRecord["route"],
  prepare: (cx: CallContext) => Promise<CallPlan<A, T>>,
): Promise<Response> {
  const record = startCall(c, route);
  const tracking = recordContext(c);
  let recorded = false;
  const recordOnce = () => {
    if (recorded) return;
    recorded = true;
    recordCall(tracking, record);
  };
  let hold = NO_HOLD;
  let estimate: Amount | undefined;
  let chargeEstimate = false;
  let vendorAnswered = false;
  /** Charges what the call used; a whole answer without usage (images) is charged its estimate. */
  const bill = (usage: Usage | null | undefined, whole: boolean) => {
    if (usage) hold.settle(amountOf(usage, record.price));
    else if (whole && chargeEstimate && estimate) hold.settle(estimate);
    else hold.release();
  };
  try {
    const cx = callContext(c, record);
    const plan = await prepare(cx);
    const { requested } = plan;
    // Plans check the key's model scope before resolving (cx.requestedModel); checked again here
    // so that no plan, present or future, can call a model its key may not use.
    cx.assertModelAllowed(requested.model);
    // The model asked for is who the call is for until another one answers.
    targetCall(record, requested);

    const cache = plan.cache ? await responseCache(c, plan.cache, requested, cx.options) : null;
    if (cache && plan.cache) {
      const hit = await cache.get();
      if (hit) {
        const [vendor, ...model] = hit.model.split("/");
        record.cacheHit = true;
        record.vendor = vendor ?? null;
        record.upstreamModel = model.join("/") || null;
        return send(
          c,
          record,
          plan.cache.serve(hit),
          { "x-switchboard-model": hit.model, "x-cache": "HIT" },
          (end) => {
            closeCall(record, end);
            recordOnce();
          },
        );
      }
    }

    // A plan cached per item (embeddings) with every item cached: served as a hit, like the above.
    const whole = plan.cached ? await plan.cached() : null;
    if (whole) {
      record.cacheHit = true;
      const model = `${requested.vendor.slug}/${requested.upstreamModel}`;
      const reply = await plan.respond(whole, {
        resolved: requested,
        model,
        price: record.price,
        storing: false,
      });
      return send(
        c,
        record,
        reply,
        { "x-switchboard-model": headerValue(model), "x-cache": "HIT" },
        (end) => {
          closeCall(record, end);
          recordOnce();
        },
      );
    }

    // Held once the cache missed (hits cost nothing), for the whole call, retries and fallbacks
    // included, at the price of the model asked for; settled at the price of the one that answered.
    hold = await holdBudget(budgetPayer(c), () => {
      estimate = plan.estimate(priceFor(requested.vendor.kind, requested.upstreamModel, requested.config));
      return estimate;
    });
    chargeEstimate = plan.chargeEstimateWithoutUsage === true;

    let outcome: Outcome<A>;
    try {
      outcome = await runResilient(c.env, cx.db, requested, cx.options.resilience, plan.attempt, plan.admit);
    } catch (err) {
      await plan.failed?.(err);
      throw err;
    }
    vendorAnswered = true;
    const answered = answeredCall(record, outcome);
    const usage = plan.usageOf(outcome.value);
    if (usage) record.usage = usage;

    const headers: Record<string, string> = { "x-switchboard-model": headerValue(answered) };
    if (plan.cache) headers["x-cache"] = cache?.policy.lookup ? "MISS" : "BYPASS";
    if (outcome.retries > 0) headers["x-switchboard-retries"] = String(outcome.retries);
    if (outcome.fallbackUsed) headers["x-switchboard-fallback"] = headerValue(outcome.fallbackUsed);
    // Which of the vendor's keys answered, by id (never the key), beside which target did.
    if (outcome.keyId) headers["x-switchboard-vendor-key"] = headerValue(outcome.keyId);
    const storing = cache?.policy.store === true;
    const reply = await plan.respond(outcome.value, {
      resolved: outcome.resolved,
      model: answered,
      price: record.price,
      storing,
    });
    return send(c, record, reply, headers, (end) => {
      closeCall(record, end);
      // A stream that broke off may still have been billed for what it generated.
      bill(end.usage ?? record.usage, !end.error);
      const entry = storing && !end.error ? plan.cache?.entry(end) : null;
      if (cache && entry) cx.waitUntil(cache.put(entry, answered));
      recordOnce();
    });
  } catch (err) {
    // A vendor that answered was paid, even when what came after failed (storing a turn).
    bill(record.usage, vendorAnswered);
    failCall(record, err);
    recordOnce();
    throw err;
  }
}

function callContext(c: Context<AppEnv>, record: CallRecord): CallContext {
  const db = getDb(c.env.DB);
  const principal = c.get("principal");
  const allow = (model: string) => assertModelAllowed(scopeOfPrincipal(principal), model);
  return {
    env: c.env,
    db,
    requestId: record.requestId,
    options: callOptions(c),
    principal,
    tenant: record.userId ?? "admin-key",
    get origin() {
      return new URL(c.req.url).origin;
    },
    prefetchedTurn: c.get("prefetchedTurn"),
    assertModelAllowed: allow,
    requestedModel: (model) => {
      allow(model);
      return resolveModel(c.env, db, model, "model", c.get("prefetchedModel"));
    },
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  };
}

/**
 * The request's entry in the response cache, when caching applies to it (gateway/cache/policy.ts:
 * `x-cache-ttl`, the model config's TTL, CACHE_TTL_SECONDS, `Cache-Control`); null otherwise.
 */
async function responseCache<T>(
  c: Context<AppEnv>,
  planCache: PlanCache<T>,
  requested: ResolvedModel,
  options: CallOptions,
) {
  const policy = cachePolicy(c.env, requested.config, options.cache);
  if (!policy.lookup && !policy.store) return null;
  const store = new KvResponseCache(c.env.CACHE);
  const key = await planCache.key();
  return {
    policy,
    /** The entry, if it is one of this plan's dialect (the key holds the dialect too). */
    get: async (): Promise<CachedAnswer<T> | null> => {
      const hit = policy.lookup ? await store.get(key) : null;
      return hit?.dialect === planCache.dialect ? (hit as CachedAnswer<T>) : null;
    },
    put: (answer: T, model: string) =>
      store.put(
        key,
        { dialect: planCache.dialect, answer, model, ...stamp(policy.ttlSeconds) },
        policy.ttlSeconds,
      ),
  };
}

/** The reply with the pipeline's headers; `ended` runs once the answer is complete. */
function send(
  c: Context<AppEnv>,
  record: CallRecord,
  reply: Reply,
  headers: Record<string, string>,
  ended: (end: CallEnd) => void,
) {
  record.status = reply.status;
  c.executionCtx.waitUntil(reply.done.then(ended));
  // c.body, not a bare Response, so the headers set by middleware (request id, CORS) are kept.
  return c.body(reply.body, reply.status, { ...reply.headers, ...headers });
}

/** Model names from the database go into a header: anything a header cannot carry is escaped. */
const headerValue = (s: string): string => (/^[\x20-\x7e]*$/.test(s) ? s : encodeURI(s));
