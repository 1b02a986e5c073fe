import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, expectError, get, patch, post, scenario } from "../helpers";

/**
 * Per-user budgets (tokens and USD per UTC day and month), enforced by the user's BudgetTracker
 * Durable Object: a call's estimate is held before the upstream call (from a lease of room this
 * isolate holds, src/gateway/budget-lease.ts), and replaced by the real usage after the response
 * (spent in waitUntil, hence the bounded polling below). `reserved` shows what leases still hold.
 */

type Budgets = Partial<
  Record<"daily_usd" | "monthly_usd" | "daily_tokens" | "monthly_tokens", number | null>
>;
const NO_BUDGETS = { daily_usd: null, monthly_usd: null, daily_tokens: null, monthly_tokens: null };

beforeAll(async () => {
  await configureVendorKeys();
});

/** A user with budgets, created by the admin, and an API key of theirs. */
async function userWithBudgets(budgets: Budgets) {
  const created = await post("/v1/users", { email: `${crypto.randomUUID()}@example.com`, budgets });
  expect(created.status, created.text).toBe(201);
  const key = await post(`/v1/users/${created.json.id}/api-keys`, {});
  expect(key.status, key.text).toBe(201);
  return { id: created.json.id as string, key: key.json.key as string };
}

async function conversation(key: string, model = "mock/echo") {
  const res = await post("/v1/conversations", { model }, { key });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

const send = (key: string, conversationId: string, body: Record<string, unknown>) =>
  post(`/v1/conversations/${conversationId}/messages`, body, { key });

const budgetOf = async (userId: string, key?: string) => {
  const res = await get(`/v1/users/${userId}/budget`, key ? { key } : {});
  expect(res.status, res.text).toBe(200);
  return res.json;
};

/** Polls the budget (≤ 2 s) until the settles after the responses have landed. */
async function settledBudget(userId: string, expected: (b: any) => boolean) {
  let budget: any;
  for (let i = 0; i < 40; i++) {
    budget = await budgetOf(userId);
    if (expected(budget)) return budget;
    await new Promise((r) => setTimeout(r, 50));
  }
  return budget;
}

const nextUtcMidnight = (now: number) => {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
};
const nextUtcMonth = (now: number) => {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

/** What the mock upstream received for a model name (test/mocks/upstream-server.ts). */
async function upstreamLog(model: string) {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`);
  return (await res.json()) as unknown[];
}

/** Retry-After must count down to the window's reset, as seen between sending and answering. */
function expectRetryAfterUntil(
  res: { headers: Headers },
  resetsAt: number,
  sentAt: number,
  answeredAt: number,
) {
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(Math.floor((resetsAt - answeredAt) / 1000));
  expect(retryAfter).toBeLessThanOrEqual(Math.ceil((resetsAt - sentAt) / 1000));
}

describe("budgets on the user", () => {
  it("are null unless set, set by admins on POST and PATCH field by field, and validated", async () => {
    const plain = await createUser();
    expect((await get(`/v1/users/${plain.user.id}`)).json.budgets).toEqual(NO_BUDGETS);

    const { id, key } = await userWithBudgets({ daily_usd: 5 });
    expect((await get(`/v1/users/${id}`)).json.budgets).toEqual({ ...NO_BUDGETS, daily_usd: 5 });
    const updated = await patch(`/v1/users/${id}`, { budgets: { daily_tokens: 1000, monthly_usd: 100.5 } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json.budgets).toEqual({
      daily_usd: 5,
      monthly_usd: 100.5,
      daily_tokens: 1000,
      monthly_tokens: null,
    });
    const cleared = await patch(`/v1/users/${id}`, { budgets: { daily_usd: null }, name: "Budgeted" });
    expect(cleared.json).toMatchObject({
      name: "Budgeted",
      budgets: { daily_usd: null, monthly_usd: 100.5, daily_tokens: 1000, monthly_tokens: null },
    });
    expect((await get("/v1/me", { key })).json.user.budgets).toEqual(cleared.json.budgets);

    for (const budgets of [
      { daily_usd: -1 },
      { daily_tokens: 1.5 },
      { weekly_usd: 3 },
      { daily_tokens: "10" },
    ]) {
      expectError(await patch(`/v1/users/${id}`, { budgets }), 400, "invalid_request_error", "invalid_body");
    }
    expectError(
      await patch(`/v1/users/${id}`, { budgets: { daily_usd: 1 } }, { key }),
      403,
      "permission_error",
      "admin_required",
    );
  });
});

describe("GET /v1/users/{id}/budget", () => {
  it("shows limits, spent and reserved per window, and when each resets, to the user and admins", async () => {
    const { id, key } = await userWithBudgets({ daily_tokens: 1000, monthly_usd: 20 });
    const before = Date.now();
    const own = await budgetOf(id, key);
    const after = Date.now();
    const today = new Date(after).toISOString();
    expect(own).toEqual({
      user_id: id,
      daily: {
        window: today.slice(0, 10),
        limit_usd: null,
        limit_tokens: 1000,
        spent_usd: 0,
        spent_tokens: 0,
        reserved_usd: 0,
        reserved_tokens: 0,
        resets_at: new Date(nextUtcMidnight(after)).toISOString(),
      },
      monthly: {
        window: today.slice(0, 7),
        limit_usd: 20,
        limit_tokens: null,
        spent_usd: 0,
        spent_tokens: 0,
        reserved_usd: 0,
        reserved_tokens: 0,
        resets_at: new Date(nextUtcMonth(after)).toISOString(),
      },
    });
    expect(nextUtcMidnight(before)).toBe(nextUtcMidnight(after)); // not run across midnight
    expect(await budgetOf(id)).toEqual(own);
  });

  it("answers 404 for another user's budget, as for an unknown user", async () => {
    const { id } = await userWithBudgets({ daily_tokens: 10 });
    const other = await createUser();
    expectError(
      await get(`/v1/users/${id}/budget`, { key: other.key }),
      404,
      "not_found_error",
      "user_not_found",
    );
    expectError(await get("/v1/users/usr_nope/budget"), 404, "not_found_error", "user_not_found");
  });
});

describe("budgets in conversation messages", () => {
  it("refuse a message over the daily token budget before anything is sent or stored", async () => {
    const { id, key } = await userWithBudgets({ daily_tokens: 50 });
    const upstreamModel = scenario("inspect");
    const conv = await conversation(key, `openai/${upstreamModel}`);
    for (const stream of [false, true]) {
      const sentAt = Date.now();
      // Estimate: 4 + ceil(5 / 4) = 6 prompt tokens, plus max_tokens 100 = 106 > 50.
      const res = await send(key, conv, { content: "hello", max_tokens: 100, stream });
      const answeredAt = Date.now();
      const error = expectError(res, 429, "rate_limit_error", "budget_exceeded");
      expect(error.message).toBe(
        "This request would exceed the user's daily token budget of 50 tokens: 0 tokens spent or reserved " +
          `by calls in flight, this request estimated at 106 tokens. The budget resets at ${new Date(nextUtcMidnight(answeredAt)).toISOString()}.`,
      );
      expectRetryAfterUntil(res, nextUtcMidnight(answeredAt), sentAt, answeredAt);
    }
    expect(await upstreamLog(upstreamModel)).toEqual([]);
    expect((await get(`/v1/conversations/${conv}/messages`, { key })).json.data).toEqual([]);
    expect((await budgetOf(id)).daily).toMatchObject({ spent_tokens: 0, reserved_tokens: 0 });

    // One that fits goes through.
    const fits = await send(key, conv, { content: "hello", max_tokens: 40 });
    expect(fits.status, fits.text).toBe(201);
    expect(await upstreamLog(upstreamModel)).toHaveLength(1);
  });

  it("settle the vendor's real usage, streamed or not", async () => {
    const { id, key } = await userWithBudgets({ daily_tokens: 100_000 });
    const conv = await conversation(key, `openai/${scenario("plain")}`);
    // The mock OpenAI upstream always reports 21 prompt + 8 completion tokens.
    expect((await send(key, conv, { content: "hi" })).status).toBe(201);
    let budget = await settledBudget(id, (b) => b.daily.spent_tokens === 29);
    // What is still held is this isolate's lease (src/gateway/budget-lease.ts), less what it spent.
    expect(budget.daily).toMatchObject({ spent_tokens: 29, spent_usd: 0, reserved_usd: 0 });
    expect(budget.daily.reserved_tokens).toBeGreaterThan(0);
    expect(budget.daily.spent_tokens + budget.daily.reserved_tokens).toBeLessThanOrEqual(100_000);
    expect(budget.monthly).toMatchObject({ spent_tokens: 29 });

    const streamed = await send(key, conv, { content: "again", stream: true });
    expect(streamed.status).toBe(201);
    expect(streamed.text).toContain("event: message.completed");
    budget = await settledBudget(id, (b) => b.daily.spent_tokens === 58);
    expect(budget.daily).toMatchObject({ spent_tokens: 58 });
  });

  it("count USD at the model config's price", async () => {
    const alias = `priced-${crypto.randomUUID().slice(0, 8)}`;
    const config = await post("/v1/model-configs", {
      alias,
      vendor: "mock",
      upstream_model: "echo",
      // $1 per prompt token and $2 per completion token: exact amounts in binary floating point.
      pricing: { input_per_mtok: 1_000_000, output_per_mtok: 2_000_000 },
    });
    expect(config.status, config.text).toBe(201);
    const { id, key } = await userWithBudgets({ daily_usd: 30 });

    // Estimate: 6 prompt tokens ($6) + max_tokens 10 ($20) = $26. Real: 6 + 2 tokens = $10.
    const first = await send(key, await conversation(key, alias), { content: "hello", max_tokens: 10 });
    expect(first.status, first.text).toBe(201);
    expect(first.json.usage).toEqual({ prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 });
    const budget = await settledBudget(id, (b) => b.daily.spent_usd === 10);
    expect(budget.daily).toMatchObject({ limit_usd: 30, spent_usd: 10, spent_tokens: 8 });

    // $10 spent + $26 estimated > $30.
    const refused = await send(key, await conversation(key, alias), { content: "hello", max_tokens: 10 });
    expect(expectError(refused, 429, "rate_limit_error", "budget_exceeded").message).toBe(
      "This request would exceed the user's daily USD budget of $30.00: $10.00 spent or reserved by calls " +
        `in flight, this request estimated at $26.00. The budget resets at ${budget.daily.resets_at}.`,
    );
    // A shorter answer fits: $10 + $6 + 5 × $2 = $26.
    expect(
      (await send(key, await conversation(key, alias), { content: "hello", max_tokens: 5 })).status,
    ).toBe(201);
  });

  it("settle concurrent messages exactly: as many as fit go through, and spent is their real usage", async () => {
    const { id, key } = await userWithBudgets({ daily_tokens: 80 });
    const conversations = await Promise.all(Array.from({ length: 10 }, () => conversation(key)));
    // Each: 4 + 40 / 4 = 14 prompt tokens, and an answer cut at max_tokens 5 = 19 tokens, the
    // estimate exactly; 80 holds four of them (76), never a fifth.
    const results = await Promise.all(
      conversations.map((c) => send(key, c, { content: "x".repeat(40), max_tokens: 5 })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 201, 429, 429, 429, 429, 429, 429]);
    for (const r of results.filter((r) => r.status === 201)) {
      expect(r.json.usage).toEqual({ prompt_tokens: 14, completion_tokens: 5, total_tokens: 19 });
    }
    for (const r of results.filter((r) => r.status === 429))
      expect(r.json.error.code).toBe("budget_exceeded");
    const budget = await settledBudget(id, (b) => b.daily.spent_tokens === 76);
    expect(budget.daily.spent_tokens).toBe(76);
    expect(budget.daily.spent_tokens + budget.daily.reserved_tokens).toBeLessThanOrEqual(80);
  });

  it("hold each call's estimate while it is in flight, so concurrent calls cannot pass the budget", async () => {
    const { id, key } = await userWithBudgets({ daily_tokens: 80 });
    // The upstream never answers: every call that got through is still in flight when the others
    // reserve, until the 2 s timeout ends it (and releases its reservation).
    const upstreamModel = scenario("hang");
    const conversations = await Promise.all(Array.from({ length: 10 }, () => conversation(key)));
    const results = await Promise.all(
      conversations.map((c) =>
        post(
          `/v1/conversations/${c}/messages`,
          { content: "x".repeat(40), max_tokens: 5, model: `openai/${upstreamModel}` },
          { key, headers: { "x-timeout-ms": "2000" } },
        ),
      ),
    );
    expect(results.map((r) => r.json.error.code).sort()).toEqual([
      ...Array(6).fill("budget_exceeded"),
      ...Array(4).fill("upstream_timeout"),
    ]);
    expect(await upstreamLog(upstreamModel)).toHaveLength(4);
    const budget = await budgetOf(id);
    expect(budget.daily.spent_tokens).toBe(0);
    expect(budget.daily.reserved_tokens).toBeLessThanOrEqual(80);
  });

  it("release the reservation when the vendor fails: nothing is spent", async () => {
    // Exactly one message's estimate (6 + 10): held and not released, it would block the next.
    const { id, key } = await userWithBudgets({ daily_tokens: 16 });
    const failing = await send(key, await conversation(key, `openai/${scenario("fail-500")}`), {
      content: "hello",
      max_tokens: 10,
    });
    expectError(failing, 502, "upstream_error");
    expect((await budgetOf(id)).daily.spent_tokens).toBe(0);
    const next = await send(key, await conversation(key), { content: "hello", max_tokens: 10 });
    expect(next.status, next.text).toBe(201);
  });

  it("are not tracked for users without budgets", async () => {
    const { user, key } = await createUser();
    expect((await send(key, await conversation(key), { content: "hello" })).status).toBe(201);
    const budget = await budgetOf(user.id);
    expect(budget.daily).toMatchObject({
      limit_usd: null,
      limit_tokens: null,
      spent_tokens: 0,
      reserved_tokens: 0,
    });
  });
});

describe("budgets in image generation", () => {
  it("count the tokens the vendor reports, and refuse once the budget is used up", async () => {
    const { id, key } = await userWithBudgets({ daily_tokens: 6 });
    const prompt = "a red fox in the snow"; // the mock vendor reports ceil(21 / 4) = 6 input tokens
    const first = await post("/v1/images/generations", { model: "mock/image", prompt }, { key });
    expect(first.status, first.text).toBe(200);
    const budget = await settledBudget(
      id,
      (b) => b.daily.spent_tokens === 6 && b.daily.reserved_tokens === 0,
    );
    expect(budget.daily).toMatchObject({ spent_tokens: 6, reserved_tokens: 0, spent_usd: 0 });

    const refused = await post("/v1/images/generations", { model: "mock/image", prompt }, { key });
    expect(expectError(refused, 429, "rate_limit_error", "budget_exceeded").message).toContain(
      "daily token budget of 6 tokens",
    );
  });

  it("do not apply to the operator's ADMIN_API_KEY, which has no user", async () => {
    const res = await post("/v1/images/generations", { model: "mock/image", prompt: "a fox" });
    expect(res.status, res.text).toBe(200);
  });
});
