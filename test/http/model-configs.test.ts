import { describe, expect, it } from "vitest";
import { collectPages, createUser, del, expectError, get, patch, post } from "../helpers";

const full = {
  alias: "smart",
  vendor: "mock",
  upstream_model: "chat",
  capabilities: { vision: true, tools: false, image_generation: false, streaming: true },
  context_window: 128000,
  max_output_tokens: 16384,
  pricing: { input_per_mtok: 2.5, output_per_mtok: 10 },
  defaults: { temperature: 0.3, top_p: 0.9, max_tokens: 512, stop: ["\n\n"], seed: 7 },
  fallbacks: ["mock/echo"],
  cache_ttl_seconds: 3600,
};

describe("model configs", () => {
  it("creates a minimal config with defaults filled in", async () => {
    const res = await post("/v1/model-configs", { alias: "fast", vendor: "mock", upstream_model: "echo" });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual({
      alias: "fast",
      vendor: "mock",
      upstream_model: "echo",
      targets: [{ vendor: "mock", upstream_model: "echo", weight: 1 }],
      capabilities: {
        vision: false,
        tools: true,
        image_generation: false,
        streaming: true,
        embeddings: false,
      },
      context_window: null,
      max_output_tokens: null,
      pricing: null,
      defaults: {},
      fallbacks: [],
      cache_ttl_seconds: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(new Date(res.json.created_at).toISOString()).toBe(res.json.created_at);
    expect((await get("/v1/model-configs/fast")).json).toEqual(res.json);
  });

  it("stores every field, extra default keys included", async () => {
    const res = await post("/v1/model-configs", full);
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject(full);
    expect((await get("/v1/model-configs/smart")).json).toEqual(res.json);
  });

  it("merges capabilities on PATCH and replaces defaults, pricing and fallbacks", async () => {
    const created = await post("/v1/model-configs", { ...full, alias: "patchy" });
    const res = await patch("/v1/model-configs/patchy", {
      capabilities: { image_generation: true },
      defaults: { temperature: 1 },
      pricing: null,
      fallbacks: ["fast", "mock/chat"],
      upstream_model: "image",
      context_window: null,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      alias: "patchy",
      upstream_model: "image",
      capabilities: { vision: true, tools: false, image_generation: true, streaming: true },
      defaults: { temperature: 1 },
      pricing: null,
      fallbacks: ["fast", "mock/chat"],
      context_window: null,
      max_output_tokens: 16384,
      cache_ttl_seconds: 3600,
      created_at: created.json.created_at,
    });
    expect(Date.parse(res.json.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.json.updated_at));
    expect((await get("/v1/model-configs/patchy")).json).toEqual(res.json);

    const again = await patch("/v1/model-configs/patchy", { capabilities: { vision: false } });
    expect(again.json.capabilities).toEqual({
      vision: false,
      tools: false,
      image_generation: true,
      streaming: true,
      embeddings: false,
    });
    expect(again.json.defaults).toEqual({ temperature: 1 });
  });

  it("validates the body, naming the field", async () => {
    const base = { alias: "v-ok", vendor: "mock", upstream_model: "echo" };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, alias: "mock/echo" }, "alias"],
      [{ ...base, alias: "a".repeat(65) }, "alias"],
      [{ ...base, alias: ".dot" }, "alias"],
      [{ ...base, upstream_model: "" }, "upstream_model"],
      [{ alias: "v-ok", vendor: "mock" }, "upstream_model"],
      [{ ...base, capabilities: { vision: "yes" } }, "capabilities.vision"],
      [{ ...base, capabilities: { telepathy: true } }, "capabilities"],
      [{ ...base, context_window: 0 }, "context_window"],
      [{ ...base, max_output_tokens: 1.5 }, "max_output_tokens"],
      [{ ...base, pricing: { input_per_mtok: -1, output_per_mtok: 1 } }, "pricing.input_per_mtok"],
      // An embedding model's pricing may leave out output (0); input is always needed.
      [{ ...base, pricing: { output_per_mtok: 1 } }, "pricing.input_per_mtok"],
      [{ ...base, pricing: { input_per_mtok: 1, output_per_mtok: -1 } }, "pricing.output_per_mtok"],
      [{ ...base, defaults: { temperature: 2.5 } }, "defaults.temperature"],
      [{ ...base, defaults: { top_p: 1.1 } }, "defaults.top_p"],
      [{ ...base, defaults: { max_tokens: 0 } }, "defaults.max_tokens"],
      [{ ...base, defaults: { model: "openai/gpt-4o" } }, "defaults.model"],
      [{ ...base, fallbacks: ["a", "b", "c", "d", "e", "f"] }, "fallbacks"],
      [{ ...base, fallbacks: "mock/echo" }, "fallbacks"],
      [{ ...base, cache_ttl_seconds: 30 }, "cache_ttl_seconds"],
      [{ ...base, cache_ttl_seconds: -1 }, "cache_ttl_seconds"],
    ];
    for (const [body, param] of cases) {
      const err = expectError(
        await post("/v1/model-configs", body),
        400,
        "invalid_request_error",
        "invalid_body",
      );
      expect(err.param, JSON.stringify(body)).toBe(param);
    }
    expectError(await post("/v1/model-configs", { ...base, extra: true }), 400, "invalid_request_error");
    expect((await post("/v1/model-configs", { ...base, cache_ttl_seconds: 0 })).status).toBe(201);
    expectError(await patch("/v1/model-configs/v-ok", { alias: "renamed" }), 400, "invalid_request_error");
    expectError(await patch("/v1/model-configs/v-ok", { defaults: null }), 400, "invalid_request_error");
  });

  it("requires a known vendor", async () => {
    const err = expectError(
      await post("/v1/model-configs", { alias: "ghost", vendor: "nope", upstream_model: "x" }),
      404,
      "not_found_error",
      "vendor_not_found",
    );
    expect(err.param).toBe("vendor");
    await post("/v1/model-configs", { alias: "movable", vendor: "mock", upstream_model: "echo" });
    expect(
      expectError(
        await patch("/v1/model-configs/movable", { vendor: "nope" }),
        404,
        "not_found_error",
        "vendor_not_found",
      ).param,
    ).toBe("vendor");
    expect((await get("/v1/model-configs/movable")).json.vendor).toBe("mock");
  });

  it("works with an admin-added vendor", async () => {
    const vendor = await post("/v1/vendors", {
      slug: "acme",
      kind: "openai-compatible",
      base_url: "https://acme.example.com/v1",
    });
    expect(vendor.status).toBe(201);
    const created = await post("/v1/model-configs", {
      alias: "acme-big",
      vendor: "acme",
      upstream_model: "big",
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json.vendor).toBe("acme");
    await post("/v1/model-configs", { alias: "to-acme", vendor: "mock", upstream_model: "echo" });
    const moved = await patch("/v1/model-configs/to-acme", { vendor: "acme", upstream_model: "small" });
    expect(moved.json).toMatchObject({ vendor: "acme", upstream_model: "small" });
  });

  it("checks fallbacks: they resolve, are not the alias itself and are not repeated", async () => {
    const base = { alias: "fb", vendor: "mock", upstream_model: "echo" };
    const self = expectError(
      await post("/v1/model-configs", { ...base, fallbacks: ["mock/chat", "fb"] }),
      400,
      "invalid_request_error",
      "invalid_fallback",
    );
    expect(self.param).toBe("fallbacks.1");
    const twice = expectError(
      await post("/v1/model-configs", { ...base, fallbacks: ["mock/chat", "mock/chat"] }),
      400,
      "invalid_request_error",
      "invalid_fallback",
    );
    expect(twice.param).toBe("fallbacks.1");
    for (const missing of ["no-such-alias", "nope/model"]) {
      const err = expectError(
        await post("/v1/model-configs", { ...base, fallbacks: ["mock/chat", missing] }),
        404,
        "not_found_error",
        "model_not_found",
      );
      expect(err.param).toBe("fallbacks.1");
    }
    expectError(await get("/v1/model-configs/fb"), 404, "not_found_error", "model_config_not_found");

    // Cycles between aliases are allowed; the fallback runner stops at models it already tried.
    expect((await post("/v1/model-configs", { ...base, alias: "cyc-a" })).status).toBe(201);
    expect((await post("/v1/model-configs", { ...base, alias: "cyc-b", fallbacks: ["cyc-a"] })).status).toBe(
      201,
    );
    const cycled = await patch("/v1/model-configs/cyc-a", { fallbacks: ["cyc-b"] });
    expect(cycled.status, cycled.text).toBe(200);
    expectError(
      await patch("/v1/model-configs/cyc-a", { fallbacks: ["cyc-a"] }),
      400,
      "invalid_request_error",
      "invalid_fallback",
    );
  });

  it("refuses a duplicate alias", async () => {
    await post("/v1/model-configs", { alias: "dup", vendor: "mock", upstream_model: "echo" });
    const err = expectError(
      await post("/v1/model-configs", { alias: "dup", vendor: "mock", upstream_model: "chat" }),
      409,
      "conflict_error",
      "model_config_exists",
    );
    expect(err.param).toBe("alias");
  });

  it("refuses to delete a config another one falls back to", async () => {
    await post("/v1/model-configs", { alias: "primary", vendor: "mock", upstream_model: "echo" });
    await post("/v1/model-configs", {
      alias: "leaning",
      vendor: "mock",
      upstream_model: "chat",
      fallbacks: ["mock/echo", "primary"],
    });
    const err = expectError(
      await del("/v1/model-configs/primary"),
      409,
      "conflict_error",
      "model_config_in_use",
    );
    expect(err.message).toContain("leaning");
    expect((await get("/v1/model-configs/primary")).status).toBe(200);

    await patch("/v1/model-configs/leaning", { fallbacks: ["mock/echo"] });
    expect((await del("/v1/model-configs/primary")).status).toBe(204);
    expectError(await get("/v1/model-configs/primary"), 404, "not_found_error", "model_config_not_found");
    expectError(await del("/v1/model-configs/primary"), 404, "not_found_error", "model_config_not_found");
  });

  it("answers 404 for an unknown alias", async () => {
    for (const res of [
      await get("/v1/model-configs/unknown"),
      await patch("/v1/model-configs/unknown", { upstream_model: "x" }),
      await del("/v1/model-configs/unknown"),
    ]) {
      expect(expectError(res, 404, "not_found_error", "model_config_not_found").param).toBe("alias");
    }
  });

  it("is admin only: a user key gets 403, an admin user's key works", async () => {
    const { key } = await createUser();
    const body = { alias: "by-user", vendor: "mock", upstream_model: "echo" };
    for (const res of [
      await get("/v1/model-configs", { key }),
      await get("/v1/model-configs/fast", { key }),
      await post("/v1/model-configs", body, { key }),
      await patch("/v1/model-configs/fast", { upstream_model: "chat" }, { key }),
      await del("/v1/model-configs/fast", { key }),
    ]) {
      expectError(res, 403, "permission_error", "admin_required");
    }
    const admin = await createUser({ role: "admin" });
    expect((await post("/v1/model-configs", body, { key: admin.key })).status).toBe(201);
    expect((await get("/v1/model-configs", { key: admin.key })).status).toBe(200);
  });

  it("paginates by alias across several pages with no duplicates or gaps", async () => {
    const aliases = ["pg.3", "pg.1", "pg.5", "pg.2", "pg.4"];
    for (const alias of aliases)
      expect(
        (await post("/v1/model-configs", { alias, vendor: "mock", upstream_model: "echo" })).status,
      ).toBe(201);
    const { items, pages } = await collectPages("/v1/model-configs", { limit: 2 });
    const listed = items.map((m) => m.alias);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(listed);
    expect(listed.filter((a) => a.startsWith("pg."))).toEqual([...aliases].sort());
    expect(listed).toEqual((await get("/v1/model-configs?limit=100")).json.data.map((m: any) => m.alias));
    expect(pages).toBeGreaterThanOrEqual(3);
    expectError(
      await get("/v1/model-configs?cursor=garbage"),
      400,
      "invalid_request_error",
      "invalid_cursor",
    );
  });
});

