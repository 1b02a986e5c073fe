import { exports } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { configureVendorKeys, createUser, get, post } from "../helpers";

/** One JSON line per request, with what happened and nothing secret. */

const SECRET_PROMPT = "the vault code is PURPLE-ELEPHANT-42";

let spy: MockInstance<typeof console.log>;
beforeEach(() => {
  spy = vi.spyOn(console, "log");
});
afterEach(() => spy.mockRestore());

/** The request line of a response, by its request id, and its raw text. */
function lineOf(res: { headers: Headers }): { raw: string; line: Record<string, unknown> } {
  const id = res.headers.get("x-request-id");
  const lines = spy.mock.calls
    .map(([arg]) => arg)
    .filter((arg): arg is string => typeof arg === "string" && arg.includes(`"request_id":"${id}"`));
  expect(lines).toHaveLength(1);
  const raw = lines[0] as string;
  return { raw, line: JSON.parse(raw) };
}

let user: Awaited<ReturnType<typeof createUser>>;
beforeAll(async () => {
  await configureVendorKeys();
  user = await createUser();
});

describe("request log", () => {
  it("logs a conversation message with its route pattern, vendor and model, never the prompt or key", async () => {
    const conv = await post("/v1/conversations", { model: "openai/gpt-4o-mini" }, { key: user.key });
    const res = await post(
      `/v1/conversations/${conv.json.id}/messages`,
      { content: SECRET_PROMPT },
      {
        key: user.key,
      },
    );
    expect(res.status, res.text).toBe(201);
    const { raw, line } = lineOf(res);
    expect(line).toEqual({
      level: "info",
      msg: "request",
      request_id: res.headers.get("x-request-id"),
      method: "POST",
      route: "/v1/conversations/:id/messages",
      status: 201,
      latency_ms: expect.any(Number),
      user_id: user.user.id,
      vendor: "openai",
      model: "gpt-4o-mini",
    });
    for (const secret of [
      SECRET_PROMPT,
      "PURPLE",
      user.key,
      "test-openai-key",
      conv.json.id,
      "authorization",
    ]) {
      expect(raw).not.toContain(secret);
    }
  });

  it("logs a stream when its response starts", async () => {
    const conv = await post("/v1/conversations", { model: "mock/echo" }, { key: user.key });
    const res = await exports.default.fetch(
      new Request(`http://switchboard.test/v1/conversations/${conv.json.id}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.key}`, "content-type": "application/json" },
        body: JSON.stringify({ content: SECRET_PROMPT, stream: true }),
      }),
    );
    expect(res.status).toBe(201);
    const { raw, line } = lineOf(res);
    expect(line).toMatchObject({
      status: 201,
      vendor: "mock",
      model: "echo",
      route: "/v1/conversations/:id/messages",
    });
    expect(await res.text()).toContain("PURPLE");
    expect(raw).not.toContain("PURPLE");
  });

  it("logs failures with their error code and level", async () => {
    const missing = await post(
      "/v1/conversations/cnv_missing/messages",
      { content: SECRET_PROMPT },
      { key: user.key },
    );
    expect(missing.status).toBe(404);
    expect(lineOf(missing).line).toMatchObject({
      level: "warn",
      route: "/v1/conversations/:id/messages",
      status: 404,
      user_id: user.user.id,
      error_code: "conversation_not_found",
    });

    const badKey = "sk-sb-not-a-real-key-0123456789";
    const denied = await get(`/v1/users/${user.user.id}`, { key: badKey });
    expect(denied.status).toBe(401);
    const { raw, line } = lineOf(denied);
    expect(line).toEqual({
      level: "warn",
      msg: "request",
      request_id: denied.headers.get("x-request-id"),
      method: "GET",
      route: "/v1/users/:id",
      status: 401,
      latency_ms: expect.any(Number),
      error_code: "invalid_api_key",
    });
    expect(raw).not.toContain(badKey);

    const upstream = await post(
      "/v1/images/generations",
      { model: "openai/fail-500~log", prompt: SECRET_PROMPT },
      {
        key: user.key,
      },
    );
    expect(upstream.status).toBe(502);
    expect(lineOf(upstream).line).toMatchObject({
      level: "error",
      route: "/v1/images/generations",
      status: 502,
      vendor: "openai",
      model: "fail-500~log",
      error_code: upstream.json.error.code,
    });

    const nowhere = await get("/v1/nowhere", { key: user.key });
    expect(lineOf(nowhere).line).toMatchObject({ route: null, status: 404 });
  });
});
