import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../chat/types";
import { mockAnswer } from "./answer";

const req = (over: Partial<ChatRequest>): ChatRequest => ({
  model: "echo",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  ...over,
});

describe("mockAnswer reasoning", () => {
  it("thinks first when reasoning is on, naming the budget and the thoughts it was sent back", () => {
    expect(mockAnswer(req({ reasoning: { enabled: true, budgetTokens: 2048 } }))).toMatchObject({
      content: "hi",
      reasoning: 'Thinking about "hi" (budget 2048, 0 earlier thought(s) recalled).',
    });
    const history = req({
      messages: [
        { role: "user", content: [{ type: "text", text: "a" }] },
        { role: "assistant", content: "b", reasoning: "before" },
        { role: "user", content: [{ type: "text", text: "c" }] },
      ],
      reasoning: { enabled: true },
    });
    expect(mockAnswer(history).reasoning).toBe(
      'Thinking about "c" (adaptive, 1 earlier thought(s) recalled).',
    );
    expect(mockAnswer(history)).toEqual(mockAnswer(history));
  });

  it("names the level it was given, with the budget when there is one too", () => {
    expect(mockAnswer(req({ reasoning: { enabled: true, effort: "high" } })).reasoning).toBe(
      'Thinking about "hi" (effort high, 0 earlier thought(s) recalled).',
    );
    expect(
      mockAnswer(req({ reasoning: { enabled: true, effort: "low", budgetTokens: 900 } })).reasoning,
    ).toBe('Thinking about "hi" (effort low, budget 900, 0 earlier thought(s) recalled).');
  });

  it("does not think when reasoning is off or not asked", () => {
    expect(mockAnswer(req({ reasoning: { enabled: false } }))).not.toHaveProperty("reasoning");
    expect(mockAnswer(req({}))).not.toHaveProperty("reasoning");
  });
});
