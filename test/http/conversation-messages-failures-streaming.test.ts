import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser, expectError, get, post, scenario } from "../helpers";
import {
  createConversation,
  key,
  listMessages,
  OPENAI_USAGE,
  seen,
  send,
  storedRows,
  text,
  useConversationUser,
} from "./conversation-helpers";

/**
 * A conversation's turn refused or failing, and streamed (stream: true), cut off or not. The turn
 * that succeeds unstreamed is in conversation-messages.test.ts.
 */

useConversationUser();

/** A streamed turn, read raw: the helpers' call() would wait for the whole body. */
function openStream(conversationId: string, body: Record<string, unknown>, k = key) {
  return exports.default.fetch(
    new Request(`http://switchboard.test/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${k}`, "content-type": "application/json" },
      body: JSON.stringify({ ...body, stream: true }),
    }),
  );
}

/** SSE events with their names, in order. */
function sseEvents(body: string): { event: string; data: any }[] {
  return body
    .split("\n\n")
    .filter((e) => e.trim() !== "")
    .map((e) => {
      const lines = e.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "message";
      const data = lines
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      return { event, data: JSON.parse(data) };
    });
}

async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}

describe("POST /v1/conversations/{id}/messages", () => {
  it("needs a model from the request, the conversation or its persona", async () => {
    const conv = await createConversation(key);
    const res = await send(conv.id, { content: "hi" });
    expectError(res, 400, "invalid_request_error", "model_required");
    expect(await storedRows(conv.id)).toEqual([]);
    expect((await send(conv.id, { content: "hi", model: "mock/echo" })).status).toBe(201);
  });

  it("answers 404 for another user's conversation, storing nothing", async () => {
    const other = await createUser();
    const conv = await createConversation(key, { model: "mock/echo" });
    const res = await send(conv.id, { content: "let me in" }, other.key);
    expectError(res, 404, "not_found_error", "conversation_not_found");
    const streamed = await openStream(conv.id, { content: "let me in" }, other.key);
    expect(streamed.status).toBe(404);
    await streamed.text();
    expectError(
      await send("cnv_missing", { content: "x" }),
      404,
      "not_found_error",
      "conversation_not_found",
    );
    expect(await storedRows(conv.id)).toEqual([]);
    const after = (await get(`/v1/conversations/${conv.id}`, { key })).json;
    expect(after.updated_at).toBe(conv.updated_at);
  });

  it("validates the body, storing nothing", async () => {
    const conv = await createConversation(key, { model: "mock/echo" });
    const bad = async (body: unknown, status: number, code: string, param?: string) => {
      const res = await post(`/v1/conversations/${conv.id}/messages`, body, { key });
      const error = expectError(
        res,
        status,
        status === 404 ? "not_found_error" : "invalid_request_error",
        code,
      );
      if (param) expect(error.param).toBe(param);
    };
    await bad({ content: "" }, 400, "invalid_body", "content");
    await bad({ content: "  \n " }, 400, "invalid_body", "content");
    await bad({ content: [] }, 400, "invalid_body", "content");
    await bad({ content: [{ type: "text", text: " " }] }, 400, "invalid_body", "content");
    await bad({}, 400, "invalid_body", "content");
    await bad({ content: "x", extra: 1 }, 400, "invalid_body");
    await bad({ content: "x", temperature: 3 }, 400, "invalid_body", "temperature");
    await bad({ content: "x", max_tokens: 0 }, 400, "invalid_body", "max_tokens");
    await bad({ content: [{ type: "audio", data: "x" }] }, 400, "invalid_body");
    const image = (url: string) => ({
      content: [
        { type: "text", text: "see" },
        { type: "image_url", image_url: { url } },
      ],
    });
    await bad(image("http://example.com/cat.png"), 400, "invalid_image_url", "content.1.image_url.url");
    await bad(image("data:text/plain;base64,aGk="), 400, "invalid_image_url", "content.1.image_url.url");
    await bad(image("not a url"), 400, "invalid_image_url", "content.1.image_url.url");
    await bad(image(`data:image/png;base64,${"A".repeat(2_000_000)}`), 413, "content_too_large", "content");
    await bad({ content: "x", model: "no-such-alias" }, 404, "model_not_found", "model");
    await bad({ content: "x", model: "nobody/model" }, 404, "model_not_found", "model");
    expect(await storedRows(conv.id)).toEqual([]);
  });

  it("refuses what a model config cannot do", async () => {
    const alias = `blind-${crypto.randomUUID().slice(0, 8)}`;
    const created = await post("/v1/model-configs", {
      alias,
      vendor: "openai",
      upstream_model: scenario("inspect"),
      capabilities: { vision: false, streaming: false },
      max_output_tokens: 100,
    });
    expect(created.status, created.text).toBe(201);
    const conv = await createConversation(key, { model: alias });
    const image = [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }];
    const err = expectError(
      await send(conv.id, { content: image }),
      400,
      "invalid_request_error",
      "unsupported_capability",
    );
    expect(err.param).toBe("content");
    const noStream = await send(conv.id, { content: "x", stream: true });
    expect(expectError(noStream, 400, "invalid_request_error", "unsupported_capability").param).toBe(
      "stream",
    );
    expectError(
      await send(conv.id, { content: "x", max_tokens: 101 }),
      400,
      "invalid_request_error",
      "max_tokens_too_large",
    );
    expect(await storedRows(conv.id)).toEqual([]);

    // An image stored under a model that sees images is replayed to this one as a mention.
    expect((await send(conv.id, { content: image, model: "mock/echo" })).status).toBe(201);
    const res = await send(conv.id, { content: "and now?" });
    expect(res.status, res.text).toBe(201);
    expect(seen(res).body.messages).toEqual([
      { role: "user", content: text("[image]") },
      { role: "assistant", content: "" },
      { role: "user", content: text("and now?") },
    ]);
  });

  it("stores the user message and no reply when the vendor fails, answering the vendor error", async () => {
    const conv = await createConversation(key, { model: `openai/${scenario("fail-500")}` });
    const res = await send(conv.id, { content: "are you there?" });
    expectError(res, 502, "upstream_error", "upstream_unavailable");
    expect(res.text).not.toContain("sk-proj");
    expect(await storedRows(conv.id)).toEqual([
      { role: "user", finish_reason: null, content: text("are you there?") },
    ]);
    const after = (await get(`/v1/conversations/${conv.id}`, { key })).json;
    expect(after.updated_at > conv.updated_at).toBe(true);
    expect(after.title).toBe("are you there?");

    // The stored message is history for the next try.
    const retry = await send(conv.id, { content: "again", model: `openai/${scenario("inspect")}` });
    expect(seen(retry).body.messages).toEqual([
      { role: "user", content: text("are you there?") },
      { role: "user", content: text("again") },
    ]);
  });
});

