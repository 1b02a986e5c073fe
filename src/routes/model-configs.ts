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
import type { ModelConfigRow } from "../db/schema";
import type { OptionalConfig } from "../env";
import { conflict, invalidRequest, notFound } from "../errors/gateway-error";
import { resolveModel } from "../gateway/resolve-model";
import { configTargets } from "../gateway/routing/targets";
import { boundedJson, STORED_JSON_LIMITS } from "../openapi/json";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import {
  iso,
  jsonBody,
  jsonResponse,
  listOf,
  PaginationQuerySchema,
  pathParam,
  Timestamp,
} from "../openapi/schemas";
import { identifier } from "../openapi/strings";
import { getVendor } from "../providers/vendor-directory";

const CapabilitiesSchema = z
  .object({
    vision: z.boolean().openapi({ description: "Accepts image inputs." }),
    tools: z.boolean(),
    image_generation: z.boolean(),
    streaming: z.boolean(),
    embeddings: z.boolean().openapi({ description: "Makes embeddings (`POST /v1/embeddings`)." }),
  })
  .openapi("ModelCapabilities");
const DEFAULT_CAPABILITIES = {
  vision: false,
  tools: true,
  image_generation: false,
  streaming: true,
  embeddings: false,
};

const usdPerMtok = (example: number, what: string) =>
  z
    .number()
    .min(0)
    .openapi({ example, description: `USD per million ${what} tokens.` });
const PricingSchema = z
  .object({
    input_per_mtok: usdPerMtok(0.15, "input"),
    // Embedding models are priced by input alone.
    output_per_mtok: usdPerMtok(0.6, "output").default(0),
  })
  .strict()
  .openapi("ModelPricing");

// A caller's request would be rerouted or rewritten by these, so they are not sampling defaults.
const NOT_DEFAULTS = ["model", "messages", "stream"];

const DefaultsSchema = z
  .looseObject({
    temperature: z.number().min(0).max(2).optional().openapi({ example: 0.2 }),
    top_p: z.number().min(0).max(1).optional(),
    max_tokens: z.int().positive().optional().openapi({ example: 1024 }),
  })
  // Stored as a JSON column and read on every call through the alias.
  .superRefine(boundedJson())
  .superRefine((d, ctx) => {
    for (const key of NOT_DEFAULTS) {
      if (key in d) ctx.addIssue({ code: "custom", path: [key], message: `\`${key}\` cannot be a default` });
    }
  })
  .openapi("ModelDefaults", {
    description:
      "Request parameters applied when the caller omits them; other keys pass through. " +
      `At most ${STORED_JSON_LIMITS.maxDepth} levels deep and ${STORED_JSON_LIMITS.maxBytes / 1024} KiB as JSON.`,
  });

/** Bounds of a config's targets (MAX_TARGETS deployments, weights 1 to MAX_WEIGHT). */
const MAX_TARGETS = 16;
const MAX_WEIGHT = 1000;

const TargetOutSchema = z
  .object({
    vendor: z.string().openapi({ example: "openai-eu" }),
    upstream_model: z.string().openapi({ example: "gpt-4o-mini" }),
    weight: z.int().openapi({ example: 3 }),
  })
  .openapi("ModelTarget");

