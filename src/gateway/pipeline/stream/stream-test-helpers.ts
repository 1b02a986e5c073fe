import { createParser } from "eventsource-parser";
import type { FinishReason, StreamEvent, Usage } from "../../../chat/types";
import type { CallEnd } from "../types";
import type { TurnStore } from "./turn-events";

/**
 * Shared by this folder's *.test.ts files: a seeded generator (a failing case names its seed and
 * reruns exactly), sources whose ending and cancellation the test controls, an SSE reader that
 * plays the client, and random but valid neutral event sequences with what they should add up to.
 */

export interface Rand {
  float(): number;
  /** 0 ≤ n < max. */
  int(max: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast and seedable, which is all a test's case generator needs. */
export function seeded(seed: number): Rand {
  let s = seed >>> 0;
  const float = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(float() * max);
  return { float, int, pick: <T>(xs: readonly T[]) => xs[int(xs.length)] as T, chance: (p) => float() < p };
}

/**
 * How a source ends once its items are read: closing, erroring, waiting until cancelled ("hang"),
 * or silent until `after` settles and then sending `next` (a vendor that pauses, then goes on).
 */
export type SourceEnd<T> = "close" | "hang" | { error: unknown } | { after: Promise<unknown>; next: T };

/**
 * A stream of `items`, one per read (pulled, so an error comes after every item was read, never
 * instead of queued ones), then `end`. `cancels` records each cancel the source hears.
 */
export function source<T>(items: readonly T[], end: SourceEnd<T>) {
  const cancels: unknown[] = [];
  let at = 0;
  let paused = false;
  const stream = new ReadableStream<T>(
    {
      async pull(c) {
        if (at < items.length) return c.enqueue(items[at++] as T);
        if (end === "close") return c.close();
        // "hang" (and a pause already over): nothing is enqueued, so the read waits for a cancel.
        if (end === "hang" || paused) return;
        if ("error" in end) return c.error(end.error);
        paused = true;
        await end.after;
        if (!cancels.length) c.enqueue(end.next);
      },
      cancel(reason) {
        cancels.push(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, cancels };
}

/**
 * A vendor that goes silent: `before`, one at a time, then nothing until `release()`, then
 * `after` and the end (a close or an error). `cancels` records each cancel the source hears.
 */
export function gatedSource<T>(
  before: readonly T[],
  after: readonly T[],
  end: "close" | { error: unknown } = "close",
) {
  const cancels: unknown[] = [];
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const queue = [...before];
  let waited = false;
  const stream = new ReadableStream<T>(
    {
      async pull(c) {
        if (queue.length === 0 && !waited) {
          waited = true;
          await released;
          if (cancels.length) return;
          queue.push(...after);
        }
        const next = queue.shift();
        if (next !== undefined) c.enqueue(next);
        else if (end === "close") c.close();
        else c.error(end.error);
      },
      cancel(reason) {
        cancels.push(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, release, cancels };
}

/** Records `onEnd` calls; `ended` resolves with the first. */
export function endWatch() {
  const calls: CallEnd[] = [];
  let resolve: (o: CallEnd) => void = () => {};
  const ended = new Promise<CallEnd>((r) => {
    resolve = r;
  });
  return {
    calls,
    ended,
    onEnd: (o: CallEnd) => {
      calls.push(o);
      resolve(o);
    },
  };
}

/** A property case's failure, naming the case (its seed) and keeping the assertion's diff. */
export function withContext(err: unknown, context: string): unknown {
  if (err instanceof Error) err.message = `${context}\n${err.message}`;
  return err;
}

/** The parts of an outcome a test compares (firstByteAt is a time). */
export const ended = ({ usage, finishReason, error }: CallEnd) => ({ usage, finishReason, error });

/** Lets queued callbacks run (a second `onEnd`, a late store call) before a test counts them. */
export const settle = () => new Promise((r) => setTimeout(r, 1));

export interface SseEvent {
  event?: string | undefined;
  data: string;
}

/** What an EventSource client makes of `text`. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (m) => events.push({ event: m.event, data: m.data }) });
  parser.feed(text);
  return events;
}

export async function readBody(body: ReadableStream<Uint8Array>): Promise<string> {
  // ignoreBOM: a relay must pass a vendor's BOM on, so the client's view has to keep it.
  return new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(
    await new Response(body).arrayBuffer(),
  );
}

/** The client reads until `k` events arrived, then goes away (cancels the body). */
export async function readThenLeave(body: ReadableStream<Uint8Array>, k: number): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (m) => events.push({ event: m.event, data: m.data }) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  while (events.length < k) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  await reader.cancel(new Error("client went away"));
  return events;
}

export interface StoreCall {
  kind: "complete" | "cutOff";
  text: string;
  /** The outcome as it was when the store was called. */
  outcome: CallEnd;
  /** The call has finished (resolved or rejected). */
  settled: boolean;
}

/** A store that records its calls; it may take a moment, or fail like a D1 outage. */
export function recordingStore(opts: { rejects?: boolean; slow?: boolean } = {}) {
  const calls: StoreCall[] = [];
  const record = async (kind: StoreCall["kind"], text: string, outcome: CallEnd) => {
    const call: StoreCall = { kind, text, outcome: { ...outcome }, settled: false };
    calls.push(call);
    try {
      if (opts.slow) await settle();
      if (opts.rejects && kind === "complete") throw new Error("D1_ERROR: database is locked");
    } finally {
      call.settled = true;
    }
  };
  const store: TurnStore = {
    async complete(text, outcome) {
      await record("complete", text, outcome);
      return { assistant_message: { role: "assistant", content: text }, usage: outcome.usage ?? null };
    },
    cutOff: (text, outcome) => record("cutOff", text, outcome),
  };
  return { store, calls };
}

export const bytes = (text: string) => new TextEncoder().encode(text);

// Pieces that each catch a different mistake: multi-byte UTF-8, JSON escapes, SSE look-alikes.
const TEXT = [
  "Hello",
  " wörld",
  "日本語",
  "😀",
  '"quoted"',
  "back\\slash",
  "line\nbreak",
  "\r\n",
  "\r",
  "\t",
  "\u2028",
  "\u0000",
  "€",
  "</script>",
  "data: [DONE]\n\n",
  "",
];
const NAMES = ["get_weather", "search", "ünïcode_tool"];
const ARGS = ['{"city":', ' "Zürich"', ', "q": "a\\"b"', "}", "", "\n", "😀"];
export const REASONS: readonly FinishReason[] = ["stop", "length", "tool_calls", "content_filter"];

/**
 * A valid neutral sequence: an optional start, text and tool-call deltas (each call's id and name
 * first, then argument pieces, calls numbered in order), with `reasoning` also reasoning deltas
 * anywhere among them, then usage and finish in either order, the finish sometimes missing or
 * repeated (with a reason that may differ). Without `reasoning` no draw is spent on it, so a
 * seed gives the sequences it always gave.
 */
export function randomEvents(r: Rand, opts: { reasoning?: boolean } = {}): StreamEvent[] {
  const events: StreamEvent[] = [];
  if (r.chance(0.9)) events.push({ type: "start", model: "m-1", ...(r.chance(0.5) ? { id: "up-1" } : {}) });
  let tools = 0;
  const steps = r.int(14);
  for (let i = 0; i < steps; i++) {
    if (opts.reasoning && r.chance(0.3)) {
      events.push({ type: "reasoning", text: r.pick(TEXT) + (r.chance(0.3) ? r.pick(TEXT) : "") });
      continue;
    }
    const roll = r.float();
    if (roll < 0.55) {
      events.push({ type: "text", text: r.pick(TEXT) + (r.chance(0.3) ? r.pick(TEXT) : "") });
    } else if (roll < 0.62) {
      // An emoji split between two deltas: each holds a lone surrogate.
      events.push({ type: "text", text: "\ud83d" }, { type: "text", text: "\ude00" });
    } else if (roll < 0.75 || tools === 0) {
      const index = tools++;
      events.push({
        type: "tool_call",
        index,
        id: `call_${index}`,
        name: r.pick(NAMES),
        ...(r.chance(0.5) ? { argumentsDelta: r.pick(ARGS) } : {}),
      });
    } else {
      events.push({ type: "tool_call", index: r.int(tools), argumentsDelta: r.pick(ARGS) });
    }
  }
  const tail: StreamEvent[] = [];
  if (r.chance(0.85)) {
    tail.push({ type: "finish", finishReason: r.pick(REASONS) });
    if (r.chance(0.25)) tail.push({ type: "finish", finishReason: r.pick(REASONS) });
  }
  if (r.chance(0.7)) {
    const usage: Usage = { inputTokens: r.int(5000), outputTokens: r.int(5000) };
    if (r.chance(0.3)) usage.cachedTokens = r.int(100);
    tail.splice(r.int(tail.length + 1), 0, { type: "usage", usage });
  }
  return events.concat(tail);
}

/** What a sequence adds up to: the client must see exactly this. */
export function summarize(events: readonly StreamEvent[]) {
  let text = "";
  let reasoning = "";
  const tools: { id: string; name: string; args: string }[] = [];
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;
  for (const e of events) {
    if (e.type === "text") text += e.text;
    else if (e.type === "reasoning") reasoning += e.text;
    else if (e.type === "usage") usage = e.usage;
    else if (e.type === "finish") finish ??= e.finishReason;
    else if (e.type === "tool_call") {
      const t = tools[e.index] ?? { id: "", name: "", args: "" };
      tools[e.index] = t;
      if (e.id) t.id = e.id;
      if (e.name) t.name = e.name;
      t.args += e.argumentsDelta ?? "";
    }
  }
  return { text, reasoning, tools, usage, finish };
}

/** `data` as a body arriving in pieces cut at random offsets (mid-character, mid-line). */
export function chunkedBody(r: Rand, data: Uint8Array): ReadableStream<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < data.length; ) {
    const len = 1 + r.int(64);
    pieces.push(data.slice(at, at + len));
    at += len;
  }
  return new ReadableStream({
    pull(c) {
      const next = pieces.shift();
      if (next) c.enqueue(next);
      else c.close();
    },
  });
}

/**
 * The same events in the order vendors send them: reasoning first, then text, then each tool call
 * whole and in index order, then usage and finish as they came. Encoders whose blocks follow arrival order
 * (the Anthropic one) then show exactly what the whole answer says.
 */
export function inAnswerOrder(events: readonly StreamEvent[]): StreamEvent[] {
  const calls = events.filter((e) => e.type === "tool_call");
  return [
    ...events.filter((e) => e.type === "start"),
    ...events.filter((e) => e.type === "reasoning"),
    ...events.filter((e) => e.type === "text"),
    ...calls.slice().sort((a, b) => a.index - b.index),
    ...events.filter((e) => e.type === "usage" || e.type === "finish"),
  ];
}
