// Built-in base URLs come from the test config (OPENAI_BASE_URL etc. point at the mock upstreams).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { collectPages, createUser, del, expectError, get, patch, post } from "../helpers";

const storedCiphertext = async (slug: string) =>
  (
    await env.DB.prepare("select api_key_encrypted from vendors where slug = ?")
      .bind(slug)
      .first<{ api_key_encrypted: string | null }>()
  )?.api_key_encrypted;

/** No response may carry the key, in plaintext or encrypted. */
function expectNoSecret(res: { text: string }, ...secrets: (string | null | undefined)[]) {
  for (const s of secrets) if (s) expect(res.text).not.toContain(s);
  expect(res.text).not.toContain("api_key_encrypted");
  expect(res.text).not.toMatch(/"api_key"\s*:/);
}

describe("vendors", () => {
  it("lists the built-ins without any setup, sorted by slug", async () => {
    const res = await get("/v1/vendors?limit=100");
    expect(res.status).toBe(200);
    const builtins = res.json.data.filter((v: any) => v.builtin);
    expect(builtins.map((v: any) => v.slug)).toEqual(["anthropic", "gemini", "mock", "openai"]);
    expect(builtins.find((v: any) => v.slug === "openai")).toEqual({
      slug: "openai",
      kind: "openai",
      base_url: `${env.MOCK_UPSTREAM_URL}/openai/v1`,
      enabled: true,
      builtin: true,
      has_api_key: false,
      keys: [],
      api_key_source: null,
      created_at: null,
      updated_at: null,
    });
    expect(builtins.find((v: any) => v.slug === "mock")).toMatchObject({ kind: "mock", base_url: null });
    const slugs = res.json.data.map((v: any) => v.slug);
    expect([...slugs].sort()).toEqual(slugs);
    expect(res.json.next_cursor).toBeNull();
  });

  it("adds an OpenAI-compatible vendor; its key is stored encrypted and never returned", async () => {
    const plaintext = "gsk_plaintext_secret_0123456789";
    const created = await post("/v1/vendors", {
      slug: "groq",
      kind: "openai-compatible",
      base_url: "https://api.groq.com/openai/v1/",
      api_key: plaintext,
      enabled: true,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      slug: "groq",
      kind: "openai-compatible",
      base_url: "https://api.groq.com/openai/v1",
      enabled: true,
      builtin: false,
      has_api_key: true,
      api_key_source: "stored",
    });
    expect(new Date(created.json.created_at).toISOString()).toBe(created.json.created_at);

    const ciphertext = await storedCiphertext("groq");
    expect(ciphertext).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(ciphertext).not.toContain(plaintext);

    const read = await get("/v1/vendors/groq");
    expect(read.json).toEqual(created.json);
    const list = await get("/v1/vendors?limit=100");
    for (const res of [created, read, list]) expectNoSecret(res, plaintext, ciphertext);

    const rotated = await patch("/v1/vendors/groq", { api_key: "gsk_rotated_secret" });
    expect(rotated.status).toBe(200);
    const rotatedCiphertext = await storedCiphertext("groq");
    expect(rotatedCiphertext).toMatch(/^v1\./);
    expect(rotatedCiphertext).not.toBe(ciphertext);
    expectNoSecret(rotated, "gsk_rotated_secret", rotatedCiphertext);
    expect(Date.parse(rotated.json.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.json.updated_at));

    const cleared = await patch("/v1/vendors/groq", { api_key: null });
    expect(cleared.json).toMatchObject({ has_api_key: false, api_key_source: null, enabled: true });
    expect(await storedCiphertext("groq")).toBeNull();
  });

  it("binds the ciphertext to the vendor: the same key encrypts differently per vendor and call", async () => {
    await post("/v1/vendors", { slug: "host-a", kind: "openai", api_key: "same-key" });
    await post("/v1/vendors", { slug: "host-b", kind: "openai", api_key: "same-key" });
    const a = await storedCiphertext("host-a");
    const b = await storedCiphertext("host-b");
    expect(a).not.toBe(b);
    const listed = await get("/v1/vendors?limit=100");
    expectNoSecret(listed, "same-key", a, b);
  });

  it("defaults enabled to true and base_url to the kind's default", async () => {
    const res = await post("/v1/vendors", { slug: "eu-openai", kind: "openai" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      enabled: true,
      base_url: "https://api.openai.com/v1",
      has_api_key: false,
      api_key_source: null,
    });
  });

  it("validates the body", async () => {
    const cases: [unknown, string][] = [
      [{ slug: "Groq", kind: "openai" }, "slug"],
      [{ slug: "my/vendor", kind: "openai" }, "slug"],
      [{ slug: "-dash", kind: "openai" }, "slug"],
      [{ slug: "a".repeat(33), kind: "openai" }, "slug"],
      [{ slug: "x1", kind: "cohere" }, "kind"],
      [{ slug: "x1", kind: "openai", base_url: "ftp://example.com" }, "base_url"],
      [{ slug: "x1", kind: "openai", base_url: "not a url" }, "base_url"],
      [{ slug: "x1", kind: "openai", api_key: "" }, "api_key"],
      [{ slug: "x1", kind: "openai", enabled: "yes" }, "enabled"],
    ];
    for (const [body, param] of cases) {
      const err = expectError(await post("/v1/vendors", body), 400, "invalid_request_error", "invalid_body");
      expect(err.param, JSON.stringify(body)).toBe(param);
    }
    expectError(
      await post("/v1/vendors", { slug: "x1", kind: "openai", extra: 1 }),
      400,
      "invalid_request_error",
    );
    expectError(await post("/v1/vendors", { kind: "openai" }), 400, "invalid_request_error");

    const noBase = expectError(
      await post("/v1/vendors", { slug: "x1", kind: "openai-compatible" }),
      400,
      "invalid_request_error",
      "base_url_required",
    );
    expect(noBase.param).toBe("base_url");
    expectError(await get("/v1/vendors/x1"), 404, "not_found_error", "vendor_not_found");
  });

  it("keeps slug and kind immutable, and an openai-compatible vendor's base_url required", async () => {
    await post("/v1/vendors", {
      slug: "ollama",
      kind: "openai-compatible",
      base_url: "http://localhost:11434/v1",
    });
    expectError(
      await patch("/v1/vendors/ollama", { kind: "openai" }),
      400,
      "invalid_request_error",
      "invalid_body",
    );
    expectError(await patch("/v1/vendors/ollama", { slug: "other" }), 400, "invalid_request_error");
    expectError(await patch("/v1/vendors/openai", { kind: "gemini" }), 400, "invalid_request_error");
    const err = expectError(
      await patch("/v1/vendors/ollama", { base_url: null }),
      400,
      "invalid_request_error",
      "base_url_required",
    );
    expect(err.param).toBe("base_url");
    const moved = await patch("/v1/vendors/ollama", {
      base_url: "https://ollama.example.com/v1",
      enabled: false,
    });
    expect(moved.json).toMatchObject({ base_url: "https://ollama.example.com/v1", enabled: false });
  });

  it("refuses a built-in or taken slug", async () => {
    for (const slug of ["openai", "anthropic", "gemini", "mock"]) {
      const err = expectError(
        await post("/v1/vendors", { slug, kind: "openai-compatible", base_url: "https://x.example.com" }),
        409,
        "conflict_error",
        "vendor_exists",
      );
      expect(err.param).toBe("slug");
    }
    await post("/v1/vendors", { slug: "twice", kind: "openai" });
    expectError(
      await post("/v1/vendors", { slug: "twice", kind: "gemini" }),
      409,
      "conflict_error",
      "vendor_exists",
    );
  });

  it("overrides a built-in through PATCH, and cannot delete it", async () => {
    const disabled = await patch("/v1/vendors/anthropic", {
      enabled: false,
      base_url: "https://anthropic-proxy.example.com",
      api_key: "sk-ant-plaintext",
    });
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({
      slug: "anthropic",
      kind: "anthropic",
      builtin: true,
      enabled: false,
      base_url: "https://anthropic-proxy.example.com",
      has_api_key: true,
      api_key_source: "stored",
    });
    expect(disabled.json.created_at).not.toBeNull();
    expectNoSecret(disabled, "sk-ant-plaintext", await storedCiphertext("anthropic"));

    const reset = await patch("/v1/vendors/anthropic", { enabled: true, base_url: null, api_key: null });
    expect(reset.json).toMatchObject({
      enabled: true,
      base_url: `${env.MOCK_UPSTREAM_URL}/anthropic`,
      has_api_key: false,
      api_key_source: null,
    });
    expect((await get("/v1/vendors/anthropic")).json).toEqual(reset.json);

    const err = expectError(await del("/v1/vendors/anthropic"), 409, "conflict_error", "builtin_vendor");
    expect(err.message).toContain("enabled");
  });

  it("answers 404 for an unknown vendor", async () => {
    for (const res of [
      await get("/v1/vendors/nope"),
      await patch("/v1/vendors/nope", { enabled: false }),
      await del("/v1/vendors/nope"),
    ]) {
      expect(expectError(res, 404, "not_found_error", "vendor_not_found").param).toBe("slug");
    }
  });

  it("refuses to delete a vendor a model config uses, naming the aliases", async () => {
    await post("/v1/vendors", {
      slug: "busy",
      kind: "openai-compatible",
      base_url: "https://busy.example.com/v1",
    });
    for (const alias of ["busy-fast", "busy-smart"]) {
      const mc = await post("/v1/model-configs", { alias, vendor: "busy", upstream_model: "m" });
      expect(mc.status, mc.text).toBe(201);
    }
    const err = expectError(await del("/v1/vendors/busy"), 409, "conflict_error", "vendor_in_use");
    expect(err.message).toContain("busy-fast");
    expect(err.message).toContain("busy-smart");
    expect((await get("/v1/vendors/busy")).status).toBe(200);

    expect((await del("/v1/model-configs/busy-fast")).status).toBe(204);
    expect((await del("/v1/model-configs/busy-smart")).status).toBe(204);
    expect((await del("/v1/vendors/busy")).status).toBe(204);
    expectError(await get("/v1/vendors/busy"), 404, "not_found_error", "vendor_not_found");
    expectError(await del("/v1/vendors/busy"), 404, "not_found_error", "vendor_not_found");
  });

  it("is admin only: a user key gets 403, an admin user's key works", async () => {
    const { key } = await createUser();
    for (const res of [
      await get("/v1/vendors", { key }),
      await get("/v1/vendors/openai", { key }),
      await post("/v1/vendors", { slug: "sneaky", kind: "openai" }, { key }),
      await patch("/v1/vendors/openai", { enabled: false }, { key }),
      await del("/v1/vendors/openai", { key }),
    ]) {
      expectError(res, 403, "permission_error", "admin_required");
    }
    expect((await get("/v1/vendors/openai")).json.enabled).toBe(true);
    const admin = await createUser({ role: "admin" });
    expect((await get("/v1/vendors", { key: admin.key })).status).toBe(200);
    expect((await post("/v1/vendors", { slug: "by-admin", kind: "gemini" }, { key: admin.key })).status).toBe(
      201,
    );
  });

  it("paginates by slug across several pages with no duplicates or gaps", async () => {
    for (const s of ["pg-c", "pg-a", "pg-e", "pg-b", "pg-d"])
      expect((await post("/v1/vendors", { slug: s, kind: "openai" })).status).toBe(201);
    const everything = (await get("/v1/vendors?limit=100")).json.data.map((v: any) => v.slug);
    const { items, pages } = await collectPages("/v1/vendors", { limit: 2 });
    const listed = items.map((v) => v.slug);
    expect(listed).toEqual(everything);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(listed);
    expect(listed).toEqual(
      expect.arrayContaining(["pg-a", "pg-b", "pg-c", "pg-d", "pg-e", "openai", "mock"]),
    );
    expect(pages).toBeGreaterThanOrEqual(5);
    expectError(await get("/v1/vendors?cursor=garbage"), 400, "invalid_request_error", "invalid_cursor");
  });
});
