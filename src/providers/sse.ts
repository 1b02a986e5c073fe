import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { StreamEvent } from "../chat/types";

export type { EventSourceMessage };

/** Upper bound on one SSE event held in memory (a runaway upstream cannot exhaust the isolate). */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/** Where a translator puts the neutral events one upstream event stands for. */
export interface EventSink {
  enqueue(event: StreamEvent): void;
}

/**
 * One vendor's stream format, read into neutral events: `transform` for each upstream event,
 * `flush` once the body ended (a cut-off is its throw). Either may throw a GatewayError, which
 * ends the stream with it.
 */
export interface EventTranslator {
  transform(msg: EventSourceMessage, out: EventSink): void;
  flush(out: EventSink): void;
}

/** Neutral events a read at a time: each read is what one upstream read made (maybe none). */
export interface EventBatches {
  read(): Promise<ReadableStreamReadResult<StreamEvent[]>>;
  /** Stops the vendor (the body is cancelled); a read after it is done. */
  cancel(reason?: unknown): Promise<void>;
}

/**
 * A vendor's stream as neutral events: a ReadableStream for any consumer, which the gateway's own
 * encoder (encode-events.ts) reads through `batches()` instead: one upstream read, the parse and
 * the translation in one synchronous step, and the events of one upstream chunk handed over
 * together, with no JavaScript stream between them (each hop of one costs promises per chunk).
 * A consumer uses one or the other.
 */
export type NeutralStream = ReadableStream<StreamEvent> & { batches(): EventBatches };

/**
 * A vendor's SSE body translated as it arrives: bytes → text → events (eventsource-parser: `\n`,
 * `\r\n`, multi-line data, comments), never buffering more than one event; an event larger than
 * MAX_EVENT_CHARS or a read that fails ends the stream with that error.
 */
export function neutralStream(body: ReadableStream<Uint8Array>, translator: EventTranslator): NeutralStream {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let out: StreamEvent[] = [];
  const sink: EventSink = { enqueue: (e) => void out.push(e) };
  let failure: unknown;
  const parser = createParser({
    onEvent: (msg) => translator.transform(msg, sink),
    onError: (error) => {
      failure ??= error;
    },
    maxBufferSize: MAX_EVENT_CHARS,
  });
  let ended = false;
  /** The stream failed: the vendor is stopped; what came before the failure is still handed over. */
  const fail = (error: unknown) => {
    failure ??= error;
    ended = true;
    reader.cancel().catch(() => {});
  };
  const batches: EventBatches = {
    async read() {
      if (failure) throw failure;
      if (ended) return { done: true, value: undefined };
      const { done, value } = await reader.read();
      if (ended && !failure) return { done: true, value: undefined };
      out = [];
      try {
        if (done) {
          ended = true;
          translator.flush(sink);
        } else {
          parser.feed(decoder.decode(value, { stream: true }));
        }
      } catch (error) {
        fail(error);
      }
      if (failure && !ended) fail(failure); // the parser's own error (an event too large)
      if (out.length) return { done: false, value: out };
      if (failure) throw failure;
      return done ? { done: true, value: undefined } : { done: false, value: out };
    },
    async cancel(reason) {
      ended = true;
      await reader.cancel(reason);
    },
  };
  const stream = new ReadableStream<StreamEvent>(
    {
      async pull(controller) {
        // Until an event or the end: an upstream read may make none (a ping, half an event).
        for (;;) {
          const r = await batches.read();
          if (r.done) return controller.close();
          for (const e of r.value) controller.enqueue(e);
          if (r.value.length) return;
        }
      },
      cancel: (reason) => batches.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return Object.assign(stream, { batches: () => batches });
}
