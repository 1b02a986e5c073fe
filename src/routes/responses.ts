import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getDb } from "../db/client";
import { deleteResponse, findResponse } from "../db/queries/responses";
import type { ResponseRow } from "../db/schema";
import {
  InputTokensRequestSchema,
  InputTokensResponseSchema,
  ResponsesRequestSchema,
} from "../dialects/openai-responses/schema";
import type { AppEnv } from "../env";
import { notFound } from "../errors/gateway-error";
import { responsesInputTokensPlan, responsesPlan } from "../gateway/pipeline/plans/openai-responses";
import { responsesCompactPlan } from "../gateway/pipeline/plans/openai-responses-compact";
import { runCall } from "../gateway/pipeline/run-call";
import { resolveModel } from "../gateway/resolve-model";
import { prepareVendor, startAttempt, timeoutFor } from "../gateway/upstream-call";
import { routes } from "../openapi/route";
import { MODEL_BODY_LIMIT } from "../openapi/route-needs";
import { createRouter } from "../openapi/router";
import { jsonBody, jsonResponse, pathParam } from "../openapi/schemas";

const RESPONSE_ID = "resp_68af4030592c81938ec0a5fbab4a3e9f";

/** A Response, for the document: the API's own object (`output` items, `usage`, the request echo). */
const ResponseObjectSchema = z
  .looseObject({
    id: z.string().openapi({ example: RESPONSE_ID }),
    object: z.literal("response"),
    created_at: z.number().int(),
    status: z.enum(["completed", "incomplete", "failed", "in_progress"]),
    model: z.string().openapi({ example: "anthropic/claude-sonnet-4-5" }),
    output: z.array(z.looseObject({ type: z.string(), id: z.string() })),
    usage: z
      .looseObject({
        input_tokens: z.number().int(),
        output_tokens: z.number().int(),
        total_tokens: z.number().int(),
      })
      .nullable(),
    previous_response_id: z.string().nullable(),
  })
  .openapi("Response");

const ResponseParams = z.object({ id: pathParam("id", RESPONSE_ID) });

const InputItemsQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: "limit", in: "query" }, example: 20 }),
  order: z
    .enum(["asc", "desc"])
    .default("desc")
    .openapi({
      param: { name: "order", in: "query" },
      description: DOCS && "`desc` (newest first) by default, as OpenAI.",
    }),
  after: z
    .string()
    .max(128)
    .optional()
    .openapi({
      param: { name: "after", in: "query" },
      description: DOCS && "An item id: the page after it.",
    }),
  include: z
    .union([z.string().max(128), z.array(z.string().max(128)).max(8)])
    .optional()
    .openapi({ param: { name: "include", in: "query" } }),
});

const InputItemListSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(z.looseObject({ id: z.string(), type: z.string() })),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  })
  .openapi("ResponseInputItemList");

const CompactedSchema = z
  .object({
    id: z.string().openapi({ example: RESPONSE_ID }),
    object: z.literal("response.compaction"),
    created_at: z.number().int(),
    output: z.array(z.looseObject({ type: z.string(), id: z.string() })).openapi({
      description:
        DOCS && "Every user message of the conversation as it was, then exactly one `compaction` item.",
    }),
    usage: z.looseObject({ input_tokens: z.number().int(), output_tokens: z.number().int() }),
  })
  .openapi("CompactedResponse");

const DeletedSchema = z
  .object({ id: z.string(), object: z.literal("response"), deleted: z.literal(true) })
  .openapi("ResponseDeleted");

const route = routes({ tags: ["Responses"] });
const call = { bodyLimit: MODEL_BODY_LIMIT, prefetch: "model" } as const;

/** The caller's own response, or a 404: another user's id is as missing as an unknown one. */
async function ownResponse(c: Context<AppEnv>, id: string): Promise<ResponseRow> {
  const p = c.get("principal");
  const row = await findResponse(getDb(c.env.DB), id, p.kind === "user" ? p.user.id : null);
  if (!row?.response) throw notFound("response", "id");
  return row;
}

/**
 * An `openai` vendor's response is deleted there too (it stores its own copy). Its failure (the
 * vendor already expired it, or is down) does not keep the caller's copy here.
 */
