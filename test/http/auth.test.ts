import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { call, createUser, del, expectError, get, patch, post } from "../helpers";

describe("authentication", () => {
  it("refuses a missing key with 401 and WWW-Authenticate", async () => {
    const res = await get("/v1/me", { key: null });
    expectError(res, 401, "authentication_error", "missing_api_key");
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("refuses an unknown key and a malformed Authorization header", async () => {
    expectError(
      await get("/v1/me", { key: "sk-sb-not-a-real-key" }),
      401,
      "authentication_error",
      "invalid_api_key",
    );
    const basic = await get("/v1/me", { key: null, headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expectError(basic, 401, "authentication_error", "missing_api_key");
  });

  it("accepts the key as Bearer or x-api-key", async () => {
    const { user, key } = await createUser();
    expect((await get("/v1/me", { key })).json.user.id).toBe(user.id);
    const viaHeader = await get("/v1/me", { key: null, headers: { "x-api-key": key } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.json.user.id).toBe(user.id);
  });

  it("stops a revoked key at once", async () => {
    const { user, key, keyId } = await createUser();
    expect((await get("/v1/me", { key })).status).toBe(200);
    expect((await del(`/v1/users/${user.id}/api-keys/${keyId}`)).status).toBe(204);
    expectError(await get("/v1/me", { key }), 401, "authentication_error", "revoked_api_key");
  });

  it("stops an expired key at its expiry, though the isolate cached it", async () => {
    const { user } = await createUser();
    const expiresAt = Date.now() + 1000;
    const created = await post(`/v1/users/${user.id}/api-keys`, {
      expires_at: new Date(expiresAt).toISOString(),
    });
    expect(created.status).toBe(201);
    expect((await get("/v1/me", { key: created.json.key })).status).toBe(200);
    // The key's row is in this isolate's auth cache now; expiry is checked against the clock.
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 20));
    expectError(
      await get("/v1/me", { key: created.json.key }),
      401,
      "authentication_error",
      "expired_api_key",
    );
  });

  it("stops working when the user is deleted", async () => {
    const { user, key } = await createUser();
    expect((await del(`/v1/users/${user.id}`)).status).toBe(204);
    expectError(await get("/v1/me", { key }), 401, "authentication_error", "invalid_api_key");
  });

  it("gives a user with role admin admin rights, and takes them away on demotion", async () => {
    const admin = await createUser({ role: "admin" });
    expect((await get("/v1/users", { key: admin.key })).status).toBe(200);
    const demoted = await patch(`/v1/users/${admin.user.id}`, { role: "user" });
    expect(demoted.status).toBe(200);
    expectError(await get("/v1/users", { key: admin.key }), 403, "permission_error", "admin_required");
  });

  it("leaves health and docs public", async () => {
    expect((await get("/health", { key: null })).json).toMatchObject({ status: "ok" });
    expect((await get("/openapi.json", { key: null })).status).toBe(200);
    expect((await get("/docs", { key: null })).status).toBe(200);
  });
});

describe("ADMIN_API_KEY", () => {
  it("is never echoed in any response", async () => {
    const res = await get("/v1/me");
    expect(res.text).not.toContain(env.ADMIN_API_KEY);
  });
});

describe("every /v1 route", () => {
  const routes = createApp()
    // Generated-image links are public capabilities (see src/app.ts); everything else needs a key.
    .routes.filter(
      (r) => r.method !== "ALL" && r.path.startsWith("/v1/") && !r.path.startsWith("/v1/images/files/"),
    )
    .map((r) => ({ method: r.method, path: r.path.replace(/:[A-Za-z_]+/g, "x") }));

  it("is covered by this sweep", () => {
    expect(routes.length).toBeGreaterThan(25);
  });

  it("refuses a missing, unknown or revoked key with 401 before anything else", async () => {
    const { user, key, keyId } = await createUser();
    await del(`/v1/users/${user.id}/api-keys/${keyId}`);
    for (const { method, path } of routes) {
      for (const k of [null, "sk-sb-unknown", key]) {
        const res = await call(method, path, {
          key: k,
          body: method === "GET" || method === "DELETE" ? undefined : {},
        });
        expect(res.status, `${method} ${path} with ${k}`).toBe(401);
        expect(res.json.error.type).toBe("authentication_error");
      }
    }
  });
});
