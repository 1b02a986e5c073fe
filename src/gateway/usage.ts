import type { Context } from "hono";
import { newId } from "../db/ids";
import type { AppEnv } from "../env";
import { toGatewayError } from "../errors/to-response";
import { type CallRecord, newCallRecord } from "./call-record";
import { type CallEnd, CLIENT_GONE } from "./pipeline/types";
import { costOf, priceFor } from "./pricing";
import type { ResolvedModel } from "./resolve-model";
import { SESSION_HEADER, sessionIdFrom } from "./session-id";
import type { UsageMessage } from "./usage-message";
import { type OutboxContext, UsageOutbox } from "./usage-outbox";

/**
 * Usage accounting, producer side: every call (chat completion, conversation message, image)
 * becomes one usage record after its response, so the response never waits on a D1 write; records
 * travel to the queue in packs (src/gateway/usage-outbox.ts) and src/gateway/usage-consumer.ts
 * writes them in batches.
 *
 * Only the call pipeline (src/gateway/pipeline/run-call.ts) uses these, in this order: `startCall`
 * before any work, `targetCall` once the model is resolved, `answeredCall` when a vendor
 * answered, `closeCall` when the answer ended or `failCall` when the call failed, and
 * `recordCall` once.
 */

/** What recordCall needs of the request: bindings and a way to outlive the response. */
export type RecordContext = OutboxContext;

/**
 * The record of the request's call, from its principal (calls run only once auth has set one, so
 * an unauthenticated request never reaches here) and the client's session header; the request log
 * reads it as `call`.
 */
export function startCall(c: Context<AppEnv>, route: CallRecord["route"]): CallRecord {
  const p = c.get("principal");
  const record = newCallRecord({
    requestId: c.get("requestId"),
    route,
    userId: p.kind === "user" ? p.user.id : null,
    apiKeyId: p.kind === "user" ? p.keyId : null,
    sessionId: sessionIdFrom(c.req.header(SESSION_HEADER)),
    keyMetadata: p.kind === "user" ? p.scope.metadata : null,
  });
  c.set("call", record);
  return record;
}

/** The RecordContext of a Hono request. */
export const recordContext = (c: Context<AppEnv>): RecordContext => ({
  env: c.env,
  waitUntil: (p) => c.executionCtx.waitUntil(p),
});

/** Who answers the call, and at what price (the model config's, else the built-in list price). */
export function targetCall(record: CallRecord, resolved: ResolvedModel): void {
  record.vendor = resolved.vendor.slug;
  record.vendorKind = resolved.vendor.kind;
  record.upstreamModel = resolved.upstreamModel;
  record.alias = resolved.config?.alias ?? null;
  record.price = priceFor(resolved.vendor.kind, resolved.upstreamModel, resolved.config);
}

/**
 * The one place an answered call's outcome is copied into its record: who answered after
 * retries and fallbacks, at what price. Returns `vendor/upstream-model` of the one that answered.
 */
export function answeredCall(
  record: CallRecord,
  outcome: { resolved: ResolvedModel; retries: number; fallbackUsed: string | null; keyId: string | null },
): string {
  const alias = record.alias;
  targetCall(record, outcome.resolved);
  // The alias is the one the client asked for, not a fallback's.
  record.alias = alias;
  record.retries = outcome.retries;
  record.fallbackUsed = outcome.fallbackUsed;
  record.vendorKeyId = outcome.keyId;
  return `${outcome.resolved.vendor.slug}/${outcome.resolved.upstreamModel}`;
}

/**
 * How an answer ended: its usage (a stream's, read at its end), time to first byte, and a
 * stream that broke off keeps its error's status and code (and the tokens the vendor reported,
 * which it bills); a client that went away is not an error of the call.
 */
export function closeCall(record: CallRecord, end: CallEnd): void {
  if (end.usage) record.usage = end.usage;
  if (end.firstByteAt) record.ttftMs = end.firstByteAt - record.startedAt;
  if (end.error === CLIENT_GONE) record.errorCode = "client_cancelled";
  else if (end.error) {
    const e = toGatewayError(end.error);
    record.status = e.status;
    record.errorCode = e.code;
  }
  record.latencyMs ??= Date.now() - record.startedAt;
}

/** A call that failed before answering: its error's status and code, no tokens. */
export function failCall(record: CallRecord, err: unknown): void {
  const e = toGatewayError(err);
  record.status = e.status;
  record.errorCode = e.code;
  record.latencyMs ??= Date.now() - record.startedAt;
}

/** The queue message of a finished record. Cache hits cost nothing: no vendor was paid. */
export function toUsageMessage(record: CallRecord, id: string): UsageMessage {
  const usage = record.usage ?? { inputTokens: 0, outputTokens: 0 };
  return {
    id,
    request_id: record.requestId,
    user_id: record.userId,
    api_key_id: record.apiKeyId,
    route: record.route,
    vendor: record.vendor,
    upstream_model: record.upstreamModel,
    alias: record.alias,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cached_tokens: Math.min(usage.cachedTokens ?? 0, usage.inputTokens),
    cost_usd: record.cacheHit ? 0 : costOf(usage, record.price),
    latency_ms: record.latencyMs ?? Date.now() - record.startedAt,
    ttft_ms: record.ttftMs,
    status: record.status,
    cache_hit: record.cacheHit,
    tokens_estimated: usage.estimated === true,
    retries: record.retries,
    fallback_used: record.fallbackUsed,
    vendor_key_id: record.vendorKeyId,
    error_code: record.errorCode,
    session_id: record.sessionId,
    key_metadata: record.keyMetadata,
    created_at: record.startedAt,
  };
}

/** This isolate's outbox: records of calls that finished close together travel in one message. */
const outbox = new UsageOutbox(logSendFailure);

/**
 * Hands the call's usage to the queue after the response (inside waitUntil, never awaited by
 * it), packed with other calls' records (src/gateway/usage-outbox.ts). The id is made here, once,
 * so a redelivered message is written once. A failed send is logged, never thrown: accounting
 * must not fail a call that already succeeded.
 */
export function recordCall(ctx: RecordContext, record: CallRecord): void {
  outbox.add(ctx, toUsageMessage(record, newId("use")));
}

/** One line per record that was not sent: identifiers and counts only, never prompts or keys. */
function logSendFailure(records: UsageMessage[], err: unknown): void {
  const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  for (const message of records) {
    console.error(
      JSON.stringify({
        level: "error",
        msg: "usage record not sent",
        request_id: message.request_id,
        usage_id: message.id,
        user_id: message.user_id,
        vendor: message.vendor,
        model: message.upstream_model,
        input_tokens: message.input_tokens,
        output_tokens: message.output_tokens,
        cost_usd: message.cost_usd,
        error,
      }),
    );
  }
}
