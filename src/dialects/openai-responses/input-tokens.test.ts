import { describe, expect, it } from "vitest";
import { estimatePromptTokens, estimateTextTokens } from "../../chat/tokens";
import type { ChatRequest } from "../../chat/types";
import { estimateInputTokens } from "./input-tokens";

const messages: ChatRequest["messages"] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: [{ type: "text", text: "What is the weather in Zürich?" }] },
];

describe("estimateInputTokens", () => {
  it("counts the messages, the tools and a response format's schema", () => {
    const tools = [{ name: "get_weather", parameters: { type: "object" } }];
    const schema = { type: "object", properties: { answer: { type: "string" } } };
    expect(estimateInputTokens({ model: "m", messages })).toBe(estimatePromptTokens(messages));
    expect(
      estimateInputTokens({
        model: "m",
        messages,
        tools,
        responseFormat: { type: "json_schema", name: "a", schema },
      }),
    ).toBe(
      estimatePromptTokens(messages) +
        estimateTextTokens(JSON.stringify(tools)) +
        estimateTextTokens(JSON.stringify(schema)),
    );
  });
});
