import type { StreamEvent } from "../../../chat/types";
import { errorBody, toGatewayError } from "../../../errors/to-response";
import type { CallEnd } from "../types";
import type { StreamEncoder } from "./encode-events";
import { encodeSse, encodeSseComment } from "./sse-writer";

/**
 * A conversation turn's stream, the gateway's own dialect:
 *
 *   event: message.delta      data: {"text": "..."}                 one per text delta
 *   event: message.completed  data: {user_message, assistant_message, usage}   last, once stored
 *   event: error              data: {"error": {type, code, message, request_id}} instead, then close
 *   : ping                                                         a comment, while the vendor is silent
 *
 * The turn is stored whichever way the stream ends: completed, broken off by the vendor, or
 * cancelled by the client. Only the reply's text is kept in memory, because it is what is stored.
 */
export interface TurnStore {
  /** Stores the whole turn; resolves with the `message.completed` payload. */
  complete(text: string, outcome: CallEnd): Promise<unknown>;
  /** Stores what there is of a turn the vendor broke off or the client left. */
  cutOff(text: string, outcome: CallEnd): Promise<void>;
}

export function turnEventEncoder(store: TurnStore, requestId: string): StreamEncoder {
  let text = "";
  const errorEvent = (err: unknown) => encodeSse(JSON.stringify(errorBody(err, requestId)), "error");
  const keep = (outcome: CallEnd) =>
    store.cutOff(text, outcome).catch((err: unknown) => logStoreFailure(requestId, err));
  return {
    event(e: StreamEvent) {
      if (e.type !== "text") return null;
      text += e.text;
      return encodeSse(JSON.stringify({ text: e.text }), "message.delta");
    },
    async end(outcome) {
      try {
        return encodeSse(JSON.stringify(await store.complete(text, outcome)), "message.completed");
      } catch (err) {
        // Generated but not stored: the stream ends with this error instead.
        outcome.error = toGatewayError(err);
        logStoreFailure(requestId, err);
        return errorEvent(err);
      }
    },
    async error(err, outcome) {
      // What was generated is kept; the client hears the vendor's failure, not a storage one.
      await keep(outcome);
      return errorEvent(err);
    },
    cancelled: keep,
    ping: () => encodeSseComment("ping"),
  };
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
