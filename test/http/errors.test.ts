import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ADMIN_KEY, call, expectError, get, post } from "../helpers";

describe("one error shape", () => {
  it("answers malformed JSON with 400 invalid_json", async () => {
    const res = await call("POST", "/v1/users", { body: '{"email": "a@b.co",' });
    expectError(res, 400, "invalid_request_error", "invalid_json");
  });

  it("answers a JSON body that is not an object with 400", async () => {
    expectError(await call("POST", "/v1/users", { body: "[1,2]" }), 400, "invalid_request_error");
    expectError(await call("POST", "/v1/users", { body: "null" }), 400, "invalid_request_error");
  });

  it("answers a body without a JSON content type with 415", async () => {
    const res = await call("POST", "/v1/users", {
      body: JSON.stringify({ email: "ct@example.com" }),
      headers: { "content-type": "text/plain" },
    });
    expectError(res, 415, "invalid_request_error", "unsupported_media_type");
  });

  it("answers unknown routes with 404 in the same shape", async () => {
    expectError(await get("/nope"), 404, "not_found_error", "route_not_found");
    expectError(await get("/v1/nope"), 404, "not_found_error", "route_not_found");
  });

  it("answers a wrong method with 405 and Allow", async () => {
    const res = await call("PUT", "/v1/users");
    expectError(res, 405, "invalid_request_error", "method_not_allowed");
    expect(res.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "POST"]);
    const one = await call("POST", "/v1/users/usr_x");
    expect(one.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "GET", "PATCH"]);
  });

  it("refuses bodies over the limit with 413, by length or by streamed size", async () => {
    const big = JSON.stringify({ email: "big@example.com", name: "x".repeat(1024 * 1024) });
    expectError(
      await call("POST", "/v1/users", { body: big }),
      413,
      "invalid_request_error",
      "body_too_large",
    );

    // No Content-Length: the limit still holds while the body streams in.
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const res = await exports.default.fetch(
      new Request("http://switchboard.test/v1/users", {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
        body: stream,
        // @ts-expect-error: workerd needs duplex for streamed request bodies
        duplex: "half",
      }),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe("body_too_large");
  });

  it("puts a request id on every response, echoing a sane incoming one", async () => {
    const ok = await get("/health", { key: null, headers: { "x-request-id": "trace-123_abc" } });
    expect(ok.headers.get("x-request-id")).toBe("trace-123_abc");
    const generated = await get("/health", { key: null, headers: { "x-request-id": "bad id with spaces" } });
    expect(generated.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    const err = await get("/v1/users/usr_missing", { headers: { "x-request-id": "abc-1" } });
    expect(expectError(err, 404, "not_found_error").request_id).toBe("abc-1");
  });

  it("validation errors name the parameter", async () => {
    const err = expectError(
      await post("/v1/users", { email: 42 }),
      400,
      "invalid_request_error",
      "invalid_body",
    );
    expect(err.param).toBe("email");
    expect(err.message).toContain("email");
  });
});

describe("CORS", () => {
  const withOrigins = async (origins: string | undefined, req: Request) => {
    const ctx = createExecutionContext();
    const res = await createApp().fetch(req, { ...env, CORS_ORIGINS: origins }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };

  it("sends no CORS headers when CORS_ORIGINS is unset", async () => {
    const res = await get("/health", { key: null, headers: { origin: "https://app.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows only the configured origins, preflight included", async () => {
    const preflight = await withOrigins(
      "https://app.example, https://admin.example",
      new Request("http://w/v1/users", {
        method: "OPTIONS",
        headers: {
          origin: "https://admin.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://admin.example");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");

    const other = await withOrigins(
      "https://app.example",
      new Request("http://w/health", { headers: { origin: "https://evil.example" } }),
    );
    expect(other.headers.get("access-control-allow-origin")).toBeNull();

    const error = await withOrigins(
      "https://app.example",
      new Request("http://w/v1/users", { headers: { origin: "https://app.example" } }),
    );
    expect(error.status).toBe(401);
    expect(error.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(error.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });
});
