import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { DEFAULT_MAX_TOKENS, toAnthropicBody } from "./request";

const text = (t: string) => [{ type: "text" as const, text: t }];
const req = (over: Partial<ChatRequest>): ChatRequest => ({
  model: "claude-sonnet-4-5",
  messages: [{ role: "user", content: text("hi") }],
  ...over,
});

function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error("expected a GatewayError");
}

describe("toAnthropicBody", () => {
  it("fills the required max_tokens and maps the plain parameters", () => {
    expect(toAnthropicBody(req({}), false)).toEqual({
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      max_tokens: DEFAULT_MAX_TOKENS,
    });
    expect(
      toAnthropicBody(
        req({ maxTokens: 10, stop: ["END"], temperature: 0.3, topP: 0.9, user: "u-1", seed: 4 }),
        true,
      ),
    ).toEqual({
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      max_tokens: 10,
      stream: true,
      stop_sequences: ["END"],
      temperature: 0.3,
      top_p: 0.9,
      metadata: { user_id: "u-1" },
    });
  });

  it("passes top_k on as it is", () => {
    expect(toAnthropicBody(req({ topK: 5 }), false).top_k).toBe(5);
    expect(toAnthropicBody(req({}), false)).not.toHaveProperty("top_k");
  });

  it("refuses a temperature above Anthropic's 0..1", () => {
    const e = refusal(() => toAnthropicBody(req({ temperature: 1.5 }), false));
    expect([e.status, e.code, e.param]).toEqual([400, "unsupported_parameter", "temperature"]);
  });

  it("moves system messages to `system` and merges same-role turns, tool results first", () => {
    const body = toAnthropicBody(
      req({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: text("a") },
          { role: "user", content: text("b") },
          {
            role: "assistant",
            content: "calling",
            toolCalls: [
              { id: "toolu_1", name: "f", arguments: '{"x":1}' },
              { id: "toolu_2", name: "g", arguments: "" },
            ],
          },
          { role: "system", content: "Later rule." },
          { role: "tool", toolCallId: "toolu_1", content: "one" },
          { role: "user", content: text("and?") },
          { role: "tool", toolCallId: "toolu_2", content: "" },
        ],
      }),
      false,
    );
    expect(body.system).toBe("Be brief.\n\nLater rule.");
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "text", text: "calling" },
          { type: "tool_use", id: "toolu_1", name: "f", input: { x: 1 } },
          { type: "tool_use", id: "toolu_2", name: "g", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "one" },
          { type: "tool_result", tool_use_id: "toolu_2" },
          { type: "text", text: "and?" },
        ],
      },
    ]);
  });

  it("starts with a user turn when the history opens with the assistant", () => {
    const body = toAnthropicBody(
      req({
        messages: [
          { role: "assistant", content: "Welcome!" },
          { role: "user", content: text("hi") },
        ],
      }),
      false,
    );
    expect(body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  it("refuses tool arguments that are not a JSON object, naming where", () => {
    for (const args of ["{oops", "[1,2]", '"text"']) {
      const e = refusal(() =>
        toAnthropicBody(
          req({
            messages: [
              { role: "user", content: text("hi") },
              { role: "assistant", content: null, toolCalls: [{ id: "t", name: "f", arguments: args }] },
            ],
          }),
          false,
        ),
      );
      expect([e.status, e.code, e.param]).toEqual([
        400,
        "invalid_tool_arguments",
        "messages.1.tool_calls.0.function.arguments",
      ]);
    }
  });

  it("maps images, and refuses media types Anthropic cannot read", () => {
    const body = toAnthropicBody(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { kind: "url", url: "https://example.com/a.png" }, detail: "low" },
              { type: "image", source: { kind: "base64", mediaType: "image/webp", data: "AAAA" } },
            ],
          },
        ],
      }),
      false,
    );
    expect(body.messages[0]?.content).toEqual([
      { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
      { type: "image", source: { type: "base64", media_type: "image/webp", data: "AAAA" } },
    ]);
    const e = refusal(() =>
      toAnthropicBody(
        req({
          messages: [
            {
              role: "user",
              content: [{ type: "image", source: { kind: "base64", mediaType: "image/bmp", data: "AAAA" } }],
            },
          ],
        }),
        false,
      ),
    );
    expect([e.status, e.code, e.param]).toEqual([
      400,
      "unsupported_image",
      "messages.0.content.0.image_url.url",
    ]);
    expect(e.message).toContain("image/bmp");
  });

  it("maps tools and every tool choice, with parallel calls turned off on the choice", () => {
    const tools = [
      { name: "weather", description: "Weather", parameters: { type: "object" } },
      { name: "now" },
    ];
    const body = toAnthropicBody(req({ tools, toolChoice: "required", parallelToolCalls: false }), false);
    expect(body.tools).toEqual([
      { name: "weather", description: "Weather", input_schema: { type: "object" } },
      { name: "now", input_schema: { type: "object", properties: {} } },
    ]);
    expect(body.tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    const choice = (over: Partial<ChatRequest>) =>
      toAnthropicBody(req({ tools, ...over }), false).tool_choice;
    expect(choice({})).toBeUndefined();
    expect(choice({ toolChoice: "auto" })).toEqual({ type: "auto" });
    expect(choice({ toolChoice: "none", parallelToolCalls: false })).toEqual({ type: "none" });
    expect(choice({ toolChoice: { name: "now" } })).toEqual({ type: "tool", name: "now" });
    expect(choice({ parallelToolCalls: false })).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(toAnthropicBody(req({ toolChoice: "auto" }), false).tool_choice).toBeUndefined();
  });

  it("asks for JSON in the system prompt, with the schema when given", () => {
    const plain = toAnthropicBody(req({ responseFormat: { type: "json_object" } }), false);
    expect(plain.system).toMatch(/^Respond with only a single valid JSON object/);
    const schema = { type: "object", properties: { city: { type: "string" } } };
    const withSchema = toAnthropicBody(
      req({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: text("hi") },
        ],
        responseFormat: { type: "json_schema", name: "place", schema },
      }),
      false,
    );
    expect(withSchema.system).toMatch(/^Be brief\.\n\nRespond with only a single valid JSON object/);
    expect(withSchema.system).toContain(JSON.stringify(schema));
    expect(toAnthropicBody(req({ responseFormat: { type: "text" } }), false).system).toBeUndefined();
  });
});

