import { openaiUsage } from "../../../chat/to-openai";
import type { StreamEvent } from "../../../chat/types";
import type { GatewayError } from "../../../errors/gateway-error";
import { errorBody } from "../../../errors/to-response";
import { malformed, streamCutOff, streamErrorEvent } from "../../../providers/http";
import { openaiErrorMessage } from "../../../providers/openai/errors";
import { mapOpenAIFinishReason } from "../../../providers/openai/finish-reason";
import { chunkToEvents } from "../../../providers/openai/stream";
import { chunkUsage, convertOpenAIUsage } from "../../../providers/openai/usage";
import { OpenAIChunkSchema, OpenAIUsageSchema } from "../../../providers/openai/wire";
import { concatBytes } from "../../../util/encoding";
import type { CallEnd } from "../types";
import { type EventSourceMessage, relaySse, safeJson, type Verdict } from "./sse-passthrough";
import { encodeSse } from "./sse-writer";

export interface PassthroughOptions {
  includeUsage: boolean;
  requestId: string;
  onEnd?: ((outcome: CallEnd) => void) | undefined;
  /** Sees the neutral events of every chunk (the cache collects the answer with it). */
  tap?: ((e: StreamEvent) => void) | undefined;
  /** The client's request signal: its disconnect ends the stream at once (relay.ts). */
  signal?: AbortSignal | undefined;
}

/**
 * An OpenAI-wire vendor's stream relayed to an OpenAI-format client. The bytes are cut at event
 * boundaries (`\n`, `\r\n` or `\r` line ends) and every event is parsed by a real SSE parser and
 * its JSON read, so usage, the finish reason and `[DONE]` are found whatever the host's spacing
 * or framing. Events go on as the vendor's own bytes; only these change:
 * - the usage-only chunk (`choices: []`) is dropped when the client did not ask for usage (the
 *   gateway always asks upstream, to account the call);
 * - a vendor error event (`data: {"error": ...}` or `event: error`) becomes ours, and ends it;
 * - named events of other types, and lines that are not SSE at all, are dropped;
 * - a missing `[DONE]` after a finish reason is added; a stream without a finish reason, or that
 *   is not SSE, ends with our error event, on its own frame, so a cut-off answer never looks whole.
 */
export function passthroughOpenAIStream(
  vendor: string,
  body: ReadableStream<Uint8Array>,
  opts: PassthroughOptions,
): ReadableStream<Uint8Array> {
  const outcome: CallEnd = {};
  let sawDone = false;
  let sawChunk = false;
  /** A forwarded chunk carried top-level usage (else, if asked for, the usage chunk is added). */
  let sentUsage = false;
  let head = "";

  function judge(msg: EventSourceMessage): Verdict {
    if (sawDone) return "drop";
    if (msg.event !== undefined && msg.event !== "message") {
      return msg.event === "error"
        ? streamErrorEvent(vendor, openaiErrorMessage(safeJson(msg.data)))
        : "drop";
    }
    if (msg.data === "[DONE]") {
      // A client stops reading at [DONE]: before a finish reason it would take a cut-off as whole.
      if (!outcome.finishReason) return streamCutOff(vendor);
      sawDone = true;
      const usage = missingUsageChunk();
      return usage ? { replace: concatBytes(usage, encodeSse("[DONE]")) } : "forward";
    }
    const json = safeJson(msg.data);
    if (!json || typeof json !== "object" || Array.isArray(json)) {
      return streamErrorEvent(vendor, "an unreadable event");
    }
    const chunk = json as { error?: unknown; choices?: unknown; usage?: unknown; x_groq?: unknown };
    if (chunk.error !== undefined) return streamErrorEvent(vendor, openaiErrorMessage(json));
    const choices = chunk.choices ?? [];
    if (!Array.isArray(choices)) return streamErrorEvent(vendor, "an unreadable event");
    for (const choice of choices as { index?: unknown; finish_reason?: unknown }[]) {
      if (typeof choice?.finish_reason === "string" && (choice.index ?? 0) === 0) {
        outcome.finishReason ??= mapOpenAIFinishReason(choice.finish_reason);
      }
    }
    const rawUsage = chunkUsage(chunk);
    if (rawUsage !== undefined) {
      const usage = OpenAIUsageSchema.safeParse(rawUsage);
      if (usage.success) outcome.usage = convertOpenAIUsage(usage.data);
    }
    if (opts.tap) {
      const parsed = OpenAIChunkSchema.safeParse(json);
      if (parsed.success) chunkToEvents(parsed.data, !sawChunk, opts.tap);
    }
    if (!sawChunk) head = chunkHead(json);
    sawChunk = true;
    if (chunk.usage == null) return "forward";
    if (choices.length === 0 && !opts.includeUsage) return "drop";
    sentUsage = true;
    return "forward";
  }

  /**
   * The usage chunk a client that asked for usage did not get because the host put it elsewhere
   * (Groq's `x_groq.usage`), in OpenAI's shape; null when there is nothing to add.
   */
  function missingUsageChunk(): Uint8Array | null {
    if (!opts.includeUsage || sentUsage || !outcome.usage) return null;
    sentUsage = true;
    return encodeSse(`{${head}"choices":[],"usage":${JSON.stringify(openaiUsage(outcome.usage))}}`);
  }

  return relaySse(
    vendor,
    body,
    {
      judge,
      // Keep-alive comments keep idle connections open, until [DONE], the stream's last bytes.
      commentsPass: () => !sawDone,
      end() {
        if (!outcome.finishReason) {
          return sawChunk
            ? streamCutOff(vendor)
            : malformed(vendor, "a stream that is not Server-Sent Events");
        }
        if (sawDone) return null;
        // Some compatible hosts omit the sentinel; clients wait for it.
        const usage = missingUsageChunk();
        return usage ? concatBytes(usage, encodeSse("[DONE]")) : encodeSse("[DONE]");
      },
      errorEvent: (err: GatewayError) => encodeSse(JSON.stringify(errorBody(err, opts.requestId))),
    },
    outcome,
    opts,
  );
}

/** `"id":…,"object":…,"created":…,"model":…,` of a chunk, to head a chunk the relay adds. */
function chunkHead(json: object): string {
  const { id, created, model } = json as { id?: unknown; created?: unknown; model?: unknown };
  const fields = { id, object: "chat.completion.chunk", created, model };
  const text = JSON.stringify(fields);
  return `${text.slice(1, -1)},`;
}
