import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, expectError, post } from "../helpers";

// JSON Schemas in a chat request go on to the vendor, and some adapters walk them: nesting is
// bounded at validation (64 levels), so a deep one is a 400 naming it, not a stack overflow.
const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{"a":1}${"}".repeat(levels - 1)}`;
const chat = (model: string, extra: string) =>
  `{"model":"${model}","messages":[{"role":"user","content":"hi"}],${extra}}`;
const tools = (parameters: string) =>
  `"tools":[{"type":"function","function":{"name":"f","parameters":${parameters}}}]`;

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

describe("JSON Schemas in chat requests", () => {
  it.each(["mock/echo", "anthropic/claude-haiku-4-5"])(
    "%s: tool parameters 10,000 deep are a 400",
    async (model) => {
      const err = expectError(
        await post("/v1/chat/completions", chat(model, tools(nested(10_000))), { key }),
        400,
        "invalid_request_error",
        "invalid_body",
      );
      expect(err.param).toBe("tools.0.function.parameters");
      expect(err.message).toContain("deeper than 64");
    },
  );

  it("takes 64 levels, refuses 65", async () => {
    const ok = await post("/v1/chat/completions", chat("mock/echo", tools(nested(64))), { key });
    expect(ok.status, ok.text).toBe(200);
    const res = await post("/v1/chat/completions", chat("mock/echo", tools(nested(65))), { key });
    expectError(res, 400, "invalid_request_error", "invalid_body");
  });

  it("bounds a json_schema response format the same way", async () => {
    const format = `"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${nested(1_001)}}}`;
    const err = expectError(
      await post("/v1/chat/completions", chat("mock/echo", format), { key }),
      400,
      "invalid_request_error",
    );
    expect(err.param).toBe("response_format.json_schema.schema");
  });
});
