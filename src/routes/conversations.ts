import { z } from "@hono/zod-openapi";
import { requireUser } from "../auth/principal";
import { DEFAULT_TITLE } from "../conversations/turn";
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { decodeCursor, toPage } from "../db/cursor";
import { newId } from "../db/ids";
import {
  deleteConversation,
  findConversation,
  insertConversation,
  listConversations,
  updateConversation,
} from "../db/queries/conversations";
import { findVisiblePersona } from "../db/queries/personas";
import type { ConversationRow } from "../db/schema";
import type { OptionalConfig } from "../env";
import { invalidRequest, notFound } from "../errors/gateway-error";
import { resolveModel } from "../gateway/resolve-model";
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
import { identifier, ModelStringSchema } from "../openapi/strings";

export const CONVERSATION_ID = "cnv_01JD7W5X7Q2N5V3K9Y8M4T6R2S";
const PERSONA_ID = "per_01JD7W5X7Q2N5V3K9Y8M4T6R2S";

export const ConversationSchema = z
  .object({
    id: z.string().openapi({ example: CONVERSATION_ID }),
    title: z.string().openapi({ example: "Trip to Lisbon" }),
    persona_id: z.string().nullable().openapi({ example: PERSONA_ID }),
    model: z
      .string()
      .nullable()
      .openapi({
        example: "mock/echo",
        description:
          DOCS && "Overrides the persona's model; with neither, sending a message picks a default.",
      }),
    created_at: Timestamp,
    updated_at: Timestamp.openapi({ description: DOCS && "Last activity; lists are ordered by it." }),
  })
  .openapi("Conversation");

const title = z.string().trim().min(1).max(200).openapi({ example: "Trip to Lisbon" });
const personaId = identifier()
  .min(1)
  .max(128)
  .nullable()
  .openapi({ example: PERSONA_ID, description: DOCS && "One of the caller's personas or a shared one." });
const model = ModelStringSchema.nullable().openapi({
  example: "mock/echo",
  description: DOCS && "`vendor/model` or a model-config alias.",
});

const CreateConversationSchema = z
  .object({
    title: title.default(DEFAULT_TITLE),
    persona_id: personaId.optional(),
    model: model.optional(),
  })
  .strict()
  .openapi("CreateConversation");

const UpdateConversationSchema = z
  .object({ title: title.optional(), persona_id: personaId.optional(), model: model.optional() })
  .strict()
  .openapi("UpdateConversation");

const ListConversationsQuerySchema = PaginationQuerySchema.extend({
  persona_id: identifier()
    .min(1)
    .max(128)
    .optional()
    .openapi({
      param: { name: "persona_id", in: "query" },
      description: DOCS && "Only conversations using it.",
    }),
});

export const toConversation = (c: ConversationRow) => ({
  id: c.id,
  title: c.title,
  persona_id: c.personaId,
  model: c.model,
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});

export const ConversationParams = z.object({ id: pathParam("id", CONVERSATION_ID) });
export const conversationNotFound = () => notFound("conversation", "id");
// Every route needs a user key: the admin key has no conversations (requireUser: 403).
const route = routes({ tags: ["Conversations"], errors: [403] });

/** A persona or model a write names must be usable by the caller; else a 404 naming the field. */
async function checkReferences(
  env: OptionalConfig,
  db: Db,
  userId: string,
  refs: { persona_id?: string | null | undefined; model?: string | null | undefined },
): Promise<void> {
  if (refs.persona_id && !(await findVisiblePersona(db, refs.persona_id, userId))) {
    throw notFound("persona", "persona_id");
  }
  if (refs.model) await resolveModel(env, db, refs.model);
}

/** Cursor of the conversations list: the last row's (updated_at in ms, id). */
function decodeListCursor(cursor: string): { updatedAt: Date; id: string } {
  const [ms, id] = decodeCursor(cursor, ["number", "string"]) as [number, string];
  if (!Number.isSafeInteger(ms) || Number.isNaN(new Date(ms).getTime())) {
    throw invalidRequest("invalid_cursor", "The cursor is not one this list returned.", "cursor");
  }
  return { updatedAt: new Date(ms), id };
}

export const conversationRoutes = createRouter()
  .openapi(
    route({
      method: "post",
      path: "/v1/conversations",
      summary: "Start a conversation (user keys only)",
      errors: [404],
      request: { body: jsonBody(CreateConversationSchema) },
      responses: { 201: jsonResponse(ConversationSchema, "The new conversation.") },
    }),
    async (c) => {
      const user = requireUser(c.get("principal"));
      const body = c.req.valid("json");
      const db = getDb(c.env.DB);
      await checkReferences(c.env, db, user.id, body);
      const now = new Date();
      const row = await insertConversation(db, {
        id: newId("cnv"),
        ownerId: user.id,
        title: body.title,
        personaId: body.persona_id ?? null,
        model: body.model ?? null,
        createdAt: now,
        updatedAt: now,
      });
      return c.json(toConversation(row), 201);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/conversations",
      summary: "List the caller's conversations, most recent activity first",
      request: { query: ListConversationsQuerySchema },
      responses: {
        200: jsonResponse(listOf(ConversationSchema, "ConversationList"), "A page of conversations."),
      },
    }),
    async (c) => {
      const user = requireUser(c.get("principal"));
      const { limit, cursor, persona_id } = c.req.valid("query");
      const rows = await listConversations(getDb(c.env.DB), user.id, {
        limit,
        personaId: persona_id,
        after: cursor ? decodeListCursor(cursor) : undefined,
      });
      return c.json(
        toPage(rows, limit, (r) => [r.updatedAt.getTime(), r.id], toConversation),
        200,
      );
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/conversations/{id}",
      summary: "Get one of the caller's conversations",
      errors: [404],
      request: { params: ConversationParams },
      responses: { 200: jsonResponse(ConversationSchema, "The conversation.") },
    }),
    async (c) => {
      const user = requireUser(c.get("principal"));
      const row = await findConversation(getDb(c.env.DB), c.req.valid("param").id, user.id);
      if (!row) throw conversationNotFound();
      return c.json(toConversation(row), 200);
    },
  )
  .openapi(
    route({
      method: "patch",
      path: "/v1/conversations/{id}",
      summary: "Rename a conversation or change its persona or model (null clears them)",
      errors: [404],
      request: { params: ConversationParams, body: jsonBody(UpdateConversationSchema) },
      responses: { 200: jsonResponse(ConversationSchema, "The updated conversation.") },
    }),
    async (c) => {
      const user = requireUser(c.get("principal"));
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const db = getDb(c.env.DB);
      // The conversation's own 404 comes before any complaint about what the body names.
      if (!(await findConversation(db, id, user.id))) throw conversationNotFound();
      await checkReferences(c.env, db, user.id, body);
      const row = await updateConversation(
        db,
        id,
        user.id,
        { title: body.title, personaId: body.persona_id, model: body.model },
        new Date(),
      );
      if (!row) throw conversationNotFound();
      return c.json(toConversation(row), 200);
    },
  )
  .openapi(
    route({
      method: "delete",
      path: "/v1/conversations/{id}",
      summary: "Delete a conversation and its messages",
      errors: [404],
      request: { params: ConversationParams },
      responses: { 204: { description: DOCS && "Deleted." } },
    }),
    async (c) => {
      const user = requireUser(c.get("principal"));
      if (!(await deleteConversation(getDb(c.env.DB), c.req.valid("param").id, user.id))) {
        throw conversationNotFound();
      }
      return c.body(null, 204);
    },
  );
