import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectError, post, scenario } from "../helpers";
import { TINY_PNG_B64 } from "../mocks/openai";
import { chat, key, setupGeminiUser, upstreamLog, user } from "./gemini-helpers";

setupGeminiUser();

describe("gemini: failures", () => {
  const fail = (name: string, headers?: Record<string, string>) =>
    chat({ model: `gemini/${scenario(name)}`, messages: [user("x")] }, headers);

  it("passes a 400's message on, scrubbed of key-like strings", async () => {
    const res = await fail("fail-400");
    const e = expectError(res, 400, "invalid_request_error", "upstream_invalid_request");
    expect(e.message).toContain("Mock failure 400");
    expect(res.text).not.toContain("sk-proj-");
  });

  it("treats 401, 403 and Google's 400 API_KEY_INVALID as the gateway's auth failure", async () => {
    expectError(await fail("fail-401"), 502, "upstream_error", "upstream_auth_failed");
    expectError(await fail("fail-403"), 502, "upstream_error", "upstream_auth_failed");
    const vendor = await post("/v1/vendors", {
      slug: "gemini-badkey",
      kind: "gemini",
      base_url: `${env.MOCK_UPSTREAM_URL}/gemini`,
      api_key: "AIzaSyWRONG-key-0123456789abcdef",
    });
    expect(vendor.status, vendor.text).toBe(201);
    const res = await chat({ model: "gemini-badkey/gemini-2.5-flash", messages: [user("x")] });
    const e = expectError(res, 502, "upstream_error", "upstream_auth_failed");
    expect(e.message).not.toContain("API key not valid");
    expect(res.text).not.toContain("AIza");
  });

  it("maps 404, 429 (with Retry-After), 500 and an HTML 503", async () => {
    expectError(await fail("fail-404"), 404, "not_found_error", "upstream_not_found");
    const limited = await fail("fail-429");
    expectError(limited, 429, "rate_limit_error", "upstream_rate_limited");
    expect(limited.headers.get("retry-after")).toBe("7");
    expectError(await fail("fail-500"), 502, "upstream_error", "upstream_unavailable");
    const html = await fail("fail-503-html");
    expectError(html, 502, "upstream_error", "upstream_unavailable");
    expect(html.text).not.toContain("<html>");
  });

  it("maps a malformed body, a hang past x-timeout-ms, and a reset", async () => {
    expectError(await fail("malformed"), 502, "upstream_error", "upstream_malformed_response");
    expectError(await fail("hang", { "x-timeout-ms": "150" }), 504, "timeout_error", "upstream_timeout");
    expectError(await fail("reset"), 502, "upstream_error", "upstream_unreachable");
  });

  it("answers stream failures before the first byte as plain errors", async () => {
    const res = await chat({
      model: `gemini/${scenario("fail-429")}`,
      messages: [user("x")],
      stream: true,
    });
    expectError(res, 429, "rate_limit_error", "upstream_rate_limited");
  });
});

describe("gemini: image generation", () => {
  const generate = (body: Record<string, unknown>) => post("/v1/images/generations", body, { key });

  it("draws with a Gemini image model, one call per image", async () => {
    const model = scenario("gemini-2.5-flash-image");
    const res = await generate({
      model: `gemini/${model}`,
      prompt: "a cat",
      n: 2,
      response_format: "b64_json",
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toEqual([{ b64_json: TINY_PNG_B64 }, { b64_json: TINY_PNG_B64 }]);
    expect(res.json.usage).toEqual({ input_tokens: 16, output_tokens: 2580, total_tokens: 2596 });
    const log = await upstreamLog(model);
    expect(log).toHaveLength(2);
    expect(log[0]?.path).toBe(`/gemini/v1beta/models/${model}:generateContent`);
    expect(log[0]?.headers["x-goog-api-key"]).toBe("test-gemini-key");
    expect(log[0]?.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "a cat" }] }],
      generationConfig: { responseModalities: ["IMAGE"] },
    });
  });

  it("asks for the aspect ratio nearest the size", async () => {
    const model = scenario("gemini-2.5-flash-image");
    const res = await generate({ model: `gemini/${model}`, prompt: "wide", size: "1792x1024" });
    expect(res.status, res.text).toBe(200);
    expect(res.json.data[0].url).toMatch(/\/v1\/images\/files\//);
    const [seen] = await upstreamLog(model);
    expect(seen?.body.generationConfig).toEqual({
      responseModalities: ["IMAGE"],
      imageConfig: { aspectRatio: "16:9" },
    });
  });

  it("answers 502 upstream_no_image when the model only wrote text", async () => {
    const res = await generate({ model: `gemini/${scenario("no-image")}`, prompt: "a cat" });
    expectError(res, 502, "upstream_error", "upstream_no_image");
  });

  it("maps upstream failures as for chat", async () => {
    expectError(
      await generate({ model: `gemini/${scenario("fail-429")}`, prompt: "a cat" }),
      429,
      "rate_limit_error",
      "upstream_rate_limited",
    );
  });
});