describe("toAnthropicBody: PDF documents", () => {
  it("sends a PDF as a `document` block, its file name as the title, a URL for Anthropic to fetch", () => {
    const body = toAnthropicBody(
      req({
        messages: [
          {
            role: "user",
            content: [
              {
                type: "file",
                mediaType: "application/pdf",
                source: { kind: "base64", data: "JVBE" },
                filename: "a.pdf",
              },
              {
                type: "file",
                mediaType: "application/pdf",
                source: { kind: "url", url: "https://x.test/b.pdf" },
              },
              ...text("Compare them."),
            ],
          },
        ],
      }),
      false,
    );
    expect(body.messages[0]?.content).toEqual([
      {
        type: "document",
        source: { type: "base64", media_type: "application/pdf", data: "JVBE" },
        title: "a.pdf",
      },
      { type: "document", source: { type: "url", url: "https://x.test/b.pdf" } },
      { type: "text", text: "Compare them." },
    ]);
  });
});

describe("toAnthropicBody: reasoning as extended thinking", () => {
  const think = (over: Partial<ChatRequest>) => toAnthropicBody(req(over), false);

  it("sends a level's budget, with the default room for the answer on top when no max_tokens is given", () => {
    const budgets = (["minimal", "low", "medium", "high", "xhigh"] as const).map((effort) => {
      const body = think({ reasoning: { enabled: true, effort } });
      expect(body.max_tokens).toBe(
        (body.thinking as { budget_tokens: number }).budget_tokens + DEFAULT_MAX_TOKENS,
      );
      return body.thinking;
    });
    expect(budgets).toEqual(
      [1024, 2048, 8192, 24_576, 32_768].map((budget_tokens) => ({ type: "enabled", budget_tokens })),
    );
  });

  it("takes a budget as it is (at least Anthropic's 1,024), and medium's when there is neither", () => {
    expect(think({ reasoning: { enabled: true, budgetTokens: 5000, effort: "high" } }).thinking).toEqual({
      type: "enabled",
      budget_tokens: 5000,
    });
    expect(think({ reasoning: { enabled: true, budgetTokens: 100 } }).thinking).toEqual({
      type: "enabled",
      budget_tokens: 1024,
    });
    expect(think({ reasoning: { enabled: true } }).thinking).toEqual({
      type: "enabled",
      budget_tokens: 8192,
    });
  });

  it("keeps the budget below a client's max_tokens, and refuses thinking in 1,024 tokens or less", () => {
    const body = think({ maxTokens: 6000, reasoning: { enabled: true, effort: "high" } });
    expect([body.max_tokens, body.thinking]).toEqual([6000, { type: "enabled", budget_tokens: 5999 }]);
    expect(think({ maxTokens: 30_000, reasoning: { enabled: true, effort: "low" } }).thinking).toEqual({
      type: "enabled",
      budget_tokens: 2048,
    });
    const e = refusal(() => think({ maxTokens: 1024, reasoning: { enabled: true, effort: "low" } }));
    expect([e.status, e.code, e.param]).toEqual([400, "unsupported_parameter", "max_tokens"]);
  });

  it("leaves thinking out when reasoning is off", () => {
    const body = think({ reasoning: { enabled: false }, temperature: 0.2 });
    expect(body).not.toHaveProperty("thinking");
    expect([body.max_tokens, body.temperature]).toEqual([DEFAULT_MAX_TOKENS, 0.2]);
  });

  it("refuses, naming it, a sampling setting or a forced tool Anthropic does not take while it thinks", () => {
    const on = { enabled: true, effort: "low" } as const;
    const tools = [{ name: "f" }];
    for (const [over, param] of [
      [{ temperature: 0.7 }, "temperature"],
      [{ topP: 0.9 }, "top_p"],
      [{ topK: 40 }, "top_k"],
      [{ tools, toolChoice: "required" }, "tool_choice"],
      [{ tools, toolChoice: { name: "f" } }, "tool_choice"],
    ] as [Partial<ChatRequest>, string][]) {
      const e = refusal(() => think({ ...over, reasoning: on }));
      expect([e.status, e.code, e.param], param).toEqual([400, "unsupported_parameter", param]);
    }
    // What Anthropic takes with thinking passes.
    const body = think({ temperature: 1, topP: 0.95, tools, toolChoice: "auto", reasoning: on });
    expect(body).toMatchObject({ temperature: 1, top_p: 0.95, tool_choice: { type: "auto" } });
  });

  const loop = (assistant: Partial<Extract<ChatRequest["messages"][number], { role: "assistant" }>>) =>
    req({
      tools: [{ name: "f" }],
      reasoning: { enabled: true, effort: "low" },
      messages: [
        { role: "user", content: text("go") },
        {
          role: "assistant",
          content: null,
          toolCalls: [{ id: "toolu_1", name: "f", arguments: "{}" }],
          ...assistant,
        },
        { role: "tool", toolCallId: "toolu_1", content: "done" },
      ],
    });

  it("sends Claude's own thinking back first, with its signature, and keeps thinking on in the tool loop", () => {
    const body = toAnthropicBody(loop({ reasoning: "Call f.", reasoningSignature: "EqQBsig" }), false);
    expect(body.messages[1]?.content).toEqual([
      { type: "thinking", thinking: "Call f.", signature: "EqQBsig" },
      { type: "tool_use", id: "toolu_1", name: "f", input: {} },
    ]);
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
  });

  it("goes on without thinking when the tool loop's turn lost its signed thinking, as Anthropic requires", () => {
    for (const assistant of [{}, { reasoning: "Another vendor's thought." }]) {
      const body = toAnthropicBody(loop(assistant), false);
      expect(body).not.toHaveProperty("thinking");
      expect(body.max_tokens).toBe(DEFAULT_MAX_TOKENS);
      expect(JSON.stringify(body.messages)).not.toContain("thinking");
    }
    // A new user turn after the loop thinks again.
    const next = loop({});
    next.messages.push({ role: "assistant", content: "Done." }, { role: "user", content: text("thanks") });
    expect(toAnthropicBody(next, false).thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
  });
});
