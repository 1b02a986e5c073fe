import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors/gateway-error";
import { CountTokensRequestSchema, MessagesRequestSchema } from "./schema";
import { gatewaySignature } from "./thinking-signature";
import { countTokensToNeutral, messagesToNeutral } from "./to-neutral";

/** Bodies go through the schema first, as the route validates them. */
const neutral = (body: Record<string, unknown>) =>
  messagesToNeutral(
    MessagesRequestSchema.parse({ model: "openai/gpt-4o-mini", max_tokens: 100, ...body }),
    "gpt-4o-mini",
    "openai",
  );
const messages = (...m: unknown[]) => neutral({ messages: m }).messages;
const user = (content: unknown) => ({ role: "user", content });
const assistant = (content: unknown) => ({ role: "assistant", content });
const PNG = { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" };

function refusal(body: Record<string, unknown>) {
  try {
    neutral(body);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const e = err as GatewayError;
    return { status: e.status, code: e.code, param: e.param };
  }
  throw new Error("expected a refusal");
}

describe("messagesToNeutral", () => {
  it("maps the parameters, with the vendor's model", () => {
    expect(
      neutral({
        messages: [user("hi")],
        max_tokens: 256,
        stop_sequences: ["END"],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        metadata: { user_id: "user_abc" },
        thinking: { type: "enabled", budget_tokens: 2048 },
        // Dropped: see to-neutral.ts.
        service_tier: "auto",
        stream: true,
      }),
    ).toEqual({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      maxTokens: 256,
      stop: ["END"],
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      user: "user_abc",
      reasoning: { enabled: true, budgetTokens: 2048 },
    });
  });

  it("puts the system prompt first, its blocks joined in order, cache_control dropped", () => {
    const system = [
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1" },
      { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } },
    ];
    expect(neutral({ system, messages: [user("hi")] }).messages[0]).toEqual({
      role: "system",
      content: "x-anthropic-billing-header: cc_version=2.1\n\nYou are Claude Code.",
    });
    expect(neutral({ system: "", messages: [user("hi")] }).messages).toHaveLength(1);
    expect(
      messages({ role: "system", content: [{ type: "text", text: "Later rule." }] }, user("x"))[0],
    ).toEqual({
      role: "system",
      content: "Later rule.",
    });
  });

  it("takes text and images, base64 and URL", () => {
    expect(
      messages(
        user([
          { type: "text", text: "What is this?", cache_control: { type: "ephemeral" } },
          { type: "image", source: PNG },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        ]),
      ),
    ).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
          {
            type: "image",
            source: {
              kind: "url",
              url: "https://example.com/cat.jpg",
              param: "messages.0.content.2.source.url",
            },
          },
        ],
      },
    ]);
  });

  it("makes tool_use blocks tool calls (ids kept, input as JSON) and tool results tool messages first", () => {
    expect(
      messages(
        user("Weather in Zürich and Bern?"),
        assistant([
          { type: "thinking", thinking: "Two calls.", signature: "sig" },
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Zürich" } },
          { type: "tool_use", id: "toolu_2", name: "get_weather", input: { city: "Bern" } },
        ]),
        user([
          { type: "tool_result", tool_use_id: "toolu_1", content: "12°C" },
          { type: "text", text: "And tomorrow?" },
          {
            type: "tool_result",
            tool_use_id: "toolu_2",
            content: [
              { type: "text", text: "Service down." },
              { type: "text", text: "Retry later." },
            ],
            is_error: true,
          },
        ]),
      ),
    ).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Zürich and Bern?" }] },
      {
        role: "assistant",
        content: "Checking.",
        toolCalls: [
          { id: "toolu_1", name: "get_weather", arguments: '{"city":"Zürich"}' },
          { id: "toolu_2", name: "get_weather", arguments: '{"city":"Bern"}' },
        ],
      },
      { role: "tool", toolCallId: "toolu_1", content: "12°C" },
      { role: "tool", toolCallId: "toolu_2", content: "Error: Service down.\nRetry later." },
      { role: "user", content: [{ type: "text", text: "And tomorrow?" }] },
    ]);
  });

  it("gives a tool-only assistant turn null content, and an empty or failed result text", () => {
    expect(
      messages(
        user("go"),
        assistant([{ type: "tool_use", id: "t", name: "f", input: {} }]),
        user([
          { type: "tool_result", tool_use_id: "t" },
          { type: "tool_result", tool_use_id: "t", is_error: true },
        ]),
      ).slice(1),
    ).toEqual([
      { role: "assistant", content: null, toolCalls: [{ id: "t", name: "f", arguments: "{}" }] },
      { role: "tool", toolCallId: "t", content: "" },
      { role: "tool", toolCallId: "t", content: "Error" },
    ]);
  });

  it("drops thinking, and the turns it leaves empty", () => {
    expect(
      messages(
        user("a"),
        assistant([
          { type: "thinking", thinking: "x", signature: "s" },
          { type: "redacted_thinking", data: "opaque" },
        ]),
        assistant(""),
        user([
          { type: "redacted_thinking", data: "opaque" },
          { type: "text", text: "b" },
        ]),
      ),
    ).toEqual([
      { role: "user", content: [{ type: "text", text: "a" }] },
      { role: "user", content: [{ type: "text", text: "b" }] },
    ]);
  });

  it("maps tools and every tool_choice, disable_parallel_tool_use as parallelToolCalls", () => {
    const tool = {
      name: "get_weather",
      description: "Weather.",
      input_schema: { type: "object" },
      strict: true,
    };
    const req = neutral({
      messages: [user("hi")],
      tools: [tool, { type: "custom", name: "now", input_schema: {} }],
    });
    expect(req.tools).toEqual([
      { name: "get_weather", description: "Weather.", parameters: { type: "object" }, strict: true },
      { name: "now", parameters: {} },
    ]);
    const choice = (tool_choice: unknown) => {
      const r = neutral({ messages: [user("hi")], tools: [tool], tool_choice });
      return [r.toolChoice, r.parallelToolCalls];
    };
    expect(choice({ type: "auto" })).toEqual(["auto", undefined]);
    expect(choice({ type: "any", disable_parallel_tool_use: true })).toEqual(["required", false]);
    expect(choice({ type: "tool", name: "get_weather", disable_parallel_tool_use: false })).toEqual([
      { name: "get_weather" },
      undefined,
    ]);
    expect(choice({ type: "none" })).toEqual(["none", undefined]);
  });

  it("refuses what it cannot translate with a 400 naming where it is", () => {
    const doc = { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } };
    const cases: [Record<string, unknown>, string, string][] = [
      [
        {
          messages: [
            user("a"),
            assistant("b"),
            user([{ type: "document", source: { type: "file", file_id: "f" } }]),
          ],
        },
        "unsupported_document",
        "messages.2.content.0.source",
      ],
      [
        {
          messages: [user("hi")],
          tools: [
            { name: "f", input_schema: {} },
            { type: "web_search_20250305", name: "web_search" },
          ],
        },
        "unsupported_tool",
        "tools.1",
      ],
      [
        { messages: [assistant([{ type: "server_tool_use", id: "srv_1", name: "web_search", input: {} }])] },
        "unsupported_content",
        "messages.0.content.0",
      ],
      [
        { messages: [user([{ type: "text", text: "x", citations: [{ type: "char_location" }] }])] },
        "unsupported_citations",
        "messages.0.content.0.citations",
      ],
      [
        {
          system: [{ type: "text", text: "x", citations: [{ type: "page_location" }] }],
          messages: [user("a")],
        },
        "unsupported_citations",
        "system.0.citations",
      ],
      [
        { messages: [user([{ type: "image", source: { type: "file", file_id: "file_1" } }])] },
        "unsupported_image",
        "messages.0.content.0.source",
      ],
      [
        { messages: [user([{ type: "image", source: { type: "url", url: "http://intranet/x.png" } }])] },
        "invalid_image_url",
        "messages.0.content.0.source.url",
      ],
      [
        {
          messages: [
            user([{ type: "tool_result", tool_use_id: "t", content: [{ type: "image", source: PNG }] }]),
          ],
        },
        "unsupported_content",
        "messages.0.content.0.content.0",
      ],
      [
        { messages: [user([{ type: "tool_result", tool_use_id: "t", content: [doc] }])] },
        "unsupported_content",
        "messages.0.content.0.content.0",
      ],
      [
        { messages: [user([{ type: "tool_use", id: "t", name: "f", input: {} }])] },
        "invalid_content",
        "messages.0.content.0",
      ],
      [
        { messages: [assistant([{ type: "tool_result", tool_use_id: "t" }])] },
        "invalid_content",
        "messages.0.content.0",
      ],
      [
        { messages: [assistant([{ type: "image", source: PNG }])] },
        "invalid_content",
        "messages.0.content.0",
      ],
      [
        { messages: [{ role: "system", content: [{ type: "image", source: PNG }] }] },
        "invalid_content",
        "messages.0.content.0",
      ],
    ];
    for (const [body, code, param] of cases) {
      expect(refusal(body), param).toEqual({ status: 400, code, param });
    }
  });
});

