import { estimateTextTokens } from "../../../chat/tokens";
import type { StreamEvent, Usage } from "../../../chat/types";
import { getDb } from "../../../db/client";
import { insertResponse, pruneExpiredResponses } from "../../../db/queries/responses";
import { freeformToolNames } from "../../../dialects/openai-responses/freeform-tools";
import {
  newResponseId,
  nowSeconds,
  type ResponseEcho,
  toResponse,
  type WireResponse,
} from "../../../dialects/openai-responses/from-neutral";
import { estimateInputTokens } from "../../../dialects/openai-responses/input-tokens";
import { responseToSse } from "../../../dialects/openai-responses/replay";
import type { InputTokensRequest, ResponsesRequest } from "../../../dialects/openai-responses/schema";
import { chainItems, inputItemsOf } from "../../../dialects/openai-responses/stored";
import { responsesEventEncoder } from "../../../dialects/openai-responses/stream-encoder";
import { inputTokensToNeutral, responsesToNeutral } from "../../../dialects/openai-responses/to-neutral";
import { malformed } from "../../../providers/http";
import type { VendorKind } from "../../../providers/kinds";
import { convertResponsesUsage } from "../../../providers/openai/responses-usage";
import { ResponsesResponseSchema, ResponsesUsageSchema } from "../../../providers/openai/responses-wire";
import { providerFor } from "../../../providers/registry";
import { estimateCall } from "../../budget";
import { cacheKey } from "../../cache/key";
import type { ResolvedModel } from "../../resolve-model";
import type { CallContext } from "../run-call";
import { encodeEvents, type StreamEncoder } from "../stream/encode-events";
import { passthroughResponsesStream } from "../stream/responses-passthrough";
import { safeJson } from "../stream/sse-passthrough";
import { SSE_HEADERS } from "../stream/sse-writer";
import type { CallEnd, CallPlan, PlanCache, Reply } from "../types";
import { callNeutral, type NeutralAnswer, translations, upstreamText } from "./neutral-call";
import { historyMessages, ownerOf, storedChain, vendorBody, withReferencedItems } from "./responses-state";

/** Room assumed for an answer when the request does not bound it. */
const DEFAULT_ANSWER_TOKENS = 4096;
const DEFAULT_RETENTION_DAYS = 30;

/** The request fields a Response echoes (from-neutral.ts: ResponseEcho), as the client sent them. */
const ECHOED = [
  "background",
  "instructions",
  "max_output_tokens",
  "max_tool_calls",
  "metadata",
  "parallel_tool_calls",
  "previous_response_id",
  "prompt_cache_key",
  "reasoning",
  "safety_identifier",
  "service_tier",
  "store",
  "temperature",
  "text",
  "tool_choice",
  "tools",
  "top_logprobs",
  "top_p",
  "truncation",
  "user",
] as const;

const echoOf = (input: ResponsesRequest): ResponseEcho =>
  Object.fromEntries(ECHOED.filter((k) => input[k] != null).map((k) => [k, input[k]])) as ResponseEcho;

type Json = Record<string, unknown>;

/** What one attempt produced: an `openai` vendor's own answer, or a neutral one to encode. */
type ResponsesAnswer =
  | { kind: "relayed-json"; text: string; response: Record<string, unknown>; usage: Usage }
  | { kind: "relayed-sse"; body: ReadableStream<Uint8Array> }
  | NeutralAnswer;

