import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { collectPages, createUser, del, expectError, get, post } from "../helpers";

const waitForLastUsed = async (keyId: string) => {
  // last_used_at is written after the response (waitUntil); poll D1 briefly for it.
  for (let i = 0; i < 50; i++) {
    const row = await env.DB.prepare("select last_used_at from api_keys where id = ?")
      .bind(keyId)
      .first<{ last_used_at: number | null }>();
    if (row?.last_used_at) return row.last_used_at;
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
};

describe("API keys", () => {
  it("creates a key shown once, stored only as a hash", async () => {
    const { user } = await createUser();
    const created = await post(`/v1/users/${user.id}/api-keys`, { name: "ci" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "ci", expires_at: null });
    expect(created.json.key).toMatch(/^sk-sb-[A-Za-z0-9_-]{32}$/);
    expect(created.json.key.startsWith(created.json.prefix)).toBe(true);
    expect(Object.keys(created.json).sort()).toEqual([
      "budgets",
      "created_at",
      "expires_at",
      "id",
      "key",
      "metadata",
      "models",
      "name",
      "prefix",
      "rate_limit_per_minute",
    ]);
    // Unscoped unless asked: every model, no budgets of its own, no tags.
    expect(created.json).toMatchObject({
      models: null,
      metadata: null,
      budgets: { daily_usd: null, monthly_usd: null, daily_tokens: null, monthly_tokens: null },
    });

    const row = await env.DB.prepare("select * from api_keys where id = ?")
      .bind(created.json.id)
      .first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(created.json.key);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(created.json.key));
    expect(row?.hash).toBe([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join(""));

    const list = await get(`/v1/users/${user.id}/api-keys`);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(created.json.key);
    expect(list.text).not.toContain(String(row?.hash));
    const listed = list.json.data.find((k: any) => k.id === created.json.id);
    expect(listed).toMatchObject({ name: "ci", prefix: created.json.prefix, revoked_at: null });
    expect(listed).not.toHaveProperty("key");
    expect(listed).not.toHaveProperty("hash");
  });

  it("lets a user manage their own keys, and hides other users' keys as 404", async () => {
    const a = await createUser();
    const b = await createUser();
    const own = await post(`/v1/users/${a.user.id}/api-keys`, { name: "self" }, { key: a.key });
    expect(own.status).toBe(201);
    expect((await get(`/v1/users/${a.user.id}/api-keys`, { key: a.key })).json.data).toHaveLength(2);

    expectError(
      await get(`/v1/users/${a.user.id}/api-keys`, { key: b.key }),
      404,
      "not_found_error",
      "user_not_found",
    );
    expectError(await post(`/v1/users/${a.user.id}/api-keys`, {}, { key: b.key }), 404, "not_found_error");
    expectError(
      await del(`/v1/users/${a.user.id}/api-keys/${a.keyId}`, { key: b.key }),
      404,
      "not_found_error",
    );
    // A key of A's addressed under B's user id is not found either.
    expectError(
      await del(`/v1/users/${b.user.id}/api-keys/${a.keyId}`, { key: b.key }),
      404,
      "not_found_error",
      "api_key_not_found",
    );
    expect((await get("/v1/me", { key: a.key })).status).toBe(200);
  });

  it("404s for an unknown user or key (admin)", async () => {
    expectError(await post("/v1/users/usr_nope/api-keys", {}), 404, "not_found_error", "user_not_found");
    expectError(await get("/v1/users/usr_nope/api-keys"), 404, "not_found_error");
    const { user } = await createUser();
    expectError(
      await del(`/v1/users/${user.id}/api-keys/key_nope`),
      404,
      "not_found_error",
      "api_key_not_found",
    );
  });

  it("validates expires_at and name", async () => {
    const { user } = await createUser();
    const past = await post(`/v1/users/${user.id}/api-keys`, { expires_at: "2001-01-01T00:00:00Z" });
    expect(expectError(past, 400, "invalid_request_error", "invalid_expires_at").param).toBe("expires_at");
    expectError(
      await post(`/v1/users/${user.id}/api-keys`, { expires_at: "tomorrow" }),
      400,
      "invalid_request_error",
    );
    expectError(await post(`/v1/users/${user.id}/api-keys`, { name: "" }), 400, "invalid_request_error");
    expectError(await post(`/v1/users/${user.id}/api-keys`, { key: "mine" }), 400, "invalid_request_error");
  });

  it("revokes idempotently and keeps the revoked key listed", async () => {
    const { user, keyId } = await createUser();
    expect((await del(`/v1/users/${user.id}/api-keys/${keyId}`)).status).toBe(204);
    expect((await del(`/v1/users/${user.id}/api-keys/${keyId}`)).status).toBe(204);
    const listed = (await get(`/v1/users/${user.id}/api-keys`)).json.data[0];
    expect(listed.id).toBe(keyId);
    expect(new Date(listed.revoked_at).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("records last_used_at after use, at most once a minute", async () => {
    const { key, keyId } = await createUser();
    const before = await env.DB.prepare("select last_used_at from api_keys where id = ?").bind(keyId).first();
    expect(before?.last_used_at).toBeNull();
    await get("/v1/me", { key });
    const first = await waitForLastUsed(keyId);
    expect(first).not.toBeNull();
    await get("/v1/me", { key });
    await new Promise((r) => setTimeout(r, 30));
    expect(await waitForLastUsed(keyId)).toBe(first);
  });

  it("paginates a user's keys", async () => {
    const { user } = await createUser();
    for (let i = 0; i < 4; i++) await post(`/v1/users/${user.id}/api-keys`, { name: `k${i}` });
    const { items, pages } = await collectPages(`/v1/users/${user.id}/api-keys`, { limit: 2 });
    expect(items.map((k) => k.name)).toEqual(["k3", "k2", "k1", "k0", "test"]);
    expect(pages).toBe(3);
  });
});
