import { describe, expect, it } from "vitest";
import { replayFixtures } from "../../../test/fixtures/replay-decoder";
import type { StreamEvent } from "../../chat/types";
import type { GatewayError } from "../../errors/gateway-error";
import { geminiStreamToEvents } from "./stream";

const encoder = new TextEncoder();

/** A body that delivers exactly these byte pieces, so events can be split anywhere. */
function bodyOf(pieces: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      const next = pieces[i++];
      if (next === undefined) controller.close();
      else controller.enqueue(typeof next === "string" ? encoder.encode(next) : next);
    },
  });
}

async function collect(pieces: (string | Uint8Array)[]) {
  const events: StreamEvent[] = [];
  const reader = geminiStreamToEvents("gemini", bodyOf(pieces), "asked-model").getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { events };
      events.push(value);
    }
  } catch (err) {
    return { events, error: err as GatewayError };
  }
}

const frame = (obj: object) => `data: ${JSON.stringify(obj)}\r\n\r\n`;
const text = (t: string, extra: object = {}) => ({
  candidates: [{ content: { role: "model", parts: [{ text: t }] }, index: 0, ...extra }],
  modelVersion: "gemini-2.5-flash",
  responseId: "r1",
});
const usage = { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 };

describe("geminiStreamToEvents", () => {
  it("reads CRLF events split anywhere, even inside a UTF-8 character", async () => {
    const all = encoder.encode(
      frame(text("héllo ")) + frame({ ...text("wörld", { finishReason: "STOP" }), usageMetadata: usage }),
    );
    const cuts = [3, 20, 31, 32, all.indexOf(0xc3) + 1, all.length - 3, all.length - 1];
    const pieces = cuts.map((c, i) => all.slice(i === 0 ? 0 : (cuts[i - 1] as number), c));
    pieces.push(all.slice(cuts.at(-1)));
    const { events, error } = await collect(pieces);
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: "start", model: "gemini-2.5-flash", id: "r1" },
      { type: "text", text: "héllo " },
      { type: "text", text: "wörld" },
      { type: "finish", finishReason: "stop" },
      { type: "usage", usage: { inputTokens: 3, outputTokens: 4 } },
    ]);
  });

  it("reads thoughts as reasoning, emits whole calls, and keeps only the last usage", async () => {
    const { events } = await collect([
      frame({ candidates: [{ content: { parts: [{ text: "hmm", thought: true }] } }], usageMetadata: usage }),
      frame({
        candidates: [
          {
            content: { parts: [{ functionCall: { name: "f", args: { a: 1 } } }] },
            finishReason: "STOP",
          },
        ],
        usageMetadata: { ...usage, thoughtsTokenCount: 5 },
      }),
    ]);
    expect(events).toEqual([
      { type: "start", model: "asked-model" },
      { type: "reasoning", text: "hmm" },
      { type: "tool_call", index: 0, id: "call_0", name: "f", argumentsDelta: '{"a":1}' },
      { type: "finish", finishReason: "tool_calls" },
      { type: "usage", usage: { inputTokens: 3, outputTokens: 9, reasoningTokens: 5 } },
    ]);
  });

  it("fails a stream that ends without a finish reason", async () => {
    const { events, error } = await collect([frame(text("half"))]);
    expect(events.map((e) => e.type)).toEqual(["start", "text"]);
    expect(error?.code).toBe("upstream_stream_interrupted");
  });

  it("fails on an error event, scrubbing the message, and on an unreadable event", async () => {
    const { error } = await collect([
      frame(text("a")),
      frame({ error: { code: 500, message: "boom AIzaSyABCDEFGHIJKLMNOP", status: "INTERNAL" } }),
    ]);
    expect(error?.code).toBe("upstream_stream_error");
    expect(error?.message).toContain("boom [redacted]");
    const bad = await collect(["data: {nope\r\n\r\n"]);
    expect(bad.error?.code).toBe("upstream_stream_error");
  });
});

// The recorded streams (test/fixtures/gemini/), cut every way a network can cut them.
replayFixtures("gemini", (body) => geminiStreamToEvents("gemini", body, "asked-model"));
