import type { ChatCompletion } from "openai/resources/chat/completions";
import { streamOf } from "../../chat/event-stream";
import { textPieces } from "../../chat/text-pieces";
import type { StreamEvent } from "../../chat/types";
import { mapOpenAIFinishReason } from "../../providers/openai/finish-reason";
import { convertOpenAIUsage } from "../../providers/openai/usage";

/**
 * A cached completion as the neutral events a live stream would have produced, so a streaming
 * request served from cache goes through the same encoder (src/chat/to-openai.ts) and is a
 * well-formed stream: role, content in pieces, tool calls, finish, usage, [DONE].
 */
export function completionToEvents(completion: ChatCompletion): ReadableStream<StreamEvent> {
  const choice = completion.choices[0];
  const message = choice?.message;
  const events: StreamEvent[] = [{ type: "start", id: completion.id, model: completion.model }];
  const content = message?.content ?? "";
  for (const piece of textPieces(content)) events.push({ type: "text", text: piece });
  (message?.tool_calls ?? []).forEach((t, index) => {
    if (t.type !== "function") return;
    events.push({
      type: "tool_call",
      index,
      id: t.id,
      name: t.function.name,
      argumentsDelta: t.function.arguments,
    });
  });
  events.push({ type: "finish", finishReason: mapOpenAIFinishReason(choice?.finish_reason) });
  if (completion.usage) events.push({ type: "usage", usage: convertOpenAIUsage(completion.usage) });
  return streamOf(events);
}
