import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../../chat/types";
import { anthropicEventEncoder } from "../../../dialects/anthropic/stream-encoder";
import { CLIENT_GONE } from "../types";
import { encodeEvents, type StreamEncoder } from "./encode-events";
import { openaiChunkEncoder } from "./openai-chunks";
import {
  endWatch,
  gatedSource,
  parseSse,
  randomEvents,
  readBody,
  readThenLeave,
  recordingStore,
  type SourceEnd,
  seeded,
  settle,
  source,
  summarize,
  withContext,
} from "./stream-test-helpers";
import { type TurnStore, turnEventEncoder } from "./turn-events";

const CASES = 300;
const META = { id: "chatcmpl-gw1", created: 1_760_000_000, model: "acme/m-1" };
const dialects = {
  openai: {
    encoder: (_store: TurnStore) => openaiChunkEncoder(META, { includeUsage: true, requestId: "req_g" }),
    terminal: (e: { event?: string | undefined; data: string }) => e.data === "[DONE]",
  },
  turn: {
    encoder: (store: TurnStore) => turnEventEncoder(store, "req_g"),
    terminal: (e: { event?: string | undefined }) => e.event === "message.completed",
  },
};

/** How many SSE events a sequence shows before its end (a fresh encoder, asked event by event). */
function visibleEvents(encoder: StreamEncoder, events: StreamEvent[]): number {
  const decoder = new TextDecoder();
  return events.reduce((n, e) => {
    const bytes = encoder.event(e);
    return n + (bytes ? parseSse(decoder.decode(bytes)).length : 0);
  }, 0);
}

describe.each(Object.entries(dialects))("%s encoder, client gone (property)", (name, dialect) => {
  it(`hears the client leave after k events, over ${CASES} random sequences`, async () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const r = seeded(seed);
      const all = randomEvents(r);
      // "close": the vendor may have finished when the client leaves. "stall": it paused mid-answer
      // and goes on (one more delta) only after the client left.
      const stall = r.chance(0.65);
      const tail = all.findIndex((e) => e.type === "usage" || e.type === "finish");
      const events = stall ? all.slice(0, r.int((tail < 0 ? all.length : tail) + 1)) : all;
      const late: StreamEvent = { type: "text", text: " (late)" };
      let left = () => {};
      const leftSignal = new Promise<void>((resolve) => {
        left = resolve;
      });
      const end: SourceEnd<StreamEvent> = stall ? { after: leftSignal, next: late } : "close";
      const k = r.int(visibleEvents(dialect.encoder(recordingStore().store), events) + 1);
      const { store, calls } = recordingStore({ slow: r.chance(0.5) });
      const src = source(events, end);
      const watch = endWatch();
      let storeSettledAtEnd = true;
      const body = encodeEvents(src.stream, dialect.encoder(store), {
        onEnd: (o) => {
          storeSettledAtEnd = calls.every((c) => c.settled);
          watch.onEnd(o);
        },
      });
      const received = await readThenLeave(body, k);
      left();
      const outcome = await watch.ended;
      await settle();
      const want = summarize(stall ? [...events, late] : events);
      const shown = received
        .map((e) => (e.event === "message.delta" ? JSON.parse(e.data).text : ""))
        .join("");
      try {
        expect(received.length).toBeGreaterThanOrEqual(k);
        expect(received.some(dialect.terminal)).toBe(false);
        expect(watch.calls).toHaveLength(1);
        expect(outcome.error).toBe(CLIENT_GONE);
        // What the store does is over before the call's end is recorded.
        expect(storeSettledAtEnd).toBe(true);
        if (stall) expect(src.cancels).toHaveLength(1);
        else expect(src.cancels.length).toBeLessThanOrEqual(1);
        if (name === "openai") {
          expect(calls).toEqual([]);
          continue;
        }
        const kinds = calls.map((c) => c.kind);
        // The end had begun (the whole answer was read from the vendor): the turn is stored whole.
        if (kinds[0] === "complete") {
          expect(stall).toBe(false);
          expect(kinds).toEqual(["complete"]);
          expect(calls[0]?.text).toBe(want.text);
        } else {
          // Kept as far as it went: at least what the client saw, at most the whole answer.
          expect(kinds).toEqual(["cutOff"]);
          expect(calls[0]?.text.startsWith(shown)).toBe(true);
          expect(want.text.startsWith(calls[0]?.text ?? "\0")).toBe(true);
          expect(calls[0]?.outcome.error).toBe(CLIENT_GONE);
        }
      } catch (err) {
        throw withContext(
          err,
          `seed ${seed} (${stall ? "stall" : "close"}, k=${k}): ${JSON.stringify(events)}`,
        );
      }
    }
  });
});

