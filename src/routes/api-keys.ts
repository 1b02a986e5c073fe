import { z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { assertSelfOrAdmin } from "../auth/access";
import { generateApiKey, hashApiKey } from "../auth/keys";
import { isAdmin, type Principal } from "../auth/principal";
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { keysetPage } from "../db/cursor";
import { newId } from "../db/ids";
import { listKeys } from "../db/queries/api-keys";
import { findUser } from "../db/queries/users";
import { type ApiKeyRow, apiKeys } from "../db/schema";
import { forbidden, invalidRequest, notFound } from "../errors/gateway-error";
import { DEFAULT_RATE_LIMIT, isRateLimitTier, tierListText } from "../gateway/rate-limit";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import {
  iso,
  isoOrNull,
  jsonBody,
  jsonResponse,
  listOf,
  PaginationQuerySchema,
  pathParam,
  Timestamp,
} from "../openapi/schemas";
import { assertMayCreate, scopeFields, scopeInputFields, scopeOfRow } from "./api-key-scopes";
import { budgetColumns } from "./budget-limits";

const RATE_LIMIT_DESCRIPTION =
  `Requests per minute allowed to this key: one of ${tierListText()}; null means the default (${DEFAULT_RATE_LIMIT}). ` +
  "Only admins may set it.";
const rateLimitField = z
  .number()
  .int()
  .nullable()
  .openapi({ example: DEFAULT_RATE_LIMIT, description: RATE_LIMIT_DESCRIPTION });

const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: "key_01JD7W5X7Q2N5V3K9Y8M4T6R2S" }),
    name: z.string().nullable().openapi({ example: "backend" }),
    prefix: z
      .string()
      .openapi({ example: "sk-sb-Ab3dEf", description: DOCS && "First characters of the key." }),
    created_at: Timestamp,
    expires_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    last_used_at: Timestamp.nullable().openapi({ description: DOCS && "Updated at most once a minute." }),
    rate_limit_per_minute: rateLimitField,
    ...scopeFields,
  })
  .openapi("ApiKey");

const CreatedApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    key: z
      .string()
      .openapi({ example: "sk-sb-Ab3dEf...", description: DOCS && "The key. Shown only in this response." }),
    prefix: z.string(),
    created_at: Timestamp,
    expires_at: Timestamp.nullable(),
    rate_limit_per_minute: rateLimitField,
    ...scopeFields,
  })
  .openapi("CreatedApiKey");

const CreateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    expires_at: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ example: "2027-01-01T00:00:00Z", description: DOCS && "When the key stops working." }),
    rate_limit_per_minute: rateLimitField.optional(),
    ...scopeInputFields,
  })
  .strict()
  .openapi("CreateApiKey");

const UpdateApiKeySchema = z
  .object({ rate_limit_per_minute: rateLimitField.optional(), ...scopeInputFields })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "give at least one field to change")
  .openapi("UpdateApiKey", {
    description: DOCS && "Fields left out are unchanged; `budgets` field by field.",
  });

/** A tier, or null for the default; anything else is refused with the allowed values. */
function checkTier(value: number | null): number | null {
  if (value === null || isRateLimitTier(value)) return value;
  throw invalidRequest(
    "invalid_rate_limit",
    `rate_limit_per_minute must be one of ${tierListText()}, or null for the default (${DEFAULT_RATE_LIMIT}).`,
    "rate_limit_per_minute",
  );
}

const toApiKey = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  created_at: iso(k.createdAt),
  expires_at: isoOrNull(k.expiresAt),
  revoked_at: isoOrNull(k.revokedAt),
  last_used_at: isoOrNull(k.lastUsedAt),
  rate_limit_per_minute: k.rateLimitPerMinute,
  ...scopeOfRow(k),
});

const UserParams = z.object({ id: pathParam("id", "usr_01JD7W5X7Q2N5V3K9Y8M4T6R2S") });
const KeyParams = UserParams.extend({ key_id: pathParam("key_id", "key_01JD7W5X7Q2N5V3K9Y8M4T6R2S") });
// Writes here change keys, which auth reads (and may cache: AUTH_CACHE_SECONDS).
const route = routes({ tags: ["API keys"], errors: [404], writes: { invalidatesAuthCache: true } });

/** The caller may manage this user's keys, and the user exists (admins can name any id). */
async function resolveUser(db: Db, p: Principal, userId: string): Promise<void> {
  assertSelfOrAdmin(p, userId);
  if (p.kind === "user" && p.user.id === userId) return;
  if (!(await findUser(db, userId))) throw notFound("user", "id");
}

