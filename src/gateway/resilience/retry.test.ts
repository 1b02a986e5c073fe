import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors/gateway-error";
import { backoffMs, nextDelay, retryAfterMs } from "./retry";

const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 };
const err = (status: 429 | 500 | 502 | 400, retryable: boolean, retryAfter?: string) =>
  new GatewayError(status, "upstream_error", "x", "x", {
    retryable,
    headers: retryAfter ? { "retry-after": retryAfter } : undefined,
  });

describe("backoffMs", () => {
  it("grows exponentially up to the cap, with full jitter", () => {
    expect(backoffMs(0, policy, () => 0.999)).toBe(99);
    expect(backoffMs(2, policy, () => 0.999)).toBe(399);
    expect(backoffMs(10, policy, () => 0.999)).toBe(999);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
  });
});

describe("retryAfterMs", () => {
  it("reads delta-seconds and HTTP dates", () => {
    expect(retryAfterMs(err(429, true, "3"))).toBe(3000);
    const now = Date.parse("2026-11-26T10:00:00Z");
    expect(retryAfterMs(err(429, true, "Thu, 26 Nov 2026 10:00:02 GMT"), now)).toBe(2000);
    expect(retryAfterMs(err(429, true, "soon"))).toBeUndefined();
    expect(retryAfterMs(err(429, true))).toBeUndefined();
  });
});

describe("nextDelay", () => {
  it("stops on errors that are not retryable, or not ours, or when retries are used up", () => {
    expect(nextDelay(err(400, false), 0, policy)).toBeNull();
    expect(nextDelay(new Error("boom"), 0, policy)).toBeNull();
    expect(nextDelay(err(500, true), 3, policy)).toBeNull();
  });

  it("waits at least what the vendor asked, and not at all past the policy's limit", () => {
    expect(nextDelay(err(429, true, "1"), 0, policy, () => 0)).toBe(1000);
    expect(nextDelay(err(429, true, "2"), 0, policy)).toBeNull();
    expect(nextDelay(err(502, true), 1, policy, () => 0.5)).toBe(100);
  });
});
