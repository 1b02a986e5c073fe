import type {
  ContentBlock,
  Message,
  RawContentBlockDelta,
  RawMessageStreamEvent,
} from "@anthropic-ai/sdk/resources/messages";
import { textPieces } from "../../chat/text-pieces";
import { encodeSse } from "../../gateway/pipeline/stream/sse-writer";

/**
 * A whole Message (a cached answer) as the event stream Anthropic would have sent for it, for a
 * streaming request served from the cache: `message_start` with the input usage, every block in
 * order with its deltas (text in pieces, a tool's input as one JSON delta, a thinking block's
 * text and then its signature), `message_delta` with the stop reason and output usage, then
 * `message_stop`. Blocks that stream whole (redacted thinking, server tool results) start
 * complete and stop. The SDKs rebuild exactly the stored message from it.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
export function messageToEvents(message: Message): RawMessageStreamEvent[] {
  const events: RawMessageStreamEvent[] = [
    {
      type: "message_start",
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...message.usage, output_tokens: 0 },
      },
    },
  ];
  message.content.forEach((block, index) => {
    const [start, deltas] = blockEvents(block);
    events.push({ type: "content_block_start", index, content_block: start });
    for (const delta of deltas) events.push({ type: "content_block_delta", index, delta });
    events.push({ type: "content_block_stop", index });
  });
  const u = message.usage;
  events.push(
    {
      type: "message_delta",
      // Only the fields the stored message has: the SDKs copy the delta onto the message.
      delta: pick(message, ["stop_reason", "stop_sequence", "stop_details", "container"]) as never,
      usage: {
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        cache_creation_input_tokens: u.cache_creation_input_tokens ?? null,
        cache_read_input_tokens: u.cache_read_input_tokens ?? null,
        output_tokens_details: u.output_tokens_details ?? null,
        server_tool_use: u.server_tool_use ?? null,
      },
    },
    { type: "message_stop" },
  );
  return events;
}

/** The events as Server-Sent Events, one `event:` and one `data:` line each. */
export function messageToSse(message: Message): string {
  const decoder = new TextDecoder();
  return messageToEvents(message)
    .map((e) => decoder.decode(encodeSse(JSON.stringify(e), e.type)))
    .join("");
}

/** A block's `content_block_start` and the deltas that complete it. */
function blockEvents(block: ContentBlock): [ContentBlock, RawContentBlockDelta[]] {
  switch (block.type) {
    case "text":
      return [{ ...block, text: "" }, textPieces(block.text).map((text) => ({ type: "text_delta", text }))];
    case "thinking":
      return [
        { ...block, thinking: "", signature: "" },
        [
          ...(block.thinking ? [{ type: "thinking_delta" as const, thinking: block.thinking }] : []),
          { type: "signature_delta", signature: block.signature },
        ],
      ];
    case "tool_use":
    case "server_tool_use": {
      const json = JSON.stringify(block.input ?? {});
      return [
        { ...block, input: {} },
        json === "{}" ? [] : [{ type: "input_json_delta", partial_json: json }],
      ];
    }
    default:
      return [block, []];
  }
}

function pick<T extends object, K extends keyof T>(from: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => k in from).map((k) => [k, from[k]])) as Partial<Pick<T, K>>;
}
