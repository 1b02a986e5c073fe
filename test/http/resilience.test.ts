import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, expectError, post, scenario, sseData } from "../helpers";

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

const ask = (model: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  post(
    "/v1/chat/completions",
    { model, messages: [{ role: "user", content: "hi" }], ...extra },
    { key, headers },
  );

/** What the mock upstream received for this model name (see test/mocks/scenario.ts). */
const upstreamLog = async (model: string) =>
  (await (await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`)).json()) as {
    at: number;
  }[];

const alias = async (
  name: string,
  upstream: string,
  fallbacks: string[],
  extra: Record<string, unknown> = {},
) => {
  const res = await post("/v1/model-configs", {
    alias: name,
    vendor: "openai",
    upstream_model: upstream,
    fallbacks,
    ...extra,
  });
  expect(res.status, res.text).toBe(201);
};

describe("retries", () => {
  it("retry a 503 after the vendor's Retry-After, then answer", async () => {
    const model = scenario("flaky-503-1");
    const res = await ask(`openai/${model}`, { "x-max-retries": "2" });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("x-switchboard-retries")).toBe("1");
    const log = await upstreamLog(model);
    expect(log).toHaveLength(2);
    expect((log[1]?.at ?? 0) - (log[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("retry a 429 that asks for a short pause", async () => {
    const model = scenario("flaky-429-1");
    const res = await ask(`openai/${model}`, { "x-max-retries": "1" });
    expect(res.status).toBe(200);
    expect(await upstreamLog(model)).toHaveLength(2);
  });

  it("do not wait out a Retry-After longer than the policy allows", async () => {
    const model = scenario("fail-429"); // Retry-After: 7 > RETRY_MAX_DELAY_MS (5 s)
    expectError(
      await ask(`openai/${model}`, { "x-max-retries": "3" }),
      429,
      "rate_limit_error",
      "upstream_rate_limited",
    );
    expect(await upstreamLog(model)).toHaveLength(1);
  });

  it("retry timeouts, each attempt with its own clock, then answer 504", async () => {
    const model = scenario("hang");
    expectError(
      await ask(`openai/${model}`, { "x-max-retries": "1", "x-timeout-ms": "100" }),
      504,
      "timeout_error",
    );
    expect(await upstreamLog(model)).toHaveLength(2);
  });

  it("never retry the client's own errors", async () => {
    const model = scenario("fail-400");
    expectError(await ask(`openai/${model}`, { "x-max-retries": "3" }), 400, "invalid_request_error");
    expect(await upstreamLog(model)).toHaveLength(1);
  });

  it("never retry a stream once its first byte went out", async () => {
    const model = scenario("cut-stream");
    const res = await ask(`openai/${model}`, { "x-max-retries": "3" }, { stream: true });
    expect(JSON.parse(sseData(res.text).at(-1) as string).error.code).toBe("upstream_stream_interrupted");
    expect(await upstreamLog(model)).toHaveLength(1);
  });

  it("validate x-max-retries", async () => {
    expectError(
      await ask("mock/echo", { "x-max-retries": "9" }),
      400,
      "invalid_request_error",
      "invalid_max_retries",
    );
  });
});

describe("fallbacks", () => {
  it("answer from the next model when the first keeps failing, and say so", async () => {
    const failing = scenario("fail-500");
    await alias("sturdy", failing, ["mock/echo"]);
    const res = await ask("sturdy");
    expect(res.status, res.text).toBe(200);
    expect(res.json.choices[0].message.content).toBe("hi");
    expect(res.headers.get("x-switchboard-model")).toBe("mock/echo");
    expect(res.headers.get("x-switchboard-fallback")).toBe("mock/echo");
    expect(await upstreamLog(failing)).toHaveLength(1);
  });

  it("stream from a fallback when the first fails before its first byte", async () => {
    await alias("sturdy-stream", scenario("fail-503"), ["mock/echo"]);
    const res = await ask("sturdy-stream", {}, { stream: true });
    expect(res.headers.get("x-switchboard-fallback")).toBe("mock/echo");
    const text = sseData(res.text)
      .slice(0, -1)
      .map((d) => JSON.parse(d).choices[0]?.delta?.content ?? "")
      .join("");
    expect(text).toBe("hi");
  });

  it("skip a fallback that cannot take the request, and stop on client errors", async () => {
    const noTools = await post("/v1/model-configs", {
      alias: "no-tools",
      vendor: "mock",
      upstream_model: "echo",
      capabilities: { tools: false },
    });
    expect(noTools.status).toBe(201);
    await alias("chain", scenario("fail-502"), ["no-tools", "mock/chat"]);
    const tools = [{ type: "function", function: { name: "f" } }];
    const res = await ask("chain", {}, { tools });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("x-switchboard-fallback")).toBe("mock/chat");

    await alias("strict", scenario("fail-400"), ["mock/echo"]);
    expectError(await ask("strict"), 400, "invalid_request_error", "upstream_invalid_request");
  });

  it("serve conversation messages too, storing which model answered", async () => {
    await alias("sturdy-chat", scenario("fail-503"), ["mock/echo"]);
    const conv = await post("/v1/conversations", { model: "sturdy-chat" }, { key });
    const res = await post(
      `/v1/conversations/${conv.json.id}/messages`,
      { content: "still there?" },
      { key },
    );
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("x-switchboard-model")).toBe("mock/echo");
    expect(res.json.assistant_message).toMatchObject({
      model: "mock/echo",
      content: [{ type: "text", text: "still there?" }],
    });
  });

  it("answer the last failure when every model fails", async () => {
    await alias("doomed", scenario("fail-500"), [`openai/${scenario("fail-503")}`]);
    expectError(await ask("doomed"), 502, "upstream_error", "upstream_unavailable");
  });
});

describe("circuit breaker", () => {
  it("opens after repeated failures, skips the model, then closes after a success", async () => {
    const model = scenario("flaky-500-5");
    for (let i = 0; i < 5; i++)
      expectError(await ask(`openai/${model}`), 502, "upstream_error", "upstream_unavailable");
    expect(await upstreamLog(model)).toHaveLength(5);

    const open = expectError(await ask(`openai/${model}`), 502, "upstream_error", "circuit_open");
    expect(open.message).toContain("retry shortly");
    expect(await upstreamLog(model)).toHaveLength(5); // not sent

    // Half-open after the cool-down (400 ms in tests): one call goes through and succeeds.
    let res = await ask(`openai/${model}`);
    for (let i = 0; i < 40 && res.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      res = await ask(`openai/${model}`);
    }
    expect(res.status).toBe(200);
    expect(await upstreamLog(model)).toHaveLength(6);
    // Closed again: the next call goes straight through.
    expect((await ask(`openai/${model}`)).status).toBe(200);
  });

  it("sends traffic to the fallback while a model's circuit is open", async () => {
    const model = scenario("fail-500");
    for (let i = 0; i < 5; i++) await ask(`openai/${model}`);
    await alias("guarded", model, ["mock/echo"]);
    const res = await ask("guarded");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchboard-fallback")).toBe("mock/echo");
    expect(await upstreamLog(model)).toHaveLength(5);
  });
});
