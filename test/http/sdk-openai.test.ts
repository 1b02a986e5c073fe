import { exports } from "cloudflare:workers";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, scenario } from "../helpers";

// The official SDK, pointed at the worker: if it cannot parse us, we are wrong.
const workerFetch = (input: RequestInfo | URL, init?: RequestInit) =>
  exports.default.fetch(new Request(input, init));
let client: OpenAI;

beforeAll(async () => {
  await configureVendorKeys();
  const { key } = await createUser();
  client = new OpenAI({
    apiKey: key,
    baseURL: "http://switchboard.test/v1",
    fetch: workerFetch,
    maxRetries: 0,
  });
});

describe("openai SDK", () => {
  it("lists models", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["mock/echo", "openai/gpt-4o-mini"]));
  });

  it("creates a completion through a translated vendor and through OpenAI", async () => {
    const mock = await client.chat.completions.create({
      model: "mock/echo",
      messages: [{ role: "user", content: "hello sdk" }],
    });
    expect(mock.choices[0]?.message.content).toBe("hello sdk");
    expect(mock.usage?.total_tokens).toBeGreaterThan(0);
    const openai = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(openai.choices[0]?.message.content).toBe("Hello! You said: hi");
    expect(openai.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 8 });
  });

  it("streams, with usage", async () => {
    for (const model of ["mock/chat", "openai/gpt-4o-mini"]) {
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: "user", content: "stream it" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let usage: OpenAI.CompletionUsage | null | undefined;
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        finish ??= chunk.choices[0]?.finish_reason;
        usage ??= chunk.usage;
      }
      expect(text.length, model).toBeGreaterThan(5);
      expect(finish).toBe("stop");
      expect(usage?.completion_tokens).toBeGreaterThan(0);
    }
  });

  it("runs a tool call round trip with the SDK's types", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: "function", function: { name: "lookup", parameters: { type: "object" } } },
    ];
    const first = await client.chat.completions.create({
      model: `openai/${scenario("tool-call")}`,
      messages: [{ role: "user", content: "?" }],
      tools,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("lookup");
    const second = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      tools,
      messages: [
        { role: "user", content: "?" },
        first.choices[0]!.message,
        { role: "tool", tool_call_id: call!.id, content: "found" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("The tool said: found");
  });

  it("raises our errors as the SDK's own error classes, with our message", async () => {
    const fail = (model: string) =>
      client.chat.completions.create({ model, messages: [{ role: "user", content: "x" }] });
    await expect(fail("nope/x")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(fail(`openai/${scenario("fail-429")}`)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(fail(`openai/${scenario("fail-400")}`)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const err = await fail(`openai/${scenario("fail-503")}`).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(502);
    expect(err.message).toContain("failed (HTTP 503)");
    expect(err.type).toBe("upstream_error");
    expect(err.requestID).toMatch(/^req_/);

    const bad = new OpenAI({
      apiKey: "sk-sb-wrong",
      baseURL: "http://switchboard.test/v1",
      fetch: workerFetch,
      maxRetries: 0,
    });
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("raises a mid-stream failure as an APIError", async () => {
    const stream = await client.chat.completions.create({
      model: `openai/${scenario("cut-stream")}`,
      messages: [{ role: "user", content: "a b c d" }],
      stream: true,
    });
    const read = async () => {
      for await (const _ of stream) {
        // drain
      }
    };
    const err = await read().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.message).toContain("stopped the stream before it finished");
  });
});
