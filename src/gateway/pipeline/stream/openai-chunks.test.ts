import { describe, expect, it } from "vitest";
import { openaiUsage } from "../../../chat/to-openai";
import type { StreamEvent } from "../../../chat/types";
import { GatewayError } from "../../../errors/gateway-error";
import { encodeEvents } from "./encode-events";
import { openaiChunkEncoder } from "./openai-chunks";
import {
  ended,
  endWatch,
  parseSse,
  type Rand,
  randomEvents,
  readBody,
  type SourceEnd,
  seeded,
  settle,
  source,
  summarize,
  withContext,
} from "./stream-test-helpers";

const META = { id: "chatcmpl-gw1", created: 1_760_000_000, model: "acme/m-1" };
const CASES = 300;

interface Chunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: string;
      content?: string | null;
      tool_calls?: {
        index: number;
        id?: string;
        type?: string;
        function?: { name?: string; arguments?: string };
      }[];
    };
    finish_reason: string | null;
  }[];
  usage?: unknown;
}

type Failure = { kind: "gateway"; err: GatewayError } | { kind: "plain"; err: Error };

function scenario(r: Rand) {
  // With reasoning among the deltas, which Chat Completions clients are never shown.
  const all = randomEvents(r, { reasoning: true });
  const roll = r.float();
  // A source that errors may do so anywhere, so the sequence is cut at a random point.
  const failure: Failure | undefined =
    roll < 0.2
      ? { kind: "gateway", err: new GatewayError(504, "timeout_error", "upstream_timeout", "Too slow.") }
      : roll < 0.4
        ? { kind: "plain", err: new Error("connection reset") }
        : undefined;
  const events = failure ? all.slice(0, r.int(all.length + 1)) : all;
  const end: SourceEnd<StreamEvent> = failure ? { error: failure.err } : "close";
  return { events, end, failure, includeUsage: r.chance(0.5) };
}

async function run(events: StreamEvent[], end: SourceEnd<StreamEvent>, includeUsage: boolean) {
  const watch = endWatch();
  const tapped: StreamEvent[] = [];
  const body = encodeEvents(
    source(events, end).stream,
    openaiChunkEncoder(META, { includeUsage, requestId: "req_1" }),
    { onEnd: watch.onEnd, tap: (e) => tapped.push(e) },
  );
  const sse = parseSse(await readBody(body));
  const outcome = await watch.ended;
  await settle();
  return { sse, outcome, tapped, onEndCalls: watch.calls.length };
}

/** The invariants every chunk list holds, whole or broken off; returns the content chunks. */
function checkChunks(chunks: Chunk[], events: StreamEvent[]) {
  const want = summarize(events);
  for (const c of chunks) {
    expect({ id: c.id, object: c.object, created: c.created, model: c.model }).toEqual({
      ...META,
      object: "chat.completion.chunk",
    });
  }
  const content = chunks.filter((c) => c.choices.length > 0);
  const deltas = content.map((c) => {
    expect(c.choices).toHaveLength(1);
    return c.choices[0] as Chunk["choices"][number];
  });
  if (deltas.length) expect(deltas[0]?.delta.role).toBe("assistant");
  expect(deltas.slice(1).filter((d) => d.delta.role !== undefined)).toEqual([]);
  // The finish reason: once at most, and only on the last content chunk.
  const finishes = deltas.flatMap((d, i) => (d.finish_reason === null ? [] : [[i, d.finish_reason]]));
  expect(finishes).toEqual(want.finish ? [[deltas.length - 1, want.finish]] : []);
  expect(deltas.map((d) => d.delta.content ?? "").join("")).toBe(want.text);
  // Tool calls: numbered from 0 in the order they first appear, id and name before arguments.
  const tools: { id: string; name: string; args: string }[] = [];
  for (const t of deltas.flatMap((d) => d.delta.tool_calls ?? [])) {
    if (tools[t.index] === undefined) {
      expect(t.index).toBe(tools.length);
      expect(t).toMatchObject({
        id: expect.any(String),
        type: "function",
        function: { name: expect.any(String) },
      });
      tools[t.index] = { id: t.id ?? "", name: t.function?.name ?? "", args: "" };
    }
    (tools[t.index] as { args: string }).args += t.function?.arguments ?? "";
  }
  expect(tools).toEqual(want.tools);
  return content;
}

