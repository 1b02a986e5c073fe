import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors/gateway-error";
import { passthroughResponsesStream } from "../../gateway/pipeline/stream/responses-passthrough";
import type { CallEnd } from "../../gateway/pipeline/types";
import { openaiCompatibleProvider } from "../openai-compatible";
import type { ResponsesWire, UpstreamContext } from "../types";
import type { Vendor } from "../vendor-directory";
import { openaiProvider } from ".";

/**
 * The Responses API wire of the `openai` kind against the mock OpenAI (test/mocks/openai-responses.ts):
 * the vendor's key on every call, the methods and paths, and the vendor's errors as GatewayErrors
 * that keep its (scrubbed) body for the Responses client.
 */

const vendor = (baseUrl: string): Vendor => ({
  slug: "openai",
  kind: "openai",
  baseUrl,
  enabled: true,
  builtin: true,
  apiKeyEncrypted: null,
  envApiKey: undefined,
  keys: [],
  createdAt: null,
  updatedAt: null,
});

const ctx = (apiKey = "test-openai-key"): UpstreamContext => ({
  vendor: vendor(`${env.MOCK_UPSTREAM_URL}/openai/v1`),
  apiKey,
  signal: new AbortController().signal,
});

const wire = openaiProvider.responsesWire as ResponsesWire;
const create = (model: string, extra: Record<string, unknown> = {}, key?: string) =>
  wire.send("/responses", { model, input: "Hi there", ...extra }, ctx(key), { method: "POST" });

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

describe("responsesWire", () => {
  it("exists for OpenAI only: compatible hosts are translated", () => {
    expect(openaiProvider.responsesWire).toBeDefined();
    expect(openaiCompatibleProvider.responsesWire).toBeUndefined();
  });

  it("creates, reads, lists the input of and deletes a response, with the vendor's key", async () => {
    const created = await (await create("gpt-5-mini")).json<{ id: string; output_text?: string }>();
    expect(created.id).toMatch(/^resp_/);
    const path = `/responses/${created.id}`;
    const got = await wire.send(path, null, ctx(), { method: "GET" });
    expect(await got.json()).toMatchObject({ id: created.id, status: "completed" });
    const items = await wire.send(`${path}/input_items`, null, ctx(), {
      method: "GET",
      query: "?order=asc&limit=1",
    });
    expect(await items.json()).toMatchObject({
      object: "list",
      data: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Hi there" }] }],
      has_more: false,
    });
    const deleted = await wire.send(path, null, ctx(), { method: "DELETE" });
    expect(await deleted.json()).toEqual({ id: created.id, object: "response", deleted: true });
    const gone = await failure(wire.send(path, null, ctx(), { method: "GET" }));
    expect(gone).toMatchObject({ status: 404, code: "upstream_not_found" });
    // OpenAI's own message; the id in it is long enough to read as a key, and is scrubbed too.
    expect(JSON.parse(gone.vendorBody ?? "").error.message).toMatch(/^Response with id '.+' not found\.$/);
  });

  it("counts input tokens and compacts", async () => {
    const count = await wire.send("/responses/input_tokens", { model: "m", input: "Hi" }, ctx(), {
      method: "POST",
    });
    expect(await count.json()).toMatchObject({
      object: "response.input_tokens",
      input_tokens: expect.any(Number),
    });
    const compact = await wire.send("/responses/compact", { model: "m", input: "Hi" }, ctx(), {
      method: "POST",
    });
    expect(await compact.json()).toMatchObject({ object: "response.compaction" });
  });

  it("keeps the vendor's error body, scrubbed, and maps its status", async () => {
    const limited = await failure(create("fail-429"));
    expect(limited).toMatchObject({ status: 429, type: "rate_limit_error", retryable: true });
    expect(limited.headers).toEqual({ "retry-after": "7" });
    const body = JSON.parse(limited.vendorBody ?? "");
    expect(body.error).toMatchObject({ code: "rate_limit_exceeded", type: "tokens" });
    expect(limited.vendorBody).toContain("[redacted]");
    expect(limited.vendorBody).not.toContain("sk-proj-abcdefghijklmnop0123");

    const unknown = await failure(create("gpt-5-mini", { previous_response_id: "resp_nope" }));
    expect(unknown).toMatchObject({ status: 400, code: "upstream_invalid_request" });
    expect(JSON.parse(unknown.vendorBody ?? "").error).toMatchObject({
      code: "previous_response_not_found",
      param: "previous_response_id",
    });
    expect((await failure(create("fail-503"))).status).toBe(502);
  });

  it("reads a refused key as the gateway's misconfiguration, not the client's", async () => {
    const err = await failure(create("gpt-5-mini", {}, "sk-wrong"));
    expect(err).toMatchObject({ status: 502, code: "upstream_auth_failed" });
    expect(err.vendorBody).toContain("invalid_api_key");
  });

  it("refuses an id that could reach another path, without calling the vendor", async () => {
    for (const path of [
      "/responses/../models",
      "/responses/a/b/c",
      "/responses/x?y=1",
      "/chat/completions",
      "/responses/%2F",
    ]) {
      const err = await failure(wire.send(path, null, ctx(), { method: "GET" }));
      expect(err, path).toMatchObject({ status: 404, type: "not_found_error" });
      expect(err.vendorBody).toBeUndefined();
    }
  });

  it("turns a connection reset into a retryable 502", async () => {
    expect(await failure(create("reset"))).toMatchObject({
      status: 502,
      code: "upstream_unreachable",
      retryable: true,
    });
  });
});

describe("responsesWire with the Responses passthrough: a live stream from the mock, relayed", () => {
  async function relayed(model: string) {
    const res = await create(model, { stream: true });
    const ids: string[] = [];
    let outcome: CallEnd | undefined;
    const body = passthroughResponsesStream("openai", res.body as ReadableStream<Uint8Array>, {
      requestId: "req_live",
      onResponseId: (id) => ids.push(id),
      onEnd: (o) => {
        outcome = o;
      },
    });
    const text = await new Response(body).text();
    const events = text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map(
        (l) =>
          JSON.parse(l.slice(6)) as { type: string; response?: { id: string; error?: { code: string } } },
      );
    await new Promise((r) => setTimeout(r, 1));
    return { text, events, ids, outcome: outcome as CallEnd };
  }

  it("reads the id, usage and finish of a completed stream", async () => {
    const { events, ids, outcome } = await relayed("gpt-5-mini");
    expect(ids).toEqual([events[0]?.response?.id]);
    expect(events.at(-1)?.type).toBe("response.completed");
    expect(outcome).toMatchObject({
      usage: { inputTokens: 21, outputTokens: 8, cachedTokens: 4 },
      finishReason: "stop",
    });
    expect((await relayed("tool-call")).outcome.finishReason).toBe("stop"); // no tools given: it answers
  });

  it("relays the vendor's failure scrubbed, and ends a cut-off stream with response.failed", async () => {
    const failed = await relayed("error-event");
    expect(failed.events.slice(-2).map((e) => e.type)).toEqual(["error", "response.failed"]);
    expect(failed.text).not.toContain("sk-proj-abcdefghijklmnop0123");
    expect((failed.outcome.error as GatewayError).code).toBe("upstream_stream_error");
    const cut = await relayed("cut-stream");
    expect(cut.events.slice(-2).map((e) => e.type)).toEqual(["error", "response.failed"]);
    expect(cut.events.at(-1)?.response).toMatchObject({ id: cut.ids[0], error: { code: "server_error" } });
    expect((cut.outcome.error as GatewayError).code).toBe("upstream_stream_interrupted");
  });
});
