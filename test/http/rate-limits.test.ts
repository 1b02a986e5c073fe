import { describe, expect, it } from "vitest";
import { ADMIN_KEY, createUser, expectError, get, patch, post } from "../helpers";

/**
 * Per-key requests per minute and the per-IP limit on failed authentications. The local rate
 * limiter (miniflare) counts in windows aligned to the wall-clock minute, so a burst that happens
 * to straddle a minute boundary is run again with fresh keys (see inOneWindow).
 */

const MINUTE = 60_000;
const BURST_TIMEOUT = 60_000;

/**
 * Runs a burst that must fall inside one rate-limit window: when it came within a second of a
 * minute boundary (where the counts reset), it runs again; `burst` makes its own fresh keys or IP.
 */
async function inOneWindow<T>(burst: () => Promise<T>): Promise<T> {
  await awayFromMinuteBoundary();
  for (let attempt = 1; ; attempt++) {
    const start = Date.now();
    const result = await burst();
    const end = Date.now();
    if (Math.floor((start - 1000) / MINUTE) === Math.floor((end + 1000) / MINUTE)) return result;
    if (attempt === 3) throw new Error("three bursts in a row straddled a minute boundary");
    // A fast burst retried at once would still sit within the margin after the boundary.
    const into = Date.now() % MINUTE;
    if (into < 1500) await new Promise((r) => setTimeout(r, 1500 - into));
  }
}

/**
 * The checks after a burst (the key stays refused, other keys are not) also depend on the window,
 * so a test starts with at least 20 s of its minute left: near the end of one, it waits (at most
 * 20 s, so rarely and briefly) for the next.
 */
async function awayFromMinuteBoundary(): Promise<void> {
  const left = MINUTE - (Date.now() % MINUTE);
  if (left < 20_000) await new Promise((r) => setTimeout(r, left + 1500)); // clear of the 1 s margin inOneWindow keeps
}

/** A key created by the admin with the given tier. */
async function keyWithTier(userId: string, tier: number | null) {
  const res = await post(`/v1/users/${userId}/api-keys`, {
    name: `tier ${tier}`,
    rate_limit_per_minute: tier,
  });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; key: string; rate_limit_per_minute: number | null };
}

const me = (key: string | null, headers?: Record<string, string>) => get("/v1/me", { key, headers });
const randomIPv4 = () => `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 254) + 1}`;
const WRONG_KEY = "sk-sb-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

describe("per-key requests per minute", () => {
  it(
    "refuses a 60-a-minute key's 61st request, naming the limit, with Retry-After and RateLimit headers",
    async () => {
      const { user, key: otherKey } = await createUser();
      const { statuses, first, refused, key } = await inOneWindow(async () => {
        const { key } = await keyWithTier(user.id, 60);
        const responses = [];
        for (let i = 0; i < 60; i++) responses.push(await me(key));
        const refused = await me(key);
        return { statuses: responses.map((r) => r.status), first: responses[0]!, refused, key };
      });
      expect(statuses).toEqual(Array(60).fill(200));
      expect(first.headers.get("ratelimit-limit")).toBe("60");
      expect(first.headers.get("ratelimit-policy")).toBe("60;w=60");
      // The binding cannot say how many are left, so successes do not claim to know.
      expect(first.headers.has("ratelimit-remaining")).toBe(false);

      const error = expectError(refused, 429, "rate_limit_error", "key_rate_limited");
      expect(error.message).toBe(
        "Rate limit reached: 60 requests per minute for this API key. Retry after 60 seconds.",
      );
      expect(refused.headers.get("retry-after")).toBe("60");
      expect(refused.headers.get("ratelimit-limit")).toBe("60");
      expect(refused.headers.get("ratelimit-remaining")).toBe("0");
      expect(refused.headers.get("ratelimit-reset")).toBe("60");
      expect(refused.headers.get("ratelimit-policy")).toBe("60;w=60");

      // Other keys, even the same user's, have their own counts.
      const other = await me(otherKey);
      expect(other.status).toBe(200);
      expect(other.headers.get("ratelimit-limit")).toBe("600");
      expect(other.headers.get("ratelimit-policy")).toBe("600;w=60");
      expect((await me((await keyWithTier(user.id, 60)).key)).status).toBe(200);
      expect((await me(key)).status).toBe(429);
    },
    BURST_TIMEOUT,
  );

  it(
    "never limits ADMIN_API_KEY",
    async () => {
      const statuses = [];
      let last: Awaited<ReturnType<typeof me>> | undefined;
      for (let i = 0; i < 70; i++) {
        last = await me(ADMIN_KEY);
        statuses.push(last.status);
      }
      expect(statuses).toEqual(Array(70).fill(200));
      expect(last?.headers.has("ratelimit-limit")).toBe(false);
    },
    BURST_TIMEOUT,
  );

  it("limits every authenticated route, errors included, and not the public image links", async () => {
    const { key } = await createUser();
    const missing = await get("/v1/conversations/conv_nope", { key });
    expectError(missing, 404, "not_found_error");
    expect(missing.headers.get("ratelimit-limit")).toBe("600");
    const image = await get("/v1/images/files/0123456789abcdef0123456789abcdef.png", { key: null });
    expect(image.status).toBe(404);
    expect(image.headers.has("ratelimit-limit")).toBe(false);
  });
});

