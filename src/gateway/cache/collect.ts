import { createParser } from "eventsource-parser";
import type { ChatCompletion, ChatCompletionMessageToolCall } from "openai/resources/chat/completions";
import { openaiUsage } from "../../chat/to-openai";
import type { FinishReason, Usage } from "../../chat/types";

interface Collected {
  id: string;
  model: string;
  created: number;
  content: string;
  tools: { id: string; name: string; arguments: string }[];
  failed: boolean;
}

/**
 * Watches the SSE bytes going to the client (unchanged) and rebuilds the whole completion, so a
 * finished stream can fill the cache. Only used when the answer will be stored: it parses every
 * event, which the plain relay does not. A stream with an error event is never stored.
 */
export function collectCompletion(): {
  tap: TransformStream<Uint8Array, Uint8Array>;
  result(usage: Usage | undefined, finish: FinishReason | undefined): ChatCompletion | null;
} {
  const c: Collected = { id: "", model: "", created: 0, content: "", tools: [], failed: false };
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent(event) {
      if (event.data === "[DONE]") return;
      let chunk: {
        id?: string;
        model?: string;
        created?: number;
        error?: unknown;
        choices?: {
          delta?: {
            content?: string | null;
            tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[];
          };
        }[];
      };
      try {
        chunk = JSON.parse(event.data);
      } catch {
        c.failed = true;
        return;
      }
      if (chunk.error) c.failed = true;
      c.id ||= chunk.id ?? "";
      c.model ||= chunk.model ?? "";
      c.created ||= chunk.created ?? 0;
      const delta = chunk.choices?.[0]?.delta;
      if (delta?.content) c.content += delta.content;
      for (const t of delta?.tool_calls ?? []) {
        c.tools[t.index] ??= { id: "", name: "", arguments: "" };
        const slot = c.tools[t.index] as Collected["tools"][number];
        if (t.id) slot.id = t.id;
        if (t.function?.name) slot.name = t.function.name;
        if (t.function?.arguments) slot.arguments += t.function.arguments;
      }
    },
  });
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(bytes, controller) {
      controller.enqueue(bytes);
      parser.feed(decoder.decode(bytes, { stream: true }));
    },
  });
  return {
    tap,
    result(usage, finish) {
      if (c.failed || !finish || !usage) return null;
      const toolCalls: ChatCompletionMessageToolCall[] = c.tools.map((t) => ({
        id: t.id,
        type: "function",
        function: { name: t.name, arguments: t.arguments },
      }));
      return {
        id: c.id,
        object: "chat.completion",
        created: c.created,
        model: c.model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: toolCalls.length && c.content === "" ? null : c.content,
              refusal: null,
              ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: finish,
          },
        ],
        usage: openaiUsage(usage),
      };
    },
  };
}
