import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { MAX_TAG_VALUE_LENGTH, MAX_TAGS, TAG_NAME } from "../auth/key-scope";
import { getDb } from "../db/client";
import { USAGE_GROUP_BYS } from "../db/queries/usage";
import type { AppEnv } from "../env";
import { MAX_SESSION_ID_LENGTH, SESSION_HEADER } from "../gateway/session-id";
import {
  DEFAULT_RANGE_DAYS,
  MAX_RANGE_DAYS,
  readUsage,
  usageRange,
  usageReport,
} from "../gateway/usage-report";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import { iso, jsonResponse, Timestamp } from "../openapi/schemas";
import { identifier } from "../openapi/strings";

const route = routes({ tags: ["Usage"] });

const instant = (name: string, description: string) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], {
      error: "must be an ISO-8601 date-time (2026-11-01T00:00:00Z) or date (2026-11-01)",
    })
    .optional()
    .openapi({ param: { name, in: "query" }, example: "2026-11-01T00:00:00Z", description });

/** `name:value`: calls whose key carried that tag; repeated, every one must match. */
const tagFilter = z
  .string()
  .max(MAX_TAG_VALUE_LENGTH + 41)
  .refine((t) => {
    const at = t.indexOf(":");
    return at > 0 && TAG_NAME.test(t.slice(0, at));
  }, "must be `<name>:<value>` with a tag name of `[a-z0-9_.-]{1,40}`");
const tagsField = z
  .union([tagFilter, z.array(tagFilter).max(MAX_TAGS)])
  .optional()
  .openapi({
    param: { name: "tag", in: "query" },
    example: "team:search",
    description:
      DOCS &&
      "Only calls whose key carried this metadata tag at call time, as `<name>:<value>`; repeat it to require several (all must match).",
  });

const tagsOf = (q: string | string[] | undefined) =>
  (q === undefined ? [] : Array.isArray(q) ? q : [q]).map((t) => {
    const at = t.indexOf(":");
    return { name: t.slice(0, at), value: t.slice(at + 1) };
  });

const queryFields = {
  from: instant(
    "from",
    `Start (inclusive), ISO-8601 date-time or date (UTC). Default: ${DEFAULT_RANGE_DAYS} days before \`to\`.`,
  ),
  to: instant("to", `End (exclusive). Default: now. The range may span at most ${MAX_RANGE_DAYS} days.`),
  model: identifier()
    .min(1)
    .max(200)
    .optional()
    .openapi({
      param: { name: "model", in: "query" },
      example: "openai/gpt-4o-mini",
      description: DOCS && "Only calls of this model: `vendor/upstream-model`, or a model-config alias.",
    }),
  vendor: identifier()
    .min(1)
    .max(100)
    .optional()
    .openapi({
      param: { name: "vendor", in: "query" },
      example: "openai",
      description: DOCS && "Only this vendor's calls.",
    }),
  session_id: identifier()
    .min(1)
    .max(MAX_SESSION_ID_LENGTH)
    .optional()
    .openapi({
      param: { name: "session_id", in: "query" },
      example: "5d8e1f0a-3b7c-4e2a-9f61-0c4b2d7e8a19",
      description:
        DOCS && `Only the calls of this client session (the \`${SESSION_HEADER}\` request header).`,
    }),
  tag: tagsField,
};

type FixedGroupBy = (typeof USAGE_GROUP_BYS)[number];
const TAG_GROUP = new RegExp(`^tag:${TAG_NAME.source.slice(1, -1)}$`);

const groupBy = <T extends [FixedGroupBy, ...FixedGroupBy[]]>(values: T) =>
  z
    .union([
      z.enum(values),
      z
        .string()
        .regex(TAG_GROUP, "must be one of the groupings listed, or `tag:<name>` (`[a-z0-9_.-]{1,40}`)")
        .transform((v) => v as `tag:${string}`),
    ])
    .default("day")
    .openapi({
      param: { name: "group_by", in: "query" },
      example: "day",
      description:
        DOCS &&
        "`day` (UTC, `YYYY-MM-DD`), `hour` (UTC, the hour's start: `YYYY-MM-DDTHH:00:00Z`; only within " +
          "USAGE_RETENTION_DAYS, as older usage is kept per day: 400 `hourly_usage_rolled_up`), `model` (`vendor/upstream-model`), `vendor`, `key` (API key id), " +
          "`alias` (model config; null for calls that named `vendor/model`), " +
          `\`session\` (the client's \`${SESSION_HEADER}\`; null for calls without one)` +
          (values.includes("user") ? ", `user` (user id)" : "") +
          ", or `tag:<name>`: the value of that metadata tag of the calling key at call time (null for keys without it).",
    });

