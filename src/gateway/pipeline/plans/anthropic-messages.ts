import { estimatePromptTokens, estimateTextTokens } from "../../../chat/tokens";
import type { ChatRequest, Usage } from "../../../chat/types";
import type { ModelConfigRow } from "../../../db/schema";
import { newMessageId, toAnthropicMessage } from "../../../dialects/anthropic/from-neutral";
import type { CountTokensRequest, MessagesRequest } from "../../../dialects/anthropic/schema";
import { anthropicEventEncoder } from "../../../dialects/anthropic/stream-encoder";
import { countTokensToNeutral, messagesToNeutral } from "../../../dialects/anthropic/to-neutral";
import { invalidRequest } from "../../../errors/gateway-error";
import { convertAnthropicUsage } from "../../../providers/anthropic/usage";
import { AnthropicMessageSchema } from "../../../providers/anthropic/wire";
import { malformed, networkError } from "../../../providers/http";
import { providerFor } from "../../../providers/registry";
import type { AnthropicClientHeaders, UpstreamContext } from "../../../providers/types";
import { estimateCall } from "../../budget";
import { resolveModel } from "../../resolve-model";
import type { CallContext } from "../run-call";
import { passthroughAnthropicStream } from "../stream/anthropic-passthrough";
import { encodeEvents } from "../stream/encode-events";
import { safeJson } from "../stream/sse-passthrough";
import { SSE_HEADERS } from "../stream/sse-writer";
import type { CallEnd, CallPlan, Reply } from "../types";
import { callNeutral, type NeutralAnswer } from "./neutral-call";

/** What an attempt produced: an Anthropic vendor's own answer, or a neutral one to translate. */
type MessagesAnswer =
  | { kind: "relayed-json"; text: string; usage: Usage; headers: Record<string, string> }
  | { kind: "relayed-sse"; body: ReadableStream<Uint8Array>; headers: Record<string, string> }
  | NeutralAnswer;

/**
 * POST /v1/messages: Anthropic's Messages API for any vendor. A vendor of kind `anthropic` gets
 * the client's body as it is (its model swapped in; `anthropic-version` and `anthropic-beta` as
 * the client sent them), and its answer and stream are relayed as its own bytes; every other
 * vendor goes through the neutral model (src/dialects/anthropic/) and answers in Anthropic's shape.
 * @see https://docs.claude.com/en/api/messages
 */
export const anthropicMessagesPlan =
  (input: MessagesRequest, raw: Record<string, unknown>, client: AnthropicClientHeaders) =>
  async (cx: CallContext): Promise<CallPlan<MessagesAnswer>> => {
    const stream = input.stream === true;
    const requested = await resolveModel(cx.env, cx.db, input.model, "model", cx.prefetchedModel);
    const translated = translations((upstreamModel) => messagesToNeutral(input, upstreamModel));
    const admit = (resolved: {
      vendor: { kind: Parameters<typeof providerFor>[0] };
      upstreamModel: string;
      config: ModelConfigRow | null;
    }) => {
      refuseByConfig(input, resolved.config);
      if (!providerFor(resolved.vendor.kind).anthropicWire) translated(resolved.upstreamModel);
    };
    admit(requested);
    const promptTokens = estimateTextTokens(
      JSON.stringify([input.system ?? "", input.messages, input.tools ?? []]),
    );
    const signal = cx.options.resilience.clientSignal;

    return {
      requested: { ...requested, model: input.model },
      admit,
      estimate: (price) => estimateCall(promptTokens, input.max_tokens, price),
      async attempt({ provider, resolved }, { ctx, settle }): Promise<MessagesAnswer> {
        if (!provider.anthropicWire) {
          return callNeutral(provider, translated(resolved.upstreamModel), stream, { ctx, settle });
        }
        const res = await provider.anthropicWire.send(
          "/v1/messages",
          { ...raw, model: resolved.upstreamModel },
          ctx,
          client,
        );
        const headers = rateLimitHeaders(res.headers);
        if (stream) {
          settle();
          return { kind: "relayed-sse", body: res.body as ReadableStream<Uint8Array>, headers };
        }
        const text = await readText(res, ctx, settle);
        // Parsed to check it and read usage; the client gets the vendor's bytes unchanged.
        const parsed = AnthropicMessageSchema.safeParse(safeJson(text));
        if (!parsed.success) throw malformed(ctx.vendor.slug);
        return { kind: "relayed-json", text, usage: convertAnthropicUsage(parsed.data.usage), headers };
      },
      usageOf: (a) =>
        a.kind === "relayed-json" ? a.usage : a.kind === "answer" ? a.answer.usage : undefined,
      respond(a, answered): Reply {
        if (a.kind === "relayed-json") return json(a.text, a.usage, a.headers);
        if (a.kind === "answer") {
          const message = toAnthropicMessage(a.answer, {
            id: newMessageId(),
            model: a.answer.model || answered.resolved.upstreamModel,
          });
          return json(JSON.stringify(message), a.answer.usage, {});
        }
        let onEnd!: (end: CallEnd) => void;
        const done = new Promise<CallEnd>((resolve) => {
          onEnd = resolve;
        });
        const vendor = answered.resolved.vendor.slug;
        const body =
          a.kind === "relayed-sse"
            ? passthroughAnthropicStream(vendor, a.body, { requestId: cx.requestId, onEnd, signal })
            : encodeEvents(
                a.events,
                anthropicEventEncoder(
                  { id: newMessageId(), model: answered.resolved.upstreamModel, inputTokens: promptTokens },
                  { requestId: cx.requestId },
                ),
                { onEnd, signal, pingMs: cx.options.stream.pingMs },
              );
        return {
          status: 200,
          body,
          headers: { ...SSE_HEADERS, ...(a.kind === "relayed-sse" ? a.headers : {}) },
          done,
        };
      },
    };
  };

