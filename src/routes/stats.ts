import { z } from "@hono/zod-openapi";
import { getDb } from "../db/client";
import { countByTargetAndKey, countByVendor, latestTimings } from "../db/queries/usage";
import { SAMPLE_LIMIT, targetStats, vendorStats } from "../gateway/vendor-stats";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import { iso, jsonResponse, Timestamp } from "../openapi/schemas";

const StatsQuerySchema = z.object({
  window_minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(15)
    .openapi({
      param: { name: "window_minutes", in: "query" },
      example: 15,
      description: DOCS && "How far back, 1 to 1440 minutes.",
    }),
});

const ms = (description: string) => z.number().int().nullable().openapi({ example: 640, description });

const VendorStatsSchema = z
  .object({
    vendor: z
      .string()
      .nullable()
      .openapi({
        example: "openai",
        description: DOCS && "Null for calls that failed before a vendor was chosen (e.g. an unknown model).",
      }),
    requests: z.number().int().openapi({ example: 120 }),
    errors: z
      .number()
      .int()
      .openapi({ example: 3, description: DOCS && "Calls answered with status 400 or above." }),
    error_rate: z
      .number()
      .openapi({ example: 0.025, description: DOCS && "errors / requests, to four decimals." }),
    cache_hits: z.number().int().openapi({ example: 14 }),
    latency_samples: z
      .number()
      .int()
      .openapi({
        example: 106,
        description:
          DOCS &&
          `Calls the percentiles are computed over: the vendor's newest, cache hits excluded, at most ${SAMPLE_LIMIT}.`,
      }),
    latency_p50_ms: ms("Median time to the complete answer."),
    latency_p90_ms: ms("90th percentile (nearest rank)."),
    latency_p99_ms: ms("99th percentile (nearest rank)."),
    ttft_p50_ms: ms("Streams: median time to the first byte sent."),
  })
  .openapi("VendorStats");

const count = (example: number) => z.number().int().openapi({ example });
const TargetStatsSchema = z
  .object({
    vendor: z.string().openapi({ example: "openai-eu" }),
    upstream_model: z.string().openapi({ example: "gpt-4o-mini" }),
    requests: count(90),
    errors: count(2),
    keys: z
      .array(
        z.object({
          id: z
            .string()
            .nullable()
            .openapi({
              example: "vk_01JDQ3Z9X8K2M4N6P8R0T2V4W6",
              description: DOCS && "The vendor key's id (GET /v1/vendors/{slug}); null when no key was used.",
            }),
          requests: count(60),
          errors: count(1),
        }),
      )
      .openapi({ description: DOCS && "The target's calls by the vendor key that made them." }),
  })
  .openapi("TargetStats");

const StatsSchema = z
  .object({
    window_minutes: z.number().int(),
    from: Timestamp,
    to: Timestamp,
    data: z.array(VendorStatsSchema),
    targets: z.array(TargetStatsSchema).openapi({
      description:
        DOCS &&
        "Calls that reached a vendor, per deployment (vendor and model) and key: how routing " +
          "spread them. Which keys are skipped right now: GET /v1/vendors/{slug}.",
    }),
  })
  .openapi("Stats");

const route = routes({ tags: ["Usage"] });

export const statsRoutes = createRouter().openapi(
  route({
    method: "get",
    path: "/v1/admin/stats",
    summary: "Per-vendor traffic, errors and latency over the last minutes (admin)",
    description:
      DOCS &&
      "Counts cover every call in the window. Latency percentiles cover each vendor's newest calls " +
        `(at most ${SAMPLE_LIMIT}, cache hits excluded), so the query stays bounded however busy the window was.`,
    admin: true,
    request: { query: StatsQuerySchema },
    responses: { 200: jsonResponse(StatsSchema, "Stats per vendor.") },
  }),
  async (c) => {
    const { window_minutes } = c.req.valid("query");
    const to = new Date();
    const from = new Date(to.getTime() - window_minutes * 60_000);
    const db = getDb(c.env.DB);
    const counts = await countByVendor(db, from);
    const timings = await latestTimings(
      db,
      counts.map((v) => v.vendor),
      from,
      SAMPLE_LIMIT,
    );
    const byTarget = await countByTargetAndKey(db, from);
    return c.json(
      {
        window_minutes,
        from: iso(from),
        to: iso(to),
        data: counts.map((v, i) => vendorStats(v, timings[i] ?? [])),
        targets: targetStats(byTarget),
      },
      200,
    );
  },
);
