import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../../chat/types";
import type { CallEnd } from "../types";
import {
  ANSWER,
  allShapes,
  chunkings,
  chunkObject,
  dataLines,
  forwarded,
  frame,
  ID,
  MODEL,
  relay,
  vendorBody,
} from "./openai-sse-fixtures";
import { bytes, ended, parseSse, seeded, settle, withContext } from "./stream-test-helpers";

const tappedText = (events: StreamEvent[]) => events.map((e) => (e.type === "text" ? e.text : "")).join("");

describe.each([
  ["\\n", "\n"],
  ["\\r\\n", "\r\n"],
  ["\\r", "\r"],
] as const)("passthroughOpenAIStream, whole answers with %s line ends", (_, eol) => {
  it("forwards every kept event byte for byte, however the body is framed and cut", async () => {
    const r = seeded(eol.length * 31 + eol.charCodeAt(0));
    const calls: CallEnd[][] = [];
    let runs = 0;
    for (const [n, shape] of allShapes(eol).entries()) {
      const finishReason = (n >> 2) % 2 ? "stop" : "length";
      const { frames, usage } = vendorBody(shape, finishReason);
      const body = bytes(frames.map((f) => f.text).join(""));
      for (const includeUsage of [true, false]) {
        const want = forwarded(frames, includeUsage) + (shape.done ? "" : "data: [DONE]\n\n");
        for (const chunks of chunkings(body, r, { everyByte: n % 4 === (includeUsage ? 0 : 2) })) {
          runs++;
          const { out, outcome, tapped, onEndCalls } = await relay(chunks, includeUsage);
          calls.push(onEndCalls);
          try {
            expect(out).toBe(want);
            expect(parseSse(out).filter((e) => e.data === "[DONE]")).toHaveLength(1);
            expect(ended(outcome)).toEqual({ usage, finishReason, error: undefined });
            expect(tappedText(tapped)).toBe(ANSWER);
            expect(tapped[0]).toEqual({ type: "start", id: ID, model: MODEL });
          } catch (err) {
            const cuts = chunks.map((c) => c.length).join(",");
            throw withContext(err, `${JSON.stringify(shape)} includeUsage=${includeUsage} cuts=${cuts}`);
          }
        }
      }
    }
    await settle();
    expect(calls.filter((c) => c.length !== 1)).toEqual([]);
    expect(runs).toBeGreaterThan(1000);
  }, 30_000);
});

describe("passthroughOpenAIStream (fixtures)", () => {
  const shape = { json: "compact", dataSpace: true } as const;
  const line = (value: unknown) => frame(dataLines(value, shape), "\n");
  const text = (content: string) => line(chunkObject({ content }, null));
  const finish = line(chunkObject({}, "tool_calls"));

  it("drops the usage-only chunk for a client that did not ask, keeps it for one that did", async () => {
    const usageOnly = line({
      id: ID,
      object: "chat.completion.chunk",
      choices: [],
      usage: { prompt_tokens: 1, completion_tokens: 2 },
    });
    const body = `${text("a")}${finish}${usageOnly}data: [DONE]\n\n`;
    expect((await relay([bytes(body)], false)).out).toBe(`${text("a")}${finish}data: [DONE]\n\n`);
    const asked = await relay([bytes(body)], true);
    expect(asked.out).toBe(body);
    expect(asked.outcome).toMatchObject({
      usage: { inputTokens: 1, outputTokens: 2 },
      finishReason: "tool_calls",
    });
  });

  it("ends with [DONE] once, dropping what a vendor sends after it", async () => {
    const body = `${text("a")}${finish}data: [DONE]\n\n${text("late")}data: [DONE]\n\n: keep-alive\n\n`;
    const { out } = await relay([bytes(body)], false);
    expect(out).toBe(`${text("a")}${finish}data: [DONE]\n\n`);
  });

  it("adds a blank line to a last event that lacks one, and [DONE] after it", async () => {
    const body = `${text("a")}data: ${JSON.stringify(chunkObject({}, "stop"))}`;
    const { out, outcome } = await relay([bytes(body)], false);
    expect(out).toBe(`${body}\n\ndata: [DONE]\n\n`);
    expect(outcome.finishReason).toBe("stop");
  });

  it("forwards a vendor's bare-\\r last event as it came", async () => {
    const body = `data: ${JSON.stringify(chunkObject({ content: "a" }, "stop"))}\r\rdata: [DONE]\r\r`;
    expect((await relay([bytes(body)], false)).out).toBe(body);
  });

  it("passes tool calls to tap as neutral events", async () => {
    const call = (t: object) => line(chunkObject({ tool_calls: [t] }, null));
    const body =
      call({ index: 0, id: "call_1", type: "function", function: { name: "f", arguments: "" } }) +
      call({ index: 0, function: { arguments: '{"a":' } }) +
      call({ index: 0, function: { arguments: "1}" } }) +
      finish;
    const { out, tapped } = await relay([bytes(body)], false);
    expect(out).toBe(`${body}data: [DONE]\n\n`);
    expect(tapped.filter((e) => e.type === "tool_call")).toEqual([
      { type: "tool_call", index: 0, id: "call_1", name: "f", argumentsDelta: "" },
      { type: "tool_call", index: 0, argumentsDelta: '{"a":' },
      { type: "tool_call", index: 0, argumentsDelta: "1}" },
    ]);
    expect(tapped.at(-1)).toEqual({ type: "finish", finishReason: "tool_calls" });
  });

  it("keeps a UTF-8 BOM and a split multi-byte character intact", async () => {
    const body = `\ufeff${text("é😀")}${finish}data: [DONE]\n\n`;
    const raw = bytes(body);
    const at = raw.indexOf(0xf0) + 2; // inside the emoji's four bytes
    const { out, tapped } = await relay([raw.slice(0, at), raw.slice(at)], false);
    expect(out).toBe(body);
    expect(tappedText(tapped)).toBe("é😀");
  });
});
