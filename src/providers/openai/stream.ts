import type { StreamEvent } from "../../chat/types";
import { parseStreamChunk, streamCutOff } from "../http";
import { type NeutralStream, neutralStream } from "../sse";
import { openaiErrorMessage } from "./errors";
import { mapOpenAIFinishReason } from "./finish-reason";
import { convertOpenAIUsage } from "./usage";
import { type OpenAIChunk, OpenAIChunkSchema } from "./wire";

/**
 * OpenAI chunks → neutral events. Usage arrives in a last chunk with no choices (we always ask
 * for it); the stream is complete only at `[DONE]` after a finish reason, anything else is cut off.
 */
export function openaiStreamToEvents(vendor: string, body: ReadableStream<Uint8Array>): NeutralStream {
  let finished = false;
  let started = false;
  return neutralStream(body, {
    transform(msg, controller) {
      if (msg.data === "[DONE]") return;
      // Chunks are unnamed (`message`) events; a named one, like the `event: ping` proxies pass
      // on, is not a chunk. A named `error` still goes through, to be read as the vendor's error.
      if (msg.event && msg.event !== "message" && msg.event !== "error") return;
      const chunk = parseStreamChunk(vendor, msg.data, OpenAIChunkSchema, openaiErrorMessage);
      const emit = (e: StreamEvent) => controller.enqueue(e);
      if (chunkToEvents(chunk, !started, emit)) finished = true;
      started = true;
    },
    flush() {
      // Some compatible hosts omit [DONE]; a finish reason is what proves the answer is whole.
      if (!finished) throw streamCutOff(vendor);
    },
  });
}

/**
 * One chunk's neutral events (a `start` first when it is the stream's first chunk); true when it
 * carried the finish reason. Shared with the passthrough relay, whose cache collects these.
 */
export function chunkToEvents(chunk: OpenAIChunk, first: boolean, emit: (e: StreamEvent) => void): boolean {
  let finished = false;
  if (first) emit({ type: "start", model: chunk.model ?? "", ...(chunk.id ? { id: chunk.id } : {}) });
  for (const choice of chunk.choices) {
    if ((choice.index ?? 0) !== 0) continue;
    const delta = choice.delta;
    // Compatible hosts' reasoning, before the text a delta may also hold (see wire.ts).
    const reasoning = delta?.reasoning_content ?? delta?.reasoning;
    if (reasoning) emit({ type: "reasoning", text: reasoning });
    const text = delta?.content ?? delta?.refusal;
    if (text) emit({ type: "text", text });
    for (const t of delta?.tool_calls ?? []) {
      emit({
        type: "tool_call",
        index: t.index,
        ...(t.id ? { id: t.id } : {}),
        ...(t.function?.name ? { name: t.function.name } : {}),
        ...(t.function?.arguments != null ? { argumentsDelta: t.function.arguments } : {}),
      });
    }
    if (choice.finish_reason) {
      finished = true;
      emit({ type: "finish", finishReason: mapOpenAIFinishReason(choice.finish_reason) });
    }
  }
  const usage = chunk.usage ?? chunk.x_groq?.usage;
  if (usage) emit({ type: "usage", usage: convertOpenAIUsage(usage) });
  return finished;
}