describe("POST /v1/conversations/{id}/messages with stream: true", () => {
  it("streams deltas that add up to the stored reply, then the stored messages", async () => {
    const conv = await createConversation(key, { model: "mock/chat" });
    const res = await openStream(conv.id, { content: "tell me" });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("x-switchboard-model")).toBe("mock/chat");
    const events = sseEvents(await res.text());
    const deltas = events.slice(0, -1);
    expect(deltas.length).toBeGreaterThan(2);
    for (const d of deltas) expect(d.event).toBe("message.delta");
    const completed = events.at(-1)!;
    expect(completed.event).toBe("message.completed");
    const streamed = deltas.map((d) => d.data.text).join("");
    const { user_message: u, assistant_message: a, usage } = completed.data;
    expect(a.content).toEqual(text(streamed));
    expect(a).toMatchObject({ role: "assistant", model: "mock/chat", finish_reason: "stop" });
    expect(u).toMatchObject({ role: "user", content: text("tell me") });
    expect(usage).toEqual({
      prompt_tokens: a.usage.prompt_tokens,
      completion_tokens: a.usage.completion_tokens,
      total_tokens: a.usage.prompt_tokens + a.usage.completion_tokens,
    });
    // The mock's estimate: 4 + ceil(7 / 4) = 6 in, and a quarter of the reply's length out.
    expect(a.usage).toEqual({ prompt_tokens: 6, completion_tokens: Math.ceil(streamed.length / 4) });
    expect(await listMessages(conv.id)).toEqual([u, a]);

    // The same prompt unstreamed gives the same (deterministic) reply.
    const other = await createConversation(key, { model: "mock/chat" });
    expect((await send(other.id, { content: "tell me" })).json.assistant_message.content).toEqual(a.content);
  });

  it("carries the vendor's usage", async () => {
    const conv = await createConversation(key, { model: "openai/gpt-4o-mini" });
    const events = sseEvents(await (await openStream(conv.id, { content: "stream please" })).text());
    expect(
      events
        .filter((e) => e.event === "message.delta")
        .map((e) => e.data.text)
        .join(""),
    ).toBe("Hello! You said: stream please");
    const completed = events.at(-1)!;
    expect(completed.event).toBe("message.completed");
    expect(completed.data.usage).toEqual(OPENAI_USAGE);
    expect(completed.data.assistant_message).toMatchObject({
      model: "openai/gpt-4o-mini",
      content: text("Hello! You said: stream please"),
      usage: { prompt_tokens: 21, completion_tokens: 8 },
      finish_reason: "stop",
    });
  });

  it("ends a stream that fails mid-way with an error event and stores the partial reply as cut off", async () => {
    const conv = await createConversation(key, { model: `openai/${scenario("cut-stream")}` });
    const res = await openStream(conv.id, { content: "x y z" });
    expect(res.status).toBe(201);
    const events = sseEvents(await res.text());
    expect(events.map((e) => e.event)).toEqual(["message.delta", "message.delta", "error"]);
    expect(events[2]!.data).toEqual({
      error: {
        type: "upstream_error",
        code: "upstream_stream_interrupted",
        message: expect.any(String),
        request_id: res.headers.get("x-request-id"),
      },
    });
    expect(await storedRows(conv.id)).toEqual([
      { role: "user", finish_reason: null, content: text("x y z") },
      { role: "assistant", finish_reason: "cut_off", content: text("Hello! You ") },
    ]);
    const [, a] = await listMessages(conv.id);
    // No usage came from the vendor: the estimate, 4 + ceil(5 / 4) = 6 in, ceil(11 / 4) = 3 out.
    expect(a.usage).toEqual({ prompt_tokens: 6, completion_tokens: 3 });
  });

  it("relays a vendor's mid-stream error event without its body", async () => {
    const conv = await createConversation(key, { model: `openai/${scenario("error-event")}` });
    const body = await (await openStream(conv.id, { content: "x y z" })).text();
    expect(body).not.toContain("sk-proj");
    const events = sseEvents(body);
    expect(events.at(-1)).toMatchObject({
      event: "error",
      data: { error: { type: "upstream_error", code: "upstream_stream_error" } },
    });
    expect((await storedRows(conv.id)).map((r) => r.finish_reason)).toEqual([null, "cut_off"]);
  });

  it("answers a failure before the first byte as JSON, storing only the user message", async () => {
    const conv = await createConversation(key, { model: `openai/${scenario("fail-429")}` });
    const res = await openStream(conv.id, { content: "hi" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect((await res.json()) as any).toMatchObject({
      error: { type: "rate_limit_error", code: "upstream_rate_limited" },
    });
    expect(await storedRows(conv.id)).toEqual([{ role: "user", finish_reason: null, content: text("hi") }]);
  });

  it("keeps what was generated when the client goes away, and stops the vendor", async () => {
    const model = scenario("slow-stream");
    const conv = await createConversation(key, { model: `openai/${model}` });
    const res = await openStream(conv.id, { content: "take your time" });
    expect(res.status).toBe(201);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("event: message.delta");
    await reader.cancel();

    const rows = await poll(
      () => storedRows(conv.id),
      (r) => r.length === 2,
    );
    expect(rows.map((r) => [r.role, r.finish_reason])).toEqual([
      ["user", null],
      ["assistant", "cut_off"],
    ]);
    // The mock repeats its first word every 50 ms; at least the one the client read was kept.
    expect(rows[1]!.content[0].text).toMatch(/^(Hello! )+$/);

    const log = await poll(
      async () => (await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${model}`)).json() as Promise<any[]>,
      (l) => l[0]?.aborted === true,
    );
    expect(log).toMatchObject([{ aborted: true }]);
  });
});
