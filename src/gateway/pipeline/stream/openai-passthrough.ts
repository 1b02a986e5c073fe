import { createParser, type EventSourceMessage } from "eventsource-parser";
import { openaiUsage } from "../../../chat/to-openai";
import type { StreamEvent } from "../../../chat/types";
import type { GatewayError } from "../../../errors/gateway-error";
import { errorBody } from "../../../errors/to-response";
import { asStreamError, malformed, streamCutOff, streamErrorEvent } from "../../../providers/http";
import { openaiErrorMessage } from "../../../providers/openai/errors";
import { mapOpenAIFinishReason } from "../../../providers/openai/finish-reason";
import { chunkToEvents } from "../../../providers/openai/stream";
import { chunkUsage, convertOpenAIUsage } from "../../../providers/openai/usage";
import { OpenAIChunkSchema, OpenAIUsageSchema } from "../../../providers/openai/wire";
import { concatBytes } from "../../../util/encoding";
import { type CallEnd, CLIENT_GONE } from "../types";
import { eventEnds } from "./event-ends";
import { relayBody } from "./relay";
import { encodeSse } from "./sse-writer";

/** Upper bound on one upstream event held in memory (a runaway upstream cannot exhaust the isolate). */
const MAX_EVENT_BYTES = 8 * 1024 * 1024;

/** What the relay does with one upstream event: its bytes go on, or not, or others instead. */
type Verdict = "forward" | "drop" | { replace: Uint8Array } | GatewayError;

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
  const reader = body.getReader();
  const outcome: CallEnd = {};
  const decoder = new TextDecoder();
  let pending: Uint8Array | null = null;
  let sawDone = false;
  let sawChunk = false;
  /** A forwarded chunk carried top-level usage (else, if asked for, the usage chunk is added). */
  let sentUsage = false;
  let head = "";
  let verdict: Verdict | undefined;
  let commented = false;
  const parser = createParser({
    onEvent: (msg) => {
      verdict = judge(msg);
    },
    onComment: () => {
      commented = true;
    },
  });

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

  /** One complete event's bytes, parsed: forward them, drop them, or end with an error. */
  function classify(bytes: Uint8Array, text = decoder.decode(bytes)): Verdict {
    verdict = undefined;
    commented = false;
    parser.feed(text);
    // Keep-alive comments go on (they keep idle connections open), until [DONE], which is the
    // stream's last bytes; anything else that was no event is not SSE and is dropped.
    return verdict ?? (commented && !sawDone ? "forward" : "drop");
  }

  const errorEvent = (err: unknown) => encodeSse(JSON.stringify(errorBody(err, opts.requestId)));

  async function produce(write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    const send = async (bytes: Uint8Array) => {
      outcome.firstByteAt ??= Date.now();
      await write(bytes);
    };
    const fail = async (err: GatewayError) => {
      outcome.error = err;
      await send(errorEvent(err));
      await reader.cancel().catch(() => {});
    };
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (err) {
        if (outcome.error === CLIENT_GONE) return;
        return fail(asStreamError(err));
      }
      if (outcome.error === CLIENT_GONE) return;
      if (read.done) break;
      const bytes: Uint8Array = pending ? concatBytes(pending, read.value) : read.value;
      const ends = eventEnds(bytes, false);
      let from = 0; // start of the next event
      let kept = 0; // start of the run of forwarded events not yet written
      for (const end of ends) {
        const v = classify(bytes.subarray(from, end));
        if (v !== "forward") {
          if (kept < from) await send(bytes.subarray(kept, from));
          kept = end;
          if (typeof v === "object" && "replace" in v) await send(v.replace);
          else if (v !== "drop") return fail(v);
        }
        from = end;
      }
      if (kept < from) await send(bytes.subarray(kept, from));
      pending = from < bytes.length ? bytes.slice(from) : null;
      if (pending && pending.length > MAX_EVENT_BYTES)
        return fail(streamErrorEvent(vendor, "an event too large"));
    }
    // What is left is the last event: whole if its blank line was a bare `\r` (only the end of
    // the stream shows it was not half of a `\r\n`), else from a host that omits the blank line.
    if (pending) {
      const whole = eventEnds(pending, true).length > 0;
      const text = whole ? decoder.decode(pending) : `${decoder.decode(pending)}\n\n`;
      const v = classify(pending, text);
      if (v === "forward") await send(whole ? pending : new TextEncoder().encode(text));
      else if (typeof v === "object" && "replace" in v) await send(v.replace);
      else if (v !== "drop") return fail(v);
    }
    if (!outcome.finishReason) {
      return fail(
        sawChunk ? streamCutOff(vendor) : malformed(vendor, "a stream that is not Server-Sent Events"),
      );
    }
    // Some compatible hosts omit the sentinel; clients wait for it.
    if (!sawDone) {
      const usage = missingUsageChunk();
      await send(usage ? concatBytes(usage, encodeSse("[DONE]")) : encodeSse("[DONE]"));
    }
  }

  return relayBody({ produce, reader, outcome, onEnd: opts.onEnd, signal: opts.signal });
}

/** `"id":…,"object":…,"created":…,"model":…,` of a chunk, to head a chunk the relay adds. */
function chunkHead(json: object): string {
  const { id, created, model } = json as { id?: unknown; created?: unknown; model?: unknown };
  const fields = { id, object: "chat.completion.chunk", created, model };
  const text = JSON.stringify(fields);
  return `${text.slice(1, -1)},`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
