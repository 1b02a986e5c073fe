import { describe, expect, it } from "vitest";
import { fixture } from "../../../test/fixtures";
import { fromOpenAICompletion } from "./response";

describe("fromOpenAICompletion", () => {
  it("reads a compatible host's reasoning_content as reasoning (DeepSeek)", () => {
    const answer = fromOpenAICompletion("deep", JSON.parse(fixture("openai", "reasoning-content.json")), "m");
    expect(answer).toMatchObject({
      content: "",
      reasoning: "The user wants the weather in Zürich. I should call get_weather with the city.",
      finishReason: "tool_calls",
    });
  });

  const completion = (message: Record<string, unknown>) => ({
    choices: [{ message: { content: "4", ...message }, finish_reason: "stop" }],
  });

  it("reads OpenRouter's `reasoning`, one name when a host sends both, and none that is not text", () => {
    expect(fromOpenAICompletion("or", completion({ reasoning: "2+2" }), "m").reasoning).toBe("2+2");
    expect(
      fromOpenAICompletion("v", completion({ reasoning_content: "same", reasoning: "same" }), "m").reasoning,
    ).toBe("same");
    const odd = fromOpenAICompletion("x", completion({ reasoning: { effort: "high" } }), "m");
    expect(odd).not.toHaveProperty("reasoning");
    expect(odd.content).toBe("4");
    expect(fromOpenAICompletion("openai", completion({}), "m")).not.toHaveProperty("reasoning");
  });
});
