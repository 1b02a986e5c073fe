import { EmbeddingRequestSchema, EmbeddingsResponseSchema } from "../chat/openai-embedding-schema";
import { embeddingsPlan } from "../gateway/pipeline/plans/embeddings";
import { runCall } from "../gateway/pipeline/run-call";
import { routes } from "../openapi/route";
import { MODEL_BODY_LIMIT } from "../openapi/route-needs";
import { createRouter } from "../openapi/router";
import { jsonBody } from "../openapi/schemas";

const route = routes({ tags: ["Embeddings"] });

export const embeddingRoutes = createRouter().openapi(
  route({
    method: "post",
    path: "/v1/embeddings",
    summary: "OpenAI embeddings API: vectors for texts, for any vendor or alias that embeds",
    description:
      DOCS &&
      "Drop-in for OpenAI's `embeddings.create`: point an OpenAI SDK's `baseURL` at `/v1`. `model` is `vendor/model` " +
        "(`openai`, `openai-compatible`, `gemini`, `mock/embed`) or an alias whose capabilities include `embeddings`; " +
        "Anthropic has no embeddings (400). `encoding_format: base64`, the SDKs' default, answers little-endian float32 " +
        "bytes for every vendor. Gemini counts no tokens: `usage` is then estimated, and so marked in usage records.\n\n" +
        "**Cache, per item.** With a cache TTL (`x-cache-ttl`, the model config's `cache_ttl_seconds` or the " +
        "gateway's default; `Cache-Control: no-cache` / `no-store` as for chat), each item's vector is cached under the " +
        "caller, the model, `dimensions`, `input_type` and the item itself. Only the items not cached go to the vendor, " +
        "each distinct one once. `x-cache` is `HIT` when every item was cached (no vendor call, recorded at no cost), " +
        "`PARTIAL` when some were (their tokens are counted in `usage` but cost nothing), `MISS` when none were, " +
        "`BYPASS` when the cache was not read. Optional header `x-timeout-ms` bounds the wait for the vendor.",
    needs: { bodyLimit: MODEL_BODY_LIMIT, prefetch: "model" },
    errors: [403, 404, 502, 503, 504],
    request: { body: jsonBody(EmbeddingRequestSchema) },
    responses: {
      200: {
        description: DOCS && "One vector per input item, in input order.",
        content: { "application/json": { schema: EmbeddingsResponseSchema } },
      },
    },
  }),
  // The pipeline writes the body (an EmbeddingsResponse, typed in the plan) rather than c.json.
  (c) => runCall(c, "embeddings", embeddingsPlan(c.req.valid("json"))) as never,
);
