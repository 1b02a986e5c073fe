import { describe, expect, it } from "vitest";
import { GatewayError, invalidRequest } from "../../errors/gateway-error";
import { responsesErrorCode, responsesFailure } from "./failure";

const err = (status: 400 | 413 | 429 | 500 | 502 | 504, code: string, message = "m", headers = {}) =>
  new GatewayError(status, status === 429 ? "rate_limit_error" : "upstream_error", code, message, {
    headers,
  });

describe("responsesErrorCode", () => {
  it("maps our errors to the codes OpenAI's clients act on", () => {
    expect(responsesErrorCode(err(429, "upstream_rate_limited"))).toBe("rate_limit_exceeded");
    expect(responsesErrorCode(err(429, "key_rate_limited"))).toBe("rate_limit_exceeded");
    expect(responsesErrorCode(err(429, "budget_exceeded"))).toBe("insufficient_quota");
    expect(responsesErrorCode(err(502, "upstream_stream_interrupted"))).toBe("server_error");
    expect(responsesErrorCode(err(504, "upstream_timeout"))).toBe("server_error");
    expect(responsesErrorCode(err(500, "internal_error"))).toBe("server_error");
    expect(responsesErrorCode(invalidRequest("upstream_invalid_request", "bad image"))).toBe(
      "invalid_prompt",
    );
    expect(responsesErrorCode(err(413, "upstream_request_too_large"))).toBe("context_length_exceeded");
  });

  it("knows an overlong prompt by the vendor's wording, whatever status it came with", () => {
    const said = [
      "The vendor `openai` refused the request: This model's maximum context length is 128000 tokens.",
      "The vendor `anthropic` refused the request: prompt is too long: 210000 tokens > 200000 maximum",
      "The vendor `gemini` reported an error mid-stream: input is too long for the context window",
    ];
    for (const message of said) {
      expect(responsesErrorCode(invalidRequest("upstream_invalid_request", message))).toBe(
        "context_length_exceeded",
      );
    }
    const body = new GatewayError(400, "invalid_request_error", "upstream_invalid_request", "Refused.", {
      vendorBody: '{"error":{"code":"context_length_exceeded","message":"…"}}',
    });
    expect(responsesErrorCode(body)).toBe("context_length_exceeded");
  });
});

describe("responsesFailure", () => {
  it("gives the response's error and the error event, its details flat and nested", () => {
    const e = new GatewayError(400, "invalid_request_error", "upstream_invalid_request", "Bad tool.", {
      param: "tools",
    });
    expect(responsesFailure(e, "req_1")).toEqual({
      error: { code: "invalid_prompt", message: "Bad tool." },
      event: {
        type: "error",
        code: "invalid_prompt",
        message: "Bad tool.",
        param: "tools",
        error: {
          type: "invalid_request_error",
          code: "invalid_prompt",
          message: "Bad tool.",
          param: "tools",
          request_id: "req_1",
        },
      },
    });
  });

  it("names a rate limit's wait in OpenAI's words, which Codex reads for its backoff", () => {
    const limited = err(429, "upstream_rate_limited", "Slow down.", { "retry-after": "7" });
    expect(responsesFailure(limited, "r").error).toEqual({
      code: "rate_limit_exceeded",
      message: "Slow down. Please try again in 7s.",
    });
    expect(responsesFailure(err(429, "x", "Slow down."), "r").error.message).toBe("Slow down.");
  });

  it("says nothing of internals for an unknown error", () => {
    expect(responsesFailure(new Error("db password is hunter2"), "r").error).toEqual({
      code: "server_error",
      message: "An unexpected error occurred.",
    });
  });
});