describe("rate_limit_per_minute on API keys", () => {
  it("is null (the default, 600) unless an admin sets a tier, and shows in lists", async () => {
    const { user, keyId } = await createUser();
    const tiered = await keyWithTier(user.id, 3000);
    expect(tiered.rate_limit_per_minute).toBe(3000);
    expect((await me(tiered.key)).headers.get("ratelimit-limit")).toBe("3000");

    const list = await get(`/v1/users/${user.id}/api-keys`);
    expect(list.status).toBe(200);
    const byId = Object.fromEntries(list.json.data.map((k: any) => [k.id, k.rate_limit_per_minute]));
    expect(byId).toEqual({ [keyId]: null, [tiered.id]: 3000 });
  });

  it("refuses values that are not tiers, naming the allowed ones", async () => {
    const { user, keyId } = await createUser();
    for (const res of [
      await post(`/v1/users/${user.id}/api-keys`, { rate_limit_per_minute: 100 }),
      await patch(`/v1/users/${user.id}/api-keys/${keyId}`, { rate_limit_per_minute: 100 }),
    ]) {
      const error = expectError(res, 400, "invalid_request_error", "invalid_rate_limit");
      expect(error.message).toBe(
        "rate_limit_per_minute must be one of 60, 600, 3000, 10000, or null for the default (600).",
      );
      expect(error.param).toBe("rate_limit_per_minute");
    }
    const text = await post(`/v1/users/${user.id}/api-keys`, { rate_limit_per_minute: "60" });
    expect(expectError(text, 400, "invalid_request_error", "invalid_body").param).toBe(
      "rate_limit_per_minute",
    );
    expectError(
      await patch(`/v1/users/${user.id}/api-keys/${keyId}`, {}),
      400,
      "invalid_request_error",
      "invalid_body",
    );
  });

  it("may be set only by admins; a user's own new key gets the default", async () => {
    const { user, key } = await createUser();
    const own = await post(`/v1/users/${user.id}/api-keys`, { name: "mine" }, { key });
    expect(own.status, own.text).toBe(201);
    expect(own.json.rate_limit_per_minute).toBeNull();
    expectError(
      await post(`/v1/users/${user.id}/api-keys`, { rate_limit_per_minute: 10000 }, { key }),
      403,
      "permission_error",
      "admin_required",
    );
    expectError(
      await patch(`/v1/users/${user.id}/api-keys/${own.json.id}`, { rate_limit_per_minute: 10000 }, { key }),
      403,
      "permission_error",
      "admin_required",
    );
  });

  it("is changed by PATCH, from the key's next request on", async () => {
    const { user, key, keyId } = await createUser();
    expect((await me(key)).headers.get("ratelimit-limit")).toBe("600");
    const updated = await patch(`/v1/users/${user.id}/api-keys/${keyId}`, { rate_limit_per_minute: 10000 });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json).toMatchObject({ id: keyId, rate_limit_per_minute: 10000, revoked_at: null });
    expect((await me(key)).headers.get("ratelimit-policy")).toBe("10000;w=60");

    const reset = await patch(`/v1/users/${user.id}/api-keys/${keyId}`, { rate_limit_per_minute: null });
    expect(reset.json.rate_limit_per_minute).toBeNull();
    expect((await me(key)).headers.get("ratelimit-limit")).toBe("600");

    const other = await createUser();
    expectError(
      await patch(`/v1/users/${other.user.id}/api-keys/${keyId}`, { rate_limit_per_minute: 60 }),
      404,
      "not_found_error",
      "api_key_not_found",
    );
  });
});

