import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, expectError, get, patch, post, scenario } from "../helpers";

/**
 * Scoped API keys (README "Scoped keys"): a model allow-list checked on every model route, a
 * key's own budgets held beside its user's, and metadata tags carried into usage records.
 */

beforeAll(configureVendorKeys);

/** A key for the user, created by the admin with these scopes. */
async function scopedKey(userId: string, scopes: Record<string, unknown>) {
  const res = await post(`/v1/users/${userId}/api-keys`, { name: "scoped", ...scopes });
  expect(res.status, res.text).toBe(201);
  return { key: res.json.key as string, keyId: res.json.id as string, created: res.json };
}

async function alias(upstream = "echo", vendor = "mock", fallbacks: string[] = []) {
  const name = `fast-${crypto.randomUUID().slice(0, 8)}`;
  const res = await post("/v1/model-configs", { alias: name, vendor, upstream_model: upstream, fallbacks });
  expect(res.status, res.text).toBe(201);
  return name;
}

async function upstreamLog(model: string) {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`);
  return (await res.json()) as unknown[];
}

const chat = (key: string, model: string, extra: Record<string, unknown> = {}) =>
  post("/v1/chat/completions", { model, messages: [{ role: "user", content: "hello" }], ...extra }, { key });

const ANTHROPIC = { "anthropic-version": "2023-06-01" };

/** Every model route, each sending `model` as its dialect does (a conversation: through its own model). */
const MODEL_ROUTES: {
  name: string;
  envelope: "gateway" | "anthropic";
  send(key: string, model: string): Promise<Awaited<ReturnType<typeof post>>>;
}[] = [
  { name: "chat completions", envelope: "gateway", send: (key, model) => chat(key, model) },
  {
    name: "images",
    envelope: "gateway",
    send: (key, model) => post("/v1/images/generations", { model, prompt: "a fox" }, { key }),
  },
  {
    name: "embeddings",
    envelope: "gateway",
    send: (key, model) => post("/v1/embeddings", { model, input: "a fox" }, { key }),
  },
  {
    name: "conversation messages (the conversation's model)",
    envelope: "gateway",
    async send(key, model) {
      const conv = await post("/v1/conversations", { model }, { key });
      expect(conv.status, conv.text).toBe(201);
      return post(`/v1/conversations/${conv.json.id}/messages`, { content: "hello" }, { key });
    },
  },
  {
    name: "conversation messages (the persona's model)",
    envelope: "gateway",
    async send(key, model) {
      const persona = await post("/v1/personas", { name: "p", system_prompt: "Be brief.", model }, { key });
      expect(persona.status, persona.text).toBe(201);
      const conv = await post("/v1/conversations", { persona_id: persona.json.id }, { key });
      expect(conv.status, conv.text).toBe(201);
      return post(`/v1/conversations/${conv.json.id}/messages`, { content: "hello" }, { key });
    },
  },
  {
    name: "Anthropic messages",
    envelope: "anthropic",
    send: (key, model) =>
      post(
        "/v1/messages",
        { model, max_tokens: 32, messages: [{ role: "user", content: "hello" }] },
        { key, headers: ANTHROPIC },
      ),
  },
  {
    name: "Anthropic count_tokens",
    envelope: "anthropic",
    send: (key, model) =>
      post(
        "/v1/messages/count_tokens",
        { model, messages: [{ role: "user", content: "hello" }] },
        { key, headers: ANTHROPIC },
      ),
  },
  {
    name: "responses",
    envelope: "gateway",
    send: (key, model) => post("/v1/responses", { model, input: "hello", store: false }, { key }),
  },
  {
    name: "responses input_tokens",
    envelope: "gateway",
    send: (key, model) => post("/v1/responses/input_tokens", { model, input: "hello" }, { key }),
  },
  {
    name: "responses compact",
    envelope: "gateway",
    send: (key, model) => post("/v1/responses/compact", { model, input: "hello" }, { key }),
  },
];

describe("a key's models", () => {
  it("refuse any other model with 403 model_not_allowed on every model route, before the vendor", async () => {
    const { user } = await createUser();
    const { key } = await scopedKey(user.id, { models: ["mock/*"] });
    for (const route of MODEL_ROUTES) {
      const upstream = scenario("inspect");
      const model = `openai/${upstream}`;
      const res = await route.send(key, model);
      expect(res.status, `${route.name}: ${res.text}`).toBe(403);
      const message = `This API key may not use the model \`${model}\`; it may use: \`mock/*\`.`;
      if (route.envelope === "anthropic") {
        // Anthropic's envelope has no `param`: it leads the message.
        expect(res.json, route.name).toEqual({
          type: "error",
          error: { type: "permission_error", message: `model: ${message}` },
          request_id: expect.any(String),
        });
      } else {
        const error = expectError(res, 403, "permission_error", "model_not_allowed");
        expect(error.message, route.name).toBe(message);
        expect(error.param, route.name).toBe("model");
      }
      expect(await upstreamLog(upstream), route.name).toEqual([]);
    }
  });

  it("allow exact names and trailing-* patterns, and an admin's fallbacks on an allowed alias", async () => {
    const fast = await alias();
    const failing = scenario("fail-500");
    const guarded = await alias(failing, "openai", ["mock/echo"]);
    const { user } = await createUser();
    const { key } = await scopedKey(user.id, { models: [fast, guarded, "openai/gpt-4o*"] });
    expect((await chat(key, fast)).status).toBe(200);
    const prefixed = await chat(key, `openai/gpt-4o-${scenario("plain")}`);
    expect(prefixed.status, prefixed.text).toBe(200);
    // The alias is the client's choice; its fallback is the admin's, so it is not checked.
    const fellBack = await chat(key, guarded);
    expect(fellBack.status, fellBack.text).toBe(200);
    expect(fellBack.headers.get("x-switchboard-fallback")).toBe("mock/echo");
    // Patterns are prefixes only where they end in `*`; exact names match exactly.
    expectError(await chat(key, "mock/echo"), 403, "permission_error", "model_not_allowed");
    expectError(await chat(key, `${fast}x`), 403, "permission_error", "model_not_allowed");

    const everything = await scopedKey(user.id, { models: ["*"] });
    expect((await chat(everything.key, "mock/echo")).status).toBe(200);
    const none = await scopedKey(user.id, { models: [] });
    const refused = expectError(
      await chat(none.key, "mock/echo"),
      403,
      "permission_error",
      "model_not_allowed",
    );
    expect(refused.message).toBe("This API key may not use the model `mock/echo`; it may use: no model.");
  });

  it("are what GET /v1/models lists, in either list shape", async () => {
    const fast = await alias();
    const { user, key: unscoped } = await createUser();
    const { key } = await scopedKey(user.id, { models: [fast, "mock/*"] });
    const all = (await get("/v1/models", { key: unscoped })).json.data.map((m: { id: string }) => m.id);
    expect(all).toContain("openai/gpt-4o-mini");
    const ids = (await get("/v1/models", { key })).json.data.map((m: { id: string }) => m.id);
    expect(ids).toContain(fast);
    expect(ids).toContain("mock/echo");
    expect(ids.every((id: string) => id === fast || id.startsWith("mock/"))).toBe(true);
    expect(ids).toEqual(all.filter((id: string) => id === fast || id.startsWith("mock/")));
    const anthropic = await get("/v1/models?limit=1000", { key, headers: ANTHROPIC });
    expect(anthropic.json.data.map((m: { id: string }) => m.id)).toEqual(ids);
  });

  it("change with PATCH from the key's next request on, and are listed to the key's user", async () => {
    const { user, key, keyId } = await createUser();
    expect((await chat(key, "mock/echo")).status).toBe(200);
    const scoped = await patch(`/v1/users/${user.id}/api-keys/${keyId}`, { models: ["anthropic/*"] });
    expect(scoped.status, scoped.text).toBe(200);
    expect(scoped.json.models).toEqual(["anthropic/*"]);
    expectError(await chat(key, "mock/echo"), 403, "permission_error", "model_not_allowed");
    const listed = await get(`/v1/users/${user.id}/api-keys`, { key });
    expect(listed.json.data.find((k: { id: string }) => k.id === keyId).models).toEqual(["anthropic/*"]);
    const lifted = await patch(`/v1/users/${user.id}/api-keys/${keyId}`, { models: null });
    expect(lifted.json.models).toBeNull();
    expect((await chat(key, "mock/echo")).status).toBe(200);
  });
});