/**
 * POST /v1/responses: OpenAI's Responses API for any vendor. A vendor of kind `openai` gets the
 * client's body (its model swapped in) at its own `/v1/responses` and its answer or stream is
 * relayed as its own bytes; every other vendor goes through the neutral model
 * (src/dialects/openai-responses/) and is answered as a Response or its event stream. With
 * `store` (the default, as at OpenAI) the response is kept in D1, whoever made it, before the
 * client is told it is complete, so a follow-up sent the instant the stream ends finds it by
 * `previous_response_id`, and a chain can move between vendors.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export const responsesPlan =
  (request: ResponsesRequest, raw: Record<string, unknown>) =>
  async (cx: CallContext): Promise<CallPlan<ResponsesAnswer, Json>> => {
    const input = await withReferencedItems(cx, request);
    const stream = input.stream === true;
    const store = input.store !== false;
    const requested = await cx.requestedModel(input.model);
    const chain = await storedChain(cx, input.previous_response_id);
    const prior = historyMessages(chain && chainItems(chain));
    // Reasoning items in the history go back only to the vendor and model that made them.
    const translated = translations((vendor, upstreamModel) =>
      responsesToNeutral(input, upstreamModel, prior, vendor),
    );
    const passthrough = (kind: VendorKind) => providerFor(kind).responsesWire !== undefined;
    const admit = (resolved: ResolvedModel) => {
      if (!passthrough(resolved.vendor.kind)) translated(resolved.vendor.slug, resolved.upstreamModel);
    };
    admit(requested);
    const promptTokens = estimateTextTokens(
      JSON.stringify([
        input.instructions ?? "",
        chain ? chainItems(chain) : [],
        input.input ?? "",
        input.tools ?? [],
      ]),
    );
    const signal = cx.options.resilience.clientSignal;
    const id = newResponseId();
    const createdAt = nowSeconds();
    const freeform = freeformToolNames(input.tools);
    const meta = {
      id,
      model: input.model,
      createdAt,
      echo: echoOf(input),
      ...(freeform.size ? { freeform } : {}),
    };
    // Reasoning items name who reasoned when the client will keep them and may send them back.
    const keepsReasoning = store || (input.include ?? []).includes("reasoning.encrypted_content");
    const metaFor = (by: { vendor: string; model: string }) =>
      keepsReasoning ? { ...meta, origin: { vendor: by.vendor, model: by.model } } : meta;

    /** Keeps a response (when `store`), before the client hears it is complete; never rejects. */
    const keep = async (
      response: Record<string, unknown>,
      by: { vendor: string; model: string; origin: "gateway" | "vendor" },
    ) => {
      const responseId = typeof response.id === "string" ? response.id : id;
      if (!store) return;
      const db = getDb(cx.env.DB);
      const days = Number(cx.env.RESPONSE_RETENTION_DAYS ?? DEFAULT_RETENTION_DAYS) || DEFAULT_RETENTION_DAYS;
      try {
        await insertResponse(db, {
          id: responseId,
          userId: ownerOf(cx),
          origin: by.origin,
          vendor: by.vendor,
          upstreamModel: by.model,
          status: typeof response.status === "string" ? response.status : "completed",
          previousResponseId: input.previous_response_id ?? null,
          response,
          inputItems: inputItemsOf(input.input, responseId),
          expiresAt: new Date(Date.now() + days * 86_400_000),
        });
      } catch (err) {
        // The answer stands without its stored copy; the follow-up that needs it gets a 404.
        console.error(
          JSON.stringify({
            level: "error",
            msg: "storing a response failed",
            request_id: cx.requestId,
            error: err instanceof Error ? err.message : String(err),
          }),
        );
      }
      cx.waitUntil(pruneExpiredResponses(db).catch(() => {}));
    };

    /** What the cache stores of this call's answer, once it ended whole (set by `respond`). */
    let entryOf: (end: CallEnd) => Json | null = () => null;
    // Only a request that neither chains nor stores is cached: a stored one has an id of its own
    // to keep (a hit would hand out another's), and a chained one depends on state outside it.
    const cache: PlanCache<Json> | undefined =
      store || input.previous_response_id
        ? undefined
        : {
            dialect: "responses",
            key: () =>
              cacheKey({
                tenant: cx.tenant,
                dialect: "responses",
                vendorModel: `${requested.vendor.slug}/${requested.upstreamModel}`,
                body: input,
              }),
            serve({ answer: response }) {
              const parsed = ResponsesUsageSchema.safeParse(response.usage);
              const usage = parsed.success ? convertResponsesUsage(parsed.data) : undefined;
              const done = Promise.resolve(usage ? { usage } : {});
              if (!stream) {
                return {
                  status: 200,
                  body: JSON.stringify(response),
                  headers: { "content-type": "application/json" },
                  done,
                };
              }
              return { status: 200, body: responseToSse(response), headers: { ...SSE_HEADERS }, done };
            },
            entry: (end) => entryOf(end),
          };
    /** A whole answer worth keeping: one that completed, or stopped short as the client asked. */
    const cacheable = (r: Json | undefined) =>
      r && (r.status === "completed" || r.status === "incomplete") ? r : null;

    return {
      requested: { ...requested, model: input.model },
      admit,
      estimate: (price) =>
        estimateCall(
          promptTokens,
          input.max_output_tokens ?? requested.config?.maxOutputTokens ?? DEFAULT_ANSWER_TOKENS,
          price,
        ),
      ...(cache ? { cache } : {}),
      async attempt({ provider, resolved }, { ctx, settle }): Promise<ResponsesAnswer> {
        if (!provider.responsesWire) {
          return callNeutral(
            provider,
            translated(resolved.vendor.slug, resolved.upstreamModel),
            stream,
            { ctx, settle },
            cx.env.CACHE,
          );
        }
        const res = await provider.responsesWire.send(
          "/responses",
          vendorBody({ raw, input, chain, resolved, responseId: id }),
          ctx,
          {
            method: "POST",
          },
        );
        if (stream) {
          settle();
          return { kind: "relayed-sse", body: res.body as ReadableStream<Uint8Array> };
        }
        const text = await upstreamText(res, ctx, settle);
        const body = safeJson(text);
        const parsed = ResponsesResponseSchema.safeParse(body);
        if (!parsed.success || typeof parsed.data.id !== "string") throw malformed(ctx.vendor.slug);
        return {
          kind: "relayed-json",
          text,
          response: body as Record<string, unknown>,
          usage: parsed.data.usage
            ? convertResponsesUsage(parsed.data.usage)
            : { inputTokens: 0, outputTokens: 0 },
        };
      },
      usageOf: (a) =>
        a.kind === "answer" ? a.answer.usage : a.kind === "relayed-json" ? a.usage : undefined,
      async respond(a, answered): Promise<Reply> {
        const vendor = answered.resolved.vendor.slug;
        const by = { vendor, model: answered.resolved.upstreamModel };
        if (a.kind === "relayed-json" || a.kind === "answer") {
          const response =
            a.kind === "answer"
              ? (toResponse(a.answer, metaFor(by)) as unknown as Record<string, unknown>)
              : a.response;
          await keep(response, { ...by, origin: a.kind === "answer" ? "gateway" : "vendor" });
          entryOf = () => cacheable(response);
          return {
            status: 200,
            body: a.kind === "answer" ? JSON.stringify(response) : a.text,
            headers: { "content-type": "application/json" },
            done: Promise.resolve({ usage: a.kind === "answer" ? a.answer.usage : a.usage }),
          };
        }
        let onEnd!: (end: CallEnd) => void;
        const done = new Promise<CallEnd>((resolve) => {
          onEnd = resolve;
        });
        if (a.kind === "relayed-sse") {
          const body = passthroughResponsesStream(vendor, a.body, {
            requestId: cx.requestId,
            onEnd,
            signal,
            beforeTerminal: (response) => {
              entryOf = () => cacheable(response);
              return keep(response, { ...by, origin: "vendor" });
            },
          });
          return { status: 200, body, headers: { ...SSE_HEADERS }, done };
        }
        let final: WireResponse | undefined;
        const encoder = responsesEventEncoder(
          { ...metaFor(by), inputTokens: promptTokens },
          { requestId: cx.requestId, onResponse: (r) => (final = r) },
        );
        // The terminal event goes only once the response it carries is stored.
        const stored = async (bytes: Uint8Array | Promise<Uint8Array>) => {
          const out = await bytes;
          if (final) await keep(final as unknown as Record<string, unknown>, { ...by, origin: "gateway" });
          return out;
        };
        entryOf = () => cacheable(final as unknown as Json | undefined);
        const storing: StreamEncoder = {
          ...encoder,
          event: (e: StreamEvent) => encoder.event(e),
          end: (outcome) => stored(encoder.end(outcome)),
          error: (err, outcome) => stored(encoder.error(err, outcome)),
        };
        const body = encodeEvents(a.events, storing, { onEnd, signal, pingMs: cx.options.stream.pingMs });
        return { status: 200, body, headers: { ...SSE_HEADERS }, done };
      },
    };
  };

