import type { Usage } from "../../chat/types";
import { parseStreamChunk, streamCutOff } from "../http";
import { type NeutralStream, neutralStream } from "../sse";
import { geminiErrorMessage } from "./errors";
import { mapGeminiFinishReason } from "./finish-reason";
import { readParts } from "./response";
import { convertGeminiUsage } from "./usage";
import { GeminiResponseSchema } from "./wire";

/**
 * Gemini's `streamGenerateContent?alt=sse` → neutral events. Every `data:` is a whole
 * GenerateContentResponse holding the next piece of the answer; function calls arrive whole,
 * never split. There is no `[DONE]`: the candidate's `finishReason` is what proves the answer is
 * complete, so a stream that ends without one was cut off. `usageMetadata` is cumulative, the
 * last one counts.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function geminiStreamToEvents(
  vendor: string,
  body: ReadableStream<Uint8Array>,
  requestedModel: string,
): NeutralStream {
  let started = false;
  let finished = false;
  let toolCalls = 0;
  let usage: Usage | undefined;
  return neutralStream(body, {
    transform(msg, controller) {
      // A failure after the 200 comes as an event holding Google's error body; its message is
      // passed on scrubbed, as for error statuses (vendors echo keys back).
      const r = parseStreamChunk(vendor, msg.data, GeminiResponseSchema, geminiErrorMessage);
      if (!started) {
        started = true;
        controller.enqueue({
          type: "start",
          model: r.modelVersion || requestedModel,
          ...(r.responseId ? { id: r.responseId } : {}),
        });
      }
      if (r.usageMetadata) usage = convertGeminiUsage(r.usageMetadata);
      if (finished) return;
      const candidate = r.candidates?.[0];
      if (!candidate) {
        if (r.promptFeedback?.blockReason) {
          finished = true;
          controller.enqueue({ type: "finish", finishReason: "content_filter" });
        }
        return;
      }
      const piece = readParts(candidate.content?.parts, toolCalls);
      // Gemini thinks before it answers: a chunk's thoughts go out before its text and calls.
      if (piece.reasoning) controller.enqueue({ type: "reasoning", text: piece.reasoning });
      if (piece.text) controller.enqueue({ type: "text", text: piece.text });
      for (const call of piece.toolCalls) {
        controller.enqueue({
          type: "tool_call",
          index: toolCalls++,
          id: call.id,
          name: call.name,
          argumentsDelta: call.arguments,
        });
      }
      if (candidate.finishReason) {
        finished = true;
        controller.enqueue({
          type: "finish",
          finishReason: mapGeminiFinishReason(candidate.finishReason, toolCalls > 0),
        });
      }
    },
    flush(controller) {
      if (!finished) throw streamCutOff(vendor);
      if (usage) controller.enqueue({ type: "usage", usage });
    },
  });
}
