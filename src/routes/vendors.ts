import { z } from "@hono/zod-openapi";
import { and, eq, notExists, sql } from "drizzle-orm";
import { encryptSecret } from "../auth/secrets";
import { type Db, getDb } from "../db/client";
import { keysetPage } from "../db/cursor";
import { isUniqueViolation } from "../db/errors";
import { aliasesUsingVendor, configUsesVendor } from "../db/queries/model-configs";
import { keysOfVendors } from "../db/queries/vendor-keys";
import { findVendorRow } from "../db/queries/vendors";
import { modelConfigs, type VendorRow, vendorKeys, vendors } from "../db/schema";
import { conflict, invalidRequest, notFound } from "../errors/gateway-error";
import { refusedUntil } from "../gateway/routing/key-pool";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import {
  isoOrNull,
  jsonBody,
  jsonResponse,
  listOf,
  PaginationQuerySchema,
  pathParam,
  Timestamp,
} from "../openapi/schemas";
import { identifier } from "../openapi/strings";
import { findBuiltin } from "../providers/builtins";
import { VENDOR_KINDS } from "../providers/kinds";
import {
  allVendors,
  getVendor,
  hasApiKey,
  mergeVendor,
  type Vendor,
  type VendorKey,
} from "../providers/vendor-directory";

const kind = z.enum(VENDOR_KINDS).openapi({ example: "openai-compatible" });

export const VendorKeySchema = z
  .object({
    id: z.string().openapi({ example: "vk_01JDQ3Z9X8K2M4N6P8R0T2V4W6" }),
    weight: z.int().openapi({ example: 1, description: DOCS && "Share of the vendor's calls." }),
    last_4: z
      .string()
      .nullable()
      .openapi({
        example: "x7Qa",
        description:
          DOCS && "The key's last four characters, when known (keys added here, long env secrets).",
      }),
    disabled_until: Timestamp.nullable().openapi({
      description:
        DOCS &&
        "Set while the key is skipped because the vendor refused it as unauthorised (401; 403 for " +
          "Anthropic and Gemini): calls use the vendor's other keys until then.",
    }),
    created_at: Timestamp.nullable(),
  })
  .openapi("VendorKey");

export const VendorSchema = z
  .object({
    slug: z.string().openapi({ example: "groq" }),
    kind,
    base_url: z
      .string()
      .nullable()
      .openapi({
        example: "https://api.groq.com/openai/v1",
        description: DOCS && "Effective base URL: the override, else the configured or default one.",
      }),
    enabled: z.boolean(),
    builtin: z
      .boolean()
      .openapi({ description: DOCS && "Exists from the configuration; can be disabled, not deleted." }),
    has_api_key: z.boolean(),
    keys: z.array(VendorKeySchema).openapi({
      description:
        DOCS &&
        "The keys calls use, by weight: the primary one (`primary`: stored with `api_key`; or " +
          "`environment`: the env secret) and those added with POST /v1/vendors/{slug}/keys. Values are never returned.",
    }),
    api_key_source: z
      .enum(["stored", "environment"])
      .nullable()
      .openapi({
        description: DOCS && "Where the key in use comes from; a stored key wins. The key is never returned.",
      }),
    created_at: Timestamp.nullable().openapi({
      description: DOCS && "Null for a built-in never overridden.",
    }),
    updated_at: Timestamp.nullable(),
  })
  .openapi("Vendor");

// Model strings are `vendor/model`, so a slug never holds a "/".
const slug = identifier()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "lowercase letters, digits and dashes, at most 32")
  .openapi({ example: "groq" });
// Adapters append paths to it, so a trailing slash would double up.
const baseUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .max(2048)
  .transform((u) => u.replace(/\/+$/, ""))
  .openapi({ example: "https://api.groq.com/openai/v1" });
export const apiKey = z
  .string()
  .trim()
  .min(1)
  .max(4096)
  .openapi({ example: "gsk_...", description: DOCS && "Write-only." });

