import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { expectError, get } from "../helpers";

// Its own file: it breaks this file's database on purpose (storage is per test file).
it("answers an unexpected failure with 500 internal_error and no internals", async () => {
  await env.DB.exec("DROP TABLE api_keys");
  const log = vi.spyOn(console, "error").mockImplementation(() => {});
  const res = await get("/v1/me", { key: "sk-sb-whatever" });
  const err = expectError(res, 500, "internal_error", "internal_error");
  expect(err.message).toBe("An unexpected error occurred.");
  // Exactly the shape and nothing more: no SQL, driver message or stack in the body.
  expect(res.json).toEqual({
    error: {
      type: "internal_error",
      code: "internal_error",
      message: err.message,
      request_id: err.request_id,
    },
  });

  // One structured log line that says what broke, without the SQL parameters (the key's hash).
  expect(log).toHaveBeenCalledTimes(1);
  const line = JSON.parse(String(log.mock.calls[0]?.[0]));
  expect(line).toMatchObject({ level: "error", request_id: err.request_id, code: "internal_error" });
  expect(line.error).toMatch(/no such table/);
  expect(String(log.mock.calls[0]?.[0])).not.toMatch(/params|[0-9a-f]{64}|sk-sb-/);
});