describe("failed authentications per IP", () => {
  /** 20 wrong keys from the IP (each a 401), then the 21st, which trips the limit. */
  async function exhaust(ip: string) {
    const headers = { "cf-connecting-ip": ip };
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await me(WRONG_KEY, headers)).status);
    return { ip, statuses, tripped: await me(WRONG_KEY, headers) };
  }

  it(
    "blocks an IP past 20 failures a minute: even a valid key from it is refused; other IPs are not",
    async () => {
      const { key } = await createUser();
      const { ip, statuses, tripped } = await inOneWindow(() => exhaust(randomIPv4()));
      expect(statuses).toEqual(Array(20).fill(401));
      const error = expectError(tripped, 429, "rate_limit_error", "auth_rate_limited");
      expect(error.message).toBe(
        "Too many failed authentications from this address; try again in 60 seconds.",
      );
      expect(tripped.headers.get("retry-after")).toBe("60");

      const blocked = { "cf-connecting-ip": ip };
      for (const k of [key, ADMIN_KEY, WRONG_KEY, null]) {
        const res = await me(k, blocked);
        expectError(res, 429, "rate_limit_error", "auth_rate_limited");
        const retryAfter = Number(res.headers.get("retry-after"));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
      }

      // Other addresses, and requests with no client address at all, are unaffected.
      expect((await me(key, { "cf-connecting-ip": randomIPv4() })).status).toBe(200);
      expect((await me(key)).status).toBe(200);
    },
    BURST_TIMEOUT,
  );

  it(
    "counts IPv6 clients by their /64",
    async () => {
      const { key } = await createUser();
      const randomPrefix = () => `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:7`;
      const { ip, tripped } = await inOneWindow(() => exhaust(`${randomPrefix()}::1`));
      expectError(tripped, 429, "rate_limit_error", "auth_rate_limited");
      const sameNetwork = ip.replace(/::1$/, ":aaaa:bbbb:cccc:dddd");
      expectError(
        await me(key, { "cf-connecting-ip": sameNetwork }),
        429,
        "rate_limit_error",
        "auth_rate_limited",
      );
      const nextNetwork = ip.replace(/:7::1$/, ":8::1");
      expect((await me(key, { "cf-connecting-ip": nextNetwork })).status).toBe(200);
    },
    BURST_TIMEOUT,
  );

  it(
    "does not count requests that carry no key (nothing is guessed)",
    async () => {
      const { key } = await createUser();
      const headers = { "cf-connecting-ip": randomIPv4() };
      const statuses = [];
      for (let i = 0; i < 25; i++) statuses.push((await me(null, headers)).status);
      expect(statuses).toEqual(Array(25).fill(401));
      expect((await me(key, headers)).status).toBe(200);
    },
    BURST_TIMEOUT,
  );
});
