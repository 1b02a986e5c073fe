import type { ChatCompletion } from "openai/resources/chat/completions";
import { chatRequestFromOpenAI } from "../../../chat/from-openai";
import type { ChatCompletionRequest } from "../../../chat/openai-schema";
import { type CompletionMeta, toOpenAICompletion } from "../../../chat/to-openai";
import { estimatePromptTokens } from "../../../chat/tokens";
import type { StreamEvent, Usage } from "../../../chat/types";
import type { ModelConfigRow } from "../../../db/schema";
import { invalidRequest } from "../../../errors/gateway-error";
import { malformed } from "../../../providers/http";
import { convertOpenAIUsage } from "../../../providers/openai/usage";
import { OpenAICompletionSchema } from "../../../providers/openai/wire";
import { estimateCall } from "../../budget";
import { cacheKey } from "../../cache/key";
import { completionToEvents } from "../../cache/replay";
import { applyModelConfig } from "../../model-policy";
import type { CallContext } from "../run-call";
import { answerCollector } from "../stream/collect";
import { encodeEvents } from "../stream/encode-events";
import { openaiChunkEncoder } from "../stream/openai-chunks";
import { passthroughOpenAIStream } from "../stream/openai-passthrough";
import { SSE_HEADERS } from "../stream/sse-writer";
import type { CallEnd, CallPlan, Reply } from "../types";
import { callNeutral, type NeutralAnswer, upstreamText } from "./neutral-call";

/** What one successful attempt produced, before it is encoded for the client. */
type ChatAnswer =
  | { kind: "relayed-json"; text: string; usage: Usage }
  | { kind: "relayed-sse"; body: ReadableStream<Uint8Array> }
  | NeutralAnswer;

/** Room assumed for an answer when neither the request nor the model config bounds it. */
const DEFAULT_ANSWER_TOKENS = 4096;

/**
 * POST /v1/chat/completions. OpenAI-wire vendors get the client's body as it is (model swapped
 * in, config defaults filled) and their answer is relayed without re-encoding; other vendors go
 * through the neutral model and back to OpenAI's shape.
 */