describe("encodeEvents", () => {
  // workerd does not reject `writer.closed` when the client cancels an IdentityTransformStream's
  // readable (checked on the test pool's workerd): only the next write fails. The client's request
  // signal is what tells the relay at once, while the vendor is silent.
  it("notices at once, from the request's signal, a client that leaves while the vendor is silent", async () => {
    const src = source<StreamEvent>([{ type: "text", text: "Hi" }], "hang");
    const watch = endWatch();
    const client = new AbortController();
    const body = encodeEvents(
      src.stream,
      openaiChunkEncoder(META, { includeUsage: false, requestId: "req_g" }),
      { onEnd: watch.onEnd, signal: client.signal },
    );
    await readThenLeave(body, 1);
    client.abort();
    await Promise.race([watch.ended, new Promise((r) => setTimeout(r, 100))]);
    expect(src.cancels).toHaveLength(1);
    expect(watch.calls).toHaveLength(1);
    expect(watch.calls[0]?.error).toBe(CLIENT_GONE);
  });

  it("records the finish reason the client was shown when a vendor repeats it differently", async () => {
    const watch = endWatch();
    const events: StreamEvent[] = [
      { type: "text", text: "Hi" },
      { type: "finish", finishReason: "length" },
      { type: "finish", finishReason: "stop" },
    ];
    const body = encodeEvents(
      source(events, "close").stream,
      openaiChunkEncoder(META, { includeUsage: false, requestId: "req_g" }),
      { onEnd: watch.onEnd },
    );
    const shown = parseSse(await readBody(body))
      .filter((e) => e.data !== "[DONE]")
      .map((e) => JSON.parse(e.data).choices[0].finish_reason)
      .filter(Boolean);
    expect(shown).toEqual(["length"]);
    expect((await watch.ended).finishReason).toBe("length");
  });

  it("stores a turn whole when the client leaves while it is being stored", async () => {
    let release = () => {};
    const storing = new Promise<void>((r) => {
      release = r;
    });
    const kinds: string[] = [];
    const store: TurnStore = {
      async complete(text) {
        kinds.push("complete");
        await storing;
        return { text };
      },
      async cutOff() {
        kinds.push("cutOff");
      },
    };
    const src = source<StreamEvent>([{ type: "text", text: "Hi" }], "close");
    const watch = endWatch();
    const body = encodeEvents(src.stream, turnEventEncoder(store, "req_g"), { onEnd: watch.onEnd });
    const reader = body.getReader();
    await reader.read(); // the delta
    while (kinds.length === 0) await settle();
    await reader.cancel();
    release();
    expect((await watch.ended).error).toBe(CLIENT_GONE);
    await settle();
    expect(kinds).toEqual(["complete"]);
    expect(watch.calls).toHaveLength(1);
  });
});

