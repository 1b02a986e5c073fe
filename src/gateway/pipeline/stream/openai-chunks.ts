import { type CompletionMeta, openaiUsage } from "../../../chat/to-openai";
import type { FinishReason, StreamEvent } from "../../../chat/types";
import { errorBody } from "../../../errors/to-response";
import { concatBytes } from "../../../util/encoding";
import type { StreamEncoder } from "./encode-events";
import { encodeSse, encodeSseComment } from "./sse-writer";

/**
 * Neutral events as OpenAI `chat.completion.chunk` events: the first chunk carries the role, a
 * finish chunk carries the finish reason, the usage chunk (`choices: []`) comes only when the
 * client asked for it, and `data: [DONE]` ends the stream exactly once. An upstream failure is one
 * `data: {"error": ...}` event (what the OpenAI SDKs raise as APIError), with no [DONE] after it.
 * While the vendor is silent, `: ping` comments (OpenAI sends none; the SDKs skip comments, and
 * relayed vendors' own keep-alive comments reach clients too, see openai-passthrough.ts).
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export function openaiChunkEncoder(
  meta: CompletionMeta,
  opts: { includeUsage: boolean; requestId: string },
): StreamEncoder {
  // Every chunk repeats the same head; it is built once and the chunks are spliced as text.
  const head = `{"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)}`;
  const chunk = (delta: object, finish: FinishReason | null = null) =>
    encodeSse(
      `${head},"choices":[{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish ? `"${finish}"` : "null"}}]}`,
    );
  let started = false;
  let finished = false;

  return {
    event(e: StreamEvent) {
      switch (e.type) {
        case "start":
        case "usage":
        // Chat Completions has no field for reasoning: OpenAI-format clients see the answer only.
        case "reasoning":
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
        case "finish":
          // A vendor that repeats its finish reason still shows it to the client once.
          if (finished) return null;
          finished = true;
          // The SDKs' stream helpers need the role first (openai-node: "missing role for choice").
          if (!started) {
            started = true;
            return concatBytes(chunk({ role: "assistant", content: "" }), chunk({}, e.finishReason));
          }
          return chunk({}, e.finishReason);
      }
    },
    end(outcome) {
      const parts: Uint8Array[] = [];
      if (!started) parts.push(chunk({ role: "assistant", content: "" }));
      if (outcome.usage && opts.includeUsage) {
        parts.push(encodeSse(`${head},"choices":[],"usage":${JSON.stringify(openaiUsage(outcome.usage))}}`));
      }
      parts.push(encodeSse("[DONE]"));
      return parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(...parts);
    },
    error(err) {
      return encodeSse(JSON.stringify(errorBody(err, opts.requestId)));
    },
    ping: () => encodeSseComment("ping"),
  };
}
