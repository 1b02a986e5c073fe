import type {
  ResponseCompletedEvent,
  ResponseContentPartAddedEvent,
  ResponseContentPartDoneEvent,
  ResponseCreatedEvent,
  ResponseCustomToolCall,
  ResponseCustomToolCallInputDeltaEvent,
  ResponseCustomToolCallInputDoneEvent,
  ResponseFailedEvent,
  ResponseFunctionCallArgumentsDeltaEvent,
  ResponseFunctionCallArgumentsDoneEvent,
  ResponseFunctionToolCall,
  ResponseIncompleteEvent,
  ResponseInProgressEvent,
  ResponseOutputItemAddedEvent,
  ResponseOutputItemDoneEvent,
  ResponseOutputMessage,
  ResponseReasoningItem,
  ResponseReasoningSummaryPartAddedEvent,
  ResponseReasoningSummaryPartDoneEvent,
  ResponseReasoningSummaryTextDeltaEvent,
  ResponseReasoningSummaryTextDoneEvent,
  ResponseTextDeltaEvent,
  ResponseTextDoneEvent,
} from "openai/resources/responses/responses";
import type { Usage } from "../../chat/types";
import type { StreamEncoder } from "../../gateway/pipeline/stream/encode-events";
import { encodeSse } from "../../gateway/pipeline/stream/sse-writer";
import { concatBytes } from "../../util/encoding";
import { type ResponsesErrorEvent, responsesFailure } from "./failure";
import { freeformCallInput } from "./freeform-tools";
import {
  callIds,
  customToolCallItem,
  functionCallItem,
  incompleteReason,
  itemId,
  messageItem,
  type OutputItem,
  outputText,
  type ResponseMeta,
  responseOf,
  responsesUsage,
  sealOf,
  type WireResponse,
} from "./from-neutral";
import { reasoningItem } from "./reasoning-item";

/**
 * Neutral events as the Responses API's semantic stream, whatever order the vendor sent them in:
 * `response.created` and `response.in_progress` first, then one output item at a time (added, its
 * content part and deltas, their `.done`s, item done), output indices from 0 without gaps, then
 * exactly one terminal event carrying the whole response: `response.completed`,
 * `response.incomplete` (the answer hit its token limit or a filter) or `response.failed`. Every
 * event has a `sequence_number`, from 0 and one up each time; there is no `[DONE]`. The SDKs'
 * accumulators check all of this (a duplicate output index or item id, a delta for an item that
 * is not the one open, a completed response that misses an item all throw).
 * - Reasoning is a `reasoning` item of its own, opened like a message: added with `summary: []`,
 *   its summary part added at the first text (`response.reasoning_summary_part.added`), the
 *   `response.reasoning_summary_text.delta`s, then `.text.done`, `.part.done` and item done, whose
 *   item holds the whole summary and, where the plan named the origin, the encrypted content
 *   (reasoning-item.ts) with the vendor's signature. A vendor's signature alone (thinking shown as
 *   omitted) opens an item with no summary part; one arriving once another item opened is dropped,
 *   as it seals reasoning already shown done.
 * - Text after a function call opens a new message item (interleaving is valid output), and so
 *   does reasoning after text.
 * - A function call's arguments are passed on as the vendor wrote them.
 * - Arguments for a call whose item was closed (another item opened since) are dropped: an item
 *   cannot be reopened, and no vendor interleaves calls (Anthropic's encoder does the same).
 * - A failure is an `error` event then `response.failed`, as OpenAI sends them (failure.ts). The
 *   item open when the vendor broke off gets no `.done` events: clients such as Codex run a
 *   function call once its item is done, and a cut-off call's arguments may be cut mid-command.
 *   The failed response lists it with status `incomplete`.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */

export interface ResponsesEncoderMeta extends ResponseMeta {
  /** The prompt estimate, for the terminal event's usage when the vendor reported none. */
  inputTokens?: number | undefined;
}

export interface ResponsesEncoderOptions {
  requestId: string;
  /**
   * The response the terminal event carried, exactly as the client received it (its item ids
   * included): what the plan stores for `previous_response_id` or caches.
   */
  onResponse?: ((response: WireResponse) => void) | undefined;
}

