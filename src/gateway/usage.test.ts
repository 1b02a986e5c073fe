import { afterEach, describe, expect, it, vi } from "vitest";
import { newCallRecord } from "./call-record";
import { recordCall, toUsageMessage } from "./usage";

const record = () => ({
  ...newCallRecord({ requestId: "req_1", route: "chat.completions", userId: "usr_1", apiKeyId: "key_1" }),
  vendor: "openai",
  vendorKind: "openai",
  upstreamModel: "gpt-4o-mini",
  usage: { inputTokens: 21, outputTokens: 8, cachedTokens: 4 },
  price: { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 },
  latencyMs: 120,
  startedAt: 1_700_000_000_000,
});

describe("toUsageMessage", () => {
  it("prices the usage and keeps what the call did", () => {
    expect(toUsageMessage(record(), "use_1")).toEqual({
      id: "use_1",
      request_id: "req_1",
      user_id: "usr_1",
      api_key_id: "key_1",
      route: "chat.completions",
      vendor: "openai",
      upstream_model: "gpt-4o-mini",
      alias: null,
      input_tokens: 21,
      output_tokens: 8,
      cached_tokens: 4,
      cost_usd: (17 * 0.15 + 4 * 0.075 + 8 * 0.6) / 1_000_000,
      latency_ms: 120,
      ttft_ms: null,
      status: 200,
      cache_hit: false,
      tokens_estimated: false,
      retries: 0,
      fallback_used: null,
      vendor_key_id: null,
      error_code: null,
      session_id: null,
      key_metadata: null,
      created_at: 1_700_000_000_000,
    });
    expect(toUsageMessage({ ...record(), vendorKeyId: "vk_1" }, "use_5").vendor_key_id).toBe("vk_1");
  });

  it("says when the counts are the gateway's estimate", () => {
    const estimated = { ...record(), usage: { inputTokens: 9, outputTokens: 0, estimated: true } };
    expect(toUsageMessage(estimated, "use_4")).toMatchObject({ input_tokens: 9, tokens_estimated: true });
  });

  it("charges nothing for a cache hit, and records no tokens for a call without usage", () => {
    expect(toUsageMessage({ ...record(), cacheHit: true }, "use_2")).toMatchObject({
      cost_usd: 0,
      input_tokens: 21,
    });
    expect(
      toUsageMessage({ ...record(), usage: null, status: 502, errorCode: "upstream_unavailable" }, "use_3"),
    ).toMatchObject({
      input_tokens: 0,
      output_tokens: 0,
      cached_tokens: 0,
      cost_usd: 0,
      status: 502,
      error_code: "upstream_unavailable",
    });
  });

  it("carries the client's session", () => {
    expect(toUsageMessage({ ...record(), sessionId: "sess-1" }, "use_5").session_id).toBe("sess-1");
  });

  it("never counts more cached tokens than input tokens", () => {
    const r = { ...record(), usage: { inputTokens: 3, outputTokens: 0, cachedTokens: 9 } };
    expect(toUsageMessage(r, "use_4").cached_tokens).toBe(3);
  });
});

describe("recordCall", () => {
  afterEach(() => vi.restoreAllMocks());

  it("sends its record inside waitUntil, as a pack", async () => {
    const sent: unknown[] = [];
    const waited: Promise<unknown>[] = [];
    const queue = {
      send: async (body: unknown, opts: unknown) => {
        sent.push({ body, opts });
      },
    } as unknown as Queue;
    recordCall(
      { env: { USAGE_QUEUE: queue, USAGE_FLUSH_MS: "0" }, waitUntil: (p) => waited.push(p) },
      record(),
    );
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(sent).toEqual([
      {
        body: {
          records: [expect.objectContaining({ id: expect.stringMatching(/^use_/), request_id: "req_1" })],
        },
        opts: { contentType: "json" },
      },
    ]);
  });

  it("logs a failed send without throwing, and without prompts or keys", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const waited: Promise<unknown>[] = [];
    const failing = (how: "reject" | "throw") =>
      ({
        send: () => {
          if (how === "throw") throw new Error("queue binding broken");
          return Promise.reject(new Error("queue unavailable"));
        },
      }) as unknown as Queue;
    for (const how of ["reject", "throw"] as const) {
      expect(() =>
        recordCall(
          { env: { USAGE_QUEUE: failing(how), USAGE_FLUSH_MS: "0" }, waitUntil: (p) => waited.push(p) },
          record(),
        ),
      ).not.toThrow();
    }
    await Promise.all(waited);
    expect(errors).toHaveBeenCalledTimes(2);
    const lines = errors.mock.calls.map((call) => JSON.parse(call[0] as string));
    expect(lines[0]).toMatchObject({
      level: "error",
      msg: "usage record not sent",
      request_id: "req_1",
      user_id: "usr_1",
    });
    expect(lines.map((l) => l.error).sort()).toEqual([
      "Error: queue binding broken",
      "Error: queue unavailable",
    ]);
  });
});
