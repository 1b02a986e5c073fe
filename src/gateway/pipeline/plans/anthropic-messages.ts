import type { Message } from "@anthropic-ai/sdk/resources/messages";
import { estimatePromptTokens, estimateTextTokens } from "../../../chat/tokens";
import type { StreamEvent, Usage } from "../../../chat/types";
import type { ModelConfigRow } from "../../../db/schema";
import { messageAccumulator } from "../../../dialects/anthropic/accumulate";
import { newMessageId, toAnthropicMessage } from "../../../dialects/anthropic/from-neutral";
import { messageToSse } from "../../../dialects/anthropic/replay";
import type { CountTokensRequest, MessagesRequest } from "../../../dialects/anthropic/schema";
import { anthropicEventEncoder } from "../../../dialects/anthropic/stream-encoder";
import { withoutGatewayThinking } from "../../../dialects/anthropic/thinking-signature";
import { countTokensToNeutral, messagesToNeutral } from "../../../dialects/anthropic/to-neutral";
import { invalidRequest } from "../../../errors/gateway-error";
import { convertAnthropicUsage } from "../../../providers/anthropic/usage";
import { AnthropicMessageSchema } from "../../../providers/anthropic/wire";
import { malformed } from "../../../providers/http";
import { providerFor } from "../../../providers/registry";
import type { AnthropicClientHeaders } from "../../../providers/types";
import { estimateCall } from "../../budget";
import { cacheKey } from "../../cache/key";
import type { CallContext } from "../run-call";
import { passthroughAnthropicStream } from "../stream/anthropic-passthrough";
import { answerCollector } from "../stream/collect";
import { encodeEvents } from "../stream/encode-events";
import { safeJson } from "../stream/sse-passthrough";
import { SSE_HEADERS } from "../stream/sse-writer";
import type { CallEnd, CallPlan, Reply } from "../types";
import { callNeutral, type NeutralAnswer, translations, upstreamText } from "./neutral-call";