describe("writing a key's scopes", () => {
  it("refuses bad patterns, too many tags and bad tag names with 400 naming the field", async () => {
    const { user, keyId } = await createUser();
    const path = `/v1/users/${user.id}/api-keys`;
    const cases: [Record<string, unknown>, string][] = [
      [{ models: ["mock/echo", "an*thing"] }, "models.1"],
      [{ models: [""] }, "models.0"],
      [{ models: ["mock/ echo"] }, "models.0"],
      [{ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`t${i}`, "v"])) }, "metadata"],
      [{ metadata: { "Bad Key": "v" } }, "metadata.Bad Key"],
      [{ metadata: { team: "x".repeat(201) } }, "metadata.team"],
      [{ metadata: { team: 1 } }, "metadata.team"],
    ];
    for (const [body, param] of cases) {
      for (const res of [await post(path, body), await patch(`${path}/${keyId}`, body)]) {
        const error = expectError(res, 400, "invalid_request_error", "invalid_body");
        expect(error.param, JSON.stringify(body)).toBe(param);
      }
    }
    // Sixteen tags with names of every allowed character are fine.
    const tags = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`a-b_c.${i}`, "v"]));
    expect((await post(path, { metadata: tags })).json.metadata).toEqual(tags);
  });

  it("lets a user give its own new key models and tags, never budgets nor more than its key has", async () => {
    const { user, key } = await createUser();
    const path = `/v1/users/${user.id}/api-keys`;
    const own = await post(path, { models: ["mock/*"], metadata: { team: "a" } }, { key });
    expect(own.status, own.text).toBe(201);
    expect(own.json).toMatchObject({ models: ["mock/*"], metadata: { team: "a" } });
    expectError(
      await post(path, { budgets: { daily_tokens: 10 } }, { key }),
      403,
      "permission_error",
      "admin_required",
    );
    // The scoped key can mint only keys within its own list.
    const scoped = own.json.key as string;
    for (const models of [null, ["*"], ["openai/gpt-4o"], ["mock*"]]) {
      expectError(
        await post(path, models === null ? {} : { models }, { key: scoped }),
        403,
        "permission_error",
        "scope_escalation",
      );
    }
    const narrower = await post(path, { models: ["mock/echo", "mock/emb*"] }, { key: scoped });
    expect(narrower.status, narrower.text).toBe(201);
    // A key with budgets of its own mints none: a new key would not be bound by them.
    const budgeted = await scopedKey(user.id, { budgets: { daily_tokens: 1000 } });
    expectError(await post(path, {}, { key: budgeted.key }), 403, "permission_error", "scope_escalation");
    // Nor may a user change a key's scopes, its own included; another user's key is not there.
    expectError(
      await patch(`${path}/${own.json.id}`, { models: null }, { key }),
      403,
      "permission_error",
      "admin_required",
    );
    const other = await createUser();
    for (const body of [{ models: null }, { budgets: { daily_tokens: null } }, { metadata: null }]) {
      expectError(await patch(`${path}/${own.json.id}`, body, { key: other.key }), 404, "not_found_error");
    }
    expectError(
      await post(path, { models: ["*"] }, { key: other.key }),
      404,
      "not_found_error",
      "user_not_found",
    );
  });
});

