import type { StreamEvent } from "../../../chat/types";
import type { GatewayError } from "../../../errors/gateway-error";
import { asStreamError } from "../../../providers/http";
import type { EventBatches, NeutralStream } from "../../../providers/sse";
import { concatBytes } from "../../../util/encoding";
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
  /**
   * A heartbeat shown while the vendor is silent (Anthropic's `ping` event, an SSE comment
   * elsewhere), so idle-timing proxies keep the connection and a departed client is heard at the
   * next write; a dialect without one sends nothing while it waits.
   */
  ping?(): Uint8Array;
}

/** How long a stream may show nothing before a ping, by default: Anthropic's own pace. */
export const DEFAULT_PING_MS = 15_000;

export interface EncodeOptions {
  onEnd?: ((outcome: CallEnd) => void) | undefined;
  /** Sees every event as it passes (the cache collects a stream's answer with it). */
  tap?: ((e: StreamEvent) => void) | undefined;
  /** The client's request signal: its disconnect ends the stream at once (relay.ts). */
  signal?: AbortSignal | undefined;
  /** Silence, in ms, after which the encoder's ping is written (DEFAULT_PING_MS; 0: never). */
  pingMs?: number | undefined;
}

/** Neutral events → a client's SSE body, through the native relay. */
export function encodeEvents(
  events: ReadableStream<StreamEvent> | NeutralStream,
  encoder: StreamEncoder,
  opts: EncodeOptions = {},
): ReadableStream<Uint8Array> {
  const reader = batchesOf(events);
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
      const ping = encoder.ping?.bind(encoder);
      const beat = heartbeat(ping ? (opts.pingMs ?? DEFAULT_PING_MS) : 0);
      // A write fails when the client left (it cancelled the body): the encoder hears it once.
      const send = (bytes: Uint8Array) =>
        write(bytes).then(beat.wrote, async (err: unknown) => {
          await leave();
          throw err;
        });
      // The read in flight: a ping written while it waits leaves it pending for the next turn.
      let pending: Promise<ReadableStreamReadResult<StreamEvent[]>> | undefined;
      try {
        for (;;) {
          let next: ReadableStreamReadResult<StreamEvent[]> | typeof PING_DUE;
          try {
            pending ??= reader.read();
            const due = beat.due();
            // An event already there wins over a ping that fell due at the same moment.
            next = await (due ? Promise.race([pending, due]) : pending);
          } catch (err) {
            if (outcome.error === CLIENT_GONE) return leave();
            const e = asStreamError(err);
            outcome.error = e;
            closing = true;
            beat.stop();
            return send(await encoder.error(e, outcome));
          }
          // A client that left cancels the reader: the pending read ends as if the stream had.
          if (outcome.error === CLIENT_GONE) return leave();
          if (next === PING_DUE) {
            // Every write comes from this loop, one after another: a ping falls between events.
            if (ping) await send(ping());
            continue;
          }
          pending = undefined;
          if (next.done) break;
          // What one upstream read brought is encoded together and written once.
          const shown: Uint8Array[] = [];
          for (const event of next.value) {
            if (event.type === "usage") outcome.usage = event.usage;
            // The first finish reason is the one the client was shown (a repeated one is shown once).
            else if (event.type === "finish") outcome.finishReason ??= event.finishReason;
            opts.tap?.(event);
            const bytes = encoder.event(event);
            if (bytes) shown.push(bytes);
          }
          if (shown.length) {
            outcome.firstByteAt ??= Date.now();
            await send(shown.length === 1 ? (shown[0] as Uint8Array) : concatBytes(...shown));
          }
        }
        closing = true;
        beat.stop();
        await send(await encoder.end(outcome));
      } finally {
        // Whatever ended the stream (its end, an error, the client leaving), no timer outlives it.
        beat.stop();
      }
    },
  });
}

const PING_DUE: unique symbol = Symbol("ping due");

/**
 * The events a read at a time: a vendor stream's own batches (providers/sse.ts), or any other
 * stream of events (a cache replay, a mock vendor) one event per read.
 */
function batchesOf(events: ReadableStream<StreamEvent> | NeutralStream): EventBatches {
  if ("batches" in events) return events.batches();
  const reader = events.getReader();
  return {
    read: () => reader.read().then((r) => (r.done ? r : { done: false, value: [r.value] })),
    cancel: (reason) => reader.cancel(reason),
  };
}

/**
 * When a ping falls due: `due()` settles once nothing was written for `ms` since the last write
 * finished (events that show the client nothing are no writes). One timer at a time, which on
 * firing early (a write came meanwhile) waits out the rest, so a chunk costs no timer of its own.
 * After `stop()` nothing falls due, so a closing or closed stream is never pinged.
 */
function heartbeat(ms: number) {
  let lastWrite = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let due: Promise<typeof PING_DUE> | undefined;
  let fired = false;
  let stopped = ms <= 0;
  const wait = (resolve: (v: typeof PING_DUE) => void, delay: number) => {
    timer = setTimeout(() => {
      const idle = Date.now() - lastWrite;
      if (idle < ms) return wait(resolve, ms - idle);
      timer = undefined;
      fired = true;
      resolve(PING_DUE);
    }, delay);
  };
  return {
    wrote() {
      lastWrite = Date.now();
      // A ping that fell due was just written (or overtaken): the next one is a new wait.
      if (fired) {
        fired = false;
        due = undefined;
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      due = undefined;
    },
    /** Undefined once stopped (or without pings): then there is nothing to wait for. */
    due(): Promise<typeof PING_DUE> | undefined {
      if (stopped) return undefined;
      due ??= new Promise((resolve) => wait(resolve, Math.max(0, ms - (Date.now() - lastWrite))));
      return due;
    },
  };
}
