import type { ChatCompletion } from "openai/resources/chat/completions";
import { chatRequestFromOpenAI } from "../chat/from-openai";
import type { ChatCompletionRequest } from "../chat/openai-schema";
import {
  type CompletionMeta,
  encodeOpenAIStream,
  type StreamOutcome,
  toOpenAICompletion,
} from "../chat/to-openai";
import { estimatePromptTokens } from "../chat/tokens";
import type { ChatResponse, StreamEvent, Usage } from "../chat/types";
import type { Db } from "../db/client";
import type { OptionalConfig } from "../env";
import { invalidRequest } from "../errors/gateway-error";
import { malformed, networkError } from "../providers/http";
import { passthroughOpenAIStream } from "../providers/openai/passthrough";
import { convertOpenAIUsage } from "../providers/openai/usage";
import { OpenAICompletionSchema } from "../providers/openai/wire";
import { SSE_HEADERS } from "../providers/sse";
import {
  amountOf,
  type BudgetHold,
  type BudgetPayer,
  estimateCall,
  holdBudget,
  userHasBudget,
} from "./budget";
import { collectCompletion } from "./cache/collect";
import { cacheKey } from "./cache/key";
import type { CachePolicy } from "./cache/policy";
import { serveFromCache, stamp } from "./cache/serve";
import type { ResponseCache } from "./cache/types";
import type { CallRecord } from "./call-record";
import { applyModelConfig } from "./model-policy";
import { priceFor } from "./pricing";
import type { CircuitBreaker } from "./resilience/circuit-breaker";
import type { RetryPolicy } from "./resilience/retry";
import { runResilient } from "./resilience/run";
import type { ResolvedModel } from "./resolve-model";

/**
 * What the route sends: a body (relayed bytes, a JSON text or an SSE stream) and its headers. The
 * route wraps it with `c.body` so headers set by middleware (request id, CORS) are kept.
 */
export interface CompletionResult {
  body: string | ReadableStream<Uint8Array>;
  headers: Record<string, string>;
  /** Resolves once the answer is complete (at once, or when a stream ends); never rejects. */
  done: Promise<StreamOutcome>;
}

export interface ChatCompletionContext {
  env: OptionalConfig;
  db: Db;
  requestId: string;
  clientSignal?: AbortSignal;
  timeoutMs: number;
  retry: RetryPolicy;
  breaker: CircuitBreaker | null;
  /** Filled in as the call goes: vendor, model, usage, retries, fallback. */
  record: CallRecord;
  cache: ResponseCache | null;
  cachePolicy: CachePolicy;
  /** Whose cache entries these are (a user id, or the admin key's own space). */
  tenant: string;
  /** Who pays, for budgets (null for the operator's ADMIN_API_KEY). */
  payer: BudgetPayer | null;
  waitUntil(p: Promise<unknown>): void;
}

/** What one successful attempt produced, before it is encoded for the client. */
type Answer =
  | { kind: "relayed-json"; text: string; usage: Usage }
  | { kind: "relayed-sse"; body: ReadableStream<Uint8Array> }
  | { kind: "answer"; answer: ChatResponse }
  | { kind: "events"; events: ReadableStream<StreamEvent> };

/** Room assumed for an answer when neither the request nor the model config bounds it. */
const DEFAULT_ANSWER_TOKENS = 4096;

