import type { StreamEvent } from "../../../chat/types";
import type { GatewayError } from "../../../errors/gateway-error";
import { asStreamError } from "../../../providers/http";
import { type CallEnd, CLIENT_GONE } from "../types";
import { relayBody } from "./relay";

/**
 * One client dialect's stream, as a state machine over neutral events (src/chat/types.ts). The
 * driver below reads the events, keeps the outcome (usage, finish reason, first byte) and writes
 * what the encoder returns; the encoder only says what each moment looks like on the wire.
 */
export interface StreamEncoder {
  /** The bytes one event shows the client, or null when it shows nothing. */
  event(e: StreamEvent): Uint8Array | null;
  /**
   * The closing bytes once every event arrived. It may wait (a conversation stores its turn
   * first) and may settle `outcome.usage` (an estimate when the vendor gave none); it never rejects.
   */
  end(outcome: CallEnd): Uint8Array | Promise<Uint8Array>;
  /** The error event that closes a stream the vendor broke off; may wait; never rejects. */
  error(err: GatewayError, outcome: CallEnd): Uint8Array | Promise<Uint8Array>;
  /** The client left: nothing more is sent, but what happened may be kept; never rejects. */
  cancelled?(outcome: CallEnd): Promise<void>;
}

export interface EncodeOptions {
  onEnd?: ((outcome: CallEnd) => void) | undefined;
  /** Sees every event as it passes (the cache collects a stream's answer with it). */
  tap?: ((e: StreamEvent) => void) | undefined;
  /** The client's request signal: its disconnect ends the stream at once (relay.ts). */
  signal?: AbortSignal | undefined;
}

/** Neutral events → a client's SSE body, through the native relay. */
export function encodeEvents(
  events: ReadableStream<StreamEvent>,
  encoder: StreamEncoder,
  opts: EncodeOptions = {},
): ReadableStream<Uint8Array> {
  const reader = events.getReader();
  const outcome: CallEnd = {};
  return relayBody({
    reader,
    outcome,
    onEnd: opts.onEnd,
    signal: opts.signal,
    async produce(write) {
      // Once the encoder is closing (end or error), what it did stands even if the client leaves.
      let closing = false;
      let left = false;
      const leave = async () => {
        if (left || closing) return;
        left = true;
        outcome.error ??= CLIENT_GONE;
        await encoder.cancelled?.(outcome);
      };
      // A write fails when the client left (it cancelled the body): the encoder hears it once.
      const send = (bytes: Uint8Array) =>
        write(bytes).catch(async (err: unknown) => {
          await leave();
          throw err;
        });
      for (;;) {
        let next: ReadableStreamReadResult<StreamEvent>;
        try {
          next = await reader.read();
        } catch (err) {
          if (outcome.error === CLIENT_GONE) return leave();
          const e = asStreamError(err);
          outcome.error = e;
          closing = true;
          return send(await encoder.error(e, outcome));
        }
        // A client that left cancels the reader: the pending read ends as if the stream had.
        if (outcome.error === CLIENT_GONE) return leave();
        if (next.done) break;
        const event = next.value;
        if (event.type === "usage") outcome.usage = event.usage;
        // The first finish reason is the one the client was shown (a repeated one is shown once).
        else if (event.type === "finish") outcome.finishReason ??= event.finishReason;
        opts.tap?.(event);
        const bytes = encoder.event(event);
        if (bytes) {
          outcome.firstByteAt ??= Date.now();
          await send(bytes);
        }
      }
      closing = true;
      await send(await encoder.end(outcome));
    },
  });
}
