import type { FinishReason, StreamEvent, Usage } from "../chat/types";
import type { GatewayError } from "../errors/gateway-error";
import { errorBody, toGatewayError } from "../errors/to-response";
import { asStreamError } from "../providers/http";
import { encodeSse } from "../providers/sse";

/**
 * A conversation turn as Server-Sent Events:
 *
 *   event: message.delta      data: {"text": "..."}                 one per text delta
 *   event: message.completed  data: {user_message, assistant_message, usage}   last, once stored
 *   event: error              data: {"error": {type, code, message, request_id}} instead, then close
 *
 * The turn is stored whichever way the stream ends: completed, failed mid-way, or cancelled by
 * the client (which also cancels the upstream read, so the vendor stops generating). Only the
 * reply's text is kept in memory, because it is what gets stored.
 */

export interface StreamEnd {
  text: string;
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;
  /** Why the stream stopped early: the upstream failed, or ("cancelled") the client went away. */
  error?: GatewayError | "cancelled";
}

export interface TurnStreamOptions {
  requestId: string;
  /** Stores the turn; for a completed one, resolves with the `message.completed` payload. */
  onEnd(end: StreamEnd): Promise<unknown>;
  /** Keeps the isolate alive for the write when nobody is left to wait for it. */
  waitUntil(promise: Promise<unknown>): void;
}

export function encodeTurnStream(
  events: ReadableStream<StreamEvent>,
  opts: TurnStreamOptions,
): ReadableStream<Uint8Array> {
  const reader = events.getReader();
  const end: StreamEnd = { text: "", usage: undefined, finishReason: undefined };
  let ended = false;

  const finish = (error?: StreamEnd["error"]): Promise<unknown> => {
    ended = true;
    const stored = opts.onEnd(error ? { ...end, error } : end);
    opts.waitUntil(stored.catch((err) => logStoreFailure(opts.requestId, err)));
    return stored;
  };

  // The client may have gone between a read and a write: then there is nobody to tell.
  const emit = (controller: ReadableStreamDefaultController<Uint8Array>, bytes?: Uint8Array) => {
    try {
      if (bytes) controller.enqueue(bytes);
      else controller.close();
    } catch {
      // cancelled meanwhile
    }
  };
  const emitError = (controller: ReadableStreamDefaultController<Uint8Array>, e: GatewayError) => {
    emit(controller, encodeSse(JSON.stringify(errorBody(e, opts.requestId)), "error"));
    emit(controller);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let next: ReadableStreamReadResult<StreamEvent>;
        try {
          next = await reader.read();
        } catch (err) {
          if (ended) return;
          const e = asStreamError(err);
          // What was generated is kept; the client hears the upstream failure, not a storage one.
          await finish(e).catch(() => undefined);
          return emitError(controller, e);
        }
        if (ended) return; // cancelled while reading
        if (next.done) {
          let completed: unknown;
          try {
            completed = await finish();
          } catch (err) {
            return emitError(controller, toGatewayError(err));
          }
          emit(controller, encodeSse(JSON.stringify(completed), "message.completed"));
          return emit(controller);
        }
        const event = next.value;
        if (event.type === "text") {
          end.text += event.text;
          return emit(controller, encodeSse(JSON.stringify({ text: event.text }), "message.delta"));
        }
        if (event.type === "usage") end.usage = event.usage;
        if (event.type === "finish") end.finishReason = event.finishReason;
      }
    },
    async cancel(reason) {
      if (!ended) void finish("cancelled").catch(() => undefined);
      await reader.cancel(reason);
    },
  });
}

/** One structured line, as app.onError writes for 5xx; never the message's content. */
function logStoreFailure(requestId: string, err: unknown): void {
  const e = toGatewayError(err);
  let cause: unknown = e.cause ?? err;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  console.error(
    JSON.stringify({
      level: "error",
      request_id: requestId,
      code: "turn_store_failed",
      error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
    }),
  );
}
