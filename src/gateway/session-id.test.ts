import { describe, expect, it } from "vitest";
import { MAX_SESSION_ID_LENGTH, sessionIdFrom } from "./session-id";

describe("sessionIdFrom", () => {
  it("keeps a plausible id: Claude Code's UUID, any printable ASCII up to the bound", () => {
    expect(sessionIdFrom("5d8e1f0a-3b7c-4e2a-9f61-0c4b2d7e8a19")).toBe(
      "5d8e1f0a-3b7c-4e2a-9f61-0c4b2d7e8a19",
    );
    expect(sessionIdFrom("run 42/step:7~ok")).toBe("run 42/step:7~ok");
    expect(sessionIdFrom("x".repeat(MAX_SESSION_ID_LENGTH))).toBe("x".repeat(MAX_SESSION_ID_LENGTH));
    expect(sessionIdFrom("  padded  ")).toBe("padded");
  });

  it("records nothing for a missing, empty, overlong or non-ASCII value", () => {
    expect(sessionIdFrom(undefined)).toBeNull();
    expect(sessionIdFrom(null)).toBeNull();
    expect(sessionIdFrom("")).toBeNull();
    expect(sessionIdFrom("   ")).toBeNull();
    expect(sessionIdFrom("x".repeat(MAX_SESSION_ID_LENGTH + 1))).toBeNull();
    expect(sessionIdFrom("sessión")).toBeNull();
    expect(sessionIdFrom("a\tb")).toBeNull();
    expect(sessionIdFrom("a\u0000b")).toBeNull();
    expect(sessionIdFrom("\u{1F600}")).toBeNull();
  });
});
