import { describe, expect, it } from "vitest";
import { geminiErrorMessage, geminiErrorStatus } from "./errors";

const invalidKey = {
  error: {
    code: 400,
    message: "API key not valid. Please pass a valid API key.",
    status: "INVALID_ARGUMENT",
    details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }],
  },
};

describe("geminiErrorMessage", () => {
  it("reads Google's error body, bare or in a one-element array", () => {
    expect(geminiErrorMessage(invalidKey)).toBe("API key not valid. Please pass a valid API key.");
    expect(geminiErrorMessage([{ error: { code: 503, message: "overloaded", status: "UNAVAILABLE" } }])).toBe(
      "overloaded",
    );
    expect(geminiErrorMessage({ message: "not google's shape" })).toBeUndefined();
  });
});

describe("geminiErrorStatus", () => {
  it("turns a 400 API_KEY_INVALID into a 401 and leaves other errors alone", () => {
    expect(geminiErrorStatus(400, invalidKey)).toBe(401);
    expect(geminiErrorStatus(400, { error: { code: 400, message: "bad", status: "INVALID_ARGUMENT" } })).toBe(
      400,
    );
    expect(geminiErrorStatus(403, invalidKey)).toBe(403);
  });
});