export const apiKeyRoutes = createRouter()
  .openapi(
    route({
      method: "post",
      path: "/v1/users/{id}/api-keys",
      summary: "Create an API key (admin, or the user for itself); the key is shown only here",
      description:
        DOCS &&
        `\`rate_limit_per_minute\`: ${RATE_LIMIT_DESCRIPTION} ` +
          "Scopes: admins may set `models`, `budgets` and `metadata`; a user creating its own key may set `models` and " +
          "`metadata` but not `budgets` (403 `admin_required`). A scoped key cannot create a wider key (403 " +
          "`scope_escalation`): a key with a `models` list only keys whose list stays within its own, a key with budgets " +
          "of its own none.",
      errors: [403],
      request: { params: UserParams, body: jsonBody(CreateApiKeySchema) },
      responses: { 201: jsonResponse(CreatedApiKeySchema, "The new key.") },
    }),
    async (c) => {
      const { id: userId } = c.req.valid("param");
      const body = c.req.valid("json");
      const db = getDb(c.env.DB);
      await resolveUser(db, c.get("principal"), userId);
      const now = new Date();
      const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
      if (expiresAt && expiresAt.getTime() <= now.getTime()) {
        throw invalidRequest("invalid_expires_at", "expires_at must be in the future.", "expires_at");
      }
      const rateLimit = checkTier(body.rate_limit_per_minute ?? null);
      if (rateLimit !== null && !isAdmin(c.get("principal"))) {
        throw forbidden("admin_required", "Only an admin may set rate_limit_per_minute.");
      }
      const models = body.models ?? null;
      const budgets = budgetColumns(body.budgets);
      assertMayCreate(c.get("principal"), {
        models,
        budgets: Object.values(budgets).some((v) => v !== null),
      });
      const { key, prefix } = generateApiKey();
      const [row] = await db
        .insert(apiKeys)
        .values({
          id: newId("key"),
          userId,
          name: body.name ?? null,
          prefix,
          hash: await hashApiKey(key),
          createdAt: now,
          expiresAt,
          rateLimitPerMinute: rateLimit,
          models,
          metadata: body.metadata ?? null,
          ...budgets,
        })
        .returning();
      const created = toApiKey(row as ApiKeyRow);
      return c.json(
        {
          id: created.id,
          name: created.name,
          key,
          prefix,
          created_at: created.created_at,
          expires_at: created.expires_at,
          rate_limit_per_minute: created.rate_limit_per_minute,
          models: created.models,
          budgets: created.budgets,
          metadata: created.metadata,
        },
        201,
      );
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/users/{id}/api-keys",
      summary: "List a user's API keys, newest first, revoked ones included (never the key itself)",
      request: { params: UserParams, query: PaginationQuerySchema },
      responses: { 200: jsonResponse(listOf(ApiKeySchema, "ApiKeyList"), "A page of keys.") },
    }),
    async (c) => {
      const { id: userId } = c.req.valid("param");
      const db = getDb(c.env.DB);
      await resolveUser(db, c.get("principal"), userId);
      const read = (limit: number, before?: string) => listKeys(db, userId, limit, before);
      return c.json(await keysetPage(c.req.valid("query"), read, (k) => k.id, toApiKey), 200);
    },
  )
  .openapi(
    route({
      method: "patch",
      path: "/v1/users/{id}/api-keys/{key_id}",
      summary: "Change an API key's rate-limit tier, models, budgets or metadata (admin)",
      description:
        DOCS &&
        "Admins only, whoever owns the key: scopes limit a key, so its holder may not lift them (403 " +
          "`admin_required` on one's own key; another user's key is a 404, as if it did not exist). A change applies " +
          "from the next request in the isolate that made it, and within `AUTH_CACHE_SECONDS` everywhere else.",
      errors: [403],
      request: { params: KeyParams, body: jsonBody(UpdateApiKeySchema) },
      responses: { 200: jsonResponse(ApiKeySchema, "The updated key.") },
    }),
    async (c) => {
      const { id: userId, key_id: keyId } = c.req.valid("param");
      const p = c.get("principal");
      // Not `admin: true`: a user must not learn that another user's key exists (404 first).
      assertSelfOrAdmin(p, userId);
      if (!isAdmin(p)) throw forbidden("admin_required", "Only an admin may change an API key.");
      const body = c.req.valid("json");
      const fields = {
        ...(body.rate_limit_per_minute !== undefined
          ? { rateLimitPerMinute: checkTier(body.rate_limit_per_minute) }
          : {}),
        ...(body.models !== undefined ? { models: body.models } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
        ...budgetColumns(body.budgets),
      };
      const db = getDb(c.env.DB);
      const where = and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId));
      // A budgets object with no fields changes nothing: the key is answered as it is.
      const [row] =
        Object.keys(fields).length > 0
          ? await db.update(apiKeys).set(fields).where(where).returning()
          : await db.select().from(apiKeys).where(where).limit(1);
      if (!row) throw notFound("api key", "key_id");
      return c.json(toApiKey(row), 200);
    },
  )
  .openapi(
    route({
      method: "delete",
      path: "/v1/users/{id}/api-keys/{key_id}",
      summary: "Revoke an API key: it stops working at once",
      request: { params: KeyParams },
      responses: { 204: { description: DOCS && "Revoked (also when it already was)." } },
    }),
    async (c) => {
      const { id: userId, key_id: keyId } = c.req.valid("param");
      assertSelfOrAdmin(c.get("principal"), userId);
      const db = getDb(c.env.DB);
      const where = and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId));
      const revoked = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(where, isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      if (revoked.length === 0) {
        const existing = await db.select({ id: apiKeys.id }).from(apiKeys).where(where).limit(1);
        if (existing.length === 0) throw notFound("api key", "key_id");
      }
      return c.body(null, 204);
    },
  );