describe("model config defaults are bounded JSON", () => {
  // `{"a":{"a":...1...}}`, `levels` objects deep, as raw JSON text: too deep for a literal.
  const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{"a":1}${"}".repeat(levels - 1)}`;
  const create = (alias: string, defaults: string) =>
    post(
      "/v1/model-configs",
      `{"alias":"${alias}","vendor":"mock","upstream_model":"echo","defaults":${defaults}}`,
    );
  const refused = (res: Awaited<ReturnType<typeof post>>, what: string) => {
    const err = expectError(res, 400, "invalid_request_error", "invalid_body");
    expect(err.param).toBe("defaults");
    expect(err.message).toContain(what);
  };

  it.each([1_001, 10_000])("refuses defaults nested %i levels deep, storing nothing", async (levels) => {
    refused(await create(`deep-${levels}`, nested(levels)), "deeper than 8");
    expectError(await get(`/v1/model-configs/deep-${levels}`), 404, "not_found_error");
    const list = await get("/v1/model-configs?limit=5");
    expect(list.status, list.text).toBe(200);
  });

  it("takes 8 levels, refuses 9, on create and on update", async () => {
    const res = await create("eight", nested(8));
    expect(res.status, res.text).toBe(201);
    refused(await create("nine", nested(9)), "deeper than 8");
    refused(await patch("/v1/model-configs/eight", `{"defaults":${nested(9)}}`), "deeper than 8");
    refused(await patch("/v1/model-configs/eight", `{"defaults":${nested(10_000)}}`), "deeper than 8");
    expect((await get("/v1/model-configs/eight")).json.defaults).toEqual(JSON.parse(nested(8)));
    const { key } = await createUser();
    const chat = await post(
      "/v1/chat/completions",
      { model: "eight", messages: [{ role: "user", content: "hi" }] },
      { key },
    );
    expect(chat.status, chat.text).toBe(200);
  });

  it("refuses defaults over 16 KiB as JSON, counting UTF-8 bytes", async () => {
    refused(await create("big", JSON.stringify({ stop: ["x".repeat(16 * 1024)] })), "16384 bytes");
    // 6,000 three-byte characters: under 16 KiB in UTF-16 code units, over it in bytes.
    refused(await create("wide", JSON.stringify({ stop: ["€".repeat(6_000)] })), "16384 bytes");
    expectError(await get("/v1/model-configs/big"), 404, "not_found_error");
    const fits = await create("fits", JSON.stringify({ stop: ["x".repeat(16_000)] }));
    expect(fits.status, fits.text).toBe(201);
  });
});
