import { describe, expect, it } from "vitest";
import { collectPages, createUser, del, expectError, get, patch, post } from "../helpers";

describe("users", () => {
  it("creates, reads, updates and deletes a user (admin key)", async () => {
    const created = await post("/v1/users", { email: "Grace@Example.com", name: "Grace", role: "admin" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ email: "grace@example.com", name: "Grace", role: "admin" });
    expect(created.json.id).toMatch(/^usr_[0-9A-Z]{26}$/);
    expect(new Date(created.json.created_at).toISOString()).toBe(created.json.created_at);

    const read = await get(`/v1/users/${created.json.id}`);
    expect(read.json).toEqual(created.json);

    const updated = await patch(`/v1/users/${created.json.id}`, { name: "Grace H.", role: "user" });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ name: "Grace H.", role: "user", email: "grace@example.com" });
    expect(Date.parse(updated.json.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.json.updated_at));

    expect((await del(`/v1/users/${created.json.id}`)).status).toBe(204);
    expectError(await get(`/v1/users/${created.json.id}`), 404, "not_found_error", "user_not_found");
    expectError(await del(`/v1/users/${created.json.id}`), 404, "not_found_error");
  });

  it("defaults role to user and name to null", async () => {
    const res = await post("/v1/users", { email: "plain@example.com" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ role: "user", name: null });
  });

  it("refuses a duplicate email, case-insensitively, on create and update", async () => {
    await post("/v1/users", { email: "dup@example.com" });
    const err = expectError(
      await post("/v1/users", { email: "DUP@example.com" }),
      409,
      "conflict_error",
      "email_taken",
    );
    expect(err.param).toBe("email");
    const other = await post("/v1/users", { email: "other@example.com" });
    expectError(
      await patch(`/v1/users/${other.json.id}`, { email: "dup@example.com" }),
      409,
      "conflict_error",
    );
  });

  it("validates the body", async () => {
    const bad = expectError(
      await post("/v1/users", { email: "not-an-email" }),
      400,
      "invalid_request_error",
      "invalid_body",
    );
    expect(bad.param).toBe("email");
    expectError(await post("/v1/users", { email: "a@b.co", role: "root" }), 400, "invalid_request_error");
    expectError(await post("/v1/users", { email: "a@b.co", extra: 1 }), 400, "invalid_request_error");
    expectError(await post("/v1/users", {}), 400, "invalid_request_error");
    expectError(await patch("/v1/users/usr_x", { role: 5 }), 400, "invalid_request_error");
  });

  it("is admin only: a user key gets 403, an admin user's key works", async () => {
    const { key } = await createUser();
    expectError(await get("/v1/users", { key }), 403, "permission_error", "admin_required");
    expectError(await post("/v1/users", { email: "x@example.com" }, { key }), 403, "permission_error");
    const admin = await createUser({ role: "admin" });
    expect((await get("/v1/users", { key: admin.key })).status).toBe(200);
  });

  it("paginates newest first across several pages with no duplicates or gaps", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push((await post("/v1/users", { email: `page${i}@example.com` })).json.id);
    const { items, pages } = await collectPages("/v1/users", { limit: 3 });
    const listed = items.map((u) => u.id);
    expect(new Set(listed).size).toBe(listed.length);
    const ours = listed.filter((id) => ids.includes(id));
    expect(ours).toEqual([...ids].reverse());
    expect(pages).toBeGreaterThanOrEqual(3);
    expect([...listed].sort().reverse()).toEqual(listed);
  });

  it("rejects bad pagination parameters", async () => {
    expectError(await get("/v1/users?limit=0"), 400, "invalid_request_error", "invalid_query");
    expectError(await get("/v1/users?limit=101"), 400, "invalid_request_error");
    expectError(await get("/v1/users?cursor=garbage"), 400, "invalid_request_error", "invalid_cursor");
  });
});

describe("GET /v1/me", () => {
  it("describes a user key and the admin key", async () => {
    const { user, key, keyId } = await createUser();
    const me = await get("/v1/me", { key });
    expect(me.json).toMatchObject({
      auth: "api_key",
      is_admin: false,
      api_key_id: keyId,
      user: { id: user.id },
    });
    const root = await get("/v1/me");
    expect(root.json).toEqual({ auth: "admin_key", is_admin: true, user: null, api_key_id: null });
  });
});
