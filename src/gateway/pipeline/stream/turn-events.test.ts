import { afterEach, describe, expect, it, vi } from "vitest";
import type { StreamEvent } from "../../../chat/types";
import { GatewayError } from "../../../errors/gateway-error";
import { encodeEvents } from "./encode-events";
import {
  ended,
  endWatch,
  parseSse,
  type Rand,
  randomEvents,
  readBody,
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

function scenario(r: Rand) {
  const all = randomEvents(r);
  const roll = r.float();
  const failure =
    roll < 0.2
      ? new GatewayError(502, "upstream_error", "upstream_stream_error", "The vendor `acme` failed.")
      : roll < 0.4
        ? new TypeError("network connection lost")
        : undefined;
  const events = failure ? all.slice(0, r.int(all.length + 1)) : all;
  const end: SourceEnd<StreamEvent> = failure ? { error: failure } : "close";
  return { events, end, failure, rejects: !failure && r.chance(0.2), slow: r.chance(0.5) };
}

async function run(events: StreamEvent[], end: SourceEnd<StreamEvent>, store: TurnStore) {
  const watch = endWatch();
  const body = encodeEvents(source(events, end).stream, turnEventEncoder(store, "req_t"), {
    onEnd: watch.onEnd,
  });
  const sse = parseSse(await readBody(body));
  const outcome = await watch.ended;
  await settle();
  return { sse, outcome, onEndCalls: watch.calls.length };
}

describe("turnEventEncoder lifecycle (property)", () => {
  afterEach(() => vi.restoreAllMocks());

  it(`holds its invariants over ${CASES} random sequences, stored, broken off or not stored`, async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    for (let seed = 1; seed <= CASES; seed++) {
      const { events, end, failure, rejects, slow } = scenario(seeded(seed));
      const { store, calls } = recordingStore({ rejects, slow });
      const { sse, outcome, onEndCalls } = await run(events, end, store);
      const want = summarize(events);
      try {
        expect(onEndCalls).toBe(1);
        // Deltas, then exactly one terminal event.
        const last = sse.at(-1);
        expect(sse.slice(0, -1).map((e) => e.event)).toEqual(sse.slice(0, -1).map(() => "message.delta"));
        expect(
          sse
            .slice(0, -1)
            .map((e) => (JSON.parse(e.data) as { text: string }).text)
            .join(""),
        ).toBe(want.text);
        const usage = want.usage;
        if (!failure && !rejects) {
          expect(last?.event).toBe("message.completed");
          expect(JSON.parse(last?.data ?? "")).toEqual({
            assistant_message: { role: "assistant", content: want.text },
            usage: usage ? JSON.parse(JSON.stringify(usage)) : null,
          });
          expect(calls.map((c) => [c.kind, c.text])).toEqual([["complete", want.text]]);
          expect(ended(calls[0]?.outcome ?? {})).toEqual({
            usage,
            finishReason: want.finish,
            error: undefined,
          });
          expect(ended(outcome)).toEqual({ usage, finishReason: want.finish, error: undefined });
          continue;
        }
        expect(last?.event).toBe("error");
        const error = (JSON.parse(last?.data ?? "") as { error: Record<string, unknown> }).error;
        expect(Object.keys(error).sort()).toEqual(["code", "message", "request_id", "type"]);
        expect(error.request_id).toBe("req_t");
        expect(ended(outcome)).toMatchObject({ usage, finishReason: want.finish });
        if (rejects) {
          // Generated but not stored: the client hears it as an internal error.
          expect(calls.map((c) => [c.kind, c.text])).toEqual([["complete", want.text]]);
          expect(error).toMatchObject({ type: "internal_error", code: "internal_error" });
          expect(error.message).not.toContain("D1");
          expect(outcome.error).toMatchObject({ code: "internal_error" });
        } else {
          // What was generated is kept, and the client hears the vendor's failure.
          expect(calls.map((c) => [c.kind, c.text])).toEqual([["cutOff", want.text]]);
          const code = failure instanceof GatewayError ? failure.code : "upstream_stream_interrupted";
          expect(error.code).toBe(code);
          expect(calls[0]?.outcome.error).toBe(outcome.error);
          expect(outcome.error).toMatchObject({ code });
          if (failure instanceof GatewayError) expect(outcome.error).toBe(failure);
        }
      } catch (err) {
        throw withContext(err, `seed ${seed} (rejects ${rejects}): ${JSON.stringify(events)}`);
      }
    }
    // A failed store is logged once per failure, by code, without the turn's text.
    const lines = logged.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({ level: "error", request_id: "req_t", code: "turn_store_failed" });
    }
  });
});

describe("turnEventEncoder (fixtures)", () => {
  it("writes one delta per text event and the stored payload last", async () => {
    const { store } = recordingStore();
    const { sse } = await run(
      [
        { type: "start", model: "m" },
        { type: "text", text: "Grüß " },
        { type: "tool_call", index: 0, id: "c", name: "f" },
        { type: "text", text: 'dich "\n"' },
        { type: "finish", finishReason: "stop" },
      ],
      "close",
      store,
    );
    expect(sse).toEqual([
      { event: "message.delta", data: '{"text":"Grüß "}' },
      { event: "message.delta", data: '{"text":"dich \\"\\n\\""}' },
      {
        event: "message.completed",
        data: '{"assistant_message":{"role":"assistant","content":"Grüß dich \\"\\n\\""},"usage":null}',
      },
    ]);
  });

  it("keeps a turn whose cut-off store fails, and still tells the client the vendor's error", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const store: TurnStore = {
      complete: () => Promise.reject(new Error("unreachable")),
      cutOff: () => Promise.reject(new Error("D1 down")),
    };
    const failure = new GatewayError(504, "timeout_error", "upstream_timeout", "Too slow.");
    const { sse, outcome } = await run([{ type: "text", text: "Hi" }], { error: failure }, store);
    expect(sse.map((e) => e.event)).toEqual(["message.delta", "error"]);
    expect(JSON.parse(sse[1]?.data ?? "").error.code).toBe("upstream_timeout");
    expect(outcome.error).toBe(failure);
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
  });
});
