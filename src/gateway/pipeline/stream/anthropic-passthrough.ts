import { anthropicErrorBody } from "../../../dialects/anthropic/errors";
import type { GatewayError } from "../../../errors/gateway-error";
import { anthropicErrorMessage } from "../../../providers/anthropic/errors";
import { mapAnthropicStopReason } from "../../../providers/anthropic/finish-reason";
import { convertAnthropicUsage } from "../../../providers/anthropic/usage";
import { type AnthropicUsage, AnthropicUsageSchema } from "../../../providers/anthropic/wire";
import { malformed, scrubVendorMessage, streamCutOff, streamErrorEvent } from "../../../providers/http";
import type { CallEnd } from "../types";
import { type EventSourceMessage, relaySse, safeJson, type Verdict } from "./sse-passthrough";
import { encodeSse } from "./sse-writer";

/**
 * An Anthropic vendor's Messages stream relayed to an Anthropic client, event for event as the
 * vendor's bytes, `ping`s and event types this gateway does not know included (the API adds
 * some). On the way it reads usage (`message_start`'s input and cache counts, `message_delta`'s
 * cumulative output) and the stop reason. A vendor `error` event (overloaded_error, ...) goes on
 * as the vendor wrote it but for key-like strings, which Claude Code's recovery relies on; a
 * stream that ends before `message_stop` ends with an `error` event of ours.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
export function passthroughAnthropicStream(
  vendor: string,
  body: ReadableStream<Uint8Array>,
  opts: {
    requestId: string;
    onEnd?: ((outcome: CallEnd) => void) | undefined;
    signal?: AbortSignal | undefined;
    /** Every event relayed, parsed (to rebuild the message for the cache). */
    onEvent?: ((event: object) => void) | undefined;
  },
): ReadableStream<Uint8Array> {
  const outcome: CallEnd = {};
  let usage: AnthropicUsage = {};
  let sawEvent = false;
  let stopped = false;
  /** The vendor's own error event, scrubbed, to send in place of ours. */
  let vendorError: string | null = null;

  const addUsage = (raw: unknown) => {
    const parsed = AnthropicUsageSchema.safeParse(raw);
    if (!parsed.success) return;
    // message_delta repeats only what changed (cumulative output, sometimes input): keep the rest.
    for (const [k, v] of Object.entries(parsed.data)) if (v != null) usage = { ...usage, [k]: v };
    outcome.usage = convertAnthropicUsage(usage);
  };

  function judge(msg: EventSourceMessage): Verdict {
    if (stopped) return "drop";
    const json = safeJson(msg.data) as
      | { type?: unknown; message?: { usage?: unknown }; delta?: { stop_reason?: unknown }; usage?: unknown }
      | undefined;
    if (!json || typeof json !== "object") return streamErrorEvent(vendor, "an unreadable event");
    sawEvent = true;
    const type = typeof json.type === "string" ? json.type : msg.event;
    // `event: error` can come at any point, even after a 200.
    if (msg.event === "error" || type === "error") {
      vendorError = scrubbedError(json);
      return streamErrorEvent(vendor, anthropicErrorMessage(json));
    }
    if (type === "message_start") addUsage(json.message?.usage);
    else if (type === "message_delta") {
      if (typeof json.delta?.stop_reason === "string") {
        outcome.finishReason = mapAnthropicStopReason(json.delta.stop_reason);
      }
      addUsage(json.usage);
    } else if (type === "message_stop") stopped = true;
    opts.onEvent?.(json);
    return "forward";
  }

  return relaySse(
    vendor,
    body,
    {
      judge,
      commentsPass: () => !stopped,
      end() {
        if (stopped && outcome.finishReason) return null;
        return sawEvent ? streamCutOff(vendor) : malformed(vendor, "a stream that is not Server-Sent Events");
      },
      errorEvent: (err: GatewayError) =>
        encodeSse(vendorError ?? JSON.stringify(anthropicErrorBody(err, opts.requestId)), "error"),
    },
    outcome,
    opts,
  );
}

/** The vendor's error event as it wrote it, with its message scrubbed of key-like strings. */
function scrubbedError(json: object): string {
  const e = json as { error?: { message?: unknown } };
  if (e.error && typeof e.error.message === "string") {
    return JSON.stringify({ ...json, error: { ...e.error, message: scrubVendorMessage(e.error.message) } });
  }
  return JSON.stringify(json);
}
