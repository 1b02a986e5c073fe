import { describe, expect, it } from "vitest";
import { encryptedReasoning, readEncryptedReasoning, reasoningItem } from "./reasoning-item";

describe("encryptedReasoning", () => {
  it("names the origin and carries the vendor's signature, read back as it was", () => {
    const origin = { vendor: "anthropic", model: "claude-sonnet-4-5" };
    const sealed = encryptedReasoning(origin, "EqQBCgIYAhIM+/=");
    expect(sealed).toMatch(/^sbr1\.[A-Za-z0-9_-]+$/);
    expect(readEncryptedReasoning(sealed)).toEqual({ ...origin, signature: "EqQBCgIYAhIM+/=" });
    expect(readEncryptedReasoning(encryptedReasoning(origin, undefined))).toEqual(origin);
  });

  it("reads OpenAI's own encrypted content, and anything garbled, as not ours", () => {
    for (const other of [
      "gAAAAABo1x2y",
      "sbr1.!!!",
      "sbr1.bnVsbA",
      "sb1.eyJ2ZW5kb3IiOiJhIn0",
      "",
      null,
      undefined,
    ]) {
      expect(readEncryptedReasoning(other), String(other)).toBeNull();
    }
  });
});

describe("reasoningItem", () => {
  it("holds the text as one summary part, none without text, the encrypted content when given", () => {
    expect(reasoningItem("rs_1", "Hm.", "completed", "sbr1.x")).toEqual({
      id: "rs_1",
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Hm." }],
      encrypted_content: "sbr1.x",
      status: "completed",
    });
    expect(reasoningItem("rs_1", null, "in_progress")).toEqual({
      id: "rs_1",
      type: "reasoning",
      summary: [],
      status: "in_progress",
    });
  });
});
