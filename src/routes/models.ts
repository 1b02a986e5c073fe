import { z } from "@hono/zod-openapi";
import { modelAllowed } from "../auth/key-scope";
import { scopeOfPrincipal } from "../auth/principal";
import { getDb } from "../db/client";
import { allModelConfigs } from "../db/queries/model-configs";
import { servedModels } from "../gateway/vendor-models";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import { jsonResponse } from "../openapi/schemas";
import { KNOWN_MODELS } from "../providers/known-models";
import { allVendors, hasApiKey, type Vendor } from "../providers/vendor-directory";

/**
 * OpenAI's model list, exactly (no `next_cursor`), so the official SDKs' `models.list()` parse it.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */
const ModelSchema = z
  .object({
    id: z
      .string()
      .openapi({ example: "openai/gpt-4o-mini", description: DOCS && "A `model` value to send." }),
    object: z.literal("model"),
    created: z
      .number()
      .int()
      .openapi({
        example: 1764151200,
        description:
          DOCS &&
          "Unix seconds: when the alias or vendor override was created (for an OpenAI-compatible host's model, when the host says it was); 0 for built-in models.",
      }),
    owned_by: z.string().openapi({ example: "openai", description: DOCS && "The vendor slug." }),
  })
  .openapi("Model");

const ModelListSchema = z
  .object({ object: z.literal("list"), data: z.array(ModelSchema) })
  .openapi("ModelList");

/**
 * Anthropic's model list, for clients that send `anthropic-version` (Claude Code asks for it with
 * `?limit=1000` at start-up).
 * @see https://docs.claude.com/en/api/models-list
 */
const AnthropicModelListSchema = z
  .object({
    data: z.array(
      z.object({
        type: z.literal("model"),
        id: z.string().openapi({ example: "anthropic/claude-sonnet-4-5" }),
        display_name: z.string().openapi({ example: "anthropic/claude-sonnet-4-5" }),
        created_at: z.string().openapi({ format: "date-time" }),
      }),
    ),
    has_more: z.boolean(),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
  })
  .openapi("AnthropicModelList");

const ModelsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .openapi({
      param: { name: "limit", in: "query" },
      description: DOCS && "Anthropic's list only: page size, 1 to 1000.",
    }),
  after_id: z
    .string()
    .max(256)
    .optional()
    .openapi({
      param: { name: "after_id", in: "query" },
      description: DOCS && "Anthropic's list only: the page after this id.",
    }),
});

/**
 * Whether a call through this vendor can succeed: enabled, and holding a key unless it needs none
 * (the offline mock, or an OpenAI-compatible host such as a local Ollama or vLLM).
 */
const isUsable = (v: Vendor) =>
  v.enabled && (hasApiKey(v) || v.kind === "mock" || v.kind === "openai-compatible");

const unixSeconds = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : 0);

const route = routes({ tags: ["Models"] });

export const modelRoutes = createRouter().openapi(
  route({
    method: "get",
    path: "/v1/models",
    summary: "List the models the caller can use: aliases first, then each usable vendor's models",
    description:
      DOCS &&
      "Aliases, then per vendor: for an `openai-compatible` vendor, what its host serves (its `GET {base_url}/models`, " +
        "asked with a 2 s timeout and kept 5 minutes; a host that cannot be reached or answers no list is left out for a " +
        "minute, never failing the list); for the other kinds, the gateway's catalogue of that kind's models. Any other " +
        "`vendor/model` still works when sent. " +
        "OpenAI's list shape; with an `anthropic-version` header, Anthropic's (`data`, `has_more`, `first_id`, `last_id`), " +
        "paged by `limit` and `after_id`. A key with a `models` scope sees only the entries it may call.",
    request: { query: ModelsQuery },
    responses: {
      200: jsonResponse(z.union([ModelListSchema, AnthropicModelListSchema]), "Every usable model."),
    },
  }),
  async (c) => {
    const db = getDb(c.env.DB);
    const [vendors, configs] = await Promise.all([allVendors(c.env, db), allModelConfigs(db)]);
    const usable = new Map(vendors.filter(isUsable).map((v) => [v.slug, v]));
    const served = await servedModels(
      c.env,
      [...usable.values()].filter((v) => v.kind === "openai-compatible"),
      c.var.requestId,
    );
    const aliases = configs
      .filter((m) => usable.has(m.vendor))
      .map((m) => ({
        id: m.alias,
        object: "model" as const,
        created: unixSeconds(m.createdAt),
        owned_by: m.vendor,
      }));
    // A compatible host's own list; for the other kinds, the catalogue of that kind's models
    // (a custom `anthropic` or `gemini` vendor serves what its kind does, and is not asked: their
    // own lists name models the gateway has no translation for, such as Gemini's AQA or Imagen).
    const known = [...usable.values()].flatMap((v) =>
      (v.kind === "openai-compatible"
        ? (served.get(v.slug) ?? [])
        : KNOWN_MODELS[v.kind].map((id) => ({ id, created: undefined }))
      ).map((m) => ({
        id: `${v.slug}/${m.id}`,
        object: "model" as const,
        created: m.created ?? unixSeconds(v.createdAt),
        owned_by: v.slug,
      })),
    );
    // A key with a models scope sees only what it may call (src/auth/key-scope.ts).
    const scope = scopeOfPrincipal(c.var.principal);
    const all = [...aliases, ...known].filter((m) => !scope || modelAllowed(scope.models, m.id));
    if (c.req.header("anthropic-version")) {
      const { limit, after_id } = c.req.valid("query");
      const from = after_id ? all.findIndex((m) => m.id === after_id) + 1 : 0;
      const page = all.slice(from, from + limit).map((m) => ({
        type: "model" as const,
        id: m.id,
        display_name: m.id,
        created_at: new Date(m.created * 1000).toISOString(),
      }));
      return c.json(
        {
          data: page,
          has_more: from + limit < all.length,
          first_id: page[0]?.id ?? null,
          last_id: page.at(-1)?.id ?? null,
        },
        200,
      );
    }
    return c.json({ object: "list" as const, data: all }, 200);
  },
);
