import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { toOpenAIBody } from "./request";

const req = (over: Partial<ChatRequest>): ChatRequest => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  ...over,
});
const opts = { maxTokensField: "max_completion_tokens" } as const;

describe("toOpenAIBody", () => {
  it("maps the sampling parameters OpenAI has", () => {
    expect(toOpenAIBody(req({ temperature: 0.5, topP: 0.9, maxTokens: 7 }), false, opts)).toEqual({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      temperature: 0.5,
      top_p: 0.9,
      max_completion_tokens: 7,
    });
  });

  it("refuses top_k, which Chat Completions has no counterpart for, naming it", () => {
    let caught: unknown;
    try {
      toOpenAIBody(req({ topK: 40 }), false, opts);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect(caught).toMatchObject({ status: 400, code: "unsupported_parameter", param: "top_k" });
  });
});