export const chatCompletionPlan =
  (input: ChatCompletionRequest) =>
  async (cx: CallContext): Promise<CallPlan<ChatAnswer, ChatCompletion>> => {
    const stream = input.stream === true;
    const includeUsage = input.stream_options?.include_usage === true;
    const requested = await cx.requestedModel(input.model);
    // Each candidate's config is applied once (its defaults, and its refusals as a 400).
    const bodies = new Map<ModelConfigRow | null, ChatCompletionRequest>();
    const bodyFor = (config: ModelConfigRow | null) => {
      let body = bodies.get(config);
      if (!body) {
        body = applyModelConfig(input, config);
        bodies.set(config, body);
      }
      return body;
    };
    const body = bodyFor(requested.config);
    /** What the cache stores of this call's answer, once it ended (set by `respond`). */
    let entryOf: (end: CallEnd) => ChatCompletion | null = () => null;
    const opts = { includeUsage, requestId: cx.requestId };
    const signal = cx.options.resilience.clientSignal;

    return {
      requested: { ...requested, model: input.model },
      admit: (resolved) => void bodyFor(resolved.config),
      estimate: (price) =>
        estimateCall(
          estimatePromptTokens(chatRequestFromOpenAI(body, requested.upstreamModel).messages),
          body.max_completion_tokens ??
            body.max_tokens ??
            requested.config?.maxOutputTokens ??
            DEFAULT_ANSWER_TOKENS,
          price,
        ),
      cache: {
        dialect: "chat.completions",
        key: () =>
          cacheKey({
            tenant: cx.tenant,
            dialect: "chat.completions",
            vendorModel: `${requested.vendor.slug}/${requested.upstreamModel}`,
            body,
          }),
        serve({ answer: completion }) {
          const usage = completion.usage ? convertOpenAIUsage(completion.usage) : undefined;
          if (!stream) return json(JSON.stringify(completion), usage);
          const { id, created, model } = completion;
          return streamed((onEnd) =>
            encodeEvents(completionToEvents(completion), openaiChunkEncoder({ id, created, model }, opts), {
              onEnd,
            }),
          );
        },
        entry: (end) => entryOf(end),
      },
      async attempt({ provider, resolved }, { ctx, settle }): Promise<ChatAnswer> {
        const sent = bodyFor(resolved.config);
        if (provider.openaiWire) {
          const upstreamBody: Record<string, unknown> = { ...sent, model: resolved.upstreamModel };
          if (stream) upstreamBody.stream_options = { ...sent.stream_options, include_usage: true };
          const res = await provider.openaiWire.send(upstreamBody, ctx);
          if (stream) {
            settle();
            return { kind: "relayed-sse", body: res.body as ReadableStream<Uint8Array> };
          }
          const text = await upstreamText(res, ctx, settle);
          // Parsed to check it and read usage; the client gets the vendor's bytes unchanged.
          const parsed = OpenAICompletionSchema.safeParse(safeJson(text));
          if (!parsed.success) throw malformed(ctx.vendor.slug);
          return { kind: "relayed-json", text, usage: convertOpenAIUsage(parsed.data.usage) };
        }
        if (sent.n != null && sent.n > 1) {
          throw invalidRequest(
            "unsupported_parameter",
            `The vendor \`${ctx.vendor.slug}\` answers one choice at a time (n=1).`,
            "n",
          );
        }
        return callNeutral(
          provider,
          chatRequestFromOpenAI(sent, resolved.upstreamModel),
          stream,
          { ctx, settle },
          cx.env.CACHE,
        );
      },
      usageOf: (a) =>
        a.kind === "answer" ? a.answer.usage : a.kind === "relayed-json" ? a.usage : undefined,
      respond(a, answered) {
        if (a.kind === "relayed-json") {
          entryOf = () => JSON.parse(a.text) as ChatCompletion;
          return json(a.text, a.usage);
        }
        if (a.kind === "answer") {
          const completion = toOpenAICompletion(a.answer, meta(a.answer.model));
          entryOf = () => completion;
          return json(JSON.stringify(completion), a.answer.usage);
        }
        const m = meta(answered.resolved.upstreamModel);
        // A stream is collected on its way only when it will fill the cache.
        const collector = answered.storing ? answerCollector() : null;
        const tap = collector ? (e: StreamEvent) => collector.add(e) : undefined;
        entryOf = (end) => {
          const answer = collector?.result(end);
          return answer
            ? toOpenAICompletion(answer, { ...m, id: answer.id ?? m.id, model: answer.model || m.model })
            : null;
        };
        const vendor = answered.resolved.vendor.slug;
        return streamed((onEnd) =>
          a.kind === "relayed-sse"
            ? passthroughOpenAIStream(vendor, a.body, { ...opts, onEnd, tap, signal })
            : encodeEvents(a.events, openaiChunkEncoder(m, opts), {
                onEnd,
                tap,
                signal,
                pingMs: cx.options.stream.pingMs,
              }),
        );
      },
    };
  };

const json = (text: string, usage: Usage | undefined): Reply => ({
  status: 200,
  body: text,
  headers: { "content-type": "application/json" },
  done: Promise.resolve(usage ? { usage } : {}),
});

/** A streamed reply; its `done` resolves when the encoder's stream ends. */
function streamed(start: (onEnd: (end: CallEnd) => void) => ReadableStream<Uint8Array>): Reply {
  let onEnd!: (end: CallEnd) => void;
  const done = new Promise<CallEnd>((resolve) => {
    onEnd = resolve;
  });
  return { status: 200, body: start(onEnd), headers: { ...SSE_HEADERS }, done };
}

const newCompletionId = () => `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
const meta = (model: string): CompletionMeta => ({
  id: newCompletionId(),
  created: Math.floor(Date.now() / 1000),
  model,
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
