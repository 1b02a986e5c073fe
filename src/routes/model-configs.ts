import { z } from "@hono/zod-openapi";
import { type Db, getDb } from "../db/client";
import { keysetPage } from "../db/cursor";
import { isUniqueViolation } from "../db/errors";
import {
  deleteModelConfig,
  findModelConfig,
  insertModelConfig,
  listModelConfigs,
  updateModelConfig,
} from "../db/queries/model-configs";
import type { OptionalConfig } from "../env";
import { conflict, invalidRequest, notFound } from "../errors/gateway-error";
import { resolveModel } from "../gateway/resolve-model";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import { jsonBody, jsonResponse, listOf, PaginationQuerySchema, pathParam } from "../openapi/schemas";
import { getVendor } from "../providers/vendor-directory";
import {
  CreateModelConfigSchema,
  DEFAULT_CAPABILITIES,
  ModelConfigSchema,
  type TargetInput,
  toModelConfig,
  UpdateModelConfigSchema,
} from "./model-config-schemas";

const vendorNotFound = () => notFound("vendor", "vendor");
const configNotFound = () => notFound("model config", "alias");

/** The plain shape's `vendor` exists, else a 404 naming it (as before targets existed). */
async function requireVendor(env: OptionalConfig, db: Db, slug: string): Promise<void> {
  if (!(await getVendor(env, db, slug))) throw vendorNotFound();
}

/**
 * The targets' vendors exist and no deployment is listed twice; returns the slugs of their D1
 * rows, which the write re-checks (built-ins have none).
 */
async function checkTargets(env: OptionalConfig, db: Db, list: TargetInput[]): Promise<string[]> {
  const seen = new Set<string>();
  const rows = new Set<string>();
  for (const [i, t] of list.entries()) {
    const id = `${t.vendor}/${t.upstream_model}`;
    if (seen.has(id)) throw invalidRequest("duplicate_target", `\`${id}\` is listed twice.`, `targets.${i}`);
    seen.add(id);
    const vendor = await getVendor(env, db, t.vendor);
    if (!vendor) throw invalidRequest("unknown_vendor", `No vendor \`${t.vendor}\`.`, `targets.${i}.vendor`);
    if (!vendor.builtin) rows.add(vendor.slug);
  }
  return [...rows];
}

/** What a write stores for its targets: the primary in `vendor`/`upstream_model`, all in `targets`. */
function storedTargets(list: TargetInput[]) {
  const [primary] = list as [TargetInput, ...TargetInput[]];
  return {
    vendor: primary.vendor,
    upstreamModel: primary.upstream_model,
    // One deployment at weight 1 is the plain shape: stored as such, it reads back the same.
    targets: list.length === 1 && primary.weight === 1 ? [] : list,
  };
}

/**
 * Each fallback must resolve now. Cycles between aliases (a → b → a) are allowed: the fallback
 * runner stops at models it has already tried. A fallback deleted later just stops resolving.
 */
async function checkFallbacks(env: OptionalConfig, db: Db, self: string, fallbacks: string[]) {
  const seen = new Set<string>();
  for (const [i, f] of fallbacks.entries()) {
    const param = `fallbacks.${i}`;
    if (f === self)
      throw invalidRequest("invalid_fallback", "A model config cannot fall back to itself.", param);
    if (seen.has(f)) throw invalidRequest("invalid_fallback", `\`${f}\` is listed twice.`, param);
    seen.add(f);
  }
  for (const [i, f] of fallbacks.entries()) await resolveModel(env, db, f, `fallbacks.${i}`);
}

const AliasParams = z.object({ alias: pathParam("alias", "fast") });
// Writes here change model configs, which auth reads with the key (and may cache: AUTH_CACHE_SECONDS).
const route = routes({ tags: ["Model configs"], writes: { invalidatesAuthCache: true } });