describe("openaiChunkEncoder lifecycle (property)", () => {
  it(`holds its invariants over ${CASES} random sequences, whole or broken off`, async () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const { events, end, failure, includeUsage } = scenario(seeded(seed));
      const { sse, outcome, tapped, onEndCalls } = await run(events, end, includeUsage);
      const want = summarize(events);
      try {
        expect(onEndCalls).toBe(1);
        expect(tapped).toEqual(events);
        expect(sse.filter((e) => e.event !== undefined)).toEqual([]);
        if (!failure) {
          // Everything is JSON but one final [DONE].
          expect(sse.at(-1)?.data).toBe("[DONE]");
          const chunks = sse.slice(0, -1).map((e) => JSON.parse(e.data) as Chunk);
          const content = checkChunks(chunks, events);
          expect(content.length).toBeGreaterThan(0);
          // The usage chunk: asked for and known, it is the last before [DONE], after the finish.
          const usage = chunks.filter((c) => c.choices.length === 0);
          if (includeUsage && want.usage) {
            expect(usage).toHaveLength(1);
            expect(chunks.at(-1)).toBe(usage[0]);
            expect(usage[0]?.usage).toEqual(openaiUsage(want.usage));
          } else {
            expect(usage).toEqual([]);
          }
          expect(ended(outcome)).toEqual({ usage: want.usage, finishReason: want.finish, error: undefined });
        } else {
          // One error event, last, with no [DONE] anywhere.
          expect(sse.filter((e) => e.data === "[DONE]")).toEqual([]);
          const parsed = sse.map((e) => JSON.parse(e.data) as Chunk & { error?: unknown });
          expect(parsed.filter((p) => p.error !== undefined)).toHaveLength(1);
          const expected =
            failure.kind === "gateway"
              ? { type: "timeout_error", code: "upstream_timeout", message: "Too slow." }
              : { type: "upstream_error", code: "upstream_stream_interrupted", message: expect.any(String) };
          expect(parsed.at(-1)).toEqual({ error: { ...expected, request_id: "req_1" } });
          const chunks = parsed.slice(0, -1);
          checkChunks(chunks, events);
          expect(chunks.filter((c) => c.choices.length === 0)).toEqual([]);
          if (failure.kind === "gateway") expect(outcome.error).toBe(failure.err);
          else
            expect(outcome.error).toMatchObject({ code: "upstream_stream_interrupted", cause: failure.err });
        }
      } catch (err) {
        throw withContext(err, `seed ${seed}: ${JSON.stringify(events)}`);
      }
    }
  });
});

describe("openaiChunkEncoder (fixtures)", () => {
  const encode = async (events: StreamEvent[], includeUsage = true) =>
    (await run(events, "close", includeUsage)).sse.map((e) => e.data);

  it("writes the exact OpenAI wire for a short answer with usage", async () => {
    const data = await encode([
      { type: "start", model: "m" },
      { type: "text", text: 'Hé "x"\n' },
      { type: "usage", usage: { inputTokens: 3, outputTokens: 2, cachedTokens: 1 } },
      { type: "finish", finishReason: "stop" },
    ]);
    const head = `{"id":"chatcmpl-gw1","object":"chat.completion.chunk","created":1760000000,"model":"acme/m-1"`;
    expect(data).toEqual([
      `${head},"choices":[{"index":0,"delta":{"role":"assistant","content":"Hé \\"x\\"\\n"},"logprobs":null,"finish_reason":null}]}`,
      `${head},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}`,
      `${head},"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":1}}}`,
      "[DONE]",
    ]);
  });

  it("still opens with the role when nothing but the end came", async () => {
    const data = await encode([]);
    expect(data).toHaveLength(2);
    expect(JSON.parse(data[0] as string).choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(data[1]).toBe("[DONE]");
  });

  it("opens a tool-call answer with the role and a null content", async () => {
    const [first] = await encode([
      { type: "tool_call", index: 0, id: "call_0", name: "f", argumentsDelta: "{}" },
      { type: "finish", finishReason: "tool_calls" },
    ]);
    expect(JSON.parse(first as string).choices[0].delta).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [{ index: 0, id: "call_0", type: "function", function: { name: "f", arguments: "{}" } }],
    });
  });
});
