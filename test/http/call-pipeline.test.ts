import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectError, post, scenario, usageOf } from "../helpers";
import { createConversation, key, listMessages, send, useConversationUser } from "./conversation-helpers";

/**
 * The call pipeline's promises, whatever the route: one usage row per call, however it ends
 * (answered, refused, failed before or during a stream, cancelled), and nothing half-stored.
 */

useConversationUser();

const requestIdOf = (res: { headers: Headers }) => res.headers.get("x-request-id") as string;

/** Every usage row of a request, once the first has arrived and the queue had time for more. */
async function usageRows(requestId: string) {
  await usageOf(requestId);
  await new Promise((r) => setTimeout(r, 150));
  const { results } = await env.DB.prepare("select * from usage_events where request_id = ?")
    .bind(requestId)
    .all<{ status: number; error_code: string | null }>();
  return results;
}

describe("one usage record per call", () => {
  const cases: [string, () => Promise<{ status: number; headers: Headers; text: string }>, number][] = [
    ["an answered chat", () => post("/v1/chat/completions", chat("mock/echo"), { key }), 200],
    [
      "a streamed chat",
      () => post("/v1/chat/completions", { ...chat("mock/echo"), stream: true }, { key }),
      200,
    ],
    [
      "a chat the vendor refused",
      () => post("/v1/chat/completions", chat(`openai/${scenario("fail-500")}`), { key }),
      502,
    ],
    ["a chat for an unknown model", () => post("/v1/chat/completions", chat("nope/none"), { key }), 404],
    [
      "a stream cut off mid-way",
      () =>
        post("/v1/chat/completions", { ...chat(`openai/${scenario("cut-stream")}`), stream: true }, { key }),
      200,
    ],
    [
      "an image",
      () => post("/v1/images/generations", { model: "mock/image", prompt: "a fox" }, { key }),
      200,
    ],
  ];
  for (const [name, call, status] of cases) {
    it(name, async () => {
      const res = await call();
      expect(res.status, res.text).toBe(status);
      const rows = await usageRows(requestIdOf(res));
      expect(rows).toHaveLength(1);
    });
  }

  it("a turn, answered or failed, streamed or not", async () => {
    const conv = await createConversation(key, { model: "mock/echo" });
    for (const body of [
      { content: "hi" },
      { content: "hi", stream: true },
      { content: "hi", model: `openai/${scenario("fail-500")}` },
      { content: "hi", model: `openai/${scenario("fail-500")}`, stream: true },
      { content: "hi", model: `openai/${scenario("cut-stream")}`, stream: true },
    ]) {
      const res = await send(conv.id, body);
      expect((await usageRows(requestIdOf(res))).length, JSON.stringify(body)).toBe(1);
    }
  });
});

describe("control characters in a model string", () => {
  for (const stream of [false, true]) {
    it(`are a 400 naming the field, and a turn stores nothing (stream: ${stream})`, async () => {
      const conv = await createConversation(key, { model: "mock/echo" });
      for (const model of ["mock/echo\u0000", "mock/ec\nho", "mock/echo\u007f"]) {
        const res = await send(conv.id, { content: "hi", model, stream });
        expect(expectError(res, 400, "invalid_request_error").param).toBe("model");
      }
      expect(await listMessages(conv.id)).toEqual([]);
    });
  }
});

const chat = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });
