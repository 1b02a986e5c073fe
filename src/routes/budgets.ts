import { z } from "@hono/zod-openapi";
import { assertSelfOrAdmin } from "../auth/access";
import { scopeOf } from "../auth/key-scope";
import { getDb } from "../db/client";
import { findKey } from "../db/queries/api-keys";
import { findUser } from "../db/queries/users";
import { notFound } from "../errors/gateway-error";
import { budgetLimitsOf, keyBudgetName, readBudget } from "../gateway/budget";
import type { WindowStatus } from "../gateway/budget-ledger";
import type { BudgetLimits } from "../gateway/budget-window";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import { jsonResponse, pathParam, Timestamp } from "../openapi/schemas";

const WindowSchema = z
  .object({
    window: z.string().openapi({ example: "2026-11-26", description: DOCS && "The UTC day or month." }),
    limit_usd: z.number().nullable().openapi({ example: 5 }),
    limit_tokens: z.number().int().nullable().openapi({ example: 1_000_000 }),
    spent_usd: z.number().openapi({ example: 1.2345 }),
    spent_tokens: z.number().int().openapi({ example: 48_210 }),
    reserved_usd: z.number().openapi({
      example: 0.02,
      description:
        DOCS &&
        "Held and not yet spent: room leased in advance to the gateway's isolates for this user's calls " +
          "(each call's estimate comes from a lease and its real usage is spent from it), freed when a lease " +
          "is spent, renewed smaller or expires (2 minutes after its last renewal).",
    }),
    reserved_tokens: z.number().int().openapi({ example: 4_096 }),
    resets_at: Timestamp.openapi({ example: "2026-11-27T00:00:00.000Z" }),
  })
  .openapi("BudgetWindow");

const BudgetSchema = z
  .object({
    user_id: z.string().openapi({ example: "usr_01JD7W5X7Q2N5V3K9Y8M4T6R2S" }),
    daily: WindowSchema,
    monthly: WindowSchema,
  })
  .openapi("Budget");

const toWindow = (w: WindowStatus, limitUsd: number | null, limitTokens: number | null) => ({
  window: w.window,
  limit_usd: limitUsd,
  limit_tokens: limitTokens,
  spent_usd: w.spent.usd,
  spent_tokens: w.spent.tokens,
  reserved_usd: w.reserved.usd,
  reserved_tokens: w.reserved.tokens,
  resets_at: new Date(w.resetsAt).toISOString(),
});

// Under /v1/users, like users and keys: a write here would change what auth reads.
const route = routes({ tags: ["Users"], errors: [404], writes: { invalidatesAuthCache: true } });

const KeyBudgetSchema = z
  .object({
    user_id: z.string().openapi({ example: "usr_01JD7W5X7Q2N5V3K9Y8M4T6R2S" }),
    key_id: z.string().openapi({ example: "key_01JD7W5X7Q2N5V3K9Y8M4T6R2S" }),
    daily: WindowSchema,
    monthly: WindowSchema,
  })
  .openapi("KeyBudget");

const statusOf = async (env: Env, name: string, limits: BudgetLimits) => {
  const status = await readBudget(env, name);
  return {
    daily: toWindow(status.daily, limits.dailyUsd, limits.dailyTokens),
    monthly: toWindow(status.monthly, limits.monthlyUsd, limits.monthlyTokens),
  };
};

export const budgetRoutes = createRouter()
  .openapi(
    route({
      method: "get",
      path: "/v1/users/{id}/budget",
      summary: "A user's budgets: limits, spent and reserved per UTC day and month (admin, or the user)",
      description:
        DOCS &&
        "Read from the user's budget tracker, which is exact: calls are checked and counted there one at a time. " +
          "Spending is tracked while the user has a budget set; a call's real usage is counted once it has answered " +
          "(until then its estimate is held in `reserved`, with the rest of its isolate's lease).",
      request: { params: z.object({ id: pathParam("id", "usr_01JD7W5X7Q2N5V3K9Y8M4T6R2S") }) },
      responses: { 200: jsonResponse(BudgetSchema, "The user's budget status.") },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const p = c.get("principal");
      assertSelfOrAdmin(p, id);
      const user = p.kind === "user" && p.user.id === id ? p.user : await findUser(getDb(c.env.DB), id);
      if (!user) throw notFound("user", "id");
      return c.json({ user_id: id, ...(await statusOf(c.env, id, budgetLimitsOf(user))) }, 200);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/users/{id}/api-keys/{key_id}/budget",
      summary:
        "An API key's own budgets: limits, spent and reserved per UTC day and month (admin, or the key's user)",
      description:
        DOCS &&
        "As the user's budget, for the key's own limits (set by admins on the key). Its calls count here and in " +
          "the user's budget alike; spending is tracked while the key has a budget set.",
      request: {
        params: z.object({
          id: pathParam("id", "usr_01JD7W5X7Q2N5V3K9Y8M4T6R2S"),
          key_id: pathParam("key_id", "key_01JD7W5X7Q2N5V3K9Y8M4T6R2S"),
        }),
      },
      responses: { 200: jsonResponse(KeyBudgetSchema, "The key's budget status.") },
    }),
    async (c) => {
      const { id, key_id: keyId } = c.req.valid("param");
      assertSelfOrAdmin(c.get("principal"), id);
      const key = await findKey(getDb(c.env.DB), id, keyId);
      if (!key) throw notFound("api key", "key_id");
      const limits = scopeOf(key).budgets;
      return c.json(
        { user_id: id, key_id: keyId, ...(await statusOf(c.env, keyBudgetName(keyId), limits)) },
        200,
      );
    },
  );
