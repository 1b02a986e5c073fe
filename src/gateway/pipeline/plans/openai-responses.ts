import type { StreamEvent } from "../../../chat/types";
import { getDb } from "../../../db/client";
import { insertResponse, pruneExpiredResponses } from "../../../db/queries/responses";
import {
  newResponseId,
  nowSeconds,
  type ResponseEcho,
  toResponse,
  type WireResponse,
} from "../../../dialects/openai-responses/from-neutral";
import { estimateInputTokens } from "../../../dialects/openai-responses/input-tokens";
import type { InputTokensRequest, ResponsesRequest } from "../../../dialects/openai-responses/schema";
import { inputItemsOf } from "../../../dialects/openai-responses/stored";
import { responsesEventEncoder } from "../../../dialects/openai-responses/stream-encoder";
import { inputTokensToNeutral, responsesToNeutral } from "../../../dialects/openai-responses/to-neutral";
import { estimateCall } from "../../budget";
import { resolveModel } from "../../resolve-model";
import type { CallContext } from "../run-call";
import { encodeEvents, type StreamEncoder } from "../stream/encode-events";
import { SSE_HEADERS } from "../stream/sse-writer";
import type { CallEnd, CallPlan, Reply } from "../types";
import { callNeutral, type NeutralAnswer, translations } from "./neutral-call";
import { historyMessages, ownerOf, storedHistory, withReferencedItems } from "./responses-state";

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

/**
 * POST /v1/responses: OpenAI's Responses API for any vendor, through the neutral model
 * (src/dialects/openai-responses/), answered as a Response or its event stream. With `store`
 * (the default, as at OpenAI) the response is kept in D1 before the client is told it is
 * complete, so a follow-up sent the instant the stream ends finds it by `previous_response_id`.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export const responsesPlan =
  (request: ResponsesRequest) =>
  async (cx: CallContext): Promise<CallPlan<NeutralAnswer>> => {
    const input = await withReferencedItems(cx, request);
    const stream = input.stream === true;
    const store = input.store !== false;
    const requested = await resolveModel(cx.env, cx.db, input.model, "model", cx.prefetchedModel);
    const prior = historyMessages(await storedHistory(cx, input.previous_response_id));
    const translated = translations((_vendor, upstreamModel) =>
      responsesToNeutral(input, upstreamModel, prior),
    );
    translated(requested.vendor.slug, requested.upstreamModel);
    const promptTokens = estimateInputTokens(translated(requested.vendor.slug, requested.upstreamModel));
    const signal = cx.options.resilience.clientSignal;
    const id = newResponseId();
    const createdAt = nowSeconds();
    const meta = { id, model: input.model, createdAt, echo: echoOf(input) };

    /** Keeps the response (when `store`), before the client hears it is complete; never rejects. */
    const keep = async (response: WireResponse, answeredBy: { vendor: string; model: string }) => {
      if (!store) return;
      const db = getDb(cx.env.DB);
      const days = Number(cx.env.RESPONSE_RETENTION_DAYS ?? DEFAULT_RETENTION_DAYS) || DEFAULT_RETENTION_DAYS;
      try {
        await insertResponse(db, {
          id,
          userId: ownerOf(cx),
          origin: "gateway",
          vendor: answeredBy.vendor,
          upstreamModel: answeredBy.model,
          status: response.status ?? "completed",
          previousResponseId: input.previous_response_id ?? null,
          response: response as unknown as Record<string, unknown>,
          inputItems: inputItemsOf(input.input, id),
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

    return {
      requested: { ...requested, model: input.model },
      admit: (resolved) => void translated(resolved.vendor.slug, resolved.upstreamModel),
      estimate: (price) =>
        estimateCall(
          promptTokens,
          input.max_output_tokens ?? requested.config?.maxOutputTokens ?? DEFAULT_ANSWER_TOKENS,
          price,
        ),
      attempt: ({ provider, resolved }, { ctx, settle }) =>
        callNeutral(provider, translated(resolved.vendor.slug, resolved.upstreamModel), stream, {
          ctx,
          settle,
        }),
      usageOf: (a) => (a.kind === "answer" ? a.answer.usage : undefined),
      async respond(a, answered): Promise<Reply> {
        const answeredBy = { vendor: answered.resolved.vendor.slug, model: answered.resolved.upstreamModel };
        if (a.kind === "answer") {
          const response = toResponse(a.answer, meta);
          await keep(response, answeredBy);
          return {
            status: 200,
            body: JSON.stringify(response),
            headers: { "content-type": "application/json" },
            done: Promise.resolve({ usage: a.answer.usage }),
          };
        }
        let final: WireResponse | undefined;
        const encoder = responsesEventEncoder(
          { ...meta, inputTokens: promptTokens },
          { requestId: cx.requestId, onResponse: (r) => (final = r) },
        );
        // The terminal event goes only once the response it carries is stored.
        const storing: StreamEncoder = {
          ...encoder,
          event: (e: StreamEvent) => encoder.event(e),
          async end(outcome) {
            const bytes = await encoder.end(outcome);
            if (final) await keep(final, answeredBy);
            return bytes;
          },
          async error(err, outcome) {
            const bytes = await encoder.error(err, outcome);
            if (final) await keep(final, answeredBy);
            return bytes;
          },
        };
        let onEnd!: (end: CallEnd) => void;
        const done = new Promise<CallEnd>((resolve) => {
          onEnd = resolve;
        });
        const body = encodeEvents(a.events, storing, { onEnd, signal, pingMs: cx.options.stream.pingMs });
        return { status: 200, body, headers: { ...SSE_HEADERS }, done };
      },
    };
  };

/**
 * POST /v1/responses/input_tokens: the gateway estimates from the translated prompt (stored
 * history included), as the vendors behind the neutral model do not count.
 */
export const responsesInputTokensPlan =
  (request: InputTokensRequest) =>
  async (cx: CallContext): Promise<CallPlan<{ text: string }>> => {
    const input = await withReferencedItems(cx, request);
    const requested = await resolveModel(cx.env, cx.db, input.model, "model", cx.prefetchedModel);
    const prior = historyMessages(await storedHistory(cx, input.previous_response_id));
    const translated = translations((_vendor, upstreamModel) =>
      inputTokensToNeutral(input, upstreamModel, prior),
    );
    translated(requested.vendor.slug, requested.upstreamModel);
    return {
      requested: { ...requested, model: input.model },
      admit: (resolved) => void translated(resolved.vendor.slug, resolved.upstreamModel),
      estimate: () => ({ tokens: 0, usd: 0 }),
      async attempt({ resolved }, { settle }) {
        settle();
        const count = estimateInputTokens(translated(resolved.vendor.slug, resolved.upstreamModel));
        return { text: JSON.stringify({ object: "response.input_tokens", input_tokens: count }) };
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
