import { beforeAll, describe, expect, it } from "vitest";
import { EXPECTED } from "../fixtures/expected";
import { configureVendorKeys, createUser, post, scenario, usageOf } from "../helpers";
import { isWellFormedSse, readSse, summariseChunks } from "./sse-client";

/**
 * The mock upstreams' fixture scenario (test/mocks/fixture-replay.ts) end to end, for the vendors
 * the gateway translates: a recorded Anthropic or Gemini stream, written a few bytes at a time,
 * reaches an OpenAI client whole; a non-stream request gets the vendor's recorded JSON body.
 */

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

const chat = (model: string, stream: boolean) =>
  post(
    "/v1/chat/completions",
    {
      model,
      messages: [{ role: "user", content: "replay" }],
      max_tokens: 200,
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    },
    { key },
  );

describe("fixture replay through a translating vendor", () => {
  for (const vendor of ["anthropic", "gemini"] as const) {
    for (const split of ["", "~1", "~5"]) {
      it(`${vendor}/fixture-text${split}`, async () => {
        const want = EXPECTED[vendor].text;
        if (!want?.usage) throw new Error("the text fixture has usage");
        const res = await chat(`${vendor}/${scenario(`fixture-text${split}`)}`, true);
        expect(res.status, res.text).toBe(200);
        expect(isWellFormedSse(res.text)).toBe(true);
        const data = readSse(res.text).map((e) => e.data);
        expect(data.filter((d) => d === "[DONE]")).toHaveLength(1);
        const got = summariseChunks(data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d)));
        expect(got.text).toBe(want.text);
        expect(got.finishReasons).toEqual([want.finish]);
        expect(got.usageChunks).toHaveLength(1);
        const row = await usageOf(res.headers.get("x-request-id") as string);
        expect(row).toMatchObject({
          status: 200,
          error_code: null,
          input_tokens: want.usage.inputTokens,
          output_tokens: want.usage.outputTokens,
        });
      });
    }
  }

  it("answers a non-stream request with the vendor's recorded JSON", async () => {
    const anthropic = await chat(`anthropic/${scenario("fixture-message")}`, false);
    expect(anthropic.status, anthropic.text).toBe(200);
    expect(anthropic.json.choices[0].message.content).toBe(EXPECTED.anthropic.text?.text);
    const gemini = await chat(`gemini/${scenario("fixture-response")}`, false);
    expect(gemini.status, gemini.text).toBe(200);
    expect(gemini.json.choices[0].message.content).toBe(EXPECTED.gemini.text?.text);
  });

  it("says which fixture is missing", async () => {
    const res = await chat(`gemini/${scenario("fixture-no-such-thing")}`, true);
    expect(res.status).toBe(404);
    expect(res.json.error.message).toContain("mock: no fixture gemini/no-such-thing");
  });
});