/**
 * POST /v1/messages/count_tokens: an Anthropic vendor counts (passed through as above); for any
 * other vendor the gateway estimates from the translated prompt, as no other vendor counts.
 */
export const anthropicCountTokensPlan =
  (input: CountTokensRequest, raw: Record<string, unknown>, client: AnthropicClientHeaders) =>
  async (cx: CallContext): Promise<CallPlan<{ text: string }>> => {
    const requested = await resolveModel(cx.env, cx.db, input.model, "model", cx.prefetchedModel);
    const translated = translations((upstreamModel) => countTokensToNeutral(input, upstreamModel));
    return {
      requested: { ...requested, model: input.model },
      admit: (resolved) => {
        if (!providerFor(resolved.vendor.kind).anthropicWire) translated(resolved.upstreamModel);
      },
      estimate: () => ({ tokens: 0, usd: 0 }),
      async attempt({ provider, resolved }, { ctx, settle }) {
        if (!provider.anthropicWire) {
          settle();
          const { messages, tools } = translated(resolved.upstreamModel);
          const toolTokens = estimateTextTokens(JSON.stringify(tools ?? []));
          return { text: JSON.stringify({ input_tokens: estimatePromptTokens(messages) + toolTokens }) };
        }
        const res = await provider.anthropicWire.send(
          "/v1/messages/count_tokens",
          { ...raw, model: resolved.upstreamModel },
          ctx,
          client,
        );
        return { text: await readText(res, ctx, settle) };
      },
      // Counting is free: the record says who was asked, with no tokens.
      usageOf: () => undefined,
      respond: (a) => json(a.text, undefined, {}),
    };
  };

/** Each candidate model's translation, made once (its refusals are a 400 naming the field). */
function translations(
  translate: (upstreamModel: string) => ChatRequest,
): (upstreamModel: string) => ChatRequest {
  const made = new Map<string, ChatRequest>();
  return (upstreamModel) => {
    let req = made.get(upstreamModel);
    if (!req) {
      req = translate(upstreamModel);
      made.set(upstreamModel, req);
    }
    return req;
  };
}

/** What a model config refuses (its capabilities and output limit), as chat completions do. */
function refuseByConfig(input: MessagesRequest, config: ModelConfigRow | null): void {
  if (!config) return;
  const caps = config.capabilities;
  const refuse = (what: string, param: string) =>
    invalidRequest("unsupported_capability", `The model \`${config.alias}\` does not ${what}.`, param);
  if (input.stream && !caps.streaming) throw refuse("stream", "stream");
  if (input.tools?.length && !caps.tools) throw refuse("take tools", "tools");
  const images = input.messages.some(
    (m) => Array.isArray(m.content) && m.content.some((b: { type: string }) => b.type === "image"),
  );
  if (images && !caps.vision) throw refuse("take images", "messages");
  if (config.maxOutputTokens && input.max_tokens > config.maxOutputTokens) {
    throw invalidRequest(
      "max_tokens_too_large",
      `The model \`${config.alias}\` writes at most ${config.maxOutputTokens} tokens.`,
      "max_tokens",
    );
  }
}

async function readText(res: Response, ctx: UpstreamContext, settle: () => void): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    throw networkError(ctx.vendor.slug, ctx.signal, err);
  } finally {
    settle();
  }
}

/** Anthropic's rate-limit headers, passed back to the client (Claude Code paces itself by them). */
function rateLimitHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("anthropic-ratelimit-")) out[name] = value;
  });
  return out;
}

const json = (text: string, usage: Usage | undefined, headers: Record<string, string>): Reply => ({
  status: 200,
  body: text,
  headers: { "content-type": "application/json", ...headers },
  done: Promise.resolve(usage ? { usage } : {}),
});