type Unsequenced<E> = E extends unknown ? Omit<E, "sequence_number"> : never;
/** A lifecycle event, carrying the Response as the wire has it (from-neutral.ts: WireResponse). */
type Lifecycle<E extends { response: unknown }> = Omit<E, "sequence_number" | "response"> & {
  response: WireResponse;
};
type Outgoing =
  | Lifecycle<
      | ResponseCreatedEvent
      | ResponseInProgressEvent
      | ResponseCompletedEvent
      | ResponseIncompleteEvent
      | ResponseFailedEvent
    >
  | Unsequenced<
      | ResponseOutputItemAddedEvent
      | ResponseOutputItemDoneEvent
      | ResponseContentPartAddedEvent
      | ResponseContentPartDoneEvent
      | ResponseTextDeltaEvent
      | ResponseTextDoneEvent
      | ResponseFunctionCallArgumentsDeltaEvent
      | ResponseFunctionCallArgumentsDoneEvent
      | ResponseCustomToolCallInputDeltaEvent
      | ResponseCustomToolCallInputDoneEvent
      | ResponseReasoningSummaryPartAddedEvent
      | ResponseReasoningSummaryPartDoneEvent
      | ResponseReasoningSummaryTextDeltaEvent
      | ResponseReasoningSummaryTextDoneEvent
    >
  | ResponsesErrorEvent;

/** The item being streamed; `item` is what `output` will hold, updated as the item closes. */
type Open =
  | {
      kind: "reasoning";
      at: number;
      id: string;
      item: ResponseReasoningItem;
      text: string;
      /** Whether its summary part was added (at the first text). */
      part: boolean;
      signature?: string | undefined;
    }
  | { kind: "text"; at: number; id: string; item: ResponseOutputMessage; text: string }
  | { kind: "tool"; at: number; id: string; item: ResponseFunctionToolCall; tool: number; args: string }
  /**
   * A freeform tool's call: the vendor writes `{"input": "..."}` as arguments, and the raw input
   * inside can only be known whole, so it goes out as one delta when the call closes.
   */
  | { kind: "custom"; at: number; id: string; item: ResponseCustomToolCall; tool: number; args: string };

