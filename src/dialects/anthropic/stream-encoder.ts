import type {
  ContentBlock,
  MessageDeltaUsage,
  RawContentBlockDelta,
  RawMessageStreamEvent,
} from "@anthropic-ai/sdk/resources/messages";
import type { Usage } from "../../chat/types";
import type { StreamEncoder } from "../../gateway/pipeline/stream/encode-events";
import { encodeSse } from "../../gateway/pipeline/stream/sse-writer";
import { concatBytes } from "../../util/encoding";
import { anthropicErrorBody } from "./errors";
import { anthropicUsage, type MessageMeta, textBlock, toolUseBlock } from "./from-neutral";
import { anthropicStopReason } from "./stop-reason";
import { gatewaySignature } from "./thinking-signature";
import { type ToolInputStream, toolInputStream } from "./tool-input";

/**
 * Neutral events as Anthropic's Messages stream, whatever order the vendor sent them in:
 * `message_start` first, then one block at a time (`content_block_start`, its deltas,
 * `content_block_stop`), indices from 0 without gaps, then `message_delta` with the stop reason
 * and usage, and `message_stop`. The SDKs' accumulators index the message's blocks by these
 * indices and refuse a second `message_start`, so nothing is sent that breaks the order.
 * - Text arriving after a tool call opens a new text block (interleaving is valid content).
 * - Reasoning is a thinking block, opened like a text block: `{thinking: "", signature: ""}`,
 *   `thinking_delta`s, and one `signature_delta` (the gateway's, thinking-signature.ts) just
 *   before its `content_block_stop`, as Anthropic sends them.
 * - A tool call's arguments are shown as tool-input.ts decides (whole top-level members).
 * - Arguments for a call whose block was closed (another block opened since) are dropped: a
 *   block cannot be reopened, and no vendor interleaves calls (OpenAI and Anthropic stream one
 *   after another, Gemini sends each whole).
 * A failure is one `event: error` in Anthropic's envelope and nothing more, as Anthropic does.
 * While the vendor is silent, `ping` events, which Anthropic allows anywhere in a stream and the
 * SDKs skip.
 * Every event is typed with the SDK's own types (erased at build), so a shape error fails tsc.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */

export interface EncoderMeta extends MessageMeta {
  /** The prompt estimate, for `message_start` when the vendor reports usage only at the end. */
  inputTokens?: number;
}

type OpenBlock =
  | { kind: "text" }
  | { kind: "thinking" }
  | { kind: "tool"; tool: number; input: ToolInputStream };

const sse = (e: RawMessageStreamEvent) => encodeSse(JSON.stringify(e), e.type);

/** Usage counts in `message_delta` are cumulative; unknown ones are null, which clients skip. */
function deltaUsage(u: Usage | undefined): MessageDeltaUsage {
  const known = u ? anthropicUsage(u) : undefined;
  return {
    input_tokens: known?.input_tokens ?? null,
    output_tokens: known?.output_tokens ?? 0,
    cache_creation_input_tokens: known?.cache_creation_input_tokens ?? null,
    cache_read_input_tokens: known?.cache_read_input_tokens ?? null,
    output_tokens_details: known?.output_tokens_details ?? null,
    server_tool_use: null,
  };
}

export function anthropicEventEncoder(meta: EncoderMeta, opts: { requestId: string }): StreamEncoder {
  let started = false;
  let usage: Usage | undefined;
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  const seenTools = new Set<number>();

  /** `message_start` once, with the real input usage if it is known by now, else the estimate. */
  const begin = (out: Uint8Array[]) => {
    if (started) return;
    started = true;
    const u = usage ?? { inputTokens: meta.inputTokens ?? 0, outputTokens: 0 };
    out.push(
      sse({
        type: "message_start",
        message: {
          id: meta.id,
          type: "message",
          role: "assistant",
          model: meta.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          stop_details: null,
          container: null,
          diagnostics: null,
          usage: { ...anthropicUsage(u), output_tokens: 0 },
        },
      }),
    );
  };
  const delta = (out: Uint8Array[], d: RawContentBlockDelta) =>
    out.push(sse({ type: "content_block_delta", index: nextIndex - 1, delta: d }));
  const close = (out: Uint8Array[]) => {
    if (!open) return;
    if (open.kind === "tool") {
      const rest = open.input.finish();
      if (rest) delta(out, { type: "input_json_delta", partial_json: rest });
    }
    if (open.kind === "thinking")
      delta(out, { type: "signature_delta", signature: gatewaySignature(meta.origin) });
    out.push(sse({ type: "content_block_stop", index: nextIndex - 1 }));
    open = undefined;
  };
  const start = (out: Uint8Array[], block: ContentBlock, state: OpenBlock) => {
    close(out);
    out.push(sse({ type: "content_block_start", index: nextIndex, content_block: block }));
    nextIndex++;
    open = state;
  };
  const bytes = (out: Uint8Array[]) =>
    out.length === 0 ? null : out.length === 1 ? (out[0] as Uint8Array) : concatBytes(...out);

  return {
    event(e) {
      const out: Uint8Array[] = [];
      switch (e.type) {
        case "start":
          begin(out);
          break;
        case "usage":
          usage = e.usage;
          break;
        case "finish":
          break; // the driver keeps the first one (outcome.finishReason) for the end
        case "text":
          if (e.text === "") break; // Anthropic refuses empty text blocks sent back to it
          begin(out);
          if (open?.kind !== "text") start(out, textBlock(""), { kind: "text" });
          delta(out, { type: "text_delta", text: e.text });
          break;
        case "reasoning":
          if (e.text === "") break;
          begin(out);
          if (open?.kind !== "thinking") {
            start(out, { type: "thinking", thinking: "", signature: "" }, { kind: "thinking" });
          }
          delta(out, { type: "thinking_delta", thinking: e.text });
          break;
        case "tool_call": {
          if (!seenTools.has(e.index)) {
            seenTools.add(e.index);
            begin(out);
            start(out, toolUseBlock(e.id ?? "", e.name ?? "", {}), {
              kind: "tool",
              tool: e.index,
              input: toolInputStream(),
            });
          }
          if (open?.kind !== "tool" || open.tool !== e.index || !e.argumentsDelta) break;
          const shown = open.input.push(e.argumentsDelta);
          if (shown) delta(out, { type: "input_json_delta", partial_json: shown });
          break;
        }
      }
      return bytes(out);
    },
    end(outcome) {
      const out: Uint8Array[] = [];
      begin(out);
      close(out);
      out.push(
        sse({
          type: "message_delta",
          delta: {
            stop_reason: anthropicStopReason(outcome.finishReason),
            stop_sequence: null,
            stop_details: null,
            container: null,
          },
          usage: deltaUsage(outcome.usage ?? usage),
        }),
        sse({ type: "message_stop" }),
      );
      return concatBytes(...out);
    },
    error(err) {
      return encodeSse(JSON.stringify(anthropicErrorBody(err, opts.requestId)), "error");
    },
    // Not in the SDK's RawMessageStreamEvent union: its stream reader drops pings before parsing.
    // A vendor silent from the outset still gets `message_start` first, as Anthropic sends it:
    // a strict reader expects it before anything else.
    ping() {
      const out: Uint8Array[] = [];
      begin(out);
      out.push(encodeSse(JSON.stringify({ type: "ping" }), "ping"));
      return bytes(out) as Uint8Array;
    },
  };
}
