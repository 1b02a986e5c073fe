import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  OverloadedError,
  PermissionDeniedError,
  RateLimitError,
} from "@anthropic-ai/sdk";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { validator } from "hono/validator";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GatewayError, invalidRequest, notFound, unauthenticated } from "../../errors/gateway-error";
import { anthropicErrorBody, anthropicErrorResponse, anthropicErrorType } from "./errors";

/** What each `model` makes the route below throw. */
const FAILURES: Record<string, () => unknown> = {
  bad: () =>
    invalidRequest("unsupported_block", "Document blocks cannot be translated.", "messages.2.content.0"),
  auth: () => unauthenticated("invalid_api_key", "Invalid API key."),
  forbidden: () => new GatewayError(403, "permission_error", "model_not_allowed", "Not for this key."),
  missing: () => notFound("model", "model"),
  limited: () =>
    new GatewayError(429, "rate_limit_error", "key_rate_limited", "Slow down.", {
      headers: { "Retry-After": "1.2" },
    }),
  crash: () => new Error("secret internals"),
  upstream: () => new GatewayError(502, "upstream_error", "upstream_unavailable", "The vendor failed."),
  overloaded: () =>
    new GatewayError(529 as ContentfulStatusCode, "upstream_error", "upstream_overloaded", "Overloaded."),
  huge: () => new HTTPException(413),
};

function app() {
  const a = new Hono();
  a.use(requestId({ generator: () => "req_test1" }));
  a.post("/v1/messages", async (c) => {
    const { model } = await c.req.json<{ model: string }>();
    throw (FAILURES[model] as () => unknown)();
  });
  // The validator answers a malformed body with Hono's own 400, as @hono/zod-openapi's does.
  a.post(
    "/v1/json",
    validator("json", (v) => v),
    (c) => c.text("unreachable"),
  );
  a.onError((err, c) => anthropicErrorResponse(c, err));
  return a;
}

const client = (a = app()) =>
  new Anthropic({
    apiKey: "k",
    baseURL: "http://gw",
    maxRetries: 0,
    fetch: (input: RequestInfo | URL, init?: RequestInit) =>
      Promise.resolve(a.request(new Request(input, init))),
  });

async function sdkError(model: string): Promise<APIError> {
  try {
    await client().messages.create({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
  } catch (err) {
    expect(err).toBeInstanceOf(APIError);
    return err as APIError;
  }
  throw new Error("expected the SDK to throw");
}

const post = (model: string) =>
  app().request("/v1/messages", { method: "POST", body: JSON.stringify({ model }) });

afterEach(() => vi.restoreAllMocks());

describe("anthropicErrorType", () => {
  it("names each status the way Anthropic does", () => {
    const table = [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504, 529].map((s) => [
      s,
      anthropicErrorType(s),
    ]);
    expect(Object.fromEntries(table)).toEqual({
      400: "invalid_request_error",
      401: "authentication_error",
      403: "permission_error",
      404: "not_found_error",
      405: "invalid_request_error",
      409: "invalid_request_error",
      413: "request_too_large",
      415: "invalid_request_error",
      422: "invalid_request_error",
      429: "rate_limit_error",
      500: "api_error",
      502: "api_error",
      503: "api_error",
      504: "api_error",
      529: "overloaded_error",
    });
  });
});

describe("anthropicErrorBody", () => {
  it("puts the param in the message, as Anthropic words validation errors", () => {
    expect(anthropicErrorBody(FAILURES.bad?.(), "req_1")).toEqual({
      type: "error",
      error: {
        type: "invalid_request_error",
        message: "messages.2.content.0: Document blocks cannot be translated.",
      },
      request_id: "req_1",
    });
  });

  it("does not repeat a param the message already names", () => {
    const e = invalidRequest("invalid_body", "messages.0.role: Invalid option", "messages.0.role");
    expect(anthropicErrorBody(e, "r").error.message).toBe("messages.0.role: Invalid option");
  });

  it("says nothing of an unknown error's internals", () => {
    expect(anthropicErrorBody(new Error("db password is hunter2"), "r").error).toEqual({
      type: "api_error",
      message: "An unexpected error occurred.",
    });
  });
});

describe("anthropicErrorResponse", () => {
  it("answers with the envelope, our status and both request-id headers", async () => {
    const res = await post("missing");
    expect(res.status).toBe(404);
    expect(res.headers.get("request-id")).toBe("req_test1");
    expect(res.headers.get("x-request-id")).toBe("req_test1");
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "model: No such model." },
      request_id: "req_test1",
    });
  });

  it("makes Retry-After whole seconds and keeps the error's other headers", async () => {
    const limited = await post("limited");
    expect(limited.headers.get("retry-after")).toBe("2");
    const auth = await post("auth");
    expect(auth.headers.get("www-authenticate")).toBe('Bearer realm="switchboard"');
    expect(auth.headers.get("retry-after")).toBeNull();
  });

  it("turns an HTTP-date Retry-After into seconds, and drops one it cannot read", async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const a = new Hono();
    a.get("/date", () => {
      throw new GatewayError(503, "upstream_error", "x", "Later.", { headers: { "retry-after": at } });
    });
    a.get("/junk", () => {
      throw new GatewayError(503, "upstream_error", "x", "Later.", { headers: { "retry-after": "soon" } });
    });
    a.onError((err, c) => anthropicErrorResponse(c, err));
    const seconds = Number((await a.request("/date")).headers.get("retry-after"));
    expect(seconds).toBeGreaterThanOrEqual(28);
    expect(seconds).toBeLessThanOrEqual(30);
    expect((await a.request("/junk")).headers.get("retry-after")).toBeNull();
  });

  it("maps Hono's own errors: a malformed body and the body limit", async () => {
    const bad = await app().request("/v1/json", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { type: "invalid_request_error", message: "The request body is not valid JSON." },
    });
    const huge = await post("huge");
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { type: "request_too_large" } });
  });

  it("logs a 5xx on one line without its body, and a 4xx not at all", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    await post("bad");
    expect(log).not.toHaveBeenCalled();
    const res = await post("crash");
    expect(res.status).toBe(500);
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(log.mock.calls[0]?.[0]))).toEqual({
      level: "error",
      request_id: "req_test1",
      code: "internal_error",
      error: "Error: secret internals",
    });
  });
});

describe("the Anthropic SDK reading the envelope", () => {
  it("raises its error class for each status, with type, message and request id", async () => {
    const cases = [
      ["bad", BadRequestError, 400, "invalid_request_error"],
      ["auth", AuthenticationError, 401, "authentication_error"],
      ["forbidden", PermissionDeniedError, 403, "permission_error"],
      ["missing", NotFoundError, 404, "not_found_error"],
      ["limited", RateLimitError, 429, "rate_limit_error"],
      ["crash", InternalServerError, 500, "api_error"],
      ["upstream", InternalServerError, 502, "api_error"],
      ["overloaded", OverloadedError, 529, "overloaded_error"],
    ] as const;
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const [model, cls, status, type] of cases) {
      const e = await sdkError(model);
      expect(e, model).toBeInstanceOf(cls);
      expect([e.status, e.type, e.requestID], model).toEqual([status, type, "req_test1"]);
      expect(e.apiMessage, model).toEqual(expect.any(String));
    }
  });

  it("hands the integer retry-after of a rate limit to the caller", async () => {
    const e = await sdkError("limited");
    expect(e).toBeInstanceOf(RateLimitError);
    expect(e.headers?.get("retry-after")).toBe("2");
  });
});
