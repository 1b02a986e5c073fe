import { describe, expect, it } from "vitest";
import { fromGeminiResponse } from "./response";

const response = (parts: object[], finishReason = "STOP") => ({
  candidates: [{ content: { role: "model", parts }, finishReason, index: 0 }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, thoughtsTokenCount: 40 },
  modelVersion: "gemini-2.5-flash",
});

describe("fromGeminiResponse", () => {
  it("reads thought summaries as reasoning, apart from the answer", () => {
    const answer = fromGeminiResponse(
      "gemini",
      response([
        { text: "**Planning**\n\nA greeting.", thought: true },
        { text: " Then sign off.", thought: true },
        { text: "Hello!", thoughtSignature: "c2ln" },
      ]),
      "gemini-2.5-flash",
    );
    expect(answer).toMatchObject({
      content: "Hello!",
      reasoning: "**Planning**\n\nA greeting. Then sign off.",
      usage: { inputTokens: 5, outputTokens: 43 },
    });
  });

  it("has no reasoning when no thoughts came", () => {
    const answer = fromGeminiResponse("gemini", response([{ text: "Hi" }]), "gemini-2.5-flash");
    expect(answer).not.toHaveProperty("reasoning");
    expect(answer.content).toBe("Hi");
  });

  it("keeps the reasoning of an answer that is only a tool call", () => {
    const answer = fromGeminiResponse(
      "gemini",
      response([
        { text: "Look it up.", thought: true },
        { functionCall: { name: "get_weather", args: { city: "Bern" } }, thoughtSignature: "c2ln" },
      ]),
      "gemini-2.5-flash",
    );
    expect(answer).toMatchObject({
      content: null,
      reasoning: "Look it up.",
      toolCalls: [{ id: "call_0", name: "get_weather", arguments: '{"city":"Bern"}' }],
      finishReason: "tool_calls",
    });
  });
});