/**
 * POST /v1/responses/input_tokens: an `openai` vendor counts (its own endpoint, the body passed
 * on as for a response); for any other vendor the gateway estimates from the translated prompt,
 * stored history included, as the vendors behind the neutral model do not count.
 */
export const responsesInputTokensPlan =
  (request: InputTokensRequest, raw: Record<string, unknown>) =>
  async (cx: CallContext): Promise<CallPlan<{ text: string }>> => {
    const input = await withReferencedItems(cx, request);
    const requested = await cx.requestedModel(input.model);
    const chain = await storedChain(cx, input.previous_response_id);
    const prior = historyMessages(chain && chainItems(chain));
    const translated = translations((vendor, upstreamModel) =>
      inputTokensToNeutral(input, upstreamModel, prior, vendor),
    );
    const admit = (resolved: ResolvedModel) => {
      if (!providerFor(resolved.vendor.kind).responsesWire)
        translated(resolved.vendor.slug, resolved.upstreamModel);
    };
    admit(requested);
    return {
      requested: { ...requested, model: input.model },
      admit,
      estimate: () => ({ tokens: 0, usd: 0 }),
      async attempt({ provider, resolved }, { ctx, settle }) {
        if (!provider.responsesWire) {
          settle();
          const count = estimateInputTokens(translated(resolved.vendor.slug, resolved.upstreamModel));
          return { text: JSON.stringify({ object: "response.input_tokens", input_tokens: count }) };
        }
        const body = vendorBody({ raw, input, chain, resolved, responseId: newResponseId() });
        const res = await provider.responsesWire.send("/responses/input_tokens", body, ctx, {
          method: "POST",
        });
        return { text: await upstreamText(res, ctx, settle) };
      },
      // Counting is free: the record says who was asked, with no tokens.
      usageOf: () => undefined,
      respond: (a) => ({
        status: 200,
        body: a.text,
        headers: { "content-type": "application/json" },
        done: Promise.resolve({}),
      }),
    };
  };