const UsageQuerySchema = z.object({
  ...queryFields,
  group_by: groupBy(["day", "hour", "model", "vendor", "key", "alias", "session"]),
});
const AdminUsageQuerySchema = z.object({
  ...queryFields,
  group_by: groupBy([...USAGE_GROUP_BYS]),
  user_id: identifier()
    .min(1)
    .max(128)
    .optional()
    .openapi({ param: { name: "user_id", in: "query" }, description: DOCS && "Only this user's calls." }),
});

const figures = {
  requests: z.number().int().openapi({ example: 42 }),
  errors: z
    .number()
    .int()
    .openapi({ example: 1, description: DOCS && "Calls answered with status 400 or above." }),
  cache_hits: z.number().int().openapi({ example: 3 }),
  input_tokens: z.number().int().openapi({ example: 12000 }),
  output_tokens: z.number().int().openapi({ example: 3400 }),
  cached_tokens: z
    .number()
    .int()
    .openapi({ example: 2048, description: DOCS && "Input tokens read from the vendor's prompt cache." }),
  cost_usd: z.number().openapi({
    example: 0.00384,
    description: DOCS && "From the model config's pricing, else the built-in list price; cache hits cost 0.",
  }),
  avg_latency_ms: z.number().int().nullable().openapi({ example: 812 }),
};

const UsageFiguresSchema = z.object(figures).openapi("UsageTotals");
const UsageReportSchema = z
  .object({
    from: Timestamp,
    to: Timestamp,
    group_by: z
      .string()
      .openapi({ example: "day", description: DOCS && "The grouping asked for (`group_by`)." }),
    data: z.array(
      z
        .object({
          key: z
            .string()
            .nullable()
            .openapi({
              example: "2026-11-26",
              description:
                DOCS &&
                "The group: a day, hour, model, vendor, key id, alias, session, user id or tag value; null where none applies.",
            }),
          ...figures,
        })
        .openapi("UsageGroup"),
    ),
    totals: UsageFiguresSchema,
  })
  .openapi("UsageReport");

type UsageQuery = z.infer<typeof AdminUsageQuerySchema>;

/** One report; `userId` undefined for every user's calls. */
async function report(c: Context<AppEnv>, query: UsageQuery, userId: string | undefined) {
  const { from, to } = usageRange(query, Date.now());
  const groups = await readUsage(
    getDb(c.env.DB),
    {
      from,
      to,
      userId,
      model: query.model,
      vendor: query.vendor,
      sessionId: query.session_id,
      tags: tagsOf(query.tag),
    },
    query.group_by,
  );
  return { from: iso(from), to: iso(to), group_by: query.group_by, ...usageReport(groups) };
}

export const usageRoutes = createRouter()
  .openapi(
    route({
      method: "get",
      path: "/v1/usage",
      summary: "The caller's usage and cost, grouped",
      description:
        DOCS &&
        "Calls, errors, tokens, cost and latency of the calling user's keys over a range, grouped by day, model, " +
          "vendor, key, alias, client session or a key metadata tag (`group_by=tag:<name>`), filtered by tags with `tag=<name>:<value>`. With ADMIN_API_KEY (which has no user), every user's calls, as `/v1/admin/usage`.",
      request: { query: UsageQuerySchema },
      responses: { 200: jsonResponse(UsageReportSchema, "The usage report.") },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await report(c, c.req.valid("query"), p.kind === "user" ? p.user.id : undefined), 200);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/admin/usage",
      summary: "Every user's usage and cost, grouped (admin)",
      description:
        DOCS &&
        "As `/v1/usage`, over every user's calls (or one user's with `user_id`), and groupable by `user`.",
      admin: true,
      request: { query: AdminUsageQuerySchema },
      responses: { 200: jsonResponse(UsageReportSchema, "The usage report.") },
    }),
    async (c) => {
      const query = c.req.valid("query");
      return c.json(await report(c, query, query.user_id), 200);
    },
  );
