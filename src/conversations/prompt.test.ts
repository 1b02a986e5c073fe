import { describe, expect, it } from "vitest";
import { estimateMessageTokens } from "../chat/tokens";
import type { ChatMessage } from "../chat/types";
import { buildPrompt } from "./prompt";

const user = (text: string): ChatMessage => ({ role: "user", content: [{ type: "text", text }] });
const assistant = (text: string): ChatMessage => ({ role: "assistant", content: text });
// 40 characters: 10 tokens of text + 4 per message = 14 tokens each.
const line = (tag: string) => tag.padEnd(40, ".");
const history = [
  user(line("u1")),
  assistant(line("a1")),
  user(line("u2")),
  assistant(line("a2")),
  user(line("u3")),
  assistant(line("a3")),
];
const next = user("now?"); // 4 + 1 = 5 tokens
const system = "Be brief."; // 4 + 3 = 7 tokens

describe("buildPrompt", () => {
  it("sends everything when it fits: system prompt, history in order, new message last", () => {
    const p = buildPrompt({
      systemPrompt: system,
      history,
      next,
      contextWindow: 10_000,
      reserveTokens: 4096,
    });
    expect(p.messages).toEqual([{ role: "system", content: system }, ...history, next]);
    expect(p.dropped).toBe(0);
    expect(estimateMessageTokens(history[0] as ChatMessage)).toBe(14);
  });

  it("keeps the newest history that fits after the answer's room, never the system prompt's place", () => {
    // 100 - 40 reserved - 12 (system + new) = 48: three 14-token messages fit, a fourth does not.
    const p = buildPrompt({ systemPrompt: system, history, next, contextWindow: 100, reserveTokens: 40 });
    // The newest three are a2, u3, a3; a2 answers a question that was cut, so it goes too.
    expect(p.messages).toEqual([{ role: "system", content: system }, history[4], history[5], next]);
    expect(p.dropped).toBe(4);
  });

  it("keeps whole exchanges when the cut falls between them", () => {
    // 12 + 56 + 40 = 108: exactly four messages fit.
    const p = buildPrompt({ systemPrompt: system, history, next, contextWindow: 108, reserveTokens: 40 });
    expect(p.messages).toEqual([{ role: "system", content: system }, ...history.slice(2), next]);
    expect(p.dropped).toBe(2);
  });

  it("stops at the first message that does not fit, so what is kept has no holes", () => {
    const long = [user(line("u1")), assistant("x".repeat(4000)), user(line("u2")), assistant("ok")];
    const p = buildPrompt({
      systemPrompt: null,
      history: long,
      next,
      contextWindow: 200,
      reserveTokens: 100,
    });
    expect(p.messages).toEqual([long[2], long[3], next]);
    expect(p.dropped).toBe(2);
  });

  it("sends the system prompt and new message even when nothing else fits", () => {
    const p = buildPrompt({ systemPrompt: system, history, next, contextWindow: 300, reserveTokens: 4096 });
    expect(p.messages).toEqual([{ role: "system", content: system }, next]);
    expect(p.dropped).toBe(6);
  });

  it("leaves out the system message when there is no persona prompt", () => {
    const p = buildPrompt({ systemPrompt: null, history: [], next, contextWindow: 100, reserveTokens: 10 });
    expect(p.messages).toEqual([next]);
  });

  it("counts images at their flat estimate", () => {
    const image: ChatMessage = {
      role: "user",
      content: [{ type: "image", source: { kind: "url", url: "https://example.com/a.png" } }],
    };
    // The image message costs 769 tokens: with 700 to spare it is left out, with 800 kept.
    const h = [image, assistant("ok")];
    expect(
      buildPrompt({ systemPrompt: null, history: h, next, contextWindow: 705, reserveTokens: 0 }).messages,
    ).toEqual([next]);
    expect(
      buildPrompt({ systemPrompt: null, history: h, next, contextWindow: 805, reserveTokens: 0 }).messages,
    ).toEqual([image, h[1], next]);
  });
});
