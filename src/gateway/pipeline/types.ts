import type { FinishReason, Usage } from "../../chat/types";
import type { Amount } from "../budget-window";
import type { CacheDialect, CachedAnswer } from "../cache/types";
import type { Price } from "../pricing";
import type { Attempt } from "../resilience/run";
import type { ResolvedModel } from "../resolve-model";

/**
 * The shapes of one gateway call (src/gateway/pipeline/run-call.ts). The pipeline owns the call
 * from start to finish and is the only writer of its record; a plan (plans/) says only what its
 * endpoint or client dialect does differently, and returns values.
 */

/** How an answer ended: at once for a whole answer, when its last byte went for a stream. */
export interface CallEnd {
  usage?: Usage;
  finishReason?: FinishReason;
  /** The stream broke off (a GatewayError), or CLIENT_GONE: the client left before its end. */
  error?: unknown;
  /** When the first bytes of the answer went to the client (streams). */
  firstByteAt?: number;
}

/** `CallEnd.error` of a stream whose client went away: not a failure of the call. */
export const CLIENT_GONE: unique symbol = Symbol("client gone");

/** What the client is sent. Headers set by middleware (request id, CORS) are kept. */
export interface Reply {
  status: 200 | 201;
  body: string | ReadableStream<Uint8Array>;
  headers: Record<string, string>;
  /** Resolves once the answer is complete, cut off or abandoned; never rejects. */
  done: Promise<CallEnd>;
}

/** Who answered, for `respond`: the model that did (after retries and fallbacks) and its price. */
export interface Answered {
  resolved: ResolvedModel;
  /** `vendor/upstream-model`, the x-switchboard-model header. */
  model: string;
  price: Price | null;
  /** The answer will fill the cache once complete: a stream should be collected on the way. */
  storing: boolean;
}

/** How a plan's answers are cached; `T` is the answer as its dialect's clients receive it. */
export interface PlanCache<T = unknown> {
  dialect: CacheDialect;
  /** The entry this request reads and fills (tenant, dialect, resolved model, normalised request). */
  key(): Promise<string>;
  /** A stored answer, as this request wants it (whole or replayed as a stream). */
  serve(hit: CachedAnswer<T>): Reply;
  /** What to store once the answer ended whole; null stores nothing. */
  entry(end: CallEnd): T | null;
}

/**
 * One endpoint's or dialect's part of a call; `A` is what one successful attempt returns, `T` the
 * answer its cache stores.
 */
export interface CallPlan<A, T = unknown> {
  /** The model asked for, resolved; `model` is the string the client sent (for fallbacks). */
  requested: ResolvedModel & { model: string };
  /** Refuses a candidate model that cannot take this request (the one asked for: a 400). */
  admit?(resolved: ResolvedModel): void;
  /** The most the call may cost, held against budgets; only asked when the caller has one. */
  estimate(price: Price | null): Amount;
  /** Budgets charge this estimate when the vendor reports no usage (images), instead of nothing. */
  chargeEstimateWithoutUsage?: boolean;
  cache?: PlanCache<T>;
  /**
   * For plans cached per item rather than per answer (embeddings: PlanCache does not fit, since one
   * request may mix cached and fresh items): the answer when the cache holds every item for the
   * model asked for. It is served like a PlanCache hit (no budget hold, no vendor, x-cache HIT, a
   * cache hit at no cost in usage); a partly cached answer is the attempt's work, which sends only
   * the misses and reports the cached items' tokens as `Usage.gatewayCachedTokens`.
   */
  cached?(): Promise<A | null>;
  /** One upstream attempt, retried and fallen back by gateway/resilience. */
  attempt: Attempt<A>;
  /** The usage of a whole answer, known as it arrives (undefined for streams: known at their end). */
  usageOf(answer: A): Usage | undefined;
  /** The answer for the client. */
  respond(answer: A, answered: Answered): Reply | Promise<Reply>;
  /** Every attempt failed: what the plan keeps of the call (a conversation stores the message). */
  failed?(err: unknown): Promise<void>;
}
