import type { ChatResponse, StreamEvent, ToolCall } from "../../../chat/types";
import type { CallEnd } from "../types";

/**
 * Rebuilds a streamed answer from the neutral events that went by (the encoders' and the
 * passthrough's `tap`), so a stream that finished whole can fill the cache like a whole answer.
 */
export function answerCollector(): {
  add(e: StreamEvent): void;
  /** The answer, or null when the stream did not end whole (an error, no finish or no usage). */
  result(end: CallEnd): (ChatResponse & { id?: string }) | null;
} {
  let id: string | undefined;
  let model = "";
  let content = "";
  let reasoning = "";
  let reasoningSignature: string | undefined;
  const tools: ToolCall[] = [];
  return {
    add(e) {
      switch (e.type) {
        case "start":
          id ??= e.id;
          model ||= e.model;
          return;
        case "text":
          content += e.text;
          return;
        case "reasoning":
          reasoning += e.text;
          if (e.signature) reasoningSignature = e.signature;
          return;
        case "tool_call": {
          tools[e.index] ??= { id: "", name: "", arguments: "" };
          const slot = tools[e.index] as ToolCall;
          if (e.id) slot.id = e.id;
          if (e.name) slot.name = e.name;
          if (e.argumentsDelta) slot.arguments += e.argumentsDelta;
          return;
        }
      }
    },
    result(end) {
      if (end.error || !end.finishReason || !end.usage) return null;
      const toolCalls = tools.filter(Boolean);
      return {
        ...(id ? { id } : {}),
        model,
        content: toolCalls.length && content === "" ? null : content,
        toolCalls,
        ...(reasoning ? { reasoning } : {}),
        ...(reasoningSignature ? { reasoningSignature } : {}),
        finishReason: end.finishReason,
        usage: end.usage,
      };
    },
  };
}