export const ModelConfigSchema = z
  .object({
    alias: z.string().openapi({ example: "fast" }),
    vendor: z.string().openapi({ example: "openai", description: "The primary target's vendor." }),
    upstream_model: z
      .string()
      .openapi({ example: "gpt-4o-mini", description: "The primary target's model." }),
    targets: z.array(TargetOutSchema).openapi({
      description:
        "Every deployment calls are spread over by weight, the primary first; a config with one " +
        "deployment lists it here at weight 1.",
    }),
    capabilities: CapabilitiesSchema,
    context_window: z.int().nullable().openapi({ example: 128000 }),
    max_output_tokens: z.int().nullable().openapi({ example: 16384 }),
    pricing: PricingSchema.nullable(),
    defaults: z.record(z.string(), z.unknown()).openapi({ example: { temperature: 0.2 } }),
    fallbacks: z.array(z.string()).openapi({ example: ["anthropic/claude-haiku-4-5"] }),
    cache_ttl_seconds: z.int().nullable().openapi({ example: 3600 }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("ModelConfig");

const positiveOrNull = z.int().positive().nullable();
// Model strings are `vendor/model`, so an alias never holds a "/".
const alias = identifier()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' and '-', at most 64")
  .openapi({ example: "fast" });
const target = {
  vendor: identifier().min(1).max(64).openapi({ example: "openai" }),
  upstream_model: identifier().trim().min(1).max(256).openapi({ example: "gpt-4o-mini" }),
};
const TargetSchema = z
  .object({
    ...target,
    weight: z
      .int()
      .min(1)
      .max(MAX_WEIGHT)
      .default(1)
      .openapi({ example: 3, description: `Share of calls, 1 to ${MAX_WEIGHT} (default 1).` }),
  })
  .strict()
  .openapi("ModelTargetInput");
const targets = z
  .array(TargetSchema)
  .min(1)
  .max(MAX_TARGETS)
  .openapi({
    description:
      `1 to ${MAX_TARGETS} deployments of the model (e.g. two OpenAI organisations, or OpenAI and a ` +
      "compatible host). Each call picks one by weight among those whose circuit is closed, the " +
      "same one for calls of one session; when it fails, its siblings are tried before `fallbacks`. " +
      "Instead of `vendor` and `upstream_model`, not with them.",
  });
const settings = z.object({
  capabilities: CapabilitiesSchema.partial().strict(),
  context_window: positiveOrNull,
  max_output_tokens: positiveOrNull,
  pricing: PricingSchema.nullable(),
  defaults: DefaultsSchema,
  fallbacks: z
    .array(identifier().min(1).max(320))
    .max(5)
    .openapi({ description: "Tried in order when the model fails: aliases or `vendor/model`." }),
  // KV refuses TTLs under 60 seconds; 0 means never cache, null the gateway's default.
  cache_ttl_seconds: z
    .int()
    .min(0)
    .max(31_536_000)
    .refine((s) => s === 0 || s >= 60, "must be 0 (no caching) or at least 60")
    .nullable(),
});

/** `targets` with `vendor` or `upstream_model` beside it: which one is meant cannot be told. */
const conflictingTargets = (ctx: z.RefinementCtx) =>
  ctx.addIssue({
    code: "custom",
    path: ["targets"],
    message: "give either `targets` or `vendor` and `upstream_model`, not both",
  });

const CreateModelConfigSchema = z
  .object({
    alias,
    vendor: target.vendor.optional(),
    upstream_model: target.upstream_model.optional(),
    targets: targets.optional(),
    ...settings.partial().shape,
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.targets) {
      if (body.vendor !== undefined || body.upstream_model !== undefined) conflictingTargets(ctx);
      return;
    }
    for (const key of ["vendor", "upstream_model"] as const) {
      if (body[key] === undefined)
        ctx.addIssue({ code: "custom", path: [key], message: "required (or `targets`)" });
    }
  })
  .openapi("CreateModelConfig", {
    description: "One deployment (`vendor` and `upstream_model`) or several (`targets`).",
  });
const UpdateModelConfigSchema = z
  .object({ ...target, targets, ...settings.shape })
  .partial()
  .strict()
  .superRefine((body, ctx) => {
    if (body.targets && (body.vendor !== undefined || body.upstream_model !== undefined))
      conflictingTargets(ctx);
  })
  .openapi("UpdateModelConfig", {
    description:
      "`capabilities` is merged field by field; `defaults`, `pricing`, `fallbacks` and `targets` are " +
      "replaced. `vendor` or `upstream_model` makes the config one deployment again (its `targets` cleared).",
  });

export const toModelConfig = (m: ModelConfigRow) => ({
  alias: m.alias,
  vendor: m.vendor,
  upstream_model: m.upstreamModel,
  targets: configTargets(m),
  // Configs stored before a capability existed lack it: they show its default.
  capabilities: { ...DEFAULT_CAPABILITIES, ...m.capabilities },
  context_window: m.contextWindow,
  max_output_tokens: m.maxOutputTokens,
  pricing: m.pricing,
  defaults: m.defaults,
  fallbacks: m.fallbacks,
  cache_ttl_seconds: m.cacheTtlSeconds,
  created_at: iso(m.createdAt),
  updated_at: iso(m.updatedAt),
});

const vendorNotFound = () => notFound("vendor", "vendor");
const configNotFound = () => notFound("model config", "alias");

/** The plain shape's `vendor` exists, else a 404 naming it (as before targets existed). */
async function requireVendor(env: OptionalConfig, db: Db, slug: string): Promise<void> {
  if (!(await getVendor(env, db, slug))) throw vendorNotFound();
}

type TargetInput = z.infer<typeof TargetSchema>;

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
      responses: { 204: { description: "Deleted." } },
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
