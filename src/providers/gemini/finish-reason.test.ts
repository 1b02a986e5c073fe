import { describe, expect, it } from "vitest";
import { mapGeminiFinishReason } from "./finish-reason";

describe("mapGeminiFinishReason", () => {
  it("maps STOP to stop, or to tool_calls when the answer called functions", () => {
    expect(mapGeminiFinishReason("STOP", false)).toBe("stop");
    expect(mapGeminiFinishReason("STOP", true)).toBe("tool_calls");
  });

  it("maps MAX_TOKENS to length, even with calls", () => {
    expect(mapGeminiFinishReason("MAX_TOKENS", true)).toBe("length");
  });

  it("maps every blocking reason to content_filter", () => {
    for (const r of ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"])
      expect(mapGeminiFinishReason(r, false), r).toBe("content_filter");
  });

  it("counts other and unknown reasons as a stop", () => {
    for (const r of ["OTHER", "LANGUAGE", "MALFORMED_FUNCTION_CALL", "SOMETHING_NEW", null, undefined])
      expect(mapGeminiFinishReason(r, false), String(r)).toBe("stop");
  });
});
