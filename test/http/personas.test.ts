import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_KEY, collectPages, createUser, del, expectError, get, patch, post } from "../helpers";

const basics = { name: "Helper", system_prompt: "You are helpful.", model: "mock/echo" };

async function createPersona(key: string, body: Record<string, unknown> = {}) {
  const res = await post("/v1/personas", { ...basics, ...body }, { key });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json;
}

async function createdBy(personaId: string) {
  const row = await env.DB.prepare("select created_by from personas where id = ?")
    .bind(personaId)
    .first<{ created_by: string | null }>();
  return row?.created_by;
}

describe("personas: CRUD", () => {
  it("creates, reads, updates and deletes a private persona", async () => {
    const { user, key } = await createUser();
    const created = await post(
      "/v1/personas",
      {
        name: "  Translator ",
        description: "French to English",
        system_prompt: "Translate to English.",
        model: "mock/echo",
        temperature: 0.2,
        max_tokens: 512,
      },
      { key },
    );
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^per_[0-9A-Z]{26}$/),
      name: "Translator",
      description: "French to English",
      system_prompt: "Translate to English.",
      model: "mock/echo",
      temperature: 0.2,
      max_tokens: 512,
      visibility: "private",
      owner_id: user.id,
      created_at: expect.any(String),
      updated_at: created.json.created_at,
    });
    expect(await createdBy(created.json.id)).toBe(user.id);

    const path = `/v1/personas/${created.json.id}`;
    expect((await get(path, { key })).json).toEqual(created.json);

    const renamed = await patch(path, { name: "Traducteur" }, { key });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toEqual({ ...created.json, name: "Traducteur", updated_at: expect.any(String) });
    expect(Date.parse(renamed.json.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.json.updated_at));

    const cleared = await patch(path, { description: null, temperature: null, max_tokens: null }, { key });
    expect(cleared.json).toMatchObject({ description: null, temperature: null, max_tokens: null });
    expect(cleared.json.system_prompt).toBe("Translate to English.");

    expect((await del(path, { key })).status).toBe(204);
    expectError(await get(path, { key }), 404, "not_found_error", "persona_not_found");
    expectError(await del(path, { key }), 404, "not_found_error", "persona_not_found");
    expectError(await patch(path, { name: "x" }, { key }), 404, "not_found_error", "persona_not_found");
  });

  it("defaults optional fields to null and visibility to private", async () => {
    const { key } = await createUser();
    const persona = await createPersona(key);
    expect(persona).toMatchObject({
      description: null,
      temperature: null,
      max_tokens: null,
      visibility: "private",
    });
  });

  it("validates the body, naming the field", async () => {
    const { key } = await createUser();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "" }, "name"],
      [{ name: "x".repeat(201) }, "name"],
      [{ system_prompt: "   " }, "system_prompt"],
      [{ system_prompt: "x".repeat(100_001) }, "system_prompt"],
      [{ description: "x".repeat(2001) }, "description"],
      [{ temperature: 2.1 }, "temperature"],
      [{ temperature: -0.1 }, "temperature"],
      [{ max_tokens: 0 }, "max_tokens"],
      [{ max_tokens: 1.5 }, "max_tokens"],
      [{ max_tokens: 1_000_001 }, "max_tokens"],
      [{ visibility: "public" }, "visibility"],
      [{ model: 42 }, "model"],
    ];
    for (const [change, param] of cases) {
      const err = expectError(
        await post("/v1/personas", { ...basics, ...change }, { key }),
        400,
        "invalid_request_error",
        "invalid_body",
      );
      expect(err.param, JSON.stringify(change)).toBe(param);
    }
    const missing = expectError(
      await post("/v1/personas", { name: "x", model: "mock/echo" }, { key }),
      400,
      "invalid_request_error",
    );
    expect(missing.param).toBe("system_prompt");
    expectError(await post("/v1/personas", { ...basics, extra: 1 }, { key }), 400, "invalid_request_error");

    const persona = await createPersona(key);
    const path = `/v1/personas/${persona.id}`;
    const bad = expectError(await patch(path, { temperature: 3 }, { key }), 400, "invalid_request_error");
    expect(bad.param).toBe("temperature");
    expectError(await patch(path, { owner_id: "usr_x" }, { key }), 400, "invalid_request_error");
    expectError(await patch(path, { name: null }, { key }), 400, "invalid_request_error");
    expect((await get(path, { key })).json).toEqual(persona);
  });

  it("accepts the boundary values", async () => {
    const { key } = await createUser();
    const persona = await createPersona(key, {
      name: "x".repeat(200),
      description: "d".repeat(2000),
      temperature: 2,
      max_tokens: 1_000_000,
    });
    expect(persona).toMatchObject({ temperature: 2, max_tokens: 1_000_000 });
    expect((await createPersona(key, { temperature: 0, max_tokens: 1 })).temperature).toBe(0);
  });

  it("refuses a model that does not resolve, on create and update", async () => {
    const { key } = await createUser();
    for (const model of ["nope/x", "no-such-alias"]) {
      const err = expectError(
        await post("/v1/personas", { ...basics, model }, { key }),
        404,
        "not_found_error",
        "model_not_found",
      );
      expect(err.param).toBe("model");
    }
    const persona = await createPersona(key);
    const err = expectError(
      await patch(`/v1/personas/${persona.id}`, { model: "nope/x", name: "changed" }, { key }),
      404,
      "not_found_error",
      "model_not_found",
    );
    expect(err.param).toBe("model");
    expect((await get(`/v1/personas/${persona.id}`, { key })).json).toEqual(persona);
  });

  it("needs a valid key on every route", async () => {
    const { key } = await createUser();
    const { id } = await createPersona(key);
    for (const badKey of [null, "sk-sb-not-a-real-key"]) {
      const code = badKey ? "invalid_api_key" : "missing_api_key";
      const opts = { key: badKey };
      expectError(await post("/v1/personas", basics, opts), 401, "authentication_error", code);
      expectError(await get("/v1/personas", opts), 401, "authentication_error", code);
      expectError(await get(`/v1/personas/${id}`, opts), 401, "authentication_error", code);
      expectError(await patch(`/v1/personas/${id}`, { name: "x" }, opts), 401, "authentication_error", code);
      expectError(await del(`/v1/personas/${id}`, opts), 401, "authentication_error", code);
    }
  });
});

