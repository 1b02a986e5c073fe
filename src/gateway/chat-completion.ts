import { chatRequestFromOpenAI } from "../chat/from-openai";
import type { ChatCompletionRequest } from "../chat/openai-schema";
import {
  type CompletionMeta,
  encodeOpenAIStream,
  type StreamOutcome,
  toOpenAICompletion,
} from "../chat/to-openai";
import { invalidRequest } from "../errors/gateway-error";
import { malformed, networkError } from "../providers/http";
import { passthroughOpenAIStream } from "../providers/openai/passthrough";
import { OpenAICompletionSchema } from "../providers/openai/wire";
import { SSE_HEADERS } from "../providers/sse";
import { applyModelConfig } from "./model-policy";
import type { PreparedCall } from "./upstream-call";

/**
 * What the route sends: a body (relayed bytes, a JSON text or an SSE stream) and its headers. The
 * route wraps it with `c.body` so headers set by middleware (request id, CORS) are kept.
 */
export interface CompletionResult {
  body: string | ReadableStream<Uint8Array>;
  headers: Record<string, string>;
}

const newCompletionId = () => `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;

/**
 * POST /v1/chat/completions once the model is resolved. OpenAI-wire vendors get the client's
 * body as it is (model swapped in, config defaults filled) and their answer is relayed without
 * re-encoding; other vendors go through the neutral model and back to OpenAI's shape.
 */
export async function runChatCompletion(
  call: PreparedCall,
  input: ChatCompletionRequest,
  opts: { requestId: string; onStreamEnd?: (o: StreamOutcome) => void },
): Promise<CompletionResult> {
  const { provider, ctx, resolved } = call;
  const body = applyModelConfig(input, resolved.config);
  const stream = body.stream === true;
  const includeUsage = body.stream_options?.include_usage === true;
  const headers = { "x-switchboard-model": `${ctx.vendor.slug}/${resolved.upstreamModel}` };

  if (provider.openaiWire) {
    const upstreamBody: Record<string, unknown> = { ...body, model: resolved.upstreamModel };
    if (stream) upstreamBody.stream_options = { ...body.stream_options, include_usage: true };
    const res = await provider.openaiWire.send(upstreamBody, ctx);
    if (stream) {
      call.settle();
      const relayed = passthroughOpenAIStream(ctx.vendor.slug, res.body as ReadableStream<Uint8Array>, {
        includeUsage,
        requestId: opts.requestId,
        onEnd: opts.onStreamEnd,
      });
      return { body: relayed, headers: { ...SSE_HEADERS, ...headers } };
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw networkError(ctx.vendor.slug, ctx.signal, err);
    } finally {
      call.settle();
    }
    // Parsed to check it and read usage; the client gets the vendor's bytes unchanged.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw malformed(ctx.vendor.slug);
    }
    if (!OpenAICompletionSchema.safeParse(parsed).success) throw malformed(ctx.vendor.slug);
    return { body: text, headers: { "content-type": "application/json", ...headers } };
  }

  if (body.n != null && body.n > 1) {
    throw invalidRequest(
      "unsupported_parameter",
      `The vendor \`${ctx.vendor.slug}\` answers one choice at a time (n=1).`,
      "n",
    );
  }
  const neutral = chatRequestFromOpenAI(body, resolved.upstreamModel);
  const meta: CompletionMeta = {
    id: newCompletionId(),
    created: Math.floor(Date.now() / 1000),
    model: resolved.upstreamModel,
  };
  if (stream) {
    const events = await provider.stream(neutral, ctx);
    call.settle();
    const encoded = encodeOpenAIStream(events, meta, {
      includeUsage,
      requestId: opts.requestId,
      onEnd: opts.onStreamEnd,
    });
    return { body: encoded, headers: { ...SSE_HEADERS, ...headers } };
  }
  try {
    const answer = await provider.chat(neutral, ctx);
    const completion = toOpenAICompletion(answer, { ...meta, model: answer.model });
    return { body: JSON.stringify(completion), headers: { "content-type": "application/json", ...headers } };
  } finally {
    call.settle();
  }
}