const CreateVendorSchema = z
  .object({
    slug,
    kind,
    base_url: baseUrl.optional(),
    api_key: apiKey.optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .openapi("CreateVendor");
const UpdateVendorSchema = z
  .object({
    base_url: baseUrl
      .nullable()
      .optional()
      .openapi({ description: DOCS && "Null resets to the default." }),
    api_key: apiKey
      .nullable()
      .optional()
      .openapi({ description: DOCS && "Null clears the stored key." }),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi("UpdateVendor");

export const toVendor = (v: Vendor) => ({
  slug: v.slug,
  kind: v.kind,
  base_url: v.baseUrl,
  enabled: v.enabled,
  builtin: v.builtin,
  has_api_key: hasApiKey(v),
  keys: v.keys.map((k) => toVendorKey(v.slug, k)),
  api_key_source: v.apiKeyEncrypted ? ("stored" as const) : v.envApiKey ? ("environment" as const) : null,
  created_at: isoOrNull(v.createdAt),
  updated_at: isoOrNull(v.updatedAt),
});

/** A key as admins see it: never its value; skipped until the later of the record and this isolate's own refusal. */
export function toVendorKey(vendor: string, k: VendorKey, now = Date.now()) {
  const until = Math.max(k.disabledUntil ?? 0, refusedUntil(vendor, k.id) ?? 0);
  return {
    id: k.id,
    weight: k.weight,
    last_4: k.last4,
    disabled_until: until > now ? new Date(until).toISOString() : null,
    created_at: isoOrNull(k.createdAt),
  };
}

const needsBaseUrl = () =>
  invalidRequest("base_url_required", "An openai-compatible vendor needs a base_url.", "base_url");

/** The stored form of `api_key`: ciphertext bound to the slug, null to clear, undefined to keep. */
export async function storedKey(secret: string | undefined, slug: string, key: string | null | undefined) {
  if (key === undefined || key === null) return key;
  return encryptSecret(secret, key, slug);
}

/**
 * Deletes an admin-added vendor unless a model config uses it. The check sits inside the DELETE
 * so a config created meanwhile cannot be left pointing at nothing; when nothing was deleted,
 * the reason is looked up afterwards (retried if that config has gone in the meantime).
 */
async function deleteUnusedVendor(db: Db, slug: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    // The vendor's further keys go with it, in the same batch, only if the vendor did.
    const [deleted] = await db.batch([
      db
        .delete(vendors)
        .where(
          and(
            eq(vendors.slug, slug),
            notExists(db.select({ one: sql`1` }).from(modelConfigs).where(configUsesVendor(slug))),
          ),
        )
        .returning({ slug: vendors.slug }),
      db
        .delete(vendorKeys)
        .where(
          and(
            eq(vendorKeys.vendor, slug),
            notExists(db.select({ one: sql`1` }).from(vendors).where(eq(vendors.slug, slug))),
          ),
        ),
    ]);
    if (deleted.length > 0) return;
    if (!(await findVendorRow(db, slug))) throw notFound("vendor", "slug");
    const aliases = await aliasesUsingVendor(db, slug);
    if (aliases.length > 0) {
      const named = aliases.map((a) => `\`${a}\``).join(", ");
      throw conflict(
        "vendor_in_use",
        `The vendor is used by model configs ${named}; delete or move them first.`,
        "slug",
      );
    }
  }
  throw conflict("vendor_in_use", "The vendor's model configs keep changing; try again.", "slug");
}

export const SlugParams = z.object({ slug: pathParam("slug", "groq") });
// Writes here change vendors, which auth reads with the model (and may cache: AUTH_CACHE_SECONDS).
const route = routes({ tags: ["Vendors"], writes: { invalidatesAuthCache: true } });

export const vendorRoutes = createRouter()
  .openapi(
    route({
      method: "post",
      path: "/v1/vendors",
      summary: "Add a vendor, e.g. an OpenAI-compatible host (admin)",
      admin: true,
      errors: [409],
      request: { body: jsonBody(CreateVendorSchema) },
      responses: { 201: jsonResponse(VendorSchema, "The new vendor.") },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const exists = () => conflict("vendor_exists", `A vendor \`${body.slug}\` already exists.`, "slug");
      // Built-ins have no row until overridden, so the primary key alone cannot catch them.
      if (findBuiltin(c.env, body.slug)) throw exists();
      if (body.kind === "openai-compatible" && !body.base_url) throw needsBaseUrl();
      const now = new Date();
      try {
        const [row] = await getDb(c.env.DB)
          .insert(vendors)
          .values({
            slug: body.slug,
            kind: body.kind,
            baseUrl: body.base_url ?? null,
            apiKeyEncrypted: (await storedKey(c.env.ENCRYPTION_KEY, body.slug, body.api_key)) ?? null,
            enabled: body.enabled,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        return c.json(toVendor(mergeVendor(undefined, row) as Vendor), 201);
      } catch (e) {
        if (isUniqueViolation(e)) throw exists();
        throw e;
      }
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/vendors",
      summary: "List vendors, built-ins included, by slug (admin)",
      admin: true,
      request: { query: PaginationQuerySchema },
      responses: { 200: jsonResponse(listOf(VendorSchema, "VendorList"), "A page of vendors.") },
    }),
    async (c) => {
      // Vendors are a handful: merge built-ins with rows in memory, then page by slug.
      const read = async (limit: number, after?: string) => {
        const all = await allVendors(c.env, getDb(c.env.DB));
        return (after === undefined ? all : all.filter((v) => v.slug > after)).slice(0, limit + 1);
      };
      return c.json(await keysetPage(c.req.valid("query"), read, (v) => v.slug, toVendor), 200);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/vendors/{slug}",
      summary: "Get a vendor (admin)",
      admin: true,
      errors: [404],
      request: { params: SlugParams },
      responses: { 200: jsonResponse(VendorSchema, "The vendor.") },
    }),
    async (c) => {
      const vendor = await getVendor(c.env, getDb(c.env.DB), c.req.valid("param").slug);
      if (!vendor) throw notFound("vendor", "slug");
      return c.json(toVendor(vendor), 200);
    },
  )
  .openapi(
    route({
      method: "patch",
      path: "/v1/vendors/{slug}",
      summary:
        "Update a vendor's base URL, key or enabled flag; on a built-in this stores an override (admin)",
      admin: true,
      errors: [404],
      request: { params: SlugParams, body: jsonBody(UpdateVendorSchema) },
      responses: { 200: jsonResponse(VendorSchema, "The updated vendor.") },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      const body = c.req.valid("json");
      const db = getDb(c.env.DB);
      const builtin = findBuiltin(c.env, slug);
      const changes = {
        ...(body.base_url !== undefined ? { baseUrl: body.base_url } : {}),
        ...(body.api_key !== undefined
          ? {
              apiKeyEncrypted: await storedKey(c.env.ENCRYPTION_KEY, slug, body.api_key),
              // A new primary key has not been refused.
              apiKeyDisabledUntil: null,
            }
          : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        updatedAt: new Date(),
      };
      let row: VendorRow | undefined;
      if (builtin) {
        // Upsert, so two first overrides racing each other both land instead of one failing.
        [row] = await db
          .insert(vendors)
          .values({ slug, kind: builtin.kind, ...changes, createdAt: changes.updatedAt })
          .onConflictDoUpdate({ target: vendors.slug, set: changes })
          .returning();
      } else {
        if (body.base_url === null && (await findVendorRow(db, slug))?.kind === "openai-compatible")
          throw needsBaseUrl();
        [row] = await db.update(vendors).set(changes).where(eq(vendors.slug, slug)).returning();
        if (!row) throw notFound("vendor", "slug");
      }
      return c.json(toVendor(mergeVendor(builtin, row, await keysOfVendors(db, [slug])) as Vendor), 200);
    },
  )
  .openapi(
    route({
      method: "delete",
      path: "/v1/vendors/{slug}",
      summary: "Delete an admin-added vendor no model config uses (admin)",
      admin: true,
      errors: [404, 409],
      request: { params: SlugParams },
      responses: { 204: { description: DOCS && "Deleted." } },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      if (findBuiltin(c.env, slug)) {
        throw conflict(
          "builtin_vendor",
          `\`${slug}\` is built in and cannot be deleted; disable it with PATCH {"enabled": false}.`,
          "slug",
        );
      }
      await deleteUnusedVendor(getDb(c.env.DB), slug);
      return c.body(null, 204);
    },
  );