const newCompletionId = () => `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;

/**
 * POST /v1/chat/completions for a resolved model, with retries, fallbacks and the circuit breaker
 * (gateway/resilience). OpenAI-wire vendors get the client's body as it is (model swapped in,
 * config defaults filled) and their answer is relayed without re-encoding; other vendors go
 * through the neutral model and back to OpenAI's shape.
 */
export async function runChatCompletion(
  cx: ChatCompletionContext,
  input: ChatCompletionRequest,
  requested: ResolvedModel,
): Promise<CompletionResult> {
  const stream = input.stream === true;
  const includeUsage = input.stream_options?.include_usage === true;
  const { record } = cx;
  record.alias = requested.config?.alias ?? null;

  const policy = cx.cachePolicy;
  let key: string | null = null;
  if (cx.cache && (policy.lookup || policy.store)) {
    const normalised = applyModelConfig(input, requested.config);
    key = await cacheKey(cx.tenant, `${requested.vendor.slug}/${requested.upstreamModel}`, normalised);
    const hit = policy.lookup ? await cx.cache.get(key) : null;
    if (hit) return serveFromCache(hit, record, stream, includeUsage, cx.requestId);
  }
  const cacheHeader = policy.lookup ? "MISS" : "BYPASS";

  // Budgets are checked once the cache missed (hits cost nothing), and held for the whole call,
  // retries and fallbacks included; the estimate is only worked out for budgeted users.
  let hold: BudgetHold | null = null;
  if (cx.payer && userHasBudget(cx.payer.user)) {
    const maxOut =
      input.max_completion_tokens ??
      input.max_tokens ??
      requested.config?.maxOutputTokens ??
      DEFAULT_ANSWER_TOKENS;
    const prompt = estimatePromptTokens(chatRequestFromOpenAI(input, requested.upstreamModel).messages);
    const price = priceFor(requested.vendor.kind, requested.upstreamModel, requested.config);
    hold = await holdBudget(cx.payer, estimateCall(prompt, maxOut, price));
  }

  let outcome: Awaited<ReturnType<typeof runResilient<Answer>>>;
  try {
    outcome = await runResilient<Answer>(
      cx.env,
      cx.db,
      { ...requested, model: input.model },
      { clientSignal: cx.clientSignal, timeoutMs: cx.timeoutMs, retry: cx.retry, breaker: cx.breaker },
      async ({ provider, resolved }, { ctx, settle }) => {
        const body = applyModelConfig(input, resolved.config);
        if (provider.openaiWire) {
          const upstreamBody: Record<string, unknown> = { ...body, model: resolved.upstreamModel };
          if (stream) upstreamBody.stream_options = { ...body.stream_options, include_usage: true };
          const res = await provider.openaiWire.send(upstreamBody, ctx);
          if (stream) {
            settle();
            return { kind: "relayed-sse", body: res.body as ReadableStream<Uint8Array> };
          }
          let text: string;
          try {
            text = await res.text();
          } catch (err) {
            throw networkError(ctx.vendor.slug, ctx.signal, err);
          } finally {
            settle();
          }
          // Parsed to check it and read usage; the client gets the vendor's bytes unchanged.
          const parsed = OpenAICompletionSchema.safeParse(safeJson(text));
          if (!parsed.success) throw malformed(ctx.vendor.slug);
          return { kind: "relayed-json", text, usage: convertOpenAIUsage(parsed.data.usage) };
        }
        if (body.n != null && body.n > 1) {
          throw invalidRequest(
            "unsupported_parameter",
            `The vendor \`${ctx.vendor.slug}\` answers one choice at a time (n=1).`,
            "n",
          );
        }
        const neutral = chatRequestFromOpenAI(body, resolved.upstreamModel);
        if (stream) {
          const events = await provider.stream(neutral, ctx);
          settle();
          return { kind: "events", events };
        }
        try {
          return { kind: "answer", answer: await provider.chat(neutral, ctx) };
        } finally {
          settle();
        }
      },
      // A fallback must be able to take the request; the model asked for refuses with a 400.
      (resolved) => void applyModelConfig(input, resolved.config),
    );
  } catch (err) {
    hold?.release();
    throw err;
  }

  const { resolved } = outcome;
  record.vendor = resolved.vendor.slug;
  record.vendorKind = resolved.vendor.kind;
  record.upstreamModel = resolved.upstreamModel;
  record.price = priceFor(resolved.vendor.kind, resolved.upstreamModel, resolved.config);
  record.retries = outcome.retries;
  record.fallbackUsed = outcome.fallbackUsed;

  const answeredBy = `${resolved.vendor.slug}/${resolved.upstreamModel}`;
  const headers: Record<string, string> = { "x-switchboard-model": answeredBy, "x-cache": cacheHeader };
  if (outcome.retries > 0) headers["x-switchboard-retries"] = String(outcome.retries);
  if (outcome.fallbackUsed) headers["x-switchboard-fallback"] = outcome.fallbackUsed;

  const value = outcome.value;
  const settle = (usage: Usage | undefined) => {
    if (!hold) return;
    if (usage) hold.settle(amountOf(usage, record.price));
    else hold.release();
  };
  if (value.kind === "relayed-json" || value.kind === "answer") {
    const usage = value.kind === "answer" ? value.answer.usage : value.usage;
    record.usage = usage;
    settle(usage);
    const completion =
      value.kind === "answer"
        ? toOpenAICompletion(value.answer, {
            id: newCompletionId(),
            created: nowSeconds(),
            model: value.answer.model,
          })
        : null;
    const text = completion ? JSON.stringify(completion) : (value as { text: string }).text;
    if (key && policy.store && cx.cache) {
      const stored = completion ?? (JSON.parse(text) as ChatCompletion);
      cx.waitUntil(
        cx.cache.put(
          key,
          { completion: stored, model: answeredBy, ...stamp(policy.ttlSeconds) },
          policy.ttlSeconds,
        ),
      );
    }
    return {
      body: text,
      headers: { "content-type": "application/json", ...headers },
      done: Promise.resolve({
        usage,
        finishReason: value.kind === "answer" ? value.answer.finishReason : undefined,
      }),
    };
  }

  let finish!: (o: StreamOutcome) => void;
  const done = new Promise<StreamOutcome>((resolve) => {
    finish = resolve;
  });
  const onEnd = (o: StreamOutcome) => {
    if (o.usage) record.usage = o.usage;
    if (o.firstByteAt) record.ttftMs = o.firstByteAt - record.startedAt;
    // A stream that broke off may still have been billed for what it generated.
    settle(o.usage);
    finish(o);
  };
  let encoded =
    value.kind === "relayed-sse"
      ? passthroughOpenAIStream(resolved.vendor.slug, value.body, {
          includeUsage,
          requestId: cx.requestId,
          onEnd,
        })
      : encodeOpenAIStream(value.events, meta(resolved.upstreamModel), {
          includeUsage,
          requestId: cx.requestId,
          onEnd,
        });
  if (key && policy.store && cx.cache) {
    // A stream fills the cache only when it finished whole (no error, not cut off by the client).
    const collector = collectCompletion();
    encoded = encoded.pipeThrough(collector.tap);
    const cache = cx.cache;
    const storeKey = key;
    cx.waitUntil(
      done.then(async (o) => {
        const completion = o.error ? null : collector.result(o.usage, o.finishReason);
        if (completion)
          await cache.put(
            storeKey,
            { completion, model: answeredBy, ...stamp(policy.ttlSeconds) },
            policy.ttlSeconds,
          );
      }),
    );
  }
  return { body: encoded, headers: { ...SSE_HEADERS, ...headers }, done };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const meta = (model: string): CompletionMeta => ({ id: newCompletionId(), created: nowSeconds(), model });

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
