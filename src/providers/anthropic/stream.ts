import type { FinishReason } from "../../chat/types";
import { eventJson, streamCutOff, streamErrorEvent } from "../http";
import { type NeutralStream, neutralStream } from "../sse";
import { anthropicErrorMessage } from "./errors";
import { mapAnthropicStopReason } from "./finish-reason";
import { convertAnthropicUsage } from "./usage";
import { AnthropicStreamEventSchema, type AnthropicUsage } from "./wire";

/**
 * Event types of the Messages stream. The docs warn that new ones may be added, so any other type
 * is skipped rather than treated as a broken stream.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#other-events
 */
const KNOWN_EVENTS = new Set([
  "message_start",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
  "message_delta",
  "message_stop",
  "ping",
  "error",
]);

interface ToolBlock {
  /** Position among the tool calls (OpenAI's `tool_calls[].index`), not the content block index. */
  index: number;
  sentArguments: boolean;
}

/**
 * Anthropic's Messages stream → neutral events. Input usage comes in `message_start`, the stop
 * reason and (cumulative) output usage in `message_delta`; the answer is whole only at
 * `message_stop` after a stop reason, anything else is a cut-off. The finish reason and usage are
 * emitted once, at the end. A thinking block's `thinking_delta`s are reasoning, and its
 * `signature_delta` (which Anthropic sends last in the block, before the text) a reasoning event
 * with the signature, when it is the answer's first reasoning block (response.ts: reasoningSeal;
 * a later block's text still comes through, unsealed).
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
export function anthropicStreamToEvents(vendor: string, body: ReadableStream<Uint8Array>): NeutralStream {
  let usage: AnthropicUsage = {};
  let finishReason: FinishReason | undefined;
  let stopped = false;
  /** Content block index → tool call, for the `input_json_delta`s that name only the block. */
  const tools = new Map<number, ToolBlock>();
  /** Reasoning blocks (thinking, redacted) so far; only the first one's signature is passed on. */
  let reasoningBlocks = 0;
  let sealedBlock: number | undefined;

  return neutralStream(body, {
    transform(msg, controller) {
      const json = eventJson(vendor, msg.data);
      const type = json && typeof json === "object" && "type" in json ? json.type : undefined;
      // `event: error` (e.g. overloaded_error) can come at any point, even after a 200.
      // @see https://platform.claude.com/docs/en/build-with-claude/streaming#error-events
      if (msg.event === "error" || type === "error") {
        throw streamErrorEvent(vendor, anthropicErrorMessage(json));
      }
      if (typeof type !== "string" || !KNOWN_EVENTS.has(type)) return;
      const parsed = AnthropicStreamEventSchema.safeParse(json);
      if (!parsed.success) throw streamErrorEvent(vendor, "an unreadable event");
      const e = parsed.data;
      switch (e.type) {
        case "message_start":
          usage = { ...e.message.usage };
          controller.enqueue({
            type: "start",
            model: e.message.model ?? "",
            ...(e.message.id ? { id: e.message.id } : {}),
          });
          return;
        case "content_block_start": {
          const block = e.content_block;
          if (block.type === "text" && "text" in block && block.text) {
            controller.enqueue({ type: "text", text: block.text });
          } else if (block.type === "thinking" || block.type === "redacted_thinking") {
            if (reasoningBlocks++ === 0 && block.type === "thinking") sealedBlock = e.index;
            if ("thinking" in block && block.thinking) {
              controller.enqueue({ type: "reasoning", text: block.thinking });
            }
          } else if (block.type === "tool_use" && "id" in block) {
            const tool = { index: tools.size, sentArguments: false };
            tools.set(e.index, tool);
            controller.enqueue({
              type: "tool_call",
              index: tool.index,
              id: block.id,
              name: block.name,
              argumentsDelta: "",
            });
          }
          return;
        }
        case "content_block_delta": {
          const d = e.delta;
          if (d.type === "text_delta" && "text" in d) {
            if (d.text) controller.enqueue({ type: "text", text: d.text });
          } else if (d.type === "thinking_delta" && "thinking" in d) {
            if (d.thinking) controller.enqueue({ type: "reasoning", text: d.thinking });
          } else if (d.type === "signature_delta" && "signature" in d) {
            if (e.index === sealedBlock && reasoningBlocks === 1 && d.signature) {
              controller.enqueue({ type: "reasoning", text: "", signature: d.signature });
            }
          } else if (d.type === "input_json_delta" && "partial_json" in d) {
            const tool = tools.get(e.index);
            if (!tool || d.partial_json === "") return;
            tool.sentArguments = true;
            controller.enqueue({ type: "tool_call", index: tool.index, argumentsDelta: d.partial_json });
          }
          return;
        }
        case "content_block_stop": {
          // A call without arguments streams no JSON at all; the whole answer says `{}`.
          const tool = tools.get(e.index);
          if (tool && !tool.sentArguments) {
            tool.sentArguments = true;
            controller.enqueue({ type: "tool_call", index: tool.index, argumentsDelta: "{}" });
          }
          return;
        }
        case "message_delta":
          if (e.delta.stop_reason) finishReason = mapAnthropicStopReason(e.delta.stop_reason);
          // Cumulative counts: later values replace earlier ones, absent ones keep them.
          usage = { ...usage, ...definedOf(e.usage ?? {}) };
          return;
        case "message_stop":
          stopped = true;
          if (finishReason) controller.enqueue({ type: "finish", finishReason });
          return;
        default:
          return; // ping
      }
    },
    flush(controller) {
      if (!stopped || !finishReason) throw streamCutOff(vendor);
      controller.enqueue({ type: "usage", usage: convertAnthropicUsage(usage) });
    },
  });
}

/** The fields that are set (a `message_delta` repeats only what changed, the rest as null). */
const definedOf = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as Partial<T>;
