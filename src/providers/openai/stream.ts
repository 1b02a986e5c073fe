import type { StreamEvent } from "../../chat/types";
import { parseStreamChunk, streamCutOff } from "../http";
import { type EventSourceMessage, sseEvents } from "../sse";
import { openaiErrorMessage } from "./errors";
import { mapOpenAIFinishReason } from "./finish-reason";
import { convertOpenAIUsage } from "./usage";
import { OpenAIChunkSchema } from "./wire";

/**
 * OpenAI chunks → neutral events. Usage arrives in a last chunk with no choices (we always ask
 * for it); the stream is complete only at `[DONE]` after a finish reason, anything else is cut off.
 */
export function openaiStreamToEvents(
  vendor: string,
  body: ReadableStream<Uint8Array>,
): ReadableStream<StreamEvent> {
  let finished = false;
  let started = false;
  return sseEvents(body).pipeThrough(
    new TransformStream<EventSourceMessage, StreamEvent>({
      transform(msg, controller) {
        if (msg.data === "[DONE]") return;
        // Chunks are unnamed (`message`) events; a named one, like the `event: ping` proxies pass
        // on, is not a chunk. A named `error` still goes through, to be read as the vendor's error.
        if (msg.event && msg.event !== "message" && msg.event !== "error") return;
        const chunk = parseStreamChunk(vendor, msg.data, OpenAIChunkSchema, openaiErrorMessage);
        if (!started) {
          started = true;
          controller.enqueue({
            type: "start",
            model: chunk.model ?? "",
            ...(chunk.id ? { id: chunk.id } : {}),
          });
        }
        for (const choice of chunk.choices) {
          if ((choice.index ?? 0) !== 0) continue;
          const delta = choice.delta;
          const text = delta?.content ?? delta?.refusal;
          if (text) controller.enqueue({ type: "text", text });
          for (const t of delta?.tool_calls ?? []) {
            controller.enqueue({
              type: "tool_call",
              index: t.index,
              ...(t.id ? { id: t.id } : {}),
              ...(t.function?.name ? { name: t.function.name } : {}),
              ...(t.function?.arguments != null ? { argumentsDelta: t.function.arguments } : {}),
            });
          }
          if (choice.finish_reason) {
            finished = true;
            controller.enqueue({ type: "finish", finishReason: mapOpenAIFinishReason(choice.finish_reason) });
          }
        }
        if (chunk.usage) controller.enqueue({ type: "usage", usage: convertOpenAIUsage(chunk.usage) });
      },
      flush() {
        // Some compatible hosts omit [DONE]; a finish reason is what proves the answer is whole.
        if (!finished) throw streamCutOff(vendor);
      },
    }),
  );
}
