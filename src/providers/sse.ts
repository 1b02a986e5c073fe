import { type EventSourceMessage, EventSourceParserStream } from "eventsource-parser/stream";

export type { EventSourceMessage };

/** Upper bound on one SSE event held in memory (a runaway upstream cannot exhaust the isolate). */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/**
 * A vendor's SSE body as parsed events: bytes → text → events, incrementally, never buffering
 * more than one event. Framing (`\n`, `\r\n`, multi-line data, comments) is the parser's job.
 */
export function sseEvents(body: ReadableStream<Uint8Array>): ReadableStream<EventSourceMessage> {
  return body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ maxBufferSize: MAX_EVENT_CHARS, onError: "terminate" }));
}
