import { z } from "@hono/zod-openapi";
import { getDb } from "../db/client";
import { newId } from "../db/ids";
import {
  clearPrimaryKey,
  deleteVendorKey,
  ENVIRONMENT_KEY_ID,
  insertVendorKey,
  MAX_VENDOR_KEYS,
  PRIMARY_KEY_ID,
} from "../db/queries/vendor-keys";
import { conflict, notFound } from "../errors/gateway-error";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import { iso, jsonBody, jsonResponse, pathParam, Timestamp } from "../openapi/schemas";
import { getVendor } from "../providers/vendor-directory";
import { apiKey, SlugParams, storedKey } from "./vendors";

/**
 * A vendor's further keys (rotation without downtime: add the new key, then delete the old).
 * Each call uses one key by weight (the session's own while it works); a key the vendor refuses
 * as unauthorised is skipped for a while (src/gateway/routing/key-pool.ts).
 */

const MAX_WEIGHT = 1000;

const AddVendorKeySchema = z
  .object({
    api_key: apiKey,
    weight: z
      .int()
      .min(1)
      .max(MAX_WEIGHT)
      .default(1)
      .openapi({
        example: 1,
        description: DOCS && `Share of the vendor's calls, 1 to ${MAX_WEIGHT} (the primary key's is 1).`,
      }),
  })
  .strict()
  .openapi("AddVendorKey");

const AddedVendorKeySchema = z
  .object({
    id: z.string().openapi({ example: "vk_01JDQ3Z9X8K2M4N6P8R0T2V4W6" }),
    weight: z.int().openapi({ example: 1 }),
    created_at: Timestamp,
  })
  .openapi("AddedVendorKey");

const KeyParams = SlugParams.extend({ id: pathParam("id", "vk_01JDQ3Z9X8K2M4N6P8R0T2V4W6") });
// Auth reads a model's vendors with their keys (and may cache them: AUTH_CACHE_SECONDS).
const route = routes({ tags: ["Vendors"], writes: { invalidatesAuthCache: true } });

/** Short keys reveal too much of themselves in four characters. */
const lastFour = (key: string): string | null => (key.length >= 12 ? key.slice(-4) : null);

export const vendorKeyRoutes = createRouter()
  .openapi(
    route({
      method: "post",
      path: "/v1/vendors/{slug}/keys",
      summary: "Add an API key to a vendor; calls use its keys by weight (admin)",
      description:
        DOCS &&
        `Stored encrypted, never returned. At most ${MAX_VENDOR_KEYS} keys beside the primary one. ` +
          "GET /v1/vendors/{slug} lists them by id and weight.",
      admin: true,
      errors: [404, 409],
      request: { params: SlugParams, body: jsonBody(AddVendorKeySchema) },
      responses: { 201: jsonResponse(AddedVendorKeySchema, "The key's id and weight (not the key).") },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      const body = c.req.valid("json");
      const db = getDb(c.env.DB);
      if (!(await getVendor(c.env, db, slug))) throw notFound("vendor", "slug");
      const now = new Date();
      const row = await insertVendorKey(db, {
        id: newId("vk", now.getTime()),
        vendor: slug,
        apiKeyEncrypted: (await storedKey(c.env.ENCRYPTION_KEY, slug, body.api_key)) as string,
        weight: body.weight,
        last4: lastFour(body.api_key),
        disabledUntil: null,
        createdAt: now,
      });
      if (!row) {
        throw conflict(
          "too_many_vendor_keys",
          `The vendor already holds ${MAX_VENDOR_KEYS} keys; delete one first.`,
          "api_key",
        );
      }
      return c.json({ id: row.id, weight: row.weight, created_at: iso(row.createdAt) }, 201);
    },
  )
  .openapi(
    route({
      method: "delete",
      path: "/v1/vendors/{slug}/keys/{id}",
      summary: "Remove one of a vendor's API keys (admin)",
      description:
        DOCS &&
        "`primary` clears the key stored with PATCH `api_key` (the environment's secret, if any, " +
          "then takes its place); the environment's own key cannot be removed here.",
      admin: true,
      errors: [404, 409],
      request: { params: KeyParams },
      responses: { 204: { description: DOCS && "Removed: calls stop using it at once." } },
    }),
    async (c) => {
      const { slug, id } = c.req.valid("param");
      const db = getDb(c.env.DB);
      if (id === ENVIRONMENT_KEY_ID) {
        throw conflict(
          "environment_key",
          `The environment's key is a secret of the deployment; unset ${slug.toUpperCase()}_API_KEY instead.`,
          "id",
        );
      }
      const removed =
        id === PRIMARY_KEY_ID ? await clearPrimaryKey(db, slug) : await deleteVendorKey(db, slug, id);
      if (!removed) throw notFound("vendor key", "id");
      return c.body(null, 204);
    },
  );