const conversationIn = async (key: string, model = "mock/echo") => {
  const res = await post("/v1/conversations", { model }, { key });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
};
const send = (key: string, conv: string, body: Record<string, unknown>) =>
  post(`/v1/conversations/${conv}/messages`, body, { key });

async function userWithBudgets(budgets: Record<string, number>) {
  const res = await post("/v1/users", { email: `${crypto.randomUUID()}@example.com`, budgets });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

/** Polls a budget route (≤ 2 s) until the settles after the responses have landed. */
async function settled(path: string, done: (b: any) => boolean) {
  let budget: any;
  for (let i = 0; i < 40; i++) {
    budget = (await get(path)).json;
    if (done(budget)) return budget;
    await new Promise((r) => setTimeout(r, 50));
  }
  return budget;
}

describe("a key's own budgets", () => {
  it("refuse before the user's when tighter, saying it is the key's, and both count what was spent", async () => {
    const userId = await userWithBudgets({ daily_tokens: 1000 });
    const { key, keyId } = await scopedKey(userId, { budgets: { daily_tokens: 50 } });
    const conv = await conversationIn(key);
    // Estimate: 6 prompt tokens + max_tokens 100 = 106: within the user's 1000, past the key's 50.
    const refused = expectError(
      await send(key, conv, { content: "hello", max_tokens: 100 }),
      429,
      "rate_limit_error",
      "budget_exceeded",
    );
    expect(refused.message).toMatch(
      /^This request would exceed the API key's daily token budget of 50 tokens: 0 tokens spent or reserved by calls in flight, this request estimated at 106 tokens\./,
    );
    // One that fits is counted in both (the mock reports 6 + 2 tokens).
    expect((await send(key, conv, { content: "hello", max_tokens: 10 })).status).toBe(201);
    const keyPath = `/v1/users/${userId}/api-keys/${keyId}/budget`;
    const keyBudget = await settled(keyPath, (b) => b.daily.spent_tokens === 8);
    expect(keyBudget).toMatchObject({ user_id: userId, key_id: keyId });
    expect(keyBudget.daily).toMatchObject({ limit_tokens: 50, spent_tokens: 8, limit_usd: null });
    const userBudget = await settled(`/v1/users/${userId}/budget`, (b) => b.daily.spent_tokens === 8);
    expect(userBudget.daily).toMatchObject({ limit_tokens: 1000, spent_tokens: 8 });
    // The key's user reads it too; another user's key budget is a 404.
    expect((await get(keyPath, { key })).json.daily.spent_tokens).toBe(8);
    const other = await createUser();
    expectError(await get(keyPath, { key: other.key }), 404, "not_found_error", "user_not_found");
    expectError(
      await get(`/v1/users/${other.user.id}/api-keys/${keyId}/budget`),
      404,
      "not_found_error",
      "api_key_not_found",
    );
  });

  it("let the user's budget refuse when it is the tighter one, saying it is the user's", async () => {
    const userId = await userWithBudgets({ daily_tokens: 50 });
    const { key, keyId } = await scopedKey(userId, { budgets: { daily_tokens: 1000 } });
    const conv = await conversationIn(key);
    const refused = expectError(
      await send(key, conv, { content: "hello", max_tokens: 100 }),
      429,
      "rate_limit_error",
      "budget_exceeded",
    );
    expect(refused.message).toMatch(/^This request would exceed the user's daily token budget of 50 tokens/);
    expect((await send(key, conv, { content: "hello", max_tokens: 10 })).status).toBe(201);
    const keyBudget = await settled(
      `/v1/users/${userId}/api-keys/${keyId}/budget`,
      (b) => b.daily.spent_tokens === 8,
    );
    expect(keyBudget.daily.spent_tokens).toBe(8);
    // The refused call spent nothing in the key's budget, and its hold there was given back.
    expect(keyBudget.daily.spent_tokens + keyBudget.daily.reserved_tokens).toBeLessThanOrEqual(1000);
    // An admin PATCH sets or lifts them from the next request on.
    const lowered = await patch(`/v1/users/${userId}/api-keys/${keyId}`, { budgets: { daily_tokens: 5 } });
    expect(lowered.json.budgets).toMatchObject({ daily_tokens: 5, daily_usd: null });
    const now = expectError(
      await send(key, conv, { content: "hello", max_tokens: 1 }),
      429,
      "rate_limit_error",
      "budget_exceeded",
    );
    expect(now.message).toContain("the API key's daily token budget of 5 tokens");
  });

  it("hold each call's estimate while in flight, so concurrent calls cannot pass the key's budget", async () => {
    const { user } = await createUser();
    const { key, keyId } = await scopedKey(user.id, { budgets: { daily_tokens: 80 } });
    // Never answers: every call that got through is in flight while the others ask, until the
    // 2 s timeout ends it and releases its hold. 14 prompt + 5 = 19 tokens each: four fit in 80.
    const upstream = scenario("hang");
    const conversations = await Promise.all(Array.from({ length: 10 }, () => conversationIn(key)));
    const results = await Promise.all(
      conversations.map((c) =>
        post(
          `/v1/conversations/${c}/messages`,
          { content: "x".repeat(40), max_tokens: 5, model: `openai/${upstream}` },
          { key, headers: { "x-timeout-ms": "2000" } },
        ),
      ),
    );
    expect(results.map((r) => r.json.error.code).sort()).toEqual([
      ...Array(6).fill("budget_exceeded"),
      ...Array(4).fill("upstream_timeout"),
    ]);
    for (const r of results.filter((r) => r.json.error.code === "budget_exceeded")) {
      expect(r.json.error.message).toContain("the API key's daily token budget of 80 tokens");
    }
    expect(await upstreamLog(upstream)).toHaveLength(4);
    const budget = (await get(`/v1/users/${user.id}/api-keys/${keyId}/budget`)).json;
    expect(budget.daily.spent_tokens).toBe(0);
    expect(budget.daily.reserved_tokens).toBeLessThanOrEqual(80);
  });
});

async function usageRow(requestId: string) {
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare("select key_metadata from usage_events where request_id = ?")
      .bind(requestId)
      .first<{ key_metadata: string | null }>();
    if (row) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no usage row for ${requestId}`);
}

describe("a key's metadata", () => {
  it("is carried into each usage record, and usage groups and filters by tag", async () => {
    const { user, key: plain } = await createUser();
    const search = await scopedKey(user.id, { metadata: { team: "search", env: "prod" } });
    const ads = await scopedKey(user.id, { metadata: { team: "ads" } });
    const calls = [
      await chat(search.key, "mock/echo"),
      await chat(search.key, "mock/echo"),
      await chat(ads.key, "mock/echo"),
      await chat(plain, "mock/echo"),
    ];
    const rows = await Promise.all(calls.map((c) => usageRow(String(c.headers.get("x-request-id")))));
    expect(rows.map((r) => r.key_metadata && JSON.parse(r.key_metadata))).toEqual([
      { team: "search", env: "prod" },
      { team: "search", env: "prod" },
      { team: "ads" },
      null,
    ]);
    // Tags are read at call time: a later change leaves recorded calls as they were.
    await patch(`/v1/users/${user.id}/api-keys/${ads.keyId}`, { metadata: { team: "brand" } });

    const groups = async (query: string, key?: string) => {
      const res = await get(`/v1/usage?${query}`, { key: key ?? plain });
      expect(res.status, res.text).toBe(200);
      return res.json.data.map((g: { key: string | null; requests: number }) => [g.key, g.requests]);
    };
    expect(await groups("group_by=tag:team")).toEqual([
      [null, 1],
      ["ads", 1],
      ["search", 2],
    ]);
    expect(await groups("group_by=tag:env")).toEqual([
      [null, 2],
      ["prod", 2],
    ]);
    expect(await groups("group_by=key&tag=team:search")).toEqual([[search.keyId, 2]]);
    expect(await groups("group_by=tag:team&tag=team:search&tag=env:prod")).toEqual([["search", 2]]);
    expect(await groups("group_by=tag:team&tag=team:search&tag=env:dev")).toEqual([]);
    const admin = await get(`/v1/admin/usage?user_id=${user.id}&group_by=tag:team&tag=team:ads`);
    expect(admin.status, admin.text).toBe(200);
    expect(admin.json).toMatchObject({ group_by: "tag:team", totals: { requests: 1 } });

    for (const [query, param] of [
      ["group_by=tag:Team", "group_by"],
      ["group_by=tags", "group_by"],
      ["tag=team", "tag"],
      ["tag=Bad:x", "tag"],
    ] as const) {
      const res = await get(`/v1/usage?${query}`, { key: plain });
      expect(expectError(res, 400, "invalid_request_error", "invalid_query").param, query).toBe(param);
    }
  });
});
