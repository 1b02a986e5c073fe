import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { GatewayError } from "../../../errors/gateway-error";
import { asStreamError, streamErrorEvent } from "../../../providers/http";
import { concatBytes } from "../../../util/encoding";
import { type CallEnd, CLIENT_GONE } from "../types";
import { eventEnds } from "./event-ends";
import { relayBody } from "./relay";

export type { EventSourceMessage };

/** Upper bound on one upstream event held in memory (a runaway upstream cannot exhaust the isolate). */
const MAX_EVENT_BYTES = 8 * 1024 * 1024;

/** What the relay does with one upstream event: its bytes go on, or not, or others instead. */
export type Verdict =
  | "forward"
  | "drop"
  | { replace: Uint8Array }
  /** Forward the event's own bytes once this settles (a plan stores what the event announces). */
  | { after: Promise<unknown> }
  | GatewayError;

/** What is particular to one wire format when a vendor's stream is relayed to a client of it. */
export interface SseRules {
  /** One parsed event; the rules note what it tells (usage, finish) in the shared outcome. */
  judge(msg: EventSourceMessage): Verdict;
  /** Whether keep-alive comments still go on: not after the stream's last event. */
  commentsPass(): boolean;
  /** The upstream body ended: bytes to close the stream with (or none), or the error it is. */
  end(): Uint8Array | null | GatewayError;
  /** This wire format's error event, the last thing a failed stream sends. */
  errorEvent(err: GatewayError): Uint8Array;
}

/**
 * A vendor's SSE stream relayed to a client of the same wire format. The bytes are cut at event
 * boundaries (`\n`, `\r\n` or `\r` line ends: event-ends.ts) and every event is parsed by a real
 * SSE parser and judged by the rules, so what the gateway must know (usage, the finish, errors)
 * is read whatever the host's framing, while events go on as the vendor's own bytes. A failure is
 * one error event on its own frame, then the end.
 */
export function relaySse(
  vendor: string,
  body: ReadableStream<Uint8Array>,
  rules: SseRules,
  outcome: CallEnd,
  opts: { onEnd?: ((outcome: CallEnd) => void) | undefined; signal?: AbortSignal | undefined },
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending: Uint8Array | null = null;
  let verdict: Verdict | undefined;
  let commented = false;
  const parser = createParser({
    onEvent: (msg) => {
      verdict = rules.judge(msg);
    },
    onComment: () => {
      commented = true;
    },
  });

  /** One complete event's bytes, parsed; what was no event at all is not SSE, and is dropped. */
  function classify(bytes: Uint8Array, text = decoder.decode(bytes)): Verdict {
    verdict = undefined;
    commented = false;
    parser.feed(text);
    return verdict ?? (commented && rules.commentsPass() ? "forward" : "drop");
  }

  async function produce(write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    const send = async (bytes: Uint8Array) => {
      outcome.firstByteAt ??= Date.now();
      await write(bytes);
    };
    const fail = async (err: GatewayError) => {
      outcome.error = err;
      await send(rules.errorEvent(err));
      await reader.cancel().catch(() => {});
    };
    /** Writes what a non-forwarded verdict says; true when the stream must end with its error. */
    const apply = async (v: Exclude<Verdict, "forward">, event: Uint8Array) => {
      if (v === "drop") return false;
      if ("replace" in v) {
        await send(v.replace);
        return false;
      }
      if ("after" in v) {
        // Never rejects the stream: what was awaited reports its own failure.
        await v.after.catch(() => {});
        await send(event);
        return false;
      }
      await fail(v);
      return true;
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
      let from = 0; // start of the next event
      let kept = 0; // start of the run of forwarded events not yet written
      for (const end of eventEnds(bytes, false)) {
        const v = classify(bytes.subarray(from, end));
        if (v !== "forward") {
          if (kept < from) await send(bytes.subarray(kept, from));
          kept = end;
          if (await apply(v, bytes.subarray(from, end))) return;
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
      const event = whole ? pending : new TextEncoder().encode(text);
      if (v === "forward") await send(event);
      else if (await apply(v, event)) return;
    }
    const last = rules.end();
    if (last instanceof Uint8Array) await send(last);
    else if (last) await fail(last);
  }

  return relayBody({ produce, reader, outcome, onEnd: opts.onEnd, signal: opts.signal });
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
