import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ADMIN_KEY, configureVendorKeys, createUser, expectError, post } from "../helpers";
import { countingD1, type Trip } from "../storage-trips";

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  expect(
    (await post("/v1/model-configs", { alias: "hot", vendor: "openai", upstream_model: "gpt-4o-mini" }))
      .status,
  ).toBe(201);
  // The key's first use stamps last_used_at (once a minute, after the response): let it land first.
  const warm = await post(
    "/v1/chat/completions",
    { model: "mock/echo", messages: [{ role: "user", content: "warm" }] },
    { key },
  );
  expect(warm.status).toBe(200);
  for (let i = 0; i < 50; i++) {
    const row = await env.DB.prepare(
      "select count(*) as n from api_keys where last_used_at is not null",
    ).first<{ n: number }>();
    if (row?.n) break;
    await new Promise((r) => setTimeout(r, 20));
  }
});

/**
 * A request to the app over the counting database; returns the response and the statements. The
 * isolate's auth cache is off unless `vars` turn it on: most tests here count a cold call's reads.
 */
async function counted(request: Request, vars: Partial<Env> = {}) {
  const trips: Trip[] = [];
  const db = countingD1(env.DB, trips);
  const ctx = createExecutionContext();
  const res = await createApp().fetch(request, { ...env, AUTH_CACHE_SECONDS: "0", ...vars, DB: db }, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, text, log: trips.map((t) => t.what) };
}

const chatRequest = (body: Record<string, unknown>, apiKey = key) =>
  new Request("http://w/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hot" }], ...body }),
  });

async function roundTrips(body: Record<string, unknown>, vars: Partial<Env> = {}, apiKey = key) {
  const { status, text, log } = await counted(chatRequest(body, apiKey), vars);
  expect(status, text).toBe(200);
  return log;
}

describe("the chat completions hot path", () => {
  it("makes one D1 round trip: the key, its user and the model in one statement", async () => {
    for (const body of [
      { model: "openai/gpt-4o-mini" },
      { model: "hot" },
      { model: "openai/gpt-4o-mini", stream: true },
      { model: "mock/echo" },
    ]) {
      const log = await roundTrips(body);
      expect(log, JSON.stringify(body)).toHaveLength(1);
      expect(log[0], JSON.stringify(body)).toMatch(/^\s*select\s+k\.id as k_id/);
    }
  });

  it("makes one round trip for a large vision body too, parsing it once", async () => {
    const image = `data:image/png;base64,${"A".repeat(200_000)}`;
    const log = await roundTrips({
      model: "openai/gpt-4o-mini",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is this?" },
            { type: "image_url", image_url: { url: image } },
          ],
        },
      ],
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^\s*select\s+k\.id as k_id/);
  });

  it("still answers a body that is not JSON with 400 invalid_json", async () => {
    const res = await post("/v1/chat/completions", '{"model": "openai/gpt-4o-mini",', { key });
    expectError(res, 400, "invalid_request_error", "invalid_json");
  });
});

describe("the conversation message path", () => {
  /** A message to one of the key's conversations; returns the statements it ran. */
  async function turnTrips(conversation: Record<string, unknown>, body: Record<string, unknown> = {}) {
    const created = await post("/v1/conversations", conversation, { key });
    expect(created.status, created.text).toBe(201);
    const { status, text, log } = await counted(
      new Request(`http://w/v1/conversations/${created.json.id}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ content: "hot turn", ...body }),
      }),
    );
    expect(status, text).toBe(201);
    return { log, text };
  }

  it("reads the key, the turn and its model in one round trip, and writes the turn in one", async () => {
    const persona = await post(
      "/v1/personas",
      { name: "Hot", system_prompt: "Be brief.", model: "hot", visibility: "private" },
      { key },
    );
    expect(persona.status, persona.text).toBe(201);
    for (const [conversation, body, answeredBy] of [
      [{ model: "openai/gpt-4o-mini" }, {}, "openai/gpt-4o-mini"],
      // The persona's alias, resolved from the same round trip.
      [{ persona_id: persona.json.id }, {}, "openai/gpt-4o-mini"],
      // The request's model wins over the conversation's.
      [{ model: "openai/gpt-4o-mini" }, { model: "mock/echo" }, "mock/echo"],
    ] as const) {
      const { log, text } = await turnTrips(conversation, body);
      expect(log, JSON.stringify(conversation)).toEqual(["batch(8)", "batch(2)"]);
      expect(JSON.parse(text).assistant_message.model, JSON.stringify(body)).toBe(answeredBy);
    }
  });
});

describe("the isolate's auth cache (AUTH_CACHE_SECONDS)", () => {
  // The default bound (5 s), as deployed: the other tests of this file turn the cache off.
  const cached = { AUTH_CACHE_SECONDS: undefined };

  it("is off with AUTH_CACHE_SECONDS=0: every call reads the key", async () => {
    for (let i = 0; i < 2; i++) expect(await roundTrips({ model: "openai/gpt-4o-mini" })).toHaveLength(1);
  });

  it("lets repeated calls with the same key and model reach the vendor without D1", async () => {
    const { key: own } = await createUser();
    // The first call reads (and stamps last_used_at once, after the response).
    expect(
      (await roundTrips({ model: "hot" }, cached, own)).filter((q) => /k\.id as k_id/.test(q)),
    ).toHaveLength(1);
    expect(await roundTrips({ model: "hot" }, cached, own)).toEqual([]);
    expect(await roundTrips({ model: "hot", stream: true }, cached, own)).toEqual([]);
    // Another model is another read.
    expect(await roundTrips({ model: "openai/gpt-4o-mini" }, cached, own)).toHaveLength(1);
    // A route with no model (the models list) reads the key alone, once, then from the cache too.
    const keyReads = async () =>
      (
        await counted(
          new Request("http://w/v1/models", { headers: { authorization: `Bearer ${own}` } }),
          cached,
        )
      ).log.filter((q) => /k\.id as k_id/.test(q));
    expect(await keyReads()).toHaveLength(1);
    expect(await keyReads()).toEqual([]);
  });

  it("takes a revocation through this isolate at once", async () => {
    const { user, key: own } = await createUser();
    await roundTrips({ model: "hot" }, cached, own);
    expect(await roundTrips({ model: "hot" }, cached, own)).toEqual([]);
    const keys = await counted(
      new Request(`http://w/v1/users/${user.id}/api-keys`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      }),
    );
    const keyId = (JSON.parse(keys.text) as { data: { id: string }[] }).data[0]?.id;
    const revoked = await counted(
      new Request(`http://w/v1/users/${user.id}/api-keys/${keyId}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      }),
    );
    expect(revoked.status, revoked.text).toBe(204);
    const refused = await counted(chatRequest({ model: "hot" }, own), cached);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text).error.code).toBe("revoked_api_key");
  });

  it("never keeps a wrong key: each one is checked", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await counted(
        chatRequest({ model: "hot" }, "sk-sb-wrongwrongwrongwrongwrongwrong"),
        cached,
      );
      expect(res.status).toBe(401);
      expect(res.log).toHaveLength(1);
    }
  });
});
