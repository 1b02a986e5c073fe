import { z } from "@hono/zod-openapi";
import type { ModelConfigRow } from "../db/schema";
import { configTargets } from "../gateway/routing/targets";
import { boundedJson, STORED_JSON_LIMITS } from "../openapi/json";
import { iso, Timestamp } from "../openapi/schemas";
import { identifier } from "../openapi/strings";

/** The model-config API's bodies and answer (routes: model-configs.ts). */

const CapabilitiesSchema = z
  .object({
    vision: z.boolean().openapi({ description: DOCS && "Accepts image inputs." }),
    tools: z.boolean(),
    image_generation: z.boolean(),
    streaming: z.boolean(),
    embeddings: z.boolean().openapi({ description: DOCS && "Makes embeddings (`POST /v1/embeddings`)." }),
  })
  .openapi("ModelCapabilities");
export const DEFAULT_CAPABILITIES = {
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
    .openapi({ example, description: DOCS && `USD per million ${what} tokens.` });
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
      DOCS &&
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
    vendor: z.string().openapi({ example: "openai", description: DOCS && "The primary target's vendor." }),
    upstream_model: z
      .string()
      .openapi({ example: "gpt-4o-mini", description: DOCS && "The primary target's model." }),
    targets: z.array(TargetOutSchema).openapi({
      description:
        DOCS &&
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
      .openapi({ example: 3, description: DOCS && `Share of calls, 1 to ${MAX_WEIGHT} (default 1).` }),
  })
  .strict()
  .openapi("ModelTargetInput");
const targets = z
  .array(TargetSchema)
  .min(1)
  .max(MAX_TARGETS)
  .openapi({
    description:
      DOCS &&
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
    .openapi({ description: DOCS && "Tried in order when the model fails: aliases or `vendor/model`." }),
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

export const CreateModelConfigSchema = z
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
    description: DOCS && "One deployment (`vendor` and `upstream_model`) or several (`targets`).",
  });
export const UpdateModelConfigSchema = z
  .object({ ...target, targets, ...settings.shape })
  .partial()
  .strict()
  .superRefine((body, ctx) => {
    if (body.targets && (body.vendor !== undefined || body.upstream_model !== undefined))
      conflictingTargets(ctx);
  })
  .openapi("UpdateModelConfig", {
    description:
      DOCS &&
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

export type TargetInput = z.infer<typeof TargetSchema>;
