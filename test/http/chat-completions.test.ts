import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, expectError, post, scenario, sseData } from "../helpers";

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

const chat = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  post("/v1/chat/completions", body, { key, headers });

describe("POST /v1/chat/completions with the mock vendor", () => {
  it("echoes the last user message in OpenAI's shape", async () => {
    const res = await chat({ model: "mock/echo", messages: [{ role: "user", content: "ping" }] });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      object: "chat.completion",
      model: "echo",
      choices: [{ index: 0, message: { role: "assistant", content: "ping" }, finish_reason: "stop" }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: 1, total_tokens: expect.any(Number) },
    });
    expect(res.json.id).toMatch(/^chatcmpl-/);
    expect(res.headers.get("x-switchboard-model")).toBe("mock/echo");
  });

  it("streams the same text in several chunks, ending with [DONE]", async () => {
    const whole = await chat({ model: "mock/chat", messages: [{ role: "user", content: "tell me" }] });
    const res = await chat({
      model: "mock/chat",
      messages: [{ role: "user", content: "tell me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const data = sseData(res.text);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe(whole.json.choices[0].message.content);
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBeGreaterThan(2);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: whole.json.usage });
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe("stop");
  });
});

describe("POST /v1/chat/completions with OpenAI", () => {
  it("relays the vendor's answer unchanged", async () => {
    const res = await chat({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({
      id: "chatcmpl-mock123",
      model: "gpt-4o-mini",
      system_fingerprint: "fp_mock",
      choices: [{ message: { content: "Hello! You said: hi" }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 21,
        completion_tokens: 8,
        total_tokens: 29,
        prompt_tokens_details: { cached_tokens: 4 },
      },
    });
  });

  it("sends the stored key and the client's parameters as they were", async () => {
    const res = await chat({
      model: `openai/${scenario("inspect")}`,
      messages: [{ role: "user", content: "hi" }],
      temperature: 0.5,
      logprobs: true,
      max_tokens: 50,
    });
    const seen = JSON.parse(res.json.choices[0].message.content);
    expect(seen.path).toBe("/openai/v1/chat/completions");
    expect(seen.headers.authorization).toBe("Bearer test-openai-key");
    expect(seen.body).toMatchObject({ temperature: 0.5, logprobs: true, max_tokens: 50 });
    expect(seen.body.model).toMatch(/^inspect~/);
  });

  it("streams, relaying the vendor's events byte for byte when usage is asked for", async () => {
    const res = await chat({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "stream please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    const data = sseData(res.text);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(
      "Hello! You said: stream please",
    );
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 21, completion_tokens: 8 } });
  });

  it("relays a stream byte-identical to what the vendor sent", async () => {
    const body = {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "same bytes" }],
      stream: true,
      stream_options: { include_usage: true },
    };
    const direct = await fetch(`${env.MOCK_UPSTREAM_URL}/openai/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer test-openai-key", "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const viaGateway = await chat({ ...body, model: "openai/gpt-4o-mini" });
    expect(viaGateway.text).toBe(await direct.text());
  });

  it("puts x-request-id on relayed, translated and streamed answers", async () => {
    const bodies = [
      { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }] },
      { model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }], stream: true },
      { model: "mock/echo", messages: [{ role: "user", content: "x" }] },
      { model: "mock/echo", messages: [{ role: "user", content: "x" }], stream: true },
    ];
    for (const body of bodies) {
      const res = await chat(body, { "x-request-id": "trace-42" });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id"), JSON.stringify(body)).toBe("trace-42");
    }
  });

  it("drops the usage chunk it asked for when the client did not", async () => {
    const res = await chat({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    const data = sseData(res.text);
    expect(data.at(-1)).toBe("[DONE]");
    for (const d of data.slice(0, -1)) expect(JSON.parse(d).choices).toHaveLength(1);
  });

  it("maps vendor failures to the one error shape without the vendor's body", async () => {
    const r429 = await chat({
      model: `openai/${scenario("fail-429")}`,
      messages: [{ role: "user", content: "x" }],
    });
    expectError(r429, 429, "rate_limit_error", "upstream_rate_limited");
    expect(r429.headers.get("retry-after")).toBe("7");
    expect(r429.text).not.toContain("sk-proj");
    expectError(
      await chat({ model: `openai/${scenario("fail-500")}`, messages: [{ role: "user", content: "x" }] }),
      502,
      "upstream_error",
    );
    const bad = await chat({
      model: `openai/${scenario("fail-400")}`,
      messages: [{ role: "user", content: "x" }],
    });
    expectError(bad, 400, "invalid_request_error", "upstream_invalid_request");
    expect(bad.text).toContain("Mock failure 400");
    expect(bad.text).not.toContain("sk-proj-abcdefghijklmnop0123");
    expectError(
      await chat({ model: `openai/${scenario("malformed")}`, messages: [{ role: "user", content: "x" }] }),
      502,
      "upstream_error",
      "upstream_malformed_response",
    );
    expectError(
      await chat(
        { model: `openai/${scenario("hang")}`, messages: [{ role: "user", content: "x" }] },
        { "x-timeout-ms": "150" },
      ),
      504,
      "timeout_error",
      "upstream_timeout",
    );
  });

  it("replaces a vendor's mid-stream error event with ours, scrubbed", async () => {
    const res = await chat({
      model: `openai/${scenario("error-event")}`,
      messages: [{ role: "user", content: "x y z" }],
      stream: true,
    });
    const last = JSON.parse(sseData(res.text).at(-1) as string);
    expect(last.error).toMatchObject({ type: "upstream_error", code: "upstream_stream_error" });
    expect(res.text).not.toContain("sk-proj-abcdefghijklmnop0123");
  });

  it("ends a cut-off stream with an error event", async () => {
    const res = await chat({
      model: `openai/${scenario("cut-stream")}`,
      messages: [{ role: "user", content: "x y z" }],
      stream: true,
    });
    const data = sseData(res.text);
    const last = JSON.parse(data.at(-1) as string);
    expect(last.error).toMatchObject({ type: "upstream_error", code: "upstream_stream_interrupted" });
  });
});
