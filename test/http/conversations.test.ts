import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/db/ids";
import { ADMIN_KEY, collectPages, createUser, del, expectError, get, patch, post } from "../helpers";

const personaBody = { name: "Helper", system_prompt: "You are helpful.", model: "mock/echo" };

async function createPersona(key: string, body: Record<string, unknown> = {}) {
  const res = await post("/v1/personas", { ...personaBody, ...body }, { key });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json as { id: string };
}

async function createConversation(key: string, body: Record<string, unknown> = {}) {
  const res = await post("/v1/conversations", body, { key });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json;
}

interface MessageFields {
  role?: "system" | "user" | "assistant" | "tool";
  content?: unknown[];
  model?: string | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  latency_ms?: number | null;
  finish_reason?: string | null;
}

/** Messages cannot be sent through the API yet (next issue), so tests write rows directly. */
async function insertMessage(conversationId: string, m: MessageFields = {}) {
  const id = newId("msg");
  const createdAt = Date.now();
  await env.DB.prepare(
    `insert into messages (id, conversation_id, role, content, model, prompt_tokens, completion_tokens,
       latency_ms, finish_reason, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      conversationId,
      m.role ?? "user",
      JSON.stringify(m.content ?? [{ type: "text", text: "hi" }]),
      m.model ?? null,
      m.prompt_tokens ?? null,
      m.completion_tokens ?? null,
      m.latency_ms ?? null,
      m.finish_reason ?? null,
      createdAt,
    )
    .run();
  return { id, createdAt };
}

async function count(sql: string, ...binds: unknown[]) {
  const row = await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** The clock in workerd only moves across I/O; wait so the next write gets a later updated_at. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("conversations: CRUD", () => {
  it("creates, reads, updates and deletes a conversation", async () => {
    const { key } = await createUser();
    const persona = await createPersona(key);
    const created = await post(
      "/v1/conversations",
      { title: " Trip ", persona_id: persona.id, model: "mock/echo" },
      { key },
    );
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^cnv_[0-9A-Z]{26}$/),
      title: "Trip",
      persona_id: persona.id,
      model: "mock/echo",
      created_at: expect.any(String),
      updated_at: created.json.created_at,
    });
    const path = `/v1/conversations/${created.json.id}`;
    expect((await get(path, { key })).json).toEqual(created.json);

    await tick();
    const renamed = await patch(path, { title: "Lisbon" }, { key });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ title: "Lisbon", persona_id: persona.id, model: "mock/echo" });
    expect(Date.parse(renamed.json.updated_at)).toBeGreaterThan(Date.parse(created.json.updated_at));
    expect(renamed.json.created_at).toBe(created.json.created_at);

    const cleared = await patch(path, { persona_id: null, model: null }, { key });
    expect(cleared.json).toMatchObject({ title: "Lisbon", persona_id: null, model: null });

    expect((await del(path, { key })).status).toBe(204);
    const err = expectError(await get(path, { key }), 404, "not_found_error", "conversation_not_found");
    expect(err.param).toBe("id");
    expectError(await del(path, { key }), 404, "not_found_error", "conversation_not_found");
    expectError(await patch(path, { title: "x" }, { key }), 404, "not_found_error", "conversation_not_found");
  });

  it("defaults the title and leaves persona and model unset", async () => {
    const { key } = await createUser();
    expect(await createConversation(key)).toMatchObject({
      title: "New conversation",
      persona_id: null,
      model: null,
    });
  });

  it("links a shared persona or one of the caller's own", async () => {
    const { key } = await createUser();
    const shared = await createPersona(ADMIN_KEY, { visibility: "shared" });
    const conv = await createConversation(key, { persona_id: shared.id });
    expect(conv.persona_id).toBe(shared.id);
    const other = await createPersona(key);
    const moved = await patch(`/v1/conversations/${conv.id}`, { persona_id: other.id }, { key });
    expect(moved.json.persona_id).toBe(other.id);
  });

  it("validates the body, naming the field", async () => {
    const { key } = await createUser();
    const cases: [Record<string, unknown>, string][] = [
      [{ title: "" }, "title"],
      [{ title: "   " }, "title"],
      [{ title: "x".repeat(201) }, "title"],
      [{ persona_id: 42 }, "persona_id"],
      [{ persona_id: "" }, "persona_id"],
      [{ model: "" }, "model"],
    ];
    const conv = await createConversation(key);
    for (const [body, param] of cases) {
      for (const res of [
        await post("/v1/conversations", body, { key }),
        await patch(`/v1/conversations/${conv.id}`, body, { key }),
      ]) {
        const err = expectError(res, 400, "invalid_request_error", "invalid_body");
        expect(err.param, JSON.stringify(body)).toBe(param);
      }
    }
    expectError(
      await post("/v1/conversations", { owner_id: "usr_x" }, { key }),
      400,
      "invalid_request_error",
    );
    expectError(
      await patch(`/v1/conversations/${conv.id}`, { title: null }, { key }),
      400,
      "invalid_request_error",
    );
    expectError(
      await post("/v1/conversations", "{not json", { key }),
      400,
      "invalid_request_error",
      "invalid_json",
    );
  });

  it("refuses a persona the caller cannot see and a model that does not resolve", async () => {
    const a = await createUser();
    const b = await createUser();
    const hidden = await createPersona(b.key);
    const conv = await createConversation(a.key);
    const path = `/v1/conversations/${conv.id}`;
    for (const persona_id of [hidden.id, "per_00000000000000000000000000"]) {
      for (const res of [
        await post("/v1/conversations", { persona_id }, { key: a.key }),
        await patch(path, { persona_id }, { key: a.key }),
      ]) {
        const err = expectError(res, 404, "not_found_error", "persona_not_found");
        expect(err.param).toBe("persona_id");
      }
    }
    for (const model of ["nope/x", "no-such-alias"]) {
      for (const res of [
        await post("/v1/conversations", { model }, { key: a.key }),
        await patch(path, { model, title: "changed" }, { key: a.key }),
      ]) {
        const err = expectError(res, 404, "not_found_error", "model_not_found");
        expect(err.param).toBe("model");
      }
    }
    expect((await get(path, { key: a.key })).json).toEqual(conv);
  });

  it("needs a valid key on every route", async () => {
    const { key } = await createUser();
    const { id } = await createConversation(key);
    for (const badKey of [null, "sk-sb-not-a-real-key"]) {
      const code = badKey ? "invalid_api_key" : "missing_api_key";
      const opts = { key: badKey };
      expectError(await post("/v1/conversations", {}, opts), 401, "authentication_error", code);
      expectError(await get("/v1/conversations", opts), 401, "authentication_error", code);
      expectError(await get(`/v1/conversations/${id}`, opts), 401, "authentication_error", code);
      expectError(
        await patch(`/v1/conversations/${id}`, { title: "x" }, opts),
        401,
        "authentication_error",
        code,
      );
      expectError(await del(`/v1/conversations/${id}`, opts), 401, "authentication_error", code);
      expectError(await get(`/v1/conversations/${id}/messages`, opts), 401, "authentication_error", code);
    }
  });

  it("needs a user key: the admin key owns no conversations", async () => {
    const { key } = await createUser();
    const { id } = await createConversation(key);
    const opts = { key: ADMIN_KEY };
    for (const res of [
      await post("/v1/conversations", {}, opts),
      await get("/v1/conversations", opts),
      await get(`/v1/conversations/${id}`, opts),
      await patch(`/v1/conversations/${id}`, { title: "x" }, opts),
      await del(`/v1/conversations/${id}`, opts),
      await get(`/v1/conversations/${id}/messages`, opts),
    ]) {
      expectError(res, 403, "permission_error", "user_key_required");
    }
  });
});

describe("conversations: tenancy", () => {
  it("answers 404 to anyone but the owner, admins included, and never lists others' conversations", async () => {
    const a = await createUser();
    const b = await createUser();
    const admin = await createUser({ role: "admin" });
    const conv = await createConversation(a.key, { title: "A's chat" });
    await insertMessage(conv.id, { content: [{ type: "text", text: "secret" }] });
    const path = `/v1/conversations/${conv.id}`;
    for (const key of [b.key, admin.key]) {
      await createConversation(key);
      expectError(await get(path, { key }), 404, "not_found_error", "conversation_not_found");
      expectError(
        await patch(path, { title: "mine" }, { key }),
        404,
        "not_found_error",
        "conversation_not_found",
      );
      expectError(await del(path, { key }), 404, "not_found_error", "conversation_not_found");
      expectError(await get(`${path}/messages`, { key }), 404, "not_found_error", "conversation_not_found");
      const { items } = await collectPages("/v1/conversations", { key, limit: 100 });
      expect(items.length).toBe(1);
      expect(items.map((c) => c.id)).not.toContain(conv.id);
    }
    expect((await get(path, { key: a.key })).json).toEqual(conv);
    expect((await get(`${path}/messages`, { key: a.key })).json.data).toHaveLength(1);
  });
});

describe("conversations: list", () => {
  it("pages by latest activity with no duplicates or gaps; an update moves a conversation to the front", async () => {
    const { key } = await createUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createConversation(key, { title: `chat ${i}` })).id);
    const newestFirst = [...ids].reverse();

    const first = await collectPages("/v1/conversations", { key, limit: 2 });
    expect(first.pages).toBe(3);
    expect(first.items.map((c) => c.id)).toEqual(newestFirst);

    await tick();
    await patch(`/v1/conversations/${ids[1]}`, { title: "revived" }, { key });
    const after = await collectPages("/v1/conversations", { key, limit: 2 });
    expect(after.items.map((c) => c.id)).toEqual([ids[1], ids[4], ids[3], ids[2], ids[0]]);
    const times = after.items.map((c) => Date.parse(c.updated_at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it("filters by persona", async () => {
    const { key } = await createUser();
    const persona = await createPersona(key);
    const withPersona = [
      (await createConversation(key, { persona_id: persona.id })).id,
      (await createConversation(key, { persona_id: persona.id })).id,
      (await createConversation(key, { persona_id: persona.id })).id,
    ];
    await createConversation(key);
    const { items } = await collectPages(`/v1/conversations?persona_id=${persona.id}`, { key, limit: 2 });
    expect(items.map((c) => c.id)).toEqual([...withPersona].reverse());
  });

  it("rejects bad list parameters", async () => {
    const { key } = await createUser();
    expectError(
      await get("/v1/conversations?limit=101", { key }),
      400,
      "invalid_request_error",
      "invalid_query",
    );
    const foreign = btoa(JSON.stringify(["cnv_x"])).replaceAll("=", "");
    for (const cursor of ["garbage", foreign]) {
      const err = expectError(
        await get(`/v1/conversations?cursor=${cursor}`, { key }),
        400,
        "invalid_request_error",
        "invalid_cursor",
      );
      expect(err.param).toBe("cursor");
    }
  });
});

describe("conversations: messages", () => {
  it("lists messages oldest first across pages, in the stored shape", async () => {
    const { key } = await createUser();
    const conv = await createConversation(key);
    const image = {
      type: "image_url",
      image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" },
    };
    const inserted = [
      await insertMessage(conv.id, { role: "system", content: [{ type: "text", text: "Be brief." }] }),
      await insertMessage(conv.id, { content: [{ type: "text", text: "What is this?" }, image] }),
      await insertMessage(conv.id, {
        role: "assistant",
        content: [{ type: "text", text: "A cat." }],
        model: "mock/echo",
        prompt_tokens: 12,
        completion_tokens: 3,
        latency_ms: 40,
        finish_reason: "stop",
      }),
      await insertMessage(conv.id),
      await insertMessage(conv.id),
    ];
    const other = await createConversation(key);
    await insertMessage(other.id);

    const { items, pages } = await collectPages(`/v1/conversations/${conv.id}/messages`, { key, limit: 2 });
    expect(pages).toBe(3);
    expect(items.map((m) => m.id)).toEqual(inserted.map((m) => m.id));
    expect(items[1]).toEqual({
      id: inserted[1]!.id,
      conversation_id: conv.id,
      role: "user",
      content: [{ type: "text", text: "What is this?" }, image],
      model: null,
      usage: null,
      latency_ms: null,
      finish_reason: null,
      created_at: new Date(inserted[1]!.createdAt).toISOString(),
    });
    expect(items[2]).toMatchObject({
      role: "assistant",
      model: "mock/echo",
      usage: { prompt_tokens: 12, completion_tokens: 3 },
      latency_ms: 40,
      finish_reason: "stop",
    });
  });

  it("answers an empty page for a conversation without messages, and 404 for an unknown one", async () => {
    const { key } = await createUser();
    const conv = await createConversation(key);
    expect((await get(`/v1/conversations/${conv.id}/messages`, { key })).json).toEqual({
      data: [],
      next_cursor: null,
    });
    expectError(
      await get("/v1/conversations/cnv_00000000000000000000000000/messages", { key }),
      404,
      "not_found_error",
      "conversation_not_found",
    );
    expectError(
      await get(`/v1/conversations/${conv.id}/messages?cursor=garbage`, { key }),
      400,
      "invalid_request_error",
      "invalid_cursor",
    );
  });
});

describe("cascades", () => {
  it("deleting a conversation deletes its messages", async () => {
    const { key } = await createUser();
    const conv = await createConversation(key);
    const kept = await createConversation(key);
    for (let i = 0; i < 3; i++) await insertMessage(conv.id);
    await insertMessage(kept.id);
    expect(await count("select count(*) as n from messages where conversation_id = ?", conv.id)).toBe(3);
    expect((await del(`/v1/conversations/${conv.id}`, { key })).status).toBe(204);
    expect(await count("select count(*) as n from messages where conversation_id = ?", conv.id)).toBe(0);
    expect(await count("select count(*) as n from messages where conversation_id = ?", kept.id)).toBe(1);
  });

  it("deleting a persona unlinks the conversations that used it and keeps their history", async () => {
    const { key } = await createUser();
    const persona = await createPersona(key);
    const conv = await createConversation(key, { persona_id: persona.id });
    await insertMessage(conv.id);
    expect((await del(`/v1/personas/${persona.id}`, { key })).status).toBe(204);
    expect((await get(`/v1/conversations/${conv.id}`, { key })).json.persona_id).toBeNull();
    expect((await get(`/v1/conversations/${conv.id}/messages`, { key })).json.data).toHaveLength(1);
  });

  it("deleting a user removes their keys, private personas, conversations and messages", async () => {
    const doomed = await createUser({ role: "admin" });
    const bystander = await createUser();
    await post(`/v1/users/${doomed.user.id}/api-keys`, { name: "second" });
    await createPersona(doomed.key);
    await createPersona(doomed.key);
    const shared = await createPersona(doomed.key, { visibility: "shared" });
    const convs = [await createConversation(doomed.key), await createConversation(doomed.key)];
    for (const c of convs) {
      await insertMessage(c.id);
      await insertMessage(c.id);
    }
    const theirs = await createConversation(bystander.key, { persona_id: shared.id });
    await insertMessage(theirs.id);

    const uid = doomed.user.id;
    expect(await count("select count(*) as n from api_keys where user_id = ?", uid)).toBe(2);
    expect(await count("select count(*) as n from personas where owner_id = ?", uid)).toBe(2);
    expect(await count("select count(*) as n from conversations where owner_id = ?", uid)).toBe(2);
    const msgs = "select count(*) as n from messages where conversation_id in (?, ?)";
    expect(await count(msgs, convs[0].id, convs[1].id)).toBe(4);

    expect((await del(`/v1/users/${uid}`)).status).toBe(204);
    expect(await count("select count(*) as n from api_keys where user_id = ?", uid)).toBe(0);
    expect(
      await count("select count(*) as n from personas where owner_id = ? or created_by = ?", uid, uid),
    ).toBe(0);
    expect(await count("select count(*) as n from conversations where owner_id = ?", uid)).toBe(0);
    expect(await count(msgs, convs[0].id, convs[1].id)).toBe(0);
    expectError(await get("/v1/me", { key: doomed.key }), 401, "authentication_error");

    // The shared persona outlives its author; others' conversations using it are untouched.
    const survivor = await get(`/v1/personas/${shared.id}`, { key: bystander.key });
    expect(survivor.json).toEqual(shared);
    const author = await env.DB.prepare("select created_by from personas where id = ?")
      .bind(shared.id)
      .first<{ created_by: string | null }>();
    expect(author).toEqual({ created_by: null });
    expect((await get(`/v1/conversations/${theirs.id}`, { key: bystander.key })).json.persona_id).toBe(
      shared.id,
    );
    expect(
      (await get(`/v1/conversations/${theirs.id}/messages`, { key: bystander.key })).json.data,
    ).toHaveLength(1);
  });
});