export function responsesEventEncoder(
  meta: ResponsesEncoderMeta,
  opts: ResponsesEncoderOptions,
): StreamEncoder {
  let sequence = 0;
  let started = false;
  let usage: Usage | undefined;
  let open: Open | undefined;
  const output: OutputItem[] = [];
  const seenTools = new Set<number>();
  const callId = callIds(meta.id);

  const send = (out: Uint8Array[], e: Outgoing) =>
    out.push(encodeSse(JSON.stringify({ ...e, sequence_number: sequence++ }), e.type));

  const begin = (out: Uint8Array[]) => {
    if (started) return;
    started = true;
    const response = responseOf(meta, { status: "in_progress", output: [] });
    send(out, { type: "response.created", response });
    send(out, { type: "response.in_progress", response });
  };

  /** The open item as it stands: whole when `status` is completed or incomplete. */
  const settle = (o: Open, status: "completed" | "incomplete") => {
    if (o.kind === "reasoning") {
      const seal = sealOf(meta, o.signature);
      Object.assign(o.item, reasoningItem(o.id, o.text, status, seal));
    } else if (o.kind === "text") o.item.content = [outputText(o.text)];
    else if (o.kind === "custom") o.item.input = freeformCallInput(o.args);
    else o.item.arguments = o.args;
    if (o.kind !== "custom") o.item.status = status;
  };

  const close = (out: Uint8Array[], status: "completed" | "incomplete" = "completed") => {
    if (!open) return;
    const o = open;
    open = undefined;
    settle(o, status);
    const at = { item_id: o.id, output_index: o.at };
    if (o.kind === "reasoning") {
      if (o.part) {
        const part = { type: "summary_text" as const, text: o.text };
        send(out, { type: "response.reasoning_summary_text.done", ...at, summary_index: 0, text: o.text });
        send(out, { type: "response.reasoning_summary_part.done", ...at, summary_index: 0, part });
      }
    } else if (o.kind === "text") {
      const part = outputText(o.text);
      send(out, { type: "response.output_text.done", ...at, content_index: 0, text: o.text, logprobs: [] });
      send(out, { type: "response.content_part.done", ...at, content_index: 0, part });
    } else if (o.kind === "custom") {
      const input = o.item.input;
      if (input) send(out, { type: "response.custom_tool_call_input.delta", ...at, delta: input });
      send(out, { type: "response.custom_tool_call_input.done", ...at, input });
    } else {
      send(out, { type: "response.function_call_arguments.done", ...at, arguments: o.args });
    }
    send(out, { type: "response.output_item.done", output_index: o.at, item: o.item });
  };

  const openReasoning = (out: Uint8Array[]) => {
    close(out);
    const at = output.length;
    const item = reasoningItem(itemId("rs", meta.id, at), null, "in_progress");
    output.push(item);
    send(out, { type: "response.output_item.added", output_index: at, item });
    open = { kind: "reasoning", at, id: item.id, item, text: "", part: false };
  };

  const openText = (out: Uint8Array[]) => {
    close(out);
    const at = output.length;
    const item = messageItem(itemId("msg", meta.id, at), null, "in_progress");
    output.push(item);
    // Sent as it stands now (JSON is written at once); `item` itself becomes the finished one.
    send(out, { type: "response.output_item.added", output_index: at, item });
    send(out, {
      type: "response.content_part.added",
      item_id: item.id,
      output_index: at,
      content_index: 0,
      part: outputText(""),
    });
    open = { kind: "text", at, id: item.id, item, text: "" };
  };

  const openTool = (out: Uint8Array[], tool: number, vendorId: string | undefined, name: string) => {
    close(out);
    const at = output.length;
    if (meta.freeform?.has(name)) {
      const id = itemId("ctc", meta.id, at);
      const item = customToolCallItem(id, callId(vendorId, at), name, "");
      output.push(item);
      send(out, { type: "response.output_item.added", output_index: at, item });
      open = { kind: "custom", at, id, item, tool, args: "" };
      return;
    }
    const id = itemId("fc", meta.id, at);
    const item = functionCallItem(id, callId(vendorId, at), name, "", "in_progress");
    output.push(item);
    send(out, { type: "response.output_item.added", output_index: at, item });
    open = { kind: "tool", at, id, item, tool, args: "" };
  };

  const bytes = (out: Uint8Array[]) =>
    out.length === 0 ? null : out.length === 1 ? (out[0] as Uint8Array) : concatBytes(...out);

  /** The terminal event, last; the plan hears the response it carried. */
  const finish = (out: Uint8Array[], e: Outgoing & { response: WireResponse }) => {
    send(out, e);
    opts.onResponse?.(e.response);
    return concatBytes(...out);
  };

  return {
    event(e) {
      const out: Uint8Array[] = [];
      switch (e.type) {
        case "start":
          begin(out);
          break;
        case "usage":
          usage = e.usage; // shown once, in the terminal event
          break;
        case "finish":
          break; // the driver keeps the first one (outcome.finishReason) for the end
        case "text":
          if (e.text === "") break; // an empty message item would say nothing
          begin(out);
          if (open?.kind !== "text") openText(out);
          if (open?.kind === "text") {
            open.text += e.text;
            send(out, {
              type: "response.output_text.delta",
              item_id: open.id,
              output_index: open.at,
              content_index: 0,
              delta: e.text,
              logprobs: [],
            });
          }
          break;
        case "tool_call":
          if (!seenTools.has(e.index)) {
            seenTools.add(e.index);
            begin(out);
            openTool(out, e.index, e.id, e.name ?? "");
          }
          if (open?.kind === "custom" && open.tool === e.index) {
            open.args += e.argumentsDelta ?? "";
            break;
          }
          if (open?.kind !== "tool" || open.tool !== e.index || !e.argumentsDelta) break;
          open.args += e.argumentsDelta;
          send(out, {
            type: "response.function_call_arguments.delta",
            item_id: open.id,
            output_index: open.at,
            delta: e.argumentsDelta,
          });
          break;
        case "reasoning": {
          // A seal opens an item only where it is kept and nothing else is open (see above).
          const sealOnly = !e.text && e.signature && meta.origin && (!open || open.kind === "reasoning");
          if (!e.text && !sealOnly) break;
          begin(out);
          if (open?.kind !== "reasoning") openReasoning(out);
          if (open?.kind !== "reasoning") break;
          if (e.signature) open.signature = e.signature;
          if (!e.text) break;
          const at = { item_id: open.id, output_index: open.at, summary_index: 0 };
          if (!open.part) {
            open.part = true;
            send(out, {
              type: "response.reasoning_summary_part.added",
              ...at,
              part: { type: "summary_text", text: "" },
            });
          }
          open.text += e.text;
          send(out, { type: "response.reasoning_summary_text.delta", ...at, delta: e.text });
          break;
        }
        default:
          break; // kinds of event this encoder does not show are left out
      }
      return bytes(out);
    },
    end(outcome) {
      const out: Uint8Array[] = [];
      begin(out);
      const reason = incompleteReason(outcome.finishReason);
      // The item the answer stopped in is the one cut short, as the API marks it.
      close(out, reason ? "incomplete" : "completed");
      const response = responseOf(meta, {
        status: reason ? "incomplete" : "completed",
        output,
        usage: responsesUsage(
          outcome.usage ?? usage ?? { inputTokens: meta.inputTokens ?? 0, outputTokens: 0 },
        ),
        incompleteReason: reason,
      });
      return finish(out, { type: reason ? "response.incomplete" : "response.completed", response });
    },
    error(err, outcome) {
      const out: Uint8Array[] = [];
      begin(out);
      // Listed as far as it came, but never shown as done (see above).
      if (open) settle(open, "incomplete");
      open = undefined;
      const failure = responsesFailure(err, opts.requestId);
      send(out, failure.event);
      const known = outcome.usage ?? usage;
      const response = responseOf(meta, {
        status: "failed",
        output,
        usage: known ? responsesUsage(known) : undefined,
        error: failure.error,
      });
      return finish(out, { type: "response.failed", response });
    },
  };
}