async function deleteAtVendor(c: Context<AppEnv>, row: ResponseRow): Promise<void> {
  try {
    const db = getDb(c.env.DB);
    const prepared = await prepareVendor(
      c.env,
      await resolveModel(c.env, db, `${row.vendor}/${row.upstreamModel}`),
    );
    const wire = prepared.provider.responsesWire;
    if (!wire) return;
    const attempt = startAttempt(prepared, { timeoutMs: timeoutFor(c.env, undefined) });
    try {
      await wire.send(`/responses/${row.id}`, null, attempt.ctx, { method: "DELETE" });
    } finally {
      attempt.settle();
    }
  } catch (err) {
    console.error(
      JSON.stringify({
        level: "warn",
        msg: "deleting a response at its vendor failed; deleted here",
        vendor: row.vendor,
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  }
}

export const responsesRoutes = createRouter()
  .openapi(
    route({
      method: "post",
      path: "/v1/responses",
      summary: "OpenAI's Responses API, for any vendor or alias",
      description:
        DOCS &&
        "Drop-in for OpenAI's endpoint: point an OpenAI SDK (or Codex, the Agents SDK, the AI SDK's `openai(model)`) at `/v1`. " +
          "`model` is `vendor/model` or an alias; every vendor is reached through the gateway's neutral model. With `store` (the " +
          "default) the response is kept (RESPONSE_RETENTION_DAYS, 30 by default) for `previous_response_id`, which replays the " +
          "stored chain to whichever vendor answers (instructions are not inherited), and for the GET, DELETE and input-items routes. " +
          "With `stream: true` the answer is Server-Sent Events with a `sequence_number` on each, from `response.created` to " +
          "exactly one of `response.completed`, `response.incomplete` or `response.failed` (no `[DONE]`). What a vendor cannot " +
          "take (built-in tools such as `web_search`, `background`, stored prompts, `file_id` inputs) is a 400 naming it.",
      errors: [403, 404],
      needs: call,
      request: { body: jsonBody(ResponsesRequestSchema) },
      responses: {
        200: {
          description: DOCS && "The response, or (stream) its events.",
          content: {
            "application/json": { schema: ResponseObjectSchema },
            "text/event-stream": {
              schema: z.string().openapi({
                description:
                  DOCS &&
                  "`response.created`, `response.in_progress`, per output item `response.output_item.added`, its deltas " +
                    "(`response.output_text.delta`, `response.function_call_arguments.delta`) and `.done` events, " +
                    "`response.output_item.done`; then `response.completed`, `response.incomplete` or `response.failed`.",
              }),
            },
          },
        },
      },
    }),
    async (c) =>
      runCall(
        c,
        "responses",
        responsesPlan(c.req.valid("json"), (await c.req.json()) as Record<string, unknown>),
      ),
  )
  .openapi(
    route({
      method: "post",
      path: "/v1/responses/input_tokens",
      summary: "Count a Responses request's input tokens",
      description:
        DOCS &&
        "An `openai` vendor counts them itself; for any other vendor the gateway estimates from the translated prompt, " +
          "stored history (`previous_response_id`) included.",
      errors: [403, 404],
      needs: call,
      request: { body: jsonBody(InputTokensRequestSchema) },
      responses: { 200: jsonResponse(InputTokensResponseSchema, "The count.") },
    }),
    async (c) =>
      runCall(
        c,
        "responses.input_tokens",
        responsesInputTokensPlan(c.req.valid("json"), (await c.req.json()) as Record<string, unknown>),
      ) as never,
  )
  .openapi(
    route({
      method: "post",
      path: "/v1/responses/compact",
      summary: "Compact a conversation (Codex's remote compaction)",
      description:
        DOCS &&
        "Returns the conversation (`input`, after any `previous_response_id` chain) as every user message followed by one " +
          "`compaction` item, which stands for the rest in later requests. An `openai` vendor compacts on its own; for the others the target model " +
          "writes a summary of the conversation into the item, which any vendor the conversation moves to reads back.",
      errors: [403, 404],
      needs: call,
      request: { body: jsonBody(InputTokensRequestSchema) },
      responses: { 200: jsonResponse(CompactedSchema, "The compacted conversation.") },
    }),
    async (c) =>
      runCall(
        c,
        "responses.compact",
        responsesCompactPlan(c.req.valid("json"), (await c.req.json()) as Record<string, unknown>),
      ) as never,
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/responses/{id}",
      summary: "Get one of the caller's stored responses",
      errors: [404],
      request: { params: ResponseParams },
      responses: { 200: jsonResponse(ResponseObjectSchema, "The response, as it was sent.") },
    }),
    async (c) => {
      const row = await ownResponse(c, c.req.valid("param").id);
      return c.json(row.response as z.infer<typeof ResponseObjectSchema>, 200);
    },
  )
  .openapi(
    route({
      method: "delete",
      path: "/v1/responses/{id}",
      summary: "Delete one of the caller's stored responses",
      errors: [404],
      request: { params: ResponseParams },
      responses: { 200: jsonResponse(DeletedSchema, "It is gone.") },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const row = await ownResponse(c, id);
      const p = c.get("principal");
      if (row.origin === "vendor") await deleteAtVendor(c, row);
      const gone = await deleteResponse(getDb(c.env.DB), id, p.kind === "user" ? p.user.id : null);
      if (!gone) throw notFound("response", "id");
      return c.json({ id, object: "response" as const, deleted: true as const }, 200);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/responses/{id}/input_items",
      summary: "List the input items of one of the caller's stored responses",
      errors: [404],
      request: { params: ResponseParams, query: InputItemsQuerySchema },
      responses: { 200: jsonResponse(InputItemListSchema, "A page of input items.") },
    }),
    async (c) => {
      const row = await ownResponse(c, c.req.valid("param").id);
      const { limit, order, after } = c.req.valid("query");
      const items = [...(row.inputItems ?? [])] as { id: string; type: string }[];
      if (order === "desc") items.reverse();
      const start = after === undefined ? 0 : items.findIndex((i) => i.id === after) + 1;
      const data = start === 0 && after !== undefined ? [] : items.slice(start, start + limit);
      return c.json(
        {
          object: "list" as const,
          data,
          first_id: data[0]?.id ?? null,
          last_id: data.at(-1)?.id ?? null,
          has_more: start + limit < items.length,
        },
        200,
      );
    },
  );
