import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { EXPECTED } from "../fixtures/expected";
import { createUser, post, scenario, usageOf } from "../helpers";
import { isWellFormedSse, readSse, summariseChunks } from "./sse-client";

/**
 * OpenAI-wire hosts relayed to OpenAI clients (providers/openai/passthrough.ts), fed the recorded
 * streams of test/fixtures/openai/ by the mock upstream (`fixture-<name>[~<bytes>]`, whole, one
 * byte per write, 7 bytes per write). Whatever the host's framing, the client must get one finish
 * reason, one `[DONE]`, the exact text, usage only when it asked, and a usage record that is a
 * success with the host's counts; a failing host gives one error event in our shape.
 */

let key: string;
beforeAll(async () => {
  key = (await createUser()).key;
  const vendor = await post("/v1/vendors", {
    slug: "compat",
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/compat/v1`,
  });
  expect(vendor.status, vendor.text).toBe(201);
});

const SPLITS = ["", "~1", "~7"];
const WHOLE_AND_BYTES = ["", "~1"];

async function stream(fixtureModel: string, includeUsage: boolean) {
  const res = await post(
    "/v1/chat/completions",
    {
      model: `compat/${scenario(fixtureModel)}`,
      messages: [{ role: "user", content: "replay" }],
      stream: true,
      ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    },
    { key },
  );
  const requestId = res.headers.get("x-request-id") as string;
  const events = readSse(res.text);
  const data = events.map((e) => e.data);
  const chunks = data.filter((d) => d !== "[DONE]").map(parseChunk);
  return { res, requestId, events, data, chunks };
}

/** A data payload as JSON; one that is not JSON is kept as `{ unparsable }`, for the assertions to show. */
function parseChunk(data: string): any {
  try {
    return JSON.parse(data);
  } catch {
    return { unparsable: data };
  }
}

/** Our mid-stream error event: `{"error": {type, code, message, request_id}}` (param optional). */
function expectOurError(payload: any, requestId: string) {
  expect(Object.keys(payload)).toEqual(["error"]);
  const keys = Object.keys(payload.error).filter((k) => k !== "param");
  expect(keys.sort()).toEqual(["code", "message", "request_id", "type"]);
  expect(payload.error.request_id).toBe(requestId);
  expect(payload.error.type).toBe("upstream_error");
  return payload.error as { type: string; code: string; message: string };
}

const completing = Object.entries(EXPECTED.openai).filter(([, want]) => !want.error);

describe("a completing stream from an OpenAI-compatible host", () => {
  for (const [name, want] of completing) {
    for (const split of SPLITS) {
      for (const includeUsage of [false, true]) {
        const label = `${name}${split || " (whole)"}${includeUsage ? ", include_usage" : ""}`;
        it(label, async () => {
          const { res, requestId, data, chunks } = await stream(`fixture-${name}${split}`, includeUsage);
          expect(res.status, res.text).toBe(200);
          expect(isWellFormedSse(res.text), res.text).toBe(true);
          expect(
            data.filter((d) => d === "[DONE]"),
            res.text,
          ).toHaveLength(1);
          expect(data.at(-1)).toBe("[DONE]");
          expect(
            chunks.filter((c) => "error" in c),
            res.text,
          ).toEqual([]);
          const got = summariseChunks(chunks);
          expect(got.finishReasons, res.text).toEqual([want.finish]);
          expect(got.text).toBe(want.text);
          expect(got.toolCalls).toEqual(want.toolCalls ?? []);
          if (!includeUsage) expect(got.usageChunks, res.text).toEqual([]);
          else if (want.usage && !want.knownGap) {
            expect(got.lastUsage, res.text).toMatchObject({
              prompt_tokens: want.usage.inputTokens,
              completion_tokens: want.usage.outputTokens,
            });
          }
          const row = await usageOf(requestId);
          expect(row, res.text).toMatchObject({ status: 200, error_code: null });
          if (want.usage && !want.knownGap) {
            expect(row).toMatchObject({
              input_tokens: want.usage.inputTokens,
              output_tokens: want.usage.outputTokens,
              cached_tokens: want.usage.cachedTokens ?? 0,
            });
          }
        });
      }
    }
  }
});

describe("a host that fails after its 200", () => {
  const failing = Object.entries(EXPECTED.openai).filter(([, want]) => want.error);
  for (const [name, want] of failing) {
    for (const split of WHOLE_AND_BYTES) {
      it(`${name}${split || " (whole)"}: one error event in our shape, then nothing`, async () => {
        const { res, requestId, data, chunks } = await stream(`fixture-${name}${split}`, true);
        expect(res.status).toBe(200);
        expect(isWellFormedSse(res.text), res.text).toBe(true);
        const errors = chunks.filter((c) => "error" in c);
        expect(errors, res.text).toHaveLength(1);
        expect(chunks.at(-1), "nothing after the error event").toBe(errors[0]);
        expect(data).not.toContain("[DONE]");
        const error = expectOurError(errors[0], requestId);
        expect(error.code).toBe(want.error?.code);
        if (want.error?.includes) expect(error.message).toContain(want.error.includes);
        expect(res.text).not.toMatch(/sk-[A-Za-z0-9_-]{8,}/);
        expect(summariseChunks(chunks).text).toBe(want.text);
        expect((await usageOf(requestId)).error_code).toBe(want.error?.code);
      });
    }
  }
});

describe("a 200 that is not an event stream, to a stream request", () => {
  // A host that ignores `stream: true` (pretty or compact JSON), and one whose body is no JSON.
  const bodies = ["fixture-completion", "fixture-completion-compact", "malformed"];
  for (const model of bodies) {
    for (const split of WHOLE_AND_BYTES) {
      it(`${model}${split || " (whole)"}: one well-formed error event, alone`, async () => {
        const { res, requestId, events } = await stream(`${model}${split}`, true);
        expect(isWellFormedSse(res.text), res.text).toBe(true);
        expect(events, res.text).toHaveLength(1);
        const error = expectOurError(parseChunk(events[0]?.data ?? "null"), requestId);
        expect([
          "upstream_malformed_response",
          "upstream_stream_error",
          "upstream_stream_interrupted",
        ]).toContain(error.code);
        expect((await usageOf(requestId)).error_code).not.toBeNull();
      });
    }
  }

  it("makes the openai SDK raise instead of ending normally after 0 chunks", async () => {
    const client = new OpenAI({
      apiKey: key,
      baseURL: "http://switchboard.test/v1",
      fetch: (input: RequestInfo | URL, init?: RequestInit) =>
        exports.default.fetch(new Request(input, init)),
      maxRetries: 0,
    });
    const chunks: unknown[] = [];
    const consume = async () => {
      const s = await client.chat.completions.create({
        model: `compat/${scenario("fixture-completion-compact")}`,
        messages: [{ role: "user", content: "replay" }],
        stream: true,
      });
      for await (const chunk of s) chunks.push(chunk);
    };
    await expect(consume()).rejects.toThrow();
    expect(chunks).toEqual([]);
  });
});
