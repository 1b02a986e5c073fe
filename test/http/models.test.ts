import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser, expectError, get, patch, post } from "../helpers";

const OPENAI_MODELS = [
  "gpt-4o",
  "gpt-4o-mini",
  "gpt-4.1",
  "gpt-4.1-mini",
  "o4-mini",
  "gpt-image-1",
  "text-embedding-3-small",
  "text-embedding-3-large",
];

let userKey: string;
beforeAll(async () => {
  userKey = (await createUser()).key;
});

async function listIds(key = userKey): Promise<string[]> {
  const res = await get("/v1/models", { key });
  expect(res.status, res.text).toBe(200);
  return res.json.data.map((m: any) => m.id);
}

describe("GET /v1/models", () => {
  it("answers OpenAI's list shape to a plain user key; without vendor keys only mock models", async () => {
    const res = await get("/v1/models", { key: userKey });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(["data", "object"]);
    expect(res.json.object).toBe("list");
    for (const m of res.json.data) {
      expect(Object.keys(m).sort()).toEqual(["created", "id", "object", "owned_by"]);
      expect(m.object).toBe("model");
      expect(Number.isInteger(m.created)).toBe(true);
    }
    const ids: string[] = res.json.data.map((m: any) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["mock/echo", "mock/chat", "mock/image"]));
    expect(ids.filter((id) => /^(openai|anthropic|gemini)\//.test(id))).toEqual([]);
    expect(res.json.data.find((m: any) => m.id === "mock/echo")).toEqual({
      id: "mock/echo",
      object: "model",
      created: 0,
      owned_by: "mock",
    });
  });

  it("needs a key", async () => {
    expectError(
      await call("GET", "/v1/models", { key: null }),
      401,
      "authentication_error",
      "missing_api_key",
    );
  });

  it("lists a built-in's models once it has a key, and none while it is disabled", async () => {
    expect((await patch("/v1/vendors/openai", { api_key: "sk-test-openai" })).status).toBe(200);
    const withKey = await listIds();
    expect(withKey).toEqual(expect.arrayContaining(OPENAI_MODELS.map((m) => `openai/${m}`)));
    expect(withKey.filter((id) => id.startsWith("openai/"))).toHaveLength(OPENAI_MODELS.length);

    expect((await patch("/v1/vendors/openai", { enabled: false })).status).toBe(200);
    expect((await listIds()).filter((id) => id.startsWith("openai/"))).toEqual([]);

    expect((await patch("/v1/vendors/openai", { enabled: true })).status).toBe(200);
    expect(await listIds()).toContain("openai/gpt-4o-mini");

    expect((await patch("/v1/vendors/openai", { api_key: null })).status).toBe(200);
    expect((await listIds()).filter((id) => id.startsWith("openai/"))).toEqual([]);
  });

  it("hides the mock vendor's models when it is disabled", async () => {
    await patch("/v1/vendors/mock", { enabled: false });
    expect((await listIds()).filter((id) => id.startsWith("mock/"))).toEqual([]);
    await patch("/v1/vendors/mock", { enabled: true });
    expect(await listIds()).toContain("mock/echo");
  });

  it("lists aliases whose vendor is usable, with their creation time", async () => {
    const mc = await post("/v1/model-configs", { alias: "listed", vendor: "mock", upstream_model: "echo" });
    expect(mc.status, mc.text).toBe(201);
    await post("/v1/model-configs", {
      alias: "keyless",
      vendor: "gemini",
      upstream_model: "gemini-2.5-flash",
    });

    const res = await get("/v1/models", { key: userKey });
    expect(res.json.data.find((m: any) => m.id === "listed")).toEqual({
      id: "listed",
      object: "model",
      created: Math.floor(Date.parse(mc.json.created_at) / 1000),
      owned_by: "mock",
    });
    // Gemini has no key in the test environment, so its alias could not answer.
    expect(res.json.data.map((m: any) => m.id)).not.toContain("keyless");

    await patch("/v1/vendors/gemini", { api_key: "gemini-test-key" });
    const withKey = await listIds();
    expect(withKey).toContain("keyless");
    expect(withKey).toContain("gemini/gemini-2.5-pro");
    await patch("/v1/vendors/gemini", { enabled: false });
    const disabled = await listIds();
    expect(disabled).not.toContain("keyless");
    expect(disabled.filter((id) => id.startsWith("gemini/"))).toEqual([]);
    await patch("/v1/vendors/gemini", { enabled: true, api_key: null });
  });

  // What reachable compatible hosts serve is listed too: vendor-models.test.ts.
  it("lists an added vendor's models by its kind, and an unreachable OpenAI-compatible host's aliases only", async () => {
    await post("/v1/vendors", { slug: "openai-eu", kind: "openai", api_key: "sk-eu" });
    await post("/v1/vendors", {
      slug: "local",
      kind: "openai-compatible",
      base_url: "http://localhost:11434/v1",
    });
    await post("/v1/model-configs", { alias: "llama", vendor: "local", upstream_model: "llama3.2" });
    const ids = await listIds();
    expect(ids).toContain("openai-eu/gpt-4o-mini");
    expect(ids.filter((id) => id.startsWith("local/"))).toEqual([]);
    expect(ids).toContain("llama");
    // Aliases come first, then vendor models.
    expect(ids.indexOf("llama")).toBeLessThan(ids.indexOf("mock/echo"));
  });
});