export const modelConfigRoutes = createRouter()
  .openapi(
    route({
      method: "post",
      path: "/v1/model-configs",
      summary: "Create a model alias (admin)",
      admin: true,
      errors: [404, 409],
      request: { body: jsonBody(CreateModelConfigSchema) },
      responses: { 201: jsonResponse(ModelConfigSchema, "The new model config.") },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const db = getDb(c.env.DB);
      let list = body.targets;
      if (!list) {
        // The schema's refinement guarantees both when `targets` is absent.
        const single = { vendor: body.vendor as string, upstream_model: body.upstream_model as string };
        await requireVendor(c.env, db, single.vendor);
        list = [{ ...single, weight: 1 }];
      }
      const vendorRows = await checkTargets(c.env, db, list);
      const fallbacks = body.fallbacks ?? [];
      await checkFallbacks(c.env, db, body.alias, fallbacks);
      const now = new Date();
      try {
        const row = await insertModelConfig(
          db,
          {
            alias: body.alias,
            ...storedTargets(list),
            capabilities: { ...DEFAULT_CAPABILITIES, ...body.capabilities },
            contextWindow: body.context_window ?? null,
            maxOutputTokens: body.max_output_tokens ?? null,
            pricing: body.pricing ?? null,
            defaults: body.defaults ?? {},
            fallbacks,
            cacheTtlSeconds: body.cache_ttl_seconds ?? null,
            createdAt: now,
            updatedAt: now,
          },
          vendorRows,
        );
        if (!row) throw vendorNotFound(); // deleted since the check above
        return c.json(toModelConfig(row), 201);
      } catch (e) {
        if (isUniqueViolation(e))
          throw conflict("model_config_exists", `A model config \`${body.alias}\` already exists.`, "alias");
        throw e;
      }
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/model-configs",
      summary: "List model configs by alias (admin)",
      admin: true,
      request: { query: PaginationQuerySchema },
      responses: {
        200: jsonResponse(listOf(ModelConfigSchema, "ModelConfigList"), "A page of model configs."),
      },
    }),
    async (c) => {
      const db = getDb(c.env.DB);
      const read = (limit: number, after?: string) => listModelConfigs(db, limit, after);
      return c.json(await keysetPage(c.req.valid("query"), read, (m) => m.alias, toModelConfig), 200);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/model-configs/{alias}",
      summary: "Get a model config (admin)",
      admin: true,
      errors: [404],
      request: { params: AliasParams },
      responses: { 200: jsonResponse(ModelConfigSchema, "The model config.") },
    }),
    async (c) => {
      const row = await findModelConfig(getDb(c.env.DB), c.req.valid("param").alias);
      if (!row) throw configNotFound();
      return c.json(toModelConfig(row), 200);
    },
  )
  .openapi(
    route({
      method: "patch",
      path: "/v1/model-configs/{alias}",
      summary: "Update a model config; the alias cannot change (admin)",
      admin: true,
      errors: [404],
      request: { params: AliasParams, body: jsonBody(UpdateModelConfigSchema) },
      responses: { 200: jsonResponse(ModelConfigSchema, "The updated model config.") },
    }),
    async (c) => {
      const { alias } = c.req.valid("param");
      const body = c.req.valid("json");
      const db = getDb(c.env.DB);
      const existing = await findModelConfig(db, alias);
      if (!existing) throw configNotFound();
      let list = body.targets;
      if (!list && (body.vendor !== undefined || body.upstream_model !== undefined)) {
        if (body.vendor !== undefined) await requireVendor(c.env, db, body.vendor);
        const vendor = body.vendor ?? existing.vendor;
        list = [{ vendor, upstream_model: body.upstream_model ?? existing.upstreamModel, weight: 1 }];
      }
      const vendorRows = list ? await checkTargets(c.env, db, list) : [];
      if (body.fallbacks) await checkFallbacks(c.env, db, alias, body.fallbacks);
      const { capabilities, ...rest } = body;
      const row = await updateModelConfig(
        db,
        alias,
        {
          ...(list ? storedTargets(list) : {}),
          contextWindow: rest.context_window,
          maxOutputTokens: rest.max_output_tokens,
          pricing: rest.pricing,
          defaults: rest.defaults,
          fallbacks: rest.fallbacks,
          cacheTtlSeconds: rest.cache_ttl_seconds,
          updatedAt: new Date(),
        },
        capabilities,
        vendorRows,
      );
      if (!row) throw (await findModelConfig(db, alias)) ? vendorNotFound() : configNotFound();
      return c.json(toModelConfig(row), 200);
    },
  )
  .openapi(
    route({
      method: "delete",
      path: "/v1/model-configs/{alias}",
      summary: "Delete a model config no other config falls back to (admin)",
      admin: true,
      errors: [404, 409],
      request: { params: AliasParams },
      responses: { 204: { description: DOCS && "Deleted." } },
    }),
    async (c) => {
      const { alias } = c.req.valid("param");
      const result = await deleteModelConfig(getDb(c.env.DB), alias);
      if (result === "missing") throw configNotFound();
      if (result !== "deleted") {
        const named = result.length > 0 ? result.map((a) => `\`${a}\``).join(", ") : "Other model configs";
        throw conflict(
          "model_config_in_use",
          `${named} fall back to this one; remove it from their fallbacks first.`,
          "alias",
        );
      }
      return c.body(null, 204);
    },
  );