describe("countTokensToNeutral", () => {
  it("takes the prompt and tools without generation parameters", () => {
    const body = CountTokensRequestSchema.parse({
      model: "m",
      system: "Be brief.",
      messages: [user("hi")],
      tools: [{ name: "f", input_schema: { type: "object" } }],
      tool_choice: { type: "auto" },
    });
    expect(countTokensToNeutral(body, "gpt-4o-mini")).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "hi" }] },
      ],
      tools: [{ name: "f", parameters: { type: "object" } }],
      toolChoice: "auto",
    });
  });
});

describe("thinking", () => {
  const reasoningOf = (thinking: unknown) => neutral({ messages: [user("hi")], thinking }).reasoning;
  const signed = (thinking: string, vendor: string, model: string) => ({
    type: "thinking",
    thinking,
    signature: gatewaySignature({ vendor, model }),
  });

  it("maps the `thinking` parameter to the neutral reasoning setting", () => {
    expect(reasoningOf({ type: "enabled", budget_tokens: 4000 })).toEqual({
      enabled: true,
      budgetTokens: 4000,
    });
    expect(reasoningOf({ type: "adaptive" })).toEqual({ enabled: true });
    expect(reasoningOf({ type: "between_tools" })).toEqual({ enabled: true });
    expect(reasoningOf({ type: "disabled" })).toEqual({ enabled: false });
    expect(neutral({ messages: [user("hi")] })).not.toHaveProperty("reasoning");
  });

  it("takes output_config.effort as the level beside it (max as xhigh), not when thinking is off", () => {
    const withEffort = (thinking: unknown, effort: string) =>
      neutral({ messages: [user("hi")], thinking, output_config: { effort } }).reasoning;
    expect(withEffort({ type: "adaptive" }, "high")).toEqual({ enabled: true, effort: "high" });
    expect(withEffort({ type: "adaptive" }, "max")).toEqual({ enabled: true, effort: "xhigh" });
    expect(withEffort({ type: "enabled", budget_tokens: 3000 }, "low")).toEqual({
      enabled: true,
      budgetTokens: 3000,
      effort: "low",
    });
    expect(withEffort({ type: "adaptive" }, "ultra")).toEqual({ enabled: true });
    expect(withEffort({ type: "disabled" }, "high")).toEqual({ enabled: false });
  });

  it("keeps as reasoning only the thinking the gateway signed for this vendor and model", () => {
    const history = messages(
      user("a"),
      assistant([
        signed("mine", "openai", "gpt-4o-mini"),
        { type: "thinking", thinking: "Claude's", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxB" },
        signed("other model", "openai", "gpt-4o"),
        signed("other vendor", "azure", "gpt-4o-mini"),
        { type: "redacted_thinking", data: "opaque" },
        signed("and more", "openai", "gpt-4o-mini"),
        { type: "text", text: "Done." },
        { type: "tool_use", id: "t1", name: "f", input: {} },
      ]),
      // Thinking alone says nothing, even to the model that thought it.
      assistant([signed("only thought", "openai", "gpt-4o-mini")]),
    );
    expect(history).toEqual([
      { role: "user", content: [{ type: "text", text: "a" }] },
      {
        role: "assistant",
        content: "Done.",
        toolCalls: [{ id: "t1", name: "f", arguments: "{}" }],
        reasoning: "mine\n\nand more",
      },
    ]);
  });

  it("drops every thinking block when counting tokens without a vendor", () => {
    const body = CountTokensRequestSchema.parse({
      model: "m",
      messages: [
        user("a"),
        assistant([signed("mine", "openai", "gpt-4o-mini"), { type: "text", text: "b" }]),
      ],
    });
    expect(countTokensToNeutral(body, "gpt-4o-mini").messages[1]).toEqual({
      role: "assistant",
      content: "b",
    });
    expect(countTokensToNeutral(body, "gpt-4o-mini", "openai").messages[1]).toMatchObject({
      reasoning: "mine",
    });
  });
});