/** What an attempt produced: an Anthropic vendor's own answer, or a neutral one to translate. */
type MessagesAnswer =
  | { kind: "relayed-json"; text: string; message: Message; usage: Usage; headers: Record<string, string> }
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
  async (cx: CallContext): Promise<CallPlan<MessagesAnswer, Message>> => {
    const stream = input.stream === true;
    const requested = await cx.requestedModel(input.model);
    const translated = translations((vendor, upstreamModel) =>
      messagesToNeutral(input, upstreamModel, vendor, client),
    );
    const admit = (resolved: {
      vendor: { kind: Parameters<typeof providerFor>[0]; slug: string };
      upstreamModel: string;
      config: ModelConfigRow | null;
    }) => {
      refuseByConfig(input, resolved.config);
      if (!providerFor(resolved.vendor.kind).anthropicWire)
        translated(resolved.vendor.slug, resolved.upstreamModel);
    };
    admit(requested);
    const promptTokens = estimateTextTokens(
      JSON.stringify([input.system ?? "", input.messages, input.tools ?? []]),
    );
    const signal = cx.options.resilience.clientSignal;
    /** What the cache stores of this call's answer, once it ended (set by `respond`). */
    let entryOf: (end: CallEnd) => Message | null = () => null;

    return {
      requested: { ...requested, model: input.model },
      admit,
      estimate: (price) => estimateCall(promptTokens, input.max_tokens, price),
      cache: {
        dialect: "messages",
        key: () =>
          cacheKey({
            tenant: cx.tenant,
            dialect: "messages",
            vendorModel: `${requested.vendor.slug}/${requested.upstreamModel}`,
            body: input,
            // Betas change what a request means (and the version, the answer's shape).
            vary: { version: client.version, beta: client.beta },
          }),
        serve({ answer: message }) {
          const usage = convertAnthropicUsage(message.usage);
          if (!stream) return json(JSON.stringify(message), usage, {});
          return {
            status: 200,
            body: messageToSse(message),
            headers: { ...SSE_HEADERS },
            done: Promise.resolve({ usage }),
          };
        },
        entry: (end) => entryOf(end),
      },
      async attempt({ provider, resolved }, { ctx, settle }): Promise<MessagesAnswer> {
        if (!provider.anthropicWire) {
          const req = translated(resolved.vendor.slug, resolved.upstreamModel);
          return callNeutral(provider, req, stream, { ctx, settle }, cx.env.CACHE);
        }
        const res = await provider.anthropicWire.send(
          "/v1/messages",
          { ...withoutGatewayThinking(raw), model: resolved.upstreamModel },
          ctx,
          client,
        );
        const headers = rateLimitHeaders(res.headers);
        if (stream) {
          settle();
          return { kind: "relayed-sse", body: res.body as ReadableStream<Uint8Array>, headers };
        }
        const text = await upstreamText(res, ctx, settle);
        // Parsed to check it and read usage; the client gets the vendor's bytes unchanged.
        const body = safeJson(text);
        const parsed = AnthropicMessageSchema.safeParse(body);
        if (!parsed.success) throw malformed(ctx.vendor.slug);
        return {
          kind: "relayed-json",
          text,
          // What the cache stores: the vendor's message whole (the schema keeps only what it reads).
          message: body as Message,
          usage: convertAnthropicUsage(parsed.data.usage),
          headers,
        };
      },
      usageOf: (a) =>
        a.kind === "relayed-json" ? a.usage : a.kind === "answer" ? a.answer.usage : undefined,
      respond(a, answered): Reply {
        if (a.kind === "relayed-json") {
          entryOf = () => a.message;
          return json(a.text, a.usage, a.headers);
        }
        const id = newMessageId();
        // Thinking blocks are signed with who reasoned, for the history the client sends back.
        const origin = { vendor: answered.resolved.vendor.slug, model: answered.resolved.upstreamModel };
        if (a.kind === "answer") {
          const message = toAnthropicMessage(a.answer, {
            id,
            model: a.answer.model || answered.resolved.upstreamModel,
            origin,
          });
          entryOf = () => message;
          return json(JSON.stringify(message), a.answer.usage, {});
        }
        let onEnd!: (end: CallEnd) => void;
        const done = new Promise<CallEnd>((resolve) => {
          onEnd = resolve;
        });
        const vendor = answered.resolved.vendor.slug;
        const model = answered.resolved.upstreamModel;
        let body: ReadableStream<Uint8Array>;
        // A stream is collected on its way only when it will fill the cache.
        if (a.kind === "relayed-sse") {
          const acc = answered.storing ? messageAccumulator() : null;
          entryOf = () => acc?.result() ?? null;
          body = passthroughAnthropicStream(vendor, a.body, {
            requestId: cx.requestId,
            onEnd,
            signal,
            onEvent: acc ? (e) => acc.add(e) : undefined,
          });
        } else {
          const collector = answered.storing ? answerCollector() : null;
          entryOf = (end) => {
            const answer = collector?.result(end);
            return answer ? toAnthropicMessage(answer, { id, model: answer.model || model, origin }) : null;
          };
          body = encodeEvents(
            a.events,
            anthropicEventEncoder(
              { id, model, inputTokens: promptTokens, origin },
              { requestId: cx.requestId },
            ),
            {
              onEnd,
              signal,
              tap: collector ? (e: StreamEvent) => collector.add(e) : undefined,
              pingMs: cx.options.stream.pingMs,
            },
          );
        }
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
    const requested = await cx.requestedModel(input.model);
    const translated = translations((vendor, upstreamModel) =>
      countTokensToNeutral(input, upstreamModel, vendor, client),
    );
    return {
      requested: { ...requested, model: input.model },
      admit: (resolved) => {
        if (!providerFor(resolved.vendor.kind).anthropicWire)
          translated(resolved.vendor.slug, resolved.upstreamModel);
      },
      estimate: () => ({ tokens: 0, usd: 0 }),
      async attempt({ provider, resolved }, { ctx, settle }) {
        if (!provider.anthropicWire) {
          settle();
          const { messages, tools } = translated(resolved.vendor.slug, resolved.upstreamModel);
          const toolTokens = estimateTextTokens(JSON.stringify(tools ?? []));
          return { text: JSON.stringify({ input_tokens: estimatePromptTokens(messages) + toolTokens }) };
        }
        const res = await provider.anthropicWire.send(
          "/v1/messages/count_tokens",
          { ...withoutGatewayThinking(raw), model: resolved.upstreamModel },
          ctx,
          client,
        );
        return { text: await upstreamText(res, ctx, settle) };
      },
      // Counting is free: the record says who was asked, with no tokens.
      usageOf: () => undefined,
      respond: (a) => json(a.text, undefined, {}),
    };
  };

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
