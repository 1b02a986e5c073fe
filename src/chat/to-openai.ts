import type { ChatCompletion } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { errorBody } from "../errors/to-response";
import { asStreamError } from "../providers/http";
import { relayBody } from "../providers/relay";
import { encodeSse } from "../providers/sse";
import type { ChatResponse, FinishReason, StreamEvent, ToolCall, Usage } from "./types";

/**
 * Neutral results in OpenAI's Chat Completions shape: whole responses, and streams as
 * `chat.completion.chunk` events ending with `data: [DONE]`.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

// Types only (erased at build): the SDK's own types check our output shape at compile time.
export const openaiUsage = (u: Usage): CompletionUsage => ({
  prompt_tokens: u.inputTokens,
  completion_tokens: u.outputTokens,
  total_tokens: u.inputTokens + u.outputTokens,
  ...(u.cachedTokens !== undefined ? { prompt_tokens_details: { cached_tokens: u.cachedTokens } } : {}),
});

const openaiToolCall = (t: ToolCall) => ({
  id: t.id,
  type: "function" as const,
  function: { name: t.name, arguments: t.arguments },
});

export function toOpenAICompletion(r: ChatResponse, meta: CompletionMeta): ChatCompletion {
  return {
    id: meta.id,
    object: "chat.completion" as const,
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant" as const,
          content: r.content,
          refusal: null,
          ...(r.toolCalls.length ? { tool_calls: r.toolCalls.map(openaiToolCall) } : {}),
        },
        logprobs: null,
        finish_reason: r.finishReason,
      },
    ],
    usage: openaiUsage(r.usage),
  };
}

export interface StreamOutcome {
  usage?: Usage;
  finishReason?: FinishReason;
  /** The stream ended with an error event, or the client went away. */
  error?: unknown;
  firstByteAt?: number;
}

/**
 * Encodes neutral events as OpenAI chunks. An upstream failure mid-stream becomes one
 * `data: {"error": ...}` event (what the OpenAI SDKs raise as APIError), then the stream closes.
 * Cancelling the result (client disconnect) cancels the source, which aborts the upstream fetch.
 * The body is written into a native stream (providers/relay.ts).
 */
export function encodeOpenAIStream(
  events: ReadableStream<StreamEvent>,
  meta: CompletionMeta,
  opts: { includeUsage: boolean; requestId: string; onEnd?: (outcome: StreamOutcome) => void },
): ReadableStream<Uint8Array> {
  const reader = events.getReader();
  const outcome: StreamOutcome = {};
  const head = `{"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)}`;
  const chunk = (delta: object, finish: FinishReason | null = null) =>
    encodeSse(
      `${head},"choices":[{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish ? `"${finish}"` : "null"}}]}`,
    );
  let started = false;

  return relayBody({
    async produce(write) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const out = encodeEvent(value);
        if (out) {
          outcome.firstByteAt ??= Date.now();
          await write(out);
        }
      }
      if (!started) await write(chunk({ role: "assistant", content: "" }));
      if (outcome.usage && opts.includeUsage) {
        await write(encodeSse(`${head},"choices":[],"usage":${JSON.stringify(openaiUsage(outcome.usage))}}`));
      }
      await write(encodeSse("[DONE]"));
    },
    failed(err) {
      outcome.error = asStreamError(err);
      return encodeSse(JSON.stringify(errorBody(outcome.error, opts.requestId)));
    },
    reader,
    outcome,
    onEnd: opts.onEnd,
  });

  function encodeEvent(e: StreamEvent): Uint8Array | null {
    switch (e.type) {
      case "start":
        return null;
      case "text":
        if (!started) {
          started = true;
          return chunk({ role: "assistant", content: e.text });
        }
        return chunk({ content: e.text });
      case "tool_call": {
        const call: Record<string, unknown> = { index: e.index };
        if (e.id) call.id = e.id;
        if (e.id || e.name) call.type = "function";
        const fn: Record<string, string> = {};
        if (e.name) fn.name = e.name;
        if (e.argumentsDelta !== undefined) fn.arguments = e.argumentsDelta;
        if (e.name || e.argumentsDelta !== undefined) call.function = fn;
        const delta = started
          ? { tool_calls: [call] }
          : { role: "assistant", content: null, tool_calls: [call] };
        started = true;
        return chunk(delta);
      }
      case "usage":
        outcome.usage = e.usage;
        return null;
      case "finish":
        outcome.finishReason = e.finishReason;
        started = true;
        return chunk({}, e.finishReason);
    }
  }
}