describe("personas: tenancy", () => {
  it("hides a user's private persona from everyone else, admins included", async () => {
    const a = await createUser();
    const b = await createUser();
    const admin = await createUser({ role: "admin" });
    const persona = await createPersona(a.key, { name: "A's secret" });
    const path = `/v1/personas/${persona.id}`;

    for (const key of [b.key, admin.key, ADMIN_KEY]) {
      const err = expectError(await get(path, { key }), 404, "not_found_error", "persona_not_found");
      expect(err.param).toBe("id");
      expectError(
        await patch(path, { name: "hijacked" }, { key }),
        404,
        "not_found_error",
        "persona_not_found",
      );
      expectError(
        await patch(path, { visibility: "shared" }, { key }),
        404,
        "not_found_error",
        "persona_not_found",
      );
      expectError(await del(path, { key }), 404, "not_found_error", "persona_not_found");
      const { items } = await collectPages("/v1/personas", { key, limit: 100 });
      expect(items.map((p) => p.id)).not.toContain(persona.id);
    }
    // Not even a different error for a missing id: the two are indistinguishable.
    const missing = await get("/v1/personas/per_00000000000000000000000000", { key: b.key });
    expect(missing.json.error.message).toBe((await get(path, { key: b.key })).json.error.message);
    expect((await get(path, { key: a.key })).json).toEqual(persona);
  });
});

