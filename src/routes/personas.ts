import { z } from "@hono/zod-openapi";
import { isAdmin, type Principal, requireUser } from "../auth/principal";
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { keysetPage } from "../db/cursor";
import { newId } from "../db/ids";
import {
  deletePersona,
  findVisiblePersona,
  insertPersona,
  listVisiblePersonas,
  updatePersona,
  type Visibility,
  visibilityOf,
} from "../db/queries/personas";
import type { PersonaRow } from "../db/schema";
import { forbidden, notFound } from "../errors/gateway-error";
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
import { ModelStringSchema } from "../openapi/strings";

const PERSONA_ID = "per_01JD7W5X7Q2N5V3K9Y8M4T6R2S";

const visibility = z.enum(["private", "shared"]).openapi({
  description:
    DOCS && "`private`: only its owner sees it. `shared`: every user reads it, only admins change it.",
});

export const PersonaSchema = z
  .object({
    id: z.string().openapi({ example: PERSONA_ID }),
    name: z.string().openapi({ example: "Support agent" }),
    description: z.string().nullable().openapi({ example: "Answers billing questions." }),
    system_prompt: z.string().openapi({ example: "You are Acme's support agent. Be brief and kind." }),
    model: z.string().openapi({ example: "openai/gpt-4o-mini" }),
    temperature: z.number().nullable().openapi({ example: 0.3 }),
    max_tokens: z.number().int().nullable().openapi({ example: 1024 }),
    visibility,
    owner_id: z
      .string()
      .nullable()
      .openapi({
        example: "usr_01JD7W5X7Q2N5V3K9Y8M4T6R2S",
        description: DOCS && "Null for shared personas.",
      }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Persona");

const name = z.string().trim().min(1).max(200).openapi({ example: "Support agent" });
const description = z.string().trim().max(2000).nullable().openapi({ example: "Answers billing questions." });
const systemPrompt = z
  .string()
  .trim()
  .min(1)
  .max(100_000)
  .openapi({ example: "You are Acme's support agent. Be brief and kind." });
const model = ModelStringSchema;
const temperature = z.number().min(0).max(2).nullable().openapi({ example: 0.3 });
const maxTokens = z.number().int().positive().max(1_000_000).nullable().openapi({ example: 1024 });

const CreatePersonaSchema = z
  .object({
    name,
    description: description.optional(),
    system_prompt: systemPrompt,
    model,
    temperature: temperature.optional(),
    max_tokens: maxTokens.optional(),
    visibility: visibility.default("private"),
  })
  .strict()
  .openapi("CreatePersona");

const UpdatePersonaSchema = z
  .object({
    name: name.optional(),
    description: description.optional(),
    system_prompt: systemPrompt.optional(),
    model: model.optional(),
    temperature: temperature.optional(),
    max_tokens: maxTokens.optional(),
    visibility: visibility.optional().openapi({
      description:
        DOCS &&
        "Changing it is for admins: `shared` makes a private persona org-owned, `private` makes a shared one the calling admin's.",
    }),
  })
  .strict()
  .openapi("UpdatePersona");

const ListPersonasQuerySchema = PaginationQuerySchema.extend({
  visibility: z
    .enum(["private", "shared"])
    .optional()
    .openapi({ param: { name: "visibility", in: "query" }, description: DOCS && "Only this kind." }),
});

export const toPersona = (p: PersonaRow) => ({
  id: p.id,
  name: p.name,
  description: p.description,
  system_prompt: p.systemPrompt,
  model: p.model,
  temperature: p.temperature,
  max_tokens: p.maxTokens,
  visibility: visibilityOf(p),
  owner_id: p.ownerId,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
});

const PersonaParams = z.object({ id: pathParam("id", PERSONA_ID) });
const personaNotFound = () => notFound("persona", "id");
const route = routes({ tags: ["Personas"] });

/** The user whose private personas the caller sees; the admin key has none. */
const userIdOf = (p: Principal): string | null => (p.kind === "user" ? p.user.id : null);

/** Shared personas are what every user's chats may rely on, so only admins write them. */
function assertSharedWriter(p: Principal): void {
  if (!isAdmin(p)) throw forbidden("admin_required", "Only admins can create or change shared personas.");
}

/**
 * The owner a persona of this visibility gets when `p` writes it: shared personas belong to
 * nobody; private ones belong to the calling user, so they need a user key (the admin key has no
 * user to own them).
 */
function ownerFor(p: Principal, v: Visibility): string | null {
  if (v === "private") return requireUser(p).id;
  assertSharedWriter(p);
  return null;
}

/**
 * A persona the caller may change. Another user's private persona is a 404 like a missing one
 * (for admins too: private means private); a shared one is visible, so a non-admin gets a 403.
 */
async function writablePersona(db: Db, p: Principal, id: string): Promise<PersonaRow> {
  const persona = await findVisiblePersona(db, id, userIdOf(p));
  if (!persona) throw personaNotFound();
  if (persona.ownerId === null) assertSharedWriter(p);
  return persona;
}

export const personaRoutes = createRouter()
  .openapi(
    route({
      method: "post",
      path: "/v1/personas",
      summary: "Create a persona: private (any user key) or shared (admins)",
      errors: [403, 404],
      request: { body: jsonBody(CreatePersonaSchema) },
      responses: { 201: jsonResponse(PersonaSchema, "The new persona.") },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const p = c.get("principal");
      const ownerId = ownerFor(p, body.visibility);
      const db = getDb(c.env.DB);
      await resolveModel(c.env, db, body.model);
      const now = new Date();
      const row = await insertPersona(db, {
        id: newId("per"),
        ownerId,
        createdBy: userIdOf(p),
        name: body.name,
        description: body.description ?? null,
        systemPrompt: body.system_prompt,
        model: body.model,
        temperature: body.temperature ?? null,
        maxTokens: body.max_tokens ?? null,
        createdAt: now,
        updatedAt: now,
      });
      return c.json(toPersona(row), 201);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/personas",
      summary: "List the caller's private personas and every shared one, newest first",
      request: { query: ListPersonasQuerySchema },
      responses: { 200: jsonResponse(listOf(PersonaSchema, "PersonaList"), "A page of personas.") },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const db = getDb(c.env.DB);
      const userId = userIdOf(c.get("principal"));
      const read = (limit: number, beforeId?: string) =>
        listVisiblePersonas(db, userId, { visibility: query.visibility, limit, beforeId });
      return c.json(await keysetPage(query, read, (p) => p.id, toPersona), 200);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/personas/{id}",
      summary: "Get a persona (one of the caller's, or a shared one)",
      errors: [404],
      request: { params: PersonaParams },
      responses: { 200: jsonResponse(PersonaSchema, "The persona.") },
    }),
    async (c) => {
      const persona = await findVisiblePersona(
        getDb(c.env.DB),
        c.req.valid("param").id,
        userIdOf(c.get("principal")),
      );
      if (!persona) throw personaNotFound();
      return c.json(toPersona(persona), 200);
    },
  )
  .openapi(
    route({
      method: "patch",
      path: "/v1/personas/{id}",
      summary: "Update a persona (shared ones and visibility changes: admins only)",
      errors: [403, 404],
      request: { params: PersonaParams, body: jsonBody(UpdatePersonaSchema) },
      responses: { 200: jsonResponse(PersonaSchema, "The updated persona.") },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const p = c.get("principal");
      const db = getDb(c.env.DB);
      const persona = await writablePersona(db, p, id);
      const ownerId =
        body.visibility && body.visibility !== visibilityOf(persona)
          ? ownerFor(p, body.visibility)
          : persona.ownerId;
      if (body.model !== undefined) await resolveModel(c.env, db, body.model);
      const row = await updatePersona(db, id, persona.ownerId, {
        ownerId,
        name: body.name,
        description: body.description,
        systemPrompt: body.system_prompt,
        model: body.model,
        temperature: body.temperature,
        maxTokens: body.max_tokens,
        updatedAt: new Date(),
      });
      // Deleted, or its visibility changed, since it was read: it is no longer the persona checked.
      if (!row) throw personaNotFound();
      return c.json(toPersona(row), 200);
    },
  )
  .openapi(
    route({
      method: "delete",
      path: "/v1/personas/{id}",
      summary: "Delete a persona; conversations that used it keep their history, unlinked",
      errors: [403, 404],
      request: { params: PersonaParams },
      responses: { 204: { description: DOCS && "Deleted." } },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const db = getDb(c.env.DB);
      const persona = await writablePersona(db, c.get("principal"), id);
      if (!(await deletePersona(db, id, persona.ownerId))) throw personaNotFound();
      return c.body(null, 204);
    },
  );