describe("encodeEvents pings while the vendor is silent", () => {
  const PING = 'event: ping\ndata: {"type":"ping"}\n\n';
  const pingsIn = (text: string, ping = PING) => text.split(ping).length - 1;
  const anthropic = () =>
    anthropicEventEncoder(
      { id: "msg_gw1", model: "acme/m-1", inputTokens: 3, origin: { vendor: "acme", model: "m-1" } },
      { requestId: "req_g" },
    );
  const before: StreamEvent[] = [
    { type: "start", model: "m-1" },
    { type: "text", text: "Hi" },
  ];
  const after: StreamEvent[] = [
    { type: "text", text: " there" },
    { type: "finish", finishReason: "stop" },
    { type: "usage", usage: { inputTokens: 3, outputTokens: 2 } },
  ];
  /** The encoder, with its pings counted (so a test sees one asked for after the stream ended). */
  const counted = (encoder: StreamEncoder) => {
    const count = { pings: 0 };
    const ping = encoder.ping?.bind(encoder);
    if (!ping) throw new Error("the encoder has no ping");
    const countedPing = () => {
      count.pings++;
      return ping();
    };
    return { count, encoder: { ...encoder, ping: countedPing } };
  };
  /** Reads the whole body as a client does; `onText` sees the text so far after each chunk. */
  const readAll = async (body: ReadableStream<Uint8Array>, onText: (text: string) => void) => {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
      onText(text);
    }
  };
  /** A few ping intervals (2 ms) of silence, to see that nothing more is written or asked for. */
  const quiet = () => new Promise((r) => setTimeout(r, 20));

  it("writes Anthropic's ping between whole events while silent, and nothing else changes", async () => {
    const src = gatedSource(before, after);
    const { encoder, count } = counted(anthropic());
    const watch = endWatch();
    const body = encodeEvents(src.stream, encoder, { onEnd: watch.onEnd, pingMs: 2 });
    // The vendor stays silent until the client has heard two pings.
    const text = await readAll(body, (t) => {
      if (pingsIn(t) >= 2) src.release();
    });
    const reference = await readBody(
      encodeEvents(source([...before, ...after], "close").stream, anthropic(), { pingMs: 0 }),
    );
    // Pings only ever fall between events: without them the body is the unpinged one, byte for byte.
    expect(text.replaceAll(PING, "")).toBe(reference);
    const events = parseSse(text);
    const there = events.findIndex((e) => e.data.includes('" there"'));
    expect(events.slice(0, there).filter((e) => e.event === "ping").length).toBeGreaterThanOrEqual(2);
    expect(events.slice(0, 3).map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
    ]);
    expect(events.at(-1)?.event).toBe("message_stop");
    const outcome = await watch.ended;
    expect([outcome.finishReason, outcome.error]).toEqual(["stop", undefined]);
    // The end stopped the heartbeat: no ping is asked for once the stream closed.
    const pings = count.pings;
    expect(pingsIn(text)).toBe(pings);
    await quiet();
    expect(count.pings).toBe(pings);
    expect(watch.calls).toHaveLength(1);
  });

  it("sends nothing extra with pings turned off (0)", async () => {
    const src = gatedSource(before, after);
    const reading = readAll(encodeEvents(src.stream, anthropic(), { pingMs: 0 }), () => {});
    await quiet();
    src.release();
    expect(pingsIn(await reading)).toBe(0);
  });

  it("stops with the vendor's error: the error event is last, and no ping follows", async () => {
    const src = gatedSource(before, [], { error: new Error("connection reset") });
    const { encoder, count } = counted(anthropic());
    const watch = endWatch();
    const body = encodeEvents(src.stream, encoder, { onEnd: watch.onEnd, pingMs: 2 });
    const text = await readAll(body, (t) => {
      if (pingsIn(t) >= 1) src.release();
    });
    expect(parseSse(text).at(-1)?.event).toBe("error");
    expect((await watch.ended).error).toBeDefined();
    const pings = count.pings;
    await quiet();
    expect(count.pings).toBe(pings);
  });

  // Without a request signal, workerd tells a producer that the client left only when a write
  // fails: the next ping is that write, so a silent vendor is stopped without waiting for it.
  it("hears a client that left at the next ping, stops the vendor, and clears its timer", async () => {
    const src = gatedSource(before, after);
    const { encoder, count } = counted(anthropic());
    const watch = endWatch();
    const body = encodeEvents(src.stream, encoder, { onEnd: watch.onEnd, pingMs: 2 });
    expect((await readThenLeave(body, 3)).map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
    ]);
    const outcome = await watch.ended;
    expect(outcome.error).toBe(CLIENT_GONE);
    expect(src.cancels).toHaveLength(1);
    const pings = count.pings;
    await quiet();
    expect(count.pings).toBe(pings);
    expect(watch.calls).toHaveLength(1);
  });

  it("stops at once when the request's signal says the client left", async () => {
    const src = gatedSource(before, after);
    const { encoder, count } = counted(anthropic());
    const watch = endWatch();
    const client = new AbortController();
    const body = encodeEvents(src.stream, encoder, { onEnd: watch.onEnd, signal: client.signal, pingMs: 2 });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (pingsIn(text) < 1) text += decoder.decode((await reader.read()).value, { stream: true });
    client.abort();
    expect((await watch.ended).error).toBe(CLIENT_GONE);
    expect(src.cancels).toHaveLength(1);
    const pings = count.pings;
    await quiet();
    expect(count.pings).toBe(pings);
  });

  it.each([
    ["openai", () => openaiChunkEncoder(META, { includeUsage: true, requestId: "req_g" })],
    ["turn", () => turnEventEncoder(recordingStore().store, "req_g")],
  ] as const)("%s streams keep alive with `: ping` comments, which SSE clients skip", async (_, make) => {
    const src = gatedSource(before, after);
    const text = await readAll(encodeEvents(src.stream, make(), { pingMs: 2 }), (t) => {
      if (pingsIn(t, ": ping\n\n") >= 2) src.release();
    });
    const reference = await readBody(
      encodeEvents(source([...before, ...after], "close").stream, make(), { pingMs: 0 }),
    );
    expect(text.replaceAll(": ping\n\n", "")).toBe(reference);
    expect(parseSse(text)).toEqual(parseSse(reference));
  });
});