describe("personas: shared", () => {
  it("lets admins create shared personas that every user reads but only admins change", async () => {
    const admin = await createUser({ role: "admin" });
    const otherAdmin = await createUser({ role: "admin" });
    const user = await createUser();
    const shared = await createPersona(admin.key, { name: "Company voice", visibility: "shared" });
    expect(shared).toMatchObject({ visibility: "shared", owner_id: null });
    expect(await createdBy(shared.id)).toBe(admin.user.id);
    const path = `/v1/personas/${shared.id}`;

    expect((await get(path, { key: user.key })).json).toEqual(shared);
    expect((await get(path, { key: ADMIN_KEY })).json).toEqual(shared);
    const { items } = await collectPages("/v1/personas", { key: user.key, limit: 100 });
    expect(items.map((p) => p.id)).toContain(shared.id);

    expectError(
      await patch(path, { name: "Mine" }, { key: user.key }),
      403,
      "permission_error",
      "admin_required",
    );
    expectError(
      await patch(path, { visibility: "private" }, { key: user.key }),
      403,
      "permission_error",
      "admin_required",
    );
    expectError(await del(path, { key: user.key }), 403, "permission_error", "admin_required");
    expect((await get(path, { key: user.key })).json).toEqual(shared);

    const edited = await patch(path, { name: "Company voice v2" }, { key: otherAdmin.key });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ name: "Company voice v2", visibility: "shared", owner_id: null });
    expect((await patch(path, { temperature: 1 }, { key: ADMIN_KEY })).json.temperature).toBe(1);
    expect((await del(path, { key: otherAdmin.key })).status).toBe(204);
    expectError(await get(path, { key: user.key }), 404, "not_found_error", "persona_not_found");
  });

  it("refuses a shared persona from a non-admin", async () => {
    const user = await createUser();
    expectError(
      await post("/v1/personas", { ...basics, visibility: "shared" }, { key: user.key }),
      403,
      "permission_error",
      "admin_required",
    );
  });

  it("lets the admin key manage shared personas only (it owns no private ones)", async () => {
    const shared = await createPersona(ADMIN_KEY, { visibility: "shared" });
    expect(shared).toMatchObject({ visibility: "shared", owner_id: null });
    expect(await createdBy(shared.id)).toBeNull();
    for (const body of [basics, { ...basics, visibility: "private" }]) {
      expectError(
        await post("/v1/personas", body, { key: ADMIN_KEY }),
        403,
        "permission_error",
        "user_key_required",
      );
    }
    expectError(
      await patch(`/v1/personas/${shared.id}`, { visibility: "private" }, { key: ADMIN_KEY }),
      403,
      "permission_error",
      "user_key_required",
    );

    const user = await createUser();
    const mine = await createPersona(user.key);
    const { items } = await collectPages("/v1/personas", { key: ADMIN_KEY, limit: 100 });
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((p) => p.visibility === "shared")).toBe(true);
    expect(items.map((p) => p.id)).toContain(shared.id);
    expect(items.map((p) => p.id)).not.toContain(mine.id);
    const privates = await get("/v1/personas?visibility=private", { key: ADMIN_KEY });
    expect(privates.json).toEqual({ data: [], next_cursor: null });
  });

  it("changes visibility: admins share their own personas and take shared ones private", async () => {
    const admin = await createUser({ role: "admin" });
    const user = await createUser();
    const own = await createPersona(user.key);
    expectError(
      await patch(`/v1/personas/${own.id}`, { visibility: "shared" }, { key: user.key }),
      403,
      "permission_error",
      "admin_required",
    );
    expect((await patch(`/v1/personas/${own.id}`, { visibility: "private" }, { key: user.key })).status).toBe(
      200,
    );

    const draft = await createPersona(admin.key);
    const path = `/v1/personas/${draft.id}`;
    const published = await patch(path, { visibility: "shared" }, { key: admin.key });
    expect(published.status).toBe(200);
    expect(published.json).toMatchObject({ visibility: "shared", owner_id: null });
    expect(await createdBy(draft.id)).toBe(admin.user.id);
    expect((await get(path, { key: user.key })).json.visibility).toBe("shared");

    const retracted = await patch(path, { visibility: "private" }, { key: admin.key });
    expect(retracted.json).toMatchObject({ visibility: "private", owner_id: admin.user.id });
    expectError(await get(path, { key: user.key }), 404, "not_found_error", "persona_not_found");

    // A shared persona taken private by a different admin becomes that admin's.
    const byRoot = await createPersona(ADMIN_KEY, { visibility: "shared" });
    const taken = await patch(`/v1/personas/${byRoot.id}`, { visibility: "private" }, { key: admin.key });
    expect(taken.json).toMatchObject({ visibility: "private", owner_id: admin.user.id });
  });
});

describe("personas: list", () => {
  it("pages through own and shared personas, newest first, with no duplicates or gaps", async () => {
    const user = await createUser();
    const other = await createUser();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createPersona(user.key, { name: `mine ${i}` })).id);
    ids.push((await createPersona(ADMIN_KEY, { name: "shared", visibility: "shared" })).id);
    for (let i = 3; i < 5; i++) ids.push((await createPersona(user.key, { name: `mine ${i}` })).id);
    const hidden = (await createPersona(other.key)).id;

    const { items, pages } = await collectPages("/v1/personas", { key: user.key, limit: 2 });
    const listed = items.map((p) => p.id);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort().reverse()).toEqual(listed);
    expect(listed.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    expect(listed).not.toContain(hidden);
    expect(items.every((p) => p.owner_id === user.user.id || p.owner_id === null)).toBe(true);

    const privates = await collectPages("/v1/personas?visibility=private", { key: user.key, limit: 2 });
    expect(privates.items.map((p) => p.id)).toEqual([ids[5], ids[4], ids[2], ids[1], ids[0]]);
    const shared = await collectPages("/v1/personas?visibility=shared", { key: user.key, limit: 2 });
    expect(shared.items.every((p) => p.visibility === "shared")).toBe(true);
    expect(shared.items.map((p) => p.id)).toContain(ids[3]);
  });

  it("rejects bad list parameters", async () => {
    const { key } = await createUser();
    const err = expectError(
      await get("/v1/personas?visibility=public", { key }),
      400,
      "invalid_request_error",
      "invalid_query",
    );
    expect(err.param).toBe("visibility");
    expectError(await get("/v1/personas?limit=0", { key }), 400, "invalid_request_error", "invalid_query");
    const cursor = expectError(
      await get("/v1/personas?cursor=garbage", { key }),
      400,
      "invalid_request_error",
      "invalid_cursor",
    );
    expect(cursor.param).toBe("cursor");
  });
});
