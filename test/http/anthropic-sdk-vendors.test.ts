import { env, exports } from "cloudflare:workers";
import Anthropic from "@anthropic-ai/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, post, scenario } from "../helpers";

/**
 * The Anthropic SDK against every vendor kind, as an Anthropic-SDK application uses it:
 * `messages.create`, `messages.stream` with its event helpers and `finalMessage()`, `countTokens`,
 * a tool-use round trip, an image, and the SDK's error classes. Upstream vendors are the mock
 * upstreams (scenarios by model name, test/mocks/scenario.ts); `mock` is the offline vendor.
 */

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  const compat = await post("/v1/vendors", {
    slug: "compat-sdk",
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/compat/v1`,
  });
  expect(compat.status, compat.text).toBe(201);
});

const workerFetch = (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init));
const client = (apiKey = key) =>
  new Anthropic({ apiKey, baseURL: "http://w", fetch: workerFetch, maxRetries: 0 });

/** A PNG of one pixel. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const tools = [
  {
    name: "get_weather",
    description: "Weather by city",
    input_schema: { type: "object" as const, properties: { location: { type: "string" } } },
  },
];
const textOf = (m: Anthropic.Message) => m.content.map((b) => (b.type === "text" ? b.text : "")).join("");

interface VendorCase {
  kind: string;
  /** The model for a scenario of the mock upstreams (the offline vendor has none: one model). */
  model(name: string): string;
  /** How to make the model call a tool: the upstream mocks' `tool-call` scenario, or tool_choice. */
  toolCall(): { model: string; tool_choice?: Anthropic.ToolChoice };
  /** Upstream mocks fail on request (`fail-<status>`); the offline vendor never fails. */
  fails: boolean;
}

const upstream = (slug: string): VendorCase => ({
  kind: slug,
  model: (name) => `${slug}/${scenario(name)}`,
  toolCall: () => ({ model: `${slug}/${scenario("tool-call")}` }),
  fails: true,
});

const VENDORS: VendorCase[] = [
  upstream("anthropic"),
  upstream("openai"),
  { ...upstream("compat-sdk"), kind: "openai-compatible" },
  upstream("gemini"),
  {
    kind: "mock",
    model: () => "mock/echo",
    toolCall: () => ({ model: "mock/echo", tool_choice: { type: "tool", name: "get_weather" } }),
    fails: false,
  },
];

describe.each(VENDORS)("the Anthropic SDK against a vendor of kind $kind", (v) => {
  it("creates, and streams the same answer through the SDK's helpers", async () => {
    const model = v.model("plain");
    const messages = [{ role: "user" as const, content: "Say something." }];
    const whole = await client().messages.create({ model, max_tokens: 128, messages });
    expect(whole).toMatchObject({ type: "message", role: "assistant", stop_reason: "end_turn" });
    expect(textOf(whole).length).toBeGreaterThan(0);
    expect(whole.usage.input_tokens).toBeGreaterThan(0);
    expect(whole.usage.output_tokens).toBeGreaterThan(0);

    const stream = client().messages.stream({ model, max_tokens: 128, messages });
    const deltas: string[] = [];
    const blocks: string[] = [];
    const events: string[] = [];
    stream.on("text", (delta) => deltas.push(delta));
    stream.on("contentBlock", (b) => blocks.push(b.type));
    stream.on("streamEvent", (e) => events.push(e.type));
    const final = await stream.finalMessage();
    expect(await stream.finalText()).toBe(textOf(whole));
    expect(deltas.join("")).toBe(textOf(whole));
    expect(blocks).toEqual(["text"]);
    expect(events[0]).toBe("message_start");
    expect(events.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it("counts tokens", async () => {
    const res = await client().messages.countTokens({
      model: v.model("count"),
      messages: [{ role: "user", content: "How many tokens is this?" }],
      tools,
    });
    expect(res.input_tokens).toBeGreaterThan(0);
  });

  it("runs a tool-use round trip, whole and streamed", async () => {
    const { model, tool_choice } = v.toolCall();
    const ask = [{ role: "user" as const, content: "What is the weather in Paris?" }];
    const base = { model, max_tokens: 128, tools, ...(tool_choice ? { tool_choice } : {}) };
    const first = await client().messages.create({ ...base, messages: ask });
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    expect(call).toMatchObject({ name: "get_weather", input: expect.any(Object) });
    expect(call?.id).toMatch(/\S/);

    const streamed = await client()
      .messages.stream({ ...base, messages: ask })
      .finalMessage();
    expect(streamed.stop_reason).toBe("tool_use");
    expect(streamed.content.find((b) => b.type === "tool_use")).toMatchObject({
      name: "get_weather",
      input: call?.input,
    });

    const { tool_choice: _, ...afterCall } = base;
    const second = await client().messages.create({
      ...afterCall,
      messages: [
        ...ask,
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call?.id ?? "", content: "sunny" }] },
      ],
    });
    expect(second.stop_reason).toBe("end_turn");
    expect(textOf(second)).toContain("sunny");
  });

  it("takes an image", async () => {
    const res = await client().messages.create({
      model: v.model("inspect"),
      max_tokens: 64,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            { type: "text", text: "What is this?" },
          ],
        },
      ],
    });
    expect(res.type).toBe("message");
    // The upstream mocks echo what they received: the image went on in the vendor's own format.
    if (v.fails) expect(textOf(res)).toContain(PNG);
  });

  it("raises the SDK's error classes", async () => {
    const messages = [{ role: "user" as const, content: "hi" }];
    await expect(
      client("sk-sb-wrong").messages.create({ model: v.model("plain"), max_tokens: 8, messages }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(
      client().messages.create({
        model: `${v.model("plain").split("/")[0]}-nope/x`,
        max_tokens: 8,
        messages,
      }),
    ).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(
      client().messages.create({ model: v.model("plain"), max_tokens: 8, messages: [] }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    if (!v.fails) return;
    const limited = await client()
      .messages.create({ model: v.model("fail-429"), max_tokens: 8, messages })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get("retry-after")).toBe("7");
    await expect(
      client().messages.create({ model: v.model("fail-400"), max_tokens: 8, messages }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});

describe("the Anthropic SDK and the gateway's own limits", () => {
  it("raises RateLimitError with retry-after when the user's budget would be passed", async () => {
    const user = await post("/v1/users", {
      email: `${crypto.randomUUID()}@example.com`,
      budgets: { daily_tokens: 10 },
    });
    expect(user.status, user.text).toBe(201);
    const created = await post(`/v1/users/${user.json.id}/api-keys`, { name: "budgeted" });
    const limited = await client(created.json.key)
      .messages.create({ model: "mock/echo", max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    const retryAfter = (limited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get("retry-after");
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
