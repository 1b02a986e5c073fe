import { describe, expect, it } from "vitest";
import { createUser, expectError, get, patch, post, scenario } from "../helpers";
import {
  createConversation,
  createPersona,
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
 * A conversation's turn as it succeeds: what it stores, the title and the order it leaves, and what it
 * replays (persona, history, context window). Refusals, vendor failures and streaming are in
 * conversation-messages-failures-streaming.test.ts.
 */

/** A 1×1 transparent PNG. */
const PNG_DATA_URL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

useConversationUser();

describe("POST /v1/conversations/{id}/messages", () => {
  it("stores the message and the reply, and answers both with the usage", async () => {
    const conv = await createConversation(key, { model: "mock/echo" });
    expect(conv.title).toBe("New conversation");
    const res = await send(conv.id, { content: "hello there" });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("x-switchboard-model")).toBe("mock/echo");
    const { user_message: u, assistant_message: a, usage } = res.json;
    expect(u).toEqual({
      id: expect.stringMatching(/^msg_/),
      conversation_id: conv.id,
      role: "user",
      content: text("hello there"),
      model: null,
      usage: null,
      latency_ms: null,
      finish_reason: null,
      created_at: expect.any(String),
    });
    // The mock estimates: prompt 4 + ceil(11 / 4) = 7, reply ceil(11 / 4) = 3.
    expect(a).toEqual({
      id: expect.stringMatching(/^msg_/),
      conversation_id: conv.id,
      role: "assistant",
      content: text("hello there"),
      model: "mock/echo",
      usage: { prompt_tokens: 7, completion_tokens: 3 },
      latency_ms: expect.any(Number),
      finish_reason: "stop",
      created_at: expect.any(String),
    });
    expect(a.latency_ms).toBeGreaterThanOrEqual(0);
    expect(usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect(u.id < a.id).toBe(true);
    expect(await listMessages(conv.id)).toEqual([u, a]);
    // The first message names a conversation that still has the default title.
    expect((await get(`/v1/conversations/${conv.id}`, { key })).json.title).toBe("hello there");
  });

  it("stores each message once, in order, and keeps a title once set", async () => {
    const conv = await createConversation(key, { model: "mock/echo", title: "Mine" });
    const first = await send(conv.id, { content: "one" });
    const second = await send(conv.id, { content: [{ type: "text", text: "two" }] });
    expect(second.status, second.text).toBe(201);
    const list = await listMessages(conv.id);
    expect(list.map((m) => [m.role, m.content[0].text])).toEqual([
      ["user", "one"],
      ["assistant", "one"],
      ["user", "two"],
      ["assistant", "two"],
    ]);
    expect(list).toEqual([
      first.json.user_message,
      first.json.assistant_message,
      second.json.user_message,
      second.json.assistant_message,
    ]);
    expect((await get(`/v1/conversations/${conv.id}`, { key })).json.title).toBe("Mine");
  });

  it("titles a conversation from its first text, whitespace collapsed, at most 80 characters", async () => {
    const conv = await createConversation(key, { model: "mock/echo" });
    const long = `  Plan   a\ntrip ${"to Lisbon and Porto ".repeat(10)}`;
    expect((await send(conv.id, { content: long })).status).toBe(201);
    const title = (await get(`/v1/conversations/${conv.id}`, { key })).json.title;
    expect(title).toBe(`Plan a trip ${"to Lisbon and Porto ".repeat(10)}`.slice(0, 80).trimEnd());
    expect(title.length).toBeLessThanOrEqual(80);
  });

  it("bumps updated_at, moving the conversation to the front of the list", async () => {
    const older = await createConversation(key, { model: "mock/echo" });
    const newer = await createConversation(key, { model: "mock/echo" });
    await new Promise((r) => setTimeout(r, 5));
    expect((await send(older.id, { content: "bump" })).status).toBe(201);
    const conv = (await get(`/v1/conversations/${older.id}`, { key })).json;
    expect(conv.updated_at > older.updated_at).toBe(true);
    const list = (await get("/v1/conversations?limit=2", { key })).json.data;
    expect(list.map((c: any) => c.id)).toEqual([older.id, newer.id]);
  });

  it("replays the persona's prompt, the history in order and the new content, images included", async () => {
    const model = `openai/${scenario("inspect")}`;
    const persona = await createPersona(key, {
      system_prompt: "You are terse.",
      model,
      temperature: 0.3,
      max_tokens: 3000,
    });
    const conv = await createConversation(key, { persona_id: persona.id });
    const first = await send(conv.id, { content: "first" });
    expect(first.status, first.text).toBe(201);
    expect(first.json.usage).toEqual(OPENAI_USAGE);
    expect(first.json.assistant_message).toMatchObject({
      model,
      usage: { prompt_tokens: 21, completion_tokens: 8 },
      finish_reason: "stop",
    });
    const firstSeen = seen(first);
    expect(firstSeen.headers.authorization).toBe("Bearer test-openai-key");
    expect(firstSeen.body).toEqual({
      model: model.slice("openai/".length),
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: text("first") },
      ],
      temperature: 0.3,
      max_completion_tokens: 3000,
    });

    const parts = [
      { type: "text", text: "What is in these?" },
      { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
      { type: "image_url", image_url: { url: PNG_DATA_URL } },
    ];
    const second = await send(conv.id, { content: parts });
    expect(second.status, second.text).toBe(201);
    expect(second.json.user_message.content).toEqual(parts);
    expect(seen(second).body.messages).toEqual([
      { role: "system", content: "You are terse." },
      { role: "user", content: text("first") },
      { role: "assistant", content: first.json.assistant_message.content[0].text },
      { role: "user", content: parts },
    ]);
  });

  it("lets the request's model and parameters win over the conversation's and the persona's", async () => {
    const personaModel = `openai/${scenario("inspect")}`;
    const conversationModel = `openai/${scenario("inspect")}`;
    const requestModel = `openai/${scenario("inspect")}`;
    const persona = await createPersona(key, {
      model: personaModel,
      temperature: 0.3,
      max_tokens: 3000,
    });
    const conv = await createConversation(key, { persona_id: persona.id, model: conversationModel });
    const byConversation = await send(conv.id, { content: "a" });
    expect(byConversation.json.assistant_message.model).toBe(conversationModel);
    expect(seen(byConversation).body).toMatchObject({ temperature: 0.3, max_completion_tokens: 3000 });

    const byRequest = await send(conv.id, {
      content: "b",
      model: requestModel,
      temperature: 1.1,
      max_tokens: 2500,
    });
    expect(byRequest.status, byRequest.text).toBe(201);
    expect(byRequest.json.assistant_message.model).toBe(requestModel);
    expect(byRequest.headers.get("x-switchboard-model")).toBe(requestModel);
    const body = seen(byRequest).body;
    expect(body).toMatchObject({
      model: requestModel.slice("openai/".length),
      temperature: 1.1,
      max_completion_tokens: 2500,
    });
    expect(body.messages[0]).toEqual({ role: "system", content: "You are terse." });
  });

  it("takes a model config's defaults when neither the request nor the persona sets them", async () => {
    const alias = `defaults-${crypto.randomUUID().slice(0, 8)}`;
    const created = await post("/v1/model-configs", {
      alias,
      vendor: "openai",
      upstream_model: scenario("inspect"),
      defaults: { temperature: 0.9, max_tokens: 2000 },
    });
    expect(created.status, created.text).toBe(201);
    const persona = await createPersona(key, { model: alias, temperature: 0.2 });
    const conv = await createConversation(key, { persona_id: persona.id });
    const res = await send(conv.id, { content: "x" });
    expect(res.status, res.text).toBe(201);
    expect(res.json.assistant_message.model).toBe(`openai/${created.json.upstream_model}`);
    expect(seen(res).body).toMatchObject({ temperature: 0.2, max_completion_tokens: 2000 });
  });

  it("trims the history to the model's context window, keeping the newest and the system prompt", async () => {
    const alias = `tiny-${crypto.randomUUID().slice(0, 8)}`;
    const created = await post("/v1/model-configs", {
      alias,
      vendor: "openai",
      upstream_model: scenario("inspect"),
      context_window: 300,
    });
    expect(created.status, created.text).toBe(201);
    const persona = await createPersona(key, { system_prompt: "Be brief.", model: "mock/echo" });
    const conv = await createConversation(key, { persona_id: persona.id });
    // Eight exchanges of 100-character texts: 29 estimated tokens a message, 464 in all.
    const texts = Array.from({ length: 8 }, (_, i) => `m${i}-`.padEnd(100, "x"));
    for (const t of texts) expect((await send(conv.id, { content: t })).status).toBe(201);

    // 300 - 50 for the answer - 7 (system) - 7 (new) = 236 tokens: the newest eight messages.
    const res = await send(conv.id, { content: "final-quest", model: alias, max_tokens: 50 });
    expect(res.status, res.text).toBe(201);
    const kept = texts.slice(4).flatMap((t) => [
      { role: "user", content: text(t) },
      { role: "assistant", content: t },
    ]);
    expect(seen(res).body.messages).toEqual([
      { role: "system", content: "Be brief." },
      ...kept,
      { role: "user", content: text("final-quest") },
    ]);
    expect(await listMessages(conv.id)).toHaveLength(18);
  });

  it("treats a linked persona the caller can no longer see as absent", async () => {
    const admin = await createUser({ role: "admin" });
    const shared = await createPersona(admin.key, {
      system_prompt: "Secret instructions.",
      model: "mock/chat",
      visibility: "shared",
    });
    const conv = await createConversation(key, { persona_id: shared.id });
    // An admin takes the shared persona private: it is now theirs alone.
    const changed = await patch(`/v1/personas/${shared.id}`, { visibility: "private" }, { key: admin.key });
    expect(changed.status, changed.text).toBe(200);

    const refused = await send(conv.id, { content: "hi" });
    expectError(refused, 400, "invalid_request_error", "model_required");
    expect(refused.json.error.param).toBe("model");
    expect(await storedRows(conv.id)).toEqual([]);

    const res = await send(conv.id, { content: "hi", model: `openai/${scenario("inspect")}` });
    expect(res.status, res.text).toBe(201);
    expect(seen(res).body.messages).toEqual([{ role: "user", content: text("hi") }]);
  });
});
