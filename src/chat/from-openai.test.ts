import { describe, expect, it } from "vitest";
import { chatRequestFromOpenAI } from "./from-openai";
import { type ChatCompletionRequest, ChatCompletionRequestSchema } from "./openai-schema";

const body = (extra: Record<string, unknown>): ChatCompletionRequest =>
  ChatCompletionRequestSchema.parse({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra });
const reasoningOf = (extra: Record<string, unknown>) => chatRequestFromOpenAI(body(extra), "up").reasoning;

describe("chatRequestFromOpenAI: reasoning_effort", () => {
  it("takes a level as the neutral one: none is off, max the neutral xhigh", () => {
    expect(reasoningOf({ reasoning_effort: "low" })).toEqual({ enabled: true, effort: "low" });
    expect(reasoningOf({ reasoning_effort: "minimal" })).toEqual({ enabled: true, effort: "minimal" });
    expect(reasoningOf({ reasoning_effort: "xhigh" })).toEqual({ enabled: true, effort: "xhigh" });
    expect(reasoningOf({ reasoning_effort: "max" })).toEqual({ enabled: true, effort: "xhigh" });
    expect(reasoningOf({ reasoning_effort: "none" })).toEqual({ enabled: false });
  });

  it("reads a level OpenAI does not name as reasoning at the model's default, and none as none", () => {
    expect(reasoningOf({ reasoning_effort: "default" })).toEqual({ enabled: true });
    expect(reasoningOf({ reasoning_effort: null })).toBeUndefined();
    expect(reasoningOf({})).toBeUndefined();
  });
});
