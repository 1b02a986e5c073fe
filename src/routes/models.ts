import { z } from "@hono/zod-openapi";
import { getDb } from "../db/client";
import { allModelConfigs } from "../db/queries/model-configs";
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
    id: z.string().openapi({ example: "openai/gpt-4o-mini", description: "A `model` value to send." }),
    object: z.literal("model"),
    created: z.number().int().openapi({
      example: 1764151200,
      description: "Unix seconds: when the alias or vendor override was created; 0 for built-in models.",
    }),
    owned_by: z.string().openapi({ example: "openai", description: "The vendor slug." }),
  })
  .openapi("Model");

const ModelListSchema = z
  .object({ object: z.literal("list"), data: z.array(ModelSchema) })
  .openapi("ModelList");

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
    summary: "List the models the caller can use: aliases first, then each usable vendor's known models",
    responses: { 200: jsonResponse(ModelListSchema, "Every usable model.") },
  }),
  async (c) => {
    const db = getDb(c.env.DB);
    const [vendors, configs] = await Promise.all([allVendors(c.env, db), allModelConfigs(db)]);
    const usable = new Map(vendors.filter(isUsable).map((v) => [v.slug, v]));
    const aliases = configs
      .filter((m) => usable.has(m.vendor))
      .map((m) => ({
        id: m.alias,
        object: "model" as const,
        created: unixSeconds(m.createdAt),
        owned_by: m.vendor,
      }));
    // A catalogue of well-known names per kind; any other `vendor/model` still works when sent.
    const known = [...usable.values()].flatMap((v) =>
      KNOWN_MODELS[v.kind].map((name) => ({
        id: `${v.slug}/${name}`,
        object: "model" as const,
        created: unixSeconds(v.createdAt),
        owned_by: v.slug,
      })),
    );
    return c.json({ object: "list" as const, data: [...aliases, ...known] }, 200);
  },
);
