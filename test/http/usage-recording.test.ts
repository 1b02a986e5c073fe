import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { expectError, post, usageOf } from "../helpers";
import { type Caller, conversation, requestIdOf, usageCallers } from "./usage-helpers";

/**
 * Usage accounting end to end, per call: what each call through the worker records (through the
 * real queue, into D1) and what it costs. The reports over those rows: usage-reports.test.ts.
 */

/** gpt-4o-mini's list price: 0.15 in, 0.075 cached in, 0.6 out (USD per million tokens). */
const GPT_4O_MINI_COST = (17 * 0.15 + 4 * 0.075 + 8 * 0.6) / 1_000_000;

let alice: Caller;
let bob: Caller;
beforeAll(async () => {
  ({ alice, bob } = await usageCallers());
});

describe("recording calls", () => {
  it("records a conversation message with the vendor's usage and the list price", async () => {
    const res = await post(
      `/v1/conversations/${await conversation(alice.key)}/messages`,
      { content: "hi" },
      // Any client's session header is kept, on every call route (usage-sessions.test.ts).
      { key: alice.key, headers: { "x-claude-code-session-id": "sess-conversation" } },
    );
    expect(res.status, res.text).toBe(201);
    const row = await usageOf(requestIdOf(res));
    expect(row).toEqual({
      id: expect.stringMatching(/^use_/),
      request_id: requestIdOf(res),
      user_id: alice.user.id,
      api_key_id: alice.keyId,
      route: "conversation.message",
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      alias: null,
      input_tokens: 21,
      output_tokens: 8,
      cached_tokens: 4,
      cost_usd: expect.any(Number),
      latency_ms: expect.any(Number),
      ttft_ms: null,
      status: 201,
      cache_hit: 0,
      tokens_estimated: 0,
      retries: 0,
      fallback_used: null,
      // The key stored with PATCH /v1/vendors/openai (configureVendorKeys), by its id.
      vendor_key_id: "primary",
      error_code: null,
      session_id: "sess-conversation",
      key_metadata: null,
      created_at: expect.any(Number),
    });
    expect(row.cost_usd).toBeCloseTo(GPT_4O_MINI_COST, 15);
    expect(row.cost_usd).toBeCloseTo(0.00000765, 15);
    expect(row.latency_ms).toBeGreaterThanOrEqual(0);
    expect(Math.abs(row.created_at - Date.now())).toBeLessThan(60_000);
  });

  it("records a streamed message when the stream ends, with its time to first token", async () => {
    const id = await conversation(alice.key);
    const res = await exports.default.fetch(
      new Request(`http://switchboard.test/v1/conversations/${id}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.key}`, "content-type": "application/json" },
        body: JSON.stringify({ content: "stream please", stream: true }),
      }),
    );
    expect(res.status).toBe(201);
    await res.text();
    const row = await usageOf(requestIdOf(res));
    expect(row).toMatchObject({
      route: "conversation.message",
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      input_tokens: 21,
      output_tokens: 8,
      cached_tokens: 4,
      status: 201,
      error_code: null,
    });
    expect(row.cost_usd).toBeCloseTo(GPT_4O_MINI_COST, 15);
    expect(row.ttft_ms).toEqual(expect.any(Number));
    expect(row.ttft_ms).toBeLessThanOrEqual(row.latency_ms as number);
  });

  it("prices an alias by its model config and records the alias", async () => {
    const alias = `priced-${crypto.randomUUID().slice(0, 8)}`;
    const config = await post("/v1/model-configs", {
      alias,
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      pricing: { input_per_mtok: 1, output_per_mtok: 2 },
    });
    expect(config.status, config.text).toBe(201);
    const res = await post(
      `/v1/conversations/${await conversation(alice.key, alias)}/messages`,
      { content: "x" },
      {
        key: alice.key,
      },
    );
    expect(res.status, res.text).toBe(201);
    const row = await usageOf(requestIdOf(res));
    expect(row).toMatchObject({ vendor: "openai", upstream_model: "gpt-4o-mini", alias, input_tokens: 21 });
    // No cached price in the config: cached tokens cost the input price.
    expect(row.cost_usd).toBeCloseTo((21 * 1 + 8 * 2) / 1_000_000, 15);
  });

  it("records a vendor failure with its status and error code, and no tokens", async () => {
    const id = await conversation(alice.key, "openai/fail-500~usage");
    const res = await post(`/v1/conversations/${id}/messages`, { content: "x" }, { key: alice.key });
    const error = expectError(res, 502, "upstream_error");
    const row = await usageOf(requestIdOf(res));
    expect(row).toMatchObject({
      vendor: "openai",
      upstream_model: "fail-500~usage",
      input_tokens: 0,
      output_tokens: 0,
      cached_tokens: 0,
      cost_usd: 0,
      status: 502,
      error_code: error.code,
    });
  });

  it("records a failure before any vendor was chosen", async () => {
    const id = await conversation(alice.key);
    const res = await post(
      `/v1/conversations/${id}/messages`,
      { content: "x", model: "nope/none" },
      {
        key: alice.key,
      },
    );
    expectError(res, 404, "not_found_error", "model_not_found");
    expect(await usageOf(requestIdOf(res))).toMatchObject({
      route: "conversation.message",
      user_id: alice.user.id,
      vendor: null,
      upstream_model: null,
      status: 404,
      error_code: "model_not_found",
    });
  });

  it("records image generations", async () => {
    const res = await post(
      "/v1/images/generations",
      { model: "mock/image", prompt: "a fox", response_format: "b64_json" },
      { key: bob.key },
    );
    expect(res.status, res.text).toBe(200);
    expect(await usageOf(requestIdOf(res))).toMatchObject({
      route: "images.generations",
      user_id: bob.user.id,
      api_key_id: bob.keyId,
      vendor: "mock",
      upstream_model: "image",
      input_tokens: res.json.usage.input_tokens,
      output_tokens: 0,
      cost_usd: 0,
      status: 200,
      error_code: null,
    });

    const refused = await post(
      "/v1/images/generations",
      { model: "mock/echo", prompt: "a fox" },
      { key: bob.key },
    );
    const error = expectError(refused, 400, "invalid_request_error");
    expect(await usageOf(requestIdOf(refused))).toMatchObject({
      route: "images.generations",
      vendor: "mock",
      status: 400,
      error_code: error.code,
      input_tokens: 0,
    });
  });

  it("writes a redelivered record once", async () => {
    const message = {
      id: `use_${crypto.randomUUID()}`,
      request_id: "req_redelivered",
      user_id: alice.user.id,
      api_key_id: alice.keyId,
      route: "chat.completions",
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      alias: null,
      input_tokens: 1,
      output_tokens: 1,
      cached_tokens: 0,
      cost_usd: 0.5,
      latency_ms: 1,
      ttft_ms: null,
      status: 200,
      cache_hit: false,
      retries: 0,
      fallback_used: null,
      error_code: null,
      created_at: Date.UTC(2024, 0, 1),
    };
    await env.USAGE_QUEUE.sendBatch([
      { body: message, contentType: "json" },
      { body: message, contentType: "json" },
    ]);
    await usageOf("req_redelivered");
    await env.USAGE_QUEUE.send(message, { contentType: "json" });
    // A later message, to know the redelivery was consumed before counting.
    await env.USAGE_QUEUE.send(
      { ...message, id: `use_${crypto.randomUUID()}`, request_id: "req_marker" },
      {
        contentType: "json",
      },
    );
    await usageOf("req_marker");
    const { results } = await env.DB.prepare("select id from usage_events where request_id = ?")
      .bind("req_redelivered")
      .all();
    expect(results).toEqual([{ id: message.id }]);
  });
});
