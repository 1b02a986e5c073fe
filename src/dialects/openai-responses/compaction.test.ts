import { describe, expect, it } from "vitest";
import { compactionContent, compactionSummary } from "./compaction";

describe("the gateway's compaction content", () => {
  it("carries its summary, non-ASCII included", () => {
    const summary = "Fixed src/app.ts; the user wants tests next. Café ✓";
    const content = compactionContent(summary);
    expect(content.startsWith("sbc1.")).toBe(true);
    expect(content).not.toContain("Fixed");
    expect(compactionSummary(content)).toBe(summary);
  });

  it("is told apart from OpenAI's (and from a broken one)", () => {
    expect(compactionSummary("gAAAAABo8x9-real-openai-ciphertext==")).toBeNull();
    expect(compactionSummary("sbc1.not-json")).toBeNull();
    expect(compactionSummary(`sbc1.${btoa(JSON.stringify({ summary: 7 }))}`)).toBeNull();
  });
});
